"""The article's two exercises: simplified femurs with ball-joint hips, a floor or a wall.

Hip angles are degrees relative to the innominate (the femur moves with its hip bone):
``flexion`` (+ knee forward), ``abduction`` (+ knee out to the side), ``rotation``
(+ external: the front of the knee turns out), applied in that order about the hip centre.

* **Extreme Clamshell** (``clamshell``, left side): prone; the left leg slides into a
  frog-leg (hip flexion + abduction + external rotation), then the knee lifts toward the
  ceiling (more external rotation and abduction). The left innominate rotates externally with
  the hip: ``coupling`` degrees of innominate rotation per degree of hip external rotation
  (default 0.03: 1.5 deg of pelvic external rotation at 50 deg of hip rotation; settable).
* **Wall Tap Hip Hinge** (``wall-tap-hip-hinge``, right stance): standing on the right leg,
  the pelvis hinges back toward the wall (anterior tilt) while the left side reaches forward
  (pelvis rotation); the right innominate rotates internally (``coupling`` degrees per degree
  of hinge, default 0.03) and the right femur stays upright.

The floor (clamshell) or wall (hip hinge) is placed at the farthest reach of the bones over
the whole motion, so no bone passes through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import LimitError, PoseError
from pelvis3d.kinematics import DOF_NAMES, Pose, axis_angle_transform
from pelvis3d.model import Pelvis
from pelvis3d.validation import known_name, real_number

__all__ = [
    "HipAngles",
    "ExerciseFrame",
    "Exercise",
    "EXERCISES",
    "get_exercise",
    "femur_mesh",
    "exercise_transforms",
    "FEMURS",
]

FEMURS = ("left_femur", "right_femur")
_HIP_LIMITS = {"flexion": (-30.0, 130.0), "abduction": (-30.0, 70.0), "rotation": (-60.0, 70.0)}


@dataclass(frozen=True)
class HipAngles:
    """Hip flexion, abduction and external rotation, degrees."""

    flexion: float = 0.0
    abduction: float = 0.0
    rotation: float = 0.0

    def __post_init__(self) -> None:
        for name, (lo, hi) in _HIP_LIMITS.items():
            v = real_number(getattr(self, name), f"hip {name}")
            if not lo <= v <= hi:
                raise LimitError(f"hip {name}={v:g} deg is beyond the allowed range [{lo:g}, {hi:g}] deg")


@dataclass(frozen=True)
class ExerciseFrame:
    """A pelvis pose and both hips' angles."""

    pose: Pose
    hips: Mapping[str, HipAngles] = field(default_factory=lambda: {"left": HipAngles(), "right": HipAngles()})


def _lerp(a: float, b: float, u: float) -> float:
    return a + (b - a) * u


@dataclass(frozen=True)
class Exercise:
    """Keyframed exercise frames (time s, frame), eased, with the key position's time."""

    name: str
    keyframes: tuple[tuple[float, ExerciseFrame], ...]
    description: str
    key_time: float
    support: str  # "floor" or "wall"
    coupling: float

    @property
    def duration(self) -> float:
        return float(self.keyframes[-1][0])

    def frame_at(self, t: float) -> ExerciseFrame:
        """The frame at time ``t`` (s), eased (cosine) between keyframes."""
        t = min(max(float(t), 0.0), self.duration)
        for (ta, fa), (tb, fb) in zip(self.keyframes, self.keyframes[1:], strict=False):
            if ta <= t <= tb:
                u = 0.5 - 0.5 * np.cos(np.pi * (t - ta) / (tb - ta))
                pa, pb = fa.pose.as_dict(), fb.pose.as_dict()
                pose = Pose(**{n: _lerp(pa[n], pb[n], u) for n in DOF_NAMES})
                hips = {
                    s: HipAngles(
                        *(
                            _lerp(getattr(fa.hips[s], k), getattr(fb.hips[s], k), u)
                            for k in ("flexion", "abduction", "rotation")
                        )
                    )
                    for s in ("left", "right")
                }
                return ExerciseFrame(pose, hips)
        return self.keyframes[-1][1]

    def sample_times(self, frames: int) -> NDArray[np.float64]:
        """Evenly spaced times over one loop (end left out: it equals the start)."""
        if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 2:
            raise PoseError(f"frames must be a whole number >= 2, got {frames!r}")
        return np.linspace(0.0, self.duration, int(frames), endpoint=False)


def _clamshell(coupling: float) -> Exercise:
    prone = {"pelvis_tilt": 90.0}  # the front of the pelvis faces the floor
    start = ExerciseFrame(Pose(**prone), {"left": HipAngles(), "right": HipAngles()})
    frog = HipAngles(flexion=70.0, abduction=40.0, rotation=35.0)
    lift = HipAngles(flexion=75.0, abduction=50.0, rotation=55.0)
    key = ExerciseFrame(Pose(**prone, left_rotation=coupling * lift.rotation), {"left": lift, "right": HipAngles()})
    frames = (
        (0.0, start),
        (
            1.5,
            ExerciseFrame(Pose(**prone, left_rotation=coupling * frog.rotation), {"left": frog, "right": HipAngles()}),
        ),
        (2.5, key),
        (3.5, key),
        (
            4.5,
            ExerciseFrame(Pose(**prone, left_rotation=coupling * frog.rotation), {"left": frog, "right": HipAngles()}),
        ),
        (6.0, start),
    )
    text = "Extreme Clamshell (left): prone frog-leg, knee lifts; the left innominate rotates externally"
    return Exercise("clamshell", frames, text, key_time=3.0, support="floor", coupling=coupling)


def _hip_hinge(coupling: float) -> Exercise:
    hinge = 35.0
    stand = ExerciseFrame(Pose(), {"left": HipAngles(flexion=10.0), "right": HipAngles()})
    key = ExerciseFrame(
        Pose(pelvis_tilt=hinge, pelvis_rotation=-15.0, right_rotation=-coupling * hinge),
        {"left": HipAngles(flexion=hinge + 15.0), "right": HipAngles(flexion=hinge, rotation=-8.0)},
    )
    frames = ((0.0, stand), (1.5, key), (2.5, key), (4.0, stand))
    text = "Wall Tap Hip Hinge (right stance): hinge back to the wall; the right innominate rotates internally"
    return Exercise("wall-tap-hip-hinge", frames, text, key_time=2.0, support="wall", coupling=coupling)


#: The article's exercises (default coupling).
EXERCISES: Mapping[str, Exercise] = {"clamshell": _clamshell(0.03), "wall-tap-hip-hinge": _hip_hinge(0.03)}


def get_exercise(name: str, coupling: float | None = None) -> Exercise:
    """An exercise by name, optionally with another innominate/hip coupling (deg per deg)."""
    known_name(name, EXERCISES, "exercise")
    if coupling is None:
        return EXERCISES[name]
    c = real_number(coupling, "coupling")
    if not 0.0 <= c <= 0.1:
        raise PoseError(
            f"coupling={c:g} is outside the allowed range [0, 0.1] (deg of innominate rotation per deg of hip motion)"
        )
    return _clamshell(c) if name == "clamshell" else _hip_hinge(c)


def femur_mesh(side: str, hip_centre: NDArray[np.float64], head_radius_mm: float = 23.0, length_mm: float = 430.0):
    """A simplified femur (trimesh, mm, pelvis frame at neutral) hanging from ``hip_centre``."""
    import trimesh

    lateral = -1.0 if side == "left" else 1.0
    h = np.asarray(hip_centre, float)
    neck_end = h + np.array([0.0, -32.0, lateral * 38.0])
    knee = h + np.array([5.0, -length_mm, lateral * 12.0])
    parts = [trimesh.creation.icosphere(subdivisions=3, radius=head_radius_mm).apply_translation(h)]

    def capsule(a, b, r):
        a, b = np.asarray(a, float), np.asarray(b, float)
        d = b - a
        cap = trimesh.creation.capsule(height=float(np.linalg.norm(d)), radius=r, count=[24, 12])
        cap.apply_translation([0, 0, np.linalg.norm(d) / 2])  # base at the origin, along +z
        z = d / np.linalg.norm(d)
        rot = trimesh.geometry.align_vectors([0, 0, 1], z)
        cap.apply_transform(rot)
        return cap.apply_translation(a)

    parts.append(capsule(h, neck_end, 14.0))  # neck
    parts.append(capsule(neck_end + [0, 8, lateral * 6], neck_end + [0, -20, lateral * 4], 17.0))  # greater trochanter
    parts.append(capsule(neck_end, knee + [0, 25, 0], 14.0))  # shaft
    for dz in (-20.0, 20.0):  # condyles
        parts.append(trimesh.creation.icosphere(subdivisions=2, radius=22.0).apply_translation(knee + [0, 0, dz]))
    return trimesh.util.concatenate(parts)


def hip_transform(pelvis: Pelvis, side: str, angles: HipAngles) -> NDArray[np.float64]:
    """``T_innominate_femur``: the femur's motion at the hip, about the hip centre (mm)."""
    centre = np.asarray(pelvis.landmarks[f"{side}_hip_centre"], float)
    s = 1.0 if side == "left" else -1.0
    return (
        axis_angle_transform(np.array([0.0, 0.0, 1.0]), angles.flexion, centre)
        @ axis_angle_transform(np.array([s, 0.0, 0.0]), angles.abduction, centre)
        @ axis_angle_transform(np.array([0.0, s, 0.0]), angles.rotation, centre)
    )


def exercise_transforms(
    pelvis: Pelvis, frame: ExerciseFrame, exaggeration: float = 1.0
) -> dict[str, NDArray[np.float64]]:
    """World transforms of the three bones and both femurs for one frame.

    Whole-pelvis posture is not a joint angle, so it is not limit-checked here; the pelvic-ring
    angles are checked against the hard limits.
    """
    for name, value in frame.pose.as_dict().items():
        if name.startswith("pelvis"):
            continue
        lo, hi = pelvis.dofs[name].hard_deg
        if not lo <= value <= hi:
            raise LimitError(f"{name}={value:g} deg is beyond the hard limit [{lo:g}, {hi:g}] deg")
    world = pelvis.transforms(frame.pose.scaled(exaggeration), world=True)
    for side in ("left", "right"):
        world[f"{side}_femur"] = world[f"{side}_innominate"] @ hip_transform(pelvis, side, frame.hips[side])
    return world


def support_plane(
    pelvis: Pelvis, exercise: Exercise, samples: int = 48, exaggeration: float = 1.0
) -> tuple[str, float]:
    """Where the floor (``("y", height)``) or wall (``("x", position)``) goes: at the bones'
    farthest reach over the whole exercise, 1 mm clear, in world millimetres."""
    meshes = _all_meshes(pelvis)
    axis = 1 if exercise.support == "floor" else 0
    reach = np.inf
    for t in np.linspace(0.0, exercise.duration, samples):
        world = exercise_transforms(pelvis, exercise.frame_at(float(t)), exaggeration)
        for body, (v, _) in meshes.items():
            m = world[body]
            reach = min(reach, float((v @ m[:3, :3].T + m[:3, 3])[:, axis].min()))
    return ("y" if axis == 1 else "x"), reach - 1.0


def _all_meshes(pelvis: Pelvis) -> dict[str, tuple[NDArray, NDArray]]:
    out = {
        b: (np.asarray(pelvis.anatomy.vertices[b]), np.asarray(pelvis.anatomy.faces[b]))
        for b in ("sacrum", "left_innominate", "right_innominate")
    }
    for side in ("left", "right"):
        m = femur_mesh(side, pelvis.landmarks[f"{side}_hip_centre"])
        out[f"{side}_femur"] = (np.asarray(m.vertices), np.asarray(m.faces))
    return out
