"""Every command in the README runs (the pip install and test commands run in .ci/run)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def bash_lines() -> list[str]:
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


#: under pytest-xdist, the commands that use a session run (conftest.SESSION_RUNS) go with its other users
SESSION_RUNS = pytest.mark.xdist_group("session-runs")
PELVIS3D_COMMANDS = [
    pytest.param(c, marks=SESSION_RUNS) if c == "pelvis3d demo" or "my-pelvis.toml" in c else c
    for c in bash_lines()
    if c.startswith("pelvis3d ")
]


def test_readme_names_the_two_setup_commands():
    lines = bash_lines()
    assert "pelvis3d demo" in lines and "python -m pytest -n 2 --dist loadgroup" in lines
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "python -m pytest -n 2 --dist loadgroup" in ci  # CI runs the README's test command


@pytest.mark.render
@pytest.mark.parametrize("command", PELVIS3D_COMMANDS)
def test_readme_pelvis3d_commands_run(tmp_path, command, request):
    if command == "pelvis3d demo":  # run once per session (conftest's demo_run), as the README shows it
        proc, cwd = request.getfixturevalue("demo_run")
        assert proc.args[-1:] == shlex.split(command)[1:] and proc.returncode == 0, proc.stderr[-2000:]
        assert (cwd / "pelvis3d-demo" / "figure-article.png").exists()  # ./pelvis3d-demo/, as the README says
        assert "pelvis3d-demo" in proc.stdout
        return
    if "my-pelvis.toml" in command:  # the README's own-anatomy example writes this model file
        made, folder = request.getfixturevalue("own_anatomy_run")  # once per session
        assert made.returncode == 0, made.stderr[-2000:]
        for name in ("my-pelvis.toml", "my_sacrum.stl", "my_left_innominate.stl", "my_right_innominate.stl"):
            (tmp_path / name).symlink_to(folder / name)
    if "trial.mot" in command or "model.osim" in command:  # the README's OpenSim files: the Hamner trial
        hamner = ROOT.parent / "shared" / "real-data" / "opensim-hamner-running"
        if not hamner.is_dir():
            pytest.skip(f"OpenSim data not found at {hamner}")
        (tmp_path / "trial.mot").symlink_to(hamner / "subject02_running_ik.mot")
        (tmp_path / "model.osim").symlink_to(hamner / "FullBodyModel_Hamner2010_v2_0.osim")
        (tmp_path / "Geometry").symlink_to(hamner / "Geometry")
    exe = BIN / "pelvis3d"
    argv = [
        str(exe) if exe.exists() else sys.executable,
        *([] if exe.exists() else ["-m", "pelvis3d"]),
        *shlex.split(command)[1:],
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.render
def test_readme_rendering_python_block_runs(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    code = next(b for b in blocks if "render_animation" in b)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"top-er.png", "article.png", "cycle.gif"} <= {p.name for p in tmp_path.iterdir()}


@pytest.mark.slow
def test_readme_generate_commands_run(tmp_path, generated_meshes):
    """`python -m pelvis3d.anatomy.generate` reproduces the shipped meshes; the finer build loads."""
    from pelvis3d import Pelvis
    from pelvis3d.anatomy import BODIES, builtin_mesh_folder, load_anatomy

    lines = [c for c in bash_lines() if c.startswith("python -m pelvis3d.anatomy.generate")]
    assert len(lines) == 2
    assert shlex.split(lines[0]) == ["python", "-m", "pelvis3d.anatomy.generate"]  # as generated_meshes runs it
    import numpy as np

    # the shipped files equal the generator's output (the adult here; the variants in
    # test_anatomy_variants.py, from the same run)
    shipped, fresh = load_anatomy(builtin_mesh_folder()), load_anatomy(generated_meshes)
    for body in BODIES:
        np.testing.assert_array_equal(shipped.faces[body], fresh.faces[body])
        np.testing.assert_allclose(shipped.vertices[body], fresh.vertices[body], atol=1e-6)
    import json

    assert json.loads((builtin_mesh_folder() / "pelvis.json").read_text()) == json.loads(
        (generated_meshes / "pelvis.json").read_text()
    )
    finer = shlex.split(lines[1])
    proc = subprocess.run([sys.executable, *finer[1:]], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    fine = Pelvis(tmp_path / "finer")
    assert sum(len(f) for f in fine.anatomy.faces.values()) > 70_000
    assert 4.0 <= fine.neutral_metrics.pubic_gap_mm <= 5.0


def test_readme_benchmark_commands_run(tmp_path):
    for line in (c for c in bash_lines() if c.startswith("python benchmarks/")):
        raise AssertionError(f"benchmark commands belong in prose, found {line!r}")
    # PELVIS3D_BENCH_QUICK=1: every row of each table, from a few small frames or moves
    figures = {
        "bench_core.py": r"pose \+ all metrics .*: \d+\.\d+ ms/frame",
        "bench_render.py": r"bare pyvista +\d+\.\d+ s .* ms/frame  ratio 1\.00",
        "bench_viewer.py": r"viewer dragging, now +: +\d+\.\d+ ms  \(\d+\.\d+x\)",
    }
    for script, figure in figures.items():
        proc = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / script)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PELVIS3D_BENCH_QUICK": "1"},
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert re.search(figure, proc.stdout), (script, proc.stdout[-2000:])


def test_readme_toml_examples_parse():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    from pelvis3d.motions.motion import Motion

    blocks = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    for block in blocks:
        data = tomllib.loads(block)
        if "keyframes" in data:
            motion = Motion.from_dict(data)
            assert motion.pose_at(1.0).left_rotation == 1.5
        else:
            assert set(data["meshes"]) == {"sacrum", "left_innominate", "right_innominate"}
            assert data["units"] in ("m", "mm")
