"""Text bands and the pelvis inset of exercise pictures (Pillow, fonts from matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["caption_band", "compose_panel"]


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False):
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, size)


def caption_band(width: int, lines: Sequence[tuple[str, str]], scale: float = 1.0) -> NDArray[np.uint8]:
    """A white band ``width`` px wide with one line per ``(style, text)``; style is ``"title"``,
    ``"phase"`` (bold, dark blue), ``"note"`` (grey) or ``"warn"`` (dark orange)."""
    from PIL import Image, ImageDraw

    styles = {
        "title": (int(19 * scale), True, (17, 24, 39)),
        "phase": (int(17 * scale), True, (30, 64, 175)),
        "note": (int(13 * scale), False, (75, 85, 99)),
        "warn": (int(13 * scale), False, (180, 83, 9)),
    }
    pad = int(8 * scale)
    height = pad + sum(styles[s][0] + int(6 * scale) for s, _ in lines) + pad
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y = pad
    for style, text in lines:
        size, bold, colour = styles[style]
        font = _font(size, bold)
        while draw.textlength(text, font=font) > width - 2 * pad and len(text) > 4:  # too long: shorten
            text = text[:-2].rstrip() + "…"
        draw.text((pad, y), text, fill=colour, font=font)
        y += size + int(6 * scale)
    return np.asarray(img)


def compose_panel(
    caption: NDArray[np.uint8], body: NDArray[np.uint8], inset: NDArray[np.uint8] | None
) -> NDArray[np.uint8]:
    """Caption above; the body picture with the pelvis inset to its right (never over the body)."""
    row = body if inset is None else np.concatenate([body, _fit_height(inset, body.shape[0])], axis=1)
    band = caption
    if band.shape[1] < row.shape[1]:
        band = np.concatenate([band, np.full((band.shape[0], row.shape[1] - band.shape[1], 3), 255, np.uint8)], axis=1)
    return np.concatenate([band[:, : row.shape[1]], row], axis=0)


def _fit_height(img: NDArray[np.uint8], height: int) -> NDArray[np.uint8]:
    if img.shape[0] == height:
        return img
    out = np.full((height, img.shape[1], 3), 255, np.uint8)
    h = min(height, img.shape[0])
    out[:h] = img[:h]
    return out
