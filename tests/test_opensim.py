"""OpenSim motions and models: exact pelvis orientation, hip joints, units, bad files, .osim pelvis.

The references here are computed independently of pelvis3d: the test parses the trial and the
model with its own code (plain string splitting and xml.etree) and builds OpenSim's joint rotations
from the joint definitions in the .osim (axes in the order the SpatialTransform lists them).
"""

from __future__ import annotations

import math
import re
import shutil
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import pelvis3d
from pelvis3d import AnatomyFileError, Motion, Pose
from pelvis3d.errors import PoseError
from pelvis3d.legs import hip_transform
from pelvis3d.motions.exercises import exercise_transforms
from pelvis3d.motions.opensim import motion_from_opensim
from pelvis3d.motions.sampled import SampledMotion

ROOT = Path(__file__).resolve().parents[1]
HAMNER = ROOT.parent / "shared" / "real-data" / "opensim-hamner-running"
TRIAL = HAMNER / "subject02_running_ik.mot"
MODEL = HAMNER / "FullBodyModel_Hamner2010_v2_0.osim"
GAIT2392 = ROOT.parent / "shared" / "real-anatomy" / "opensim-gait2392"
needs_hamner = pytest.mark.skipif(not HAMNER.is_dir(), reason=f"OpenSim data not found at {HAMNER}")
needs_gait2392 = pytest.mark.skipif(not GAIT2392.is_dir(), reason=f"real anatomy not found at {GAIT2392}")


# ---- independent references ---------------------------------------------------------------
def rodrigues(axis, angle_rad: float) -> np.ndarray:
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + math.sin(angle_rad) * k + (1 - math.cos(angle_rad)) * (k @ k)


def angle_between(r1: np.ndarray, r2: np.ndarray) -> float:
    """Angle (deg) of the rotation taking r1 to r2."""
    return math.degrees(math.acos(np.clip((np.trace(r1.T @ r2) - 1) / 2, -1.0, 1.0)))


def read_table(path: Path) -> tuple[list[str], np.ndarray, bool]:
    lines = path.read_text().splitlines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "endheader")
    degrees = any(line.strip() == "inDegrees=yes" for line in lines[:end])
    labels = lines[end + 1].split("\t")
    data = np.array([[float(x) for x in line.split()] for line in lines[end + 2 :] if line.strip()])
    return [lab.strip() for lab in labels], data, degrees


def joint_rotations(model: Path, joint_name: str) -> list[tuple[str, np.ndarray]]:
    """The rotational TransformAxes of a CustomJoint: (coordinate, axis), in order."""
    root = ET.parse(model).getroot()
    joint = next(j for j in root.iter("CustomJoint") if j.get("name") == joint_name)
    out = []
    for axis in joint.find("SpatialTransform"):
        if axis.get("name", "").startswith("rotation"):
            coefficients = [float(x) for x in axis.find("LinearFunction").findtext("coefficients").split()]
            assert coefficients == [1.0, 0.0]  # identity functions in these joints
            out.append(
                (axis.findtext("coordinates").strip(), np.array([float(x) for x in axis.findtext("axis").split()]))
            )
    for frame in joint.iter("PhysicalOffsetFrame"):  # offsets would add fixed rotations: none here
        assert [float(x) for x in frame.findtext("orientation").split()] == [0.0, 0.0, 0.0]
    return out


def opensim_rotation(spec, row: dict[str, float], degrees: bool) -> np.ndarray:
    r = np.eye(3)
    for coordinate, axis in spec:
        value = row[coordinate]
        r = r @ rodrigues(axis, math.radians(value) if degrees else value)
    return r


@pytest.fixture(scope="module")
def trial():
    if not HAMNER.is_dir():
        pytest.skip(f"OpenSim data not found at {HAMNER}")
    return Motion.load(TRIAL)


# ---- the Hamner trial ------------------------------------------------------------------------
@needs_hamner
def test_pelvis_orientation_equals_opensims_ground_to_pelvis_rotation(trial):
    labels, data, degrees = read_table(TRIAL)
    spec = joint_rotations(MODEL, "ground_pelvis")
    assert [c for c, _ in spec] == ["pelvis_tilt", "pelvis_list", "pelvis_rotation"]
    pelvis = pelvis3d.Pelvis()
    worst = 0.0
    for i in range(0, len(data), 23):
        row = dict(zip(labels, data[i], strict=True))
        expected = opensim_rotation(spec, row, degrees)
        t = row["time"] - data[0, 0]
        got = pelvis.transforms(trial.pose_at(t), world=True)["sacrum"][:3, :3]
        worst = max(worst, angle_between(expected, got))
    assert worst <= 0.05
    # a plain rename (tilt -> -tilt, list -> -obliquity, rotation -> rotation) is not exact: the test can tell
    row = dict(zip(labels, data[len(data) // 2], strict=True))
    renamed = Pose(
        pelvis_tilt=-row["pelvis_tilt"], pelvis_obliquity=-row["pelvis_list"], pelvis_rotation=row["pelvis_rotation"]
    )
    assert (
        angle_between(opensim_rotation(spec, row, degrees), pelvis.transforms(renamed, world=True)["sacrum"][:3, :3])
        > 0.05
    )


@needs_hamner
@pytest.mark.filterwarnings("ignore::pelvis3d.errors.PhysiologicalRangeWarning")  # hip extension just past 30 deg
def test_hip_columns_give_the_femur_orientations_of_the_models_hip_joints(trial):
    labels, data, degrees = read_table(TRIAL)
    pelvis_spec = joint_rotations(MODEL, "ground_pelvis")
    pelvis = pelvis3d.Pelvis()
    for side, s in (("right", "r"), ("left", "l")):
        spec = joint_rotations(MODEL, f"hip_{s}")
        assert [c for c, _ in spec] == [f"hip_flexion_{s}", f"hip_adduction_{s}", f"hip_rotation_{s}"]
        for i in range(5, len(data), 41):
            row = dict(zip(labels, data[i], strict=True))
            pose = trial.pose_at(row["time"] - data[0, 0])
            pelvis_femur = opensim_rotation(spec, row, degrees)
            got = hip_transform(side, pose, np.zeros(3))[:3, :3]
            assert angle_between(pelvis_femur, got) <= 0.05
            ground_femur = opensim_rotation(pelvis_spec, row, degrees) @ pelvis_femur
            world = exercise_transforms(pelvis, pose)[f"{side}_femur"][:3, :3]
            assert angle_between(ground_femur, world) <= 0.05


@needs_hamner
def test_the_trial_reads_as_a_dense_motion(trial):
    labels, data, _ = read_table(TRIAL)
    assert isinstance(trial, SampledMotion)
    assert len(trial.times) == len(data) == 599
    assert trial.duration == pytest.approx(data[-1, 0] - data[0, 0])
    assert not trial.loop and not trial.is_exercise and trial.label_at(1.0) == ""
    # leg angles pass unchanged at the samples; the ring stays at neutral without a coupling
    k = labels.index("knee_angle_r")
    for i in (0, 100, 598):
        pose = trial.pose_at(trial.times[i])
        assert pose.knee_angle_r == pytest.approx(data[i, k], abs=1e-9)
        assert pose.left_rotation == pose.right_rotation == 0.0
    # translation in mm
    tx = labels.index("pelvis_tx")
    assert trial.translation_at(trial.times[10])[0] == pytest.approx(1000 * data[10, tx])
    # between samples the spline stays within its neighbours (no invented peaks)
    j = labels.index("hip_flexion_r")
    for i in range(0, 598, 37):
        mid = trial.pose_at((trial.times[i] + trial.times[i + 1]) / 2).hip_flexion_r
        lo, hi = sorted(data[i : i + 2, j])
        assert lo - 1e-9 <= mid <= hi + 1e-9
    assert trial.sample_times(11)[-1] == pytest.approx(trial.duration)


@needs_hamner
def test_a_radians_sto_written_from_the_same_data_gives_the_same_motion(tmp_path, trial):
    labels, data, _ = read_table(TRIAL)
    angular = set(labels) - {"time", "pelvis_tx", "pelvis_ty", "pelvis_tz"}
    order = list(reversed(labels[1:]))  # another column order, an extra column, time not from the file's start
    rows = []
    for r in data:
        row = dict(zip(labels, r, strict=True))
        rows.append([row["time"] + 3.5] + [math.radians(row[n]) if n in angular else row[n] for n in order] + [42.0])
    text = f"states\nversion=1\nnRows={len(rows)}\nnColumns={len(order) + 2}\ninDegrees=no\nendheader\n"
    text += "\t".join(["time", *order, "extra_column"]) + "\n"
    text += "\n".join("\t".join(f"{x:.12g}" for x in r) for r in rows) + "\n"
    sto = tmp_path / "trial_radians.sto"
    sto.write_text(text)
    again = Motion.load(sto)
    assert again.start_time == pytest.approx(data[0, 0] + 3.5)
    for t in np.linspace(0, trial.duration, 37):
        a, b = trial.pose_at(t).as_dict(), again.pose_at(t).as_dict()
        assert max(abs(a[n] - b[n]) for n in a) < 1e-6
    # and the state-path labels of OpenSim 4 results read the same
    text2 = text.replace("\thip_flexion_r\t", "\t/jointset/hip_r/hip_flexion_r/value\t")
    assert text2 != text
    path2 = tmp_path / "states.sto"
    path2.write_text(text2)
    assert Motion.load(path2).pose_at(1.0).hip_flexion_r == pytest.approx(trial.pose_at(1.0).hip_flexion_r)


@needs_hamner
def test_save_as_sto_and_json_round_trips(tmp_path, trial):
    trial.save(tmp_path / "copy.sto")
    trial.save(tmp_path / "copy.json")
    for name in ("copy.sto", "copy.json"):
        again = Motion.load(tmp_path / name)
        for t in (0.0, 1.234, trial.duration):
            a, b = trial.pose_at(t).as_dict(), again.pose_at(t).as_dict()
            assert max(abs(a[n] - b[n]) for n in a) < 1e-6


# ---- the format, on files written here -----------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "bad.mot") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = (
    "Coordinates\nversion=1\nnRows=3\nnColumns=4\ninDegrees=yes\nendheader\n"
    "time\tpelvis_tilt\tpelvis_list\thip_rotation_l\n"
    "0.5\t-5\t2\t10\n0.6\t-4\t3\t-10\n0.7\t-3\t4\t0\n"
)


def test_pelvis3d_angles_rotate_like_opensims_joint_for_any_angles():
    from pelvis3d.motions.opensim import pelvis_angles_from_opensim

    rng = np.random.default_rng(3)
    angles = rng.uniform(-60, 60, size=(200, 3))
    tilt, obliquity, rotation = pelvis_angles_from_opensim(angles[:, 0], angles[:, 1], angles[:, 2])
    pelvis = pelvis3d.Pelvis()
    for k in range(0, 200, 20):
        ref = rodrigues([0, 0, 1], math.radians(angles[k, 0])) @ rodrigues([1, 0, 0], math.radians(angles[k, 1]))
        ref = ref @ rodrigues([0, 1, 0], math.radians(angles[k, 2]))
        pose = Pose(pelvis_tilt=tilt[k], pelvis_obliquity=obliquity[k], pelvis_rotation=rotation[k])
        assert angle_between(ref, pelvis.transforms(pose, world=True)["sacrum"][:3, :3]) < 1e-4


def test_a_small_file_and_the_coupling(tmp_path):
    m = motion_from_opensim(write(tmp_path, GOOD), coupling=0.03)
    assert m.start_time == 0.5 and m.duration == pytest.approx(0.2)
    assert m.pose_at(0.0).hip_rotation_l == pytest.approx(10.0)
    # + hip rotation is internal: the innominate follows into internal rotation
    assert m.pose_at(0.0).left_rotation == pytest.approx(-0.3)
    assert m.pose_at(0.1).left_rotation == pytest.approx(0.3)
    assert m.direction_at(0.05)["left"] == 1  # turning external
    assert pelvis3d.get_motion(str(tmp_path / "bad.mot")).duration == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (GOOD.replace("endheader\n", ""), r"bad\.mot line \d+: no 'endheader'"),
        (GOOD.replace("time\t", "t\t"), r"bad\.mot line 7: no 'time' column"),
        (
            GOOD.replace("0.6\t-4\t3", "0.6\t-4\tx3"),
            r"bad\.mot line 9, column 3 \('pelvis_list'\): 'x3' is not a number",
        ),
        (GOOD.replace("inDegrees=yes", "inDegrees=maybe"), r"bad\.mot line 5: inDegrees='maybe'.*allowed: yes, no"),
        (GOOD.replace("0.6\t-4\t3\t-10", "0.6\t-4\t3"), r"bad\.mot line 9: 3 cells where the labels name 4 columns"),
        (GOOD.replace("0.6\t", "0.4\t"), r"bad\.mot: row 2, column 1 \('time'\): times must increase"),
        (GOOD.replace("pelvis_tilt\tpelvis_list\thip_rotation_l", "a\tb\tc"), r"no pelvis or leg column"),
    ],
)
def test_bad_files_give_one_clear_error_naming_file_line_and_column(tmp_path, text, expect):
    path = write(tmp_path, text)
    with pytest.raises(PoseError, match=expect):
        Motion.load(path)


def test_bad_file_on_the_command_line_is_one_line_and_status_2(tmp_path, capsys):
    from pelvis3d.apps.cli import main

    path = write(tmp_path, GOOD.replace("0.6\t-4\t3", "0.6\t-4\tnan?"))
    assert main(["export", str(tmp_path / "x.glb"), "--motion", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.mot line 9, column 3 ('pelvis_list')" in err[0]
    assert not (tmp_path / "x.glb").exists()


def test_without_units_flag_angles_are_radians_as_in_opensim(tmp_path):
    path = write(
        tmp_path, GOOD.replace("inDegrees=yes\n", "").replace("\t10\n", "\t0.1\n").replace("\t-10\n", "\t-0.1\n")
    )
    m = Motion.load(path)
    assert m.pose_at(0.0).hip_rotation_l == pytest.approx(math.degrees(0.1))
    # an old file whose angles can only be degrees is read as degrees, and says so
    with pytest.warns(UserWarning, match="read as degrees"):
        m = Motion.load(write(tmp_path, GOOD.replace("inDegrees=yes\n", ""), "old.mot"))
    assert m.pose_at(0.0).hip_rotation_l == pytest.approx(10.0)


def test_a_flexion_positive_knee_is_turned_into_pelvis3ds_sign(tmp_path):
    text = GOOD.replace("hip_rotation_l", "knee_angle_r").replace("\t10\n", "\t60\n").replace("\t-10\n", "\t80\n")
    m = Motion.load(write(tmp_path, text))
    assert m.pose_at(0.0).knee_angle_r == pytest.approx(-60.0)
    assert "negated" in m.description


def test_face_forward_removes_the_heading_only(tmp_path):
    text = GOOD.replace("pelvis_list", "pelvis_rotation").replace("\t2\t", "\t88\t").replace("\t3\t", "\t90\t")
    text = text.replace("\t4\t", "\t92\t")
    kept = motion_from_opensim(write(tmp_path, text))
    turned = motion_from_opensim(write(tmp_path, text), face_forward=True)
    shifts = []
    for t in (0.0, 0.05, 0.1, 0.2):
        a, b = kept.pose_at(t), turned.pose_at(t)
        assert (b.pelvis_tilt, b.pelvis_obliquity) == pytest.approx((a.pelvis_tilt, a.pelvis_obliquity))
        shifts.append(b.pelvis_rotation - a.pelvis_rotation)
    assert np.ptp(shifts) < 1e-9  # one turn about the vertical for the whole trial
    assert kept.pose_at(0.1).pelvis_rotation == pytest.approx(90.0, abs=0.1)
    assert abs(turned.pose_at(0.1).pelvis_rotation) < 0.1


# ---- models ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hamner_pelvis():
    if not HAMNER.is_dir():
        pytest.skip(f"OpenSim data not found at {HAMNER}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pelvis3d.Pelvis.load(MODEL)


@needs_hamner
def test_the_hamner_model_pelvis(hamner_pelvis):
    root = ET.parse(MODEL).getroot()
    pelvis = hamner_pelvis
    # the meshes, in the model's pelvis frame, mm: the right innominate is pelvis.vtp (+Z)
    from pelvis3d.anatomy.vtk_files import read_vtk_triangles

    right, _ = read_vtk_triangles(HAMNER / "Geometry" / "pelvis.vtp")
    got = np.asarray(pelvis.anatomy.vertices["right_innominate"])
    assert np.allclose(got.min(axis=0), 1000 * right.min(axis=0), atol=0.01)
    assert np.allclose(got.max(axis=0), 1000 * right.max(axis=0), atol=0.01)
    assert np.asarray(pelvis.anatomy.vertices["left_innominate"])[:, 2].mean() < -40
    # hip centres: the hip joints' location in the pelvis frame
    for name, side in (("hip_r", "right"), ("hip_l", "left")):
        joint = next(j for j in root.iter("CustomJoint") if j.get("name") == name)
        frame = next(f for f in joint.iter("PhysicalOffsetFrame") if f.findtext("socket_parent") == "/bodyset/pelvis")
        loc = np.array([float(x) for x in frame.findtext("translation").split()])
        assert np.allclose(pelvis.landmarks[f"{side}_hip_centre"], 1000 * loc)
    # the ASIS markers (skin, 2-3 cm off the bone) become landmarks on the bone under them
    for marker, side in (("R.ASIS", "right"), ("L.ASIS", "left")):
        m = next(x for x in root.iter("Marker") if x.get("name") == marker)
        loc = 1000 * np.array([float(x) for x in m.findtext("location").split()])
        asis = pelvis.landmarks[f"{side}_asis"]
        assert 5.0 < np.linalg.norm(asis - loc) <= 40.0
        assert np.sign(asis[2]) == np.sign(loc[2])
    credits = root.find("Model").findtext("credits")
    assert "Delp S.L." in pelvis.anatomy.attribution and pelvis.derived["credits"] == credits
    assert "pelvis body frame" in pelvis.derived["frame"]


@needs_hamner
@pytest.mark.filterwarnings("ignore::pelvis3d.errors.PhysiologicalRangeWarning")
def test_the_model_and_the_trial_together_put_the_femur_head_in_the_cup(hamner_pelvis, trial):
    pose = trial.pose_at(2.0)
    world = exercise_transforms(hamner_pelvis, pose)
    root = ET.parse(MODEL).getroot()
    labels, data, degrees = read_table(TRIAL)
    row = {lab: float(np.interp(2.0 + data[0, 0], data[:, 0], data[:, k])) for k, lab in enumerate(labels)}
    r_gp = opensim_rotation(joint_rotations(MODEL, "ground_pelvis"), row, degrees)
    joint = next(j for j in root.iter("CustomJoint") if j.get("name") == "hip_r")
    frame = next(f for f in joint.iter("PhysicalOffsetFrame") if f.findtext("socket_parent") == "/bodyset/pelvis")
    loc = 1000 * np.array([float(x) for x in frame.findtext("translation").split()])
    centre = hamner_pelvis.landmarks["right_hip_centre"]
    moved = world["right_femur"][:3, :3] @ centre + world["right_femur"][:3, 3]
    assert np.allclose(moved, r_gp @ loc, atol=0.05)  # mm; the femur's centre stays at OpenSim's joint


def osim_copy(tmp_path: Path, text: str | None = None, geometry: bool = True) -> Path:
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    if geometry and not (folder / "Geometry").exists():
        shutil.copytree(HAMNER / "Geometry", folder / "Geometry")
    path = folder / "model.osim"
    path.write_text(MODEL.read_text() if text is None else text)
    return path


@needs_hamner
def test_model_errors_name_the_problem(tmp_path):
    text = MODEL.read_text()
    with pytest.raises(AnatomyFileError, match=r"model\.osim line \d+, column \d+: not well-formed XML"):
        pelvis3d.Pelvis.load(osim_copy(tmp_path, text[: len(text) // 2]))
    no_mesh = re.sub(r"<attached_geometry>.*?</attached_geometry>", "<attached_geometry />", text, count=1, flags=re.S)
    with pytest.raises(AnatomyFileError, match=r"body 'pelvis' has no mesh files attached"):
        pelvis3d.Pelvis.load(osim_copy(tmp_path, no_mesh))
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "m.osim").write_text(text)
    with pytest.raises(AnatomyFileError, match=r"pelvis mesh file 'sacrum\.vtp' not found; looked in .*bare.*Geometry"):
        pelvis3d.Pelvis.load(bare / "m.osim")
    from pelvis3d.anatomy.opensim import load_osim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anatomy = load_osim(bare / "m.osim", geometry=HAMNER / "Geometry")  # a folder given by the user
    assert len(anatomy.vertices["sacrum"]) > 100


def opensim3_model(folder: Path, scale: float, markers: str) -> Path:
    """An OpenSim 3.x-style model (joints inside bodies, VisibleObject geometry) on the Gait2392 meshes."""
    for name in ("sacrum.vtp", "r_pelvis.vtp", "l_pelvis.vtp"):
        shutil.copy(GAIT2392 / name, folder / name)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<OpenSimDocument Version="30000">
 <Model name="gait2392-like">
  <credits>Delp S.L., Loan J.P., Hoy M.G.</credits>
  <length_units>meters</length_units>
  <BodySet><objects>
   <Body name="ground"><VisibleObject><geometry_files /></VisibleObject></Body>
   <Body name="pelvis">
    <VisibleObject><geometry_files>sacrum.vtp r_pelvis.vtp l_pelvis.vtp</geometry_files>
     <scale_factors>{scale} {scale} {scale}</scale_factors></VisibleObject>
    <Joint><CustomJoint name="ground_pelvis"><parent_body>ground</parent_body>
     <location_in_parent>0 0 0</location_in_parent></CustomJoint></Joint>
   </Body>
   <Body name="femur_r"><Joint><CustomJoint name="hip_r"><parent_body>pelvis</parent_body>
     <location_in_parent>-0.0707 -0.0661 0.0835</location_in_parent></CustomJoint></Joint></Body>
   <Body name="femur_l"><Joint><CustomJoint name="hip_l"><parent_body>pelvis</parent_body>
     <location_in_parent>-0.0707 -0.0661 -0.0835</location_in_parent></CustomJoint></Joint></Body>
  </objects></BodySet>
  <MarkerSet><objects>{markers}</objects></MarkerSet>
 </Model>
</OpenSimDocument>
"""
    path = folder / "gait.osim"
    path.write_text(text)
    return path


@needs_gait2392
def test_an_opensim3_model_with_scale_factors_and_asis_markers(tmp_path):
    from pelvis3d.anatomy.vtk_files import read_vtk_triangles

    markers = (
        '<Marker name="RASI"><body>pelvis</body><location>0.0 0.0 0.1209</location></Marker>'
        '<Marker name="LASI"><body>pelvis</body><location>0.0 0.0 -0.1209</location></Marker>'
        '<Marker name="R.Knee"><body>femur_r</body><location>0 -0.4 0.05</location></Marker>'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pelvis = pelvis3d.Pelvis.load(opensim3_model(tmp_path, 1.1, markers))
    sacrum, _ = read_vtk_triangles(GAIT2392 / "sacrum.vtp")
    got = np.asarray(pelvis.anatomy.vertices["sacrum"])
    assert np.allclose(np.ptp(got, axis=0), 1100 * np.ptp(sacrum, axis=0), rtol=1e-6)  # scale factors applied
    assert np.allclose(pelvis.landmarks["right_asis"], [0.0, 0.0, 120.9])  # a marker on the bone: as given
    assert pelvis.derived["landmark right_asis"] == "the model's marker 'RASI'"
    assert np.allclose(pelvis.landmarks["left_hip_centre"], [-70.7, -66.1, -83.5])
    assert pelvis.neutral_metrics.inter_asis_mm == pytest.approx(241.8, abs=0.01)
