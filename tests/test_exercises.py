"""The article's exercises: femurs, coupling, floor and wall never crossed, pictures."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest

from pelvis3d.apps.cli import main
from pelvis3d.motions.exercises import (
    EXERCISES,
    HipAngles,
    _all_meshes,
    exercise_transforms,
    get_exercise,
    support_plane,
)


@pytest.mark.parametrize("name", list(EXERCISES))
def test_bones_never_pass_through_the_floor_or_wall(pelvis, name):
    ex = EXERCISES[name]
    axis, value = support_plane(pelvis, ex, exaggeration=5.0)
    assert axis == ("y" if ex.support == "floor" else "x")
    k = 1 if axis == "y" else 0
    meshes = _all_meshes(pelvis)
    closest = np.inf
    for t in np.linspace(0.0, ex.duration, 61):  # finer than the placement's sampling
        world = exercise_transforms(pelvis, ex.frame_at(float(t)), 5.0)
        for body, (v, _) in meshes.items():
            m = world[body]
            closest = min(closest, float(((v @ m[:3, :3].T + m[:3, 3])[:, k] - value).min()))
    assert closest >= 0.0  # on the open side of the plane all the time
    assert closest < 25.0  # and something comes near it (the support is where the bones reach)


def test_clamshell_couples_the_innominate_to_the_hip(pelvis):
    ex = get_exercise("clamshell")
    key = ex.frame_at(ex.key_time)
    assert key.hips["left"].rotation > 30 and key.hips["left"].abduction > 30
    assert key.pose.left_rotation == pytest.approx(0.03 * key.hips["left"].rotation)
    assert key.pose.right_rotation == 0.0
    stronger = get_exercise("clamshell", coupling=0.05).frame_at(ex.key_time)
    assert stronger.pose.left_rotation == pytest.approx(0.05 * key.hips["left"].rotation)
    m = pelvis.metrics(key.pose)
    assert m.pubic_gap_change_mm > 0 and m.si_posterior_change_mm["left"] < 0  # ER: front opens, back closes
    hinge = get_exercise("wall-tap-hip-hinge")
    hk = hinge.frame_at(hinge.key_time)
    mh = pelvis.metrics(hk.pose)
    assert hk.pose.right_rotation < 0 and mh.si_posterior_change_mm["right"] > 0 and mh.pubic_gap_change_mm < 0
    with pytest.raises(ValueError, match="coupling"):
        get_exercise("clamshell", coupling=2)
    with pytest.raises(ValueError, match="hip flexion"):
        HipAngles(flexion=200)


def test_hinge_keeps_the_stance_femur_upright(pelvis):
    hinge = get_exercise("wall-tap-hip-hinge")
    world = exercise_transforms(pelvis, hinge.frame_at(hinge.key_time))
    femur_axis = world["right_femur"][:3, :3] @ np.array([0.0, -1.0, 0.0])
    assert femur_axis[1] < -0.95  # still pointing down


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
