"""Exact signed distance from points to a triangle mesh.

The closest point comes from libigl's AABB tree (exact point-to-triangle distances, built
once per mesh). The sign uses angle-weighted pseudo-normals (Bærentzen & Aanæs 2005,
"Signed distance computation using the angle weighted pseudonormal"): the normal of the
face, edge or vertex the closest point lies on, so points beside a sharp edge or corner get
the right side too. Negative = inside the mesh.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["MeshDistance", "signed", "stack_features"]

#: Barycentric weight below which the closest point counts as on an edge / at a vertex.
_ON_BOUNDARY = 1e-9
#: Pseudo-normal row by which barycentric weights (of corners a, b, c: bits 1, 2, 4) are
#: ~zero: none -> the face (0); one -> the edge opposite that corner (edges 1-3: a-b, b-c,
#: c-a); two -> the remaining vertex (4-6: a, b, c).
_NORMAL_ROW = np.array([0, 2, 3, 6, 1, 5, 4, 0])


class MeshDistance:
    """Signed distances from points to one fixed triangle mesh (mm in, mm out).

    Parameters
    ----------
    vertices : (n, 3) array
        Mesh vertices, mm.
    faces : (m, 3) int array
        Triangles, counter-clockwise seen from outside.
    """

    def __init__(self, vertices: NDArray[np.float64], faces: NDArray[np.int64]) -> None:
        import igl

        v = np.ascontiguousarray(vertices, dtype=np.float64)
        f = np.ascontiguousarray(faces, dtype=np.int64)
        v.setflags(write=False)
        f.setflags(write=False)
        self.vertices, self.faces = v, f
        self._tree = igl.AABB()
        self._tree.init(v, f)
        #: (m, 3, 3) per face: corner a, edge vectors b - a and c - a
        #: (m, 4) per face: Gram matrix entries |ab|², ab·ac, |ac|² and 1 / its determinant
        #: (m, 7, 3) per face: unit pseudo-normals of the face, of the edges a-b, b-c, c-a
        #: and of the vertices a, b, c
        self.corner, self.gram, self.normals = _features(v, f)

    def closest(
        self, points: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
        """Unsigned distance (mm), closest face index and closest point for each point."""
        p = np.ascontiguousarray(points, dtype=np.float64)
        squared, face, closest = self._tree.squared_distance(self.vertices, self.faces, p)
        return np.sqrt(squared), face, closest

    def query(self, points: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
        """Signed distance (mm; negative inside), closest face and closest point for each point.

        Parameters
        ----------
        points : (k, 3) array
            Query points, mm, in the mesh's coordinates.

        Returns
        -------
        distance : (k,) array
        face : (k,) int array
        closest : (k, 3) array
        """
        dist, face, closest = self.closest(points)
        return signed(points, dist, closest, face, self.corner, self.gram, self.normals), face, closest


def signed(
    points: NDArray[np.float64],
    distance: NDArray[np.float64],
    closest: NDArray[np.float64],
    face: NDArray[np.int64],
    corner: NDArray[np.float64],
    gram: NDArray[np.float64],
    normals: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Give each distance the sign of the pseudo-normal at its closest point.

    ``corner``, ``gram`` and ``normals`` are the per-face tables of :class:`MeshDistance`
    (or several stacked by :func:`stack_features`); ``face`` indexes them.
    """
    if len(points) == 0:
        return np.asarray(distance, dtype=np.float64)
    offset = points - closest
    height = np.einsum("ij,ij->i", offset, normals[face, 0])
    # Most points lie straight above their closest face (the offset is along the face normal):
    # the face normal gives the side. The others are closest to an edge or a corner.
    side = np.nonzero(np.abs(height) < (1.0 - 1e-9) * distance)[0]
    if len(side):
        f = face[side]
        geo = corner[f]
        g = gram[f]
        aq = closest[side] - geo[:, 0]
        d20 = np.einsum("ij,ij->i", aq, geo[:, 1])
        d21 = np.einsum("ij,ij->i", aq, geo[:, 2])
        # barycentric weights of the closest point (a degenerate face has 1 / det = 0: corner a)
        wb = (g[:, 2] * d20 - g[:, 1] * d21) * g[:, 3]
        wc = (g[:, 0] * d21 - g[:, 1] * d20) * g[:, 3]
        code = (1.0 - wb - wc <= _ON_BOUNDARY) + 2 * (wb <= _ON_BOUNDARY) + 4 * (wc <= _ON_BOUNDARY)
        height[side] = np.einsum("ij,ij->i", offset[side], normals[f, _NORMAL_ROW[code]])
    return np.where(height < 0.0, -distance, distance)


def stack_features(
    meshes: Sequence[MeshDistance],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], list[int]]:
    """The per-face tables of several meshes one after another, and each mesh's face offset."""
    offsets = np.cumsum([0] + [len(m.faces) for m in meshes])[:-1]
    return (
        np.concatenate([m.corner for m in meshes]),
        np.concatenate([m.gram for m in meshes]),
        np.concatenate([m.normals for m in meshes]),
        [int(o) for o in offsets],
    )


def _features(
    v: NDArray[np.float64], f: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    def unit(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-300)

    tri = v[f]
    ab, ac = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    corner = np.stack([tri[:, 0], ab, ac], axis=1)
    d00, d01, d11 = (np.einsum("ij,ij->i", x, y) for x, y in ((ab, ab), (ab, ac), (ac, ac)))
    det = d00 * d11 - d01 * d01
    scale = np.maximum(d00 * d11, 1e-300)
    inv_det = np.divide(1.0, det, out=np.zeros_like(det), where=det > 1e-12 * scale)
    gram = np.stack([d00, d01, d11, inv_det], axis=1)
    face_normals = unit(np.cross(ab, ac))
    # vertex pseudo-normals: face normals weighted by the face's angle at the vertex
    vertex_sum = np.zeros_like(v)
    for k in range(3):
        e1 = unit(tri[:, (k + 1) % 3] - tri[:, k])
        e2 = unit(tri[:, (k + 2) % 3] - tri[:, k])
        angle = np.arccos(np.clip(np.einsum("ij,ij->i", e1, e2), -1.0, 1.0))
        np.add.at(vertex_sum, f[:, k], face_normals * angle[:, None])
    # edge pseudo-normals: the sum of the faces sharing the edge (local edge k: corner k to k+1)
    edges = np.sort(np.stack([f, np.roll(f, -1, axis=1)], axis=2).reshape(-1, 2), axis=1)
    _, edge_id = np.unique(edges[:, 0] * len(v) + edges[:, 1], return_inverse=True)  # one key per edge
    edge_id = edge_id.reshape(-1)
    edge_sum = np.zeros((int(edge_id.max()) + 1 if len(edge_id) else 0, 3))
    np.add.at(edge_sum, edge_id, np.repeat(face_normals, 3, axis=0))
    normals = np.empty((len(f), 7, 3))
    normals[:, 0] = face_normals
    normals[:, 1:4] = unit(edge_sum[edge_id].reshape(len(f), 3, 3))
    normals[:, 4:7] = unit(vertex_sum)[f]
    return corner, gram, normals
