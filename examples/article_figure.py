"""Article figure: rear and top views of neutral, external and internal rotation in one PNG.

python examples/article_figure.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import pelvis3d

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
path = pelvis3d.render_figure(
    out / "article-figure.png", title="Pelvic rotation: rear and top views (motion exaggerated x5)"
)
print(path)
