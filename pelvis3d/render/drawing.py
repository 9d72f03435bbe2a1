"""Small drawing helpers shared by the scene and its overlays: colours, 2D text measurement,
world-to-display projection, rotation of a vector."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "TEXT_COLOUR",
    "rgb",
    "text_size",
    "to_display",
    "to_display_many",
    "rotate",
    "set_user_matrix",
    "vtk_values",
]

TEXT_COLOUR = "#1f2937"

_TEXT_SIZES: dict[tuple[str, int, int], tuple[float, float]] = {}


def rgb(colour: str) -> tuple[float, float, float]:
    """``"#rrggbb"`` as 0-1 floats (VTK's colours)."""
    c = colour.lstrip("#")
    return tuple(int(c[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def text_size(prop, text: str) -> tuple[float, float]:
    """Width and height in pixels of ``text`` drawn with VTK text property ``prop`` (cached)."""
    key = (text, prop.GetFontSize(), prop.GetBold())
    if key not in _TEXT_SIZES:
        from vtkmodules.vtkRenderingCore import vtkTextRenderer

        bbox = [0, 0, 0, 0]
        vtkTextRenderer.GetInstance().GetBoundingBox(prop, text, bbox, 72)
        _TEXT_SIZES[key] = (float(bbox[1] - bbox[0]), float(bbox[3] - bbox[2]))
    return _TEXT_SIZES[key]


def to_display(renderer, point: NDArray) -> NDArray:
    """Display position (pixels from the bottom left) of a world point (mm)."""
    renderer.SetWorldPoint(float(point[0]), float(point[1]), float(point[2]), 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return np.array([x, y])


def to_display_many(renderer, points: NDArray) -> NDArray:
    """Display positions (pixels from the bottom left) of world points ``(N, 3)`` (mm), as
    :func:`to_display` gives them one at a time (the camera's composite projection)."""
    cam = renderer.GetActiveCamera()
    m = cam.GetCompositeProjectionTransformMatrix(renderer.GetTiledAspectRatio(), -1, 1)
    matrix = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
    pts = np.asarray(points, float)
    clip = pts @ matrix[:3, :3].T + matrix[:3, 3]
    w = pts @ matrix[3, :3] + matrix[3, 3]
    ndc = clip[:, :2] / w[:, None]
    width, height = renderer.GetSize()
    x0, y0, x1, y1 = renderer.GetViewport()
    win_w, win_h = renderer.GetRenderWindow().GetSize()
    return np.column_stack([(ndc[:, 0] + 1) * width / 2 + x0 * win_w, (ndc[:, 1] + 1) * height / 2 + y0 * win_h])


def rotate(v: NDArray, axis: NDArray, angle: float) -> NDArray:
    """``v`` rotated by ``angle`` (radians, right-handed) about ``axis`` (Rodrigues)."""
    axis = axis / np.linalg.norm(axis)
    return v * np.cos(angle) + np.cross(axis, v) * np.sin(angle) + axis * (axis @ v) * (1 - np.cos(angle))


def set_user_matrix(actor, t: NDArray) -> None:
    """Set an actor's user matrix in place (one VTK call per frame, no new objects)."""
    matrix = actor.GetUserMatrix()
    if matrix is None:
        actor.user_matrix = np.ascontiguousarray(np.asarray(t, dtype=float))
        return
    matrix.DeepCopy(np.ascontiguousarray(t, dtype=float).ravel())
    actor.Modified()


def vtk_values(array) -> NDArray:
    """A numpy view of a VTK data array (writes go straight to VTK; call ``Modified()`` after)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    return vtk_to_numpy(array)
