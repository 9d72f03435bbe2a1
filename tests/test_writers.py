"""GIF and MP4 you can drop into a slide or a web page: white stays white, a palette per frame,
only changes stored (smaller at better quality), phase indicator, no arrows on neutral frames,
MP4 tags and +faststart."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

import pelvis3d
from pelvis3d.motions.motion import get_motion
from pelvis3d.render.animation import animation_shots, render_frames
from pelvis3d.render.phase import motion_phases
from pelvis3d.render.writers import GifWriter, psnr

pytestmark = pytest.mark.render


def write(path: Path, frames) -> Path:
    with GifWriter(path, fps=20) as w:
        for f in frames:
            w.append(f)
    return path


def frame0_palette_gif(path: Path, frames) -> Path:
    """The writer before issue 12, as the yardstick: one palette from frame 0, whole frames."""
    from PIL import GifImagePlugin, Image

    first = Image.fromarray(frames[0])
    palette = first.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    with open(path, "wb") as fp:
        header, _ = GifImagePlugin.getheader(first.quantize(palette=palette), info={"loop": 0, "duration": 50})
        for chunk in header:
            fp.write(chunk)
        for f in frames:
            q = Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE)
            for chunk in GifImagePlugin.getdata(q, duration=50, disposal=1):
                fp.write(chunk)
        fp.write(b";")
    return path


@pytest.fixture(scope="module")
def cycle_frames(pelvis):
    return np.stack(list(render_frames("er-ir-cycle", frames=40, size=(400, 300), pelvis=pelvis, workers=1)))


def test_gif_is_smaller_than_a_frame0_palette_at_better_quality_and_white_is_white(tmp_path, cycle_frames):
    new = write(tmp_path / "new.gif", cycle_frames)
    old = frame0_palette_gif(tmp_path / "old.gif", cycle_frames)
    shown_new = iio.imread(new, index=None)[..., :3]
    shown_old = iio.imread(old, index=None)[..., :3]
    assert shown_new.shape == cycle_frames.shape
    q_new = min(psnr(a, b) for a, b in zip(cycle_frames, shown_new, strict=True))
    q_old = min(psnr(a, b) for a, b in zip(cycle_frames, shown_old, strict=True))
    assert q_new >= q_old, (q_new, q_old)
    assert q_new > 38.0
    assert new.stat().st_size <= 0.6 * old.stat().st_size, (new.stat().st_size, old.stat().st_size)
    white = (cycle_frames == 255).all(axis=-1)
    assert white.mean() > 0.5  # the background
    assert (shown_new[white] == 255).all()  # exactly white on a white slide, every frame


def test_each_frame_gets_the_colours_it_needs(tmp_path):
    # a red square appears only in frame 2: a palette fixed from frame 1 would lose it
    a = np.full((64, 80, 3), (200, 190, 170), np.uint8)
    b = a.copy()
    b[20:40, 30:50] = (220, 20, 30)
    shown = iio.imread(write(tmp_path / "r.gif", [a, b]), index=None)[..., :3]
    assert np.abs(shown[1, 20:40, 30:50].astype(int) - (220, 20, 30)).max() <= 2
    assert np.abs(shown[1, :20].astype(int) - (200, 190, 170)).max() <= 2


def test_an_unchanged_frame_costs_a_few_bytes_and_small_drifts_do_not_accumulate(tmp_path):
    rng = np.random.default_rng(1)
    base = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    one = write(tmp_path / "one.gif", [base]).stat().st_size
    same = write(tmp_path / "same.gif", [base] * 5).stat().st_size
    assert same - one < 4 * 40  # each repeat: a 1x1 transparent frame
    from pelvis3d.render.writers import GIF_TOLERANCE

    blocks = np.repeat(np.repeat(rng.integers(0, 200, (6, 8, 3)), 20, axis=0), 20, axis=1)  # 48 colours: exact
    ramp = [(blocks + k).astype(np.uint8) for k in range(0, 40, 3)]
    shown = iio.imread(write(tmp_path / "ramp.gif", ramp), index=None)[..., :3].astype(int)
    # a slow brightening (3 levels a frame, under the tolerance) is followed, never left behind
    # by more than the tolerance, however many frames
    errors = [np.abs(s - r).max() for s, r in zip(shown, ramp, strict=True)]
    assert errors[0] == 0 and max(errors) <= GIF_TOLERANCE


def test_phase_indicator_names_and_neutral_frames_without_arrows(tmp_path, pelvis):
    m = get_motion("er-ir-cycle")
    names, active = motion_phases(m, m.sample_times(40))
    assert names == ("ER", "neutral", "IR")
    t = m.sample_times(40)
    at = {round(float(x), 2): names[i] for x, i in zip(t, active, strict=True)}
    assert at[0.0] == "neutral" and at[1.0] == "ER" and at[3.0] == "IR" and at[2.0] == "neutral"
    _, shots = animation_shots(m, t, "top", 0.0, "")
    for shot, i in zip(shots, active, strict=True):
        if names[i] == "neutral":
            assert shot.direction == {"left": 0, "right": 0}
        else:
            assert set(shot.direction.values()) <= {-1, 1} and shot.direction["left"] != 0
    # pixels: the arrows (orange-red, only overlay drawn) are absent at neutral, present in ER
    frames = list(render_frames(m, frames=8, size=(320, 240), overlays="arrows", pelvis=pelvis, workers=1, phase=False))
    _, active8 = motion_phases(m, m.sample_times(8))

    def red(f):
        f = f.astype(int)
        return int(((f[..., 0] > 150) & (f[..., 1] < 110) & (f[..., 2] < 80)).sum())

    assert red(frames[0]) == 0 and active8[0] == names.index("neutral")
    assert red(frames[2]) > 50 and active8[2] == names.index("ER")


def test_phase_indicator_highlights_the_current_phase(pelvis):
    frames = list(render_frames("er-ir-cycle", frames=8, size=(640, 480), overlays="none", pelvis=pelvis, workers=1))
    band = slice(int(480 * (1 - 0.93)), int(480 * (1 - 0.84)))  # the row under the title

    def dark_columns(f):
        g = f[band].astype(int).sum(axis=-1)
        return np.flatnonzero((g < 200).any(axis=0))

    neutral, er = dark_columns(frames[0]), dark_columns(frames[2])
    assert len(neutral) and len(er)
    # the bold dark word moves: ER is left of neutral
    assert er.mean() < neutral.mean() - 20


def test_mp4_is_tagged_bt709_yuv420p_and_starts_fast(tmp_path, pelvis):
    import imageio_ffmpeg

    out = pelvis3d.render_animation(
        "er-ir-cycle", tmp_path / "c.mp4", frames=6, size=(320, 240), pelvis=pelvis, workers=1, progress=False
    )
    info = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)], capture_output=True, text=True
    ).stderr
    stream = next(line for line in info.splitlines() if "Video:" in line)
    assert "h264" in stream and re.search(r"yuv420p\(tv, bt709(/bt709/bt709)?", stream), stream
    data = out.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # the index first: plays while downloading
    frames = iio.imread(out, index=None, plugin="pyav") if _has_pyav() else None
    assert frames is None or frames.shape[0] == 6


def _has_pyav() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True
