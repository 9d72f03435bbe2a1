"""OpenSim motions through the picture, viewer and export paths, and the runner's view."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from pelvis3d.apps.cli import main
from pelvis3d.motions.opensim import motion_from_opensim, read_storage

ROOT = Path(__file__).resolve().parents[1]
HAMNER = ROOT.parent / "shared" / "real-data" / "opensim-hamner-running"
TRIAL = HAMNER / "subject02_running_ik.mot"
MODEL = HAMNER / "FullBodyModel_Hamner2010_v2_0.osim"
pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(not HAMNER.is_dir(), reason=f"OpenSim data not found at {HAMNER}"),
    pytest.mark.filterwarnings("ignore::pelvis3d.errors.PhysiologicalRangeWarning"),
]


def run(argv) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return int(exc.code)


def cursor_columns(strip: np.ndarray) -> np.ndarray:
    """Columns of the plot strip where the near-black cursor runs down most of the axes."""
    dark = (strip.astype(int).sum(axis=-1) < 150).mean(axis=0)
    return np.flatnonzero(dark > 0.35)


def test_runner_frames_move_the_cursor_the_body_and_the_ring():
    from pelvis3d.render.runner import RunnerView, runner_motion

    motion = runner_motion(TRIAL)
    assert motion.support == "floor" and motion.coupling == pytest.approx(0.03)
    view = RunnerView(motion, size=(640, 480))
    try:
        # times where the hips are rotated the other way: the ring follows
        hip = np.array([motion.pose_at(t).hip_rotation_r for t in motion.times])
        t_ir, t_er = float(motion.times[np.argmax(hip)]), float(motion.times[np.argmin(hip)])
        a, b = view.frame(t_ir), view.frame(t_er)
    finally:
        view.close()
    assert a.shape == b.shape == (480, 640, 3)
    plot_h = 480 - view.body.scene.size[1]
    dark_a, dark_b = cursor_columns(a[-plot_h:]), cursor_columns(b[-plot_h:])
    spines = np.intersect1d(dark_a, dark_b)  # the axes' left and right edges, in both frames
    left, right = spines.min(), spines.max()
    for dark, t in ((dark_a, t_ir), (dark_b, t_er)):
        cursor = np.setdiff1d(dark, spines)
        assert len(cursor) and abs(cursor.mean() - (left + (right - left) * t / motion.duration)) <= 2
    body_w = view.body.scene.size[0]
    top = slice(0, 480 - plot_h)
    body_change = np.abs(a[top, :body_w].astype(int) - b[top, :body_w].astype(int)).sum(axis=-1) > 60
    ring_change = np.abs(a[top, body_w:].astype(int) - b[top, body_w:].astype(int)).sum(axis=-1) > 60
    assert body_change.mean() > 0.01  # the legs moved
    assert ring_change.mean() > 0.002  # the innominates turned (x5)
    assert motion.pose_at(t_ir).right_rotation == pytest.approx(-0.03 * hip.max(), rel=1e-6)


def test_run_command_mp4_and_png(tmp_path, capsys):
    out = tmp_path / "run.mp4"
    assert run(["run", TRIAL, out, "--frames", "6", "--size", "320x240", "--fps", "10"]) == 0
    frames = iio.imread(out, index=None)
    assert frames.shape == (6, 240, 320, 3)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).max() > 100
    png = tmp_path / "frame.png"
    assert run(["run", TRIAL, png, "--model", MODEL]) == 0
    assert iio.imread(png).shape[:2] == (480, 640)
    assert "credit: Geometry: OpenSim model" in capsys.readouterr().out
    gif = tmp_path / "part.gif"
    assert run(["run", TRIAL, gif, "--span", "1", "2", "--fps", "5", "--size", "320x240"]) == 0
    assert iio.imread(gif, index=None).shape[0] == 6  # 1 s at 5 fps, both ends
    assert run(["run", TRIAL, tmp_path / "late.gif", "--span", "9", "12"]) == 2
    assert not (tmp_path / "late.gif").exists()
    assert run(["run", TRIAL, tmp_path / "odd.mp4", "--size", "321x240"]) == 2
    assert not (tmp_path / "odd.mp4").exists()


def test_animate_and_view_take_an_opensim_file(tmp_path):
    gif = tmp_path / "trial.gif"
    assert run(["animate", TRIAL, gif, "--frames", "4", "--size", "240x180", "--view", "rear"]) == 0
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == 4 and np.abs(frames[1].astype(int) - frames[2].astype(int)).max() > 60

    from pelvis3d.apps.viewer import Viewer

    motion = motion_from_opensim(TRIAL, coupling=0.03)
    viewer = Viewer(motion=motion, off_screen=True, size=(320, 240))
    try:
        viewer.toggle_play()
        viewer.tick(0.9)
        expected = motion.pose_at(0.9).left_rotation
        assert expected != 0.0 and viewer.angles["left_rotation"] == pytest.approx(expected)
    finally:
        viewer.close()


def glb_json(path: Path) -> dict:
    data = path.read_bytes()
    length = struct.unpack_from("<I", data, 12)[0]
    return json.loads(data[20 : 20 + length])


def test_export_glb_of_an_opensim_motion(tmp_path):
    out = tmp_path / "run.glb"
    assert run(["export", out, "--motion", TRIAL, "--fps", "10"]) == 0
    gltf = glb_json(out)
    table = read_storage(TRIAL)
    duration = table.data[-1, 0] - table.data[0, 0]
    sampler_inputs = {s["input"] for a in gltf["animations"] for s in a["samplers"]}
    counts = {gltf["accessors"][i]["count"] for i in sampler_inputs}
    assert counts == {int(round(duration * 10)) + 1}
    assert max(gltf["accessors"][i]["max"][0] for i in sampler_inputs) == pytest.approx(duration, abs=1e-4)
