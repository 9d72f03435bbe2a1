"""Where a magnifier inset looks and where it prints its numbers: pure 2D geometry, no VTK.

A joint space is a few millimetres wide and four to five centimetres long. An inset shows it
as large as its box allows: the whole wedge from end to end in the height under the inset's
title (the joint runs up the box: anterior up for the SI joints, superior up for the
symphysis), each end's width printed beside the wedge at the height of that end (the front
number in front, the back number behind), never on the joint. When the numbers do not fit
beside the wedge at the largest magnification, the magnification shrinks until they do.

Coordinates: ``(u, v)`` millimetres in the section plane (u to the box's right, v up), pixels
from the box's bottom left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["InsetLayout", "layout_inset", "densify", "rect_hits_outline"]

#: Each attempt shrinks the magnification by this factor.
_SHRINK = 0.93
_ATTEMPTS = 24


@dataclass(frozen=True)
class InsetLayout:
    """The inset's magnification, where the wedge's centre lands, and the numbers' boxes.

    ``scale`` is pixels per millimetre; ``centre_px`` is where the point ``(0, 0)`` of the
    ``(u, v)`` plane is drawn (pixels from the box's bottom left); ``texts`` holds each
    number's box ``(left, bottom, right, top)`` in pixels from the box's bottom left.
    """

    scale: float
    centre_px: tuple[float, float]
    texts: tuple[tuple[float, float, float, float], ...]

    def to_px(self, uv: NDArray) -> NDArray:
        """Pixels (from the box's bottom left) of plane points ``(N, 2)`` mm."""
        return np.asarray(uv, float) * self.scale + np.asarray(self.centre_px)


def densify(polyline: NDArray, step: float) -> NDArray:
    """``polyline`` ``(N, 2)`` with points added so no two neighbours are more than ``step`` apart."""
    pts = np.asarray(polyline, float)
    if len(pts) < 2:
        return pts
    seg = np.diff(pts, axis=0)
    n = np.maximum(1, np.ceil(np.linalg.norm(seg, axis=1) / step).astype(int))
    start = np.repeat(np.arange(len(seg)), n)  # the segment of each new point
    t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 1) / np.repeat(n, n)
    return np.vstack([pts[:1], pts[start] + seg[start] * t[:, None]])


def rect_hits_outline(rect: Sequence[float], outline: NDArray) -> bool:
    """Whether the box ``(left, bottom, right, top)`` holds a point of ``outline`` ``(N, 2)``
    (a closed outline densified finer than the box: a box clear of its points is clear of it)."""
    x0, y0, x1, y1 = rect
    p = np.asarray(outline, float)
    return bool(((p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)).any())


def _overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layout_inset(
    outline_uv: NDArray,
    ends_uv: Sequence[NDArray],
    text_sizes: Sequence[tuple[float, float]],
    box: tuple[float, float],
    top_reserved: float,
    pad: float = 4.0,
) -> InsetLayout:
    """Magnify the wedge as much as the box allows with every number beside it.

    Parameters
    ----------
    outline_uv : (N, 2) array
        The wedge's outline in the plane, mm (closed; any density).
    ends_uv : sequence of (2,) arrays
        Where each number belongs (a joint end), mm.
    text_sizes : sequence of (float, float)
        Each number's box, width and height in pixels (with its background margin).
    box : (float, float)
        The inset's width and height, pixels.
    top_reserved : float
        Pixels at the top of the box kept for the inset's title.
    pad : float
        Pixels kept between a number and the wedge or the box's edges.

    Returns
    -------
    InsetLayout
    """
    outline = np.asarray(outline_uv, float)
    w, h = float(box[0]), float(box[1])
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    usable_h = max(h - top_reserved - 2 * pad, 1.0)
    scale = min(usable_h / span[1], (w - 2 * pad) / span[0])
    best: InsetLayout | None = None
    for _ in range(_ATTEMPTS):
        # the wedge's middle at the middle of the height under the title; across, try the
        # middle of the box, then nearer either side (room for the numbers on the other)
        cy = pad + usable_h / 2 - (lo[1] + hi[1]) / 2 * scale
        room = w - 2 * pad - span[0] * scale
        for shift in (0.0, -0.25, 0.25, -0.5, 0.5, -0.75, 0.75, -1.0, 1.0):
            cx = w / 2 - (lo[0] + hi[0]) / 2 * scale + shift * room / 2
            layout = _place_texts(outline, ends_uv, text_sizes, (w, h), top_reserved, pad, scale, (cx, cy))
            if layout is not None:
                return layout
            if best is None:
                best = InsetLayout(scale, (cx, cy), ())
        scale *= _SHRINK
    # nothing fits (a tiny box): the largest wedge, numbers at their ends clamped into the box
    assert best is not None
    texts = []
    for end, (tw, th) in zip(ends_uv, text_sizes, strict=True):
        x, y = best.to_px(np.asarray(end)[None])[0]
        left = min(max(x - tw / 2, 0.0), w - tw)
        bottom = min(max(y - th / 2, 0.0), h - top_reserved - th)
        texts.append((left, bottom, left + tw, bottom + th))
    return InsetLayout(best.scale, best.centre_px, tuple(texts))


def _place_texts(outline, ends_uv, text_sizes, box, top_reserved, pad, scale, centre) -> InsetLayout | None:
    """Each number beside the wedge at its end's height, on whichever side has room; ``None``
    when a number fits nowhere (the caller shrinks the wedge)."""
    w, h = box
    layout = InsetLayout(float(scale), (float(centre[0]), float(centre[1])), ())
    px = densify(layout.to_px(outline), 1.0)
    inside = (px[:, 0] >= pad) & (px[:, 0] <= w - pad) & (px[:, 1] >= pad) & (px[:, 1] <= h - top_reserved)
    if not inside.all():  # the whole wedge must be seen
        return None
    mid_y = (px[:, 1].min() + px[:, 1].max()) / 2
    placed: list[tuple[float, float, float, float]] = []
    for end, (tw, th) in zip(ends_uv, text_sizes, strict=True):
        ex, ey = layout.to_px(np.asarray(end, float)[None])[0]
        # level with the end, else moved away from the wedge's middle by half its height
        away = th / 2 if ey >= mid_y else -th / 2
        beside = []
        for centre_y in (ey, ey + away):
            bottom = min(max(centre_y - th / 2, pad), h - top_reserved - pad - th)
            band = px[(px[:, 1] >= bottom - pad) & (px[:, 1] <= bottom + th + pad)]
            sides = [(band[:, 0].max() + pad, bottom), (band[:, 0].min() - pad - tw, bottom)] if len(band) else []
            # the side nearer the end's own position first (the number next to its end)
            beside += sorted(sides or [(ex - tw / 2, bottom)], key=lambda at: abs(at[0] + tw / 2 - ex))
        # else beyond the end: above the upper end, below the lower one
        centred = min(max(ex - tw / 2, pad), w - pad - tw)
        column = px[(px[:, 0] >= centred - pad) & (px[:, 0] <= centred + tw + pad)]
        if len(column):
            beyond = column[:, 1].max() + pad if ey >= mid_y else column[:, 1].min() - pad - th
        else:
            beyond = ey - th / 2
        for left, low in [*beside, (centred, beyond)]:
            rect = (left, low, left + tw, low + th)
            if left < pad - 1e-9 or left + tw > w - pad + 1e-9 or low < pad - 1e-9 or low + th > h - top_reserved:
                continue
            if rect_hits_outline(rect, px) or any(_overlap(rect, other) for other in placed):
                continue
            placed.append(rect)
            break
        else:
            return None
    return InsetLayout(layout.scale, layout.centre_px, tuple(placed))
