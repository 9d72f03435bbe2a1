"""Viewer benchmark: slider-to-picture latency at 1400x900, next to a bare pyvista render.

Target (issue 15): while dragging, <= 1.3x a bare pyvista render of the same bone meshes at the
same size without anti-aliasing. Prints figures side by side in one run; asserts nothing.

    python benchmarks/bench_viewer.py

Rows:

* bare pyvista render, no AA: the three bone meshes, a new actor matrix and ``render()`` per
  move, no multisampling, pyvista's default light kit (the issue's baseline);
* bare, one headlight: the same lit by one headlight (what the viewer's drag quality uses), for
  an honest comparison of the rest of the viewer's frame;
* viewer dragging, before: one slider move as a drag delivers it (VTK moved the handle, then
  fires the interaction event that runs pelvis3d's callback, which renders) with only
  multisampling off (the drag quality before issue 15's second pass);
* viewer dragging, now: the same with the drag quality of :mod:`pelvis3d.apps.drag_quality`
  (no multisampling, one headlight, no ghost or insets);
* viewer still (4x MSAA): the same move at full quality, as after the hand stops.

Also: the work beyond the render (the render replaced by a no-op), as in issue 4. The machine's
load average is printed with the figures (other processes share the cores).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402
from vtkmodules.vtkCommonCore import vtkCommand  # noqa: E402

from pelvis3d.apps.viewer import Viewer  # noqa: E402

QUICK = os.environ.get("PELVIS3D_BENCH_QUICK") == "1"  # a short run for the tests: every row, few moves
N = 3 if QUICK else 40
SIZE = (1400, 900)


def per_update(viewer: Viewer, values: np.ndarray) -> np.ndarray:
    """ms per slider move (callback and render) as a drag delivers it."""
    widget = viewer.sliders["left_rotation"]
    times = []
    for v in values:
        widget.GetRepresentation().SetValue(float(v))
        t0 = time.perf_counter()
        widget.InvokeEvent(vtkCommand.InteractionEvent)
        times.append(time.perf_counter() - t0)
    assert viewer.angles["left_rotation"] == float(values[-1])
    return np.array(times) * 1e3


def bare_render(values: np.ndarray, lighting: str) -> np.ndarray:
    """ms per move for a bare pyvista plotter with the same meshes, no anti-aliasing, lit by
    pyvista's default light kit or by one headlight."""
    import pyvista as pv
    from vtkmodules.vtkRenderingCore import vtkLight

    from pelvis3d.model import Pelvis
    from pelvis3d.render.backend import polydata

    anatomy = Pelvis().anatomy
    pl = pv.Plotter(
        off_screen=True, window_size=list(SIZE), lighting="light kit" if lighting == "light kit" else "none"
    )
    if lighting == "headlight":
        light = vtkLight()
        light.SetLightTypeToHeadlight()
        pl.renderer.AddLight(light)
    pl.ren_win.SetMultiSamples(0)
    actors = [
        pl.add_mesh(polydata(anatomy.vertices[b], anatomy.faces[b]), smooth_shading=True) for b in anatomy.vertices
    ]
    pl.show(auto_close=False)
    times = []
    for v in values:
        matrix = np.eye(4)
        c, s = np.cos(np.radians(v)), np.sin(np.radians(v))
        matrix[:2, :2] = [[c, -s], [s, c]]
        t0 = time.perf_counter()
        for actor in actors[1:]:
            actor.user_matrix = matrix
        pl.render()
        times.append(time.perf_counter() - t0)
    pl.close()
    return np.array(times) * 1e3


def old_drag_quality(viewer: Viewer) -> None:
    """The drag quality before issue 15's second pass (for the before/after rows): only
    multisampling and the ghost off; the light kit, insets and labels as at full quality."""
    viewer.plotter.ren_win.SetMultiSamples(0)
    for actor in viewer.scene.ghost_actors.values():
        actor.SetVisibility(False)


def main() -> None:
    values = np.concatenate([np.linspace(-3.0, 3.0, N), np.linspace(3.0, -3.0, N)])
    bare = bare_render(values, "light kit")
    bare_head = bare_render(values, "headlight")
    viewer = Viewer(size=SIZE, off_screen=True)
    viewer.plotter.show(auto_close=False)  # the first render: later renders are real
    old_drag_quality(viewer)
    before = per_update(viewer, values)
    viewer.plotter.ren_win.SetMultiSamples(viewer.drag.full_samples)
    for actor in viewer.scene.ghost_actors.values():
        actor.SetVisibility(True)
    viewer.begin_interaction()  # as the slider's StartInteractionEvent does
    dragging = per_update(viewer, values)
    viewer.end_interaction()
    still = per_update(viewer, values)
    viewer.plotter.render = lambda: None
    beyond = per_update(viewer, values)
    viewer.close()
    base = np.median(bare)
    load = os.getloadavg()[0]
    print(
        f"slider-to-picture latency at {SIZE[0]}x{SIZE[1]}, median of {len(values)} moves "
        f"(target: dragging <= 1.3x bare); load average {load:.2f} on {os.cpu_count()} cores"
    )
    rows = (
        ("bare pyvista render, no AA", bare),
        ("bare, one headlight, no AA", bare_head),
        ("viewer dragging, before", before),
        ("viewer dragging, now", dragging),
        ("viewer still (4x MSAA)", still),
    )
    for label, times in rows:
        print(f"  {label:29s}: {np.median(times):7.1f} ms  ({np.median(times) / base:.2f}x)")
    print(f"  {'beyond the render':29s}: {np.median(beyond):7.2f} ms")


if __name__ == "__main__":
    main()
