"""The body around the pelvis: a simple mannequin with simplified anatomical femurs (core: numpy,
scipy, trimesh, scikit-image; no rendering). See :mod:`pelvis3d.body.mannequin`."""

from pelvis3d.body.mannequin import (
    BODY_CARRIERS,
    BODY_KINDS,
    BODY_NAMES,
    BONES,
    body_joint_centres,
    body_meshes,
    body_transforms,
    posed_points,
)
from pelvis3d.body.segments import DE_LEVA_MALE_MM, joint_centres

__all__ = [
    "BODY_CARRIERS",
    "BODY_KINDS",
    "BODY_NAMES",
    "BONES",
    "DE_LEVA_MALE_MM",
    "body_joint_centres",
    "body_meshes",
    "body_transforms",
    "joint_centres",
    "posed_points",
]
