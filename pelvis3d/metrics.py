"""Joint metrics measured on the posed geometry.

Every number is a distance between posed bone surfaces (mm), computed as exact
point-to-triangle distances from each joint-surface vertex to the partner bone's mesh:

* **SI joint space** (per side): at each vertex of the innominate's auricular surface,
  the signed distance to the sacrum (negative = the bones would overlap). ``si_space_mm``
  is the mean, ``si_min_space_mm`` the minimum, ``si_anterior_space_mm`` /
  ``si_posterior_space_mm`` the means over the anterior / posterior half of the surface
  (split at the median X of its vertices at neutral).
* **Pubic gap**: the mean over both symphyseal faces of the distance from each face vertex
  to the opposite innominate. ``pubic_shear_mm`` is the vertical (Y) offset of the left
  symphyseal face centre above the right one.
* **Inter-ASIS / inter-PSIS**: distances between the posed landmarks.

``*_change_mm`` values are differences from the neutral pose. A contact flag is raised
when any vertex of a joint surface reaches zero distance or below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import Anatomy

__all__ = ["JointMetrics", "JointSpaceCalculator", "LazyFields", "closest_points_on_triangles", "SIDES"]

SIDES = ("left", "right")
#: Nearest partner vertices whose surrounding triangles are searched for the closest point.
_NEAREST_VERTICES = 5
#: Longest triangle edge in the distance queries' copy of each partner mesh (mm).
_MAX_EDGE_MM = 2.5


def closest_points_on_triangles(
    p: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64], c: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Closest point on triangle ``(a[i], b[i], c[i])`` to ``p[i]`` (all arrays ``(N, 3)``, mm).

    Vectorised form of Ericson's region test (Real-Time Collision Detection, 5.1.5): the
    region of each point picks barycentric weights, and the point is formed once.
    """
    ab, ac, ap = b - a, c - a, p - a
    d1 = np.einsum("ij,ij->i", ab, ap)
    d2 = np.einsum("ij,ij->i", ac, ap)
    ab_ab = np.einsum("ij,ij->i", ab, ab)
    ab_ac = np.einsum("ij,ij->i", ab, ac)
    ac_ac = np.einsum("ij,ij->i", ac, ac)
    # the dot products at b and c follow from those at a (bp = ap - ab, cp = ap - ac)
    d3, d4 = d1 - ab_ab, d2 - ab_ac
    d5, d6 = d1 - ab_ac, d2 - ac_ac
    va = d3 * d6 - d5 * d4
    vb = d5 * d2 - d1 * d6
    vc = d1 * d4 - d3 * d2
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = va + vb + vc
        t_bc = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        conditions = [
            (d1 <= 0) & (d2 <= 0),  # vertex a
            (d3 >= 0) & (d4 <= d3),  # vertex b
            (vc <= 0) & (d1 >= 0) & (d3 <= 0),  # edge ab
            (d6 >= 0) & (d5 <= d6),  # vertex c
            (vb <= 0) & (d2 >= 0) & (d6 <= 0),  # edge ac
            (va <= 0) & (d4 - d3 >= 0) & (d5 - d6 >= 0),  # edge bc
        ]
        v = np.select(conditions, [0.0, 1.0, d1 / (d1 - d3), 0.0, 0.0, 1.0 - t_bc], vb / denom)
        w = np.select(conditions, [0.0, 0.0, 0.0, 1.0, d2 / (d2 - d6), t_bc], vc / denom)
    v = np.nan_to_num(v, copy=False)
    w = np.nan_to_num(w, copy=False)
    return a + ab * v[:, None] + ac * w[:, None]


@dataclass(frozen=True)
class _Query:
    surface: str
    source: str
    target: str
    points: NDArray[np.float64]  # (n, 3) neutral coordinates of the surface vertices


class JointSpaceCalculator:
    """Signed surface-to-surface distances for every joint surface of an anatomy.

    Built once per anatomy. Per frame, each joint-surface vertex is mapped into its partner
    bone's neutral frame, its nearest partner vertex is found with a KD-tree, and the exact
    closest point on the triangles around that vertex gives the distance. All surfaces are
    evaluated in one vectorised pass.
    """

    def __init__(self, anatomy: Anatomy) -> None:
        from scipy.spatial import cKDTree

        self.queries: dict[str, _Query] = {}
        targets: list[str] = []
        for name, surf in anatomy.joint_surfaces.items():
            target = _partner(name, surf.body)
            if target is None:
                continue
            self.queries[name] = _Query(name, surf.body, target, np.asarray(anatomy.vertices[surf.body])[surf.vertices])
            if target not in targets:
                targets.append(target)
        self._trees: dict[str, Any] = {}
        self._nearest: dict[str, int] = {}
        self._vertex_faces: dict[str, NDArray[np.int64]] = {}
        corners, offset = [], 0
        for target in targets:
            # Split long edges: the surface (a piecewise-linear set of points) is unchanged,
            # but a fine, even triangulation keeps the closest triangle among those around the
            # nearest vertices even where a decimated mesh has long thin triangles.
            v0, f0 = np.asarray(anatomy.vertices[target]), np.asarray(anatomy.faces[target])
            v, f = _subdivide_to_size(v0, f0, _MAX_EDGE_MM)
            self._trees[target] = cKDTree(v)
            # An even mesh (marching cubes: longest edge < 2.5x the median) keeps the closest
            # triangle among those around its two nearest vertices; a decimated one, split into
            # slivers, needs more rings (checked against trimesh over random poses: exact).
            e0 = np.linalg.norm(v0[f0[:, 0]] - v0[f0[:, 1]], axis=1)
            self._nearest[target] = 2 if e0.max() < 2.5 * np.median(e0) else _NEAREST_VERTICES
            # faces around each vertex, padded by repeating the first one
            order = np.argsort(f.ravel(), kind="stable")
            owner = f.ravel()[order]
            counts = np.bincount(owner, minlength=len(v))
            width = int(counts.max())
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            col = np.arange(len(owner)) - np.repeat(starts, counts)
            table = np.empty((len(v), width), dtype=np.int64)
            table[:] = (order // 3)[starts][:, None]
            table[owner, col] = order // 3
            self._vertex_faces[target] = table + offset
            corners.append(v[f])
            offset += len(f)
        width = max((t.shape[1] for t in self._vertex_faces.values()), default=0)
        for target, table in self._vertex_faces.items():  # one width for all: no padding per frame
            self._vertex_faces[target] = np.pad(table, ((0, 0), (0, width - table.shape[1])), mode="edge")
        tri = np.concatenate(corners) if corners else np.empty((0, 3, 3))
        self._a, self._b, self._c = tri[:, 0].copy(), tri[:, 1].copy(), tri[:, 2].copy()
        normals = np.cross(self._b - self._a, self._c - self._a)
        self._normals = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-300)
        # corners and normal of each triangle side by side: one gather per frame, not four
        self._packed = np.ascontiguousarray(np.hstack([self._a, self._b, self._c, self._normals]))

    def fields(
        self, transforms: Mapping[str, NDArray[np.float64]], surfaces: Sequence[str] | None = None
    ) -> dict[str, NDArray[np.float64]]:
        """Signed distance (mm) at every vertex of the joint surfaces, bodies posed by ``transforms``.

        Parameters
        ----------
        transforms : mapping of str to (4, 4) array
            ``T_pelvis_body`` for each body.
        surfaces : sequence of str, optional
            Which joint surfaces to evaluate (default: all).
        """
        return self.fields_many([transforms], surfaces)[0]

    def fields_many(
        self, poses: Sequence[Mapping[str, NDArray[np.float64]]], surfaces: Sequence[str] | None = None
    ) -> list[dict[str, NDArray[np.float64]]]:
        """:meth:`fields` for several sets of transforms in one vectorised pass (e.g. the true
        and the shown pose of a frame)."""
        names = list(self.queries) if surfaces is None else list(surfaces)
        if not names:
            return [{} for _ in poses]
        # points of every surface in its partner's neutral frame, grouped by partner so each
        # partner's KD-tree is queried once for all poses
        by_target: dict[str, list[tuple[int, str, NDArray[np.float64]]]] = {}
        for i, transforms in enumerate(poses):
            for name in names:
                q = self.queries[name]
                m = np.linalg.solve(transforms[q.target], transforms[q.source])
                by_target.setdefault(q.target, []).append((i, name, q.points @ m[:3, :3].T + m[:3, 3]))
        order, points, candidates = [], [], []
        for target, items in by_target.items():
            pts = np.concatenate([p for _, _, p in items])
            _, nearest = self._trees[target].query(pts, k=self._nearest[target])
            points.append(pts)
            candidates.append(self._vertex_faces[target][nearest].reshape(len(pts), -1))
            order.extend((i, name, len(p)) for i, name, p in items)
        width = max(c.shape[1] for c in candidates)
        cand = np.concatenate(
            [
                c if c.shape[1] == width else np.pad(c, ((0, 0), (0, width - c.shape[1])), mode="edge")
                for c in candidates
            ]
        )
        # each candidate triangle once per point: sort the row, keep first occurrences
        cand.sort(axis=1)
        keep = np.ones(cand.shape, dtype=bool)
        keep[:, 1:] = cand[:, 1:] != cand[:, :-1]
        counts = keep.sum(axis=1)
        idx = cand[keep]
        p = np.repeat(np.concatenate(points), counts, axis=0)
        tri = self._packed[idx]
        closest = closest_points_on_triangles(p, tri[:, 0:3], tri[:, 3:6], tri[:, 6:9])
        diff = p - closest
        dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        negative = np.einsum("ij,ij->i", diff, tri[:, 9:12]) < 0.0
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        best = np.minimum.reduceat(dist, starts)
        is_best = dist <= np.repeat(best, counts)
        inside = np.logical_or.reduceat(is_best & negative, starts)
        signed = np.where(inside, -best, best)
        out: list[dict[str, NDArray[np.float64]]] = [{} for _ in poses]
        start = 0
        for i, name, n in order:
            out[i][name] = signed[start : start + n]
            start += n
        return [{name: o[name] for name in names} for o in out]


class LazyFields(Mapping):
    """Joint-space fields by surface name; surfaces not needed for the scalar metrics are
    computed on first access (mm, one value per joint-surface vertex)."""

    def __init__(self, computed: dict[str, NDArray[np.float64]], compute: Any, names: Sequence[str]) -> None:
        self._data = computed
        self._compute = compute
        self._names = list(names)

    def __getitem__(self, key: str) -> NDArray[np.float64]:
        if key not in self._data:
            if key not in self._names:
                from pelvis3d.errors import UnknownNameError

                raise UnknownNameError(f"unknown joint surface {key!r}; allowed: {', '.join(self._names)}")
            missing = [n for n in self._names if n not in self._data]
            for name, arr in self._compute(missing).items():
                arr.setflags(write=False)
                self._data[name] = arr
        return self._data[key]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _subdivide_to_size(vertices: NDArray[np.float64], faces: NDArray[np.int64], max_edge: float):
    """Midpoint-split triangles until no edge is longer than ``max_edge`` (same surface)."""
    from trimesh.remesh import subdivide_to_size

    v, f = subdivide_to_size(vertices, faces, max_edge=max_edge, max_iter=20)
    return np.asarray(v, float), np.asarray(f, np.int64)


def _partner(surface: str, body: str) -> str | None:
    """The bone a joint surface faces (None for surfaces that are not part of a joint pair)."""
    if "_si_" in surface:
        side = surface.split("_", 1)[0]
        return "sacrum" if body.endswith("innominate") else f"{side}_innominate"
    if surface.endswith("pubic_face"):
        return "right_innominate" if body == "left_innominate" else "left_innominate"
    return None


@dataclass(frozen=True)
class JointMetrics:
    """Joint spaces and landmark distances of one posed pelvis. Millimetres throughout.

    Per-side values are dicts keyed ``"left"`` and ``"right"``. See the module docstring for
    how each number is measured.
    """

    pubic_gap_mm: float
    pubic_gap_change_mm: float
    pubic_min_gap_mm: float
    pubic_shear_mm: float
    pubic_contact: bool
    si_space_mm: dict[str, float]
    si_min_space_mm: dict[str, float]
    si_anterior_space_mm: dict[str, float]
    si_posterior_space_mm: dict[str, float]
    si_space_change_mm: dict[str, float]
    si_anterior_change_mm: dict[str, float]
    si_posterior_change_mm: dict[str, float]
    si_contact: dict[str, bool]
    inter_asis_mm: float
    inter_asis_change_mm: float
    inter_psis_mm: float
    inter_psis_change_mm: float
    fields: Mapping[str, NDArray[np.float64]] = field(repr=False, compare=False)

    @property
    def contact(self) -> bool:
        """True when any joint surface touches its partner (the shown bones would overlap)."""
        return self.pubic_contact or any(self.si_contact.values())

    def as_dict(self) -> dict[str, float | bool]:
        """Flat ``{name: value}`` of the scalar metrics (per-side names end ``_left`` / ``_right``)."""
        out: dict[str, float | bool] = {}
        for key, value in self.__dict__.items():
            if key == "fields":
                continue
            if isinstance(value, dict):
                for side in SIDES:
                    base = key[:-3] if key.endswith("_mm") else key
                    suffix = "_mm" if key.endswith("_mm") else ""
                    out[f"{base}_{side}{suffix}"] = value[side]
            else:
                out[key] = value
        return out
