"""The article's two exercises, as motions: keyframes of the pelvis, the hips and the knees, with
the floor or wall the body uses.

An exercise is an ordinary :class:`~pelvis3d.motions.motion.Motion` whose poses carry leg
angles (OpenSim's names and signs, :mod:`pelvis3d.legs`) and whose ``support`` says where the
floor or wall goes; it plays, saves and loads like any motion, so a user can write their own
exercise file (see ``Motion.save``). Whole-body placement is the pelvis's posture
(``pelvis_tilt=90``: lying face down).

* **Extreme Clamshell** (``clamshell``, left side): prone; the left leg slides into a frog-leg
  (hip flexion, abduction = negative ``hip_adduction_l``, external rotation = negative
  ``hip_rotation_l``, knee bent), then the knee lifts toward the ceiling and holds 5 s.
* **Wall Tap Hip Hinge** (``wall-tap-hip-hinge``, right stance): standing on the right leg,
  the pelvis hinges forward over the stance hip (anterior tilt) and turns, so the right buttock
  reaches back to the wall.

**Coupling (assumed).** The innominate rotates with the hip: ``coupling`` degrees of innominate
external rotation per degree of hip external rotation (clamshell), or of internal rotation per
degree of hip flexion of the stance side (hinge). No published study measures innominate
out-/in-flare against hip rotation in these exercises, so the default 0.03 deg/deg (1.35 deg at
45 deg of hip rotation, inside the radiostereometric SI range of Kibsgard et al. 2012) is an
assumption, and pictures say so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import LimitError, PoseError
from pelvis3d.kinematics import SI_DOF_NAMES, Pose
from pelvis3d.legs import knee_centres, leg_meshes, leg_transforms
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Keyframe, Motion
from pelvis3d.validation import known_name, real_number

__all__ = [
    "DEFAULT_COUPLING",
    "EXERCISES",
    "get_exercise",
    "clamshell",
    "wall_tap_hip_hinge",
    "exercise_transforms",
    "body_meshes",
    "support_plane",
]

#: Degrees of innominate rotation per degree of hip motion (assumed; see the module docstring).
DEFAULT_COUPLING = 0.03
#: The allowed coupling (deg per deg).
COUPLING_RANGE = (0.0, 0.1)


def _check_coupling(coupling: float) -> float:
    c = real_number(coupling, "coupling")
    lo, hi = COUPLING_RANGE
    if not lo <= c <= hi:
        raise PoseError(
            f"coupling={c:g} is outside the allowed range [{lo:g}, {hi:g}] "
            "(deg of innominate rotation per deg of hip motion)"
        )
    return c


def clamshell(coupling: float = DEFAULT_COUPLING) -> Motion:
    """The Extreme Clamshell (left side), prone, with its 5 s hold at the top."""
    c = _check_coupling(coupling)
    prone = {"pelvis_tilt": 90.0}  # the front of the pelvis faces the floor

    def pose(flexion: float, abduction: float, external: float, knee: float) -> Pose:
        return Pose(
            **prone,
            hip_flexion_l=flexion,
            hip_adduction_l=-abduction,
            hip_rotation_l=-external,
            knee_angle_l=-knee,
            left_rotation=c * external,  # the innominate follows the hip into external rotation
        )

    start = pose(0.0, 0.0, 0.0, 0.0)
    frog = pose(70.0, 35.0, 30.0, 95.0)
    lift = pose(75.0, 45.0, 45.0, 95.0)
    frames = (
        Keyframe(0.0, start, label="lie face down"),
        Keyframe(1.5, frog, label="slide the left leg out: frog-leg"),
        Keyframe(2.5, lift, "hold", label="lift the knee toward the ceiling, hold 5 s"),
        Keyframe(7.5, lift, label="lower the knee"),
        Keyframe(8.5, frog, label="slide the leg back"),
        Keyframe(10.0, start),
    )
    return Motion(
        "clamshell",
        frames,
        "Extreme Clamshell (left): prone frog-leg, the knee lifts; promotes left pelvic external rotation",
        loop=True,
        support="floor",
        key_time=5.0,
        coupling=c,
    )


def wall_tap_hip_hinge(coupling: float = DEFAULT_COUPLING) -> Motion:
    """The Wall Tap Hip Hinge (right stance): hinge back until the right buttock taps the wall."""
    c = _check_coupling(coupling)
    hinge = 35.0

    def pose(h: float, turn: float) -> Pose:
        return Pose(
            pelvis_tilt=h,
            pelvis_rotation=-turn,  # the front turns right: the right buttock leads back
            hip_flexion_r=h,  # the stance thigh stays upright while the pelvis tilts over it
            hip_rotation_r=turn * 0.5,  # the pelvis turning over the planted femur: hip internal rotation
            hip_flexion_l=h + 10.0,
            knee_angle_l=-20.0,
            knee_angle_r=-10.0 * h / hinge,
            right_rotation=-c * h,  # the stance innominate follows the hinge into internal rotation
        )

    stand = pose(0.0, 0.0)
    tap = pose(hinge, 15.0)
    frames = (
        Keyframe(0.0, stand, label="stand on the right leg, a foot from the wall"),
        Keyframe(1.5, tap, "hold", label="hinge back: only the right buttock touches the wall"),
        Keyframe(2.5, tap, label="stand tall again"),
        Keyframe(4.0, stand),
    )
    return Motion(
        "wall-tap-hip-hinge",
        frames,
        "Wall Tap Hip Hinge (right stance): hinge back to the wall; promotes right pelvic internal rotation",
        loop=True,
        support="wall",
        key_time=2.0,
        coupling=c,
    )


_BUILDERS = {"clamshell": clamshell, "wall-tap-hip-hinge": wall_tap_hip_hinge}
#: The article's exercises (default, assumed coupling).
EXERCISES: Mapping[str, Motion] = {name: build() for name, build in _BUILDERS.items()}


def get_exercise(exercise: Motion | str, coupling: float | None = None) -> Motion:
    """An exercise by name (optionally with another coupling, deg per deg), an exercise file
    (``.toml``/``.json`` with a ``support``), or an exercise motion as given."""
    if isinstance(exercise, Motion):
        motion = exercise
    elif isinstance(exercise, str) and exercise.lower().endswith((".toml", ".json")):
        motion = Motion.load(exercise)
    else:
        name = known_name(exercise, EXERCISES, "exercise")
        return EXERCISES[name] if coupling is None else _BUILDERS[name](coupling)
    if not motion.is_exercise:
        raise PoseError(f"motion {motion.name!r} is not an exercise: it needs a 'support' (floor or wall)")
    return motion


def body_meshes(pelvis: Pelvis) -> dict[str, tuple[NDArray, NDArray]]:
    """Neutral ``(vertices, faces)`` (mm) of the three bones and both legs' segments."""
    out = {
        b: (np.asarray(pelvis.anatomy.vertices[b]), np.asarray(pelvis.anatomy.faces[b]))
        for b in ("sacrum", "left_innominate", "right_innominate")
    }
    out.update(leg_meshes(_hip_centres(pelvis)))
    return out


def _hip_centres(pelvis: Pelvis) -> dict[str, NDArray]:
    return {side: np.asarray(pelvis.landmarks[f"{side}_hip_centre"], float) for side in ("left", "right")}


def exercise_transforms(pelvis: Pelvis, pose: Pose, exaggeration: float = 1.0) -> dict[str, NDArray[np.float64]]:
    """World transforms of the three bones and the legs' segments for one pose.

    The pelvic-ring angles are checked against the model's hard limits and shown
    x``exaggeration``; the leg angles are checked against :mod:`pelvis3d.legs`' ranges.
    """
    for name in SI_DOF_NAMES:  # whole-pelvis posture places the body: not a joint angle
        lo, hi = pelvis.dofs[name].hard_deg
        value = getattr(pose, name)
        if not lo <= value <= hi:
            raise LimitError(f"{name}={value:g} deg is beyond the hard limit [{lo:g}, {hi:g}] deg")
    world = pelvis.transforms(pose.scaled(exaggeration), world=True)
    hips = _hip_centres(pelvis)
    world.update(leg_transforms(pose, world, hips, knee_centres(hips)))
    return world


def support_plane(pelvis: Pelvis, exercise: Motion, samples: int = 48, exaggeration: float = 1.0) -> tuple[str, float]:
    """Where the floor (``("y", height)``) or wall (``("x", position)``) goes: at the bodies'
    farthest reach over the whole exercise, 1 mm clear, in world millimetres."""
    meshes = body_meshes(pelvis)
    axis = 1 if exercise.support == "floor" else 0
    reach = np.inf
    for t in np.linspace(0.0, exercise.duration, samples):
        world = exercise_transforms(pelvis, exercise.pose_at(float(t)), exaggeration)
        for body, (v, _) in meshes.items():
            m = world[body]
            reach = min(reach, float((v @ m[:3, :3].T + m[:3, 3])[:, axis].min()))
    return ("y" if axis == 1 else "x"), reach - 1.0
