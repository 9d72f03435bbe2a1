"""Small validation helpers shared by the public API (one place for messages)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from pelvis3d.errors import PoseError, PoseTypeError, UnknownNameError


def real_number(value: object, name: str) -> float:
    """Return ``value`` as a finite float or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise PoseTypeError(f"{name} must be a number (degrees or mm), got {type(value).__name__} {value!r}")
    try:
        out = float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise PoseError(f"{name} is too large: {str(value)[:20]}... has {len(str(value))} digits") from None
    if not math.isfinite(out):
        raise PoseError(f"{name} must be finite, got {value!r}")
    return out


def known_name(name: object, allowed: Iterable[str], kind: str) -> str:
    """Return ``name`` if it is one of ``allowed``; otherwise raise a message listing them."""
    allowed = list(allowed)
    if not isinstance(name, str):
        raise PoseTypeError(f"{kind} name must be a string, got {type(name).__name__} {name!r}")
    if name not in allowed:
        raise UnknownNameError(f"unknown {kind} {name!r}; allowed: {', '.join(allowed)}")
    return name


#: Allowed frame rates (frames per second) of animations and recordings.
FPS_RANGE = (1.0, 120.0)
#: Allowed frame counts of one animation (memory and time stay bounded).
MAX_FRAMES = 10_000


def check_fps(value: object, name: str = "fps") -> float:
    """A frame rate in :data:`FPS_RANGE` (frames per second)."""
    fps = real_number(value, name)
    lo, hi = FPS_RANGE
    if not lo <= fps <= hi:
        raise PoseError(f"{name}={fps:g} is outside the allowed range [{lo:g}, {hi:g}] frames per second")
    return fps


def check_frames(value: object, name: str = "frames", minimum: int = 2) -> int:
    """A whole number of frames in [``minimum``, :data:`MAX_FRAMES`]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or float(value) != int(value):
        raise PoseError(f"{name} must be a whole number of frames, got {value!r}")
    n = int(value)
    if not minimum <= n <= MAX_FRAMES:
        raise PoseError(f"{name}={n} is outside the allowed range [{minimum}, {MAX_FRAMES}]")
    return n
