"""The lesson page in Debian's Chromium (Playwright), opened from file:// with the network cut.

The page's printed numbers are compared with ``Pelvis.metrics`` at seeded random slider
positions; sliders are dragged with the mouse and by touch; the canvas must change.
"""

from __future__ import annotations

import io
import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import pelvis3d
from pelvis3d import Pose
from pelvis3d.export.lesson import export_lesson
from pelvis3d.kinematics import SI_DOF_NAMES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: WebGL without a GPU: ANGLE on SwiftShader (software GL).
CHROMIUM_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-first-run"]
#: Printed numbers have two decimals; the page must agree with Python to 0.05 mm.
TOLERANCE_MM = 0.05
ROWS = (
    "pubic_gap_mm",
    "pubic_gap_change_mm",
    "pubic_shear_mm",
    "si_space_left_mm",
    "si_space_right_mm",
    "si_space_change_left_mm",
    "si_space_change_right_mm",
    "si_anterior_space_left_mm",
    "si_anterior_space_right_mm",
    "si_posterior_space_left_mm",
    "si_posterior_space_right_mm",
    "inter_asis_mm",
)
OPENSIM = Path(__file__).resolve().parents[2] / "shared" / "real-anatomy" / "opensim-gait2392"


def _need(what: str, missing: bool) -> None:
    """Skip when a browser tool is missing, but fail under CI (the CI image installs them)."""
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing under CI=true")
        pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser():
    _need("Debian's chromium", CHROMIUM is None)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("the playwright python package", True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def lesson_file(tmp_path_factory) -> Path:
    return export_lesson(tmp_path_factory.mktemp("lesson") / "lesson.html", motion="er-ir-cycle")


class Page:
    """A lesson page opened from disk, the network cut off, errors collected."""

    def __init__(self, browser, path: Path, **context) -> None:
        self.context = browser.new_context(**context)
        self.requests: list[str] = []
        self.errors: list[str] = []

        def route(r):
            if not r.request.url.startswith("file://"):
                self.requests.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.pelvisLesson && window.pelvisLesson.ready", timeout=120_000)
        self.settle()

    def settle(self) -> None:
        """Wait until the page has taken every change and drawn it."""
        self.page.wait_for_timeout(50)
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def canvas(self) -> np.ndarray:
        import imageio.v3 as iio

        return iio.imread(io.BytesIO(self.page.locator("#view").screenshot()))[..., :3].astype(int)

    def set_slider(self, selector: str, value: float) -> None:
        self.page.locator(selector).fill(f"{value:g}")

    def angles(self) -> dict[str, float]:
        return {n: float(self.page.locator(f"#dof-{n}").input_value()) for n in SI_DOF_NAMES}

    def exaggeration(self) -> float:
        return float(self.page.locator("#exaggeration").input_value())

    def printed(self, column: str) -> dict[str, float]:
        return {k: float(self.page.locator(f"#m-{k}-{column}").inner_text()) for k in ROWS}

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.requests == [], f"the page asked the network for {self.requests}"
        self.context.close()


def assert_numbers_match(pelvis: pelvis3d.Pelvis, page: Page) -> int:
    """Compare the page's printed numbers, true and shown columns, with Python's at the page's
    slider positions, through contact too (signed spaces that keep falling, see
    pelvis3d.metrics); returns how many of the two columns had bones in contact."""
    pose, factor = Pose(**page.angles()), page.exaggeration()
    true_m = pelvis.metrics(pose)
    shown_m = pelvis.metrics(pose.scaled(factor))  # = pelvis.posed(pose, factor).shown_metrics
    for column, metrics in (("true", true_m), ("shown", shown_m)):
        expected = metrics.as_dict()
        got = page.printed(column)
        for key in ROWS:
            assert abs(got[key] - expected[key]) <= TOLERANCE_MM, (column, key, got[key], expected[key], pose, factor)
    return int(true_m.contact) + int(shown_m.contact)


def test_dragging_a_slider_moves_the_bones_and_the_numbers_match_python(browser, lesson_file, pelvis):
    page = Page(browser, lesson_file, viewport={"width": 1400, "height": 900})
    before = page.canvas()
    assert (before != 255).any(axis=2).mean() > 0.05, "the pelvis should fill part of the canvas"
    assert page.page.locator("#caption").inner_text().startswith("motion exaggerated x5")
    page.page.locator("#link").uncheck()
    box = page.page.locator("#dof-left_rotation").bounding_box()
    y = box["y"] + box["height"] / 2
    page.page.mouse.move(box["x"] + box["width"] / 2, y)
    page.page.mouse.down()
    for k in range(1, 11):  # a hand drag, in steps
        page.page.mouse.move(box["x"] + box["width"] * (0.5 + 0.03 * k), y)
    page.page.mouse.up()
    page.settle()
    angles = page.angles()
    assert angles["left_rotation"] > 2.0 and angles["right_rotation"] == 0.0, angles
    after = page.canvas()
    changed = (np.abs(after - before).sum(axis=2) > 30).mean()
    assert changed > 0.005, f"only {changed:.2%} of the canvas changed"
    assert_numbers_match(pelvis, page)
    # the page says so when an angle leaves the physiological range
    page.set_slider("#dof-left_rotation", 6)
    page.settle()
    assert "beyond the physiological range: left_rotation" in page.page.locator("#caption").inner_text()
    page.close()


def test_numbers_match_python_at_random_slider_positions(browser, lesson_file, pelvis):
    page = Page(browser, lesson_file, viewport={"width": 1400, "height": 900})
    page.page.locator("#link").uncheck()
    rng = random.Random(15)
    in_contact = 0
    for k in range(10):  # anywhere on the sliders: their full (hard-limit) ranges, any exaggeration
        for name in SI_DOF_NAMES:
            lo, hi = pelvis.dofs[name].hard_deg
            page.set_slider(f"#dof-{name}", round(rng.uniform(lo, hi), 1))
        page.set_slider("#exaggeration", rng.choice([1, 1.5, 2, 3]) if k % 2 else round(rng.uniform(1, 20), 1))
        page.settle()
        in_contact += assert_numbers_match(pelvis, page)
    # the bones pressing into each other: spaces keep falling through contact on both sides
    for rotation in (-10.0, -6.3):
        page.set_slider("#dof-left_rotation", rotation)
        page.set_slider("#dof-right_rotation", rotation)
        page.set_slider("#exaggeration", 9.5)
        page.settle()
        in_contact += assert_numbers_match(pelvis, page)
    assert in_contact >= 4, "the random positions should include bones in contact"
    # true scale: the caption says so and both columns agree
    page.set_slider("#exaggeration", 1)
    page.settle()
    assert page.page.locator("#caption").inner_text().startswith("true scale")
    assert page.printed("true") == page.printed("shown")
    page.close()


def test_linked_sides_move_together(browser, lesson_file, pelvis):
    page = Page(browser, lesson_file, viewport={"width": 1400, "height": 900})
    assert page.page.locator("#link").is_checked()
    page.set_slider("#dof-left_tilt", -2.5)
    page.settle()
    angles = page.angles()
    assert angles["left_tilt"] == angles["right_tilt"] == -2.5
    assert_numbers_match(pelvis, page)
    page.close()


def test_views_match_python_and_put_the_patients_sides_where_they_belong(browser, lesson_file, pelvis):
    from pelvis3d.render.views import view_vectors

    page = Page(browser, lesson_file, viewport={"width": 1400, "height": 900})
    shots = {}
    for name in ("top", "rear", "front", "left", "right", "inlet", "oblique"):
        page.page.locator(f"#views button[data-view={name}]").click()
        page.settle()
        direction, up = view_vectors(name, pelvis.landmarks)
        got = page.page.evaluate(f"window.pelvisLesson.viewVectors('{name}')")
        np.testing.assert_allclose(got["direction"], direction, atol=1e-9)
        np.testing.assert_allclose(got["up"], up, atol=1e-9)
        shots[name] = page.canvas()
        x = {
            t: page.page.locator("#labels .label", has_text=t).bounding_box()["x"]
            for t in ("ASIS (L)", "ASIS (R)", "PSIS (L)", "PSIS (R)")
        }
        if name == "front":  # the anatomical view: the patient's right on the image's left
            assert x["ASIS (R)"] < x["ASIS (L)"]
        if name in ("rear", "top"):  # from behind / above: the patient's right on the right
            assert x["PSIS (R)"] > x["PSIS (L)"]
    for a, b in (("front", "rear"), ("left", "right"), ("top", "inlet")):
        assert (np.abs(shots[a] - shots[b]).sum(axis=2) > 30).mean() > 0.02, (a, b)
    page.close()


def test_toggles_change_the_picture(browser, lesson_file):
    page = Page(browser, lesson_file, viewport={"width": 1400, "height": 900})
    page.set_slider("#dof-left_rotation", 3)
    page.settle()
    base = page.canvas()
    for toggle in ("#colormap", "#ghost"):
        page.page.locator(toggle).uncheck()
        page.settle()
        off = page.canvas()
        assert (np.abs(off - base).sum(axis=2) > 30).mean() > 0.001, toggle
        page.page.locator(toggle).check()
        page.settle()
    page.page.locator("#labels-on").uncheck()
    page.settle()
    assert not page.page.locator("#labels .label").first.is_visible()
    assert page.page.locator("#legend").is_visible()
    page.close()


def test_play_button_runs_the_motion(browser, lesson_file):
    page = Page(browser, lesson_file, viewport={"width": 1400, "height": 900})
    page.page.locator("#play").click()
    seen = set()
    for _ in range(120):  # software GL on a busy machine draws slowly: wait for three poses, up to 30 s
        page.page.wait_for_timeout(250)
        seen.add(round(page.angles()["left_rotation"], 1))
        if len(seen) >= 3:
            break
    page.page.locator("#play").click()
    assert len(seen) >= 3, seen  # the sliders follow the motion
    assert "er-ir-cycle" in page.page.locator("#phase").inner_text()
    assert page.page.locator("#link").is_checked()  # playing leaves "link sides" as it was
    page.close()


def test_phone_with_touch(browser, lesson_file, pelvis, tmp_path):
    page = Page(
        browser,
        lesson_file,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    canvas = page.page.locator("#view").bounding_box()
    assert canvas["width"] == pytest.approx(390, abs=2) and canvas["height"] > 300
    before = page.canvas()
    # a one-finger drag on the picture turns the pelvis (OrbitControls)
    cdp = page.context.new_cdp_session(page.page)
    x0, y0 = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for k in range(1, 9):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x0 + 12 * k, "y": y0}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.settle()
    turned = page.canvas()
    assert (np.abs(turned - before).sum(axis=2) > 30).mean() > 0.02, "a touch drag should turn the pelvis"
    # a tap on a slider's track sets it
    slider = page.page.locator("#dof-nutation")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    page.page.touchscreen.tap(box["x"] + box["width"] * 0.85, box["y"] + box["height"] / 2)
    page.settle()
    assert page.angles()["nutation"] > 3
    assert_numbers_match(pelvis, page)
    page.page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.close()


@pytest.mark.skipif(not OPENSIM.is_dir(), reason=f"real anatomy not found at {OPENSIM}")
def test_a_real_pelvis_matches_python_too(browser, tmp_path):
    from tests.test_user_anatomy import opensim_model

    real = pelvis3d.Pelvis.load(opensim_model(tmp_path))
    path = export_lesson(tmp_path / "real.html", real)
    assert "Gait2392" in path.read_text(encoding="utf-8")
    page = Page(browser, path, viewport={"width": 1400, "height": 900})
    page.page.locator("#link").uncheck()
    rng = random.Random(2392)
    for _ in range(3):
        for name in SI_DOF_NAMES:
            lo, hi = real.dofs[name].physiological_deg
            page.set_slider(f"#dof-{name}", round(rng.uniform(lo, hi), 1))
        page.settle()
        assert_numbers_match(real, page)
    page.close()
