"""A streaming animated-GIF writer.

imageio's current GIF writer (Pillow) keeps every frame until it closes, so memory grows
with the frame count. This writer encodes each frame as it arrives with Pillow's own GIF
encoder (``GifImagePlugin.getheader`` / ``getdata``) against one palette fixed from the
first frame, so memory stays flat and the same frames always give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

__all__ = ["GifWriter"]


class GifWriter:
    """Write RGB frames (``(H, W, 3)`` uint8) to a looping GIF one at a time.

    Parameters
    ----------
    path : Path
        Output file.
    fps : float
        Frames per second (GIF stores delays in 1/100 s).
    loop : int
        0 = loop forever.
    extra_colours : array, optional
        ``(N, 3)`` uint8 colours to reserve in the palette (e.g. a colour map), so colours
        that appear only in later frames are not lost.
    """

    def __init__(self, path: Path, fps: float, loop: int = 0, extra_colours: NDArray[np.uint8] | None = None) -> None:
        self._fp: BinaryIO = open(path, "wb")  # noqa: SIM115
        self._delay_ms = int(round(100.0 / fps)) * 10
        self._loop = loop
        self._extra = extra_colours
        self._palette = None
        self._size: tuple[int, int] | None = None
        self.frames = 0

    def append(self, frame: NDArray[np.uint8]) -> None:
        """Add one frame."""
        from PIL import GifImagePlugin, Image

        frame = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
        image = Image.fromarray(frame, "RGB")
        if self._palette is None:
            sample = frame.reshape(-1, 3)
            if self._extra is not None and len(self._extra):
                sample = np.vstack([sample, np.repeat(np.asarray(self._extra, np.uint8), 64, axis=0)])
            width = 256
            pad = (-len(sample)) % width
            sample = np.vstack([sample, np.repeat(sample[-1:], pad, axis=0)]).reshape(-1, width, 3)
            self._palette = Image.fromarray(sample, "RGB").quantize(
                256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
            self._size = image.size
            first = image.quantize(palette=self._palette, dither=Image.Dither.NONE)
            header, _ = GifImagePlugin.getheader(first, info={"loop": self._loop, "duration": self._delay_ms})
            for chunk in header:
                self._fp.write(chunk)
            quantized = first
        else:
            if image.size != self._size:
                raise ValueError(f"frame size {image.size} differs from the first frame's {self._size}")
            quantized = image.quantize(palette=self._palette, dither=Image.Dither.NONE)
        for chunk in GifImagePlugin.getdata(quantized, duration=self._delay_ms, disposal=1):
            self._fp.write(chunk)
        self.frames += 1

    def close(self) -> None:
        """Finish the file."""
        if not self._fp.closed:
            self._fp.write(b";")
            self._fp.close()

    def __enter__(self) -> GifWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
