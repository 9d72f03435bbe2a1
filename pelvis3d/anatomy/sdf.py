"""Vectorised signed-distance primitives used by the anatomy generator.

All functions take points ``p`` of shape ``(N, 3)`` in millimetres and return
signed distances of shape ``(N,)`` (negative inside). The formulas follow
Inigo Quilez's well-known distance functions; smooth blends use the polynomial
smooth minimum so that joined parts read as one organic bone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def dot_rows(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.einsum("ij,ij->i", a, b)


def sphere(p: FloatArray, center: ArrayLike, radius: float) -> FloatArray:
    """Signed distance to a sphere."""
    return np.linalg.norm(p - np.asarray(center, float), axis=1) - radius


def round_cone(p: FloatArray, a: ArrayLike, b: ArrayLike, ra: float, rb: float) -> FloatArray:
    """Exact signed distance to a capsule whose radius goes from ``ra`` at ``a`` to ``rb`` at ``b``."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    ba = b - a
    l2 = float(ba @ ba)
    rr = ra - rb
    a2 = l2 - rr * rr
    il2 = 1.0 / l2
    pa = p - a
    y = pa @ ba
    z = y - l2
    q = pa * l2 - np.outer(y, ba)
    x2 = dot_rows(q, q)
    y2 = y * y * l2
    z2 = z * z * l2
    k = np.sign(rr) * rr * rr * x2
    d_b = np.sqrt(x2 + z2) * il2 - rb
    d_a = np.sqrt(x2 + y2) * il2 - ra
    d_side = (np.sqrt(np.maximum(x2 * a2 * il2, 0.0)) + y * rr) * il2 - ra
    return np.where(np.sign(z) * a2 * z2 > k, d_b, np.where(np.sign(y) * a2 * y2 < k, d_a, d_side))


def ellipsoid(p: FloatArray, center: ArrayLike, radii: ArrayLike, rotation: ArrayLike | None = None) -> FloatArray:
    """Approximate signed distance to an ellipsoid (exact on the surface, a bound elsewhere).

    ``rotation`` is a (3, 3) matrix whose columns are the ellipsoid axes in the
    pelvis frame; ``radii`` are the semi-axes along those columns.
    """
    local = p - np.asarray(center, float)
    if rotation is not None:
        local = local @ np.asarray(rotation, float)
    r = np.asarray(radii, float)
    k0 = np.linalg.norm(local / r, axis=1)
    k1 = np.linalg.norm(local / (r * r), axis=1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-12)


def triangle_unsigned(p: FloatArray, a: ArrayLike, b: ArrayLike, c: ArrayLike) -> FloatArray:
    """Unsigned distance to a triangle."""
    a, b, c = (np.asarray(v, float) for v in (a, b, c))
    ba, pa = b - a, p - a
    cb, pb = c - b, p - b
    ac, pc = a - c, p - c
    nor = np.cross(ba, ac)
    inside = (
        np.sign(dot_rows(np.broadcast_to(np.cross(ba, nor), pa.shape), pa))
        + np.sign(dot_rows(np.broadcast_to(np.cross(cb, nor), pb.shape), pb))
        + np.sign(dot_rows(np.broadcast_to(np.cross(ac, nor), pc.shape), pc))
    ) >= 2.0

    def seg(v: FloatArray, pv: FloatArray) -> FloatArray:
        t = np.clip((pv @ v) / (v @ v), 0.0, 1.0)
        d = np.outer(t, v) - pv
        return dot_rows(d, d)

    edge = np.minimum(np.minimum(seg(ba, pa), seg(cb, pb)), seg(ac, pc))
    plane = (pa @ nor) ** 2 / (nor @ nor)
    return np.sqrt(np.where(inside, plane, edge))


def smooth_union(a: FloatArray, b: FloatArray, k: float) -> FloatArray:
    """Polynomial smooth minimum of two distance fields; ``k`` is the blend width in mm."""
    if k <= 0:
        return np.minimum(a, b)
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b + (a - b) * h - k * h * (1.0 - h)


def smooth_intersection(a: FloatArray, b: FloatArray, k: float) -> FloatArray:
    """Polynomial smooth maximum of two distance fields."""
    return -smooth_union(-a, -b, k)


def smooth_subtraction(a: FloatArray, b: FloatArray, k: float) -> FloatArray:
    """Remove the solid ``b`` from ``a`` with a rounded edge of width ``k``."""
    return smooth_intersection(a, -b, k)


def flat_bar(
    p: FloatArray, a: ArrayLike, b: ArrayLike, half_width: float, half_thickness: float, thin_axis: ArrayLike
) -> FloatArray:
    """Approximate signed distance to a flat bar: a capsule from ``a`` to ``b`` with an elliptic
    cross-section, ``half_thickness`` along ``thin_axis`` and ``half_width`` across it (mm).

    Exact on the surface's axes and a close bound elsewhere (the ellipse's scaled-radius
    approximation), which is all marching cubes needs.
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    ab = b - a
    t = np.clip(((p - a) @ ab) / (ab @ ab), 0.0, 1.0)
    r = p - (a + t[:, None] * ab)
    axis = np.asarray(thin_axis, float)
    axis = axis - (axis @ ab) / (ab @ ab) * ab  # the thin direction, across the bar
    axis /= np.linalg.norm(axis)
    thin = r @ axis
    wide = np.linalg.norm(r - np.outer(thin, axis), axis=1)
    scaled = np.sqrt((thin / half_thickness) ** 2 + (wide / half_width) ** 2)
    return (scaled - 1.0) * min(half_width, half_thickness)
