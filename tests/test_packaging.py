"""A non-editable install carries the meshes and works from outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_meshes_and_works_outside_the_source_tree(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("pelvis3d-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for f in ("pelvis.json", "sacrum.ply", "left_innominate.ply", "right_innominate.ply"):
        assert f"pelvis3d/meshes/{f}" in names
    target = tmp_path / "site"
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert inst.returncode == 0, inst.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import pelvis3d; p = pelvis3d.Pelvis(); "
        "print(pelvis3d.__file__); print(p.anatomy.source); "
        "print(round(p.posed(pelvis3d.Pose(rotation=2)).metrics.pubic_gap_change_mm, 3))"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    module, source, change = run.stdout.split()
    assert module.startswith(str(target)) and source.startswith(str(target))
    assert float(change) > 5


@pytest.mark.slow
def test_wheel_and_sdist_carry_the_lesson_page_assets(tmp_path):
    from pelvis3d.export.lesson import LESSON_ASSETS

    wanted = [*LESSON_ASSETS, "LICENSE-three.txt", "VENDOR.md"]
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = out.glob("pelvis3d-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in wanted:
        assert f"pelvis3d/export/lesson_assets/{f}" in names, f
    (sdist,) = out.glob("pelvis3d-*.tar.gz")
    members = set(tarfile.open(sdist).getnames())
    root = sdist.name.removesuffix(".tar.gz")
    for f in wanted:
        assert f"{root}/pelvis3d/export/lesson_assets/{f}" in members, f
