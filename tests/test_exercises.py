"""The article's exercises: motions with legs (OpenSim signs), coupling, floor and wall never
crossed, files, pictures."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest

import pelvis3d
from pelvis3d.apps.cli import main
from pelvis3d.body import body_joint_centres, body_transforms, posed_points
from pelvis3d.legs import hip_transform
from pelvis3d.motions.exercises import (
    EXERCISES,
    body_meshes,
    exercise_transforms,
    floor_height,
    get_exercise,
    support_plane,
)


@pytest.mark.parametrize("name", list(EXERCISES))
def test_bodies_never_pass_through_the_floor_or_wall(pelvis, name):
    ex = EXERCISES[name]
    axis, value = support_plane(pelvis, ex, exaggeration=5.0)
    assert axis == ("y" if ex.support == "floor" else "x")
    k = 1 if axis == "y" else 0
    meshes = body_meshes(pelvis)
    floor = value if axis == "y" else floor_height(pelvis, ex, 5.0)
    closest, lowest = np.inf, np.inf
    for t in np.linspace(0.0, ex.duration, 61):  # finer than the placement's sampling
        world = exercise_transforms(pelvis, ex.pose_at(float(t)), 5.0, ex)
        for body, (v, _) in meshes.items():
            moved = posed_points(v, world[body])
            closest = min(closest, float((moved[:, k] - value).min()))
            lowest = min(lowest, float(moved[:, 1].min() - floor))
    assert closest >= 0.0  # on the open side of the plane all the time
    assert closest < 25.0  # and something comes near it (the support is where the bodies reach)
    assert lowest >= -1.0  # standing against the wall, nothing sinks into the floor either


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
    assert external > 15 and -key.hip_adduction_l > 30 and key.knee_angle_l < -60
    assert ex.label_at(ex.key_time).startswith("lift the left knee")
    assert key.left_rotation == pytest.approx(0.03 * external)  # one rule: per deg of hip rotation
    assert key.right_rotation == 0.0
    stronger = get_exercise("clamshell", coupling=0.05).pose_at(ex.key_time)
    assert stronger.left_rotation == pytest.approx(0.05 * external)
    m = pelvis.metrics(key.replace(pelvis_tilt=0.0))
    assert m.pubic_gap_change_mm > 0 and m.si_posterior_change_mm["left"] < 0  # ER: front opens, back closes
    hinge = get_exercise("wall-tap-hip-hinge")
    hk = hinge.pose_at(hinge.key_time)
    mh = pelvis.metrics(hk.replace(pelvis_tilt=0.0, pelvis_rotation=0.0))
    assert hk.right_rotation < 0 and mh.si_posterior_change_mm["right"] > 0 and mh.pubic_gap_change_mm < 0
    assert hk.right_rotation == pytest.approx(-0.03 * hk.hip_rotation_r)  # the same rule in the hinge
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
    # the stance femur of the hinge stays in the room's sagittal plane, leaning back a little,
    # while the pelvis tilts and turns over it; the foot stays flat and pointing forward
    hinge = get_exercise("wall-tap-hip-hinge")
    world = exercise_transforms(pelvis, hinge.pose_at(hinge.key_time))
    femur_axis = world["right_femur"][:3, :3] @ np.array([0.0, -1.0, 0.0])
    assert femur_axis[1] < -0.75 and abs(femur_axis[2]) < 0.03
    foot = world["right_foot"][:3, :3]
    assert np.allclose(foot, np.eye(3), atol=0.02)


def test_femoral_head_stays_in_the_acetabulum(pelvis):
    meshes = body_meshes(pelvis)
    for ex in EXERCISES.values():
        for t in np.linspace(0.0, ex.duration, 25):
            world = exercise_transforms(pelvis, ex.pose_at(float(t)), 5.0, ex)
            for side in ("left", "right"):
                hip = np.asarray(pelvis.landmarks[f"{side}_hip_centre"])
                cup = world[f"{side}_innominate"][:3, :3] @ hip + world[f"{side}_innominate"][:3, 3]
                head = world[f"{side}_femur"][:3, :3] @ hip + world[f"{side}_femur"][:3, 3]
                assert np.linalg.norm(head - cup) < 1.0
                # and the femur mesh's head is a ball about that centre (what is drawn)
                v = meshes[f"{side}_femur"][0]
                near = v[np.linalg.norm(v - hip, axis=1) < 30.0]
                assert np.linalg.norm(near.mean(axis=0) - hip) < 6.0


@pytest.mark.render
def test_exercise_gif_and_figure(tmp_path, capsys):
    gif = tmp_path / "c.gif"
    assert main(["exercise", "clamshell", str(gif), "--frames", "8", "--size", "320x240"]) == 0
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == 8 and frames.shape[2] > 320 and frames.shape[1] > 240  # body, inset, caption
    body = frames[:, -240:, :320].astype(int)
    assert np.abs(body[3] - body[0]).max() > 100  # the leg moves
    caption = frames[:, : frames.shape[1] - 240].astype(int)
    assert np.abs(caption[3] - caption[0]).max() > 100  # the phase caption changes
    png = tmp_path / "h.png"
    assert main(["exercise", "wall-tap-hip-hinge", str(png), "--size", "320x240"]) == 0
    img = iio.imread(png)
    assert img.shape[1] > 640 and img.shape[0] > 240  # start and tap side by side
    assert main(["exercise", "no-such-exercise", str(png)]) != 0


def _lowest(points_world, axis):
    return float(points_world[:, axis].min())


def test_wall_tap_only_the_stance_buttock_touches(pelvis):
    ex = get_exercise("wall-tap-hip-hinge")
    _, wall = support_plane(pelvis, ex, exaggeration=5.0)
    meshes = body_meshes(pelvis)
    world = exercise_transforms(pelvis, ex.pose_at(ex.key_time), 5.0, ex)
    gaps = {b: _lowest(posed_points(v, world[b]), 0) - wall for b, (v, _) in meshes.items()}
    nearest = min(gaps, key=gaps.get)
    assert nearest == "right_buttock" and gaps[nearest] <= 2.0  # stance-side buttock on the wall
    other = min(g for b, g in gaps.items() if b.startswith("left_"))
    assert other >= 50.0  # the swing side reaches forward, away from the wall
    # standing, nothing is near the wall: the tap is the hinge's doing
    start = exercise_transforms(pelvis, ex.pose_at(0.0), 5.0, ex)
    assert min(_lowest(posed_points(v, start[b]), 0) - wall for b, (v, _) in meshes.items()) > 80.0
    # the stance foot stays planted on the floor (within 3 mm) about a foot-length from the wall
    floor = floor_height(pelvis, ex, 5.0)
    sole = posed_points(meshes["right_foot"][0], world["right_foot"])
    assert abs(_lowest(sole, 1) - floor) < 3.0
    assert 150.0 < _lowest(sole, 0) - wall < 320.0


def test_clamshell_pubis_on_the_floor_while_the_knee_rises(pelvis):
    ex = get_exercise("clamshell")
    _, floor = support_plane(pelvis, ex, exaggeration=5.0)
    meshes = body_meshes(pelvis)
    joints = body_joint_centres(pelvis)
    inn = meshes["left_innominate"][0]
    pubis = inn[np.linalg.norm(inn - pelvis.landmarks["left_symphyseal_face_centre"], axis=1) < 35.0]
    thigh = meshes["left_thigh"][0]
    inner = thigh[np.linalg.norm(thigh - joints["left_hip"], axis=1) < 140.0]  # the upper inner thigh
    frog_t = next(k.time for k in ex.keyframes if k.label.startswith("slide the left leg out"))

    def at(t):
        w = exercise_transforms(pelvis, ex.pose_at(t), 5.0, ex)
        knee = posed_points(joints["left_knee"][None], w["left_femur"])[0, 1]
        return (
            _lowest(posed_points(pubis, w["left_innominate"]), 1) - floor,
            _lowest(posed_points(inner, w["left_thigh"]), 1) - floor,
            knee,
        )

    pubis_frog, inner_frog, knee_frog = at(frog_t)
    assert pubis_frog <= 5.0 and inner_frog <= 5.0  # frog-leg: pubis and inner thigh on the floor
    for t in np.linspace(frog_t, ex.key_time, 6):
        assert at(float(t))[0] <= 5.0  # the pubis stays down while the knee lifts
    assert at(ex.key_time)[2] - knee_frog >= 150.0  # the knee rises toward the ceiling


def test_hip_axes_match_the_opensim_model():
    """The hip rotation axes and order of OpenSim's running model (hip_r, hip_l), read from the
    .osim file, give the same femur orientation as pelvis3d.legs for the same coordinates."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from scipy.spatial.transform import Rotation

    osim = (
        Path(__file__).resolve().parents[1]
        / "../shared/real-data/opensim-hamner-running/FullBodyModel_Hamner2010_v2_0.osim"
    )
    if not osim.exists():
        pytest.skip("../shared (OpenSim model) not present")
    root = ET.parse(osim).getroot()
    rng = np.random.default_rng(3)
    for side in ("r", "l"):
        joint = next(j for j in root.iter("CustomJoint") if j.get("name") == f"hip_{side}")
        offset = next(
            f for f in joint.iter("PhysicalOffsetFrame") if f.findtext("socket_parent", "").endswith("pelvis")
        )
        assert np.allclose([float(v) for v in offset.findtext("orientation").split()], 0.0)  # frame = pelvis frame
        axes = []
        for axis in joint.iter("TransformAxis"):
            if axis.get("name").startswith("rotation"):
                axes.append(
                    (axis.findtext("coordinates").strip(), np.array([float(v) for v in axis.findtext("axis").split()]))
                )
        assert [name for name, _ in axes] == [f"hip_flexion_{side}", f"hip_adduction_{side}", f"hip_rotation_{side}"]
        for _ in range(5):
            angles = dict(zip((n for n, _ in axes), rng.uniform(-60, 60, 3), strict=True))
            expected = np.eye(3)
            for name, axis in axes:  # body-fixed sequence, as OpenSim's CustomJoint
                expected = expected @ Rotation.from_rotvec(np.radians(angles[name]) * axis).as_matrix()
            t = hip_transform("right" if side == "r" else "left", pelvis3d.Pose(**angles), np.zeros(3))
            assert np.allclose(t[:3, :3], expected, atol=1e-9)


def test_mannequin_has_adult_proportions_and_the_femur_its_angles(pelvis):
    from pelvis3d.body import DE_LEVA_MALE_MM
    from pelvis3d.body.shapes import femur_landmarks

    meshes = body_meshes(pelvis)
    standing = body_transforms(pelvis, pelvis3d.Pose())
    pts = np.vstack([posed_points(v, standing[b]) for b, (v, _) in meshes.items()])
    stature = pts[:, 1].max() - pts[:, 1].min()
    assert abs(stature - DE_LEVA_MALE_MM["stature"]) < 0.05 * DE_LEVA_MALE_MM["stature"]
    joints = body_joint_centres(pelvis)
    for side in ("left", "right"):
        f = femur_landmarks(side, joints[f"{side}_hip"], joints[f"{side}_knee"])
        neck = f["head"] - f["neck_base"]
        shaft = f["down"]
        nsa = np.degrees(np.arccos(neck @ shaft / np.linalg.norm(neck)))
        assert abs(nsa - 125.0) < 3.0
        # anteversion: the neck points forward of the coronal plane by ~15 deg
        ante = np.degrees(np.arcsin(neck[0] / np.linalg.norm(neck)))
        assert 10.0 < ante < 20.0
        lateral = -1.0 if side == "left" else 1.0
        assert (f["greater_trochanter"][2] - f["head"][2]) * lateral > 40.0  # trochanter lateral to the head


def test_the_caption_states_the_factors_shown_on_the_body_and_in_the_inset(tmp_path, pelvis, monkeypatch):
    """The clamshell would put bone through bone at x5 at times: the body and the inset then show
    less, and the caption says so with the factor shown; where x5 is shown, nothing of overlap."""
    from pelvis3d.render import exercise as exercise_module

    seen = []
    lines_for = exercise_module.caption_lines

    def recording(ex, t, exaggeration, body, inset):
        lines = lines_for(ex, t, exaggeration, body, inset)
        seen.append((body, inset, lines[-1][1]))
        return lines

    monkeypatch.setattr(exercise_module, "caption_lines", recording)
    exercise_module.render_exercise("clamshell", tmp_path / "c.gif", frames=12, size=(320, 240), pelvis=pelvis)
    assert any(b < 5.0 for b, _, _ in seen) and any(b == 5.0 for b, _, _ in seen)
    for body, inset, words in seen:
        assert words.endswith("true and shown numbers)") and f"pelvic ring shown x{body:g}" in words
        assert ("more would overlap" in words) == (min(body, inset) < 5.0)
        assert (f"inset: x{inset:g}" in words) == (inset != body)


def test_the_body_shows_the_ring_at_the_factor_its_caption_states(pelvis):
    from pelvis3d.motions.exercises import get_exercise
    from pelvis3d.render.exercise import ExerciseScene

    ex = get_exercise("clamshell")
    scene = ExerciseScene(ex, pelvis, size=(320, 240), exaggeration=5.0)
    stated = []
    try:
        for t in ex.sample_times(12):
            pose = ex.pose_at(float(t))
            shown = scene.set_pose(pose)
            drawn = np.asarray(scene.scene.actors["left_innominate"].user_matrix)
            sacrum = np.asarray(scene.scene.actors["sacrum"].user_matrix)
            expected = pelvis.transforms(pose.scaled(shown))
            relative = np.linalg.inv(sacrum) @ drawn  # the ring's own configuration, posture aside
            want = np.linalg.inv(expected["sacrum"]) @ expected["left_innominate"]
            assert np.allclose(relative, want, atol=1e-6)
            words = scene.scene.caption_actor.GetInput()  # empty where the ring is at neutral
            assert not words or f"x{shown:g}" in words
            stated.append((shown, bool(words)))
        assert (5.0, True) in stated and any(f < 5.0 and said for f, said in stated)
    finally:
        scene.close()
