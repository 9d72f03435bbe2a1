"""Pictures and animations of the exercises: the pelvis with its mannequin, the floor or wall,
the article's viewpoints, a coaching caption and a pelvis inset (top view, true and shown numbers).

Views are of the room, not of the pelvis: ``overhead`` looks down at the floor, ``side`` looks
from the working side (the clamshell's moving leg, the hinge's stance leg), so floor and wall
are seen edge-on or from behind the body and never hide it.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pelvis3d.body import BODY_KINDS, BODY_NAMES, BONES, body_meshes, posed_points
from pelvis3d.errors import PhysiologicalRangeWarning
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.exercises import exercise_transforms, floor_height, get_exercise, stance_side, support_plane
from pelvis3d.motions.motion import Motion
from pelvis3d.render.backend import import_pyvista, polydata, serialized
from pelvis3d.render.exercise_panel import caption_band, compose_panel
from pelvis3d.render.scene import PelvisScene
from pelvis3d.validation import check_fps, known_name

__all__ = [
    "EXERCISE_VIEWS",
    "posture_words",
    "ExerciseScene",
    "working_side",
    "figure_panels",
    "render_exercise",
    "render_exercise_figure",
    "caption_lines",
]

#: Neutral, cool grey for the mannequin (the warm bone colours stay the subject).
MANNEQUIN_COLOUR = "#c3cad3"
FEMUR_COLOUR = "#f3ecdc"
SOFT_OPACITY = 0.28
SUPPORT_COLOUR = "#d6dbe1"
#: Room views of an exercise picture.
EXERCISE_VIEWS = ("side", "overhead")


def working_side(pelvis: Pelvis, exercise: Motion) -> str:
    """The side the exercise works: the stance leg against a wall, else the leg that moves most."""
    side = stance_side(pelvis, exercise)
    if side is not None:
        return side
    key = exercise.pose_at(exercise.key_time if exercise.key_time is not None else exercise.duration / 2)
    moved = {s: sum(abs(v) for n, v in key.leg_angles().items() if n.endswith(f"_{s[0]}")) for s in ("left", "right")}
    return max(moved, key=moved.get)


def _no_posture(pose: Pose) -> Pose:
    """The pelvic ring alone: whole-pelvis posture and legs set to zero."""
    return Pose(**pose.pelvis_angles()).replace(pelvis_tilt=0.0, pelvis_obliquity=0.0, pelvis_rotation=0.0)


class ExerciseScene:
    """A :class:`~pelvis3d.render.scene.PelvisScene` with the mannequin and the floor or wall."""

    def __init__(
        self,
        exercise: Motion,
        pelvis: Pelvis | None = None,
        *,
        size=(800, 600),
        exaggeration: float = 5.0,
        overlays="none",
        plotter=None,
    ):
        pv = import_pyvista()
        self.exercise = exercise
        self.pelvis = pelvis or Pelvis()
        self.exaggeration = float(exaggeration)
        self.size = (int(size[0]), int(size[1]))
        self.scene = PelvisScene(self.pelvis, size=size, exaggeration=exaggeration, overlays=overlays, plotter=plotter)
        self.plotter = self.scene.plotter
        self.side = working_side(self.pelvis, exercise)
        meshes = body_meshes(self.pelvis)
        self.body_actors = {}
        for body in BODY_NAMES:
            if body in BONES:
                continue
            v, f = meshes[body]
            kind = BODY_KINDS[body]
            mesh = polydata(v, f).compute_normals(split_vertices=False)
            self.body_actors[body] = self.plotter.add_mesh(
                mesh,
                color=FEMUR_COLOUR if kind == "bone" else MANNEQUIN_COLOUR,
                opacity=SOFT_OPACITY if kind == "soft" else 1.0,
                smooth_shading=True,
                specular=0.15,
                name=body,
            )
        axis, value = support_plane(self.pelvis, exercise, exaggeration=self.exaggeration)
        self.support = (axis, value)
        self.floor = value if axis == "y" else floor_height(self.pelvis, exercise, self.exaggeration)
        pts = []
        for t in np.linspace(0.0, exercise.duration, 16):
            world = exercise_transforms(self.pelvis, exercise.pose_at(float(t)), self.exaggeration, exercise)
            for body, (v, _) in meshes.items():
                pts.append(posed_points(v[:: max(1, len(v) // 200)], world[body]))
        pts = np.vstack(pts)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        self.points = pts
        span = hi - lo
        floor = pv.Box(bounds=(lo[0] - 150, hi[0] + 150, self.floor - 20, self.floor, lo[2] - 150, hi[2] + 150))
        self.floor_actor = self.plotter.add_mesh(floor, color=SUPPORT_COLOUR, name="floor")
        self.wall_actor = None
        if axis == "x":
            wall_h = span[1] + 150
            wall = pv.Box(bounds=(value - 30, value, self.floor, self.floor + wall_h, lo[2] - 150, hi[2] + 150))
            self.wall_actor = self.plotter.add_mesh(wall, color="#c3cad3", name="wall")
            self.points = np.vstack([pts, [[value - 30, self.floor, (lo[2] + hi[2]) / 2]]])
        self.set_pose(exercise.pose_at(0.0))

    @property
    def leg_actors(self) -> dict:
        """The actors of the legs' bodies (femur, thigh, shank, foot per side)."""
        return {b: a for b, a in self.body_actors.items() if b.startswith(("left_", "right_")) and "arm" not in b}

    def set_pose(self, pose: Pose, *, direction=None) -> float:
        """Show one pose of the exercise (true angles; the scene's exaggeration applies to the ring,
        less where more would put bone through bone); returns the factor shown."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            shown = self.scene.set_pose(pose, direction=direction).exaggeration
            world = exercise_transforms(self.pelvis, pose, shown, self.exercise)
        for body in BONES:
            self.scene.actors[body].user_matrix = np.ascontiguousarray(world[body])
        for body, actor in self.body_actors.items():
            actor.user_matrix = np.ascontiguousarray(world[body])
        shift = world["sacrum"] @ np.linalg.inv(self.pelvis.transforms(pose.scaled(shown), world=True)["sacrum"])
        for actor in self.scene.ghost_actors.values():  # the neutral ring in the same place
            actor.user_matrix = np.ascontiguousarray(shift @ np.asarray(actor.user_matrix))
        colormap = self.scene.layer("colormap")
        for _, actor, body in getattr(colormap, "patches", {}).values():
            actor.user_matrix = np.ascontiguousarray(world[body])
        measure = self.scene.measure_actor
        if measure is not None:  # say where the body is, not the pelvis's posture angles
            lines = [ln for ln in measure.GetInput().splitlines() if not ln.startswith("whole pelvis:")]
            lines.append("body: " + posture_words(pose))
            measure.SetInput("\n".join(lines))
        return shown

    def set_view(self, view: str = "side") -> None:
        """Point the camera at the whole exercise from the room: ``side`` (from the working side)
        or ``overhead`` (looking down, head at the top)."""
        view = known_name(view, EXERCISE_VIEWS, "exercise view")
        if view == "overhead":
            direction, up = np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
        else:
            direction = np.array([0.0, 0.0, -1.0 if self.side == "left" else 1.0])
            up = np.array([0.0, 1.0, 0.0])
        right = np.cross(-direction, up)
        centre = (self.points.min(axis=0) + self.points.max(axis=0)) / 2
        rel = self.points - centre
        half_w, half_h = np.abs(rel @ right).max(), np.abs(rel @ up).max()
        scale = max(half_h, half_w * self.size[1] / self.size[0]) * 1.08
        cam = self.plotter.camera
        cam.focal_point = tuple(centre)
        cam.position = tuple(centre + direction * 4000.0)
        cam.up = tuple(up)
        cam.parallel_projection = True
        cam.parallel_scale = scale
        cam.clipping_range = (1000.0, 7000.0)
        self.view = view

    def key_time(self) -> float:
        """The time (s) of the key position (the middle when the exercise names none)."""
        return self.exercise.key_time if self.exercise.key_time is not None else self.exercise.duration / 2

    def screenshot(self):
        return self.scene.screenshot()

    def close(self) -> None:
        self.scene.close()


def posture_words(pose: Pose) -> str:
    """The body's posture in words (lying face down, hinged forward 50 deg, turned right ...)."""
    tilt, turn, oblique = pose.pelvis_tilt, pose.pelvis_rotation, pose.pelvis_obliquity
    words = []
    if tilt >= 75.0:
        words.append("lying face down")
    elif tilt <= -75.0:
        words.append("lying on the back")
    elif abs(tilt) >= 1.0:
        words.append(f"hinged {'forward' if tilt > 0 else 'back'} {abs(tilt):.0f}\N{DEGREE SIGN}")
    else:
        words.append("upright")
    if abs(turn) >= 1.0:
        words.append(f"pelvis turned {'left' if turn > 0 else 'right'} {abs(turn):.0f}\N{DEGREE SIGN}")
    if abs(oblique) >= 1.0:
        words.append(f"{'right' if oblique > 0 else 'left'} side raised {abs(oblique):.0f}\N{DEGREE SIGN}")
    return ", ".join(words)


class _Inset:
    """The pelvic ring from above (its own frame, posture removed) with true and shown numbers."""

    def __init__(self, pelvis: Pelvis, height: int, exaggeration: float):
        self.scene = PelvisScene(
            pelvis, size=(int(height * 0.8), height), exaggeration=exaggeration, overlays="measurements,orientation"
        )
        self.scene.set_view("top")

    def render(self, pose: Pose) -> tuple[np.ndarray, float]:
        """The inset's picture and the factor it shows (less than asked where more would overlap)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            posed = self.scene.set_pose(_no_posture(pose))
        return self.scene.screenshot()[..., :3], posed.exaggeration

    def close(self) -> None:
        self.scene.close()


def caption_lines(ex: Motion, t: float, exaggeration: float, body: float, inset: float) -> list[tuple[str, str]]:
    """The caption of an exercise frame at ``t`` (s) as ``(style, text)`` lines: the exercise,
    its phase, its note and what is exaggerated: the ring on the body at ``body`` and in the
    pelvis inset at ``inset`` (each ``exaggeration`` or less, where more would overlap)."""
    name, _, promotes = ex.description.partition(":")
    lines = [("title", name.strip()), ("phase", ex.label_at(t) or " ")]
    if ";" in promotes:
        lines.append(("note", promotes.split(";", 1)[1].strip()))
    coupling = (
        ""
        if ex.coupling is None
        else f"assumed coupling {ex.coupling:g} deg of pelvic rotation per deg of hip rotation; "
    )
    shown = f"pelvic ring shown x{body:g}" + (" - more would overlap" if body < exaggeration else "")
    inset_words = "" if inset == body else f"x{inset:g}{', more would overlap' if inset < exaggeration else ''}; "
    lines.append(("warn", f"{coupling}{shown} (inset: {inset_words}true and shown numbers)"))
    return lines


def _frame(scene: ExerciseScene, inset: _Inset, ex: Motion, t: float, exaggeration: float) -> np.ndarray:
    pose = ex.pose_at(float(t))
    on_body = scene.set_pose(pose)
    body = scene.screenshot()[..., :3]
    side, in_inset = inset.render(pose)
    scale = max(0.8, body.shape[0] / 600)
    words = caption_lines(ex, float(t), exaggeration, on_body, in_inset)
    cap = caption_band(body.shape[1] + side.shape[1], words, scale)
    return compose_panel(cap, body, side)


@serialized
def render_exercise(
    exercise: Motion | str,
    path: str | os.PathLike[str],
    *,
    frames: int = 60,
    fps: float = 20.0,
    size: Sequence[int] = (800, 600),
    view: str = "side",
    exaggeration: float = 5.0,
    coupling: float | None = None,
    overlays="none",
    progress: bool | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Render an exercise to a GIF or MP4 (streamed, atomic): the body from ``view`` (``side`` or
    ``overhead``), the pelvis inset to its right, the phase caption above."""
    from tqdm import tqdm

    from pelvis3d.render.writers import write_gif, write_mp4

    out = check_output_path(path, (".gif", ".mp4"))
    fps = check_fps(fps)
    ex = get_exercise(exercise, coupling)
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    times = ex.sample_times(frames)
    scene = ExerciseScene(ex, model, size=size, exaggeration=exaggeration, overlays=overlays)
    scene.set_view(view)
    inset = _Inset(model, int(size[1]), exaggeration)

    def stream():
        for t in times:
            yield _frame(scene, inset, ex, float(t), exaggeration)

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
        inset.close()
    return out


def figure_panels(ex: Motion) -> list[tuple[str, float]]:
    """The article's viewpoints of an exercise: ``(view, time)`` per panel. A floor exercise: the
    start position (the first labelled phase after lying down) and the key position, from
    overhead and from the side; a wall exercise: start and key position from the side."""
    key = ex.key_time if ex.key_time is not None else ex.duration / 2
    if ex.support == "floor":
        start = next((k.time for k in ex.keyframes if 0.0 < k.time < key), 0.0)
        return [("overhead", start), ("overhead", key), ("side", start), ("side", key)]
    return [("side", 0.0), ("side", key)]


@serialized
def render_exercise_figure(
    exercise: Motion | str,
    path: str | os.PathLike[str],
    *,
    panel_size: Sequence[int] = (800, 600),
    exaggeration: float = 5.0,
    coupling: float | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """The article's viewpoints of an exercise (:func:`figure_panels`) in one PNG: two panels per
    row, each with its caption and pelvis inset."""
    from pelvis3d.render.writers import save_png

    out = check_output_path(path, (".png",))
    ex = get_exercise(exercise, coupling)
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    scene = ExerciseScene(ex, model, size=panel_size, exaggeration=exaggeration)
    inset = _Inset(model, int(panel_size[1]), exaggeration)
    panels = []
    try:
        for view, t in figure_panels(ex):
            scene.set_view(view)
            panels.append(_frame(scene, inset, ex, t, exaggeration))
    finally:
        scene.close()
        inset.close()
    rows = [np.concatenate(panels[i : i + 2], axis=1) for i in range(0, len(panels), 2)]
    save_png(out, np.concatenate(rows, axis=0))
    return out
