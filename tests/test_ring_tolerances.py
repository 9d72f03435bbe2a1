"""Ranges from the data, poses judged by the ring's published tolerances, signed gaps through
contact, the closed ring, and the inverse near neutral.

The tolerances are re-measured here from the posed transforms and metrics (rotation angles
by scipy, auricular-surface displacements by hand), not read back from pelvis3d.tolerances.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import pelvis3d
from pelvis3d import Pose
from pelvis3d.errors import PoseError, RingToleranceWarning

RING_DOFS = ("left_rotation", "right_rotation", "left_tilt", "right_tilt", "nutation")
# published limits (Becker et al. 2010; Walheim via Meissner 1996; Kibsgard et al. 2012)
GAP_MM, SHEAR_MM, SYMPHYSIS_DEG, SI_DEG, SI_MM = 2.0, 2.6, 1.0, 3.6, 2.0


def pose_of(name: str, angle: float) -> Pose:
    return Pose(**{name: angle})


def angle_between(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        np.degrees(
            np.linalg.norm((Rotation.from_matrix(a[:3, :3]).inv() * Rotation.from_matrix(b[:3, :3])).as_rotvec())
        )
    )


def measured(pelvis, pose: Pose, ring: str = "open") -> dict[str, float]:
    """Each tolerance quantity of the posed ring, measured independently."""
    t = pelvis.transforms(pose, ring=ring)
    m = pelvis.metrics(pose, t)
    n = pelvis.neutral_metrics
    out = {
        "pubic gap change": abs(m.pubic_gap_change_mm) - GAP_MM,
        "pubic vertical shear": abs(m.pubic_shear_mm - n.pubic_shear_mm) - SHEAR_MM,
        "symphysis rotation": angle_between(t["right_innominate"], t["left_innominate"]) - SYMPHYSIS_DEG,
        "pubic symphysis: bones overlap": -m.pubic_min_gap_mm if n.pubic_min_gap_mm > 0 else -1.0,
    }
    for side in ("left", "right"):
        inn, sac = t[f"{side}_innominate"], t["sacrum"]
        out[f"{side} SI rotation"] = angle_between(sac, inn) - SI_DEG
        surf = pelvis.joint_surfaces[f"{side}_si_innominate"].vertices
        p = np.asarray(pelvis.anatomy.vertices[f"{side}_innominate"])[surf]
        world = p @ inn[:3, :3].T + inn[:3, 3]
        back = (world - sac[:3, 3]) @ sac[:3, :3]  # into the sacrum's neutral frame
        out[f"{side} SI translation"] = float(np.linalg.norm(back - p, axis=1).max()) - SI_MM
        out[f"{side} SI joint: bones overlap"] = -m.si_min_space_mm[side]
    return out


def warns(pelvis, pose: Pose, ring: str = "open") -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pelvis.posed(pose, ring=ring)
    return [str(w.message) for w in caught if issubclass(w.category, RingToleranceWarning)]


@pytest.mark.parametrize("name", [*RING_DOFS, "rotation", "tilt"])
def test_every_dof_at_its_range_limits_keeps_the_tolerances_without_warning(pelvis, name):
    lo, hi = pelvis.physiological_ranges()[name]
    assert lo < 0 < hi
    hard = pelvis.anatomy.dofs[f"left_{name}" if name in ("rotation", "tilt") else name].hard_deg
    for end, limit in ((lo, hard[0]), (hi, hard[1])):
        pose = pose_of(name, end)
        assert max(measured(pelvis, pose).values()) <= 1e-6, (name, end)
        assert warns(pelvis, pose) == []
        if end != limit:  # the range is tight: 0.02 deg further a tolerance is left, and said
            beyond = pose_of(name, end + 0.02 * np.sign(end))
            over = {k: v for k, v in measured(pelvis, beyond).items() if v > 0}
            assert over, (name, end)
            (message,) = warns(pelvis, beyond)
            for k in over:
                assert k.split(": ")[-1] in message


def test_the_ranges_are_those_the_tolerances_give(pelvis):
    r = pelvis.physiological_ranges()
    # one innominate alone: the symphysis rotates by its own angle (<= 1 deg, Becker 2010)
    assert r["left_rotation"] == pytest.approx((-1.0, 1.0), abs=0.011)
    # both sides: the symphysis rotates twice as much; the gap changes ~3.5 mm per degree
    assert r["rotation"] == pytest.approx((-0.5, 0.5), abs=0.011)
    # nutation moves the sacrum against both innominates: the auricular surfaces slip <= 2 mm
    assert 1.0 < r["nutation"][1] < 3.6


@pytest.mark.parametrize("a, b", list(itertools.combinations(RING_DOFS, 2)))
def test_every_pair_at_their_limits_warns_exactly_when_a_tolerance_is_left(pelvis, a, b):
    r = pelvis.physiological_ranges()
    for ea, eb in itertools.product((0, 1), repeat=2):
        pose = Pose(**{a: r[a][ea], b: r[b][eb]})
        over = {k for k, v in measured(pelvis, pose).items() if v > 1e-6}
        said = warns(pelvis, pose)
        assert bool(said) == bool(over), (pose, over, said)
        for k in over:
            assert k.split(": ")[-1] in said[0] and "by " in said[0]


@pytest.mark.parametrize("name", ["rotation", "left_rotation", "right_rotation", "left_tilt", "right_tilt"])
def test_signed_gaps_are_monotonic_over_the_hard_range(pelvis, name):
    angles = np.linspace(-10, 10, 41)
    ms = [pelvis.metrics(pose_of(name, float(a))) for a in angles]
    if name.endswith("rotation"):
        gap = np.array([m.pubic_gap_mm for m in ms])
        assert np.all(np.diff(gap) > 0)  # opens with ER, closes and then overlaps deeper with IR
        assert np.all(np.diff([m.pubic_min_gap_mm for m in ms]) > 0)
        assert gap[0] < -10  # 10 deg of internal rotation: deep overlap, never a "normal" gap
        side = "left" if name != "right_rotation" else "right"
        assert np.all(np.diff([m.si_posterior_space_mm[side] for m in ms]) < 0)
    else:
        shear = np.array([m.pubic_shear_mm for m in ms]) * (1 if name == "left_tilt" else -1)
        assert np.all(np.diff(shear) < 0)  # anterior rotation drops the pubis on that side


def test_a_deep_overlap_reads_negative_where_the_old_gap_wrapped_round(pelvis):
    m = pelvis.metrics(Pose(rotation=-10))
    assert m.pubic_contact and m.pubic_gap_mm < -20 and m.pubic_overlap_mm > 25
    from pelvis3d.apps.report import metrics_table

    with pytest.warns(RingToleranceWarning, match="pubic symphysis: bones overlap"):
        table = metrics_table(pelvis, [("IR", Pose(rotation=-10))])
    assert "overlap" in table and f"{m.overlap_mm:.2f}" in table


def test_closed_ring_one_side_keeps_the_symphysis_and_moves_the_other_joint(pelvis):
    pose = Pose(left_rotation=1.5)
    open_ = measured(pelvis, pose, "open")
    closed = measured(pelvis, pose, "closed")
    assert open_["pubic gap change"] > 0  # the open chain gaps the symphysis beyond 2 mm
    assert closed["pubic gap change"] < 0 and closed["pubic vertical shear"] < 0  # the ring keeps it
    to = pelvis.transforms(pose, ring="open")
    tc = pelvis.transforms(pose, ring="closed")
    # the driving motion is held: the left innominate turns 1.5 deg about the vertical axis
    rel = Rotation.from_matrix(tc["sacrum"][:3, :3].T @ tc["left_innominate"][:3, :3]).as_rotvec(degrees=True)
    assert rel[1] == pytest.approx(1.5, abs=1e-6)
    # the right innominate follows the left pubis: its symphyseal face moves to the left
    # (as the left one does in external rotation), so its SI joint moves
    centre = pelvis.landmarks["right_symphyseal_face_centre"]
    moved = tc["right_innominate"][:3, :3] @ centre + tc["right_innominate"][:3, 3] - centre
    left_face = pelvis.landmarks["left_symphyseal_face_centre"]
    left_moved = to["left_innominate"][:3, :3] @ left_face + to["left_innominate"][:3, 3] - left_face
    assert left_moved[2] < -1.0 and moved[2] < -0.3 * abs(left_moved[2])
    np.testing.assert_allclose(to["right_innominate"], np.eye(4), atol=1e-12)
    assert closed["right SI translation"] > open_["right SI translation"] + 0.5
    # the posed object uses the same ring, and open stays the default
    posed = pelvis.posed(pose, ring="closed")
    assert posed.metrics.pubic_gap_change_mm == pytest.approx(pelvis.metrics(pose, tc).pubic_gap_change_mm)
    assert pelvis.posed(pose).ring == pelvis3d.ring.DEFAULT_RING == "open"
    assert pelvis3d.ring.PICTURE_RING == "closed"
    with pytest.raises(KeyError, match="unknown ring 'shut'; allowed: open, closed"):
        pelvis.posed(pose, ring="shut")


def test_closed_ring_leaves_neutral_and_posture_alone(pelvis):
    np.testing.assert_allclose(pelvis.transforms(Pose(), ring="closed")["left_innominate"], np.eye(4))
    pose = Pose(left_rotation=0.8, pelvis_tilt=12)
    world = pelvis.transforms(pose, world=True, ring="closed")
    local = pelvis.transforms(pose, ring="closed")
    tilt = pelvis.transforms(Pose(pelvis_tilt=12), world=True)["sacrum"]
    np.testing.assert_allclose(world["right_innominate"], tilt @ local["right_innominate"], atol=1e-9)


def test_solve_rotation_handles_tiny_targets_and_says_when_a_tolerance_is_left(pelvis):
    for target in (0.0, 5e-324, -1e-300, 1e-9):
        assert pelvis.solve_rotation(si_posterior_change_mm=target) == Pose()
        assert pelvis.solve_rotation(pubic_gap_change_mm=target, side="left") == Pose()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pelvis.solve_rotation(pubic_gap_change_mm=1.0)  # inside every tolerance: silent
    with pytest.warns(RingToleranceWarning, match=r"pubic gap change \+6.00 mm exceeds the 2 mm tolerance"):
        pelvis.solve_rotation(pubic_gap_change_mm=6.0)
    with pytest.warns(RingToleranceWarning, match=r"pubic symphysis: bones overlap"):
        pelvis.solve_rotation(pubic_gap_change_mm=-6.0)
    with pytest.raises(PoseError, match="not reachable"):
        pelvis.solve_rotation(pubic_gap_change_mm=-80.0)


def test_ranges_follow_the_geometry(pelvis, tmp_path):
    # the same pelvis 1.3 times larger: the auricular surfaces reach farther from their
    # centre, so tilting both innominates slips them 2 mm at a 1.3 times smaller angle
    meshes = pelvis.meshes()
    for mesh in meshes.values():
        mesh.apply_scale(1.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        big = pelvis3d.Pelvis.from_meshes(meshes["sacrum"], meshes["left_innominate"], meshes["right_innominate"])
    small, large = pelvis.physiological_ranges()["tilt"][1], big.physiological_ranges()["tilt"][1]
    assert large == pytest.approx(small / 1.3, rel=0.08)


README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_python_api_block_runs_and_says_what_it_prints():
    block = next(b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if "physiological_ranges" in b)
    proc = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    closed, opened = (float(v) for v in proc.stdout.splitlines()[-3].split())
    assert closed == pytest.approx(0.3, abs=0.1) and opened == pytest.approx(1.3, abs=0.1)  # as the README says
    assert "pubic gap change +2.48 mm exceeds the 2 mm tolerance" in proc.stdout


def test_readme_range_table_is_the_computed_one(pelvis):
    r = pelvis.physiological_ranges()
    rows = re.findall(r"^\| (`[a-z_`, ]+`)(?: \(both sides\))? \| ±([\d.]+)° \|", README, flags=re.M)
    assert len(rows) == 5
    for names, value in rows:
        for name in re.findall(r"`([a-z_]+)`", names):
            assert r[name] == (-float(value), float(value)), name


def test_readme_pivot_table_is_measured(pelvis):
    from dataclasses import replace

    from pelvis3d.anatomy import ReadOnlyMap
    from pelvis3d.anatomy.joints import place_pivots

    rows = re.findall(
        r"^\| (auricular centre[^|]*|posterior-ligaments) \| ([-+\d.]+) \| ([-+\d.]+) \| ([\d.]+) \|",
        README,
        flags=re.M,
    )
    assert len(rows) == 6
    base = pelvis.anatomy
    for label, post, ant, gap in rows:
        if label == "posterior-ligaments":
            anatomy = place_pivots(base, label)
        else:
            dx = (
                float(re.search(r"([-+]) (\d+) mm", label).group(1) + re.search(r"(\d+) mm", label).group(1))
                if "mm" in label
                else 0.0
            )
            dofs = dict(base.dofs)
            for n in ("left_rotation", "left_tilt", "right_rotation", "right_tilt"):
                dofs[n] = replace(dofs[n], pivot_mm=dofs[n].pivot_mm + np.array([dx, 0.0, 0.0]))
            anatomy = replace(base, dofs=ReadOnlyMap(dofs, "DOF"))
        m = pelvis3d.Pelvis(anatomy).metrics(Pose(rotation=1))
        assert m.si_posterior_change_mm["left"] == pytest.approx(float(post), abs=0.002), label
        assert m.si_anterior_change_mm["left"] == pytest.approx(float(ant), abs=0.002), label
        assert m.pubic_gap_change_mm == pytest.approx(float(gap), abs=0.002), label
