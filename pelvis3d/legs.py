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
    "leg_transforms",
    "knee_centres",
    "femur_mesh",
    "shank_mesh",
    "leg_meshes",
    "THIGH_LENGTH_MM",
    "SHANK_LENGTH_MM",
]

#: The leg segments a scene with legs draws, per side.
LEG_SEGMENTS = ("femur", "shank")
#: Normal active range of motion of an adult (AAOS, Greene & Heckman 1994): hip flexion 120,
#: extension 30, abduction 45, adduction 30, external and internal rotation 45; knee flexion 135.
#: Beyond it a :class:`~pelvis3d.errors.PhysiologicalRangeWarning`.
LEG_PHYSIOLOGICAL_DEG: Mapping[str, tuple[float, float]] = {
    "hip_flexion": (-30.0, 120.0),
    "hip_adduction": (-45.0, 30.0),
    "hip_rotation": (-45.0, 45.0),
    "knee_angle": (-135.0, 10.0),
}
#: The coordinate ranges of OpenSim's running model (Hamner et al. 2010): hips +-120, knee
#: -120..10 (its knee range; 135 deg of flexion is allowed here for deep squats and prone
#: positions). Beyond: :class:`~pelvis3d.errors.LimitError`.
LEG_HARD_DEG: Mapping[str, tuple[float, float]] = {
    "hip_flexion": (-120.0, 120.0),
    "hip_adduction": (-120.0, 120.0),
    "hip_rotation": (-120.0, 120.0),
    "knee_angle": (-150.0, 10.0),
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


def leg_transforms(
    pose: Pose,
    world_innominates: Mapping[str, NDArray[np.float64]],
    hip_centres: Mapping[str, NDArray[np.float64]],
    knee_centres: Mapping[str, NDArray[np.float64]],
) -> dict[str, NDArray[np.float64]]:
    """World transforms of both femurs and shanks.

    Parameters
    ----------
    pose : Pose
        Its leg angles (degrees, OpenSim's signs) are checked and applied.
    world_innominates : mapping
        ``{"left_innominate": T, "right_innominate": T}``: ``T_world_body`` of each hip bone.
    hip_centres, knee_centres : mapping
        ``{"left": (3,), "right": (3,)}``: the joint centres in neutral pelvis coordinates, mm.

    Returns
    -------
    dict
        ``"left_femur"``, ``"left_shank"``, ``"right_femur"``, ``"right_shank"``: (4, 4) arrays
        mapping a segment's neutral coordinates (mm, pelvis frame at neutral) to the world.
    """
    check_leg_angles(pose)
    out = {}
    for side in ("left", "right"):
        femur = world_innominates[f"{side}_innominate"] @ hip_transform(side, pose, hip_centres[side])
        out[f"{side}_femur"] = femur
        out[f"{side}_shank"] = femur @ knee_transform(side, pose, knee_centres[side])
    return out


#: Simplified leg lengths (mm): thigh (hip to knee centre) and shank (knee to ankle centre), adult
#: means after de Leva 1996 (J Biomech 29:1223), 1.74 m male: 422 and 434 mm.
THIGH_LENGTH_MM = 422.0
SHANK_LENGTH_MM = 434.0


def knee_centres(hip_centres: Mapping[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """Knee centres below the hip centres (neutral pelvis frame, mm): one thigh length down and
    slightly medial (the femoral shaft converges toward the knees, ~7 deg)."""
    out = {}
    for side, hip in hip_centres.items():
        medial = 1.0 if side == "left" else -1.0  # toward the midline (+Z for the left leg)
        out[side] = np.asarray(hip, float) + np.array([0.0, -THIGH_LENGTH_MM, medial * THIGH_LENGTH_MM * 0.12])
    return out


def _capsule(a: NDArray, b: NDArray, radius: float):
    import trimesh

    a, b = np.asarray(a, float), np.asarray(b, float)
    d = b - a
    cap = trimesh.creation.capsule(height=float(np.linalg.norm(d)), radius=radius, count=[24, 12])
    cap.apply_translation([0, 0, np.linalg.norm(d) / 2])  # base at the origin, along +z
    cap.apply_transform(trimesh.geometry.align_vectors([0, 0, 1], d / np.linalg.norm(d)))
    return cap.apply_translation(a)


def femur_mesh(
    side: str, hip_centre: NDArray[np.float64], knee_centre: NDArray[np.float64], head_radius_mm: float = 23.0
):
    """A simplified femur (trimesh, mm, neutral pelvis frame): head at ``hip_centre``, neck,
    greater trochanter, shaft and condyles at ``knee_centre``."""
    import trimesh

    lateral = -1.0 if side == "left" else 1.0
    h, knee = np.asarray(hip_centre, float), np.asarray(knee_centre, float)
    neck_end = h + np.array([0.0, -32.0, lateral * 38.0])
    parts = [trimesh.creation.icosphere(subdivisions=3, radius=head_radius_mm).apply_translation(h)]
    parts.append(_capsule(h, neck_end, 14.0))  # neck
    parts.append(_capsule(neck_end + [0, 8, lateral * 6], neck_end + [0, -20, lateral * 4], 17.0))  # trochanter
    parts.append(_capsule(neck_end, knee + [0, 25, 0], 14.0))  # shaft
    for dz in (-20.0, 20.0):  # condyles
        parts.append(trimesh.creation.icosphere(subdivisions=2, radius=22.0).apply_translation(knee + [0, 0, dz]))
    return trimesh.util.concatenate(parts)


def shank_mesh(knee_centre: NDArray[np.float64]):
    """A simplified shank and foot (trimesh, mm, neutral pelvis frame) below ``knee_centre``."""
    import trimesh

    knee = np.asarray(knee_centre, float)
    ankle = knee + np.array([0.0, -SHANK_LENGTH_MM, 0.0])
    parts = [_capsule(knee + [0, -20, 0], ankle, 20.0), _capsule(ankle + [-40, -45, 0], ankle + [160, -55, 0], 22.0)]
    return trimesh.util.concatenate(parts)


def leg_meshes(hip_centres: Mapping[str, NDArray[np.float64]]) -> dict[str, tuple[NDArray, NDArray]]:
    """``{"left_femur": (vertices, faces), "left_shank": ..., ...}`` in the neutral pelvis frame (mm)."""
    knees = knee_centres(hip_centres)
    out = {}
    for side in ("left", "right"):
        femur = femur_mesh(side, hip_centres[side], knees[side])
        shank = shank_mesh(knees[side])
        out[f"{side}_femur"] = (np.asarray(femur.vertices), np.asarray(femur.faces))
        out[f"{side}_shank"] = (np.asarray(shank.vertices), np.asarray(shank.faces))
    return out
