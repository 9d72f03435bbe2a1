"""Desktop viewer: the teaching scene in a window with sliders, toggles and keys.

Drag a slider and the pelvis moves while you drag (not only on release); the metrics text
updates with it. Keys::

    t top   b back (rear)   f front   l left   r right   u under (bottom)
    i inlet   k outlet   o oblique   n neutral (reset pose and view)
    space  play / pause the ER-IR cycle      p  screenshot (PNG)
    g  start / stop recording a GIF          h  help on / off      q  quit

Without a display it says so in one line and points to ``pelvis3d serve`` or offscreen
rendering instead of crashing.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pelvis3d.apps.drag_quality import DragQuality
from pelvis3d.errors import Pelvis3dError, PhysiologicalRangeWarning
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import get_motion

__all__ = ["NO_DISPLAY_ADVICE", "NoDisplayError", "Viewer", "view", "display_problem", "has_display", "VIEW_KEYS"]

#: Key -> view preset.
VIEW_KEYS = {
    "t": "top",
    "b": "rear",
    "f": "front",
    "l": "left",
    "r": "right",
    "u": "bottom",
    "i": "inlet",
    "k": "outlet",
    "o": "oblique",
}

#: Height of the tick-box row's lower edge (fraction of the window height): above the key help
#: (0.2) and below the labels, which never sit lower than 0.3 (pelvis3d.render.overlays.labels).
TOGGLE_ROW_HEIGHT = 0.255

#: Frames a second in a recorded GIF; each picture is held for as long as it was shown.
RECORD_FPS = 10.0
#: Longest a single unchanged picture is held in a recording, seconds (a paused teacher).
MAX_HOLD_S = 5.0

HELP = (
    "keys: t top  b back  f front  l left  r right  u under  i inlet  k outlet  o oblique\n"
    "n neutral   space play/pause   p screenshot   g record GIF   h help   q quit"
)


class NoDisplayError(Pelvis3dError, RuntimeError):
    """There is no display to open a window on."""


#: What to do instead when no window can be opened (the extra's name as in the README).
NO_DISPLAY_ADVICE = (
    "use 'pelvis3d serve' for the viewer in a browser (needs the web extra: "
    "pip install \"pelvis3d[web]\"), or 'pelvis3d image' / 'pelvis3d animate' to render offscreen"
)


def _x_display_reachable(display: str) -> bool:
    """Whether the X server named by ``display`` (``[host]:N[.S]``) accepts a connection."""
    import socket

    host, _, rest = display.rpartition(":")
    try:
        number = int(rest.split(".")[0])
    except ValueError:
        return False
    try:
        if host in ("", "unix"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1.0)
                s.connect(f"/tmp/.X11-unix/X{number}")
        else:
            socket.create_connection((host, 6000 + number), timeout=1.0).close()
    except OSError:
        return False
    return True


def display_problem() -> str | None:
    """Why no desktop window can be opened, or ``None`` when one can (Linux: X or Wayland)."""
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    display = os.environ.get("DISPLAY")
    if not display:
        return "no display found for a window"
    if not _x_display_reachable(display):
        return f"the display {display!r} named by DISPLAY cannot be opened (stale or not running)"
    return None


def has_display() -> bool:
    """Whether a desktop window can be opened (Linux: a reachable X or a Wayland display)."""
    return display_problem() is None


class Viewer:
    """A live pelvis window.

    Parameters
    ----------
    pelvis : Pelvis, optional
        Model (default: built-in).
    pose : Pose, optional
        Starting pose (true angles, degrees).
    view : str
        Starting view preset.
    exaggeration : float
        Starting display factor.
    size : (int, int)
        Window size, pixels.
    motion : str
        Motion played by the space key.
    off_screen : bool
        Build without a window (for tests and scripted screenshots).
    output_dir : path-like
        Where screenshots and recordings go (default: the current folder).
    """

    def __init__(
        self,
        pelvis: Pelvis | None = None,
        *,
        pose: Pose | None = None,
        view: str = "top",
        exaggeration: float = 5.0,
        size: Sequence[int] = (1280, 720),
        motion: str | object = "er-ir-cycle",
        off_screen: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
        exercise: str | object | None = None,
    ) -> None:
        problem = None if off_screen else display_problem()
        if problem:
            raise NoDisplayError(f"{problem}; {NO_DISPLAY_ADVICE}")
        from pelvis3d.render.backend import import_pyvista
        from pelvis3d.render.scene import PelvisScene

        pv = import_pyvista()
        self.pelvis = pelvis or Pelvis()
        self.size = (int(size[0]), int(size[1]))
        self.output_dir = Path(output_dir or ".")
        self.plotter = pv.Plotter(window_size=list(self.size), off_screen=off_screen, title="pelvis3d")
        self.exercise = None
        if exercise is not None:
            from pelvis3d.motions.exercises import get_exercise
            from pelvis3d.render.exercise import ExerciseScene

            self.exercise = get_exercise(exercise) if isinstance(exercise, str) else exercise
            self.exercise_scene = ExerciseScene(
                self.exercise,
                self.pelvis,
                size=self.size,
                exaggeration=exaggeration,
                plotter=self.plotter,
                overlays="ghost,colormap,measurements,caption",  # no leader lines across the body
            )
            self.scene = self.exercise_scene.scene
            self.exercise_scene.set_view("side")  # the whole body, from the working side
        else:
            self.scene = PelvisScene(
                self.pelvis, size=self.size, view=view, exaggeration=exaggeration, plotter=self.plotter
            )
        self.motion = get_motion(motion)
        self.linked = True
        self.playing = False
        self._play_t = 0.0
        self._last_tick = time.perf_counter()
        self._recorder = None
        self._record_path: Path | None = None
        self._shots = 0
        pose = pose or Pose()
        self.angles = {
            "left_rotation": pose.left_rotation,
            "right_rotation": pose.right_rotation,
            "tilt": (pose.left_tilt + pose.right_tilt) / 2,
            "nutation": pose.nutation,
        }
        self.sliders: dict[str, object] = {}
        self.drag = DragQuality(self.scene)
        self._build_sliders(exaggeration)
        self._build_toggles()
        self._build_keys()
        self._follow_camera()
        self.help_actor = self.scene.add_text(HELP, (0.015, 0.2), size=12, colour="#374151")
        self.help_actor.SetVisibility(False)
        self.status_actor = self.scene.add_text("h: help", (0.015, 0.17), size=11, colour="#6b7280")
        if self.scene.orient_actors:  # the "anterior" marker would sit under the sliders
            self.scene.orient_actors[2].SetVisibility(False)
        self.apply()

    # ---- widgets ------------------------------------------------------------------------
    def _build_sliders(self, exaggeration: float) -> None:
        rot = self.pelvis.dofs["left_rotation"].physiological_deg
        tilt = self.pelvis.dofs["left_tilt"].physiological_deg
        nut = self.pelvis.dofs["nutation"].physiological_deg
        specs = [
            ("left_rotation", "left rotation (deg, + external)", rot, 0.02),
            ("right_rotation", "right rotation (deg, + external)", rot, 0.215),
            ("tilt", "innominate tilt (deg, + anterior)", tilt, 0.41),
            ("nutation", "sacral nutation (deg)", nut, 0.605),
            ("exaggeration", "exaggeration (x)", (1.0, 10.0), 0.8),
        ]
        for name, title, rng, x in specs:
            value = exaggeration if name == "exaggeration" else self.angles[name]
            self.sliders[name] = self.plotter.add_slider_widget(
                lambda v, n=name: self._on_slider(n, v),
                rng=[float(rng[0]), float(rng[1])],
                value=float(value),
                title=title,
                pointa=(x, 0.935),
                pointb=(x + 0.175, 0.935),
                interaction_event="always",  # update while dragging
                style="modern",
                title_height=0.018,
                fmt="%.2f",
            )
            self._follow_interaction(self.sliders[name])

    def _build_toggles(self) -> None:
        """Tick boxes in one row at the lower left, above the key help and status line: below
        the lowest place a label can take (30% of the height), so labels never cover them.
        Boxes and captions are both placed in pixels from the lower left, so they stay
        together when the window is resized."""
        from pelvis3d.render.drawing import text_size

        self.toggles: dict[str, object] = {}
        #: each tick box as placed: (x0, y0, x1, y1), pixels from the lower left
        self.toggle_boxes: dict[str, tuple[int, int, int, int]] = {}
        self.control_actors: list = []  # captions, help and status: not part of a recording
        y = round(self.size[1] * TOGGLE_ROW_HEIGHT)
        x = 12
        for name, on in (("link sides", True), ("ghost", True), ("colormap", True), ("labels", True)):
            self.toggles[name] = self.plotter.add_checkbox_button_widget(
                lambda state, n=name: self.toggle(n, bool(state)),
                value=on,
                position=(x, y),
                size=24,
                border_size=2,
                color_on="#2563eb",
                color_off="#d1d5db",
            )
            self.toggle_boxes[name] = (x, y, x + 24, y + 24)
            caption = self.scene.add_text(name, (0.0, 0.0), size=12)
            caption.GetPositionCoordinate().SetCoordinateSystemToDisplay()
            caption.GetPositionCoordinate().SetValue(x + 30, y + 4)
            self.control_actors.append(caption)
            self.scene.text_floor_px = y + 24 + 6  # labels stay above the row of tick boxes
            # room for the caption at up to 1.5x its font size (the window may grow)
            x += 30 + int(1.5 * text_size(caption.GetTextProperty(), name)[0]) + 16

    def _build_keys(self) -> None:
        # our keys replace VTK's own: its interactor style's character keys (w wireframe,
        # s surface, f fly-to, p pick, e/q exit, r reset, 3 stereo, j/t joystick) and the
        # widgets' "i" that switches a slider off
        self.plotter.iren.interactor.RemoveObservers("CharEvent")
        for widget in [*self.sliders.values(), *self.toggles.values()]:
            widget.KeyPressActivationOff()
        for key in [*VIEW_KEYS, "n", "space", "p", "g", "h"]:
            self.plotter.clear_events_for_key(key)
        for key, view_name in VIEW_KEYS.items():
            self.plotter.add_key_event(key, lambda v=view_name: self.set_view(v))
        self.plotter.add_key_event("n", self.reset)
        self.plotter.add_key_event("space", self.toggle_play)
        self.plotter.add_key_event("p", self.screenshot)
        self.plotter.add_key_event("g", self.toggle_recording)
        self.plotter.add_key_event("h", self.toggle_help)

    def _follow_interaction(self, widget) -> None:
        """Drag quality while the hand moves (a slider or the camera), full quality when it stops."""
        from vtkmodules.vtkCommonCore import vtkCommand

        widget.AddObserver(vtkCommand.StartInteractionEvent, lambda *_: self.begin_interaction())
        widget.AddObserver(vtkCommand.EndInteractionEvent, lambda *_: self.end_interaction())

    def _follow_camera(self) -> None:
        """A mouse turn, pan or zoom: drag quality while it lasts, labels re-laid on every step
        (their leaders end on the landmarks as seen now), full quality when it ends."""
        style = self.plotter.iren.interactor.GetInteractorStyle()
        if style is None:
            return
        style.AddObserver("StartInteractionEvent", lambda *_: self.begin_interaction())
        style.AddObserver("InteractionEvent", lambda *_: self.drag.layout_due() and self.relayout_labels())
        style.AddObserver("EndInteractionEvent", lambda *_: self.end_interaction())

    def relayout_labels(self) -> None:
        """Lay the labels out again for the current camera and window (leaders to landmarks)."""
        layer = self.scene.labels
        if layer is not None and self.scene.overlay_visible("labels") and self.scene.posed is not None:
            layer.update(self.scene.posed, self.scene.shown_world_transforms(), None)

    @property
    def interacting(self) -> bool:
        """Whether the hand is on a slider or the camera (drag quality is on)."""
        return self.drag.active

    def begin_interaction(self) -> None:
        """Drag quality while dragging or turning (no multisampling, one headlight, no ghost
        or insets: :mod:`pelvis3d.apps.drag_quality`), so a software-rendered frame keeps up."""
        self.drag.begin()

    def end_interaction(self) -> None:
        """Back to full quality once the hand stops, and show it."""
        if self.drag.end():
            self.relayout_labels()
            self.plotter.render()

    # ---- actions (also the scripting API) ----------------------------------------------
    def _on_slider(self, name: str, value: float) -> None:
        if name == "exaggeration":
            with warnings.catch_warnings():  # as in apply(): the sliders' range is the user's choice
                warnings.simplefilter("ignore", PhysiologicalRangeWarning)
                self.scene.set_exaggeration(float(value))
            self._after_change()
            return
        self.set(**{name: float(value)})

    def set(self, **angles: float) -> None:
        """Set slider values by name (``left_rotation``, ``right_rotation``, ``tilt``,
        ``nutation``; degrees) and show the result. With linked sides, one rotation sets both."""
        for name, value in angles.items():
            if name not in self.angles:
                raise KeyError(f"unknown slider {name!r}; allowed: {', '.join(self.angles)}")
            self.angles[name] = float(value)
            if self.linked and name in ("left_rotation", "right_rotation"):
                other = "right_rotation" if name == "left_rotation" else "left_rotation"
                self.angles[other] = float(value)
        self._sync_sliders()
        self.apply()

    def pose(self) -> Pose:
        """The pose the sliders describe (true angles, degrees); in an exercise, on top of the
        exercise's posture at the current time."""
        a = self.angles
        ring = {
            "left_rotation": a["left_rotation"],
            "right_rotation": a["right_rotation"],
            "left_tilt": a["tilt"],
            "right_tilt": a["tilt"],
            "nutation": a["nutation"],
        }
        if self.exercise is not None:
            return self.exercise.pose_at(self._play_t).replace(**ring)
        return Pose(**ring)

    def apply(self, direction: dict | None = None) -> None:
        """Show the current slider pose (and, in an exercise, the femurs at the current time)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            if self.exercise is not None:  # the pose holds the exercise's legs at the current time
                self.exercise_scene.set_pose(self.pose(), direction=direction)
            else:
                self.scene.set_pose(self.pose(), direction=direction)
        self._after_change()

    def _after_change(self) -> None:
        self.plotter.render()
        if self._recorder is not None:
            self._record_frame()

    def _sync_sliders(self) -> None:
        for name, widget in self.sliders.items():
            if name in self.angles:
                rep = widget.GetRepresentation()
                if abs(rep.GetValue() - self.angles[name]) > 1e-9:
                    rep.SetValue(self.angles[name])

    def toggle(self, name: str, on: bool) -> None:
        """Switch ``link sides``, ``ghost``, ``colormap`` or ``labels``."""
        if name == "link sides":
            self.linked = bool(on)
            if self.linked:
                self.set(left_rotation=self.angles["left_rotation"])
            return
        self.scene.set_overlay(name, on)
        self.plotter.render()

    def set_view(self, name: str) -> None:
        """Point the camera at a preset."""
        self.scene.set_view(name)
        self.plotter.render()

    def reset(self) -> None:
        """Neutral pose, default view, playback stopped."""
        self.playing = False
        self.angles.update(left_rotation=0.0, right_rotation=0.0, tilt=0.0, nutation=0.0)
        self._sync_sliders()
        self.scene.set_view("top")
        self.apply()

    def toggle_play(self) -> None:
        """Play or pause the motion (advances on a timer while the window is open)."""
        self.playing = not self.playing
        self._last_tick = time.perf_counter()
        if self.playing and not getattr(self, "_timer_started", False):
            self._timer_started = True
            self.plotter.add_timer_event(max_steps=10**7, duration=50, callback=lambda step: self.tick())

    def tick(self, dt: float | None = None) -> None:
        """Advance the playing motion by ``dt`` seconds (default: wall-clock time since the last tick)."""
        now = time.perf_counter()
        step = (now - self._last_tick) if dt is None else float(dt)
        self._last_tick = now
        if not self.playing:
            return
        if self.exercise is not None:
            self._play_t = (self._play_t + step) % self.exercise.duration
            p = self.exercise.pose_at(self._play_t)
            direction = None
        else:
            self._play_t = (self._play_t + step) % self.motion.duration
            p = self.motion.pose_at(self._play_t)
            direction = self.motion.direction_at(self._play_t)
        self.angles.update(
            left_rotation=p.left_rotation,
            right_rotation=p.right_rotation,
            tilt=(p.left_tilt + p.right_tilt) / 2,
            nutation=p.nutation,
        )
        self._sync_sliders()
        self.apply(direction=direction)

    def screenshot(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Save what is on screen as a PNG (default: ``pelvis3d-view-NNN.png``)."""
        from pelvis3d.files import atomic_path
        from pelvis3d.render.writers import save_png

        if path is None:
            self._shots += 1
            path = self.output_dir / f"pelvis3d-view-{self._shots:03d}.png"
        out = Path(path)
        save_png(out, self.scene.screenshot()[..., :3])
        self._status(f"saved {out}")
        del atomic_path
        return out

    def toggle_recording(self) -> Path | None:
        """Start or stop recording a GIF of the 3D view (no controls), in real time: each
        picture is held for as long as it was on screen, at ``RECORD_FPS`` frames a second."""
        from pelvis3d.render.writers import GifWriter

        if self._recorder is None:
            n = 1
            while (self.output_dir / f"pelvis3d-recording-{n:03d}.gif").exists():
                n += 1
            self._record_path = self.output_dir / f"pelvis3d-recording-{n:03d}.gif"
            self._record_tmp = self._record_path.with_name(f".{self._record_path.stem}.partial.gif")
            self._recorder = GifWriter(self._record_tmp, fps=RECORD_FPS)  # a palette per frame: no colour is lost
            self._last_frame, self._last_frame_time = None, time.perf_counter()
            self._record_frame()
            self._status("recording... (g to stop)")
            return None
        self._record_frame(final=True)
        self._recorder.close()
        os.replace(self._record_tmp, self._record_path)
        self._recorder = None
        self._status(f"saved {self._record_path}")
        return self._record_path

    def view_only_picture(self) -> np.ndarray:
        """The 3D view without the sliders, tick boxes and their captions (for recordings)."""
        widgets = [w for w in [*self.sliders.values(), *self.toggles.values()] if w.GetEnabled()]
        shown = [a for a in [*self.control_actors, self.help_actor, self.status_actor] if a.GetVisibility()]
        for w in widgets:
            w.Off()
        for a in shown:
            a.SetVisibility(False)
        try:
            return self.scene.screenshot()[..., :3]
        finally:
            for w in widgets:
                w.On()
            for a in shown:
                a.SetVisibility(True)
            self.plotter.render()  # the window shows its controls again

    def _record_frame(self, *, final: bool = False) -> None:
        """Add frames at the real playback rate: the picture shown until now is repeated for the
        time it was on screen (at most MAX_HOLD_S), then the new one is added."""
        now = time.perf_counter()
        held = min(now - self._last_frame_time, MAX_HOLD_S)
        if self._last_frame is not None:
            for _ in range(max(0, int(round(held * RECORD_FPS)) - 1)):
                self._recorder.append(self._last_frame)
        if final:
            return
        self._last_frame = self.view_only_picture()
        self._last_frame_time = now
        self._recorder.append(self._last_frame)

    def toggle_help(self) -> None:
        """Show or hide the key help."""
        self.help_actor.SetVisibility(not self.help_actor.GetVisibility())
        self.plotter.render()

    def _status(self, text: str) -> None:
        self.status_actor.SetInput(text)
        print(f"pelvis3d view: {text}")  # noqa: T201
        self.plotter.render()

    def metrics_text(self) -> str:
        """The live metrics text as shown."""
        return self.scene.measure_actor.GetInput() if self.scene.measure_actor is not None else ""

    def camera_direction(self) -> np.ndarray:
        """Unit vector from the focal point to the camera (pelvis frame)."""
        cam = self.plotter.camera
        d = np.array(cam.position) - np.array(cam.focal_point)
        return d / np.linalg.norm(d)

    def open(self) -> None:
        """Open the window without blocking (scripts and tests drive it, then :meth:`close`)."""
        self.plotter.show(interactive_update=True, auto_close=False)
        self.plotter.render()

    def show(self) -> None:
        """Open the window and hand control to the user (blocks until it is closed)."""
        self.plotter.show()
        if self._recorder is not None:
            self.toggle_recording()

    def close(self) -> None:
        """Close the window."""
        if self._recorder is not None:
            self.toggle_recording()
        self.plotter.close()


def view(
    pose: Pose | None = None,
    *,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    view: str = "top",
    exaggeration: float = 5.0,
    size: Sequence[int] = (1280, 720),
) -> None:
    """Open the desktop viewer (blocks until the window is closed).

    Raises
    ------
    NoDisplayError
        When there is no display; use ``pelvis3d serve`` or offscreen rendering instead.
    """
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    Viewer(model, pose=pose, view=view, exaggeration=exaggeration, size=size).show()
