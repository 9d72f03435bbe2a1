"""The exact signed point-to-mesh distance under the joint metrics, checked against closed
forms (a box) and an independent inside/outside test (trimesh's ray-based ``contains``)."""

from __future__ import annotations

import numpy as np
import trimesh

from pelvis3d.distance import MeshDistance, signed


def _box_signed_distance(p: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Closed-form signed distance to an axis-aligned box centred at the origin."""
    q = np.abs(p) - half
    outside = np.linalg.norm(np.maximum(q, 0.0), axis=1)
    inside = np.minimum(q.max(axis=1), 0.0)
    return outside + inside


def test_box_distances_match_the_closed_form_at_faces_edges_and_corners():
    box = trimesh.creation.box(extents=(20.0, 10.0, 6.0))
    rng = np.random.default_rng(3)
    # points all round the box, many closest to an edge or a corner, some inside
    points = rng.uniform(-16.0, 16.0, size=(4000, 3))
    distance, face, closest = MeshDistance(box.vertices, box.faces).query(points)
    expected = _box_signed_distance(points, np.array([10.0, 5.0, 3.0]))
    assert np.abs(distance - expected).max() < 1e-9
    assert np.allclose(np.linalg.norm(points - closest, axis=1), np.abs(expected))
    assert (np.sign(distance) == np.sign(expected)).all()
    # the reported face is one the closest point lies on
    tri = box.triangles[face]
    assert np.abs(np.einsum("ij,ij->i", closest - tri[:, 0], box.face_normals[face])).max() < 1e-9


def test_sign_beside_sharp_edges_agrees_with_an_inside_test():
    # a thin wedge: points beside its sharp ridge are closest to an edge whose faces' normals
    # point almost opposite ways; a single face normal there can give the wrong side
    section = np.array([[0.0, 0.0], [40.0, 3.0], [40.0, -3.0]])
    wedge = trimesh.convex.convex_hull(np.vstack([np.column_stack([section, np.full(3, z)]) for z in (0.0, 10.0)]))
    assert wedge.is_watertight and wedge.volume > 0
    rng = np.random.default_rng(5)
    points = np.column_stack(
        [rng.uniform(-6.0, 46.0, 3000), rng.uniform(-8.0, 8.0, 3000), rng.uniform(-4.0, 14.0, 3000)]
    )
    distance, _, _ = MeshDistance(wedge.vertices, wedge.faces).query(points)
    expected = np.abs(trimesh.proximity.closest_point(wedge, points)[1])
    assert np.abs(np.abs(distance) - expected).max() < 1e-9
    clear = expected > 1e-6  # points on the surface have no side
    inside = wedge.contains(points)
    assert ((distance < 0) == inside)[clear].all()
    # and the ones that matter most: beside the ridge, each just inside the region where the
    # ridge (not a face) is closest, leaning towards one face's normal; against the other
    # face's normal these points would read as inside
    upper, lower = np.array([-3.0, 40.0, 0.0]), np.array([-3.0, -40.0, 0.0])
    upper, lower = upper / np.linalg.norm(upper), lower / np.linalg.norm(lower)
    ridge = np.column_stack([np.zeros(20), np.zeros(20), np.linspace(1.0, 9.0, 20)])
    beside = np.vstack(
        [ridge + r * (0.98 * n + 0.02 * m) for r in (0.5, 2.0) for n, m in ((upper, lower), (lower, upper))]
    )
    mesh = MeshDistance(wedge.vertices, wedge.faces)
    distance, _, closest = mesh.query(beside)
    assert np.allclose(closest[:, :2], 0.0)  # the ridge is the closest feature
    assert (distance > 0).all()
    # whichever face along the ridge the tree reports (a tie), the side is the same
    on_ridge = np.isclose(wedge.vertices[:, :2], 0.0).all(axis=1)
    ridge_faces = np.nonzero(on_ridge[wedge.faces].sum(axis=1) == 2)[0]
    assert len(ridge_faces) >= 2
    for face in ridge_faces:
        tri = wedge.vertices[wedge.faces[face]]
        reaches = np.isclose(tri[:, 2].min(), 0.0) and np.isclose(tri[:, 2].max(), 10.0)
        if not reaches:
            continue
        forced = signed(
            beside, np.abs(distance), closest, np.full(len(beside), face), mesh.corner, mesh.gram, mesh.normals
        )
        assert (forced > 0).all(), face


def test_empty_queries_and_degenerate_faces():
    v = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [2, 0, 0]])
    f = np.array([[0, 1, 2], [0, 1, 3]])  # the second face has no area
    mesh = MeshDistance(v, f)
    d, face, closest = mesh.query(np.empty((0, 3)))
    assert d.shape == (0,) and face.shape == (0,) and closest.shape == (0, 3)
    d, _, _ = mesh.query(np.array([[0.2, 0.2, 1.5], [0.2, 0.2, -1.5], [3.0, 0.0, 0.0]]))
    assert np.allclose(d, [1.5, -1.5, 1.0])
