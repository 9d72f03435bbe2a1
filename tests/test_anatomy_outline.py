"""Outline of every built-in variant against a real pelvis (OpenSim Gait2392): silhouette
overlap in the top, rear and side views, both pelvises in the ISB frame from their spines."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import pelvis3d

ROOT = Path(__file__).resolve().parents[1]
OPENSIM = ROOT.parent / "shared" / "real-anatomy" / "opensim-gait2392"


def bench():
    spec = importlib.util.spec_from_file_location("bench_outline", ROOT / "benchmarks" / "bench_outline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not OPENSIM.is_dir(), reason=f"real anatomy not found at {OPENSIM}")
@pytest.mark.parametrize("variant", [None, "female", "male"])
def test_outline_overlaps_a_real_pelvis(variant):
    b = bench()
    real = b.load_real(OPENSIM)
    iou = b.outline_iou(pelvis3d.Pelvis(variant), real)
    assert min(iou.values()) >= 0.70, iou
    assert np.mean(list(iou.values())) >= 0.75, iou


def test_outline_measure_tells_shapes_apart():
    """The measure itself: a pelvis against itself is 1; against a squashed copy it is lower."""
    b = bench()
    p = pelvis3d.Pelvis()
    assert all(v == pytest.approx(1.0) for v in b.outline_iou(p, p).values())
    meshes = {k: m.copy() for k, m in p.meshes().items()}
    for m in meshes.values():
        m.vertices[:, 1] *= 0.6
    squashed = pelvis3d.Pelvis.from_meshes(**meshes, units="mm")
    iou = b.outline_iou(p, squashed)
    assert iou["top"] > 0.9 and iou["rear"] < 0.8 and iou["side"] < 0.8


HAMNER = ROOT.parent / "shared" / "real-data" / "opensim-hamner-running" / "FullBodyModel_Hamner2010_v2_0.osim"


def test_bench_rejects_a_path_that_is_no_real_pelvis_in_one_line(tmp_path, capsys):
    b = bench()
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("no pelvis here")
    for path in (tmp_path / "missing", tmp_path / "empty", tmp_path / "notes.txt"):
        assert b.main(["--real", str(path)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and str(path) in captured.err and "l_pelvis.vtp" in captured.err


@pytest.mark.skipif(not (OPENSIM.is_dir() and HAMNER.is_file()), reason="real anatomy not found")
def test_bench_reads_an_osim_model_in_both_frames():
    """An .osim pelvis is re-framed from its own spines for the headline (shape) table and kept
    in its file's frame for the context table; the two differ by OpenSim's ~15 deg tilt."""
    b = bench()
    isb, as_given = b.load_real(HAMNER, "isb"), b.load_real(HAMNER, "as-given")
    for p in (isb, as_given):
        assert set(p.meshes()) == {"sacrum", "left_innominate", "right_innominate"}
    # ISB frame: both ASISs and the PSIS midpoint at one height (y = 0)
    marks = isb.landmarks
    assert abs(marks["left_asis"][1]) < 1.0 and abs(marks["right_asis"][1]) < 1.0
    assert abs((marks["left_psis"][1] + marks["right_psis"][1]) / 2) < 1.0
    tilt = b.outline_iou(isb, as_given)
    assert np.mean(list(tilt.values())) < 0.9  # the file's frame is turned from the ISB frame
    # shape: the built-in adult overlaps it as it overlaps Gait2392 (two real pelvises ~0.77)
    assert np.mean(list(b.outline_iou(pelvis3d.Pelvis(), isb).values())) >= 0.7
