"""External-internal rotation cycle as a looping GIF, seen from above.

python examples/er_ir_gif.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import pelvis3d

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
path = pelvis3d.render_animation("er-ir-cycle", out / "er-ir-cycle.gif", frames=40, fps=20, size=(640, 480), view="top")
print(path)
