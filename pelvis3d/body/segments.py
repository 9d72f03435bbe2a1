"""Adult segment lengths for the mannequin, and where its joints sit on a pelvis.

Lengths are the male means of de Leva (1996), *Adjustments to Zatsiorsky-Seluyanov's segment
inertia parameters*, J Biomech 29:1223-1230, Table 1 (stature 1741 mm), in millimetres. Widths
and depths of the mannequin's pieces are not in that table: they are **assumed** round figures
for an adult of that stature (an artist's figure, not a measured body), named here so a picture
or test can cite them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DE_LEVA_MALE_MM",
    "ASSUMED_WIDTHS_MM",
    "FEMUR_NECK_SHAFT_DEG",
    "FEMUR_ANTEVERSION_DEG",
    "FEMUR_HEAD_RADIUS_MM",
    "KNEE_CONVERGENCE",
    "joint_centres",
]

#: Segment lengths (mm), de Leva 1996 Table 1, males: head (vertex to cervicale), upper trunk
#: (suprasternale to xiphoid), mid trunk (xiphoid to omphalion), lower trunk (omphalion to the
#: hip-centre midpoint), upper arm, forearm, hand, thigh (hip to knee centre), shank (knee centre
#: to lateral malleolus), foot (heel to toe tip); stature 1741 mm.
DE_LEVA_MALE_MM: Mapping[str, float] = MappingProxyType(
    {
        "stature": 1741.0,
        "head": 242.9,
        "upper_trunk": 170.7,
        "mid_trunk": 215.5,
        "lower_trunk": 145.7,
        "upper_arm": 281.7,
        "forearm": 268.9,
        "hand": 86.2,
        "thigh": 422.2,
        "shank": 434.0,
        "foot": 258.1,
    }
)

#: Assumed (no table): half-widths (left-right) and half-depths (front-back) of the mannequin's
#: pieces, and radii of its limbs, mm.
ASSUMED_WIDTHS_MM: Mapping[str, float] = MappingProxyType(
    {
        "chest_half_width": 150.0,
        "chest_half_depth": 95.0,
        "waist_radius": 55.0,
        "head_half_width": 75.0,
        "neck_radius": 45.0,
        "upper_arm_radius": 42.0,
        "forearm_radius": 33.0,
        "thigh_radius_hip": 78.0,
        "thigh_radius_knee": 50.0,
        "shank_radius_knee": 48.0,
        "shank_radius_ankle": 30.0,
        "ankle_height": 70.0,
        "buttock_half_width": 75.0,
    }
)

#: Femoral neck-shaft angle and anteversion of an adult (deg): about 125-130 and 10-15 (e.g.
#: Gilligan et al. 2013, J Anat 223:133: NSA 126 +- 5; anteversion ~13 +- 9).
FEMUR_NECK_SHAFT_DEG = 125.0
FEMUR_ANTEVERSION_DEG = 15.0
#: Femoral head radius (mm): men 49 +- 3 mm diameter (femur morphometry, see the project's
#: biomechanics notes); 23 mm leaves the 1 mm cartilage gap to the built-in acetabulum.
FEMUR_HEAD_RADIUS_MM = 23.0
#: Knee centre medial offset per mm of thigh length: the femur's mechanical axis (hip to knee
#: centre) leans ~3 deg toward the midline in standing (the usual textbook figure; the shaft's
#: anatomical axis ~6 deg more), assumed.
KNEE_CONVERGENCE = 0.05


def joint_centres(hip_centres: Mapping[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """Hip, knee and ankle centres of both legs in the neutral pelvis frame (mm), standing straight.

    Keys ``"left_hip"``, ``"left_knee"``, ``"left_ankle"``, ``"right_..."``: the knee one thigh
    length below the hip (and :data:`KNEE_CONVERGENCE` medial), the ankle one shank length below
    the knee.
    """
    thigh, shank = DE_LEVA_MALE_MM["thigh"], DE_LEVA_MALE_MM["shank"]
    out = {}
    for side, hip in hip_centres.items():
        medial = 1.0 if side == "left" else -1.0  # +Z is right: the left leg's midline is +Z
        h = np.asarray(hip, float)
        knee = h + np.array([0.0, -thigh, medial * thigh * KNEE_CONVERGENCE])
        out[f"{side}_hip"] = h
        out[f"{side}_knee"] = knee
        out[f"{side}_ankle"] = knee + np.array([0.0, -shank, 0.0])
    return out
