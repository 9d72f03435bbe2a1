"""Teaching pictures: one PNG, a multi-panel figure, and GIF / MP4 animations.

All functions render offscreen (no display needed), write their output atomically (a
failed or killed render leaves nothing under the target name) and return the path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import PoseError, PoseTypeError
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Motion, get_motion
from pelvis3d.render.scene import Overlays, PelvisScene
from pelvis3d.render.views import VIEWS
from pelvis3d.render.writers import save_png, write_gif, write_mp4
from pelvis3d.validation import known_name, real_number

__all__ = [
    "Panel",
    "ARTICLE_PANELS",
    "article_panels",
    "render_image",
    "render_figure",
    "render_animation",
    "render_frames",
]


@dataclass(frozen=True)
class Panel:
    """One panel of a figure: a pose (true angles, degrees), a view and a title."""

    pose: Pose
    view: str
    title: str


#: The article's set (rear and top views; neutral, external and internal rotation), 1 deg per side
#: (internal rotation beyond ~1.3 deg closes the built-in pelvis's 4.8 mm symphysis).
ARTICLE_PANELS: tuple[Panel, ...] = (
    Panel(Pose(), "rear", "Rear view - neutral"),
    Panel(Pose(rotation=1), "rear", "Rear view - external rotation"),
    Panel(Pose(rotation=-1), "rear", "Rear view - internal rotation"),
    Panel(Pose(), "top", "Top view - neutral"),
    Panel(Pose(rotation=1), "top", "Top view - external rotation"),
    Panel(Pose(rotation=-1), "top", "Top view - internal rotation"),
)


def article_panels(angle: float = 1.0) -> tuple[Panel, ...]:
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


def _pelvis(pelvis: Pelvis | str | os.PathLike[str] | None) -> Pelvis:
    if isinstance(pelvis, Pelvis):
        return pelvis
    return Pelvis(pelvis)


def render_image(
    pose: Pose | None,
    path: str | os.PathLike[str],
    view: str = "top",
    *,
    size: Sequence[int] = (1200, 900),
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    transparent: bool = False,
    orthographic: bool = True,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Render one pose from one view to a PNG.

    Parameters
    ----------
    pose : Pose or None
        True angles, degrees (None = neutral).
    path : path-like
        Output ``.png``.
    view : str
        A preset from :data:`pelvis3d.render.views.VIEWS` (``top``, ``rear``, ``front``, ...).
    size : (int, int)
        Width and height, pixels.
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

    Returns
    -------
    Path
        The written file.
    """
    out = check_output_path(path, (".png",))
    pose = Pose() if pose is None else pose
    if not isinstance(pose, Pose):
        raise PoseTypeError(f"pose must be a pelvis3d.Pose, got {type(pose).__name__}")
    model = _pelvis(pelvis)
    model.check_pose(pose)
    scene = PelvisScene(
        model,
        size=size,
        view=view,
        exaggeration=exaggeration,
        overlays=overlays,
        transparent=transparent,
        orthographic=orthographic,
    )
    try:
        scene.fit_postures([pose])
        scene.set_pose(pose)
        scene.set_title(_default_title(view, pose) if title is None else title)
        save_png(out, scene.screenshot())
    finally:
        scene.close()
    return out


def _default_title(view: str, pose: Pose) -> str:
    """``Top view - external rotation 1° each side``: the view and the true pose in words."""
    from pelvis3d.render.overlays.text import describe_pose
    from pelvis3d.render.views import VIEW_TITLES

    return f"{VIEW_TITLES.get(view, view.capitalize() + ' view')} - {describe_pose(pose)}"


def render_figure(
    path: str | os.PathLike[str],
    panels: Sequence[Panel] = ARTICLE_PANELS,
    *,
    columns: int = 3,
    panel_size: Sequence[int] = (800, 600),
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Render several panels into one PNG (default: the article's rear/top x neutral/ER/IR set).

    Parameters
    ----------
    path : path-like
        Output ``.png``.
    panels : sequence of Panel
        Pose, view and title of each panel.
    columns : int
        Panels per row.
    panel_size : (int, int)
        Size of each panel, pixels.
    exaggeration : float
        Display factor, the same for every panel (stated in each panel).
    overlays : Overlays or str
        As for :func:`render_image`.
    title : str, optional
        A heading above the panels.
    pelvis : Pelvis or path, optional
        Model.

    Returns
    -------
    Path
    """
    out = check_output_path(path, (".png",))
    panels = list(panels)
    if not panels or not all(isinstance(p, Panel) for p in panels):
        raise PoseError("panels must be a non-empty sequence of pelvis3d.render.Panel")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise PoseError(f"columns must be a whole number >= 1, got {columns!r}")
    model = _pelvis(pelvis)
    for p in panels:
        model.check_pose(p.pose)
        known_name(p.view, VIEWS, "view")
    scene = PelvisScene(model, size=panel_size, view=panels[0].view, exaggeration=exaggeration, overlays=overlays)
    images = []
    try:
        scene.fit_postures([p.pose for p in panels])  # one scale for every panel
        for p in panels:
            scene.set_view(p.view)
            scene.set_pose(p.pose)
            scene.set_title(p.title)
            images.append(scene.screenshot()[..., :3])
    finally:
        scene.close()
    h, w = images[0].shape[:2]
    rows = -(-len(images) // columns)
    head = int(h * 0.09) if title else 0
    sheet = np.full((rows * h + head, min(columns, len(images)) * w, 3), 255, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        sheet[head + r * h : head + (r + 1) * h, c * w : (c + 1) * w] = img
    for c in range(1, min(columns, len(images))):  # thin separators
        sheet[head:, c * w - 1 : c * w + 1] = 225
    for r in range(1, rows):
        sheet[head + r * h - 1 : head + r * h + 1, :] = 225
    if title:
        sheet[:head] = _text_banner(title, sheet.shape[1], head)
    save_png(out, sheet)
    return out


def _text_banner(text: str, width: int, height: int) -> NDArray[np.uint8]:
    """A white strip with centred text, rendered with VTK (no extra font dependency)."""
    from pelvis3d.render.backend import import_pyvista

    pv = import_pyvista()
    pl = pv.Plotter(off_screen=True, window_size=[width, height])
    pl.set_background("white")
    pl.add_text(text, position=(width / 2, height * 0.3), font_size=max(10, height // 4), color="#1f2937")
    actor = pl.renderer.actors[next(iter(pl.renderer.actors))]
    actor.GetTextProperty().SetJustificationToCentered()
    img = np.asarray(pl.screenshot(return_img=True))[..., :3]
    pl.close()
    return img


def render_frames(
    motion: Motion | str,
    *,
    frames: int | None = None,
    duration: float | None = None,
    fps: float = 20.0,
    size: Sequence[int] = (800, 600),
    view: str = "top",
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    orbit: float = 0.0,
    amplitude: float | None = None,
    title: str | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
):
    """Yield the frames of a motion as ``(H, W, 3)`` uint8 arrays, one at a time.

    ``frames`` (count) or ``duration`` (s of playback at ``fps``) sets the length; by
    default one pass of the motion at ``fps``. ``orbit`` turns the camera by that many
    degrees about the vertical over the animation (360 = a full turn).
    """
    m = get_motion(motion, amplitude)
    fps = real_number(fps, "fps")
    if not 1.0 <= fps <= 60.0:
        raise PoseError(f"fps={fps:g} is outside the allowed range [1, 60]")
    if frames is not None and duration is not None:
        raise PoseError("give frames or duration, not both")
    if duration is not None:
        d = real_number(duration, "duration")
        if d <= 0:
            raise PoseError(f"duration must be positive (s), got {duration!r}")
        frames = max(2, int(round(d * fps)))
    if frames is None:
        frames = max(2, int(round(m.duration * fps)))
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or not 2 <= frames <= 10_000:
        raise PoseError(f"frames must be a whole number in [2, 10000], got {frames!r}")
    orbit = real_number(orbit, "orbit")
    model = _pelvis(pelvis)
    times = m.sample_times(int(frames))
    for t in times:
        model.check_pose(m.pose_at(float(t)))  # limits checked before any rendering
    scene = PelvisScene(model, size=size, view=view, exaggeration=exaggeration, overlays=overlays)
    try:
        scene.set_title(title if title is not None else m.description[:1].upper() + m.description[1:])
        scene.fit_postures(m.pose_at(float(t)) for t in times)  # one camera for the whole motion
        for i, t in enumerate(times):
            if orbit:
                scene.set_view(view, azimuth=orbit * i / len(times))
            scene.set_pose(m.pose_at(float(t)), direction=m.direction_at(float(t)))
            yield scene.screenshot()[..., :3]
    finally:
        scene.close()


def render_animation(
    motion: Motion | str,
    path: str | os.PathLike[str],
    *,
    frames: int | None = None,
    duration: float | None = None,
    fps: float = 20.0,
    size: Sequence[int] = (800, 600),
    view: str = "top",
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    orbit: float = 0.0,
    amplitude: float | None = None,
    title: str | None = None,
    progress: bool | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Render a motion to a looping GIF or an MP4, streaming frames to the file.

    Parameters
    ----------
    motion : Motion or str
        A :class:`~pelvis3d.motions.Motion` or a name from :data:`pelvis3d.motions.MOTIONS`
        (e.g. ``"er-ir-cycle"``).
    path : path-like
        ``.gif`` or ``.mp4``.
    frames, duration : int or float, optional
        Frame count, or playback length in seconds (default: one pass of the motion).
    fps : float
        Frames per second (GIF delays are whole 1/100 s: 10, 20, 25 or 50 fps are exact).
    size : (int, int)
        Width, height in pixels (MP4 needs even numbers).
    view : str
        Camera preset.
    exaggeration : float
        Display factor (stated in every frame).
    overlays : Overlays or str
        As for :func:`render_image`.
    orbit : float
        Degrees the camera turns about the vertical over the animation.
    amplitude : float, optional
        Peak true rotation (deg) of a named motion (default 2).
    title : str, optional
        Title text (default: the motion's description).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    pelvis : Pelvis or path, optional
        Model.

    Returns
    -------
    Path
    """
    out = check_output_path(path, (".gif", ".mp4"))
    if out.suffix.lower() == ".mp4" and any(int(s) % 2 for s in size):
        raise PoseError(f"MP4 needs an even width and height, got size {tuple(size)}")
    stream = render_frames(
        motion, frames=frames, duration=duration, fps=fps, size=size, view=view, exaggeration=exaggeration,
        overlays=overlays, orbit=orbit, amplitude=amplitude, title=title, pelvis=pelvis,
    )  # fmt: skip
    first = next(stream)  # validates all inputs before the file is opened
    total = _frame_count(motion, frames, duration, fps, amplitude)
    show = sys.stderr.isatty() if progress is None else bool(progress)
    from tqdm import tqdm

    bar = tqdm(total=total, unit="frame", desc=out.name, disable=not show or total < 30, leave=False)
    try:
        with atomic_path(out) as tmp:
            if out.suffix.lower() == ".gif":
                write_gif(tmp, first, stream, fps, bar)
            else:
                write_mp4(tmp, first, stream, fps, bar)
    finally:
        bar.close()
        stream.close()
    return out


def _frame_count(motion, frames, duration, fps, amplitude) -> int:
    if frames is not None:
        return int(frames)
    if duration is not None:
        return max(2, int(round(float(duration) * float(fps))))
    return max(2, int(round(get_motion(motion, amplitude).duration * float(fps))))
