"""The built-in anatomy, every variant (adult, female, male): closed meshes, mirror symmetry,
dimensions in published ranges (biomechanics.md), joint spaces, landmarks and joint surfaces."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

import pelvis3d
from pelvis3d.anatomy import BODIES, builtin_mesh_folder

from .independent import distances

VARIANTS = (None, "female", "male")


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: v or "adult")
def pelvis(request):
    return pelvis3d.Pelvis(request.param)


@pytest.fixture(scope="module")
def meshes(pelvis):
    return pelvis.meshes()


def parameters(pelvis) -> dict:
    """The generator parameters recorded in the variant's sidecar."""
    return json.loads(pelvis.anatomy.source.read_text())["parameters"]


@pytest.mark.parametrize("body", BODIES)
def test_meshes_are_closed_consistently_wound_and_positive(meshes, body):
    m = meshes[body]
    assert m.is_watertight
    assert m.is_winding_consistent
    assert m.volume > 50_000  # mm^3; a bone, not a sliver
    assert len(m.split(only_watertight=False)) == 1


def test_triangle_budget(meshes):
    assert sum(len(m.faces) for m in meshes.values()) <= 60_000


def test_right_innominate_mirrors_left_with_flipped_winding(meshes):
    left, right = meshes["left_innominate"], meshes["right_innominate"]
    np.testing.assert_allclose(right.vertices, left.vertices * [1, 1, -1], atol=1e-6)
    np.testing.assert_array_equal(right.faces, left.faces[:, ::-1])
    assert right.volume == pytest.approx(left.volume)


def test_sacrum_is_mirror_symmetric(meshes):
    sac = meshes["sacrum"]
    _, d, _ = trimesh.proximity.closest_point(sac, sac.vertices[::7] * [1, 1, -1])
    assert d.max() < 1e-6


def test_no_two_bodies_intersect_at_neutral(meshes):
    for a, b in (
        ("left_innominate", "sacrum"),
        ("right_innominate", "sacrum"),
        ("left_innominate", "right_innominate"),
    ):
        ma, mb = meshes[a], meshes[b]
        lo, hi = mb.bounds[0] - 10, mb.bounds[1] + 10  # wider than the widest symphysis gap
        near = np.where(np.all((ma.vertices > lo) & (ma.vertices < hi), axis=1))[0]
        d = distances(ma, near, mb)
        assert d.min() > 1.5, (a, b, d.min())
        # and no vertex of one lies inside the other
        assert not mb.contains(ma.vertices[near]).any()


def test_published_dimensions(pelvis):
    lm = pelvis.landmarks
    inter_asis = np.linalg.norm(lm["left_asis"] - lm["right_asis"])
    assert 205 <= inter_asis <= 245  # 225 +/- 20 (Ahrend 2020)
    inter_psis = np.linalg.norm(lm["left_psis"] - lm["right_psis"])
    assert 65 <= inter_psis <= 100  # ~80 (PSIS ~40 mm lateral)
    spines = np.linalg.norm(lm["left_ischial_spine"] - lm["right_ischial_spine"])
    assert 80 <= spines <= 112  # men 88 +/- 8, women 105 +/- 7
    # hip centre against Bell 1989: from ASIS 22% posterior, 30% inferior, 14% medial of inter-ASIS
    predicted = lm["left_asis"] + inter_asis * np.array([-0.22, -0.30, 0.14])
    assert np.linalg.norm(lm["left_hip_centre"] - predicted) < 6.0


def test_true_conjugate_and_symphysis(pelvis, meshes):
    promontory = pelvis.landmarks["sacral_promontory"]
    face = pelvis.joint_surfaces["left_pubic_face"].vertices
    left = meshes["left_innominate"]
    conjugate = np.linalg.norm(left.vertices[face] - promontory, axis=1).min()
    assert 95 <= conjugate <= 126  # men 105 +/- 10, women 116 +/- 10
    height = np.ptp(left.vertices[face][:, 1])
    assert 30 <= height <= 45  # symphysis disc height ~37-42


def inlet_shape(p, slab: float = 6.0, step: float = 2.0) -> dict[str, float]:
    """The pelvic inlet as seen along its axis, measured on the innominates' brims (mm).

    The inlet plane holds the sacral promontory, the top of the pubic symphysis and the
    left-right axis. Both innominates are cut by planes up to ``slab`` mm either side of it;
    for each step along the promontory-symphysis line (u) the nearest bone on either side of
    the midline gives the inlet's half width. Returns the AP diameter (promontory to
    symphysis), the greatest transverse diameter T, the posterior sagittal diameter PS (from
    the promontory to where the inlet is widest) and the width at 3/4 of AP over T.
    """
    from trimesh.intersections import mesh_plane

    prom = np.asarray(p.landmarks["sacral_promontory"], float)
    meshes = p.meshes()
    face = meshes["left_innominate"].vertices[p.joint_surfaces["left_pubic_face"].vertices]
    top = face[np.argmax(face[:, 1])] * [1.0, 1.0, 0.0]
    e_u = (top - prom) * [1.0, 1.0, 0.0]
    e_u /= np.linalg.norm(e_u)
    normal = np.cross([0.0, 0.0, 1.0], e_u)
    points = []
    for body in ("left_innominate", "right_innominate"):
        for offset in np.linspace(-slab, slab, 7):
            seg = mesh_plane(meshes[body], normal, prom + offset * normal)
            t = np.linspace(0.0, 1.0, 4)[:, None, None]
            points.append((seg[:, 0][None] * (1 - t) + seg[:, 1][None] * t).reshape(-1, 3))
    pts = np.vstack(points)
    u, w = (pts - prom) @ e_u, pts[:, 2]
    ap = float(u[np.abs(w) < 10.0].min())  # back of the symphysis on the midline
    centres = np.arange(step / 2, ap, step)
    half = np.array([np.abs(w[np.abs(u - c) < step / 2]).min() for c in centres])
    inside = (centres > 0.1 * ap) & (centres < 0.9 * ap)  # away from the SI joints and symphysis
    widest = half[inside].max()
    ps = float(centres[inside & (half >= widest - 1.5)].mean())
    front = 2 * float(np.interp(0.75 * ap, centres, half))
    return {
        "ap": ap,
        "transverse": 2 * float(widest),
        "posterior_sagittal": ps,
        "front_fraction": float(front / (2 * widest)),
    }


def test_pelvic_inlet_transverse_diameter(pelvis):
    # greatest transverse diameter between the brims, seen along the inlet axis: women
    # 130-135 mm (obstetric references), men narrower; behind the middle of the inlet
    shape = inlet_shape(pelvis)
    assert 118 <= shape["transverse"] <= 145, shape
    assert shape["posterior_sagittal"] <= 0.5 * shape["ap"], shape


def test_acetabulum_diameter(pelvis, meshes):
    left = meshes["left_innominate"]
    hip = pelvis.landmarks["left_hip_centre"]
    r = np.linalg.norm(left.vertices - hip, axis=1)
    socket = left.vertices[(r < 28) & (np.einsum("ij,ij->i", left.vertex_normals, hip - left.vertices) > 0)]
    # least-squares sphere fit of the socket: a femoral head (44-49 mm) with a little clearance
    A = np.column_stack([2 * socket, np.ones(len(socket))])
    f = (socket**2).sum(1)
    c = np.linalg.lstsq(A, f, rcond=None)[0]
    radius = np.sqrt(c[3] + c[:3] @ c[:3])
    head = parameters(pelvis)["femoral_head_mm"]
    assert head <= 2 * radius <= head + 6
    assert np.linalg.norm(c[:3] - hip) < 3


def test_sacrum_size(meshes):
    sac = meshes["sacrum"]
    width = np.ptp(sac.vertices[:, 2])
    assert 90 <= width <= 120  # 95-110


def test_neutral_joint_spaces_measured_independently(pelvis, meshes):
    face = pelvis.joint_surfaces["left_pubic_face"].vertices
    gap = distances(meshes["left_innominate"], face, meshes["right_innominate"]).mean()
    assert 2.6 <= gap <= 6.2  # 2.6-5.9 across studies (Becker 2010)
    assert abs(gap - parameters(pelvis)["pubic_gap_mm"]) < 0.5
    si = pelvis.joint_surfaces["left_si_innominate"].vertices
    space = distances(meshes["left_innominate"], si, meshes["sacrum"]).mean()
    assert 1.8 <= space <= 2.6


def test_joint_surfaces_face_their_partner_and_have_realistic_area(pelvis, meshes):
    for name, partner, area_lo, area_hi, max_gap in (
        # SI: 10-11 cm^2 on dry bone up to ~15 cm^2 on CT (Orthopedics 2003; CT studies)
        ("left_si_innominate", "sacrum", 1000, 1500, 3.0),
        ("left_si_sacrum", "left_innominate", 1000, 1500, 3.0),
        ("right_si_sacrum", "right_innominate", 1000, 1500, 3.0),
        ("left_pubic_face", "right_innominate", 250, 900, parameters(pelvis)["pubic_gap_mm"] + 1.5),
    ):
        surf = pelvis.joint_surfaces[name]
        mesh = meshes[surf.body]
        d = distances(mesh, surf.vertices, meshes[partner])
        assert d.max() < max_gap, name
        inside = np.isin(mesh.faces, surf.vertices).all(axis=1)
        assert area_lo <= mesh.area_faces[inside].sum() <= area_hi, name  # mm^2 (SI 10-15 cm^2)


def test_si_surfaces_are_l_shaped_and_near_sagittal(pelvis, meshes):
    """Auricular surfaces: an "ear"/L outline (it fills far less than its convex hull) on a
    plane 0-40 deg from the sagittal plane, on both bones."""
    from scipy.spatial import ConvexHull

    for name in ("left_si_innominate", "left_si_sacrum", "right_si_sacrum"):
        surf = pelvis.joint_surfaces[name]
        mesh = meshes[surf.body]
        pts = mesh.vertices[surf.vertices]
        centre = pts.mean(axis=0)
        _, _, vt = np.linalg.svd(pts - centre)
        normal = vt[2]
        angle_to_sagittal = np.degrees(np.arccos(min(1.0, abs(normal[2]))))
        assert angle_to_sagittal <= 40, name
        flat = (mesh.vertices - centre) @ vt[:2].T
        faces = mesh.faces[np.isin(mesh.faces, surf.vertices).all(axis=1)]
        e1, e2 = flat[faces[:, 1]] - flat[faces[:, 0]], flat[faces[:, 2]] - flat[faces[:, 0]]
        area = np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]).sum() / 2
        hull = ConvexHull(flat[surf.vertices]).volume
        assert hull > 1.3 * area, name  # a convex patch would fill ~all of its hull


def test_landmarks_lie_on_their_bodies(pelvis, meshes):
    on_surface = ["asis", "psis", "pubic_tubercle", "ischial_spine", "ischial_tuberosity", "iliac_crest_top"]
    for side in ("left", "right"):
        for name in on_surface:
            key = f"{side}_{name}"
            body = pelvis.landmark_bodies[key]
            _, d, _ = trimesh.proximity.closest_point(meshes[body], [pelvis.landmarks[key]])
            assert d[0] < 0.5, key
    for key in ("sacral_promontory", "coccyx_tip"):
        _, d, _ = trimesh.proximity.closest_point(meshes["sacrum"], [pelvis.landmarks[key]])
        assert d[0] < 0.5, key
    # frame: origin at the ASIS midpoint, PSIS midpoint on y = 0, ASIS line along Z
    lm = pelvis.landmarks
    np.testing.assert_allclose((lm["left_asis"] + lm["right_asis"]) / 2, 0, atol=1e-3)
    assert abs((lm["left_psis"] + lm["right_psis"])[1] / 2) < 1e-3
    assert lm["right_asis"][2] > 0 and lm["left_asis"][2] < 0
    assert lm["sacral_promontory"][0] < 0  # sacrum is posterior


def test_landmarks_are_read_only_copies(pelvis):
    a = pelvis.landmarks["left_asis"]
    with pytest.raises(ValueError):
        a[0] = 5


@pytest.mark.parametrize("folder", ["", "female", "male"])
def test_sidecar_holds_units_landmarks_and_joints(folder):
    data = json.loads((builtin_mesh_folder() / folder / "pelvis.json").read_text())
    assert data["units"] == "mm"
    names = {d["name"] for j in data["joints"] for d in j["dofs"]}
    assert {"left_rotation", "right_rotation", "left_tilt", "right_tilt", "nutation"} <= names
    assert {"left_si_innominate", "left_pubic_face", "right_si_sacrum"} <= set(data["joint_surfaces"])
