"""Teaching pictures: one PNG, a multi-panel figure, and GIF / MP4 animations.

All functions render offscreen (no display needed), write their output atomically (a
failed or killed render leaves nothing under the target name) and return the path.
Figures live in :mod:`pelvis3d.render.figure`, animations in :mod:`pelvis3d.render.animation`,
slides in :mod:`pelvis3d.render.slides`; their functions are importable from here too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pelvis3d.errors import PoseTypeError
from pelvis3d.files import check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.render.animation import load_pelvis, render_animation, render_frames
from pelvis3d.render.backend import serialized
from pelvis3d.render.figure import ARTICLE_PANELS, Panel, article_panels, render_figure
from pelvis3d.render.scene import Overlays, PelvisScene
from pelvis3d.render.writers import save_png
from pelvis3d.validation import known_name

__all__ = [
    "Panel",
    "ARTICLE_PANELS",
    "article_panels",
    "render_image",
    "render_figure",
    "render_animation",
    "render_frames",
    "default_title",
]


@serialized
def render_image(
    pose: Pose | None,
    path: str | os.PathLike[str],
    view: str = "top",
    *,
    size: Sequence[int] | None = None,
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    transparent: bool = False,
    orthographic: bool = True,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    layout: str = "plain",
    allow_overlap: bool = False,
) -> Path:
    """Render one pose from one view to a PNG (a slide: also SVG or PDF).

    Parameters
    ----------
    pose : Pose or None
        True angles, degrees (None = neutral).
    path : path-like
        Output ``.png``.
    view : str
        A preset from :data:`pelvis3d.render.views.VIEWS` (``top``, ``rear``, ``front``, ...).
    size : (int, int), optional
        Width and height of the output, pixels (default 1200x900; 1920x1080 for a slide).
    exaggeration : float
        Display factor for the pelvic-ring angles (stated on the image).
    overlays : Overlays or str
        ``"all"`` (default), ``"none"`` or names: labels, ghost, arrows, colormap,
        measurements, caption, orientation.
    transparent : bool
        Transparent background.
    orthographic : bool
        Parallel projection.
    title : str, optional
        Title text (default: view and pose).
    pelvis : Pelvis or path, optional
        Model (default: built-in).
    layout : str
        ``"plain"`` or ``"slide"`` (16:9 with the message and the true numbers in slide-sized
        text beside the picture; see :func:`pelvis3d.render.slides.render_image_slide`).
    allow_overlap : bool
        Show the full exaggeration even where it would put bone through bone. By default a
        pose whose exaggerated joints would touch is shown at the largest factor (to 0.1) that
        keeps them apart, and the caption says "x3.2 - more would overlap".

    Returns
    -------
    Path
        The written file.
    """
    layout = known_name(layout, ("plain", "slide"), "layout")
    out = check_output_path(path, (".png", ".svg", ".pdf") if layout == "slide" else (".png",))
    pose = Pose() if pose is None else pose
    if not isinstance(pose, Pose):
        raise PoseTypeError(f"pose must be a pelvis3d.Pose, got {type(pose).__name__}")
    model = load_pelvis(pelvis)
    model.check_pose(pose)
    if layout == "slide":
        from pelvis3d.render.slides import render_image_slide

        return render_image_slide(
            out, pose, view=view, size=size, exaggeration=exaggeration, overlays=overlays, title=title, pelvis=model,
            allow_overlap=allow_overlap,
        )  # fmt: skip
    size = (1200, 900) if size is None else size
    scene = PelvisScene(
        model,
        size=size,
        view=view,
        exaggeration=exaggeration,
        overlays=overlays,
        transparent=transparent,
        orthographic=orthographic,
        allow_overlap=allow_overlap,
    )
    try:
        scene.fit_postures([pose])
        scene.set_pose(pose)
        scene.set_title(default_title(view, pose) if title is None else title)
        save_png(out, scene.screenshot())
    finally:
        scene.close()
    return out


def default_title(view: str, pose: Pose) -> str:
    """``Top view - external rotation 1° each side``: the view and the true pose in words."""
    from pelvis3d.render.overlays.text import describe_pose
    from pelvis3d.render.views import VIEW_TITLES

    return f"{VIEW_TITLES.get(view, view.capitalize() + ' view')} - {describe_pose(pose)}"
