"""Evaluating signed-distance primitives on large point sets, culled to their bounding boxes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from pelvis3d.anatomy import sdf
from pelvis3d.anatomy.sdf import FloatArray

__all__ = ["FAR", "CulledField", "BoxIndex", "left_points", "sheet_distance"]

FAR = 1.0e3  # distance used where a primitive is culled (mm)


def left_points(points: Sequence[Sequence[float]] | FloatArray) -> FloatArray:
    """Convert (x, y, lateral) rows to left-side pelvis-frame points (z = -lateral)."""
    q = np.array(points, float).reshape(-1, 3).copy()
    q[:, 2] *= -1
    return q


class BoxIndex:
    """Indices of the points inside an axis-aligned box, found through a grid of buckets.

    Testing every point against every primitive's box dominated generation time. Points are
    sorted into cubic buckets (``cell`` mm); a box query gathers the buckets it overlaps (each
    row of buckets along z is one contiguous run of the sort) and tests only their points. The
    indices come out in ascending order, so results are identical to a full boolean mask.
    """

    def __init__(self, points: FloatArray, cell: float = 8.0) -> None:
        self.p = points
        self.cell = cell
        self.origin = points.min(axis=0)
        ijk = np.floor((points - self.origin) / cell).astype(np.int64)
        self.dims = ijk.max(axis=0) + 1
        keys = (ijk[:, 0] * self.dims[1] + ijk[:, 1]) * self.dims[2] + ijk[:, 2]
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def inside(self, lo: FloatArray, hi: FloatArray) -> np.ndarray:
        """Ascending indices of the points with ``lo <= p <= hi`` (componentwise)."""
        a = np.clip(np.floor((lo - self.origin) / self.cell).astype(np.int64), 0, self.dims - 1)
        b = np.clip(np.floor((hi - self.origin) / self.cell).astype(np.int64), 0, self.dims - 1)
        i, j = np.meshgrid(np.arange(a[0], b[0] + 1), np.arange(a[1], b[1] + 1), indexing="ij")
        row = (i.ravel() * self.dims[1] + j.ravel()) * self.dims[2]
        starts = np.searchsorted(self.keys, row + a[2], side="left")
        stops = np.searchsorted(self.keys, row + b[2], side="right")
        runs = [self.order[s:e] for s, e in zip(starts, stops, strict=True) if e > s]
        if not runs:
            return np.empty(0, np.int64)
        candidates = np.concatenate(runs)
        q = self.p[candidates]
        return np.sort(candidates[np.all((q >= lo) & (q <= hi), axis=1)])


class CulledField:
    """Evaluate primitives at ``points`` only inside their bounding boxes (elsewhere ``FAR``).

    Parameters
    ----------
    points : (N, 3) array, mm
    margin : float
        Extra room around each primitive's box (mm), wider than any blend radius.
    """

    def __init__(self, points: FloatArray, margin: float = 14.0) -> None:
        self.p = points
        self.margin = margin
        self.index = BoxIndex(points)

    def eval(self, fn: Callable[[FloatArray], FloatArray], lo: Sequence[float], hi: Sequence[float]) -> FloatArray:
        lo_a = np.asarray(lo, float) - self.margin
        hi_a = np.asarray(hi, float) + self.margin
        inside = self.index.inside(lo_a, hi_a)
        out = np.full(len(self.p), FAR)
        if len(inside):
            out[inside] = fn(self.p[inside])
        return out

    def cone(self, a: Sequence[float], b: Sequence[float], ra: float, rb: float) -> FloatArray:
        a_, b_ = np.asarray(a, float), np.asarray(b, float)
        r = max(ra, rb)
        return self.eval(lambda q: sdf.round_cone(q, a_, b_, ra, rb), np.minimum(a_, b_) - r, np.maximum(a_, b_) + r)

    def bar(
        self,
        a: Sequence[float],
        b: Sequence[float],
        half_width: float,
        half_thickness: float,
        thin_axis: Sequence[float],
    ) -> FloatArray:
        a_, b_ = np.asarray(a, float), np.asarray(b, float)
        r = max(half_width, half_thickness)
        return self.eval(
            lambda q: sdf.flat_bar(q, a_, b_, half_width, half_thickness, thin_axis),
            np.minimum(a_, b_) - r,
            np.maximum(a_, b_) + r,
        )

    def ellipsoid(self, c: Sequence[float], radii: Sequence[float], rotation: FloatArray | None = None) -> FloatArray:
        c_ = np.asarray(c, float)
        r = max(radii)
        return self.eval(lambda q: sdf.ellipsoid(q, c_, radii, rotation), c_ - r, c_ + r)

    def sphere(self, c: Sequence[float], radius: float) -> FloatArray:
        c_ = np.asarray(c, float)
        return self.eval(lambda q: sdf.sphere(q, c_, radius), c_ - radius, c_ + radius)

    def chain(self, pts: Sequence[Sequence[float]], radii: Sequence[float], k: float) -> FloatArray:
        out = np.full(len(self.p), FAR)
        for i in range(len(pts) - 1):
            out = sdf.smooth_union(out, self.cone(pts[i], pts[i + 1], radii[i], radii[i + 1]), k)
        return out


def sheet_distance(p: FloatArray, grid: FloatArray, half_thickness: FloatArray) -> FloatArray:
    """Distance (mm) to a thickened sheet given as a (n_u, n_v, 3) grid of points."""
    out = np.full(len(p), FAR)
    index = BoxIndex(p)
    n_u, n_v = grid.shape[:2]
    for i in range(n_u - 1):
        for j in range(n_v - 1):
            a, b, c, d = grid[i, j], grid[i + 1, j], grid[i + 1, j + 1], grid[i, j + 1]
            thick = float(np.mean(half_thickness[i : i + 2, j : j + 2]))
            for tri in ((a, b, c), (a, c, d)):
                if np.linalg.norm(np.cross(tri[1] - tri[0], tri[2] - tri[0])) < 1e-6:
                    continue  # degenerate where the border curves meet
                lo = np.min(tri, axis=0) - thick - 2.0
                hi = np.max(tri, axis=0) + thick + 2.0
                inside = index.inside(lo, hi)
                if len(inside):
                    dist = sdf.triangle_unsigned(p[inside], *tri) - thick
                    out[inside] = np.minimum(out[inside], dist)
    return out
