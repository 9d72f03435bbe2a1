"""Animations: the frames of a motion, streamed to a GIF or an MP4.

Frames can be rendered in worker processes (:mod:`pelvis3d.render.parallel`); the file is
the same either way. Every frame carries a phase indicator (``ER · neutral · IR``), and
neutral frames show no arrows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import PoseError
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Motion, get_motion
from pelvis3d.render.backend import serialized
from pelvis3d.render.checks import check_exaggeration, check_size, font_scale_for
from pelvis3d.render.overlays import Overlays
from pelvis3d.render.parallel import SceneSetup, Shot, choose_workers, render_shots
from pelvis3d.render.phase import motion_phases
from pelvis3d.render.views import VIEWS
from pelvis3d.render.writers import write_gif, write_mp4
from pelvis3d.validation import known_name, real_number

__all__ = ["render_frames", "render_animation", "animation_shots", "SLIDE_SIZE", "SLIDE_BODY_PX", "slide_text_scale"]

#: A 16:9 slide at full HD, the size of ``layout="slide"`` (pixels).
SLIDE_SIZE = (1920, 1080)
#: Smallest body text of an animated slide at 1080 px high (assumed: common slide guidance of
#: >= 28 px at 1080 p), scaled with the height.
SLIDE_BODY_PX = 28.0
#: The body text of a scene (measurements, labels) at a 600 px high picture, px.
_SCENE_BODY_PX = 13.0


def slide_text_scale(size: Sequence[int]) -> float:
    """How much larger a slide's in-scene text must be than a picture's of the same size, so
    its body text is at least :data:`SLIDE_BODY_PX` (scaled with the height)."""
    w, h = check_size(size)
    return max(1.0, SLIDE_BODY_PX * h / 1080 / (_SCENE_BODY_PX * font_scale_for((w, h))) * 1.02)


def load_pelvis(pelvis: Pelvis | str | os.PathLike[str] | None) -> Pelvis:
    """``pelvis`` itself, or the model at that path (the built-in one for ``None``)."""
    return pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)


def _frame_times(m: Motion, frames, duration, fps) -> NDArray:
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
    return m.sample_times(int(frames))


def animation_shots(
    motion: Motion, times: Sequence[float], view: str, orbit: float, title: str
) -> tuple[tuple[str, ...], list[Shot]]:
    """The phase names and one :class:`Shot` per time: neutral frames get no arrows."""
    names, active = motion_phases(motion, times)
    neutral = names.index("neutral") if "neutral" in names else -1
    shots = []
    for i, t in enumerate(times):
        pose = motion.pose_at(float(t))
        if active[i] == neutral:
            direction = {"left": 0, "right": 0}  # nothing is pushed at rest: no arrows
        else:  # the way each side moves; at a turning point, the way it is turned
            moving = motion.direction_at(float(t))
            direction = {
                side: moving[side] or int(np.sign(getattr(pose, f"{side}_rotation"))) for side in ("left", "right")
            }
        shots.append(
            Shot(
                pose,
                view,
                title,
                azimuth=orbit * i / len(times) if orbit else 0.0,
                direction=direction,
                phase=active[i],
            )
        )
    return names, shots


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
    workers: int | None = 1,
    phase: bool = True,
    allow_overlap: bool = False,
    text_scale: float = 1.0,
) -> Iterator[NDArray[np.uint8]]:
    """Yield the frames of a motion as ``(H, W, 3)`` uint8 arrays, one at a time.

    ``frames`` (count) or ``duration`` (s of playback at ``fps``) sets the length; by
    default one pass of the motion at ``fps``. ``orbit`` turns the camera by that many
    degrees about the vertical over the animation (360 = a full turn). ``workers``: worker
    processes (1 = this process; ``None`` = automatic, see
    :func:`pelvis3d.render.parallel.choose_workers`). ``phase``: draw the phase indicator.
    ``allow_overlap``: show the full exaggeration on every frame, even where bone would pass
    through bone (default: such frames show the largest factor that keeps the joints apart).
    ``text_scale``: all in-scene text this much larger (slides).
    All inputs are checked before the first frame is rendered.
    """
    m = get_motion(motion, amplitude)
    times = _frame_times(m, frames, duration, fps)
    orbit = real_number(orbit, "orbit")
    size = check_size(size)
    known_name(view, VIEWS, "view")
    exaggeration = check_exaggeration(exaggeration)
    model = load_pelvis(pelvis)
    poses = [m.pose_at(float(t)) for t in times]
    for p in poses:
        model.check_pose(p)  # limits checked before any rendering
    text = title if title is not None else m.description[:1].upper() + m.description[1:]
    names, shots = animation_shots(m, times, view, orbit, text)
    setup = SceneSetup(
        model.anatomy,
        size,
        view,
        exaggeration,
        Overlays.parse(overlays),
        tuple(poses),
        phases=names if phase else (),
        allow_overlap=bool(allow_overlap),
        text_scale=float(text_scale),
    )
    n = choose_workers(workers, len(shots))
    return render_shots(setup, shots, workers=n, pelvis=model)


@serialized
def render_animation(
    motion: Motion | str,
    path: str | os.PathLike[str],
    *,
    frames: int | None = None,
    duration: float | None = None,
    fps: float = 20.0,
    size: Sequence[int] | None = None,
    view: str = "top",
    exaggeration: float = 5.0,
    overlays: Overlays | str | Iterable[str] | None = None,
    orbit: float = 0.0,
    amplitude: float | None = None,
    title: str | None = None,
    progress: bool | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    workers: int | None = None,
    layout: str = "plain",
    allow_overlap: bool = False,
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
    size : (int, int), optional
        Width, height of the output in pixels (MP4 needs even numbers); default 800x600,
        1920x1080 for ``layout="slide"``.
    view : str
        Camera preset.
    exaggeration : float
        Display factor (stated in every frame).
    overlays : Overlays or str
        As for :func:`pelvis3d.render.layouts.render_image`.
    orbit : float
        Degrees the camera turns about the vertical over the animation.
    amplitude : float, optional
        Peak true rotation (deg) of a named motion (default 1).
    title : str, optional
        Title text (default: the motion's description; for a slide, its message).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    pelvis : Pelvis or path, optional
        Model.
    workers : int, optional
        Worker processes rendering frames (default: automatic; 1 = this process only).
        The file is the same whatever the number.
    layout : str
        ``"plain"`` or ``"slide"`` (16:9, the slide's message as the title).
    allow_overlap : bool
        Show the full exaggeration on every frame, even where bone would pass through bone
        (default: such frames show the largest factor that keeps the joints apart, and say so).

    Returns
    -------
    Path
    """
    out = check_output_path(path, (".gif", ".mp4"))
    layout = known_name(layout, ("plain", "slide"), "layout")
    if size is None:
        size = SLIDE_SIZE if layout == "slide" else (800, 600)
    if out.suffix.lower() == ".mp4" and any(int(s) % 2 for s in size):
        raise PoseError(f"MP4 needs an even width and height, got size {tuple(size)}")
    if layout == "slide" and title is None:
        from pelvis3d.render.slides import motion_message

        title = motion_message(get_motion(motion, amplitude))
    stream = render_frames(
        motion, frames=frames, duration=duration, fps=fps, size=size, view=view, exaggeration=exaggeration,
        overlays=overlays, orbit=orbit, amplitude=amplitude, title=title, pelvis=pelvis, workers=workers, allow_overlap=allow_overlap,
        text_scale=slide_text_scale(size) if layout == "slide" else 1.0,
    )  # fmt: skip
    total = len(_frame_times(get_motion(motion, amplitude), frames, duration, fps))
    show = sys.stderr.isatty() if progress is None else bool(progress)
    from tqdm import tqdm

    bar = tqdm(total=total, unit="frame", desc=out.name, disable=not show or total < 30, leave=False)
    try:
        first = next(stream)
        with atomic_path(out) as tmp:
            if out.suffix.lower() == ".gif":
                write_gif(tmp, first, stream, fps, bar)
            else:
                write_mp4(tmp, first, stream, fps, bar)
    finally:
        bar.close()
        stream.close()
    return out
