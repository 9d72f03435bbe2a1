"""The public API: README example, import hygiene, bad input, CLI for the core commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pelvis3d
from pelvis3d import AnatomyFileError, Pose
from pelvis3d.apps.cli import main

ROOT = Path(__file__).resolve().parents[1]


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_api_example_runs_and_returns_the_documented_types():
    code = next(b for b in readme_python_blocks() if "pelvis3d.Pelvis()" in b)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
    posed = namespace["posed"]
    assert isinstance(posed.metrics.pubic_gap_mm, float)
    assert np.asarray(posed.transforms["left_innominate"]).shape == (4, 4)
    meshes = posed.meshes()
    assert set(meshes) == {"sacrum", "left_innominate", "right_innominate"}
    assert namespace["pelvis"].landmarks["left_asis"].shape == (3,)


def test_import_does_not_load_pyvista_or_vtk():
    code = (
        "import sys, pelvis3d\n"
        "p = pelvis3d.Pelvis(); posed = p.posed(pelvis3d.Pose(rotation=3)); posed.metrics; posed.meshes()\n"
        "bad = [m for m in ('pyvista', 'vtk', 'vtkmodules', 'imageio') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_all_names_exist():
    for name in pelvis3d.__all__:
        assert hasattr(pelvis3d, name), name


def test_missing_and_corrupt_anatomy_files_name_the_file(tmp_path):
    with pytest.raises(AnatomyFileError, match="does not exist"):
        pelvis3d.Pelvis(tmp_path / "nowhere")
    src = pelvis3d.anatomy.builtin_mesh_folder()
    for f in (f for f in src.iterdir() if f.is_file()):  # the variants' sub-folders are not needed
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "sacrum.ply").write_bytes(b"ply\nformat binary_little_endian 1.0\nelement vertex 9\nend_header\n\x00")
    with pytest.raises(AnatomyFileError, match="sacrum.ply"):
        pelvis3d.Pelvis(tmp_path)
    (tmp_path / "sacrum.ply").write_bytes((src / "sacrum.ply").read_bytes())
    (tmp_path / "pelvis.json").write_text("{not json")
    with pytest.raises(AnatomyFileError, match="pelvis.json.*not valid JSON"):
        pelvis3d.Pelvis(tmp_path)
    data = json.loads((src / "pelvis.json").read_text())
    del data["joints"][0]["dofs"][0]["axis"]
    (tmp_path / "pelvis.json").write_text(json.dumps(data))
    with pytest.raises(AnatomyFileError, match=r"joints\[0\].dofs\[0\]: missing field 'axis'"):
        pelvis3d.Pelvis(tmp_path)
    data = json.loads((src / "pelvis.json").read_text())
    data["joint_surfaces"]["left_pubic_face"]["vertices"] = [0, 1, 10**9]
    (tmp_path / "pelvis.json").write_text(json.dumps(data))
    with pytest.raises(AnatomyFileError, match="left_pubic_face.vertices"):
        pelvis3d.Pelvis(tmp_path)
    data["units"] = "inch"
    (tmp_path / "pelvis.json").write_text(json.dumps(data))
    with pytest.raises(AnatomyFileError, match="units"):
        pelvis3d.Pelvis(tmp_path)


def test_cli_metrics_table_matches_the_api(capsys, pelvis):
    assert main(["metrics", "--angle", "1.5", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    row = next(r for r in data["metrics"] if r["metric"].startswith("pubic gap change"))
    assert row["ER 1.5 deg"] == pytest.approx(pelvis.metrics(Pose(rotation=1.5)).pubic_gap_change_mm)
    assert row["IR -1.5 deg"] < 0 < row["ER 1.5 deg"]
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    assert "neutral" in out and "ER 0.5 deg" in out and "pubic gap (mm)" in out  # physiological default


@pytest.mark.parametrize(
    "argv, words",
    [
        (["metrics", "--rotation", "nan"], "rotation must be finite"),
        (["metrics", "--left-rotation", "30"], "beyond the hard limit"),
        (["metrics", "--rotation", "abc"], "invalid float value"),
        (["metrics", "--model", "/no/such/folder"], "does not exist"),
        (["list", "everything"], "invalid choice"),
    ],
)
def test_cli_bad_input_is_one_line_and_nonzero(capsys, argv, words):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert words in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_physiological_warning_is_one_line(capsys):
    assert main(["metrics", "--rotation", "5"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1  # one line per pose beyond the ring's tolerances, naming each
    assert all(line.startswith("pelvis3d metrics: warning:") and "physiological" in line for line in err)
    import re

    pelvis = pelvis3d.Pelvis()
    gap = pelvis.metrics(pelvis3d.Pose(rotation=5)).pubic_gap_change_mm
    assert re.search(rf"pubic gap change \+{gap:.2f} mm exceeds the 2 mm tolerance", err[0]), err[0]
    assert "SI rotation +5.00 deg exceeds the 3.6 deg" in err[0]


def test_cli_runs_as_a_real_process():
    out = subprocess.run(
        [sys.executable, "-m", "pelvis3d", "metrics", "--format", "csv"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith("metric,neutral,ER 0.5 deg,IR -0.5 deg")
    bad = subprocess.run(
        [sys.executable, "-m", "pelvis3d", "metrics", "--rotation", "inf"], capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_metrics_angle_must_be_the_size_of_the_rotation(capsys):
    assert main(["metrics", "--angle", "-3"]) == 2
    err = capsys.readouterr().err
    assert "positive" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["metrics", "--angle", "1.5"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "ER 1.5 deg" in header and "IR -1.5 deg" in header
