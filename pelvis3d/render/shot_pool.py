"""Helper processes that render shots when they are ready and ask for more.

Starting a helper costs seconds (Python, VTK, the model, a GL context, the first label
layout), so a pool that hands all work out up front makes the caller wait that long before
the first picture. A :class:`ShotPool` helper instead says when its scene is ready and is
then given one chunk of shots at a time; the caller renders whatever no helper has taken
(:func:`pelvis3d.render.parallel.render_shots`). A short job is done before a helper is up;
a long one is shared out.

Processes are started with the ``spawn`` context: an OpenGL (EGL/OSMesa) context must never
be inherited through ``fork``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

__all__ = ["ShotPool", "main_script_hidden"]


@contextlib.contextmanager
def main_script_hidden() -> Iterator[None]:
    """Start spawned processes inside this block so they do not re-run the caller's script.

    A spawned process normally imports the parent's ``__main__`` (a script without an
    ``if __name__ == "__main__":`` guard would run again in every helper); helpers only
    need pelvis3d, so the script's name is hidden while they start.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__.pop(k) for k in ("__file__", "__spec__") if main and k in main.__dict__}
    if main is not None and "__spec__" in saved:
        main.__spec__ = None  # multiprocessing reads the attribute
    try:
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


@dataclass
class _Helper:
    process: Any  # multiprocessing process
    pipe: Any  # this end of the helper's own pipe (tasks down, pictures up)
    ready: bool = False
    chunk: int | None = None  # index of the chunk it is rendering
    gone: bool = False


class ShotPool:
    """``count`` spawned helper processes, each with its own offscreen scene built from ``setup``.

    Each helper has a pipe of its own: a helper killed mid-message cannot block the others (a
    queue shared by all has one lock, which a killed writer may hold for ever).

    Parameters
    ----------
    setup : pelvis3d.render.parallel.SceneSetup
        What every shot shares (picklable).
    count : int
        Helper processes to start.
    """

    def __init__(self, setup: object, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._helpers: list[_Helper] = []
        with main_script_hidden():
            for i in range(count):
                here, there = ctx.Pipe()
                process = ctx.Process(
                    target=_helper_main, args=(setup, there), name=f"pelvis3d-render-{i}", daemon=True
                )
                process.start()
                there.close()
                self._helpers.append(_Helper(process, here))

    def idle(self) -> list[int]:
        """Helpers whose scene is ready and who have no chunk."""
        return [i for i, h in enumerate(self._helpers) if h.ready and h.chunk is None and not h.gone]

    def alive(self) -> int:
        """Helpers still running."""
        return sum(not h.gone for h in self._helpers)

    def pid(self, helper: int) -> int:
        """The process id of a helper."""
        return int(self._helpers[helper].process.pid)

    def give(self, helper: int, index: int, shots: Sequence[object]) -> None:
        """Send chunk ``index`` (``shots``) to an idle helper."""
        h = self._helpers[helper]
        try:
            h.pipe.send((index, list(shots)))
            h.chunk = index
        except OSError:  # it has just stopped: collect() hands its work back
            h.chunk = index
            h.ready = False

    def collect(self, timeout: float = 0.0) -> tuple[dict[int, list], list[int]]:
        """Finished chunks ``{index: pictures}`` and the indices of chunks whose helper stopped
        without finishing them (to be rendered elsewhere), waiting up to ``timeout`` seconds for
        the first message. An error raised in a helper is raised here."""
        done: dict[int, list] = {}
        returned: list[int] = []
        live = [h for h in self._helpers if not h.gone]
        ready = wait([h.pipe for h in live] + [h.process.sentinel for h in live], timeout)
        for h in live:
            stopped = h.process.sentinel in ready
            try:
                while h.pipe.poll():
                    kind, payload = h.pipe.recv()
                    if kind == "ready":
                        h.ready = True
                    elif kind == "done":
                        index, pictures = payload
                        done[index] = pictures
                        h.chunk = None
                    else:  # "failed": the helper's error, raised in the caller
                        h.gone = True
                        raise payload
            except (EOFError, OSError):  # it stopped mid-message
                stopped = True
            if stopped and not h.process.is_alive():
                h.gone = True  # killed or crashed: its chunk is done elsewhere
                if h.chunk is not None:
                    returned.append(h.chunk)
                    h.chunk = None
        return done, returned

    def close(self) -> None:
        """Stop every helper (a helper still starting has nothing anyone needs)."""
        for h in self._helpers:
            with contextlib.suppress(OSError):
                h.pipe.send(None)
        for h in self._helpers:
            h.process.join(timeout=2.0)
            if h.process.is_alive():
                h.process.terminate()
                h.process.join(timeout=2.0)
            h.pipe.close()


def _helper_main(setup: object, pipe: Any) -> None:
    """A helper: build the scene, say so, then render each chunk sent until told to stop."""
    # one rasteriser thread per helper: the processes already share out the CPUs, and Mesa's
    # llvmpipe would otherwise start one thread per CPU in each (set before any GL context)
    os.environ.setdefault("LP_NUM_THREADS", "1")
    try:
        from pelvis3d.render.backend import prepare_offscreen
        from pelvis3d.render.parallel import ShotRenderer

        prepare_offscreen()
        renderer = ShotRenderer(setup)  # type: ignore[arg-type]
        pipe.send(("ready", None))
        while (task := pipe.recv()) is not None:
            index, shots = task
            pipe.send(("done", (index, [renderer.render(s) for s in shots])))
        renderer.close()
    except (EOFError, BrokenPipeError):  # the caller went away
        return
    except BaseException as error:  # noqa: BLE001 - reported to the caller, raised there
        try:
            pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an error that cannot be pickled: its words
            error = RuntimeError(f"render helper failed: {error!r}")
        with contextlib.suppress(OSError):
            pipe.send(("failed", error))
