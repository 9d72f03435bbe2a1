"""Pictures: the pyvista scene, its overlays, camera views, layouts and frame writers.

Sits on the core (:mod:`pelvis3d.model`, :mod:`pelvis3d.motions`); never imports
:mod:`pelvis3d.apps`. pyvista/VTK load only when a scene is made, so importing this package
(e.g. for :data:`pelvis3d.render.views.VIEWS`) stays light.
"""

from __future__ import annotations

_LAZY = {
    "render_image": "pelvis3d.render.layouts",
    "render_figure": "pelvis3d.render.layouts",
    "render_animation": "pelvis3d.render.layouts",
    "article_panels": "pelvis3d.render.layouts",
    "Panel": "pelvis3d.render.layouts",
    "PelvisScene": "pelvis3d.render.scene",
    "Overlays": "pelvis3d.render.scene",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pelvis3d.render' has no attribute {name!r}")
