"""Render many shots of one scene, serially or in worker processes.

A *shot* is what one picture needs (pose, view, title, arrow direction, phase); a
:class:`SceneSetup` is what every shot shares (model, size, exaggeration, overlays, the
postures the camera is fitted to). :func:`render_shots` yields the pictures in order.

With ``workers > 1`` helper processes (:mod:`pelvis3d.render.shot_pool`) each build their own
offscreen scene and, once ready, take chunks of shots; this process renders every shot no
helper has taken, from the first on, so nothing waits for a helper to start. Every shot is
rendered by the same :class:`ShotRenderer` code in any process and in any order, so a parallel
render gives the same pixels as the serial one (tested).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import Anatomy
from pelvis3d.errors import PoseError
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.render.overlays import Overlays
from pelvis3d.render.shot_pool import main_script_hidden

__all__ = ["SceneSetup", "Shot", "ShotRenderer", "render_shots", "choose_workers", "spawn_pool", "MAX_WORKERS"]

#: More workers than this rarely pays: each holds a GL context and a copy of the model.
MAX_WORKERS = 8
#: Pictures made here are drawn this many times larger without multisampling and resized down
#: (see :class:`pelvis3d.render.scene.PelvisScene`): on Mesa's software rasteriser that
#: anti-aliases at about half the cost of multisampling (``benchmarks/bench_render.py``).
SUPERSAMPLE = 1.5
#: The largest side drawn when supersampling (pixels); larger pictures use multisampling.
MAX_DRAWN_SIDE = 6144


def supersample_for(size: Sequence[int]) -> float:
    """The supersampling factor for a picture of ``size`` (width, height) pixels: 1 (multisampling)
    when the drawing would be larger than :data:`MAX_DRAWN_SIDE`."""
    return SUPERSAMPLE if max(size) * SUPERSAMPLE <= MAX_DRAWN_SIDE else 1.0


@dataclass(frozen=True)
class Shot:
    """One picture: a pose (true angles, degrees) from a view.

    ``direction`` (``{"left": +1/-1/0, "right": ...}``) drives the arrows; ``phase`` is the
    index of the active phase for an animation's phase indicator (``None``: no indicator).
    """

    pose: Pose
    view: str
    title: str = ""
    azimuth: float = 0.0
    direction: Mapping[str, int] | None = None
    phase: int | None = None


@dataclass(frozen=True)
class SceneSetup:
    """What all shots of a job share; picklable, so workers can rebuild the scene."""

    anatomy: Anatomy
    size: tuple[int, int]
    view: str
    exaggeration: float
    overlays: Overlays
    fit_poses: tuple[Pose, ...]
    transparent: bool = False
    orthographic: bool = True
    phases: tuple[str, ...] = field(default_factory=tuple)
    text_apart: bool = False  # return the scene's text as TextItems, not in the pixels (vector pages)
    allow_overlap: bool = False  # show the full exaggeration even where bone would pass through bone
    colour_legend: bool = True  # False: no colour legend in the pictures (a figure draws one for all)
    text_scale: float = 1.0  # all text this much larger (slides)


class ShotRenderer:
    """An offscreen scene built from a :class:`SceneSetup` that renders :class:`Shot` s.

    Parameters
    ----------
    setup : SceneSetup
        Shared settings.
    pelvis : Pelvis, optional
        The model, when already built in this process (workers build their own).
    """

    def __init__(self, setup: SceneSetup, pelvis: Pelvis | None = None) -> None:
        from pelvis3d.render.phase import PhaseIndicator
        from pelvis3d.render.scene import PelvisScene

        model = pelvis if pelvis is not None else Pelvis(setup.anatomy)
        self.scene = PelvisScene(
            model,
            size=setup.size,
            view=setup.view,
            exaggeration=setup.exaggeration,
            overlays=setup.overlays,
            transparent=setup.transparent,
            orthographic=setup.orthographic,
            allow_overlap=setup.allow_overlap,
            text_scale=setup.text_scale,
            supersample=supersample_for(setup.size),
        )
        colours = self.scene.layer("colormap")
        if colours is not None and not setup.colour_legend:
            colours.legend = False  # type: ignore[attr-defined]
        with self.scene.deferred_layout():  # labels laid out once, for the final framing
            self.scene.fit_postures(setup.fit_poses)
            self.phase = PhaseIndicator(self.scene, setup.phases) if setup.phases else None
        self.text_apart = setup.text_apart
        self._warm_up(setup.fit_poses)
        self._view: tuple[str, float] = (self.scene.view, 0.0)

    def _warm_up(self, poses: Sequence[Pose]) -> None:
        """Render once with every overlay shown (the largest pose, arrows on): VTK lays out some
        2D actors (the colour legend) differently the first time they are drawn, so every
        scene, serial or in a worker, starts its real pictures from the same state."""
        moved = [p for p in poses if not p.is_neutral()]
        if not moved:
            return
        largest = max(moved, key=lambda p: max(abs(v) for v in p.as_dict().values()))
        self.scene.set_pose(largest, direction={"left": 1, "right": 1})
        self.scene.render()

    def render(self, shot: Shot) -> NDArray[np.uint8]:
        """The picture of ``shot``: ``(H, W, 3)`` uint8, or ``(H, W, 4)`` when transparent."""
        if self.text_apart:
            self._show(shot)
            return self._picture_and_text()  # type: ignore[return-value]
        return self.finish(self.draw(shot))

    def draw(self, shot: Shot) -> NDArray[np.uint8]:
        """Render ``shot`` at the drawn size; :meth:`finish` makes the picture of it (the two
        halves of :meth:`render`, so that the resizing can overlap the next render)."""
        self._show(shot)
        return self.scene.drawing()

    def _show(self, shot: Shot) -> None:
        # the camera is set again only when the shot's view changes: what overlays keep between
        # pictures (label plans, shown factors) is keyed by view, camera and pose, so a worker that
        # starts mid-animation still draws what the serial render draws
        if (shot.view, shot.azimuth) != self._view:
            self.scene.set_view(shot.view, azimuth=shot.azimuth)
            self._view = (shot.view, shot.azimuth)
        self.scene.set_pose(shot.pose, direction=shot.direction)
        legend = getattr(self.scene.layer("colormap"), "scalar_bar", None)
        if legend is not None:  # VTK rebuilds the legend only when told: from this shot's state, not history
            legend.Modified()
        self.scene.set_title(shot.title)
        if self.phase is not None:
            self.phase.show(shot.phase)

    def finish(self, drawn: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The picture of a :meth:`draw` result (thread-safe: no GL)."""
        image = self.scene.picture(drawn)
        return image if self.scene.transparent else image[..., :3]

    def _picture_and_text(self) -> tuple[NDArray[np.uint8], list]:
        """The picture without its 2D text, and that text as :class:`TextItem` s (pixels, top left)."""
        from vtkmodules.vtkRenderingCore import vtkTextActor

        from pelvis3d.render.compose import TextItem

        ren = self.scene.plotter.renderer
        self.scene.render()
        height = self.scene.size[1]
        scale = 1.0 / self.scene.pixel_scale  # drawn pixels to picture pixels
        items, hidden = [], []
        props = ren.GetViewProps()
        for i in range(props.GetNumberOfItems()):
            actor = props.GetItemAsObject(i)
            if not isinstance(actor, vtkTextActor) or not actor.GetVisibility() or not actor.GetInput():
                continue
            x, y = actor.GetPositionCoordinate().GetComputedDisplayValue(ren)  # pixels from the bottom left
            prop = actor.GetTextProperty()
            colour = "#{:02x}{:02x}{:02x}".format(*(int(round(c * 255)) for c in prop.GetColor()))
            ha = ("left", "center", "right")[prop.GetJustification()]
            va = ("bottom", "center", "top")[prop.GetVerticalJustification()]
            size = float(prop.GetFontSize())
            items.append(
                TextItem(
                    actor.GetInput(),
                    x * scale,
                    (height - y) * scale,
                    size * scale,
                    colour,
                    bool(prop.GetBold()),
                    ha,
                    va,
                )
            )
            actor.SetVisibility(False)
            hidden.append(actor)
        image = self.scene.screenshot()[..., :3]
        for actor in hidden:
            actor.SetVisibility(True)
        return image, items

    def close(self) -> None:
        """Release the render window."""
        self.scene.close()


def choose_workers(workers: int | None, shots: int, *, min_shots_per_worker: int = 120) -> int:
    """The number of processes (this one included) that render ``shots`` pictures.

    ``workers=None`` picks automatically: the ``PELVIS3D_WORKERS`` environment variable if
    set, else one per CPU (at most :data:`MAX_WORKERS`), and 1 (render in this process only)
    when there are fewer than ``min_shots_per_worker`` shots per process. A helper process
    takes seconds to start (Python, VTK, the model, a GL context, the first label layout) and
    competes for the CPUs with this process's rasteriser threads: on 2 cores a 640x480 GIF with
    all overlays took the same time or longer with a helper for 60 frames, and 16.6 s against
    17.4 s in one process for 240 frames (``benchmarks/bench_render.py``).
    """
    if workers is None:
        env = os.environ.get("PELVIS3D_WORKERS", "").strip()
        if env:
            return choose_workers(_whole(env, "PELVIS3D_WORKERS"), shots)
        wanted = min(os.cpu_count() or 1, MAX_WORKERS)
        return max(1, min(wanted, shots // max(1, min_shots_per_worker)))
    n = _whole(workers, "workers")
    return max(1, min(n, shots))


def _whole(value: object, name: str) -> int:
    try:
        n = int(value)  # type: ignore[call-overload]
        ok = not isinstance(value, bool) and float(value) == n  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ok = False
    if not ok or not 1 <= n <= 64:
        raise PoseError(f"{name} must be a whole number of processes in [1, 64], got {value!r}")
    return n


def spawn_pool(workers: int, initializer=None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A process pool whose workers start fresh (``spawn``): no inherited OpenGL context, and
    the caller's script is not run again in them (for independent jobs, e.g. the demo's stills)."""
    return _Pool(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=initializer, initargs=initargs
    )


class _Pool(ProcessPoolExecutor):
    """A spawn pool whose workers do not re-run the caller's script (see :func:`main_script_hidden`)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        with main_script_hidden():
            return super().submit(fn, *args, **kwargs)


# ---- caller side ---------------------------------------------------------------------------
def render_shots(
    setup: SceneSetup,
    shots: Sequence[Shot],
    *,
    workers: int = 1,
    pelvis: Pelvis | None = None,
    chunk: int = 4,
    share: bool = True,
) -> Iterator[NDArray[np.uint8]]:
    """Yield the picture of each shot, in order.

    With ``workers > 1``, ``workers - 1`` helper processes are started (``workers`` with
    ``share=False``); this process renders every shot no helper has taken, from the first one
    on, while they start (:class:`pelvis3d.render.shot_pool.ShotPool`). A helper that is ready
    takes the next chunk of shots not yet taken. So a job never waits for a helper to start,
    and a helper that stops is covered here.

    Parameters
    ----------
    setup : SceneSetup
        Shared settings.
    shots : sequence of Shot
        The pictures to make.
    workers : int
        Processes that render, this one included (1: only this one).
    pelvis : Pelvis, optional
        The model already built here.
    chunk : int
        Consecutive shots per piece of work.
    share : bool
        This process renders too (``False``: only the helpers do; for tests and measurements).

    Yields
    ------
    ndarray
        ``(H, W, 3)`` uint8 pictures (``(H, W, 4)`` when the setup is transparent).
    """
    shots = list(shots)
    helpers = workers - 1 if share else workers
    if helpers < 1:
        yield from _render_here(setup, shots, pelvis)
        return
    from pelvis3d.render.shot_pool import ShotPool

    chunks = [shots[i : i + chunk] for i in range(0, len(shots), max(1, chunk))]
    todo = list(range(len(chunks)))  # chunks nobody has taken, in order
    ahead = 2 * helpers + 2  # chunks rendered before they are due (bounds the memory held)
    pool = ShotPool(setup, helpers)  # helpers start first: they get ready while this process works
    here: ShotRenderer | None = None
    finished: dict[int, list] = {}
    try:
        nxt = 0  # the next chunk to yield

        def hand_out(timeout: float = 0.0) -> None:
            _gather(pool, finished, todo, timeout)
            for helper in pool.idle():
                if todo and todo[0] < nxt + ahead:
                    pool.give(helper, todo[0], chunks[todo.pop(0)])

        while nxt < len(chunks):
            hand_out()
            if nxt in finished:
                yield from finished.pop(nxt)
                nxt += 1
            elif share and todo and todo[0] < nxt + ahead:
                index = todo.pop(0)
                if here is None:
                    here = ShotRenderer(setup, pelvis)
                pictures = []
                for shot in chunks[index]:
                    pictures.append(here.render(shot))
                    hand_out()  # a helper that became free meanwhile gets work at once
                finished[index] = pictures
            elif not share and not pool.alive():
                raise RuntimeError("every render helper process stopped; see the messages above")
            else:
                hand_out(0.25)
    finally:
        pool.close()
        if here is not None:
            here.close()


def _render_here(setup: SceneSetup, shots: Sequence[Shot], pelvis: Pelvis | None) -> Iterator[NDArray[np.uint8]]:
    """Render ``shots`` in this process, each picture resized in a second thread while the next
    one renders (Pillow releases the GIL while it resizes)."""
    from concurrent.futures import ThreadPoolExecutor

    renderer = ShotRenderer(setup, pelvis)
    try:
        if setup.text_apart:
            for shot in shots:
                yield renderer.render(shot)
            return
        with ThreadPoolExecutor(1, thread_name_prefix="pelvis3d-resize") as resizer:
            waiting = None
            for shot in shots:
                drawn = renderer.draw(shot)
                if waiting is not None:
                    yield waiting.result()
                waiting = resizer.submit(renderer.finish, drawn)
            if waiting is not None:
                yield waiting.result()
    finally:
        renderer.close()


def _gather(pool, finished: dict[int, list], todo: list[int], timeout: float) -> None:
    """Move the helpers' finished chunks into ``finished``; a chunk whose helper stopped goes
    back to ``todo``."""
    done, returned = pool.collect(timeout)
    finished.update(done)
    for index in returned:
        todo.append(index)
    todo.sort()
