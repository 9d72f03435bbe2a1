"""Joint metrics: required behaviour, and agreement with an independent measurement of the
posed meshes (trimesh closest points in the test, not pelvis3d's metric code)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pelvis3d import Pose

from .independent import distances, posed_meshes

SIDES = ("left", "right")


def test_neutral_gives_zero_change_and_published_spaces(pelvis):
    m = pelvis.posed(Pose()).metrics
    assert m.pubic_gap_change_mm == 0.0
    assert 4.0 <= m.pubic_gap_mm <= 5.0
    for side in SIDES:
        assert m.si_space_change_mm[side] == 0.0
        assert m.si_posterior_change_mm[side] == 0.0
        assert 1.8 <= m.si_space_mm[side] <= 2.6
        assert not m.si_contact[side]
    assert m.pubic_shear_mm == 0.0
    assert m.inter_asis_change_mm == 0.0 and m.inter_psis_change_mm == 0.0
    assert not m.contact


@pytest.mark.parametrize("angle", [0.5, 1.0, 2.0, 3.0])
def test_external_rotation_opens_the_front_and_closes_the_back(pelvis, angle):
    er = pelvis.posed(Pose(rotation=angle)).metrics
    ir = pelvis.posed(Pose(rotation=-angle)).metrics
    assert er.pubic_gap_change_mm > 0 > ir.pubic_gap_change_mm
    assert er.inter_asis_change_mm > 0 > ir.inter_asis_change_mm
    assert er.inter_psis_change_mm < 0 < ir.inter_psis_change_mm
    for side in SIDES:
        assert er.si_posterior_change_mm[side] < 0 < ir.si_posterior_change_mm[side]
        assert er.si_anterior_change_mm[side] > 0 > ir.si_anterior_change_mm[side]


def test_lever_arithmetic(pelvis):
    # biomechanics.md: gap change ~ 2 d sin(theta), d ~ 100-110 mm: ~3.5-4 mm for 1 deg per side
    change = pelvis.posed(Pose(rotation=1)).metrics.pubic_gap_change_mm
    assert 3.0 <= change <= 4.2
    one = pelvis.posed(Pose(left_rotation=1)).metrics.pubic_gap_change_mm
    assert one == pytest.approx(change / 2, rel=0.05)


@settings(max_examples=15, deadline=None)
@given(
    st.floats(-3.5, 3.5),
    st.floats(-3.5, 3.5),
    st.floats(-3.5, 3.5),
    st.floats(-3.5, 3.5),
    st.floats(-3.5, 3.5),
)
def test_mirrored_poses_give_mirrored_metrics(pelvis, lr, rr, lt, rt, nut):
    pose = Pose(left_rotation=lr, right_rotation=rr, left_tilt=lt, right_tilt=rt, nutation=nut)
    a = pelvis.metrics(pose)
    b = pelvis.metrics(pose.mirrored())
    assert b.pubic_gap_mm == pytest.approx(a.pubic_gap_mm, abs=1e-6)
    assert b.pubic_shear_mm == pytest.approx(-a.pubic_shear_mm, abs=1e-6)
    for x, y in (("left", "right"), ("right", "left")):
        assert b.si_space_mm[x] == pytest.approx(a.si_space_mm[y], abs=1e-6)
        assert b.si_min_space_mm[x] == pytest.approx(a.si_min_space_mm[y], abs=1e-6)
        assert b.si_posterior_space_mm[x] == pytest.approx(a.si_posterior_space_mm[y], abs=1e-6)
        assert b.si_anterior_space_mm[x] == pytest.approx(a.si_anterior_space_mm[y], abs=1e-6)


POSES = [
    Pose(),
    Pose(rotation=2),
    Pose(rotation=-1),
    Pose(left_rotation=2.5),
    Pose(right_rotation=-2.5, left_tilt=2),
    Pose(tilt=-2.5, nutation=2),
    Pose(left_rotation=1.5, right_rotation=-1, nutation=-2.5),
]


@pytest.mark.parametrize("pose", POSES, ids=repr)
@pytest.mark.parametrize("exaggeration", [1.0, 4.0])
def test_metrics_match_an_independent_measurement(pelvis, pose, exaggeration):
    posed, meshes = posed_meshes(pelvis, pose, exaggeration)
    m = posed.shown_metrics
    tol = 0.05
    for side in SIDES:
        surf = pelvis.joint_surfaces[f"{side}_si_innominate"]
        d = distances(meshes[f"{side}_innominate"], surf.vertices, meshes["sacrum"])
        if m.si_contact[side]:
            continue  # nearest-point distance is unsigned; overlap is checked separately
        assert m.si_space_mm[side] == pytest.approx(d.mean(), abs=tol)
        assert m.si_min_space_mm[side] == pytest.approx(d.min(), abs=tol)
        x = pelvis.anatomy.vertices[surf.body][surf.vertices][:, 0]
        front = x >= np.median(x)
        assert m.si_anterior_space_mm[side] == pytest.approx(d[front].mean(), abs=tol)
        assert m.si_posterior_space_mm[side] == pytest.approx(d[~front].mean(), abs=tol)
        np.testing.assert_allclose(m.fields[f"{side}_si_innominate"], d, atol=tol)
        sac = pelvis.joint_surfaces[f"{side}_si_sacrum"]
        ds = distances(meshes["sacrum"], sac.vertices, meshes[f"{side}_innominate"])
        np.testing.assert_allclose(m.fields[f"{side}_si_sacrum"], ds, atol=tol)
    if not m.pubic_contact:
        face = pelvis.joint_surfaces["left_pubic_face"].vertices
        d1 = distances(meshes["left_innominate"], face, meshes["right_innominate"])
        d2 = distances(meshes["right_innominate"], face, meshes["left_innominate"])
        assert m.pubic_gap_mm == pytest.approx(np.concatenate([d1, d2]).mean(), abs=tol)
    lm = posed.landmarks
    assert m.inter_asis_mm == pytest.approx(np.linalg.norm(lm["left_asis"] - lm["right_asis"]), abs=1e-9)
    # vertical shear from the posed face vertices, computed here
    face = pelvis.joint_surfaces["left_pubic_face"].vertices
    shear = (
        meshes["left_innominate"].vertices[face][:, 1].mean() - meshes["right_innominate"].vertices[face][:, 1].mean()
    )
    assert m.pubic_shear_mm == pytest.approx(shear, abs=0.3)


def test_contact_is_reported_not_hidden(pelvis):
    closing = pelvis.posed(Pose(rotation=-3)).metrics  # symphysis closes > 4.8 mm
    assert closing.pubic_contact and closing.pubic_min_gap_mm <= 0 and closing.contact
    shown = pelvis.posed(
        Pose(rotation=2), exaggeration=5
    ).shown_metrics  # 10 deg: the back of the SI joint closes fully
    assert all(shown.si_contact.values())
    assert min(shown.si_min_space_mm.values()) < 0
    assert shown.si_overlap_mm["left"] == pytest.approx(-shown.si_min_space_mm["left"]) and shown.overlap_mm > 1.0
    assert "left SI joint" in shown.overlap_text() and "overlap" in shown.overlap_text()
    # and the overlap is real: posterior SI vertices lie inside the posed sacrum
    _, meshes = posed_meshes(pelvis, Pose(rotation=2), 5)
    surf = pelvis.joint_surfaces["left_si_innominate"]
    inside = meshes["sacrum"].contains(meshes["left_innominate"].vertices[surf.vertices])
    assert inside.any()
    assert (np.asarray(shown.fields["left_si_innominate"])[inside] < 0).all()


def test_vertical_shear_from_one_sided_tilt(pelvis):
    m = pelvis.posed(Pose(left_tilt=2)).metrics
    assert m.pubic_shear_mm < -1.0  # anterior rotation drops the left pubis
    assert m.pubic_shear_mm == pytest.approx(-pelvis.posed(Pose(right_tilt=2)).metrics.pubic_shear_mm)


def test_fields_are_read_only_and_cover_every_joint_surface(pelvis):
    m = pelvis.posed(Pose(rotation=1)).metrics
    assert set(m.fields) == set(pelvis.joint_surfaces)
    for name, surf in pelvis.joint_surfaces.items():
        assert m.fields[name].shape == (len(surf.vertices),)
        with pytest.raises(ValueError):
            m.fields[name][0] = 1.0
    flat = m.as_dict()
    assert flat["si_space_left_mm"] == m.si_space_mm["left"]
    assert flat["pubic_gap_mm"] == m.pubic_gap_mm


@settings(max_examples=12, deadline=None)
@given(st.floats(-5.0, 12.0), st.sampled_from(["both", "left", "right"]))
def test_inverse_round_trips_pubic_gap(pelvis, target, side):
    if side != "both":
        target /= 2
    pose = pelvis.solve_rotation(pubic_gap_change_mm=target, side=side)
    assert pelvis.metrics(pose).pubic_gap_change_mm == pytest.approx(target, abs=0.01)
    if side == "left":
        assert pose.right_rotation == 0.0
    if side == "both":
        assert pose.left_rotation == pose.right_rotation


@settings(max_examples=10, deadline=None)
@given(st.floats(-0.5, 0.5), st.sampled_from(["both", "left", "right"]))
def test_inverse_round_trips_posterior_si_compression(pelvis, target, side):
    pose = pelvis.solve_rotation(si_posterior_change_mm=target, side=side)
    m = pelvis.metrics(pose)
    sides = SIDES if side == "both" else (side,)
    assert np.mean([m.si_posterior_change_mm[s] for s in sides]) == pytest.approx(target, abs=0.01)


def test_pose_to_inverse_round_trip(pelvis):
    for angle in (-2.0, 0.7, 2.5):
        change = pelvis.metrics(Pose(rotation=angle)).pubic_gap_change_mm
        assert pelvis.solve_rotation(pubic_gap_change_mm=change).left_rotation == pytest.approx(angle, abs=1e-3)


def test_inverse_rejects_unreachable_and_ambiguous_targets(pelvis):
    with pytest.raises(ValueError, match="not reachable"):
        pelvis.solve_rotation(pubic_gap_change_mm=500)
    with pytest.raises(ValueError, match="exactly one target"):
        pelvis.solve_rotation(pubic_gap_change_mm=1, si_posterior_change_mm=-0.1)
    with pytest.raises(KeyError, match="unknown side"):
        pelvis.solve_rotation(pubic_gap_change_mm=1, side="top")


def test_mirror_shortcut_matches_the_direct_computation(pelvis):
    # the built-in pelvis is an exact mirror image: for a mirror-symmetric pose the right
    # side's distances are taken from the left side's; they must equal a direct query
    calc = pelvis._calculator
    assert set(calc._mirror) == {"right_si_innominate", "right_si_sacrum", "right_pubic_face"}
    poses = [Pose(rotation=2.5, tilt=1.0, nutation=-1.5), Pose(left_rotation=2.0), Pose(rotation=-1.0, left_tilt=0.5)]
    shown = [pelvis.posed(p, exaggeration=4).transforms for p in poses]
    with_mirror = calc.fields_many(shown)
    mirror, calc._mirror = calc._mirror, {}
    calc._recent = {name: OrderedDict() for name in calc.queries}  # nothing remembered: all queried
    try:
        direct = calc.fields_many(shown)
    finally:
        calc._mirror = mirror
    for a, b in zip(with_mirror, direct, strict=True):
        for name in a:
            assert np.abs(a[name] - b[name]).max() < 1e-9, name


def test_an_asymmetric_anatomy_gets_no_mirror_shortcut(pelvis):
    from dataclasses import replace

    from pelvis3d.metrics import JointSpaceCalculator

    right = np.array(pelvis.anatomy.vertices["right_innominate"], copy=True)
    right[0] += 0.01  # one vertex a hundredth of a millimetre off its mirror image
    vertices = {**pelvis.anatomy.vertices, "right_innominate": right}
    calc = JointSpaceCalculator(replace(pelvis.anatomy, vertices=vertices))
    assert calc._mirror == {}  # every joint involves an innominate


def test_a_still_side_reuses_its_distances_and_they_stay_right(pelvis):
    from pelvis3d.metrics import JointSpaceCalculator

    calc = JointSpaceCalculator(pelvis.anatomy)
    first = calc.fields(pelvis.transforms(Pose(left_rotation=1.0, right_rotation=-0.5)))
    second = calc.fields(pelvis.transforms(Pose(left_rotation=1.7, right_rotation=-0.5)))
    assert second["right_si_innominate"] is first["right_si_innominate"]  # the right side did not move
    assert not np.array_equal(second["left_si_innominate"], first["left_si_innominate"])
    fresh = JointSpaceCalculator(pelvis.anatomy).fields(pelvis.transforms(Pose(left_rotation=1.7, right_rotation=-0.5)))
    for name in fresh:
        assert np.array_equal(fresh[name], second[name]), name
    with pytest.raises(ValueError):
        second["right_si_innominate"][0] = 0.0  # shared, so read-only
