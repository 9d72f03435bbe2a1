"""Bring your own anatomy: model files, real meshes (OpenSim Gait2392), round trip, bad files."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
import trimesh

import pelvis3d
from pelvis3d import AnatomyFileError, Pose
from pelvis3d.anatomy.user import MeshQualityWarning
from pelvis3d.apps.cli import main

ROOT = Path(__file__).resolve().parents[1]
OPENSIM = ROOT.parent / "shared" / "real-anatomy" / "opensim-gait2392"
needs_opensim = pytest.mark.skipif(not OPENSIM.is_dir(), reason=f"real anatomy not found at {OPENSIM}")
CREDIT = "Geometry: OpenSim Gait2392 (Delp et al. 1990), CC BY 3.0"


def opensim_model(tmp_path: Path, **extra: str) -> Path:
    lines = ['name = "OpenSim Gait2392 pelvis"', 'units = "m"', f'attribution = "{CREDIT}"']
    lines += [f"{k} = {v}" for k, v in extra.items()]
    lines += [
        "[meshes]",
        f'sacrum = "{OPENSIM / "sacrum.vtp"}"',
        f'left_innominate = "{OPENSIM / "l_pelvis.vtp"}"',
        f'right_innominate = "{OPENSIM / "r_pelvis.vtp"}"',
        "[axes]",
        'anterior = "+x"',
        'superior = "+y"',
        'right = "+z"',
    ]
    path = tmp_path / "opensim.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def opensim(tmp_path_factory):
    if not OPENSIM.is_dir():
        pytest.skip(f"real anatomy not found at {OPENSIM}")
    path = opensim_model(tmp_path_factory.mktemp("opensim"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pelvis = pelvis3d.Pelvis.load(path)
    return pelvis, [str(w.message) for w in caught if issubclass(w.category, MeshQualityWarning)]


@needs_opensim
def test_open_coarse_meshes_load_with_a_warning_naming_the_problem(opensim):
    _, messages = opensim
    assert any("left_innominate" in m and "not watertight" in m for m in messages)
    assert any("right_innominate" in m and "not watertight" in m for m in messages)
    assert any("coarse" in m for m in messages)


@needs_opensim
def test_real_pelvis_follows_the_sign_rules(opensim):
    pelvis, _ = opensim
    er = pelvis.metrics(Pose(rotation=1))
    ir = pelvis.metrics(Pose(rotation=-1))
    assert er.pubic_gap_change_mm > 1.0 and ir.pubic_gap_change_mm < -1.0
    for side in ("left", "right"):
        assert er.si_posterior_change_mm[side] < 0 < ir.si_posterior_change_mm[side]
    one = pelvis.metrics(Pose(left_rotation=1))
    assert 0 < one.pubic_gap_change_mm < er.pubic_gap_change_mm


@needs_opensim
def test_real_pelvis_metrics_match_an_independent_measurement(opensim):
    pelvis, _ = opensim
    posed = pelvis.posed(Pose(rotation=1))
    meshes = posed.meshes()
    for side in ("left", "right"):
        surf = pelvis.joint_surfaces[f"{side}_si_innominate"]
        _, d, _ = trimesh.proximity.closest_point(meshes["sacrum"], meshes[surf.body].vertices[surf.vertices])
        field = np.asarray(posed.metrics.fields[f"{side}_si_innominate"])
        ok = field > 0  # unsigned reference: compare where the bones do not overlap
        np.testing.assert_allclose(field[ok], d[ok], atol=0.05)


@needs_opensim
def test_derived_joint_surfaces_sit_where_the_bones_face(opensim):
    pelvis, _ = opensim
    meshes = pelvis.meshes()
    sac = meshes["sacrum"]
    for side, sign in (("left", -1), ("right", 1)):
        inn = meshes[f"{side}_innominate"]
        surf = pelvis.joint_surfaces[f"{side}_si_innominate"]
        pts = inn.vertices[surf.vertices]
        assert len(pts) >= 10
        _, d, _ = trimesh.proximity.closest_point(sac, pts)
        # against the sacrum: the nearest part within 1 mm, and grown to the published
        # 10-15 cm^2 where these coarse bones stand up to ~9 mm apart
        assert d.min() < 1.0 and np.median(d) < 7.0 and d.max() < 10.5
        assert np.all(pts[:, 2] * sign > 0)  # on its own side
        assert pts[:, 0].mean() < sac.vertices[:, 0].mean() + 15  # in the back half of the pelvis
        sacral = pelvis.joint_surfaces[f"{side}_si_sacrum"]
        assert np.all(sac.vertices[sacral.vertices][:, 2] * sign > 0)
    face = pelvis.joint_surfaces["left_pubic_face"]
    pts = meshes["left_innominate"].vertices[face.vertices]
    _, d, _ = trimesh.proximity.closest_point(meshes["right_innominate"], pts)
    assert np.median(d) < 4.0
    assert np.abs(pts[:, 2]).mean() < 15  # at the midline
    assert pts[:, 0].mean() > sac.vertices[:, 0].max()  # in front of the sacrum
    # the ISB frame was rebuilt: ASIS midpoint at the origin, PSIS midpoint on y = 0
    lm = pelvis.landmarks
    np.testing.assert_allclose((lm["left_asis"] + lm["right_asis"]) / 2, 0, atol=1e-6)
    assert abs((lm["left_psis"] + lm["right_psis"])[1]) < 1e-6
    assert "frame" in pelvis.derived and "joint surface left_si_innominate" in pelvis.derived


@needs_opensim
def test_real_pelvis_renders_a_top_view_with_its_credit(tmp_path, opensim):
    pelvis, _ = opensim
    out = pelvis3d.render_image(
        Pose(rotation=1), tmp_path / "top.png", size=(400, 300), overlays="caption", pelvis=pelvis
    )
    img = iio.imread(out)[..., :3].astype(int)
    fg = np.abs(img - 255).sum(axis=-1) > 30
    assert fg.mean() > 0.12  # the bones fill a good part of the picture
    warm = fg & (img[..., 0] - img[..., 2] > 60) & (img[..., 0] - img[..., 1] > 25)
    ys, xs = np.nonzero(warm)
    assert len(ys) > 300 and ys.mean() > 150  # sacrum present, posterior = low in the top view
    from pelvis3d.render.scene import PelvisScene

    with PelvisScene(pelvis, size=(400, 300), overlays="caption") as scene:
        assert scene.credit_actor is not None and scene.credit_actor.GetInput() == CREDIT
    # files carry the credit too: glTF's asset.copyright
    (glb,) = pelvis3d.export_meshes(pelvis3d.Pose(rotation=1), tmp_path / "credited.glb", pelvis=pelvis)
    data = glb.read_bytes()
    length = int.from_bytes(data[12:16], "little")
    assert json.loads(data[20 : 20 + length])["asset"]["copyright"] == CREDIT


@needs_opensim
def test_cli_model_option_and_credit(tmp_path, capsys):
    model = opensim_model(tmp_path)
    assert main(["metrics", "--model", str(model), "--angle", "1"]) == 0
    out = capsys.readouterr().out
    assert "credit: " + CREDIT in out and "pubic gap (mm)" in out
    png = tmp_path / "o.png"
    assert main(["image", str(png), "--model", str(model), "--size", "200x150", "--overlays", "none"]) == 0
    assert png.exists() and CREDIT in capsys.readouterr().out
    assert main(["list", "derived", "--model", str(model)]) == 0
    assert "joint surface left_pubic_face" in capsys.readouterr().out


def test_round_trip_through_stl_in_metres(tmp_path, pelvis):
    for body, mesh in pelvis.meshes().items():
        mesh.apply_scale(0.001)
        mesh.export(tmp_path / f"{body}.stl")
    (tmp_path / "model.toml").write_text(
        'units = "m"\n[meshes]\nsacrum = "sacrum.stl"\nleft_innominate = "left_innominate.stl"\nright_innominate = "right_innominate.stl"\n'
    )
    loaded = pelvis3d.Pelvis.load(tmp_path / "model.toml")
    # Everything not given is derived again from the meshes: the ASISs as the most anterior points
    # and the pivots at the derived joint-surface centres sit up to ~1 mm from the generator's named
    # ones, so the numbers agree to a tenth of a millimetre, not to the last digit.
    for pose in (Pose(), Pose(rotation=0.5), Pose(rotation=-0.5), Pose(left_rotation=1, right_tilt=0.5)):
        a, b = pelvis.metrics(pose), loaded.metrics(pose)
        assert b.pubic_gap_mm == pytest.approx(a.pubic_gap_mm, abs=0.15)
        assert b.pubic_gap_change_mm == pytest.approx(a.pubic_gap_change_mm, abs=0.15)
        assert np.sign(b.pubic_gap_change_mm) == np.sign(a.pubic_gap_change_mm)
        for side in ("left", "right"):
            for key in ("si_space_mm", "si_anterior_space_mm", "si_posterior_space_mm", "si_min_space_mm"):
                assert getattr(b, key)[side] == pytest.approx(getattr(a, key)[side], abs=0.15), key
        assert b.inter_asis_mm == pytest.approx(a.inter_asis_mm, abs=1.5)


def test_from_meshes_accepts_mesh_objects(pelvis):
    m = pelvis.meshes()
    rebuilt = pelvis3d.Pelvis.from_meshes(
        m["sacrum"], m["left_innominate"], m["right_innominate"], units="mm", attribution="mine"
    )
    assert rebuilt.anatomy.attribution == "mine"
    assert rebuilt.metrics(Pose(rotation=0.5)).pubic_gap_change_mm == pytest.approx(
        pelvis.metrics(Pose(rotation=0.5)).pubic_gap_change_mm,
        abs=0.15,  # derived pivots, see above
    )


def write_stls(folder: Path, pelvis, shift_right: float = 0.0) -> None:
    for body, mesh in pelvis.meshes().items():
        if body == "right_innominate" and shift_right:
            mesh.apply_translation([0, 0, shift_right])
        mesh.export(folder / f"{body}.stl")


BASE = '[meshes]\nsacrum = "sacrum.stl"\nleft_innominate = "left_innominate.stl"\nright_innominate = "right_innominate.stl"\n'


@pytest.mark.parametrize(
    "text, words",
    [
        (
            'units = "mm"\n[meshes]\nsacrum = "nope.stl"\nleft_innominate = "left_innominate.stl"\nright_innominate = "right_innominate.stl"\n',
            "meshes.sacrum.*does not exist",
        ),
        ('units = "furlong"\n' + BASE, "field 'units' must be one of mm, m"),
        (
            'units = "mm"\n[meshes]\nsacrum = "broken.stl"\nleft_innominate = "left_innominate.stl"\nright_innominate = "right_innominate.stl"\n',
            "meshes.sacrum.*broken.stl",
        ),
        (
            'units = "mm"\n' + BASE + "[landmarks]\nleft_asis = [0.0, 500.0, -110.0]\n",
            "landmarks.left_asis.*mm from the left_innominate",
        ),
        ('units = "mm\n' + BASE, "not valid TOML"),
        ('units = "mm"\ncolour = "red"\n' + BASE, "unknown field.*colour"),
        ('units = "mm"\n' + BASE + '[axes]\nanterior = "+x"\nsuperior = "+x"\nright = "+z"\n', "axes"),
    ],
)
def test_bad_model_files_name_the_file_and_field(tmp_path, pelvis, text, words, capsys):
    write_stls(tmp_path, pelvis)
    (tmp_path / "broken.stl").write_bytes(b"solid x\nfacet normal 0 0 1\nouter loop\nvertex 1 2\n")
    model = tmp_path / "bad.toml"
    model.write_text(text)
    with pytest.raises(AnatomyFileError, match=words) as info:
        pelvis3d.Pelvis.load(model)
    assert "bad.toml" in str(info.value)
    before = set(tmp_path.iterdir())
    assert main(["image", str(tmp_path / "out.png"), "--model", str(model)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert set(tmp_path.iterdir()) == before  # nothing written


def test_bodies_that_do_not_face_each_other(tmp_path, pelvis):
    write_stls(tmp_path, pelvis, shift_right=200.0)
    (tmp_path / "apart.toml").write_text('units = "mm"\nframe = "as-given"\n' + BASE)
    with pytest.raises(AnatomyFileError, match="do not face each other"):
        pelvis3d.Pelvis.load(tmp_path / "apart.toml")


def test_invalid_json_model_file(tmp_path):
    (tmp_path / "m.json").write_text("{units: mm")
    with pytest.raises(AnatomyFileError, match=r"m.json is not valid JSON"):
        pelvis3d.Pelvis.load(tmp_path / "m.json")
    with pytest.raises(AnatomyFileError, match="does not exist"):
        pelvis3d.Pelvis.load(tmp_path / "none.toml")
