"""The desktop viewer in a real window under Xvfb, and its message without a display."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from pelvis3d.errors import PhysiologicalRangeWarning

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def xvfb_display():
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb; .ci/run installs it)")
    # Xvfb picks a free display itself and writes its number once it accepts clients
    # (-displayfd): no race with another X server starting, and no client before it is ready
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [exe, "-displayfd", str(write_end), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    digits = b""
    deadline = time.monotonic() + 60
    while not digits.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], 1.0)
        if ready:
            chunk = os.read(read_end, 16)
            if not chunk:
                break
            digits += chunk
    os.close(read_end)
    assert digits.strip().isdigit(), f"Xvfb did not start (said {digits!r})"
    n = int(digits)
    yield f":{n}"
    proc.terminate()
    proc.wait(timeout=10)


def window_env(display: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VTK_DEFAULT_OPENGL_WINDOW", "PYVISTA_OFF_SCREEN")}
    env["DISPLAY"] = display
    return env


@pytest.fixture(scope="module")
def driven(xvfb_display, tmp_path_factory):
    out = tmp_path_factory.mktemp("viewer")
    proc = subprocess.run(
        [sys.executable, str(HERE / "viewer_driver.py"), str(out)],
        capture_output=True,
        text=True,
        env=window_env(xvfb_display),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), out


def test_window_is_a_real_x_window(driven):
    result, _ = driven
    assert "X" in result["window"] or "Glx" in result["window"], result["window"]


def test_slider_moves_the_pelvis_and_the_numbers(driven):
    result, _ = driven
    assert result["angles"]["left_rotation"] == 1.5 and result["angles"]["right_rotation"] == 1.5  # linked
    assert result["text_changed"] and "rotation L +1.5" in result["text"]
    assert result["image_change"] > 100 and result["pixels_changed"] > 0.01


def test_view_keys_point_the_camera(driven):
    result, _ = driven
    d = result["directions"]
    assert d["b"] == [-1.0, 0.0, 0.0]
    assert d["t"] == [0.0, 1.0, 0.0]
    assert d["f"] == [1.0, 0.0, 0.0]
    assert d["l"] == [0.0, 0.0, -1.0]
    assert d["r"] == [0.0, 0.0, 1.0]
    assert d["o"][0] > 0 and d["o"][1] > 0


def test_our_keys_override_vtks(driven):
    result, _ = driven
    assert result["representation_after_w"] == [2, 2, 2]  # still surfaces (VTK's w: wireframe = 1)
    assert all(result["sliders_enabled_after_i"])  # VTK's i switches a widget off
    assert result["view_after_i"] == "inlet"  # ours: the inlet view


def test_mouse_turn_relays_labels_and_restores_quality(driven):
    result, _ = driven
    assert result["turned"] != [0.0, 1.0, 0.0]  # the drag turned the camera away from the top view
    assert result["leader_miss_px"] < 1.0  # every leader ends on its landmark as seen after the turn
    assert result["multisamples_after_turn"] > 0  # full quality once the hand stops


def test_screenshot_recording_unlinking_and_playback(driven):
    result, out = driven
    assert "pelvis3d-view-001.png" in result["files"]
    assert iio.imread(out / "pelvis3d-view-001.png").shape[:2] == (800, 1200)
    assert "pelvis3d-recording-001.gif" in result["files"]
    frames = iio.imread(out / "pelvis3d-recording-001.gif", index=None)
    assert iio.immeta(out / "pelvis3d-recording-001.gif", index=0)["duration"] == 100  # 10 frames a second
    assert len(frames) >= 10  # the first picture held for the second it was shown: real time
    distinct = [
        f for i, f in enumerate(frames) if i == 0 or np.abs(f.astype(int) - frames[i - 1].astype(int)).max() > 50
    ]
    assert len(distinct) >= 3  # the three poses shown
    assert not any(name.startswith(".") for name in result["files"])  # no partial files left
    assert result["unlinked"] == [0.5, -1.0]
    assert result["played"] != 0.5  # the motion moved the sliders


def test_no_display_gives_one_line_and_nonzero_exit():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    exe = BIN / "pelvis3d"
    argv = [str(exe), "view"] if exe.exists() else [sys.executable, "-m", "pelvis3d", "view"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "no display" in err and "pelvis3d serve" in err


def test_stale_display_gives_one_line_and_nonzero_exit():
    for n in range(150, 200):  # an X display number nobody serves
        if not Path(f"/tmp/.X11-unix/X{n}").exists():
            break
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env["DISPLAY"] = f":{n}"
    exe = BIN / "pelvis3d"
    argv = [str(exe), "view"] if exe.exists() else [sys.executable, "-m", "pelvis3d", "view"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and f"':{n}'" in err and "DISPLAY" in err
    assert 'pip install "pelvis3d[web]"' in err  # the advice names the extra as the README does
    readme = (HERE.parent / "README.md").read_text()
    assert '.[web]"' in readme and "web = [" in (HERE.parent / "pyproject.toml").read_text()


def test_view_help_explains_every_option():
    from pelvis3d.apps.cli import build_parser

    parser = build_parser()
    view = next(a for a in parser._subparsers._group_actions[0].choices.items() if a[0] == "view")[1]
    for action in view._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"view {action.option_strings[0]} has no help"
    text = view.format_help()
    assert "drawn rotated X times" in text and "1366x768" in text


def test_default_window_fits_a_laptop_screen():
    import inspect

    from pelvis3d.apps.viewer import Viewer

    w, h = inspect.signature(Viewer).parameters["size"].default
    assert w <= 1366 and h <= 768 - 40  # a 1366x768 screen less a task bar


def test_viewer_logic_offscreen(pelvis):
    from pelvis3d.apps.viewer import Viewer

    v = Viewer(pelvis, size=(600, 400), off_screen=True)
    v.set(left_rotation=1.0)
    assert v.pose().right_rotation == 1.0
    v.toggle("ghost", False)
    assert not v.scene.overlay_visible("ghost")
    assert all(not a.GetVisibility() for a in v.scene.ghost_actors.values())
    v.toggle("ghost", True)
    assert any(a.GetVisibility() for a in v.scene.ghost_actors.values())
    v.reset()
    assert v.pose().is_neutral()
    v.close()


def test_viewer_plays_an_exercise(pelvis):
    from pelvis3d.apps.viewer import Viewer

    with warnings.catch_warnings():  # lying prone is a posture, not a range to warn about
        warnings.simplefilter("error", PhysiologicalRangeWarning)
        v = Viewer(pelvis, size=(600, 400), off_screen=True, exercise="clamshell")
    femur = v.exercise_scene.leg_actors["left_femur"]
    before = np.array(femur.user_matrix)
    assert v.pose().pelvis_tilt == 90.0  # prone
    v.toggle_play()
    v.tick(2.5)  # into the knee lift
    after = np.array(femur.user_matrix)
    assert np.abs(after - before).max() > 0.1
    assert v.angles["left_rotation"] > 1.0  # the coupled innominate rotation shows on the slider
    assert "rotation L +1." in v.metrics_text()
    v.close()


def test_drag_quality_while_the_hand_moves_and_full_quality_after(pelvis):
    from pelvis3d.apps.viewer import Viewer

    v = Viewer(pelvis, size=(800, 600), view="top", off_screen=True)
    v.set(left_rotation=1.0)
    ren = v.plotter.renderer

    def lit() -> list:
        return [light for light in ren.GetLights() if light.GetSwitch()]

    full_lights = lit()
    assert len(full_lights) >= 3 and v.plotter.ren_win.GetMultiSamples() > 0
    assert any(a.GetVisibility() for a in v.scene.ghost_actors.values())
    insets = [r for r in v.plotter.ren_win.GetRenderers() if r is not ren and r.GetDraw()]
    assert len(insets) == 3  # the magnifier insets of the view from above
    v.begin_interaction()
    for value in (1.2, 1.4):  # moves during the drag: the ghost must not come back
        v.set(left_rotation=value)
        assert v.plotter.ren_win.GetMultiSamples() == 0
        assert [light.GetLightType() for light in lit()] == [1]  # one headlight (VTK_LIGHT_TYPE_HEADLIGHT)
        assert not any(a.GetVisibility() for a in v.scene.ghost_actors.values())
        assert not any(r.GetDraw() for r in insets)
    v.end_interaction()
    assert lit() == full_lights and v.plotter.ren_win.GetMultiSamples() > 0
    assert any(a.GetVisibility() for a in v.scene.ghost_actors.values())  # at the pose reached
    assert all(r.GetDraw() for r in insets)
    # the ghost switched off by the user stays off after a drag
    v.toggle("ghost", False)
    v.begin_interaction()
    v.set(left_rotation=1.6)
    v.end_interaction()
    assert not any(a.GetVisibility() for a in v.scene.ghost_actors.values())
    v.close()


@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)])
def test_labels_never_cover_the_tick_boxes(pelvis, size):
    from pelvis3d.apps.viewer import Viewer
    from pelvis3d.render.drawing import text_size

    v = Viewer(pelvis, size=size, off_screen=True)
    v.set(left_rotation=1.0)
    controls = []  # (x0, y0, x1, y1) in pixels from the lower left
    picture = v.plotter.screenshot()[::-1, :, :3].astype(int)  # rows from the bottom, as VTK counts
    for name, caption in zip(v.toggles, v.control_actors, strict=True):
        x0, y0, x1, y1 = v.toggle_boxes[name]
        # the (ticked, blue) box is drawn where the viewer says it is
        blue = np.abs(picture[y0 - 2 : y1 + 3, x0 - 2 : x1 + 3] - (37, 99, 235)).sum(axis=2) < 60
        assert blue.mean() > 0.3, name
        cx, cy = caption.GetPositionCoordinate().GetValue()[:2]
        w, h = text_size(caption.GetTextProperty(), caption.GetInput())
        controls += [(x0, y0, x1, y1), (cx, cy, cx + w, cy + h)]
    for a, b in zip(controls[1::2], controls[2::2], strict=False):  # a caption ends before the next box
        assert a[2] < b[0], (a, b)
    labels = v.scene.labels
    for view in ("top", "rear", "front", "left", "right", "oblique", "inlet"):
        v.set_view(view)
        v.plotter.render()
        for actor in labels.text_actors:
            if not actor.GetVisibility() or not actor.GetInput():
                continue
            x, y = actor.GetPositionCoordinate().GetValue()[:2]
            w, h = text_size(actor.GetTextProperty(), actor.GetInput())
            justify = actor.GetTextProperty().GetJustification()
            x0 = x - (w / 2 if justify == 1 else w if justify == 2 else 0)
            box = (x0, y - h / 2, x0 + w, y + h / 2)  # labels are centred vertically
            for c in controls:
                apart = box[2] < c[0] or c[2] < box[0] or box[3] < c[1] or c[3] < box[1]
                assert apart, (view, actor.GetInput(), box, c)
    v.close()
