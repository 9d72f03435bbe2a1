"""The body's pieces as signed-distance fields, contoured into meshes (deterministic).

Built like the pelvis (:mod:`pelvis3d.anatomy.sdf`): round cones and ellipsoids blended with a
smooth minimum, contoured with marching cubes (scikit-image) and lightly smoothed (trimesh).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy.sdf import ellipsoid, round_cone, smooth_subtraction, smooth_union, sphere
from pelvis3d.body.segments import FEMUR_ANTEVERSION_DEG, FEMUR_HEAD_RADIUS_MM, FEMUR_NECK_SHAFT_DEG

__all__ = ["contour", "femur_sdf", "femur_landmarks"]

Field = Callable[[NDArray[np.float64]], NDArray[np.float64]]


def contour(field: Field, lo: NDArray, hi: NDArray, voxel_mm: float) -> tuple[NDArray, NDArray]:
    """``(vertices, faces)`` (mm) of the zero level of ``field`` inside the box ``lo``-``hi``."""
    import trimesh
    from skimage.measure import marching_cubes

    lo = np.asarray(lo, float) - 2 * voxel_mm
    hi = np.asarray(hi, float) + 2 * voxel_mm
    axes = [np.arange(a, b + voxel_mm, voxel_mm) for a, b in zip(lo, hi, strict=True)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    vol = field(grid).reshape(tuple(len(a) for a in axes))
    verts, faces, _, _ = marching_cubes(vol, level=0.0, spacing=(voxel_mm,) * 3)
    mesh = trimesh.Trimesh(verts + lo, faces[:, ::-1], process=True)  # outward normals
    trimesh.smoothing.filter_taubin(mesh, iterations=6)
    return np.asarray(mesh.vertices, float), np.asarray(mesh.faces, np.int64)


def _unit(v: NDArray) -> NDArray:
    return np.asarray(v, float) / np.linalg.norm(v)


def femur_landmarks(side: str, hip: NDArray, knee: NDArray) -> dict[str, NDArray[np.float64]]:
    """Points of a simplified femur (neutral pelvis frame, mm): head centre at ``hip``, neck base,
    greater and lesser trochanter, the condyles about ``knee``.

    The neck meets the shaft at :data:`~pelvis3d.body.segments.FEMUR_NECK_SHAFT_DEG` and points
    :data:`~pelvis3d.body.segments.FEMUR_ANTEVERSION_DEG` forward of the knee's left-right axis.
    """
    hip, knee = np.asarray(hip, float), np.asarray(knee, float)
    lateral = np.array([0.0, 0.0, -1.0 if side == "left" else 1.0])
    anterior = np.array([1.0, 0.0, 0.0])
    neck_len = 52.0  # head centre to the shaft axis, ~50 mm in adults (assumed round figure)
    base = hip + lateral * 40.0 - [0, 30.0, 0]
    for _ in range(4):  # the shaft axis depends on the neck base and vice versa: a few passes
        down = _unit(knee - base)
        medial_perp = _unit(-lateral - down * (-lateral @ down))
        nsa = np.radians(FEMUR_NECK_SHAFT_DEG)
        to_head = np.cos(nsa) * down + np.sin(nsa) * medial_perp  # 125 deg from the shaft, medial
        av = np.radians(FEMUR_ANTEVERSION_DEG)
        to_head = _unit(np.cos(av) * to_head + np.sin(av) * anterior)  # the head points forward
        base = hip - neck_len * to_head
    return {
        "head": hip,
        "neck_base": base,
        "greater_trochanter": base + lateral * 22.0 + down * -14.0 - anterior * 6.0,
        "lesser_trochanter": base + down * 48.0 - lateral * 14.0 - anterior * 12.0,
        "shaft_top": base - down * 10.0,
        "shaft_bottom": knee - down * 70.0,
        "medial_condyle": knee - lateral * 24.0 - anterior * 8.0 + down * 5.0,
        "lateral_condyle": knee + lateral * 24.0 - anterior * 8.0 + down * 5.0,
        "knee": knee,
        "down": down,
    }


def femur_sdf(side: str, hip: NDArray, knee: NDArray) -> Field:
    """Signed distance (mm) to a simplified anatomical femur: head, neck, greater and lesser
    trochanter, shaft, flared metaphysis and two condyles with a notch between them."""
    p = femur_landmarks(side, hip, knee)

    def field(q: NDArray) -> NDArray:
        d = sphere(q, p["head"], FEMUR_HEAD_RADIUS_MM)
        d = smooth_union(d, round_cone(q, p["head"], p["neck_base"], 16.0, 17.0), 6.0)
        d = smooth_union(d, ellipsoid(q, p["greater_trochanter"], (17.0, 24.0, 15.0)), 8.0)
        d = smooth_union(d, sphere(q, p["lesser_trochanter"], 9.0), 6.0)
        d = smooth_union(d, round_cone(q, p["shaft_top"], p["shaft_bottom"], 17.0, 15.0), 10.0)
        d = smooth_union(d, round_cone(q, p["shaft_bottom"], p["knee"] - p["down"] * 25.0, 15.0, 30.0), 10.0)
        for c in ("medial_condyle", "lateral_condyle"):
            d = smooth_union(d, ellipsoid(q, p[c], (30.0, 24.0, 16.0)), 8.0)
        notch = round_cone(q, p["knee"] - [12.0, -8.0, 0.0], p["knee"] - [40.0, -8.0, 0.0], 7.0, 9.0)
        return smooth_subtraction(d, notch, 3.0)

    return field
