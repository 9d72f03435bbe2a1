"""The rendering backend: pyvista/VTK, loaded on first use with an offscreen window when there
is no display (Linux without X or Wayland: Mesa's EGL or OSMesa)."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["RENDER_LOCK", "closed_outwards", "import_pyvista", "polydata", "prepare_offscreen", "serialized"]

#: Held by every public render function. VTK's OpenGL rendering (and pyvista's lazy import of
#: its plotting module) is not thread-safe: two threads rendering at once crash the process
#: (segmentation fault) or fail half-imported. Renders from several threads take turns; the
#: lock is re-entrant, so a render that calls another does not wait for itself. Code that
#: drives a :class:`~pelvis3d.render.scene.PelvisScene` directly from several threads holds it
#: too (``with RENDER_LOCK: ...``).
RENDER_LOCK = threading.RLock()

P = ParamSpec("P")
R = TypeVar("R")


def serialized(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` holding :data:`RENDER_LOCK`, so renders from several threads take turns."""

    @functools.wraps(func)
    def holding_the_render_lock(*args: P.args, **kwargs: P.kwargs) -> R:
        with RENDER_LOCK:
            return func(*args, **kwargs)

    return holding_the_render_lock


def prepare_offscreen() -> None:
    """Choose an offscreen OpenGL window when there is no display (Linux), before VTK loads.

    VTK's wheels fall back from X to EGL or OSMesa on their own; naming EGL up front skips
    the failed X attempt and its warning. A value the user already set is kept.
    """
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


def import_pyvista():
    """pyvista, imported after :func:`prepare_offscreen` (the first import picks the GL window)."""
    prepare_offscreen()
    import pyvista

    return pyvista


def polydata(vertices: NDArray, faces: NDArray):
    """A ``pyvista.PolyData`` of triangles: ``vertices`` ``(N, 3)`` mm, ``faces`` ``(M, 3)`` indices."""
    pv = import_pyvista()
    cells = np.hstack([np.full((len(faces), 1), 3, dtype=np.int64), np.asarray(faces, np.int64)]).ravel()
    return pv.PolyData(np.asarray(vertices, float), cells)


def closed_outwards(vertices: NDArray, faces: NDArray) -> bool:
    """Whether a mesh is closed (watertight), consistently wound and wound outwards (positive
    volume): only then are its back faces never seen from outside. Remembered per mesh."""
    v, f = np.ascontiguousarray(vertices, float), np.ascontiguousarray(faces, np.int64)
    key = hashlib.sha1(v.tobytes() + f.tobytes()).hexdigest()
    if key not in _CLOSED:
        import trimesh

        mesh = trimesh.Trimesh(v, f, process=False)
        _CLOSED[key] = bool(mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0)
    return _CLOSED[key]


_CLOSED: dict[str, bool] = {}
