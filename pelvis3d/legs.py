"""The legs' joints: OpenSim's hip and knee coordinates on the pelvis3d pelvis.

The hips are joints of the model, with the names, axes and signs of OpenSim's lower-limb models
(Delp et al. 1990, Gait2392; Hamner et al. 2010), so angles from an OpenSim motion drive the legs
unchanged:

* ``hip_flexion_{l,r}`` about the pelvis frame's Z axis (+ = flexion, knee forward), then
  ``hip_adduction_{l,r}`` about X (+ = adduction, knee toward the midline), then
  ``hip_rotation_{l,r}`` about Y (+ = internal rotation), body-fixed, about the hip centre.
  The left hip's X and Y axes are negated (OpenSim's ``hip_l``: ``-1 0 0`` and ``0 -1 0``), so a
  sign means the same anatomical motion on both sides.
* ``knee_angle_{l,r}``: a hinge about the thigh's Z axis at the knee centre; 0 = straight,
  negative = flexion (OpenSim's sign; OpenSim's knee also slides a few millimetres with the
  angle, left out here: the legs are context, not measured).
* ``ankle_angle_{l,r}``: a hinge about the shank's Z axis at the ankle centre; + = dorsiflexion
  (OpenSim's sign; its ankle axis is tilted ~10 deg from Z, left out here).

A femur moves with its own innominate (it hangs from that bone's acetabulum), so the femoral
head stays centred in the cup whatever the pelvic ring does. Angles and ranges in degrees.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import LimitError, PhysiologicalRangeWarning
from pelvis3d.kinematics import Pose, axis_angle_transform

__all__ = [
    "LEG_SEGMENTS",
    "LEG_PHYSIOLOGICAL_DEG",
    "LEG_HARD_DEG",
    "check_leg_angles",
    "hip_transform",
    "knee_transform",
    "ankle_transform",
    "leg_transforms",
]

#: The leg segments a scene with legs draws, per side.
LEG_SEGMENTS = ("femur", "shank", "foot")
#: Normal active range of motion of an adult (AAOS, Greene & Heckman 1994): hip flexion 120,
#: extension 30, abduction 45, adduction 30, external and internal rotation 45; knee flexion 135;
#: ankle dorsiflexion 20, plantarflexion 50.
#: Beyond it a :class:`~pelvis3d.errors.PhysiologicalRangeWarning`.
LEG_PHYSIOLOGICAL_DEG: Mapping[str, tuple[float, float]] = {
    "hip_flexion": (-30.0, 120.0),
    "hip_adduction": (-45.0, 30.0),
    "hip_rotation": (-45.0, 45.0),
    "knee_angle": (-135.0, 10.0),
    "ankle_angle": (-50.0, 20.0),
}
#: The coordinate ranges of OpenSim's running model (Hamner et al. 2010): hips +-120, knee
#: -120..10 (its knee range; 135 deg of flexion is allowed here for deep squats and prone
#: positions), ankle +-90. Beyond: :class:`~pelvis3d.errors.LimitError`.
LEG_HARD_DEG: Mapping[str, tuple[float, float]] = {
    "hip_flexion": (-120.0, 120.0),
    "hip_adduction": (-120.0, 120.0),
    "hip_rotation": (-120.0, 120.0),
    "knee_angle": (-150.0, 10.0),
    "ankle_angle": (-90.0, 90.0),
}

_X, _Y, _Z = np.eye(3)


def check_leg_angles(pose: Pose) -> None:
    """Raise :class:`LimitError` beyond the hard range, warn beyond the physiological range."""
    for name, value in pose.leg_angles().items():
        joint = name[:-2]
        lo, hi = LEG_HARD_DEG[joint]
        if not lo <= value <= hi:
            raise LimitError(f"{name}={value:g} deg is beyond the hard limit [{lo:g}, {hi:g}] deg")
        plo, phi = LEG_PHYSIOLOGICAL_DEG[joint]
        if not plo <= value <= phi:
            warnings.warn(
                f"{name}={value:g} deg is beyond the normal range of motion [{plo:g}, {phi:g}] deg (AAOS)",
                PhysiologicalRangeWarning,
                stacklevel=3,
            )


def hip_transform(side: str, pose: Pose, hip_centre: NDArray[np.float64]) -> NDArray[np.float64]:
    """``T_innominate_femur`` (4, 4): the femur's motion at the hip, about ``hip_centre`` (mm).

    ``side`` is ``"left"`` or ``"right"``; the angles come from ``pose`` (OpenSim's signs).
    """
    s = side[0]
    mirror = -1.0 if s == "l" else 1.0
    centre = np.asarray(hip_centre, float)
    return (
        axis_angle_transform(_Z, getattr(pose, f"hip_flexion_{s}"), centre)
        @ axis_angle_transform(_X * mirror, getattr(pose, f"hip_adduction_{s}"), centre)
        @ axis_angle_transform(_Y * mirror, getattr(pose, f"hip_rotation_{s}"), centre)
    )


def knee_transform(side: str, pose: Pose, knee_centre: NDArray[np.float64]) -> NDArray[np.float64]:
    """``T_femur_shank`` (4, 4): the knee hinge about the femur's Z axis at ``knee_centre`` (mm)."""
    return axis_angle_transform(_Z, getattr(pose, f"knee_angle_{side[0]}"), np.asarray(knee_centre, float))


def ankle_transform(side: str, pose: Pose, ankle_centre: NDArray[np.float64]) -> NDArray[np.float64]:
    """``T_shank_foot`` (4, 4): the ankle hinge about the shank's Z axis at ``ankle_centre`` (mm);
    + = dorsiflexion (the toes come up toward the shin)."""
    return axis_angle_transform(_Z, getattr(pose, f"ankle_angle_{side[0]}"), np.asarray(ankle_centre, float))


def leg_transforms(
    pose: Pose,
    world_innominates: Mapping[str, NDArray[np.float64]],
    joint_centres: Mapping[str, NDArray[np.float64]],
) -> dict[str, NDArray[np.float64]]:
    """World transforms of both femurs and shanks.

    Parameters
    ----------
    pose : Pose
        Its leg angles (degrees, OpenSim's signs) are checked and applied.
    world_innominates : mapping
        ``{"left_innominate": T, "right_innominate": T}``: ``T_world_body`` of each hip bone.
    joint_centres : mapping
        ``"left_hip"``, ``"left_knee"``, ``"left_ankle"``, ``"right_..."``: (3,) joint centres in
        neutral pelvis coordinates, mm (:func:`pelvis3d.body.segments.joint_centres`).

    Returns
    -------
    dict
        ``"left_femur"``, ``"left_shank"``, ``"left_foot"`` and the right ones: (4, 4) arrays
        mapping a segment's neutral coordinates (mm, pelvis frame at neutral) to the world.
    """
    check_leg_angles(pose)
    out = {}
    for side in ("left", "right"):
        femur = world_innominates[f"{side}_innominate"] @ hip_transform(side, pose, joint_centres[f"{side}_hip"])
        shank = femur @ knee_transform(side, pose, joint_centres[f"{side}_knee"])
        out[f"{side}_femur"] = femur
        out[f"{side}_shank"] = shank
        out[f"{side}_foot"] = shank @ ankle_transform(side, pose, joint_centres[f"{side}_ankle"])
    return out
