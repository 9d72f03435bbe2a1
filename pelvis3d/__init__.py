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
    UnexpectedArgumentError,
    UnknownNameError,
)
from pelvis3d.kinematics import DOF_NAMES, Pose
from pelvis3d.metrics import JointMetrics
from pelvis3d.model import Pelvis, PosedPelvis
from pelvis3d.motions.motion import MOTIONS, Keyframe, Motion, get_motion
from pelvis3d.motions.sampled import SampledMotion
from pelvis3d.render.views import VIEWS

__version__ = "0.1.0"

# Rendering needs pyvista/VTK: imported on first use so that `import pelvis3d` stays light.
_LAZY = {
    "render_image": "pelvis3d.render.layouts",
    "render_figure": "pelvis3d.render.layouts",
    "render_animation": "pelvis3d.render.layouts",
    "Panel": "pelvis3d.render.layouts",
    "PelvisScene": "pelvis3d.render.scene",
    "Overlays": "pelvis3d.render.scene",
    "Viewer": "pelvis3d.apps.viewer",
    "export_meshes": "pelvis3d.export.meshes",
    "export_animation": "pelvis3d.export.meshes",
    "export_lesson": "pelvis3d.export.lesson",
    "view": "pelvis3d.apps.viewer",
    "widget": "pelvis3d.apps.notebook",
    "render_runner": "pelvis3d.render.runner",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pelvis3d' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DOF_NAMES",
    "MOTIONS",
    "VIEWS",
    "Keyframe",
    "Motion",
    "SampledMotion",
    "render_runner",
    "Overlays",
    "Panel",
    "PelvisScene",
    "get_motion",
    "render_animation",
    "render_figure",
    "render_image",
    "export_animation",
    "export_meshes",
    "export_lesson",
    "view",
    "widget",
    "Viewer",
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
    "UnexpectedArgumentError",
    "load_anatomy",
    "__version__",
]
