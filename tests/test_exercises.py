"""The article's exercises: motions with legs (OpenSim signs), coupling, floor and wall never
crossed, files, pictures."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest

import pelvis3d
from pelvis3d.apps.cli import main
from pelvis3d.legs import hip_transform
from pelvis3d.motions.exercises import EXERCISES, body_meshes, exercise_transforms, get_exercise, support_plane


@pytest.mark.parametrize("name", list(EXERCISES))
def test_bodies_never_pass_through_the_floor_or_wall(pelvis, name):
    ex = EXERCISES[name]
    axis, value = support_plane(pelvis, ex, exaggeration=5.0)
    assert axis == ("y" if ex.support == "floor" else "x")
    k = 1 if axis == "y" else 0
    meshes = body_meshes(pelvis)
    closest = np.inf
    for t in np.linspace(0.0, ex.duration, 61):  # finer than the placement's sampling
        world = exercise_transforms(pelvis, ex.pose_at(float(t)), 5.0)
        for body, (v, _) in meshes.items():
            m = world[body]
            closest = min(closest, float(((v @ m[:3, :3].T + m[:3, 3])[:, k] - value).min()))
    assert closest >= 0.0  # on the open side of the plane all the time
    assert closest < 25.0  # and something comes near it (the support is where the bodies reach)


def test_exercises_are_motions_that_round_trip_through_toml(tmp_path):
    for name, ex in EXERCISES.items():
        assert isinstance(ex, pelvis3d.Motion) and ex.is_exercise
        path = tmp_path / f"{name}.toml"
        ex.save(path)
        again = get_exercise(str(path))
        assert again == ex  # keyframes (legs, labels), support, key time, coupling
        assert again.pose_at(ex.key_time) == ex.pose_at(ex.key_time)
    with pytest.raises(ValueError, match="not an exercise"):
        get_exercise(pelvis3d.MOTIONS["er-ir-cycle"])


def test_clamshell_couples_the_innominate_to_the_hip(pelvis):
    ex = get_exercise("clamshell")
    key = ex.pose_at(ex.key_time)
    external = -key.hip_rotation_l  # OpenSim: + = internal
    assert external > 30 and -key.hip_adduction_l > 30 and key.knee_angle_l < -60
    assert ex.label_at(ex.key_time).startswith("lift the knee")
    assert key.left_rotation == pytest.approx(0.03 * external)
    assert key.right_rotation == 0.0
    stronger = get_exercise("clamshell", coupling=0.05).pose_at(ex.key_time)
    assert stronger.left_rotation == pytest.approx(0.05 * external)
    m = pelvis.metrics(key.replace(pelvis_tilt=0.0))
    assert m.pubic_gap_change_mm > 0 and m.si_posterior_change_mm["left"] < 0  # ER: front opens, back closes
    hinge = get_exercise("wall-tap-hip-hinge")
    hk = hinge.pose_at(hinge.key_time)
    mh = pelvis.metrics(hk.replace(pelvis_tilt=0.0, pelvis_rotation=0.0))
    assert hk.right_rotation < 0 and mh.si_posterior_change_mm["right"] > 0 and mh.pubic_gap_change_mm < 0
    with pytest.raises(ValueError, match="coupling"):
        get_exercise("clamshell", coupling=2)
    with pytest.raises(pelvis3d.LimitError, match="hip_flexion_l"):
        exercise_transforms(pelvis, pelvis3d.Pose(hip_flexion_l=200))


@pytest.mark.parametrize("side", ["left", "right"])
def test_hip_angles_follow_opensim_signs(pelvis, side):
    """+flexion brings the knee forward, +adduction toward the midline, +rotation turns the front
    of the knee inward — on both sides, as OpenSim's hip_r / hip_l (Z, X, Y; left -X, -Y)."""
    s = side[0]
    hip = np.asarray(pelvis.landmarks[f"{side}_hip_centre"])
    medial = 1.0 if side == "left" else -1.0  # +Z is right
    knee = hip + [0.0, -400.0, 0.0]
    front = hip + [50.0, 0.0, 0.0]

    def moved(point, **angles):
        t = hip_transform(side, pelvis3d.Pose(**{f"{k}_{s}": v for k, v in angles.items()}), hip)
        return t[:3, :3] @ point + t[:3, 3]

    assert moved(knee, hip_flexion=30)[0] > knee[0] + 150
    assert (moved(knee, hip_adduction=20) - knee)[2] * medial > 100
    assert (moved(front, hip_rotation=30) - front)[2] * medial > 20
    # the stance femur of the hinge stays upright while the pelvis tilts over it
    hinge = get_exercise("wall-tap-hip-hinge")
    world = exercise_transforms(pelvis, hinge.pose_at(hinge.key_time))
    femur_axis = world["right_femur"][:3, :3] @ np.array([0.0, -1.0, 0.0])
    assert femur_axis[1] < -0.95


def test_femoral_head_stays_in_the_acetabulum(pelvis):
    for ex in EXERCISES.values():
        for t in np.linspace(0.0, ex.duration, 25):
            world = exercise_transforms(pelvis, ex.pose_at(float(t)), 5.0)
            for side in ("left", "right"):
                hip = np.asarray(pelvis.landmarks[f"{side}_hip_centre"])
                cup = world[f"{side}_innominate"][:3, :3] @ hip + world[f"{side}_innominate"][:3, 3]
                head = world[f"{side}_femur"][:3, :3] @ hip + world[f"{side}_femur"][:3, 3]
                assert np.linalg.norm(head - cup) < 1e-6


@pytest.mark.render
def test_exercise_gif_and_figure(tmp_path, capsys):
    gif = tmp_path / "c.gif"
    assert main(["exercise", "clamshell", str(gif), "--frames", "8", "--size", "320x240"]) == 0
    frames = iio.imread(gif, index=None)
    assert frames.shape == (8, 240, 320, 3)
    assert np.abs(frames[3].astype(int) - frames[0].astype(int)).max() > 100  # the leg moves
    png = tmp_path / "h.png"
    assert main(["exercise", "wall-tap-hip-hinge", str(png), "--size", "320x240"]) == 0
    assert iio.imread(png).shape[:2] == (240, 640)
