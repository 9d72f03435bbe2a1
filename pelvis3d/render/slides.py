"""Slide layouts: 16:9 pages (1920x1080 by default) with one message and text sized for a
projector (body text >= 28 px at 1080 p, headline 60 px), as PNG, SVG or PDF.

Panels are rendered by view name (:class:`pelvis3d.render.figure.Panel`), so a slide gains
a panel of another view (e.g. a joint section) by adding one entry to its panel list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pelvis3d.kinematics import Pose
from pelvis3d.metrics import JointMetrics
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Motion
from pelvis3d.render.animation import SLIDE_SIZE, load_pelvis
from pelvis3d.render.checks import check_exaggeration, check_size
from pelvis3d.render.compose import Page, TextItem
from pelvis3d.render.figure import PANELS_PER_WORKER, Panel
from pelvis3d.render.overlays import Overlays
from pelvis3d.render.overlays.colormap import legend_note
from pelvis3d.render.overlays.text import describe_pose
from pelvis3d.render.parallel import SceneSetup, Shot, choose_workers, render_shots
from pelvis3d.render.shown_factor import page_legend_title, shown_factors, shown_statement

__all__ = [
    "HEADLINE_PX",
    "BODY_PX",
    "pose_message",
    "motion_message",
    "render_image_slide",
    "render_figure_slide",
    "slide_panels",
]

#: Font sizes at 1080 px high (scaled with the height): a headline and body text that read
#: from the back of a lecture room (assumed: common slide guidance of >= 28 px body at 1080 p).
HEADLINE_PX = 60.0
BODY_PX = 36.0
_MARGIN = 48.0
_GREY = "#4b5563"


def pose_message(pose: Pose) -> str:
    """The one message of a slide about ``pose``."""
    a = pose.as_dict()
    lr, rr = a["left_rotation"], a["right_rotation"]
    if pose.is_neutral():
        return "Neutral pelvis: the reference for every change"
    if lr > 0 or rr > 0:
        if lr < 0 or rr < 0:
            return "One side external, one internal rotation"
        return "External rotation: front opens, back closes"
    if lr < 0 or rr < 0:
        return "Internal rotation: front closes, back opens"
    return "Pelvic ring pose"


def motion_message(motion: Motion) -> str:
    """The one message of a slide animating ``motion``."""
    peaks = [k.pose for k in motion.keyframes if not k.pose.is_neutral()]
    kinds = {pose_message(p) for p in peaks}
    if any(m.startswith("External") for m in kinds) and any(m.startswith("Internal") for m in kinds):
        return "ER: front opens, back closes; IR: the reverse"
    if len(kinds) == 1:
        return next(iter(kinds))
    return motion.description[:1].upper() + motion.description[1:]


def _facts(m: JointMetrics, statement: str) -> list[str]:
    """Slide text with the true numbers (mm): the front (pubic gap) and the back (SI joints),
    then ``statement`` (the factor the picture shows, :func:`shown_statement`) on its own lines."""
    si_back = (m.si_posterior_change_mm["left"] + m.si_posterior_change_mm["right"]) / 2
    si_front = (m.si_anterior_change_mm["left"] + m.si_anterior_change_mm["right"]) / 2
    head, _, reason = statement.partition(" (")
    return [
        f"Front: pubic gap {m.pubic_gap_change_mm:+.2f} mm",
        f"Back: SI joint {si_back:+.2f} mm",
        f"SI front edge {si_front:+.2f} mm",
        f"True numbers; {head}",
        *([f"({reason}"] if reason else []),
    ]


def slide_panels(pose: Pose, view: str = "top") -> list[Panel]:
    """The panels of a one-pose slide: the pose from ``view``. A section view (when available)
    is one more entry here, e.g. ``Panel(pose, "si-section", "SI joint")``."""
    return [Panel(pose, view, "")]


def _panel_words(panel: Panel) -> str:
    """What a panel shows, in words: its title after the view (``Top view - external rotation``),
    or its pose described."""
    return panel.title.split(" - ")[-1] if panel.title else describe_pose(panel.pose)


def _scale(size: Sequence[int] | None) -> tuple[int, int, float]:
    w, h = check_size(SLIDE_SIZE if size is None else size)
    return w, h, h / 1080.0


def _render(model: Pelvis, panels, panel_size, exaggeration, overlays, workers, allow_overlap=False, legend=True):
    setup = SceneSetup(
        model.anatomy, panel_size, panels[0].view, check_exaggeration(exaggeration), Overlays.parse(overlays),
        tuple(p.pose for p in panels), allow_overlap=bool(allow_overlap), colour_legend=legend,
    )  # fmt: skip
    shots = [Shot(p.pose, p.view, p.title) for p in panels]
    n = choose_workers(workers, len(shots), min_shots_per_worker=PANELS_PER_WORKER)
    return list(render_shots(setup, shots, workers=n, pelvis=model))


def _headline(page: Page, text: str, s: float) -> None:
    page.text(TextItem(text, _MARGIN * s, 34 * s, HEADLINE_PX * s, bold=True))


def render_image_slide(
    out: Path,
    pose: Pose,
    *,
    view: str = "top",
    size: Sequence[int] | None = None,
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    workers: int | None = 1,
    allow_overlap: bool = False,
) -> Path:
    """One pose on a 16:9 slide: the headline message, the picture (4:3, left) and the true
    numbers beside it in slide-sized text. ``size`` is the whole slide in pixels."""
    model = load_pelvis(pelvis)
    w, h, s = _scale(size)
    top = int(130 * s)
    ph = h - top - int(24 * s)
    pw = min(int(ph * 4 / 3), int(w * 0.6))
    panels = slide_panels(pose, view)
    images = _render(model, panels, (pw, ph), exaggeration, overlays, workers, allow_overlap)
    page = Page(w, h)
    _headline(page, title if title is not None else pose_message(pose), s)
    x = int(_MARGIN * s)
    for image in images:
        page.image(image, x, top)
        x += image.shape[1]
    col = x + 32 * s
    factors = shown_factors(model, [pose], check_exaggeration(exaggeration), allow_overlap)
    statement = shown_statement([] if pose.is_neutral() else factors, check_exaggeration(exaggeration))
    for i, line in enumerate(_facts(model.posed(pose).metrics, statement)):
        note = i >= 3  # the grey note under the numbers: what is true, what is exaggerated
        y = top + (60 + 70 * i + (30 if note else 0) - (20 * (i - 3) if i > 3 else 0)) * s
        page.text(TextItem(line, col, y, BODY_PX * s, _GREY if note else "#1f2937"))
    return page.save(out)


def render_figure_slide(
    out: Path,
    panels: Sequence[Panel],
    *,
    size: Sequence[int] | None = None,
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    workers: int | None = None,
    allow_overlap: bool = False,
) -> Path:
    """A figure as a slide: one row of panels (the article set's top views by default when
    given the six article panels), each with a slide-sized caption, under one message."""
    model = load_pelvis(pelvis)
    w, h, s = _scale(size)
    panels = list(panels)
    if len(panels) > 3:  # one message per slide: the view that shows the message best
        top_views = [p for p in panels if p.view == "top"]
        panels = top_views[:3] if len(top_views) >= 2 else panels[:3]
    top = int(130 * s)
    caption = int(80 * s)
    pw = int((w - 2 * _MARGIN * s) // len(panels))
    ph = min(h - top - caption - int(70 * s), int(pw * 3 / 4))
    images = _render(
        model,
        [Panel(p.pose, p.view, "") for p in panels],
        (pw, ph),
        exaggeration,
        overlays,
        workers,
        allow_overlap,
        False,
    )
    page = Page(w, h)
    moving = [p.pose for p in panels if not p.pose.is_neutral()]
    message = title or (
        "ER: front opens, back closes; IR: the reverse"
        if len(moving) >= 2
        else pose_message(moving[0] if moving else Pose())
    )
    _headline(page, message, s)
    x0 = int(_MARGIN * s)
    for i, (panel, image) in enumerate(zip(panels, images, strict=True)):
        x = x0 + i * pw
        page.image(image, x, top)
        words = _panel_words(panel) if panel.title else ""
        page.text(TextItem(words, x + pw / 2, top + ph + 16 * s, BODY_PX * s, bold=True, ha="center"))
        if not panel.pose.is_neutral():
            m = model.posed(panel.pose).metrics
            back = (m.si_posterior_change_mm["left"] + m.si_posterior_change_mm["right"]) / 2
            lines = f"front {m.pubic_gap_change_mm:+.2f} mm\nback {back:+.2f} mm"
            page.text(TextItem(lines, x + pw / 2, top + ph + 70 * s, BODY_PX * s, _GREY, ha="center"))
        if i:
            page.rule(x, top, x, top + ph)
    moving_panels = [p for p in panels if not p.pose.is_neutral()]
    factors = shown_factors(model, [p.pose for p in moving_panels], check_exaggeration(exaggeration), allow_overlap)
    statement = shown_statement(factors, check_exaggeration(exaggeration), [_panel_words(p) for p in moving_panels])
    if Overlays.parse(overlays).colormap and moving:  # one colour legend for the slide
        lw = 640 * s
        page.colour_legend(
            (w - lw) / 2, top + ph + 170 * s, lw, 110 * s, page_legend_title(factors), legend_note(),
        )  # fmt: skip
    page.text(
        TextItem(
            f"{statement[:1].upper()}{statement[1:]}; the numbers on the pictures are true.",
            w / 2, h - 24 * s, BODY_PX * s * 0.85 if BODY_PX * 0.85 >= 28 else BODY_PX * s, _GREY, ha="center", va="bottom",
        )
    )  # fmt: skip
    return page.save(out)
