"""A runner's view: a measured trial (e.g. an OpenSim ``.mot``) as a teaching animation.

Each frame has three parts:

* **the body running on the spot** (left): the pelvis in its measured posture (tilt, obliquity,
  rotation; the mean heading removed so the runner faces the viewer's side of the scene) and the
  legs driven by the trial's hip and knee angles. It is the exercise scene's body
  (:class:`pelvis3d.render.exercise.ExerciseScene`), on a floor placed under the lowest point the
  feet reach; the pelvis does not travel (``pelvis_tx/ty/tz`` are left out: on the spot);
* **the pelvic ring from above** (right): the three bones in the pelvis's own frame, so the
  innominates' external/internal rotation shows, with the joint-space colour map;
* **a time plot** (bottom, matplotlib): ``pelvis_tilt``, ``pelvis_list``, ``pelvis_rotation``
  (OpenSim's names and signs) and ``hip_rotation_r/l`` in degrees, with a cursor at the frame's time.

The ring's motion is not measured by motion capture: each innominate follows its hip's rotation by
the coupling of :data:`pelvis3d.motions.exercises.DEFAULT_COUPLING` (assumed), and every frame
says so. Angles of the ring are shown exaggerated (stated on the frame).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import PhysiologicalRangeWarning, PoseError
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.exercises import DEFAULT_COUPLING
from pelvis3d.motions.motion import Motion, get_motion
from pelvis3d.motions.opensim import MOTION_SUFFIXES, motion_from_opensim, opensim_from_pelvis_angles
from pelvis3d.motions.sampled import SampledMotion
from pelvis3d.render.backend import serialized
from pelvis3d.validation import real_number

__all__ = ["runner_motion", "RunnerView", "render_runner", "PLOT_CHANNELS"]

#: What the time plot shows: (label, colour); pelvis angles in OpenSim's names and signs.
PLOT_CHANNELS = (
    ("pelvis_tilt", "#1f77b4"),
    ("pelvis_list", "#2ca02c"),
    ("pelvis_rotation", "#9467bd"),
    ("hip_rotation_r", "#d62728"),
    ("hip_rotation_l", "#ff7f0e"),
)
_CURSOR = np.array([17, 24, 39], np.uint8)


def runner_motion(
    motion: Motion | SampledMotion | str | os.PathLike[str], coupling: float = DEFAULT_COUPLING
) -> SampledMotion | Motion:
    """The motion a runner's view plays: an OpenSim file is read facing forward with the ring
    following the hips by ``coupling`` (deg per deg, assumed); a motion object is used as given.
    The result stands on a floor (``support="floor"``)."""
    c = real_number(coupling, "coupling")
    if isinstance(motion, (str, os.PathLike)) and str(motion).lower().endswith(MOTION_SUFFIXES):
        m = motion_from_opensim(motion, coupling=c, face_forward=True)
    else:
        m = get_motion(motion)
    return dataclasses.replace(m, support="floor")


def _series(motion, times: NDArray) -> dict[str, NDArray]:
    """The plotted channels at ``times`` (degrees; the pelvis in OpenSim's convention)."""
    poses = [motion.pose_at(float(t)) for t in times]
    get = lambda name: np.array([getattr(p, name) for p in poses])  # noqa: E731
    tilt, list_, rotation = opensim_from_pelvis_angles(
        get("pelvis_tilt"), get("pelvis_obliquity"), get("pelvis_rotation")
    )
    return {
        "pelvis_tilt": tilt,
        "pelvis_list": list_,
        "pelvis_rotation": rotation,
        "hip_rotation_r": get("hip_rotation_r"),
        "hip_rotation_l": get("hip_rotation_l"),
    }


class _TimePlot:
    """The time plot drawn once with matplotlib; each frame copies it and draws the cursor."""

    def __init__(self, motion, size: tuple[int, int], note: str) -> None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        w, h = size
        dpi = 100.0
        fig = Figure(figsize=(w / dpi, h / dpi), dpi=dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0.07, 0.30, 0.74, 0.58))
        n = int(min(1200, max(50, motion.duration * 60)))
        times = np.linspace(0.0, motion.duration, n)
        series = _series(motion, times)
        for name, colour in PLOT_CHANNELS:
            ax.plot(times, series[name], color=colour, lw=1.2, label=name)
        ax.set_xlim(0.0, motion.duration)
        ax.set_xlabel("time (s)", fontsize=7, labelpad=1)
        ax.set_ylabel("deg", fontsize=7, labelpad=1)
        ax.tick_params(labelsize=6, length=2, pad=1)
        ax.grid(alpha=0.3, lw=0.5)
        ax.set_title("pelvis (OpenSim names and signs) and hip rotation (+ internal)", fontsize=7, pad=2)
        ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.005, 0.5), frameon=False, handlelength=1.2)
        fig.text(0.01, 0.03, note, fontsize=6.5, color="#374151")
        canvas.draw()
        self.image = np.asarray(canvas.buffer_rgba())[..., :3].copy()
        self.height = self.image.shape[0]
        x0, y0 = ax.transData.transform((0.0, ax.get_ylim()[0]))
        x1, y1 = ax.transData.transform((motion.duration, ax.get_ylim()[1]))
        self._x = (x0, x1)
        self._rows = (int(round(self.height - y1)), int(round(self.height - y0)))
        self.duration = motion.duration

    def at(self, t: float) -> NDArray[np.uint8]:
        """The plot with the cursor at time ``t`` (s)."""
        img = self.image.copy()
        x = int(round(self._x[0] + (self._x[1] - self._x[0]) * (t / self.duration if self.duration else 0.0)))
        top, bottom = self._rows
        img[top:bottom, max(0, x - 1) : x + 1] = _CURSOR
        return img

    def cursor_column(self, t: float) -> int:
        """Pixel column of the cursor at ``t`` (s)."""
        return int(round(self._x[0] + (self._x[1] - self._x[0]) * t / self.duration))


class RunnerView:
    """The three-part runner's frame (body, pelvic ring from above, time plot).

    Parameters
    ----------
    motion : SampledMotion or Motion
        As made by :func:`runner_motion` (standing on a floor).
    pelvis : Pelvis, optional
        Model (default: the built-in pelvis).
    size : (int, int)
        Whole frame in pixels.
    view : str
        Camera preset of the body panel (world frame; default from the runner's right side).
    azimuth : float
        Degrees the body camera turns about the vertical from ``view`` (default 30: a little
        from the front, so both legs and the pelvis's depth show).
    exaggeration : float
        Display factor of the pelvic-ring angles.
    coupling : float, optional
        The coupling used (for the note on the frame; default: the motion's).
    """

    def __init__(
        self,
        motion,
        pelvis: Pelvis | None = None,
        *,
        size: Sequence[int] = (640, 480),
        view: str = "right",
        azimuth: float = 30.0,
        exaggeration: float = 5.0,
        coupling: float | None = None,
    ) -> None:
        from pelvis3d.render.exercise import ExerciseScene
        from pelvis3d.render.scene import PelvisScene

        w, h = (int(s) for s in size)
        if w < 320 or h < 240:
            raise PoseError(f"a runner's view needs at least 320x240 pixels, got {w}x{h}")
        self.motion = motion
        self.pelvis = pelvis or Pelvis()
        self.size = (w, h)
        plot_h = max(110, int(round(h * 0.3)))
        top_h = h - plot_h
        body_w = int(round(w * 0.6))
        c = coupling if coupling is not None else getattr(motion, "coupling", None)
        ring = (
            f"pelvic ring ER/IR follows hip rotation: {c:g} deg per deg (assumed, not measured)"
            if c
            else "pelvic ring at neutral (no coupling)"
        )
        # the pictures state each frame's own factor; the plot is drawn once for the whole run
        note = f"{ring}; ring angles shown x{exaggeration:g} (less where more would overlap)"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            self.body = ExerciseScene(
                motion, self.pelvis, size=(body_w, top_h), exaggeration=exaggeration, overlays="caption"
            )
        self.body.scene.set_view(view, azimuth=azimuth)  # world frame: the runner's posture shows
        self.body.scene.set_title(f"{motion.name}: running on the spot")
        self.ring = PelvisScene(
            self.pelvis, size=(w - body_w, top_h), view="top", exaggeration=exaggeration, overlays="arrows"
        )
        self.ring.set_title("pelvic ring from above")
        self.plot = _TimePlot(motion, (w, plot_h), note)

    def frame(self, t: float) -> NDArray[np.uint8]:
        """The ``(H, W, 3)`` frame at time ``t`` (s)."""
        pose = self.motion.pose_at(float(t))
        direction = self.motion.direction_at(float(t))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            self.body.set_pose(pose)
            ring_pose = Pose(**pose.pelvis_angles()).replace(pelvis_tilt=0.0, pelvis_obliquity=0.0, pelvis_rotation=0.0)
            self.ring.set_pose(ring_pose, direction=direction)
        top = np.concatenate([self.body.screenshot()[..., :3], self.ring.screenshot()[..., :3]], axis=1)
        return np.ascontiguousarray(np.concatenate([top, self.plot.at(float(t))], axis=0))

    def close(self) -> None:
        self.body.close()
        self.ring.close()


@serialized
def render_runner(
    motion: Motion | SampledMotion | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    fps: float = 30.0,
    frames: int | None = None,
    span: Sequence[float] | None = None,
    size: Sequence[int] = (640, 480),
    view: str = "right",
    azimuth: float = 30.0,
    exaggeration: float = 5.0,
    coupling: float = DEFAULT_COUPLING,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> Path:
    """Render a runner's view of a trial to MP4, GIF or (one frame, mid-span) PNG.

    Parameters
    ----------
    motion : path or motion
        An OpenSim ``.mot``/``.sto`` file (read by :func:`runner_motion`) or a motion.
    path : path-like
        ``.mp4``, ``.gif`` or ``.png``.
    fps : float
        Frames per second; by default the whole trial plays in real time.
    frames : int, optional
        Frame count (default: the span's length x fps, plus one).
    span : (float, float), optional
        Render only this part: start and end (s from the trial's start); default the whole trial.
    size : (int, int)
        Frame size in pixels (even numbers for MP4).
    view, azimuth : str, float
        Camera of the body panel: a preset and a turn about the vertical (degrees).
    exaggeration : float
        Display factor of the pelvic-ring angles.
    coupling : float
        Innominate rotation per degree of hip rotation (assumed), for OpenSim files.
    pelvis : Pelvis or path, optional
        Model (e.g. an ``.osim``); default the built-in pelvis.
    """
    from tqdm import tqdm

    from pelvis3d.render.writers import save_png, write_gif, write_mp4

    out = check_output_path(path, (".mp4", ".gif", ".png"))
    suffix = out.suffix.lower()
    if suffix == ".mp4" and any(int(s) % 2 for s in size):
        raise PoseError(f"MP4 needs an even width and height, got size {tuple(size)}")
    fps = real_number(fps, "fps")
    if not 1.0 <= fps <= 60.0:
        raise PoseError(f"fps={fps:g} is outside the allowed range [1, 60]")
    m = runner_motion(motion, coupling)
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    start, end = (0.0, m.duration) if span is None else (real_number(v, "span") for v in span)
    if not 0.0 <= start < end <= m.duration + 1e-9:
        raise PoseError(f"span {start:g}..{end:g} s is not inside the motion's 0..{m.duration:g} s with start < end")
    n = int(frames) if frames is not None else max(2, int(round((end - start) * fps)) + 1)
    if not 2 <= n <= 20_000:
        raise PoseError(f"frames must be a whole number in [2, 20000], got {frames!r}")
    view_ = RunnerView(m, model, size=size, view=view, azimuth=azimuth, exaggeration=exaggeration, coupling=coupling)
    try:
        if suffix == ".png":
            save_png(out, view_.frame((start + end) / 2))
            return out
        times = np.linspace(start, end, n)
        stream = (view_.frame(float(t)) for t in times[1:])
        first = view_.frame(0.0)
        show = sys.stderr.isatty() if progress is None else bool(progress)
        bar = tqdm(total=n, unit="frame", desc=out.name, disable=not show, leave=False)
        try:
            with atomic_path(out) as tmp:
                (write_gif if suffix == ".gif" else write_mp4)(tmp, first, stream, fps, bar)
        finally:
            bar.close()
    finally:
        view_.close()
    return out
