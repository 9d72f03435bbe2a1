"""Atomic output files: write to a hidden temporary name beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from pelvis3d.errors import PoseError

__all__ = ["atomic_path", "check_output_path"]


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


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path``, on any error it is removed.

    A killed or failed render therefore never leaves a half-written file under the target name.
    """
    tmp = path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
