"""A GIF recording for the browser viewer: real time, capped, offered as a download.

Frames are taken on a clock (``fps`` a second) rather than one per change, so a GIF of four
seconds of play lasts four seconds. The file is written in a private temporary folder (never
the server's working folder) and handed to the browser that stops it; it stops on its own at
``max_seconds`` or ``max_bytes``. A write error (a full disk) ends the recording, removes the
partial file and is reported, instead of failing every later slider move.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import Pelvis3dError

__all__ = ["GifRecording", "RecordingError"]


class RecordingError(Pelvis3dError, OSError):
    """The recording could not be written (e.g. the disk is full)."""


class GifRecording:
    """One GIF being recorded.

    Parameters
    ----------
    fps : float
        Frames per second taken and stored (real playback rate).
    max_seconds : float
        Length cap, seconds of recording.
    max_bytes : int
        Size cap of the GIF file, bytes.
    """

    def __init__(
        self,
        *,
        fps: float = 10.0,
        max_seconds: float = 60.0,
        max_bytes: int = 64 * 2**20,
    ) -> None:
        from pelvis3d.render.writers import GifWriter

        self.fps = float(fps)
        self.max_frames = max(1, int(round(max_seconds * self.fps)))
        self.max_bytes = int(max_bytes)
        self._dir = Path(tempfile.mkdtemp(prefix="pelvis3d-recording-"))
        self.path = self._dir / "recording.gif"
        try:
            self._writer = GifWriter(self.path, fps=self.fps)  # a palette per frame: no colour is lost
        except OSError as exc:
            self.discard()
            raise RecordingError(f"cannot start a recording in {self._dir.parent}: {exc.strerror}") from None
        self.full_reason: str | None = None
        self._shape: tuple[int, ...] | None = None

    @property
    def frames(self) -> int:
        """Frames written so far."""
        return self._writer.frames

    @property
    def full(self) -> bool:
        """Whether a cap was reached (no more frames are taken)."""
        return self.full_reason is not None

    def append(self, frame: NDArray[np.uint8]) -> None:
        """Add one frame unless a cap is reached.

        Raises
        ------
        RecordingError
            The frame could not be written; the partial file is already removed.
        """
        if self.full:
            return
        frame = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
        if self._shape is None:
            self._shape = frame.shape
        elif frame.shape != self._shape:  # the presenter resized the page: keep the first size
            from PIL import Image

            frame = np.asarray(Image.fromarray(frame).resize((self._shape[1], self._shape[0])))
        try:
            self._writer.append(frame)
            size = self.path.stat().st_size
        except OSError as exc:
            self.discard()
            raise RecordingError(f"recording stopped: cannot write the GIF ({exc.strerror or exc})") from None
        if self.frames >= self.max_frames:
            self.full_reason = f"the {self.max_frames / self.fps:g} s limit"
        elif size >= self.max_bytes:
            self.full_reason = f"the {self.max_bytes / 2**20:g} MB limit"

    def finish(self) -> bytes:
        """Close the GIF and return its bytes; the temporary file is removed.

        Raises
        ------
        RecordingError
            The GIF could not be completed (e.g. the disk is full).
        """
        try:
            self._writer.close()
            return self.path.read_bytes()
        except OSError as exc:
            raise RecordingError(f"cannot finish the GIF ({exc.strerror or exc})") from None
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop the recording and its temporary folder."""
        writer = getattr(self, "_writer", None)
        if writer is not None:
            try:
                writer.close()
            except OSError:
                pass
        shutil.rmtree(self._dir, ignore_errors=True)
