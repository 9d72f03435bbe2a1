"""Render benchmark: a 60-frame 640x480 ER-IR cycle GIF with pelvis3d, against a bare
pyvista loop that renders the same three meshes at the same size into a GIF.

Targets (issue 3): pelvis3d / bare <= 1.10 with overlays off, <= 1.30 with all overlays on.
Prints figures; asserts nothing.

    python benchmarks/bench_render.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402
import pyvista as pv  # noqa: E402

import pelvis3d  # noqa: E402
from pelvis3d.motions.motion import get_motion  # noqa: E402

QUICK = os.environ.get("PELVIS3D_BENCH_QUICK") == "1"
FRAMES = 12 if QUICK else 60
SIZE = (640, 480)


def bare_pyvista(path: Path, pelvis: pelvis3d.Pelvis) -> float:
    """The yardstick: three meshes, user_matrix per frame, plotter.write_frame into a GIF."""
    motion = get_motion("er-ir-cycle")
    transforms = [pelvis.transforms(motion.pose_at(t).scaled(5)) for t in motion.sample_times(FRAMES)]
    t0 = time.perf_counter()
    pl = pv.Plotter(off_screen=True, window_size=list(SIZE))
    actors = {}
    for body in ("sacrum", "left_innominate", "right_innominate"):
        mesh = pv.wrap(pelvis.anatomy.trimesh(body))
        actors[body] = pl.add_mesh(mesh, color="tan", smooth_shading=True)
    pl.view_xz()
    pl.open_gif(str(path), fps=20)
    for t in transforms:
        for body, actor in actors.items():
            actor.user_matrix = t[body]
        pl.write_frame()
    pl.close()
    return time.perf_counter() - t0


def with_pelvis3d(path: Path, pelvis: pelvis3d.Pelvis, overlays: str) -> float:
    t0 = time.perf_counter()
    pelvis3d.render_animation(
        "er-ir-cycle", path, frames=FRAMES, size=SIZE, overlays=overlays, progress=False, pelvis=pelvis
    )
    return time.perf_counter() - t0


def main() -> None:
    pelvis = pelvis3d.Pelvis()
    triangles = sum(len(f) for f in pelvis.anatomy.faces.values())
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bare_pyvista(tmp / "warm.gif", pelvis)  # warm up OpenGL and imports
        rows = []
        for label, fn in (
            ("bare pyvista", lambda: bare_pyvista(tmp / "bare.gif", pelvis)),
            ("pelvis3d, overlays off", lambda: with_pelvis3d(tmp / "off.gif", pelvis, "none")),
            ("pelvis3d, all overlays", lambda: with_pelvis3d(tmp / "all.gif", pelvis, "all")),
        ):
            rows.append((label, min(fn() for _ in range(2))))
    bare = rows[0][1]
    print(f"{FRAMES} frames, {SIZE[0]}x{SIZE[1]}, {triangles} triangles, GIF (best of 2 runs)")
    for label, secs in rows:
        print(f"  {label:24s} {secs:6.2f} s  {secs / FRAMES * 1e3:6.1f} ms/frame  ratio {secs / bare:4.2f}")
    print("targets: overlays off <= 1.10, all overlays <= 1.30")
    # per-frame Python work beyond the render, for the same poses
    scene = pelvis3d.PelvisScene(pelvis, size=SIZE, overlays="all")
    motion = get_motion("er-ir-cycle")
    times = motion.sample_times(FRAMES)
    t0 = time.perf_counter()
    for t in times:
        scene.set_pose(motion.pose_at(float(t)), direction=motion.direction_at(float(t)))
    per = (time.perf_counter() - t0) / len(times) * 1e3
    scene.close()
    print(f"scene.set_pose (all overlays, no render): {per:.2f} ms/frame")
    _ = np


if __name__ == "__main__":
    main()
