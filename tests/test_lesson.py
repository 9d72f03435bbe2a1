"""The lesson page file: self-contained, small, built from the model; the CLI around it."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest

import pelvis3d
from pelvis3d import Pose
from pelvis3d.apps.cli import main
from pelvis3d.errors import LimitError, PoseError
from pelvis3d.export.lesson import LESSON_ASSETS, THREE_VERSION, export_lesson, lesson_data, motion_frames
from pelvis3d.kinematics import SI_DOF_NAMES
from pelvis3d.motions.motion import MOTIONS

ASSETS = Path(pelvis3d.__file__).parent / "export" / "lesson_assets"
MAX_BYTES = 5 * 1024 * 1024


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="lesson-data">(.*?)</script>', html, re.S)
    assert found, "the page carries its data inline"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, str]:
    path = export_lesson(tmp_path_factory.mktemp("lesson") / "lesson.html", motion="er-ir-cycle")
    return path, path.read_text(encoding="utf-8")


def test_one_self_contained_file_under_5_mb(page):
    path, html = page
    assert path.stat().st_size <= MAX_BYTES
    # nothing loaded from elsewhere: no script/link/img sources, no URLs in attributes
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", html, re.I)
    assert not re.search(r"\b(src|href)=[\"']?https?:", html, re.I)
    # three.js is inside, with its licence notice and version
    assert "Copyright 2010-2026 Three.js Authors" in html and "SPDX-License-Identifier: MIT" in html
    assert f"three.js {THREE_VERSION} (MIT" in html
    assert html.count("<script") == 4  # data, three.js, the maths, the app
    assert "/*LESSON_" not in html and "/*THREE_JS*/" not in html and "__TITLE__" not in html


def test_vendored_three_is_there_with_its_licence():
    for name in LESSON_ASSETS:
        assert (ASSETS / name).is_file(), name
    licence = (ASSETS / "LICENSE-three.txt").read_text()
    assert "MIT License" in licence and "three.js authors" in licence
    assert THREE_VERSION in (ASSETS / "VENDOR.md").read_text()
    bundle = (ASSETS / "three-lesson.min.js").read_text()
    # one classic script that hands the page three.js and the touch/mouse controls
    assert "window.THREE={" in bundle and "OrbitControls:" in bundle
    assert f'"{THREE_VERSION.split(".")[1]}"' in bundle  # three's REVISION string, e.g. "187"


def test_page_carries_the_model_exactly(page, pelvis):
    _, html = page
    data = page_data(html)
    assert data["ring_dofs"] == list(SI_DOF_NAMES)
    for name, dof in pelvis.dofs.items():
        got = data["dofs"][name]
        assert got["hard"] == list(dof.hard_deg) and got["physiological"] == list(dof.physiological_deg)
        np.testing.assert_array_equal(got["axis"], dof.axis)
        np.testing.assert_array_equal(got["pivot"], dof.pivot_mm)
    for body in pelvis3d.anatomy.BODIES:
        b = data["bodies"][body]
        v = np.frombuffer(base64.b64decode(b["positions"]), "<f4").reshape(-1, 3)
        f = np.frombuffer(base64.b64decode(b["faces"]), "<u2" if b["index_bytes"] == 2 else "<u4").reshape(-1, 3)
        # the page measures on the model's own triangles (float32 vertices: within 1e-5 mm)
        np.testing.assert_array_equal(f, pelvis.anatomy.faces[body])
        assert np.abs(v - pelvis.anatomy.vertices[body]).max() < 1e-5
    for name in ("left_si_innominate", "right_pubic_face"):
        assert data["surfaces"][name]["vertices"] == [int(i) for i in pelvis.joint_surfaces[name].vertices]
    # the joint chain: parents first, each body's DOFs in the order Pelvis.transforms composes them
    chain = {child: (parent, dofs) for child, parent, dofs in data["chain"]}
    assert chain["left_innominate"] == ("pelvis", ["left_rotation", "left_tilt"])
    assert chain["sacrum"] == ("pelvis", ["nutation"])
    order = [c for c, _, _ in data["chain"]]
    assert order.index("pelvis") < order.index("sacrum")
    # the anterior half of each SI surface splits its vertices in two
    ant = data["surfaces"]["left_si_innominate"]["anterior"]
    assert 0.4 < sum(ant) / len(ant) < 0.6


def test_motion_frames_follow_the_motion():
    motion = MOTIONS["er-ir-cycle"]
    frames = motion_frames(motion)
    assert frames["times"][0] == 0 and frames["times"][-1] == pytest.approx(motion.duration)
    for i in (0, len(frames["times"]) // 3, len(frames["times"]) - 1):
        pose = motion.pose_at(frames["times"][i])
        for name in SI_DOF_NAMES:
            assert frames["angles"][name][i] == pytest.approx(getattr(pose, name), abs=1e-9)


def test_starting_pose_and_exaggeration(tmp_path, pelvis):
    path = export_lesson(tmp_path / "start.htm", pelvis, exaggeration=2.5, pose=Pose(left_rotation=1.5, nutation=-1))
    data = page_data(path.read_text(encoding="utf-8"))
    assert data["exaggeration"] == 2.5
    assert (
        data["start"]["left_rotation"] == 1.5 and data["start"]["nutation"] == -1 and data["start"]["right_tilt"] == 0
    )
    assert data["motion"] is None
    assert lesson_data(pelvis)["labels"]["pubic symphysis"] == [
        "left_symphyseal_face_centre",
        "right_symphyseal_face_centre",
    ]


def test_bad_input_is_one_clear_error_and_leaves_no_file(tmp_path, pelvis):
    with pytest.raises(PoseError, match=r"must end in \.html"):
        export_lesson(tmp_path / "lesson.png", pelvis)
    with pytest.raises(PoseError, match="exaggeration=30"):
        export_lesson(tmp_path / "a.html", pelvis, exaggeration=30)
    with pytest.raises(PoseError, match="unknown motion 'wobble'.*clamshell"):
        export_lesson(tmp_path / "a.html", pelvis, motion="wobble")
    with pytest.raises(LimitError, match="left_rotation=12"):
        export_lesson(tmp_path / "a.html", pelvis, pose=Pose(left_rotation=12))
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "lesson.html"
    assert main(["export", str(out), "--motion", "clamshell", "--exaggerate", "3", "--rotation", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == str(out)
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["motion"]["name"] == "clamshell" and data["exaggeration"] == 3
    assert data["start"]["left_rotation"] == data["start"]["right_rotation"] == 1
    # the exercise's labels travel with it
    assert any(data["motion"]["labels"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--units", "m"], "--units does not apply to a lesson page"),
        (["--motion", "wobble"], "unknown motion 'wobble'"),
        (["--exaggerate", "0"], "exaggeration=0.0 is outside"),
        (["--left-tilt", "11"], "left_tilt=11 deg is beyond the hard limit"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message):
    out = tmp_path / "lesson.html"
    assert main(["export", str(out), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and err.startswith("pelvis3d export: error:")
    assert not out.exists() and list(tmp_path.iterdir()) == []
