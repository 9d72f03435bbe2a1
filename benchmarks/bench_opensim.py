"""OpenSim benchmark: load the Hamner running trial, and render its 10 s as a 640x480 MP4 runner's
view, beside a bare pyvista loop that renders the same number of frames of the same bones and
leg meshes (user_matrix per frame, one render window) into an MP4.

The runner's view draws more per frame than the bare loop (two 3D panels, a time plot composed
with numpy), so the ratio says what that costs. Prints figures; asserts nothing.

    python benchmarks/bench_opensim.py [TRIAL.mot]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TRIAL = ROOT.parent / "shared" / "real-data" / "opensim-hamner-running" / "subject02_running_ik.mot"
QUICK = os.environ.get("PELVIS3D_BENCH_QUICK") == "1"
SIZE = (640, 480)
FPS = 30.0


def load(path: Path) -> tuple[float, object]:
    from pelvis3d.motions.opensim import motion_from_opensim

    t0 = time.perf_counter()
    motion = motion_from_opensim(path, coupling=0.03, face_forward=True)
    return time.perf_counter() - t0, motion


def bare_pyvista(path: Path, motion, frames: int) -> float:
    """The yardstick: the same meshes and world transforms, one plotter, imageio's MP4 writer."""
    import pyvista as pv

    import pelvis3d
    from pelvis3d.motions.exercises import body_meshes, exercise_transforms

    pelvis = pelvis3d.Pelvis()
    times = np.linspace(0.0, motion.duration, frames)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        worlds = [exercise_transforms(pelvis, motion.pose_at(float(t)), 5.0) for t in times]
    t0 = time.perf_counter()
    pl = pv.Plotter(off_screen=True, window_size=list(SIZE))
    actors = {}
    for body, (v, f) in body_meshes(pelvis).items():
        faces = np.hstack([np.full((len(f), 1), 3), f]).ravel()
        actors[body] = pl.add_mesh(pv.PolyData(v, faces), color="tan", smooth_shading=True)
    pl.view_zy()
    pl.open_movie(str(path), framerate=int(FPS), quality=7)
    for world in worlds:
        for body, actor in actors.items():
            actor.user_matrix = world[body]
        pl.write_frame()
    pl.close()
    return time.perf_counter() - t0


def with_pelvis3d(path: Path, trial: Path, frames: int) -> float:
    from pelvis3d.render.runner import render_runner

    t0 = time.perf_counter()
    render_runner(trial, path, fps=FPS, frames=frames, size=SIZE, progress=False)
    return time.perf_counter() - t0


def main() -> None:
    trial = Path(sys.argv[1]) if len(sys.argv) > 1 else TRIAL
    if not trial.is_file():
        print(f"no trial at {trial}; pass one: python benchmarks/bench_opensim.py TRIAL.mot")
        return
    load(trial)  # imports and scipy warm-up
    seconds, motion = min((load(trial) for _ in range(3)), key=lambda r: r[0])
    print(f"load {trial.name}: {len(motion.times)} samples, {motion.duration:.2f} s of motion: {seconds * 1e3:.0f} ms")
    frames = 30 if QUICK else int(round(motion.duration * FPS)) + 1
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bare = bare_pyvista(tmp / "bare.mp4", motion, frames)
        ours = with_pelvis3d(tmp / "runner.mp4", trial, frames)
    print(f"{frames} frames, {SIZE[0]}x{SIZE[1]} MP4 at {FPS:g} fps")
    print(f"  bare pyvista loop (body only)   {bare:6.1f} s  {bare / frames * 1e3:6.1f} ms/frame")
    print(
        f"  pelvis3d run (3 panels)         {ours:6.1f} s  {ours / frames * 1e3:6.1f} ms/frame  ratio {ours / bare:4.2f}"
    )


if __name__ == "__main__":
    main()
