"""Multi-panel figures (default: the article's rear/top x neutral/ER/IR set) as PNG, SVG or PDF.

``size`` is the size of the whole output. Panels can render in worker processes with the
same pixels as a serial render. A PNG is composed pixel for pixel; an SVG or PDF holds the
rendered panels as images and every word (titles, measurements, labels) as text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pelvis3d.errors import PoseError
from pelvis3d.files import check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import DEFAULT_AMPLITUDE_DEG
from pelvis3d.render.animation import load_pelvis
from pelvis3d.render.backend import serialized
from pelvis3d.render.checks import check_exaggeration, check_size
from pelvis3d.render.compose import PAGE_SUFFIXES, Page, TextItem
from pelvis3d.render.overlays import Overlays
from pelvis3d.render.overlays.colormap import legend_note
from pelvis3d.render.parallel import SceneSetup, Shot, choose_workers, render_shots
from pelvis3d.render.shown_factor import page_legend_title, shown_factors
from pelvis3d.render.views import VIEWS
from pelvis3d.validation import known_name, real_number

__all__ = ["Panel", "ARTICLE_PANELS", "article_panels", "render_figure", "grid_geometry"]

#: Panels per process below which a figure renders in this process only: on 2 cores the
#: article's six panels took 2.3 s in one process and 4.5-5.1 s with a helper process (its
#: start, seconds, costs more than the panels it takes).
PANELS_PER_WORKER = 12


@dataclass(frozen=True)
class Panel:
    """One panel of a figure: a pose (true angles, degrees), a view and a title."""

    pose: Pose
    view: str
    title: str


def article_panels(angle: float = DEFAULT_AMPLITUDE_DEG) -> tuple[Panel, ...]:
    """The article's six panels with ``angle`` degrees of rotation per side for ER and IR."""
    a = real_number(angle, "angle")
    if a <= 0:
        raise PoseError(f"angle must be positive (degrees per side), got {angle!r}")
    return (
        Panel(Pose(), "rear", "Rear view - neutral"),
        Panel(Pose(rotation=a), "rear", "Rear view - external rotation"),
        Panel(Pose(rotation=-a), "rear", "Rear view - internal rotation"),
        Panel(Pose(), "top", "Top view - neutral"),
        Panel(Pose(rotation=a), "top", "Top view - external rotation"),
        Panel(Pose(rotation=-a), "top", "Top view - internal rotation"),
    )


#: The article's set (rear and top views; neutral, external and internal rotation), 1 deg per side
#: (internal rotation beyond ~1.3 deg closes the built-in pelvis's 4.8 mm symphysis).
ARTICLE_PANELS: tuple[Panel, ...] = article_panels()


def grid_geometry(
    count: int,
    columns: int,
    size: Sequence[int] | None,
    panel_size: Sequence[int] | None,
    title: bool,
    legend: bool = False,
) -> tuple[tuple[int, int], tuple[int, int], int]:
    """``(output size, panel size, heading height)`` in pixels for ``count`` panels.

    ``size`` (the whole output) wins over ``panel_size``; the heading takes 8-9% of the
    height when there is a title; the colour legend (``legend``) a strip of 9% under the panels.
    """
    cols = min(columns, count)
    rows = -(-count // columns)
    if size is not None:
        w, h = check_size(size)
        head = int(h * 0.08) if title else 0
        strip = int(h * 0.09) if legend else 0
        panel = (w // cols, (h - head - strip) // rows)
        check_size(panel)  # each panel must still be a picture
        return (w, h), panel, head
    pw, ph = check_size(panel_size if panel_size is not None else (800, 600))
    head = int(ph * rows * 0.09 / rows * 1.0) if title else 0
    strip = int(ph * 0.16) if legend else 0
    return (pw * cols, ph * rows + head + strip), (pw, ph), head


@serialized
def render_figure(
    path: str | os.PathLike[str],
    panels: Sequence[Panel] = ARTICLE_PANELS,
    *,
    columns: int = 3,
    size: Sequence[int] | None = None,
    panel_size: Sequence[int] | None = None,
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    workers: int | None = None,
    layout: str = "plain",
    allow_overlap: bool = False,
) -> Path:
    """Render several panels into one picture.

    Parameters
    ----------
    path : path-like
        Output ``.png``, ``.svg`` or ``.pdf`` (SVG/PDF: panels as images, all text as text).
    panels : sequence of Panel
        Pose, view and title of each panel.
    columns : int
        Panels per row.
    size : (int, int), optional
        Width and height of the whole output, pixels (default: ``panel_size`` per panel).
    panel_size : (int, int), optional
        Size of each panel when ``size`` is not given (default 800x600).
    exaggeration : float
        Display factor asked for (each panel states the factor it shows: less where more
        would put bone through bone, unless ``allow_overlap``).
    overlays : Overlays or str
        As for :func:`pelvis3d.render.layouts.render_image`.
    title : str, optional
        A heading above the panels.
    pelvis : Pelvis or path, optional
        Model.
    workers : int, optional
        Worker processes for the panels (default: automatic; 1 = this process).
    layout : str
        ``"plain"`` (a grid) or ``"slide"`` (16:9, one message, slide-sized text; see
        :func:`pelvis3d.render.slides.render_figure_slide`).
    allow_overlap : bool
        Show the full exaggeration even where bone would pass through bone (default: reduce
        it for such a panel and say so).

    Returns
    -------
    Path
    """
    out = check_output_path(path, PAGE_SUFFIXES)
    layout = known_name(layout, ("plain", "slide"), "layout")
    panels = list(panels)
    if not panels or not all(isinstance(p, Panel) for p in panels):
        raise PoseError("panels must be a non-empty sequence of pelvis3d.render.Panel")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise PoseError(f"columns must be a whole number >= 1, got {columns!r}")
    model = load_pelvis(pelvis)
    for p in panels:
        model.check_pose(p.pose)
        known_name(p.view, VIEWS, "view")
    if layout == "slide":
        from pelvis3d.render.slides import render_figure_slide

        return render_figure_slide(
            out, panels, size=size, exaggeration=exaggeration, overlays=overlays, title=title, pelvis=model,
            workers=workers, allow_overlap=allow_overlap,
        )  # fmt: skip
    overlays = Overlays.parse(overlays)
    # one colour legend for the whole figure, in a strip under the panels (none when every
    # panel is neutral: nothing is coloured)
    moving = [p.pose for p in panels if not p.pose.is_neutral()]
    legend = overlays.colormap and bool(moving)
    (w, h), panel, head = grid_geometry(len(panels), columns, size, panel_size, bool(title), legend)
    vector = out.suffix.lower() != ".png"
    setup = SceneSetup(
        model.anatomy, panel, panels[0].view, check_exaggeration(exaggeration), overlays,
        tuple(p.pose for p in panels), text_apart=vector, allow_overlap=bool(allow_overlap), colour_legend=False,
    )  # fmt: skip
    shots = [Shot(p.pose, p.view, p.title) for p in panels]
    n = choose_workers(workers, len(shots), min_shots_per_worker=PANELS_PER_WORKER)
    page = Page(w, h)
    pw, ph = panel
    cols = min(columns, len(panels))
    for i, result in enumerate(render_shots(setup, shots, workers=n, pelvis=model)):
        image, items = result if vector else (result, [])
        r, c = divmod(i, columns)
        x, y = c * pw, head + r * ph
        page.image(image, x, y)
        for item in items:
            page.text(TextItem(item.text, x + item.x, y + item.y, item.size, item.colour, item.bold, item.ha, item.va))
    rows = -(-len(panels) // columns)
    for c in range(1, cols):  # thin separators
        page.rule(c * pw, head, c * pw, head + rows * ph)
    for r in range(1, rows):
        page.rule(0, head + r * ph, cols * pw, head + r * ph)
    if title:
        page.text(TextItem(title, w / 2, head * 0.5, max(12.0, head * 0.42), bold=True, ha="center", va="center"))
    if legend:
        strip = h - (head + rows * ph)
        lw = min(w * 0.45, strip * 7.0)
        page.colour_legend(
            w - lw - strip * 0.4, head + rows * ph + strip * 0.08, lw, strip * 0.84,
            page_legend_title(shown_factors(model, moving, check_exaggeration(exaggeration), allow_overlap)),
            legend_note(),
        )  # fmt: skip
    return page.save(out)
