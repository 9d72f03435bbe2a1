"""Female and male variants: loaded by name, with the published sex differences, and shipped
exactly as the generator makes them."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import pelvis3d
from pelvis3d.anatomy import BODIES, builtin_mesh_folder, load_anatomy
from pelvis3d.apps.cli import main

from .test_anatomy import inlet_shape


@pytest.fixture(scope="module")
def variants():
    return {name: pelvis3d.Pelvis(name) for name in ("female", "male")}


def true_conjugate(p) -> float:
    face = p.joint_surfaces["left_pubic_face"].vertices
    verts = p.meshes()["left_innominate"].vertices[face]
    return float(np.linalg.norm(verts - p.landmarks["sacral_promontory"], axis=1).min())


def inter_spine(p) -> float:
    return float(np.linalg.norm(p.landmarks["left_ischial_spine"] - p.landmarks["right_ischial_spine"]))


def socket_diameter(p) -> float:
    left = p.meshes()["left_innominate"]
    hip = p.landmarks["left_hip_centre"]
    r = np.linalg.norm(left.vertices - hip, axis=1)
    inward = np.einsum("ij,ij->i", left.vertex_normals, hip - left.vertices) > 0
    return 2 * float(np.median(r[(r < 30) & inward]))


def subpubic_angle(p) -> float:
    """Angle between the lower borders of the two inferior pubic rami at the apex of the pubic
    arch, seen from the front (deg): as on a radiograph, lines along the rami's inferior
    borders over the first 16 mm from the symphysis."""
    v = p.meshes()["left_innominate"].vertices
    face = np.abs(v[:, 2]).min()
    lateral, lows = [], []
    for z in np.arange(face, face + 16.0, 2.0):  # from the symphysis outwards
        band = v[(np.abs(v[:, 2]) >= z) & (np.abs(v[:, 2]) < z + 2.0) & (v[:, 0] > -60.0)]
        lateral.append(z + 1.0)
        lows.append(band[:, 1].min())
    slope = np.polyfit(lateral, lows, 1)[0]  # mm down per mm lateral (negative)
    return float(2 * np.degrees(np.arctan2(1.0, -slope)))


def test_male_inlet_is_heart_shaped_and_female_oval(variants):
    """Seen along the inlet axis, the female inlet is wide and oval, widest near its middle;
    the male inlet is heart-shaped: narrower, widest close behind a promontory that projects
    into it, narrowing to a triangular front."""
    f, m = (inlet_shape(variants[name]) for name in ("female", "male"))
    # transverse diameter: women 130-135 mm (obstetric references, e.g. Van Blarcom 1922;
    # biomechanics.md); larger in women than in men, "specially" so (Cyclopedia of Obstetrics)
    assert 126 <= f["transverse"] <= 140, f
    assert f["transverse"] - m["transverse"] >= 5, (f, m)
    # where the inlet is widest: gynecoid, the posterior sagittal diameter is only slightly
    # shorter than the anterior; android, much shorter (Caldwell & Moloy 1933, Williams
    # Obstetrics); the greatest transverse diameter lies further forward in women
    assert 0.35 <= f["posterior_sagittal"] / f["ap"] <= 0.5, f
    assert m["posterior_sagittal"] / m["ap"] <= 0.25, m
    # the male forepelvis narrows towards the symphysis (triangular, not rounded)
    assert m["front_fraction"] <= 0.88, m


def test_variants_load_by_name_and_from_the_command_line(variants, capsys):
    for name, p in variants.items():
        assert p.anatomy.source == builtin_mesh_folder() / name / "pelvis.json"
        assert name in p.anatomy.name
        assert main(["metrics", "--model", name]) == 0
        assert "pubic" in capsys.readouterr().out.lower()
    assert pelvis3d.Pelvis().anatomy.source == builtin_mesh_folder() / "pelvis.json"


def test_female_and_male_differ_as_published(variants):
    f, m = variants["female"], variants["male"]
    # true conjugate: women 116 +/- 10, men 105 +/- 10 (Ahrend 2020)
    assert abs(true_conjugate(f) - 116) <= 5 and abs(true_conjugate(m) - 105) <= 5
    assert true_conjugate(f) - true_conjugate(m) >= 6
    # inter-ischial-spine distance: women 105 +/- 7, men 88 +/- 8 (Ahrend 2020)
    assert abs(inter_spine(f) - 105) <= 5 and abs(inter_spine(m) - 88) <= 5
    # subpubic angle: women 80-85, men 50-60 deg (Gray's Anatomy); wider in women
    assert 80 <= subpubic_angle(f) <= 85
    assert 50 <= subpubic_angle(m) <= 60
    assert subpubic_angle(f) - subpubic_angle(m) >= 25
    # acetabulum built around the femoral head: women 44, men 49 mm
    assert socket_diameter(m) - socket_diameter(f) >= 3
    # the female sacrum is wider and less curved (assumed sizes)
    wf, wm = (np.ptp(p.meshes()["sacrum"].vertices[:, 2]) for p in (f, m))
    assert wf > wm
    # symphysis width: women 4.9, men 5.9 mm (Becker 2010)
    assert abs(f.neutral_metrics.pubic_gap_mm - 4.9) < 0.5 and abs(m.neutral_metrics.pubic_gap_mm - 5.9) < 0.5


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["female", "male"])
def test_shipped_variant_equals_generator_output(generated_meshes, variant):
    # one run of `python -m pelvis3d.anatomy.generate` per session builds every variant (the
    # README test compares the adult from the same run)
    shipped, fresh = load_anatomy(builtin_mesh_folder() / variant), load_anatomy(generated_meshes / variant)
    for body in BODIES:
        np.testing.assert_array_equal(shipped.faces[body], fresh.faces[body])
        np.testing.assert_allclose(shipped.vertices[body], fresh.vertices[body], atol=1e-6)
    assert json.loads((builtin_mesh_folder() / variant / "pelvis.json").read_text()) == json.loads(
        (generated_meshes / variant / "pelvis.json").read_text()
    )


def test_generator_rejects_an_unknown_variant_in_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "pelvis3d.anatomy.generate", "--variant", "child"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "child" in proc.stderr and "Traceback" not in proc.stderr


def test_each_variant_is_named_as_what_it_is():
    from pelvis3d import Pelvis

    assert Pelvis().name == "pelvis3d built-in simplified adult pelvis"
    for variant in ("female", "male"):
        assert Pelvis(variant).name == f"pelvis3d built-in simplified {variant} pelvis"
