"""Viewer benchmark: the work done per slider move beyond the render itself.

Target (issue 4): <= 2 ms per update. Prints figures; asserts nothing.

    python benchmarks/bench_viewer.py
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402

from pelvis3d.viewer import Viewer  # noqa: E402

QUICK = os.environ.get("PELVIS3D_BENCH_QUICK") == "1"
N = 20 if QUICK else 200


def per_update(viewer: Viewer, values: np.ndarray) -> float:
    t0 = time.perf_counter()
    for v in values:
        viewer.set(left_rotation=float(v))
    return (time.perf_counter() - t0) / len(values) * 1e3


def main() -> None:
    values = np.linspace(-3.0, 3.0, N)
    for overlays in ("all", "none"):
        viewer = Viewer(size=(1280, 800), off_screen=True)
        if overlays == "none":
            for name in ("ghost", "colormap", "labels", "arrows"):
                viewer.scene.set_overlay(name, False)
        with_render = per_update(viewer, values)
        viewer.plotter.render = lambda: None  # the work beyond the render
        without = per_update(viewer, values)
        viewer.close()
        print(
            f"overlays {overlays:4s}: slider update {with_render:6.1f} ms with render, {without:5.2f} ms beyond the render (target <= 2 ms)"
        )


if __name__ == "__main__":
    main()
