"""Atomic output files: write to a hidden temporary name beside the target, then rename.

A temporary name carries the process id, the thread and a counter
(``.NAME.partial-PID-THREAD-N.ext``), so two threads or processes writing the same target never
share one. Partial files are removed when the write fails, when the process exits, and when it
is ended by SIGTERM or SIGHUP (handlers installed on first use, only where the program has none of
its own); a partial left by a process that was killed outright (SIGKILL) is removed by the next
write to the same folder once that process is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from pelvis3d.errors import PoseError

__all__ = ["atomic_path", "atomic_paths", "check_output_path", "remove_stale_partials"]

_LIVE: set[Path] = set()
_LOCK = threading.Lock()
_COUNTER = itertools.count()
_HANDLERS_INSTALLED = False
_PARTIAL = re.compile(r"^\..+\.partial-(\d+)-\d+-\d+(\.[^.]*)?$")


def check_output_path(path: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    """Validate an output path: allowed suffix, existing parent folder."""
    if not isinstance(path, (str, os.PathLike)):
        raise PoseError(f"output path must be a file name, got {type(path).__name__}")
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise PoseError(f"output file {str(p)!r} must end in {', '.join(suffixes)}")
    if not p.parent.exists():
        raise PoseError(f"folder {str(p.parent)!r} for output {p.name!r} does not exist")
    if p.is_dir():
        raise PoseError(f"output {str(p)!r} is a folder, not a file name")
    return p


def _remove_live_partials() -> None:
    with _LOCK:
        for tmp in list(_LIVE):
            with contextlib.suppress(OSError):
                tmp.unlink()
        _LIVE.clear()


def _on_signal(signum: int, frame: object) -> None:
    _remove_live_partials()
    signal.signal(signum, signal.SIG_DFL)  # then end as the signal would have ended us
    os.kill(os.getpid(), signum)


def _install_handlers() -> None:
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    _HANDLERS_INSTALLED = True
    atexit.register(_remove_live_partials)
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _on_signal)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove partial files in ``folder`` left by processes that no longer run; return them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _PARTIAL.match(entry.name)
            if match and not _pid_alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.stem}.partial-{os.getpid()}-{threading.get_ident()}-{next(_COUNTER)}{path.suffix}")


@contextlib.contextmanager
def atomic_paths(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield one temporary path per target; when the block succeeds they replace the targets
    together (a set of files is written whole or not at all), otherwise they are removed."""
    _install_handlers()
    for folder in {p.parent for p in paths}:
        remove_stale_partials(folder)
    temps = [_temporary_name(p) for p in paths]
    with _LOCK:
        _LIVE.update(temps)
    try:
        yield temps
        for tmp in temps:
            if not tmp.exists():
                raise PoseError(f"nothing was written for {tmp.name}")
        for tmp, path in zip(temps, paths, strict=True):
            os.replace(tmp, path)
    finally:
        with _LOCK:
            _LIVE.difference_update(temps)
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path``, on any error it is removed.

    A killed or failed render therefore never leaves a half-written file under the target name.
    """
    with atomic_paths([path]) as (tmp,):
        yield tmp
