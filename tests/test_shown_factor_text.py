"""Every statement of the shown exaggeration on a slide, a figure's legend or footnote is the
factor the panel actually shows: less than the one asked for where more would put bone through
bone. Read from the words of SVG output (matplotlib keeps them as <text>)."""

from __future__ import annotations

import re

import pytest

from pelvis3d import Pose
from pelvis3d.render.figure import Panel, render_figure
from pelvis3d.render.layouts import render_image
from pelvis3d.render.scene import PelvisScene
from pelvis3d.render.shown_factor import picture_ring, shown_statement

pytestmark = pytest.mark.render

#: A factor stated in words: "x5", "x1.2" (not part of a word or number).
FACTOR = re.compile(r"(?<![\w.])x(\d+(?:\.\d+)?)\b")


def _texts(path) -> list[str]:
    return [t.replace("&#45;", "-") for t in re.findall(r">([^<>]+)</text>", path.read_text())]


def _stated_factors(texts: list[str]) -> list[float]:
    """Every factor stated in a text that speaks of the shown motion or colours."""
    return [float(f) for t in texts if re.search(r"shown|exaggerat", t) for f in FACTOR.findall(t)]


def _scene_factor(pelvis, pose: Pose) -> float:
    """The factor a picture of ``pose`` shows (the scene decides; x5 asked for)."""
    with PelvisScene(pelvis, size=(320, 240), overlays="none") as scene:
        return scene.shown(pose).exaggeration


@pytest.fixture(scope="module")
def overlapping(pelvis) -> tuple[Pose, float]:
    """Internal rotation that x5 would close to contact, and the factor a picture shows instead."""
    pose = Pose(rotation=-1)
    assert pelvis.posed(pose, 5.0, ring=picture_ring(pose)).shown_metrics.contact  # x5 would overlap
    factor = _scene_factor(pelvis, pose)
    assert 1.0 <= factor < 5.0
    return pose, factor


def test_an_image_slide_states_the_reduced_factor(tmp_path, pelvis, overlapping):
    pose, factor = overlapping
    out = render_image(pose, tmp_path / "s.svg", layout="slide", size=(960, 540), overlays="none", pelvis=pelvis)
    texts = _texts(out)
    stated = _stated_factors(texts)
    assert stated and set(stated) == {factor}, (stated, factor)
    assert any("more would overlap" in t for t in texts)
    # a pose x5 keeps apart is stated at x5, without the excuse
    er = render_image(Pose(rotation=1), tmp_path / "e.svg", layout="slide", size=(960, 540), pelvis=pelvis)
    words = _texts(er)
    assert set(_stated_factors(words)) == {5.0} and not any("overlap" in t for t in words)


def test_a_figure_slide_lists_the_factor_of_each_panel(tmp_path, pelvis, overlapping):
    pose, factor = overlapping
    panels = [
        Panel(Pose(), "top", "Top view - neutral"),
        Panel(Pose(rotation=1), "top", "Top view - external rotation"),
        Panel(pose, "top", "Top view - internal rotation"),
    ]
    out = render_figure(tmp_path / "f.svg", panels, layout="slide", size=(1280, 720), pelvis=pelvis, workers=1)
    texts = _texts(out)
    (foot,) = [t for t in texts if t.startswith("Motion shown")]
    assert foot.startswith("Motion shown x5;") and f"internal rotation x{factor:g} (more would overlap)" in foot
    (legend,) = [t for t in texts if t.startswith("colours:")]
    assert "up to x5" in legend
    assert set(_stated_factors(texts)) == {5.0, factor}


def test_a_figure_legend_states_the_factor_its_coloured_panels_show(tmp_path, pelvis, overlapping):
    pose, factor = overlapping
    panels = [Panel(pose, "top", "internal rotation"), Panel(pose, "rear", "internal rotation")]
    out = render_figure(tmp_path / "g.svg", panels, size=(1000, 400), pelvis=pelvis, workers=1)
    texts = _texts(out)
    (legend,) = [t for t in texts if t.startswith("colours:")]
    assert f"shown change (x{factor:g})" in legend
    # every statement on the page, the panel's own caption and measurements too
    assert set(_stated_factors(texts)) == {factor}
    # asked for overlap: x5 everywhere
    full = render_figure(tmp_path / "h.svg", panels, size=(1000, 400), pelvis=pelvis, workers=1, allow_overlap=True)
    assert set(_stated_factors(_texts(full))) == {5.0}


def test_the_page_finds_the_ring_a_scene_draws_with(pelvis):
    poses = [
        Pose(rotation=1),
        Pose(left_rotation=1, right_rotation=-0.5),
        Pose(rotation=1, nutation=1),
        Pose(left_tilt=1, right_tilt=1),
        Pose(nutation=-1),
    ]
    with PelvisScene(pelvis, size=(320, 240), overlays="none") as scene:
        assert [picture_ring(p) for p in poses] == [scene.ring_for(p) for p in poses]


def test_the_statement_words():
    assert shown_statement([5.0, 5.0], 5.0) == "motion shown x5"
    assert shown_statement([3.2], 5.0) == "motion shown x3.2 (more would overlap)"
    assert shown_statement([5.0, 1.2], 5.0, ["ER", "IR"]) == "motion shown x5; IR x1.2 (more would overlap)"
    assert shown_statement([5.0, 1.2], 5.0) == "motion shown up to x5 (less where more would overlap)"
    assert shown_statement([1.0], 1.0) == "true scale (no exaggeration)"
