"""Outline of the built-in pelvis against a real pelvis: silhouette overlap (IoU).

Each pelvis is projected orthographically onto the top (X-Z), rear (Y-Z) and side (X-Y)
planes, scaled to unit left-right width (its Z extent) and centred on the bounding box of each
projection; the intersection over union of the two filled silhouettes is printed per view.
Two different real pelvises overlap at about 0.77 (mean of the three views); the target for
the built-in variants (issue 11) is mean >= 0.75 and every view >= 0.70.

Frames. The built-in pelvis is in the ISB frame (ASISs and the PSIS midpoint in one
horizontal plane). The first table puts the real pelvis in the same frame, rebuilt from its
own iliac spines, so only shape is compared. The second keeps the real pelvis in its file's
frame, as the figures quoted in issue 11 were measured (0.54 / 0.68 / 0.67 for the first
built-in pelvis): OpenSim's pelvis body frame is turned ~15 deg about the left-right axis
from the ISB frame of the same bone. The last line measures what that tilt alone costs: the
same real pelvis in its ISB frame against itself in its file's frame (~0.72 for Gait2392), so
the file-frame figures measure frames, not shape.

    python benchmarks/bench_outline.py [--real FOLDER_OR_MODEL_FILE]

The real pelvis defaults to OpenSim Gait2392 in ``../shared/real-anatomy/`` (metres, OpenSim
axes). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a source tree without installing

import pelvis3d  # noqa: E402

OPENSIM = ROOT.parent / "shared" / "real-anatomy" / "opensim-gait2392"

#: view name -> (horizontal axis, vertical axis) of the projection (0 = X, 1 = Y, 2 = Z)
VIEWS = {"top": (2, 0), "rear": (2, 1), "side": (0, 1)}
PIXELS = 400  # raster size across the unit width


def silhouette(vertices: np.ndarray, faces: np.ndarray, axes: tuple[int, int], width: float) -> np.ndarray:
    """Filled orthographic silhouette of a mesh as a boolean image, unit width = ``PIXELS`` px.

    Parameters
    ----------
    vertices : (N, 3) array, mm
    faces : (M, 3) int array
    axes : (int, int)
        Frame axes shown horizontally and vertically.
    width : float
        Left-right width (mm) that is scaled to one unit.
    """
    pts = vertices[:, list(axes)] / width
    centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
    pix = (pts - centre) * PIXELS + 1.5 * PIXELS  # canvas 3 units across, centred
    image = Image.new("1", (3 * PIXELS, 3 * PIXELS), 0)
    draw = ImageDraw.Draw(image)
    for tri in pix[faces]:
        draw.polygon([tuple(p) for p in tri], fill=1, outline=1)
    return np.asarray(image, dtype=bool)


def outline_iou(a: pelvis3d.Pelvis, b: pelvis3d.Pelvis) -> dict[str, float]:
    """Silhouette intersection over union of two pelvises per view (``VIEWS``)."""

    def parts(p: pelvis3d.Pelvis) -> tuple[np.ndarray, np.ndarray]:
        meshes = list(p.meshes().values())
        offsets = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
        vertices = np.vstack([m.vertices for m in meshes])
        faces = np.vstack([m.faces + o for m, o in zip(meshes, offsets, strict=True)])
        return vertices, faces

    va, fa = parts(a)
    vb, fb = parts(b)
    wa, wb = np.ptp(va[:, 2]), np.ptp(vb[:, 2])
    out = {}
    for view, axes in VIEWS.items():
        sa, sb = silhouette(va, fa, axes, wa), silhouette(vb, fb, axes, wb)
        out[view] = float((sa & sb).sum() / (sa | sb).sum())
    return out


def load_real(path: Path, frame: str = "isb") -> pelvis3d.Pelvis:
    """Load a real pelvis: a model file, or a folder with the OpenSim Gait2392 meshes.

    ``frame`` is ``"isb"`` (rebuilt from the iliac spines) or ``"as-given"`` (the file's frame);
    a model file keeps its own setting.
    """
    if path.is_file():
        return pelvis3d.Pelvis.load(path)
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "real.toml"
        model.write_text(
            f'units = "m"\nframe = "{frame}"\n[meshes]\n'
            f'sacrum = "{path / "sacrum.vtp"}"\nleft_innominate = "{path / "l_pelvis.vtp"}"\n'
            f'right_innominate = "{path / "r_pelvis.vtp"}"\n'
            '[axes]\nanterior = "+x"\nsuperior = "+y"\nright = "+z"\n'
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the OpenSim meshes are open and coarse; known
            return pelvis3d.Pelvis.load(model)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=OPENSIM, help="real pelvis: model file or Gait2392 folder")
    args = parser.parse_args(argv)
    models = {name: pelvis3d.Pelvis(None if name == "adult" else name) for name in ("adult", "female", "male")}
    print(f"silhouette IoU against {args.real} (unit left-right width, bbox-centred)")
    for frame, title in (
        ("isb", "real pelvis in the ISB frame from its spines"),
        ("as-given", "real pelvis in its file's frame"),
    ):
        real = load_real(args.real, frame)
        print(f"\n{title}")
        print(f"{'model':<10} {'top':>6} {'rear':>6} {'side':>6} {'mean':>6}")
        for name, pelvis in models.items():
            iou = outline_iou(pelvis, real)
            mean = float(np.mean(list(iou.values())))
            print(f"{name:<10} {iou['top']:6.3f} {iou['rear']:6.3f} {iou['side']:6.3f} {mean:6.3f}")
    # What the frame alone costs: the same real bone in its ISB frame against its file's frame.
    same = outline_iou(load_real(args.real, "isb"), load_real(args.real, "as-given"))
    mean = float(np.mean(list(same.values())))
    print("\nframe tilt alone (the real pelvis in the ISB frame against itself in its file's frame)")
    print(f"{'real':<10} {same['top']:6.3f} {same['rear']:6.3f} {same['side']:6.3f} {mean:6.3f}")
    print("\ntarget: mean >= 0.75, every view >= 0.70 (two real pelvises: ~0.77)")


if __name__ == "__main__":
    main()
