"""Slide-ready output: parallel renders equal serial ones, --size is the whole output, slide
text is projector-sized (measured from the pixels), SVG keeps the words as <text>."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

import pelvis3d
from pelvis3d import Pose
from pelvis3d.apps.cli import main
from pelvis3d.render.figure import render_figure
from pelvis3d.render.layouts import render_frames, render_image
from pelvis3d.render.slides import BODY_PX

pytestmark = pytest.mark.render


def _helpers_render(pelvis, frames: int, size, overlays, workers: int = 2, share: bool = False) -> list:
    """The frames of render_frames("er-ir-cycle", ...) rendered by helper processes (``share``:
    this process renders too)."""
    from pelvis3d.motions.motion import get_motion
    from pelvis3d.render.animation import animation_shots
    from pelvis3d.render.overlays import Overlays
    from pelvis3d.render.parallel import SceneSetup, render_shots

    motion = get_motion("er-ir-cycle")
    times = motion.sample_times(frames)
    names, shots = animation_shots(motion, times, "top", 0.0, "Test")
    poses = tuple(motion.pose_at(float(t)) for t in times)
    setup = SceneSetup(pelvis.anatomy, size, "top", 5.0, Overlays.parse(overlays), poses, phases=names)
    return list(render_shots(setup, shots, workers=workers, pelvis=pelvis, chunk=2, share=share))


def _serial(pelvis, frames: int, size, overlays) -> list:
    return list(
        render_frames(
            "er-ir-cycle", frames=frames, size=size, pelvis=pelvis, workers=1, overlays=overlays, title="Test"
        )
    )


def test_parallel_frames_are_the_serial_frames(pelvis):
    serial = _serial(pelvis, 6, (400, 300), None)
    parallel = _helpers_render(pelvis, 6, (400, 300), None)  # every frame by the two helpers
    assert len(parallel) == 6
    assert not np.array_equal(serial[0], serial[2])  # the frames do differ (neutral vs ER)
    legend = np.zeros((300, 400), bool)  # the colour legend box (bottom right)
    legend[int(300 * 0.72) :, int(400 * 0.62) :] = True
    for a, b in zip(serial, parallel, strict=True):
        same = (a == b).all(axis=-1)
        assert same[~legend].all()  # identical pixels outside the legend
        # VTK's scalar bar sometimes places its tick labels a few pixels apart after a
        # different history (known; the legend is being rebuilt): at most the tick-label rows
        assert (~same[legend]).mean() < 0.05


@pytest.mark.parametrize("share", [False, True])
def test_parallel_frames_without_the_colour_legend_are_byte_identical(pelvis, share):
    ov = "ghost,arrows,labels,measurements,caption,orientation"
    serial = _serial(pelvis, 6, (400, 300), ov)
    parallel = _helpers_render(pelvis, 6, (400, 300), ov, share=share)
    assert len(parallel) == 6
    for a, b in zip(serial, parallel, strict=True):
        assert np.array_equal(a, b)


def test_a_helper_error_is_raised_in_the_caller(pelvis):
    from pelvis3d.errors import UnknownNameError
    from pelvis3d.render.overlays import Overlays
    from pelvis3d.render.parallel import SceneSetup, Shot, render_shots

    setup = SceneSetup(pelvis.anatomy, (160, 120), "top", 5.0, Overlays.none(), (Pose(),))
    shots = [Shot(Pose(), "top"), Shot(Pose(), "no-such-view")]
    with pytest.raises(UnknownNameError, match="no-such-view"):
        list(render_shots(setup, shots, workers=1, pelvis=pelvis, chunk=1, share=False))


def test_a_helper_that_dies_is_covered_by_the_caller(pelvis, monkeypatch):
    """A helper killed mid-job: its chunk is rendered here and the pictures are all there, in order."""
    import os
    import signal

    from pelvis3d.render import shot_pool

    give = shot_pool.ShotPool.give
    killed = []

    def give_then_kill(self, helper, index, shots):
        give(self, helper, index, shots)
        if index == 1 and not killed:
            os.kill(self.pid(helper), signal.SIGKILL)
            killed.append(index)

    monkeypatch.setattr(shot_pool.ShotPool, "give", give_then_kill)
    ov = "caption"
    serial = _serial(pelvis, 6, (200, 150), ov)
    parallel = _helpers_render(pelvis, 6, (200, 150), ov, workers=2, share=False)  # the other helper takes it
    assert killed == [1] and len(parallel) == 6
    for a, b in zip(serial, parallel, strict=True):
        assert np.array_equal(a, b)


def test_parallel_figure_is_the_serial_figure(tmp_path, pelvis):
    ov = "ghost,arrows,labels,measurements,caption,orientation"  # the colour legend: see above
    one = render_figure(tmp_path / "one.png", size=(600, 300), pelvis=pelvis, workers=1, overlays=ov)
    two = render_figure(tmp_path / "two.png", size=(600, 300), pelvis=pelvis, workers=2, overlays=ov)
    assert np.array_equal(iio.imread(one), iio.imread(two))


def _dark_line_heights(region: np.ndarray) -> list[int]:
    """Heights (px) of the runs of rows holding dark (text) pixels: one run per text line."""
    rows = (region[..., :3].astype(int).sum(axis=-1) < 450).any(axis=1)
    runs, n = [], 0
    for on in rows:
        if on:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    return runs + ([n] if n else [])


def test_image_slide_is_16_9_with_projector_sized_text(tmp_path, pelvis):
    out = render_image(Pose(rotation=1), tmp_path / "s.png", layout="slide", overlays="none", pelvis=pelvis)
    img = iio.imread(out)
    assert img.shape[:2] == (1080, 1920)
    # the text column right of the picture: every line's ink >= 28 px high at 1080p
    panel_right = 48 + int((1080 - 130 - 24) * 4 / 3)
    lines = _dark_line_heights(img[130:, panel_right + 10 :])
    # three numbers, then "True numbers; motion shown x5" (x5: nothing would overlap)
    assert len(lines) == 4 and min(lines) >= 28, lines
    head = _dark_line_heights(img[:130])
    assert len(head) == 1 and head[0] >= 45  # the headline
    small = render_image(Pose(rotation=1), tmp_path / "t.png", layout="slide", size=(1280, 720), pelvis=pelvis)
    assert iio.imread(small).shape[:2] == (720, 1280)


def test_figure_slide_and_svg_keep_words_as_text(tmp_path, pelvis):
    svg = render_figure(tmp_path / "f.svg", layout="slide", size=(1280, 720), overlays="labels", pelvis=pelvis)
    text = svg.read_text()
    assert 'width="921.6pt" height="518.4pt"' in text  # 1280x720 px at 72/100 pt per px
    assert "ER: front opens, back closes; IR: the reverse</text>" in text
    assert ">external rotation</text>" in text and ">internal rotation</text>" in text
    plain = render_figure(tmp_path / "g.svg", size=(900, 400), overlays="labels,caption", pelvis=pelvis, workers=1)
    words = plain.read_text()
    for label in ("SI joint (L)", "SI joint (R)", "pubic symphysis", "Top view - external rotation"):
        assert f">{label}</text>" in words, label
    pdf = render_figure(tmp_path / "f.pdf", size=(900, 400), pelvis=pelvis, workers=1)
    assert pdf.read_bytes()[:5] == b"%PDF-" and b"FontFile2" in pdf.read_bytes()  # embedded TrueType text


def test_body_text_size_is_projector_sized():
    assert BODY_PX >= 28


def run(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_cli_size_is_the_whole_output_for_figure_and_slides(tmp_path):
    fig = tmp_path / "fig.png"
    assert run(["figure", str(fig), "--size", "960x540", "--overlays", "none", "--workers", "1"]) == 0
    assert iio.imread(fig).shape[:2] == (540, 960)
    slide = tmp_path / "slide.png"
    assert run(["image", str(slide), "--rotation", "1", "--layout", "slide", "--size", "960x540"]) == 0
    assert iio.imread(slide).shape[:2] == (540, 960)
    gif = tmp_path / "a.gif"
    assert run(["animate", "er-ir-cycle", str(gif), "--layout", "slide", "--size", "480x270", "--frames", "4"]) == 0
    assert iio.imread(gif, index=None).shape == (4, 270, 480, 3)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["figure", "x.jpg"], "must end in .png, .svg, .pdf"),
        (["image", "x.svg"], "must end in .png"),
        (["figure", "x.png", "--layout", "poster"], "invalid choice"),
        (["animate", "er-ir-cycle", "x.gif", "--workers", "0"], "workers"),
    ],
)
def test_bad_slide_arguments_one_line_no_file(tmp_path, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_figure_panels_fill_the_output(tmp_path, pelvis):
    out = pelvis3d.render_figure(tmp_path / "p.png", size=(640, 400), overlays="none", pelvis=pelvis, workers=1)
    img = iio.imread(out)[..., :3]
    assert img.shape[:2] == (400, 640)
    bone = np.abs(img.astype(int) - 255).sum(axis=-1) > 60
    # bone in each of the six cells of the 3x2 grid
    for r in range(2):
        for c in range(3):
            assert bone[r * 200 : (r + 1) * 200, c * 213 : (c + 1) * 213].mean() > 0.03


def test_readme_mentions_slides():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "--layout slide" in text


def test_a_script_without_a_main_guard_runs_once_with_workers(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "plain.py"
    script.write_text(
        "from pelvis3d.render.layouts import render_frames\n"
        "print('script body runs', flush=True)\n"
        "frames = list(render_frames('er-ir-cycle', frames=4, size=(160, 120), workers=2, overlays='none'))\n"
        "print(len(frames))\n"
    )
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split().count("runs") == 1 and proc.stdout.strip().endswith("4")


@pytest.mark.parametrize("layout", ["plain", "slide"])
def test_a_figure_has_one_colour_legend_and_none_for_neutral_panels_only(tmp_path, pelvis, layout):
    from pelvis3d.render.layouts import Panel, article_panels

    out = render_figure(tmp_path / "fig.svg", article_panels(0.5), size=(1200, 600), pelvis=pelvis, layout=layout)
    svg = out.read_text()
    # the legend's words are text in an SVG: one legend for six (or three) panels
    for word in ("compression", "gapping", "full colour: SI"):
        assert svg.count(word) == 1, word
    assert svg.count("shown change (") == 1  # x5, or up to x5 where a panel shows less
    neutral = [Panel(Pose(), "top", "neutral"), Panel(Pose(), "rear", "neutral")]
    out = render_figure(tmp_path / "neutral.svg", neutral, size=(800, 300), pelvis=pelvis, layout=layout)
    assert "compression" not in out.read_text()  # nothing is coloured: no legend


def test_animated_slide_body_text_is_at_least_28_px_at_1080p(tmp_path, pelvis, monkeypatch):
    from pelvis3d.render.animation import SLIDE_BODY_PX, render_animation
    from pelvis3d.render.scene import PelvisScene

    scenes = []
    init = PelvisScene.__init__

    def spy(self, *args, **kw):
        init(self, *args, **kw)
        scenes.append(self)

    monkeypatch.setattr(PelvisScene, "__init__", spy)
    close = PelvisScene.close
    monkeypatch.setattr(PelvisScene, "close", lambda self: None)  # read the text after the render
    try:
        render_animation("er-ir-cycle", tmp_path / "s.gif", frames=2, layout="slide", pelvis=pelvis, workers=1)
        (scene,) = scenes
        assert scene.picture_size == (1920, 1080)
        body = scene.measure_actor.GetTextProperty()
        px = 1.0 / scene.pixel_scale  # drawn pixels to picture pixels (supersampled pictures)
        assert body.GetFontSize() * px >= SLIDE_BODY_PX - 1 and SLIDE_BODY_PX >= 28
        label = scene.labels.text_actors[0]
        assert label.GetTextProperty().GetFontSize() * px >= 28 - 1
    finally:
        for scene in scenes:
            close(scene)
    # a plain animation of the same size keeps the picture's own text size
    scenes.clear()
    monkeypatch.setattr(PelvisScene, "close", lambda self: None)
    render_animation("er-ir-cycle", tmp_path / "p.gif", frames=2, size=(1920, 1080), pelvis=pelvis, workers=1)
    assert scenes[0].measure_actor.GetTextProperty().GetFontSize() / scenes[0].pixel_scale < 28
    close(scenes[0])
