"""Frame writers: PNG, a streaming animated GIF, MP4 (H.264).

Every writer writes to the path it is given; callers pass the temporary path of
:func:`pelvis3d.files.atomic_path`, so nothing half-written is left under an output name.

imageio's current GIF writer (Pillow) keeps every frame until it closes, so memory grows
with the frame count. This writer encodes each frame as it arrives with Pillow's own GIF
encoder (``GifImagePlugin.getheader`` / ``getdata``) against one palette fixed from the
first frame, so memory stays flat and the same frames always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from pelvis3d.files import atomic_path

__all__ = ["GifWriter", "save_png", "write_gif", "write_mp4", "colormap_colours"]


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


def save_png(path: Path, image: NDArray[np.uint8]) -> None:
    """Write ``image`` (``(H, W, 3|4)`` uint8) to ``path`` as PNG, atomically."""
    import imageio.v3 as iio

    with atomic_path(path) as tmp:
        iio.imwrite(tmp, image, extension=".png")


def colormap_colours() -> NDArray[np.uint8]:
    """32 colours of the joint-space colour map, reserved in GIF palettes."""
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    return (np.array([cmap(x)[:3] for x in np.linspace(0, 1, 32)]) * 255).astype(np.uint8)


def write_gif(tmp: Path, first: NDArray, rest: Iterable[NDArray], fps: float, bar) -> None:
    """Stream ``first`` then ``rest`` (RGB frames) to a looping GIF at ``tmp``; ``bar`` counts frames."""
    try:
        extra = colormap_colours()
    except ImportError:  # matplotlib is optional; the palette then comes from the first frame only
        extra = None
    with GifWriter(tmp, fps=fps, extra_colours=extra) as writer:
        writer.append(first)
        bar.update(1)
        for frame in rest:
            writer.append(frame)
            bar.update(1)


def write_mp4(tmp: Path, first: NDArray, rest: Iterable[NDArray], fps: float, bar) -> None:
    """Encode ``first`` then ``rest`` (RGB frames) as H.264 MP4 at ``tmp``; ``bar`` counts frames."""
    import imageio_ffmpeg

    h, w = first.shape[:2]
    writer = imageio_ffmpeg.write_frames(
        str(tmp),
        (w, h),
        fps=fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        quality=None,
        output_params=[
            "-crf",
            "20",
            "-preset",
            "medium",
            "-threads",
            "1",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
        ],
        macro_block_size=2,
        ffmpeg_log_level="error",
    )
    writer.send(None)
    writer.send(np.ascontiguousarray(first))
    bar.update(1)
    for frame in rest:
        writer.send(np.ascontiguousarray(frame))
        bar.update(1)
    writer.close()
