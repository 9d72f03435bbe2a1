"""The rendering commands and the examples, through main([...]) and real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import pytest

from pelvis3d.apps.cli import main

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.render


def run(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_image_command(tmp_path, capsys):
    out = tmp_path / "top.png"
    assert run(["image", str(out), "--view", "top", "--rotation", "1", "--size", "320x240", "--exaggerate", "4"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert iio.imread(out).shape[:2] == (240, 320)


def test_figure_and_animate_commands(tmp_path):
    fig = tmp_path / "fig.png"
    assert run(["figure", str(fig), "--size", "600x300", "--overlays", "none"]) == 0
    assert iio.imread(fig).shape[:2] == (300, 600)  # --size is the whole output
    gif = tmp_path / "a.gif"
    assert (
        run(["animate", "left-external-rotation", str(gif), "--frames", "6", "--size", "200x150", "--fps", "10"]) == 0
    )
    assert iio.imread(gif, index=None).shape == (6, 150, 200, 3)
    assert iio.immeta(gif)["duration"] == 100


@pytest.mark.parametrize(
    "argv, words",
    [
        (["image", "x.png", "--size", "big"], "--size must look like 800x600"),
        (["image", "x.png", "--view", "sideways"], "invalid choice"),
        (["image", "x.jpg"], "must end in .png"),
        (["image", "x.png", "--left-rotation", "11"], "hard limit"),
        (["animate", "spin", "x.gif"], "unknown motion 'spin'"),
        (["animate", "er-ir-cycle", "x.gif", "--frames", "1"], "frames"),
        (["animate", "er-ir-cycle", "x.gif", "--exaggerate", "0"], "exaggeration"),
        (["image", "x.png", "--overlays", "labels,glitter"], "unknown overlay"),
    ],
)
def test_bad_arguments_one_line_no_file(tmp_path, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_has_examples_for_every_subcommand(capsys):
    for cmd in ("metrics", "list", "image", "figure", "animate", "demo"):
        assert run([cmd, "--help"]) == 0
        assert "examples:" in capsys.readouterr().out


def test_list_views_and_motions(capsys):
    assert run(["list", "views"]) == 0
    assert "top" in capsys.readouterr().out
    assert run(["list", "motions"]) == 0
    assert "er-ir-cycle" in capsys.readouterr().out


def test_list_dofs_names_every_leg_coordinate_a_pose_accepts(capsys):
    """Each leg coordinate listed is one Pose accepts, with the limits pelvis3d.legs enforces."""
    from pelvis3d import Pose
    from pelvis3d.legs import LEG_HARD_DEG

    assert run(["list", "dofs"]) == 0
    out = capsys.readouterr().out
    for joint, (lo, hi) in LEG_HARD_DEG.items():
        line = next(line for line in out.splitlines() if line.startswith(f"{joint}_l/_r"))
        assert f"hard {lo:g}..{hi:g} deg" in line
        for side in "lr":
            assert Pose(**{f"{joint}_{side}": 1.0}).leg_angles()[f"{joint}_{side}"] == 1.0


def test_demo_as_a_real_process(demo_run):
    """The README's main job, as a user runs it (the session's one demo run, shared with the README test)."""
    proc, cwd = demo_run
    out = cwd / "pelvis3d-demo"  # the default folder
    assert proc.returncode == 0, proc.stderr
    assert str(Path("pelvis3d-demo") / "metrics.txt") in proc.stdout.splitlines()  # each file written is named
    for name in (
        "figure-article.png",
        "top-external-rotation.png",
        "rear-neutral.png",
        "er-ir-cycle.gif",
        "metrics.txt",
    ):
        assert (out / name).stat().st_size > 1000
    assert iio.imread(out / "er-ir-cycle.gif", index=None).shape[0] == 60  # the default --frames
    table = (out / "metrics.txt").read_text()
    assert "pubic gap (mm)" in table and "ER 0.5 deg" in table  # the physiological default


def test_demo_out_and_frames_reach_the_demo(tmp_path, capsys, monkeypatch):
    """--out and --frames are passed on (the real process above runs the defaults)."""
    import pelvis3d.apps.demo

    asked = {}

    def record(folder, **options):
        asked.update(options, folder=folder)
        return [Path(folder) / "metrics.txt"]

    monkeypatch.setattr(pelvis3d.apps.demo, "run_demo", record)
    out = tmp_path / "demo"
    assert run(["demo", "--out", str(out), "--frames", "8"]) == 0
    assert Path(asked["folder"]) == out and asked["frames"] == 8
    assert str(out) in capsys.readouterr().out


@pytest.mark.parametrize(
    "script",
    [  # under pytest-xdist, own_anatomy.py (a session run, conftest.SESSION_RUNS) goes with its other users
        pytest.param(name, marks=pytest.mark.xdist_group("session-runs")) if name == "own_anatomy.py" else name
        for name in sorted(p.name for p in (ROOT / "examples").glob("*.py"))
    ],
)
def test_examples_run(tmp_path, script, request):
    if script == "own_anatomy.py":  # the session's run, shared with the README's --model my-pelvis.toml commands
        proc, tmp_path = request.getfixturevalue("own_anatomy_run")
    else:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "examples" / script), str(tmp_path)], capture_output=True, text=True, cwd=ROOT
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    outputs = [p for p in tmp_path.iterdir() if p.suffix in (".png", ".gif")]
    assert outputs and all(p.stat().st_size > 1000 for p in outputs)


def test_jupyter_example_cells_run_with_the_static_backend(tmp_path, monkeypatch):
    """The notebook's code, with the static backend so it runs without a notebook."""
    import json

    nb = json.loads((ROOT / "examples" / "jupyter_view.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert 'jupyter_backend="trame"' in code
    shots = []

    def fake_show(self, **options):
        shots.append(options)
        return self.plotter.screenshot(str(tmp_path / f"cell{len(shots)}.png"))

    from pelvis3d.render.scene import PelvisScene

    monkeypatch.setattr(PelvisScene, "show", fake_show)
    exec(compile(code, "jupyter_view.ipynb", "exec"), {})  # noqa: S102
    assert [o["jupyter_backend"] for o in shots] == ["trame", "trame"]
    assert all((tmp_path / f"cell{i}.png").stat().st_size > 1000 for i in (1, 2))


@pytest.mark.parametrize(
    "argv",
    [
        ["image", "{out}.png", "--rotation", "-1", "--size", "320x240"],
        ["figure", "{out}.png", "--angle", "1", "--size", "640x240", "--workers", "1"],
        ["animate", "internal-rotation", "{out}.gif", "--frames", "3", "--size", "160x120", "--workers", "1"],
    ],
    ids=["image", "figure", "animate"],
)
def test_allow_overlap_shows_the_full_factor_and_the_default_reduces_it(tmp_path, monkeypatch, argv):
    from pelvis3d.render.scene import PelvisScene

    shown: list[tuple[float, float, bool]] = []  # (factor shown, factor asked, bones would touch)
    set_pose = PelvisScene.set_pose

    def spy(self, pose, **kw):
        posed = set_pose(self, pose, **kw)
        shown.append((posed.exaggeration, self.exaggeration, posed.shown_metrics.contact))
        return posed

    monkeypatch.setattr(PelvisScene, "set_pose", spy)
    for allow in (False, True):
        shown.clear()
        out = str(tmp_path / f"x{allow}")
        assert run([a.format(out=out) for a in argv] + (["--allow-overlap"] if allow else [])) == 0
        reduced = [s for s in shown if s[0] < s[1]]
        if allow:  # every pose at the full x5, even where the pubic bones pass through each other
            assert not reduced and any(touch for _, _, touch in shown)
        else:  # some internal-rotation pose is shown less, and none shown touches
            assert reduced and not any(touch for _, _, touch in shown)
