"""Poses, forward kinematics, sign conventions, limits and exaggeration."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelvis3d
from pelvis3d import DOF_NAMES, LimitError, Pelvis3dError, PhysiologicalRangeWarning, Pose

MIRROR = np.diag([1.0, 1.0, -1.0, 1.0])


def apply(t, p):
    return t[:3, :3] @ p + t[:3, 3]


def test_pose_shorthands():
    assert Pose(rotation=3).as_dict()["left_rotation"] == 3.0
    assert Pose(rotation=3).right_rotation == 3.0
    p = Pose(left_rotation=3)
    assert (p.left_rotation, p.right_rotation) == (3.0, 0.0)
    assert Pose.symmetric(rotation=-2) == Pose(rotation=-2)
    assert Pose.one_side("right", rotation=1.5) == Pose(right_rotation=1.5)
    assert Pose(rotation=2, tilt=1).left_tilt == 1.0
    assert Pose().is_neutral() and not Pose(nutation=1).is_neutral()
    assert Pose(rotation=2).scaled(5) == Pose(rotation=10)
    assert Pose(pelvis_tilt=10, rotation=1).scaled(3) == Pose(pelvis_tilt=10, rotation=3)
    assert Pose(left_rotation=2, pelvis_obliquity=4).mirrored() == Pose(right_rotation=2, pelvis_obliquity=-4)


def test_pose_is_immutable():
    p = Pose(rotation=1)
    with pytest.raises(AttributeError):
        p.left_rotation = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"rotation": float("nan")}, ValueError, "rotation must be finite"),
        ({"left_rotation": float("inf")}, ValueError, "left_rotation must be finite"),
        ({"rotation": "3"}, TypeError, "must be a number"),
        ({"rotation": True}, TypeError, "must be a number"),
        ({"rotation": 1, "left_rotation": 2}, ValueError, "either rotation="),
        ({"flare": 1}, TypeError, "unexpected keyword 'flare'"),
    ],
)
def test_bad_pose_values_give_one_clear_error(kwargs, exc, words):
    with pytest.raises(exc, match=words) as info:
        Pose(**kwargs)
    assert isinstance(info.value, Pelvis3dError)


def test_neutral_is_identity(pelvis):
    for t in pelvis.posed(Pose()).transforms.values():
        np.testing.assert_allclose(t, np.eye(4), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.fixed_dictionaries({n: st.floats(-8, 8) for n in DOF_NAMES}))
def test_transforms_are_rigid(pelvis, angles):
    for world in (False, True):
        for t in pelvis.transforms(Pose(**angles), world=world).values():
            r = t[:3, :3]
            np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-10)
            assert np.linalg.det(r) == pytest.approx(1.0)
            np.testing.assert_array_equal(t[3], [0, 0, 0, 1])


@settings(max_examples=25, deadline=None)
@given(st.fixed_dictionaries({n: st.floats(-8, 8) for n in DOF_NAMES[:5]}))
def test_mirrored_pose_gives_mirrored_transforms(pelvis, angles):
    pose = Pose(**angles)
    t = pelvis.transforms(pose)
    tm = pelvis.transforms(pose.mirrored())
    np.testing.assert_allclose(tm["right_innominate"], MIRROR @ t["left_innominate"] @ MIRROR, atol=1e-9)
    np.testing.assert_allclose(tm["sacrum"], MIRROR @ t["sacrum"] @ MIRROR, atol=1e-9)


def test_external_rotation_swings_the_front_out_and_the_back_in(pelvis):
    t = pelvis.transforms(Pose(rotation=3))
    lm = pelvis.landmarks
    for side, lateral in (("left", -1), ("right", 1)):
        body = f"{side}_innominate"
        for name in ("asis", "pubic_tubercle", "symphyseal_face_centre"):
            before = lm[f"{side}_{name}"]
            after = apply(t[body], before)
            assert (after[2] - before[2]) * lateral > 0.5, name  # moves laterally
        psis = lm[f"{side}_psis"]
        assert (apply(t[body], psis)[2] - psis[2]) * lateral < -0.5  # PSIS moves medially
    # the sacrum is the reference body
    np.testing.assert_allclose(t["sacrum"], np.eye(4))


def test_anterior_tilt_and_nutation_signs(pelvis):
    lm = pelvis.landmarks
    t = pelvis.transforms(Pose(left_tilt=3))["left_innominate"]
    asis = apply(t, lm["left_asis"]) - lm["left_asis"]
    assert asis[1] < -0.5  # inferior (the ASIS is level with the SI pivot, so the anterior part is second order)
    psis = apply(t, lm["left_psis"]) - lm["left_psis"]
    assert psis[1] > 0.5  # superior
    t = pelvis.transforms(Pose(nutation=3))["sacrum"]
    prom = apply(t, lm["sacral_promontory"]) - lm["sacral_promontory"]
    assert prom[0] > 0.5 and prom[1] < 0  # sacral base anterior-inferior


def test_whole_pelvis_angles_act_in_the_world_frame_only(pelvis):
    lm = pelvis.landmarks
    posed = pelvis.posed(Pose(pelvis_tilt=10, pelvis_obliquity=5, pelvis_rotation=20))
    for t in posed.transforms.values():
        np.testing.assert_allclose(t, np.eye(4), atol=1e-12)
    w = posed.world_transforms
    tilt = pelvis.transforms(Pose(pelvis_tilt=10), world=True)["left_innominate"]
    assert apply(tilt, lm["left_psis"])[1] > 10  # anterior tilt about the ASIS axis: PSIS up,
    assert apply(tilt, lm["left_symphyseal_face_centre"])[0] < lm["left_symphyseal_face_centre"][0] - 10  # pubis back
    obl = pelvis.transforms(Pose(pelvis_obliquity=5), world=True)["right_innominate"]
    assert apply(obl, lm["right_asis"])[1] > 1  # + raises the right side
    rot = pelvis.transforms(Pose(pelvis_rotation=20), world=True)["sacrum"]
    assert apply(rot, np.array([100.0, 0, 0]))[2] < -10  # + turns the front to the left
    assert posed.metrics.pubic_gap_change_mm == pytest.approx(0.0, abs=1e-9)
    assert set(w) == {"sacrum", "left_innominate", "right_innominate"}


def test_limits_warn_then_error(pelvis):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pelvis.posed(Pose(rotation=0.3))  # the ring keeps its tolerances: silent
        pelvis.posed(Pose(pelvis_tilt=20))
    with pytest.warns(PhysiologicalRangeWarning, match=r"left_rotation=5\).*pubic gap change \+8\.\d\d mm exceeds"):
        pelvis.posed(Pose(left_rotation=5))
    with pytest.warns(PhysiologicalRangeWarning, match=r"pelvis_tilt=80 deg is beyond the physiological range"):
        pelvis.posed(Pose(pelvis_tilt=80))
    with pytest.raises(LimitError, match=r"right_rotation=12 deg is beyond the hard limit \[-10, 10\]"):
        pelvis.posed(Pose(right_rotation=12))
    with pytest.raises(ValueError, match="exaggeration"):
        pelvis.posed(Pose(rotation=1), exaggeration=0)
    with pytest.raises(TypeError, match="pelvis3d.Pose"):
        pelvis.posed({"rotation": 1})


def test_exaggeration_shows_scaled_pose_and_keeps_true_metrics(pelvis):
    posed = pelvis.posed(Pose(rotation=0.4), exaggeration=5)
    assert posed.shown_pose == Pose(rotation=2)
    assert posed.pose == Pose(rotation=0.4)
    np.testing.assert_allclose(
        posed.transforms["left_innominate"], pelvis.transforms(Pose(rotation=2))["left_innominate"]
    )
    true = pelvis.posed(Pose(rotation=0.4)).metrics
    assert posed.metrics.pubic_gap_mm == pytest.approx(true.pubic_gap_mm)
    assert posed.shown_metrics.pubic_gap_mm > posed.metrics.pubic_gap_mm + 5


def test_shown_angles_stop_at_the_hard_limit_and_say_so(pelvis):
    # 3.4 deg x20 would show 68 deg and a 178 mm gap: shown at the 10 deg limit, with a warning
    from pelvis3d.errors import ShownAngleCappedWarning

    with pytest.warns(ShownAngleCappedWarning, match=r"left_rotation=3.4 deg x20 = 68 deg.* x2.94 keeps"):
        posed = pelvis.posed(Pose(rotation=3.4, nutation=0.1), exaggeration=20)
    assert posed.shown_pose == Pose(rotation=10, nutation=2)  # nutation x20 = 2 deg: within, kept
    assert posed.shown_metrics.pubic_gap_change_mm < 40  # not 178 mm
    np.testing.assert_allclose(
        posed.transforms["left_innominate"], pelvis.transforms(Pose(rotation=10))["left_innominate"]
    )
    assert pelvis.max_exaggeration(Pose(rotation=3.4)) == pytest.approx(10 / 3.4)
    assert pelvis.max_exaggeration(Pose(rotation=0.1, nutation=-2)) == pytest.approx(5.0)
    assert pelvis.max_exaggeration(Pose()) == 20.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShownAngleCappedWarning)
        shown = pelvis.posed(Pose(rotation=0.5), exaggeration=20).shown_pose  # exactly at the limit
    assert shown.left_rotation == pytest.approx(10.0)


def test_posed_meshes_are_new_objects_in_mm(pelvis):
    posed = pelvis.posed(Pose(rotation=2))
    a, b = posed.meshes(), posed.meshes()
    assert a["sacrum"] is not b["sacrum"]
    a["sacrum"].vertices[:] = 0  # the caller may modify; the model is unaffected
    assert np.ptp(posed.meshes()["sacrum"].vertices[:, 2]) > 90
    lm = posed.landmarks["left_asis"]
    np.testing.assert_allclose(lm, apply(np.array(posed.transforms["left_innominate"]), pelvis.landmarks["left_asis"]))


def test_unknown_names_list_what_is_allowed(pelvis):
    with pytest.raises(KeyError, match="unknown landmark 'asis'.*left_asis") as info:
        pelvis.landmarks["asis"]
    assert isinstance(info.value, Pelvis3dError)
    with pytest.raises(KeyError, match="unknown body"):
        pelvis.posed().transforms["pelvis"]
    with pytest.raises(KeyError, match="unknown side"):
        Pose.one_side("middle", rotation=1)
    with pytest.raises(pelvis3d.UnknownNameError):
        pelvis.joint_surfaces["left_si"]


def test_pose_names_are_the_pose_fields_in_order():
    from dataclasses import fields

    from pelvis3d.kinematics import POSE_NAMES, Pose

    assert tuple(f.name for f in fields(Pose)) == tuple(POSE_NAMES)
    pose = Pose(left_rotation=1.0, nutation=-0.5)
    assert list(pose.as_dict()) == list(POSE_NAMES) and pose.as_dict()["nutation"] == -0.5
