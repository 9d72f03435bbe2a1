"""The rendering backend: pyvista/VTK, loaded on first use with an offscreen window when there
is no display (Linux without X or Wayland: Mesa's EGL or OSMesa)."""

from __future__ import annotations

import os
import sys

import numpy as np
from numpy.typing import NDArray

__all__ = ["import_pyvista", "polydata", "prepare_offscreen"]


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
