"""Motions as data, metrics over time, mesh export and animated glTF (validated by Khronos)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import trimesh
from scipy.spatial.transform import Rotation

import pelvis3d
from pelvis3d import Keyframe, Motion, Pose
from pelvis3d.apps.cli import main
from pelvis3d.motions.motion import MOTIONS, get_motion


def test_motion_files_round_trip(tmp_path):
    for name in ("er-ir-cycle", "left-external-rotation", "nutation-counternutation", "pelvis-obliquity"):
        m = MOTIONS[name]
        for suffix in (".toml", ".json"):
            path = tmp_path / f"{name}{suffix}"
            m.save(path)
            back = Motion.load(path)
            assert back == m
            assert get_motion(str(path)) == m


def test_easing_hits_keyframes_exactly_and_hold_holds():
    m = Motion(
        "t",
        (
            Keyframe(0.0, Pose()),
            Keyframe(1.0, Pose(rotation=1.5), "linear"),
            Keyframe(2.0, Pose(rotation=1.5), "hold"),
            Keyframe(3.0, Pose(left_rotation=-1)),
        ),
    )
    for k in m.keyframes:
        assert m.pose_at(k.time) == k.pose
    assert m.pose_at(0.5).left_rotation == pytest.approx(0.75, abs=1e-12)  # ease-in-out: half way at the midpoint
    # poses between keyframes are rounded to 1e-9 deg (a pose reached again is the same pose)
    assert m.pose_at(0.25).left_rotation == pytest.approx(1.5 * (0.5 - 0.5 * np.cos(np.pi * 0.25)), abs=1e-9)
    assert m.pose_at(1.5) == Pose(rotation=1.5)  # linear between equal poses
    assert m.pose_at(2.5) == Pose(rotation=1.5)  # hold keeps the segment's first pose
    assert m.pose_at(99) == Pose(left_rotation=-1)


def test_a_pose_reached_out_and_back_is_exactly_the_same_pose():
    from pelvis3d.motions.motion import get_motion

    m = get_motion("er-ir-cycle")
    times = m.sample_times(60)
    poses = [m.pose_at(float(t)) for t in times]
    # out to the largest external rotation and back: frame i and its mirror image are equal
    assert len(set(poses)) < 0.6 * len(poses)
    assert poses[1] == poses[int(np.argmax([p.left_rotation for p in poses])) * 2 - 1]


@pytest.mark.parametrize(
    "text, words",
    [
        ('name = "x"\n[[keyframes]]\ntime = 0.0\n', "at least two keyframes"),
        ('[[keyframes]]\ntime = 0.0\n[[keyframes]]\ntime = 1.0\neasing = "bouncy"\n', "easing 'bouncy'"),
        ("[[keyframes]]\ntime = 0.0\n[[keyframes]]\ntime = 1.0\npose = { flare = 2 }\n", "keyframes\\[1\\].pose"),
        ("[[keyframes]]\ntime = 0.5\n[[keyframes]]\ntime = 0.1\n", "start at 0 and increase"),
        ("keyframes = [", "could not be read"),
    ],
)
def test_bad_motion_files(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(pelvis3d.Pelvis3dError, match=words):
        Motion.load(path)


def test_named_motions_cover_the_listed_movements(pelvis):
    names = set(MOTIONS)
    assert {
        "external-rotation",
        "internal-rotation",
        "er-ir-cycle",
        "left-external-rotation",
        "left-internal-rotation",
    } <= names
    assert {"anterior-innominate-rotation", "posterior-innominate-rotation", "nutation-counternutation"} <= names
    assert {"pelvis-tilt", "pelvis-obliquity", "pelvis-rotation"} <= names
    for m in MOTIONS.values():
        for t in m.sample_times(9):
            pelvis.check_pose(m.pose_at(float(t)))


def test_metrics_csv_matches_the_api(tmp_path, pelvis):
    from pelvis3d.export.timeline import write_metrics_csv

    out = write_metrics_csv("er-ir-cycle", tmp_path / "m.csv", frames=9, pelvis=pelvis)
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 9
    m = get_motion("er-ir-cycle")
    for row in rows:
        t = float(row["time_s"])
        metrics = pelvis.metrics(m.pose_at(t))
        assert float(row["pubic_gap_mm"]) == pytest.approx(metrics.pubic_gap_mm, abs=1e-5)
        assert float(row["si_posterior_space_right_mm"]) == pytest.approx(
            metrics.si_posterior_space_mm["right"], abs=1e-5
        )
        assert float(row["left_rotation_deg"]) == pytest.approx(m.pose_at(t).left_rotation, abs=1e-5)


@pytest.mark.render
def test_animate_writes_metrics_csv_and_plot(tmp_path, capsys):
    gif = tmp_path / "c.gif"
    assert main(["animate", "er-ir-cycle", str(gif), "--frames", "6", "--size", "200x150", "--metrics"]) == 0
    assert (tmp_path / "c.csv").exists()
    import imageio.v3 as iio

    plot = iio.imread(tmp_path / "c-metrics.png")
    assert plot.shape[0] > 300 and plot[..., :3].std() > 10


def test_export_meshes_units_and_formats(tmp_path, pelvis):
    paths = pelvis3d.export_meshes(Pose(rotation=1), tmp_path / "p.stl", units="m", pelvis=pelvis)
    assert [p.name for p in paths] == ["p_sacrum.stl", "p_left_innominate.stl", "p_right_innominate.stl"]
    left = trimesh.load(paths[1])
    expected = pelvis.posed(Pose(rotation=1)).meshes()["left_innominate"]
    assert np.allclose(left.bounds, expected.bounds / 1000, atol=1e-6)
    (glb,) = pelvis3d.export_meshes(Pose(), tmp_path / "p.glb", pelvis=pelvis)
    scene = trimesh.load(glb)
    assert len(scene.geometry) == 3
    # glTF's convention: metres and +Y up, +Z anterior (the ASISs are the most anterior points)
    points = np.vstack([g.vertices @ t[:3, :3].T + t[:3, 3] for g, t in _scene_parts(scene)])
    asis = np.asarray(pelvis.landmarks["left_asis"])
    assert np.ptp(points[:, 1]) == pytest.approx(np.ptp(expected_all(pelvis)[:, 1]) / 1000, rel=1e-4)
    assert points[:, 2].max() == pytest.approx(expected_all(pelvis)[:, 0].max() / 1000, abs=1e-6)
    assert asis[2] < 0  # the left ASIS is at -Z in the pelvis frame and at +X in glTF
    for suffix in (".ply", ".obj"):
        assert len(pelvis3d.export_meshes(Pose(), tmp_path / f"q{suffix}", pelvis=pelvis)) == 3


def expected_all(pelvis) -> np.ndarray:
    return np.vstack(
        [np.asarray(pelvis.anatomy.vertices[b]) for b in ("sacrum", "left_innominate", "right_innominate")]
    )


def _scene_parts(scene):
    for node in scene.graph.nodes_geometry:
        transform, geometry = scene.graph[node]
        yield scene.geometry[geometry], transform


def read_glb(path: Path) -> dict:
    data = path.read_bytes()
    magic, version, total = struct.unpack("<4sII", data[:12])
    assert magic == b"glTF" and version == 2 and total == len(data)
    length, kind = struct.unpack("<I4s", data[12:20])
    assert kind == b"JSON"
    return json.loads(data[20 : 20 + length])


def test_animated_gltf_structure_matches_the_model(tmp_path, pelvis):
    out = pelvis3d.export_animation("er-ir-cycle", tmp_path / "a.glb", fps=4, exaggeration=5, pelvis=pelvis)
    g = read_glb(out)
    assert [n["name"] for n in g["nodes"]] == ["pelvis", "sacrum", "left_innominate", "right_innominate"]
    assert len(g["meshes"]) == 3 and len(g["materials"]) == 3  # a mesh per bone, not per frame
    (anim,) = g["animations"]
    paths = sorted((c["target"]["node"], c["target"]["path"]) for c in anim["channels"])
    assert paths == [(n, p) for n in (1, 2, 3) for p in ("rotation", "translation")]
    # the stored first-frame rotation of the left innominate equals the model's transform
    t0 = pelvis.posed(get_motion("er-ir-cycle").pose_at(0.0), 5).world_transforms["left_innominate"]
    q = np.array(g["nodes"][2]["rotation"])
    assert np.allclose(Rotation.from_quat(q).as_matrix(), np.asarray(t0)[:3, :3], atol=1e-6)
    # and so does a non-neutral keyframe, read back from the binary animation channels
    times, rotations, translations = _channel(out, g, node=2)
    k = int(np.argmax(np.abs(times - 1.0) < 1e-6))  # er-ir-cycle peaks in external rotation at 1 s
    tk = pelvis.posed(get_motion("er-ir-cycle").pose_at(float(times[k])), 5).world_transforms["left_innominate"]
    assert get_motion("er-ir-cycle").pose_at(float(times[k])).left_rotation > 0.45  # the ER peak
    assert np.allclose(Rotation.from_quat(rotations[k]).as_matrix(), np.asarray(tk)[:3, :3], atol=1e-6)
    assert np.allclose(translations[k], np.asarray(tk)[:3, 3] / 1000, atol=1e-6)
    assert not np.allclose(rotations[k], rotations[0], atol=1e-4)
    root = g["nodes"][0]
    assert root["extras"]["exaggeration"] == 5 and root["extras"]["units"] == "m"
    assert root["extras"]["true_angles_deg"][k]["pose"]["left_rotation"] == pytest.approx(
        get_motion("er-ir-cycle").pose_at(float(times[k])).left_rotation
    )


def _channel(path: Path, g: dict, node: int):
    """Times, rotations and translations of one node's animation channels (from the binary)."""
    data = path.read_bytes()
    length = struct.unpack("<I", data[12:16])[0]
    binary = data[20 + length + 8 :]

    def accessor(index: int) -> np.ndarray:
        acc = g["accessors"][index]
        view = g["bufferViews"][acc["bufferView"]]
        width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[acc["type"]]
        raw = binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
        return np.frombuffer(raw, np.float32).reshape(acc["count"], width).squeeze()

    (anim,) = g["animations"]
    out = {}
    for c in anim["channels"]:
        if c["target"]["node"] == node:
            sampler = anim["samplers"][c["sampler"]]
            out["times"] = accessor(sampler["input"])
            out[c["target"]["path"]] = accessor(sampler["output"])
    return out["times"], out["rotation"], out["translation"]


def test_static_and_animated_gltf_share_one_convention(tmp_path, pelvis):
    pose = Pose(left_rotation=1.0, pelvis_tilt=10.0)
    (static,) = pelvis3d.export_meshes(pose, tmp_path / "s.glb", world=True, pelvis=pelvis)
    animated = pelvis3d.export_animation("left-er-ir-cycle", tmp_path / "a.glb", fps=4, pelvis=pelvis)
    gs, ga = read_glb(static), read_glb(animated)
    for g in (gs, ga):
        assert g["nodes"][0]["name"] == "pelvis" and g["nodes"][0]["extras"]["units"] == "m"
        assert np.allclose(g["nodes"][0]["rotation"], gs["nodes"][0]["rotation"])
        assert [m["name"] for m in g["materials"]] == ["sacrum", "left_innominate", "right_innominate"]
        assert all("NORMAL" in mesh["primitives"][0]["attributes"] for mesh in g["meshes"])
        assert g["asset"]["generator"] == "pelvis3d"
    assert gs["nodes"][0]["extras"]["true_angles_deg"] == {"left_rotation": 1.0, "pelvis_tilt": 10.0}
    t = pelvis.posed(pose).world_transforms["left_innominate"]
    q = np.array(gs["nodes"][2]["rotation"])
    assert np.allclose(Rotation.from_quat(q).as_matrix(), np.asarray(t)[:3, :3], atol=1e-6)
    assert np.allclose(gs["nodes"][2]["translation"], np.asarray(t)[:3, 3] / 1000, atol=1e-6)


def test_an_exercise_exports_its_legs(tmp_path, pelvis):
    from pelvis3d.motions.exercises import get_exercise

    exercise = get_exercise("clamshell")
    g = read_glb(pelvis3d.export_animation(exercise, tmp_path / "c.glb", fps=2, pelvis=pelvis))
    names = [n["name"] for n in g["nodes"]]
    assert {"left_femur", "right_femur", "left_shank", "right_shank"} <= set(names)


def test_animated_gltf_passes_the_khronos_validator(tmp_path, pelvis):
    validator = os.environ.get("PELVIS3D_GLTF_VALIDATOR")
    node = shutil.which("node")
    if not validator or node is None or not Path(validator).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("the Khronos glTF validator (npm gltf-validator) is missing although .ci/run installs it")
        pytest.skip("the Khronos glTF validator (npm gltf-validator) is not installed; .ci/run installs it")
    script = tmp_path / "validate.js"
    script.write_text(
        f"const v = require({json.dumps(validator)}); const fs = require('fs');\n"
        "v.validateBytes(new Uint8Array(fs.readFileSync(process.argv[2]))).then(r => {\n"
        "  console.log(JSON.stringify({errors: r.issues.numErrors, warnings: r.issues.numWarnings, animations: r.info.animationCount}));\n"
        "}, e => { console.error(e); process.exit(2); });\n"
    )
    outputs = {
        pelvis3d.export_animation("left-er-ir-cycle", tmp_path / "a.glb", fps=10, pelvis=pelvis): 1,
        pelvis3d.export_animation("clamshell", tmp_path / "c.glb", fps=2, pelvis=pelvis): 1,
        pelvis3d.export_meshes(Pose(rotation=1), tmp_path / "s.glb", pelvis=pelvis)[0]: 0,
    }
    for out, animations in outputs.items():
        proc = subprocess.run([node, str(script), str(out)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        assert report == {"errors": 0, "warnings": 0, "animations": animations}, out.name


def test_export_cli(tmp_path, capsys):
    assert main(["export", str(tmp_path / "c.glb"), "--motion", "er-ir-cycle", "--fps", "5"]) == 0
    assert read_glb(tmp_path / "c.glb")["animations"]
    assert main(["export", str(tmp_path / "p.stl"), "--rotation", "1"]) == 0
    assert (tmp_path / "p_sacrum.stl").exists()
    assert main(["export", str(tmp_path / "p.xyz")]) == 2


def test_any_motion_name_round_trips_through_toml(tmp_path):
    """Names with quotes, backslashes, newlines and control characters survive save -> load."""
    for name in ('a "quoted" name', "back\\slash", "two\nlines", "tab\tand bell\x07", "ünïcödé"):
        m = Motion(name, (Keyframe(0.0, Pose()), Keyframe(1.0, Pose(rotation=0.5), label=name)), description=name)
        path = tmp_path / "m.toml"
        m.save(path)
        assert Motion.load(path) == m


def test_a_huge_integer_in_a_motion_file_is_one_clear_error(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text('{"keyframes": [{"time": 0, "pose": {}}, {"time": 1, "pose": {"rotation": ' + "9" * 400 + "}}]}")
    with pytest.raises(ValueError, match="too large"):
        Motion.load(path)
    with pytest.raises(TypeError, match="unexpected keyword 'bogus'.*left_rotation"):
        Pose(bogus=1)


def test_a_mesh_set_is_written_whole_with_unique_temporary_names(tmp_path, pelvis, monkeypatch):
    import threading

    from pelvis3d import files

    target = tmp_path / "set.stl"
    pelvis3d.export_meshes(Pose(), target, pelvis=pelvis)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("set_*.stl")}
    calls = {"n": 0}
    real = trimesh.Trimesh.export

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(trimesh.Trimesh, "export", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        pelvis3d.export_meshes(Pose(rotation=1), target, units="m", pelvis=pelvis)
    monkeypatch.undo()
    # the old set is untouched (not a mix of mm and m files) and no partial is left
    assert {p.name: p.read_bytes() for p in tmp_path.glob("set_*.stl")} == before
    assert not list(tmp_path.glob(".*partial*"))
    # two threads writing the same target never share a temporary name
    names = []

    def grab():
        with files.atomic_path(tmp_path / "same.txt") as tmp:
            names.append(tmp.name)
            tmp.write_text("x")

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(names)) == 8 and (tmp_path / "same.txt").read_text() == "x"


def test_partials_are_removed_on_sigterm_and_after_a_kill(tmp_path):
    import signal
    import sys
    import time

    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from pelvis3d.files import atomic_path\n"
        "with atomic_path(Path(sys.argv[1])) as tmp:\n"
        "    tmp.write_text('half')\n"
        "    print(tmp, flush=True)\n"
        "    time.sleep(60)\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "out.gif")],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            # as from a shell: a test runner's worker (pytest-xdist) may ignore SIGHUP, which a child inherits
            preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGTERM, signal.SIGHUP)],
        )
        partial = Path(proc.stdout.readline().strip())
        assert partial.exists()
        proc.send_signal(sig)
        proc.wait(timeout=30)
        if sig == signal.SIGKILL:
            assert partial.exists()  # nothing can run at SIGKILL ...
            from pelvis3d.files import remove_stale_partials

            time.sleep(0.1)
            assert remove_stale_partials(tmp_path) == [partial]  # ... the next write cleans up
        assert not partial.exists(), sig
        assert not (tmp_path / "out.gif").exists()
