"""Outline of the built-in pelvis against a real pelvis: silhouette overlap (IoU).

Each pelvis is projected orthographically onto the top (X-Z), rear (Y-Z) and side (X-Y)
planes, scaled to unit left-right width (its Z extent) and centred on the bounding box of each
projection; the intersection over union of the two filled silhouettes is printed per view.
Two different real pelvises overlap at about 0.77 (mean of the three views); the target for
the built-in variants (issue 11) is mean >= 0.75 and every view >= 0.70.

Frame decision: both pelvises are compared in the same anatomical (ISB) frame, each built
from its own iliac spines (ASISs and PSIS midpoint in one horizontal plane), because the
target compares shape; a file's frame differs between models by convention (OpenSim's pelvis
body frame is turned ~15 deg about the left-right axis from the ISB frame of the same bone).
So the first table, the figure compared with the target, has the real pelvis re-framed from
its own spines. For context only, the second keeps the real pelvis in its file's frame, as the
figures first quoted in issue 11 were measured (0.54 / 0.68 / 0.67 for the first built-in
pelvis), and the last line measures what that tilt alone costs: the same real pelvis in its
ISB frame against itself in its file's frame (~0.72 for Gait2392).

    python benchmarks/bench_outline.py [--real PATH]

``--real`` is another real pelvis: a folder of OpenSim meshes (``l_pelvis.vtp``,
``r_pelvis.vtp`` and ``sacrum.vtp`` in metres and OpenSim axes, as in Gait2392), an OpenSim
model (``.osim``), a pelvis3d model file (``.toml`` / ``.json``) or an anatomy folder with
``pelvis.json``. It defaults to OpenSim Gait2392 in ``../shared/real-anatomy/``. Prints
figures; asserts nothing; a path it cannot use ends the run with one line naming it.
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
from pelvis3d.errors import Pelvis3dError  # noqa: E402

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


#: the meshes of a folder of OpenSim pelvis meshes (Gait2392 and models built like it)
OPENSIM_MESHES = {"sacrum": "sacrum.vtp", "left_innominate": "l_pelvis.vtp", "right_innominate": "r_pelvis.vtp"}


class RealPelvisError(ValueError):
    """A ``--real`` path that is not a real pelvis this benchmark can read."""


def load_real(path: Path, frame: str = "isb") -> pelvis3d.Pelvis:
    """Load a real pelvis from ``path`` in its ISB frame (``"isb"``) or its file's frame (``"as-given"``).

    ``path`` is a folder of OpenSim meshes (:data:`OPENSIM_MESHES`, metres, OpenSim axes), an
    OpenSim model (``.osim``), a pelvis3d model file (``.toml`` / ``.json``) or an anatomy
    folder with ``pelvis.json``. In the ISB frame the pelvis is re-framed from its own iliac
    spines, whatever frame the file uses. Raises :class:`RealPelvisError` naming the path.
    """
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # real meshes are often open and coarse; known
        try:
            given = _load_as_given(path)
            if frame == "as-given":
                return given
            meshes = given.meshes()
            return pelvis3d.Pelvis.from_meshes(
                meshes["sacrum"], meshes["left_innominate"], meshes["right_innominate"], units="mm", frame="isb"
            )
        except RealPelvisError:
            raise
        except (Pelvis3dError, OSError, ValueError) as exc:  # unreadable or implausible meshes
            raise RealPelvisError(f"--real {path}: {exc}") from None


def _load_as_given(path: Path) -> pelvis3d.Pelvis:
    if path.is_dir() and all((path / name).is_file() for name in OPENSIM_MESHES.values()):
        with tempfile.TemporaryDirectory() as tmp:
            model = Path(tmp) / "real.toml"
            listed = "".join(f'{body} = "{(path / name).as_posix()}"\n' for body, name in OPENSIM_MESHES.items())
            model.write_text(
                f'units = "m"\nframe = "as-given"\n[meshes]\n{listed}'
                '[axes]\nanterior = "+x"\nsuperior = "+y"\nright = "+z"\n'
            )
            return pelvis3d.Pelvis.load(model)
    if path.is_dir() and (path / "pelvis.json").is_file():
        return pelvis3d.Pelvis.load(path)
    if path.is_file() and path.suffix.lower() in (".osim", ".toml", ".json"):
        return pelvis3d.Pelvis.load(path)
    wanted = "a folder with " + ", ".join(OPENSIM_MESHES.values()) + ", an .osim, .toml or .json model file"
    what = "does not exist" if not path.exists() else "is not a real pelvis"
    raise RealPelvisError(f"--real {path} {what}: give {wanted}, or an anatomy folder with pelvis.json")


def table(title: str, rows: dict[str, dict[str, float]]) -> None:
    """Print one IoU table: a title, then top / rear / side / mean per row."""
    print(f"\n{title}")
    print(f"{'model':<10} {'top':>6} {'rear':>6} {'side':>6} {'mean':>6}")
    for name, iou in rows.items():
        mean = float(np.mean(list(iou.values())))
        print(f"{name:<10} {iou['top']:6.3f} {iou['rear']:6.3f} {iou['side']:6.3f} {mean:6.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--real",
        type=Path,
        default=OPENSIM,
        help="real pelvis: OpenSim mesh folder, .osim, .toml/.json or anatomy folder",
    )
    args = parser.parse_args(argv)
    try:
        real_isb, real_file = load_real(args.real, "isb"), load_real(args.real, "as-given")
    except RealPelvisError as exc:
        print(f"bench_outline: error: {exc}", file=sys.stderr)
        return 2
    models = {name: pelvis3d.Pelvis(None if name == "adult" else name) for name in ("adult", "female", "male")}
    print(f"silhouette IoU against {args.real} (unit left-right width, bbox-centred)")
    table(
        "HEADLINE - compared with the target: both pelvises in the ISB frame from their own iliac spines (shape)",
        {name: outline_iou(pelvis, real_isb) for name, pelvis in models.items()},
    )
    print("target: mean >= 0.75, every view >= 0.70 (two real pelvises: ~0.77)")
    print("\ncontext only (frames differ by convention, not shape):")
    table(
        "real pelvis left in its file's frame (OpenSim: ~15 deg from ISB)",
        {name: outline_iou(pelvis, real_file) for name, pelvis in models.items()},
    )
    table(
        "frame tilt alone: the real pelvis in its ISB frame against itself in its file's frame",
        {"real": outline_iou(real_isb, real_file)},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
