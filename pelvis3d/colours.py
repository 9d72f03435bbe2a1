"""Colours that belong to the bodies themselves, shared by pictures and exported files."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["BODY_COLOURS", "hex_to_rgb"]

#: One colour per body, kept in every picture and exported material (bone-like, told apart at a glance).
BODY_COLOURS: Mapping[str, str] = {
    "sacrum": "#d7a77e",
    "left_innominate": "#ece3cf",
    "right_innominate": "#e2d3b4",
}


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` as 0-255 integers."""
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
