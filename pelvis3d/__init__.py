"""pelvis3d: how the pelvis moves.

Three rigid bodies (sacrum, left and right innominate) articulated at the sacroiliac
joints and the pubic symphysis; poses, joint metrics, and (lazily imported) rendering.
Millimetres and degrees; ISB pelvis frame (X anterior, Y superior, Z right; origin at the
ASIS midpoint). Sign conventions: :mod:`pelvis3d.kinematics`.
"""

from __future__ import annotations

from pelvis3d.anatomy import Anatomy, load_anatomy
from pelvis3d.errors import (
    AnatomyFileError,
    LimitError,
    Pelvis3dError,
    PhysiologicalRangeWarning,
    PoseError,
    PoseTypeError,
    UnknownNameError,
)
from pelvis3d.kinematics import DOF_NAMES, Pose
from pelvis3d.metrics import JointMetrics
from pelvis3d.model import Pelvis, PosedPelvis

__version__ = "0.1.0"

__all__ = [
    "DOF_NAMES",
    "Anatomy",
    "AnatomyFileError",
    "JointMetrics",
    "LimitError",
    "Pelvis",
    "Pelvis3dError",
    "PhysiologicalRangeWarning",
    "PoseError",
    "PoseTypeError",
    "Pose",
    "PosedPelvis",
    "UnknownNameError",
    "load_anatomy",
    "__version__",
]
