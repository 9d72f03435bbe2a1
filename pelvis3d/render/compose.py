"""Compose rendered panels and text into one page with matplotlib: PNG, SVG or PDF.

Panels are placed pixel for pixel (``Figure.figimage``: no resampling); text is matplotlib
text, so an SVG keeps every word as ``<text>`` and a PDF as real (TrueType) text.
Sizes are in pixels of the output; a 1080 px high page maps 1 px to 1 px.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.files import atomic_path

__all__ = ["Page", "TextItem", "PAGE_SUFFIXES"]

PAGE_SUFFIXES = (".png", ".svg", ".pdf")
_DPI = 100.0


@dataclass(frozen=True)
class TextItem:
    """Text at ``(x, y)`` pixels from the page's top left; ``size`` is the font size in pixels."""

    text: str
    x: float
    y: float
    size: float
    colour: str = "#1f2937"
    bold: bool = False
    ha: str = "left"
    va: str = "top"


class Page:
    """A white page of ``width`` x ``height`` pixels to place panels and text on."""

    def __init__(self, width: int, height: int) -> None:
        from matplotlib.figure import Figure

        self.width, self.height = int(width), int(height)
        self.figure = Figure(figsize=(self.width / _DPI, self.height / _DPI), dpi=_DPI, facecolor="white")
        self.texts: list = []

    def image(self, image: NDArray[np.uint8], x: int, y: int) -> None:
        """Place ``image`` (``(H, W, 3)`` uint8) with its top left at pixel ``(x, y)``."""
        h = image.shape[0]
        self.figure.figimage(np.asarray(image)[..., :3], xo=int(x), yo=int(self.height - y - h), origin="upper")

    def rule(self, x0: float, y0: float, x1: float, y1: float, colour: str = "#e1e1e1", width: float = 2.0) -> None:
        """A thin line between two pixel positions (e.g. between panels)."""
        from matplotlib.lines import Line2D

        self.figure.add_artist(
            Line2D(
                [x0 / self.width, x1 / self.width],
                [1 - y0 / self.height, 1 - y1 / self.height],
                color=colour,
                linewidth=width * 72 / _DPI,
                transform=self.figure.transFigure,
            )
        )

    def text(self, item: TextItem):
        """Place a :class:`TextItem`; returns the matplotlib text artist."""
        artist = self.figure.text(
            item.x / self.width,
            1 - item.y / self.height,
            item.text,
            fontsize=item.size * 72 / _DPI,
            color=item.colour,
            fontweight="bold" if item.bold else "normal",
            ha=item.ha,
            va=item.va,
            family="DejaVu Sans",
            linespacing=1.25,
        )
        self.texts.append(artist)
        return artist

    def colour_legend(self, x: float, y: float, width: float, height: float, title: str, note: str) -> None:
        """The joint-space colour legend in the box at pixel ``(x, y)`` (top left), ``width`` x
        ``height``: ``title`` above a red-white-blue bar ("compression", "0", "gapping" under it)
        and ``note`` (the full-colour changes) below; words as text."""
        from pelvis3d.render.overlays.colormap import COMPRESSION_COLOUR, GAPPING_COLOUR

        font = max(9.0, height * 0.2)
        bar_h = height * 0.26
        bar_top = y + font * 1.35
        ax = self.figure.add_axes(
            (x / self.width, 1 - (bar_top + bar_h) / self.height, width / self.width, bar_h / self.height)
        )
        ax.imshow(np.linspace(-1, 1, 256)[None, :], cmap="RdBu", aspect="auto", extent=(-1, 1, 0, 1))
        ax.set_axis_off()
        self.text(TextItem(title, x + width / 2, y, font, ha="center"))
        words = bar_top + bar_h + font * 0.25
        self.text(TextItem("compression", x, words, font, COMPRESSION_COLOUR))
        self.text(TextItem("0", x + width / 2, words, font, ha="center"))
        self.text(TextItem("gapping", x + width, words, font, GAPPING_COLOUR, ha="right"))
        self.text(TextItem(note, x + width, words + font * 1.3, font * 0.9, "#4b5563", ha="right"))

    def text_heights(self) -> list[float]:
        """The height in pixels of each text's box, as drawn (one line = the font's line height)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(self.figure)
        renderer = canvas.get_renderer()
        return [t.get_window_extent(renderer).height / max(1, t.get_text().count("\n") + 1) for t in self.texts]

    def save(self, path: Path) -> Path:
        """Write the page (format from the suffix), atomically."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self.figure)
        fmt = path.suffix.lower().lstrip(".")
        rc = {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "pelvis3d"}
        with matplotlib.rc_context(rc), atomic_path(path) as tmp:
            meta = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else None)
            self.figure.savefig(tmp, format=fmt, dpi=_DPI, facecolor="white", metadata=meta)
        return path
