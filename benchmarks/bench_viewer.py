"""Viewer benchmark: the work done per slider move beyond the render itself.

Target (issue 4): <= 2 ms per update. Prints figures; asserts nothing.

    python benchmarks/bench_viewer.py
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402
from vtkmodules.vtkCommonCore import vtkCommand  # noqa: E402

from pelvis3d.apps.viewer import Viewer  # noqa: E402

QUICK = os.environ.get("PELVIS3D_BENCH_QUICK") == "1"
N = 20 if QUICK else 200


def per_update(viewer: Viewer, values: np.ndarray) -> np.ndarray:
    """ms per slider move, as a drag delivers it: VTK has moved the dragged slider's handle
    (not timed), then fires the interaction event that runs pelvis3d's callback."""
    widget = viewer.sliders["left_rotation"]
    times = []
    for v in values:
        widget.GetRepresentation().SetValue(float(v))
        t0 = time.perf_counter()
        widget.InvokeEvent(vtkCommand.InteractionEvent)
        times.append(time.perf_counter() - t0)
    assert viewer.angles["left_rotation"] == float(values[-1])
    assert (viewer.angles["right_rotation"] == float(values[-1])) == viewer.linked
    return np.array(times) * 1e3


def main() -> None:
    # a drag across the rotation range and back; x5 exaggeration (the viewer's default)
    values = np.concatenate([np.linspace(-3.0, 3.0, N), np.linspace(3.0, -3.0, N)])
    sweeps = 1 if QUICK else 5
    # linked sides (the default) move both innominates: a mirror-symmetric pose, whose right
    # side pelvis3d takes from the left; one side alone is the general case
    for overlays, linked in (("all", True), ("all", False), ("none", True)):
        viewer = Viewer(size=(1280, 800), off_screen=True)
        viewer.plotter.show(auto_close=False)  # the first render: later renders are real
        viewer.toggle("link sides", linked)
        if overlays == "none":
            for name in ("ghost", "colormap", "labels", "arrows"):
                viewer.scene.set_overlay(name, False)
        with_render = per_update(viewer, values[:: 4 if not QUICK else 1])
        viewer.plotter.render = lambda: None  # the work beyond the render
        runs = [per_update(viewer, values) for _ in range(sweeps)]
        viewer.close()
        best = min(runs, key=np.mean)
        print(
            f"overlays {overlays:4s}, {'both sides' if linked else 'one side '}: with render {np.mean(with_render):6.1f} ms per move; beyond the render "
            f"median {np.median(best):.2f} ms, mean {np.mean(best):.2f} ms, 95th percentile "
            f"{np.percentile(best, 95):.2f} ms (best of {sweeps} drags of {len(values)} moves; target <= 2 ms)"
        )


if __name__ == "__main__":
    main()
