"""Poses and forward kinematics.

Sign conventions (written once; used everywhere in pelvis3d). Angles in degrees.

=================  ==========================================================================
DOF                positive direction
=================  ==========================================================================
left_rotation,     pelvic **external** rotation (out-flare) of that innominate: the ASIS and
right_rotation     pubis swing laterally, the pubic symphysis opens and the back of the SI
                   joint closes. Negative = internal rotation (in-flare). Vertical axis
                   through the auricular surface centre.
left_tilt,         **anterior** innominate rotation: ASIS anterior-inferior, PSIS superior.
right_tilt         Negative = posterior. Transverse axis through the auricular surface centre.
nutation           sacral **nutation**: the sacral base moves anterior-inferior. Negative =
                   counternutation. Transverse axis at S2.
pelvis_tilt        whole pelvis **anterior** tilt (about the left-right axis).
pelvis_obliquity   whole pelvis: the **right** side rises (about the anterior axis).
pelvis_rotation    whole pelvis: the front turns toward the **left** (about the vertical axis).
hip_flexion_l/_r   OpenSim's hip coordinates, names and signs (Delp et al. 1990; the
hip_adduction_l/_r hip joints of Gait2392 and Hamner 2010): **flexion** (knee forward),
hip_rotation_l/_r  **adduction** (knee toward the midline), **internal** rotation; body-fixed
                   Z, X, Y about the hip centre (left: Z, -X, -Y). See :mod:`pelvis3d.legs`.
knee_angle_l/_r    OpenSim's knee coordinate: 0 straight, **negative = flexion**.
ankle_angle_l/_r   OpenSim's ankle coordinate: 0 = foot at right angles to the shank,
                   **positive = dorsiflexion**, negative = plantarflexion.
=================  ==========================================================================

Transforms are ``(4, 4)`` arrays named ``T_A_B``: they map coordinates in frame B to
frame A (scipy's rule). ``T_pelvis_body`` maps a body's neutral coordinates (mm, the
pelvis frame at neutral) to the posed pelvis frame. Whole-pelvis angles act in
``T_world_pelvis`` (rotation, then obliquity, then tilt; Baker 2001), about the origin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import PoseError, UnexpectedArgumentError, UnknownNameError
from pelvis3d.validation import real_number

__all__ = [
    "DOF_NAMES",
    "SI_DOF_NAMES",
    "LEG_DOF_NAMES",
    "POSE_NAMES",
    "Pose",
    "axis_angle_transform",
    "relative_transform",
]

#: Every DOF name, in a fixed order.
DOF_NAMES: tuple[str, ...] = (
    "left_rotation",
    "right_rotation",
    "left_tilt",
    "right_tilt",
    "nutation",
    "pelvis_tilt",
    "pelvis_obliquity",
    "pelvis_rotation",
)
#: DOFs of the pelvic ring itself (scaled by exaggeration); the rest are whole-pelvis posture.
SI_DOF_NAMES: tuple[str, ...] = DOF_NAMES[:5]
#: Leg joint angles with OpenSim's coordinate names and signs (degrees); they move the legs of a
#: scene that has them and never the pelvic ring.
LEG_DOF_NAMES: tuple[str, ...] = tuple(
    f"{joint}_{side}"
    for side in ("l", "r")
    for joint in ("hip_flexion", "hip_adduction", "hip_rotation", "knee_angle", "ankle_angle")
)
#: Every angle a :class:`Pose` holds: the pelvis's DOFs, then the legs'.
POSE_NAMES: tuple[str, ...] = DOF_NAMES + LEG_DOF_NAMES


@dataclass(frozen=True, init=False)
class Pose:
    """An immutable set of joint angles in degrees (see the module docstring for signs).

    Parameters
    ----------
    rotation : float, optional
        Both innominates' external (+) / internal (-) rotation, degrees. Shorthand for
        ``left_rotation=rotation, right_rotation=rotation``.
    tilt : float, optional
        Both innominates' anterior (+) / posterior (-) rotation, degrees.
    **angles : float
        Any of :data:`DOF_NAMES` or :data:`LEG_DOF_NAMES`, degrees. A side given explicitly
        may not be combined with the matching both-sides shorthand.

    Examples
    --------
    >>> Pose(rotation=3).left_rotation
    3.0
    >>> Pose(left_rotation=-2).right_rotation
    0.0
    """

    left_rotation: float
    right_rotation: float
    left_tilt: float
    right_tilt: float
    nutation: float
    pelvis_tilt: float
    pelvis_obliquity: float
    pelvis_rotation: float
    hip_flexion_l: float
    hip_adduction_l: float
    hip_rotation_l: float
    knee_angle_l: float
    ankle_angle_l: float
    hip_flexion_r: float
    hip_adduction_r: float
    hip_rotation_r: float
    knee_angle_r: float
    ankle_angle_r: float

    def __init__(self, rotation: float | None = None, tilt: float | None = None, **angles: float) -> None:
        for name in angles:
            if name not in POSE_NAMES:  # an unexpected keyword: TypeError, as for any Python callable
                raise UnexpectedArgumentError(
                    f"Pose() got an unexpected keyword {name!r}; allowed: rotation, tilt, {', '.join(POSE_NAMES)}"
                )
        values = {name: 0.0 for name in POSE_NAMES}
        for short, value in (("rotation", rotation), ("tilt", tilt)):
            if value is None:
                continue
            for side in ("left", "right"):
                if f"{side}_{short}" in angles:
                    raise PoseError(f"give either {short}= (both sides) or {side}_{short}=, not both")
                values[f"{side}_{short}"] = real_number(value, short)
        for name, value in angles.items():
            values[name] = real_number(value, name)
        for name, value in values.items():
            object.__setattr__(self, name, value + 0.0)  # + 0.0 turns -0.0 into 0.0

    # ---- constructors -------------------------------------------------------------------
    @classmethod
    def neutral(cls) -> Pose:
        """All angles zero."""
        return cls()

    @classmethod
    def symmetric(cls, rotation: float = 0.0, tilt: float = 0.0) -> Pose:
        """Both innominates rotated alike (degrees)."""
        return cls(rotation=rotation, tilt=tilt)

    @classmethod
    def one_side(cls, side: str, rotation: float = 0.0, tilt: float = 0.0) -> Pose:
        """One innominate rotated (degrees); ``side`` is ``"left"`` or ``"right"``."""
        if side not in ("left", "right"):
            raise UnknownNameError(f"unknown side {side!r}; allowed: left, right")
        return cls(**{f"{side}_rotation": rotation, f"{side}_tilt": tilt})

    @classmethod
    def from_dict(cls, angles: Mapping[str, float]) -> Pose:
        """Build from a mapping of DOF names (or ``rotation``/``tilt``) to degrees."""
        if not isinstance(angles, Mapping):
            raise PoseError(f"a pose must be a mapping of DOF names to degrees, got {type(angles).__name__}")
        return cls(**dict(angles))

    # ---- readers and operations ---------------------------------------------------------
    def as_dict(self) -> dict[str, float]:
        """All angles by name (:data:`POSE_NAMES`: pelvis, then legs), degrees."""
        return {name: getattr(self, name) for name in POSE_NAMES}  # the fields, in order (tested)

    def pelvis_angles(self) -> dict[str, float]:
        """The pelvis's angles (:data:`DOF_NAMES`), degrees."""
        return {name: getattr(self, name) for name in DOF_NAMES}

    def leg_angles(self) -> dict[str, float]:
        """The legs' angles (:data:`LEG_DOF_NAMES`, OpenSim's names and signs), degrees."""
        return {name: getattr(self, name) for name in LEG_DOF_NAMES}

    def has_leg_motion(self) -> bool:
        """True when any leg angle is non-zero."""
        return any(getattr(self, name) != 0.0 for name in LEG_DOF_NAMES)

    def replace(self, **angles: float) -> Pose:
        """A copy with some angles changed."""
        return Pose(**{**self.as_dict(), **angles})

    def scaled(self, factor: float) -> Pose:
        """The pelvic-ring angles multiplied by ``factor`` (whole-pelvis posture and legs unchanged).

        Used for exaggerated teaching images: the shown pose is ``pose.scaled(5)``.
        """
        factor = real_number(factor, "exaggeration")
        return Pose(**{n: (v * factor if n in SI_DOF_NAMES else v) for n, v in self.as_dict().items()})

    def mirrored(self) -> Pose:
        """The left-right mirror image: sides swapped, obliquity and rotation negated."""
        d = self.as_dict()
        legs = {name: d[name[:-1] + ("r" if name.endswith("_l") else "l")] for name in LEG_DOF_NAMES}
        return Pose(
            **legs,
            left_rotation=d["right_rotation"],
            right_rotation=d["left_rotation"],
            left_tilt=d["right_tilt"],
            right_tilt=d["left_tilt"],
            nutation=d["nutation"],
            pelvis_tilt=d["pelvis_tilt"],
            pelvis_obliquity=-d["pelvis_obliquity"],
            pelvis_rotation=-d["pelvis_rotation"],
        )

    def is_neutral(self) -> bool:
        """True when every angle is zero."""
        return all(v == 0.0 for v in self.as_dict().values())

    def __add__(self, other: Any) -> Pose:
        if not isinstance(other, Pose):
            return NotImplemented
        a, b = self.as_dict(), other.as_dict()
        return Pose(**{n: a[n] + b[n] for n in POSE_NAMES})

    def __repr__(self) -> str:
        nonzero = {n: v for n, v in self.as_dict().items() if v != 0.0}
        inner = ", ".join(f"{n}={v:g}" for n, v in nonzero.items())
        return f"Pose({inner})"


def axis_angle_transform(
    axis: NDArray[np.float64], angle_deg: float, pivot: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``(4, 4)`` rigid transform rotating by ``angle_deg`` (right-handed) about ``axis`` through ``pivot`` (mm)."""
    x, y, z = (float(v) for v in axis)
    norm = math.sqrt(x * x + y * y + z * z)
    x, y, z = x / norm, y / norm, z / norm
    t = math.radians(angle_deg)
    c, s = math.cos(t), math.sin(t)
    k = 1.0 - c
    out = np.array(
        [
            [c + x * x * k, x * y * k - z * s, x * z * k + y * s, 0.0],
            [y * x * k + z * s, c + y * y * k, y * z * k - x * s, 0.0],
            [z * x * k - y * s, z * y * k + x * s, c + z * z * k, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )
    out[:3, 3] = pivot - out[:3, :3] @ pivot
    return out


def relative_transform(target: NDArray[np.float64], source: NDArray[np.float64]) -> NDArray[np.float64]:
    """``inv(target) @ source`` for rigid ``(4, 4)`` transforms: ``source``'s coordinates in
    ``target``'s frame (a rigid inverse is a transpose and a shift: cheaper than a solve)."""
    rt = target[:3, :3].T
    out = np.empty((4, 4))
    out[:3, :3] = rt @ source[:3, :3]
    out[:3, 3] = rt @ (source[:3, 3] - target[:3, 3])
    out[3] = (0.0, 0.0, 0.0, 1.0)
    return out
