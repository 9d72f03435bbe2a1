"""Checks and rules of a picture's settings: its size, the exaggeration, its text scale."""

from __future__ import annotations

from collections.abc import Sequence

from pelvis3d.errors import PoseError
from pelvis3d.model import MAX_EXAGGERATION
from pelvis3d.validation import real_number

__all__ = ["check_exaggeration", "check_size", "font_scale_for"]


def font_scale_for(size: Sequence[int]) -> float:
    """Text scale of a picture of ``size`` (width, height) pixels: 1 at 600 px high."""
    return max(0.7, min(2.0, size[1] / 600, size[0] / 640))


def check_size(size: Sequence[int]) -> tuple[int, int]:
    """``(width, height)`` in pixels, each 64-8192; one clear error otherwise."""
    try:
        w, h = (int(s) for s in size)
        ok = all(float(s) == int(s) for s in size)
    except (TypeError, ValueError):
        raise PoseError(f"size must be two whole numbers (width, height) in pixels, got {size!r}") from None
    if not ok or not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise PoseError(f"size must be (width, height) with each 64-8192 pixels, got {size!r}")
    return w, h


def check_exaggeration(value: float) -> float:
    """A display factor in [1, MAX_EXAGGERATION]; one clear error otherwise."""
    v = real_number(value, "exaggeration")
    if not 1.0 <= v <= MAX_EXAGGERATION:
        raise PoseError(f"exaggeration={value!r} is outside the allowed range [1, {MAX_EXAGGERATION:g}]")
    return v
