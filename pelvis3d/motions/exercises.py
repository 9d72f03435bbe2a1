"""The article's two exercises, as motions: keyframes of the pelvis, the hips, knees and ankles,
with the floor or wall the body uses.

An exercise is an ordinary :class:`~pelvis3d.motions.motion.Motion` whose poses carry leg
angles (OpenSim's names and signs, :mod:`pelvis3d.legs`) and whose ``support`` says where the
floor or wall goes; it plays, saves and loads like any motion, so a user can write their own
exercise file (``Motion.save``; ``pelvis3d exercise my-exercise.toml out.gif``). Whole-body
placement is the pelvis's posture (``pelvis_tilt=90``: lying face down) plus, against a wall,
the stance foot kept planted (:func:`exercise_offset`).

* **Extreme Clamshell** (``clamshell``, left side): prone; the left leg slides out into a
  frog-leg (hip abduction, external rotation, knee bent), then the knee lifts toward the ceiling
  (hip extension with more abduction and external rotation) while the pubis and the inner
  thigh stay on the floor, and holds 5 s.
* **Wall Tap Hip Hinge** (``wall-tap-hip-hinge``, right stance): standing on the right leg a
  foot from the wall, the trunk hinges forward over the soft stance knee and the pelvis turns
  so only the right buttock reaches back to the wall (the stance hip into internal rotation);
  the left leg reaches forward.

**Coupling (assumed).** One rule in both exercises: the innominate rotates ``coupling`` degrees
of pelvic external rotation (out-flare) per degree of hip *external* rotation on its side
(``left_rotation = -coupling * hip_rotation_l``; OpenSim's ``hip_rotation`` is + internal), and
as much internal rotation per degree of hip internal rotation. No published study gives such a
ratio: radiostereometry finds SI motions of a degree or less during hip loading and motion
(Sturesson et al. 2000, Spine 25:364, standing hip flexion; Kibsgard et al. 2014, single-leg
stance 0.5 deg), an MRI study of passive hip flexion finds the ilium rotating on the sacrum only
near end range (pelvifemoral rhythm 1/28 to 1/11, Physical Therapy Japan 29(4), 2002), and
clinical work links hip rotation range to innominate position without a ratio (Cibulka et al.
1998, Spine 23:1009). The default 0.03 deg/deg (1.35 deg at 45 deg of hip rotation, inside the
radiostereometric SI range) is therefore an assumption, and pictures say "assumed coupling".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.body import body_joint_centres, body_meshes, body_transforms, posed_points
from pelvis3d.errors import PoseError
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Keyframe, Motion
from pelvis3d.validation import known_name, real_number

__all__ = [
    "DEFAULT_COUPLING",
    "COUPLING_RANGE",
    "EXERCISES",
    "get_exercise",
    "clamshell",
    "wall_tap_hip_hinge",
    "coupled",
    "planted_hip_angles",
    "stance_side",
    "exercise_offset",
    "exercise_transforms",
    "body_meshes",
    "support_plane",
    "floor_height",
]

#: Degrees of innominate rotation per degree of hip rotation on the same side (assumed; see the
#: module docstring).
DEFAULT_COUPLING = 0.03
#: The allowed coupling (deg per deg).
COUPLING_RANGE = (0.0, 0.1)


def _check_coupling(coupling: float) -> float:
    c = real_number(coupling, "coupling")
    lo, hi = COUPLING_RANGE
    if not lo <= c <= hi:
        raise PoseError(
            f"coupling={c:g} is outside the allowed range [{lo:g}, {hi:g}] "
            "(deg of innominate rotation per deg of hip rotation)"
        )
    return c


def coupled(pose: Pose, coupling: float = DEFAULT_COUPLING) -> Pose:
    """``pose`` with each innominate's rotation set from its hip's rotation: ``coupling`` deg of
    out-flare per deg of hip external rotation (in-flare per deg of internal rotation)."""
    c = _check_coupling(coupling)
    return pose.replace(left_rotation=-c * pose.hip_rotation_l, right_rotation=-c * pose.hip_rotation_r)


def clamshell(coupling: float = DEFAULT_COUPLING) -> Motion:
    """The Extreme Clamshell (left side), prone, with its 5 s hold at the top."""
    c = _check_coupling(coupling)
    # Lying face down: the front of the pelvis faces the floor; the resting right leg lies with
    # the ankle pointed (so the foot lies along the floor).
    rest = {"pelvis_tilt": 90.0, "ankle_angle_r": -50.0, "ankle_angle_l": -50.0, "knee_angle_r": -5.0}

    def pose(flexion: float, abduction: float, external: float, knee: float, ankle: float = -50.0) -> Pose:
        return coupled(
            Pose(
                **{**rest, "ankle_angle_l": ankle},
                hip_flexion_l=flexion,
                hip_adduction_l=-abduction,
                hip_rotation_l=-external,
                knee_angle_l=-knee,
            ),
            c,
        )

    start = pose(0.0, 0.0, 0.0, 5.0)
    frog = pose(*_CLAMSHELL_FROG)
    lift = pose(*_CLAMSHELL_LIFT)
    frames = (
        Keyframe(0.0, start, label="lie face down"),
        Keyframe(1.5, frog, label="slide the left leg out into a frog-leg: pubis and inner thigh on the floor"),
        Keyframe(2.5, lift, "hold", label="lift the left knee toward the ceiling, hold 5 s"),
        Keyframe(7.5, lift, label="lower the knee slowly"),
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


#: Left hip flexion, abduction, external rotation, knee flexion and ankle angle (deg) of the
#: frog-leg and of the lifted knee (chosen so the thigh lies on the floor, then the knee rises
#: while the foot stays near the floor; checked by the tests).
_CLAMSHELL_FROG = (0.0, 45.0, 10.0, 90.0, -30.0)
_CLAMSHELL_LIFT = (-30.0, 40.0, 40.0, 90.0, -30.0)


def planted_hip_angles(
    side: str, pelvis_tilt: float, pelvis_rotation: float, thigh_back: float
) -> tuple[float, float, float]:
    """Hip flexion, adduction and rotation (deg, OpenSim's signs) that keep a standing thigh in
    the sagittal plane of the room, leaning ``thigh_back`` deg (the knee ahead of the hip), under
    a pelvis tilted and turned by the given whole-pelvis angles (deg): the foot stays pointing
    forward and flat. (Posture composes rotation, obliquity, tilt: Y, then -X, then -Z.)"""
    from scipy.spatial.transform import Rotation

    posture = Rotation.from_euler("YZ", [pelvis_rotation, -pelvis_tilt], degrees=True)
    hip = posture.inv() * Rotation.from_euler("Z", thigh_back, degrees=True)
    flexion, adduction, rotation = hip.as_euler("ZXY", degrees=True)
    mirror = -1.0 if side == "left" else 1.0  # OpenSim's hip_l negates X and Y
    return round(float(flexion), 3), round(float(mirror * adduction), 3), round(float(mirror * rotation), 3)


def wall_tap_hip_hinge(coupling: float = DEFAULT_COUPLING) -> Motion:
    """The Wall Tap Hip Hinge (right stance): hinge back until only the right buttock taps the wall."""
    c = _check_coupling(coupling)

    def pose(hinge: float, turn: float, thigh_back: float, shin_forward: float) -> Pose:
        # The trunk tilts forward (pelvis_tilt) and turns toward the stance side (the right
        # buttock leads back: the front turns right = negative pelvis_rotation); the stance
        # thigh leans back and the shin forward (the knee bends by both), the foot stays flat;
        # the pelvis turning over the planted femur is hip internal rotation.
        flexion, adduction, rotation = planted_hip_angles("right", hinge, -turn, thigh_back)
        return coupled(
            Pose(
                pelvis_tilt=hinge,
                pelvis_rotation=-turn,
                hip_flexion_r=flexion,
                hip_adduction_r=adduction,
                hip_rotation_r=rotation,
                knee_angle_r=-(thigh_back + shin_forward),
                ankle_angle_r=shin_forward,
                hip_flexion_l=hinge + 30.0 + 0.5 * turn,
                knee_angle_l=-60.0 - thigh_back,
                ankle_angle_l=0.0,
            ),
            c,
        )

    stand = pose(0.0, 0.0, 0.0, 3.0)
    tap = pose(50.0, 28.0, 35.0, 10.0)
    frames = (
        Keyframe(0.0, stand, label="stand on the right leg, a foot in front of the wall"),
        Keyframe(1.5, tap, "hold", label="hinge back: only the right buttock touches the wall, pause 1 s"),
        Keyframe(2.5, tap, label="push the hip and knee straight: stand tall"),
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


def stance_side(pelvis: Pelvis, exercise: Motion) -> str | None:
    """The standing leg of a wall exercise: the side whose ankle is lower in the key position
    (``None`` for a floor exercise: the body lies on the floor)."""
    if exercise.support != "wall":
        return None
    key = exercise.pose_at(exercise.key_time if exercise.key_time is not None else exercise.duration / 2)
    world = body_transforms(pelvis, key)
    joints = body_joint_centres(pelvis)
    heights = {s: posed_points(joints[f"{s}_ankle"][None], world[f"{s}_shank"])[0, 1] for s in ("left", "right")}
    return min(heights, key=heights.get)


def exercise_offset(pelvis: Pelvis, exercise: Motion, pose: Pose, exaggeration: float = 1.0) -> NDArray[np.float64]:
    """World translation (mm) of the body in ``pose``: zero lying on the floor; against a wall,
    the one that keeps the stance ankle where it is at the start (the foot stays planted)."""
    side = stance_side(pelvis, exercise)
    if side is None:
        return np.zeros(3)
    ankle = body_joint_centres(pelvis)[f"{side}_ankle"][None]
    start = body_transforms(pelvis, exercise.pose_at(0.0), exaggeration)[f"{side}_shank"]
    now = body_transforms(pelvis, pose, exaggeration)[f"{side}_shank"]
    return posed_points(ankle, start)[0] - posed_points(ankle, now)[0]


def exercise_transforms(
    pelvis: Pelvis, pose: Pose, exaggeration: float = 1.0, exercise: Motion | None = None
) -> dict[str, NDArray[np.float64]]:
    """World transforms (4, 4; mm) of every body (:data:`pelvis3d.body.BODY_NAMES`) in one pose of
    an exercise, placed by :func:`exercise_offset` when ``exercise`` is given.

    The pelvic-ring angles are checked against the model's hard limits and shown
    x``exaggeration``; the leg angles are checked against :mod:`pelvis3d.legs`' ranges.
    """
    offset = None if exercise is None else exercise_offset(pelvis, exercise, pose, exaggeration)
    return body_transforms(pelvis, pose, exaggeration, offset)


def _reach(pelvis: Pelvis, exercise: Motion, axis: int, samples: int, exaggeration: float) -> float:
    meshes = body_meshes(pelvis)
    reach = np.inf
    for t in np.linspace(0.0, exercise.duration, samples):
        world = exercise_transforms(pelvis, exercise.pose_at(float(t)), exaggeration, exercise)
        for body, (v, _) in meshes.items():
            reach = min(reach, float(posed_points(v[::3], world[body])[:, axis].min()))
    return reach


def support_plane(pelvis: Pelvis, exercise: Motion, samples: int = 48, exaggeration: float = 1.0) -> tuple[str, float]:
    """Where the floor (``("y", height)``) or wall (``("x", position)``) goes: at the bodies'
    farthest reach over the whole exercise, 1 mm clear, in world millimetres."""
    axis = 1 if exercise.support == "floor" else 0
    return ("y" if axis == 1 else "x"), _reach(pelvis, exercise, axis, samples, exaggeration) - 1.0


def floor_height(pelvis: Pelvis, exercise: Motion, exaggeration: float = 1.0) -> float:
    """World height (mm) of the floor under the body: the lowest point of the start pose (the
    standing foot's sole; the body lying face down), 1 mm clear."""
    meshes = body_meshes(pelvis)
    world = exercise_transforms(pelvis, exercise.pose_at(0.0), exaggeration, exercise)
    return min(float(posed_points(v, world[b])[:, 1].min()) for b, (v, _) in meshes.items()) - 1.0
