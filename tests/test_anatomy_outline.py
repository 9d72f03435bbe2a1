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
