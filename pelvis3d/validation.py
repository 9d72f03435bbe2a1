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
