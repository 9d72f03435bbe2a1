"""Pictures and animations of the exercises: the pelvis scene plus legs and a floor or wall."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pelvis3d.errors import PhysiologicalRangeWarning
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.exercises import body_meshes, exercise_transforms, get_exercise, support_plane
from pelvis3d.motions.motion import Motion
from pelvis3d.render.backend import import_pyvista, polydata
from pelvis3d.render.scene import PelvisScene

__all__ = ["ExerciseScene", "render_exercise", "render_exercise_figure"]

LEG_COLOUR = "#e7e0d2"
LEG_SEGMENT_NAMES = ("left_femur", "left_shank", "right_femur", "right_shank")


class ExerciseScene:
    """A :class:`~pelvis3d.render.scene.PelvisScene` with legs and the exercise's floor or wall."""

    def __init__(
        self,
        exercise: Motion,
        pelvis: Pelvis | None = None,
        *,
        size=(800, 600),
        exaggeration: float = 5.0,
        overlays="all",
        plotter=None,
    ):
        pv = import_pyvista()
        self.exercise = exercise
        self.pelvis = pelvis or Pelvis()
        self.exaggeration = float(exaggeration)
        self.scene = PelvisScene(self.pelvis, size=size, exaggeration=exaggeration, overlays=overlays, plotter=plotter)
        self.plotter = self.scene.plotter
        meshes = body_meshes(self.pelvis)
        self.leg_actors = {}
        for segment in LEG_SEGMENT_NAMES:
            v, f = meshes[segment]
            mesh = polydata(v, f).compute_normals(split_vertices=False)
            self.leg_actors[segment] = self.plotter.add_mesh(
                mesh, color=LEG_COLOUR, smooth_shading=True, specular=0.2, name=segment
            )
        axis, value = support_plane(self.pelvis, exercise, exaggeration=self.exaggeration)
        self.support = (axis, value)
        # frame the camera on everything the exercise reaches
        pts = []
        for t in np.linspace(0.0, exercise.duration, 12):
            world = exercise_transforms(self.pelvis, exercise.pose_at(float(t)), self.exaggeration)
            for body, (v, _) in meshes.items():
                m = world[body]
                pts.append((v[:: max(1, len(v) // 300)]) @ m[:3, :3].T + m[:3, 3])
        pts = np.vstack(pts)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        size_ = hi - lo
        if axis == "y":
            centre = [(lo[0] + hi[0]) / 2, value, (lo[2] + hi[2]) / 2]
            plane = pv.Plane(center=centre, direction=(0, 1, 0), i_size=size_[0] * 1.4, j_size=size_[2] * 1.4)
        else:
            centre = [value, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2]
            plane = pv.Plane(center=centre, direction=(1, 0, 0), i_size=size_[1] * 1.3, j_size=size_[2] * 1.4)
        self.support_actor = self.plotter.add_mesh(plane, color="#cbd5e1", opacity=0.55, name="support")
        self.scene.frame_on(pts)
        self.set_pose(exercise.pose_at(0.0))

    def set_pose(self, pose: Pose, *, direction=None) -> None:
        """Show one pose of the exercise (true angles; the scene's exaggeration applies to the ring)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            self.scene.set_pose(pose, direction=direction)
        world = exercise_transforms(self.pelvis, pose, self.exaggeration)
        for segment, actor in self.leg_actors.items():
            actor.user_matrix = np.ascontiguousarray(world[segment])

    def set_view(self, view: str, anatomical: bool = True) -> None:
        """A view preset; ``anatomical`` turns it with the pelvis's posture in the key position
        (so ``top`` is the pelvis's superior view even when the body lies prone)."""
        turn = None
        if anatomical:
            key = self.exercise.pose_at(self.key_time())
            turn = self.pelvis.transforms(_posture(key), world=True)["sacrum"][:3, :3]
        self.scene.set_view(view, turn=turn)

    def key_time(self) -> float:
        """The time (s) of the key position (the middle when the exercise names none)."""
        return self.exercise.key_time if self.exercise.key_time is not None else self.exercise.duration / 2

    def screenshot(self):
        return self.scene.screenshot()

    def close(self) -> None:
        self.scene.close()


def _posture(pose: Pose) -> Pose:
    """Only the whole-pelvis posture of a pose."""
    return Pose(
        pelvis_tilt=pose.pelvis_tilt, pelvis_obliquity=pose.pelvis_obliquity, pelvis_rotation=pose.pelvis_rotation
    )


def render_exercise(
    exercise: Motion | str,
    path: str | os.PathLike[str],
    *,
    frames: int = 60,
    fps: float = 20.0,
    size: Sequence[int] = (800, 600),
    view: str = "oblique",
    exaggeration: float = 5.0,
    coupling: float | None = None,
    overlays="all",
    progress: bool | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Render an exercise to a GIF or MP4 (streamed, atomic)."""
    from tqdm import tqdm

    from pelvis3d.render.writers import write_gif, write_mp4

    out = check_output_path(path, (".gif", ".mp4"))
    ex = get_exercise(exercise, coupling)
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    times = ex.sample_times(frames)
    scene = ExerciseScene(ex, model, size=size, exaggeration=exaggeration, overlays=overlays)
    scene.set_view(view, anatomical=False)
    scene.scene.set_title(ex.description.split(":")[0])

    def stream():
        for t in times:
            scene.set_pose(ex.pose_at(float(t)))
            yield scene.screenshot()[..., :3]

    frames_iter = stream()
    first = next(frames_iter)
    bar = tqdm(
        total=len(times),
        unit="frame",
        desc=out.name,
        disable=not (sys.stderr.isatty() if progress is None else progress),
        leave=False,
    )
    try:
        with atomic_path(out) as tmp:
            (write_gif if out.suffix.lower() == ".gif" else write_mp4)(tmp, first, frames_iter, fps, bar)
    finally:
        bar.close()
        scene.close()
    return out


def render_exercise_figure(
    exercise: Motion | str,
    path: str | os.PathLike[str],
    *,
    panel_size: Sequence[int] = (800, 600),
    exaggeration: float = 5.0,
    coupling: float | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """The key position from the pelvis's top and rear, side by side in one PNG."""
    from pelvis3d.render.writers import save_png

    out = check_output_path(path, (".png",))
    ex = get_exercise(exercise, coupling)
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    scene = ExerciseScene(ex, model, size=panel_size, exaggeration=exaggeration)
    images = []
    try:
        scene.set_pose(ex.pose_at(scene.key_time()))
        for view, title in (("top", "top (superior) view"), ("rear", "rear (posterior) view")):
            scene.set_view(view)
            scene.scene.set_title(f"{ex.description.split(':')[0]} - key position, {title}")
            images.append(scene.screenshot()[..., :3])
    finally:
        scene.close()
    save_png(out, np.concatenate(images, axis=1))
    return out
