"""Deterministic generator of the built-in simplified adult pelvis.

The three bones are signed-distance solids built from capsules, ellipsoids and
curved plates joined with smooth unions, contoured with marching cubes and
lightly Taubin-smoothed. Joint spaces are made exact by construction: the
innominate is carved by the sacrum dilated by the SI joint space, and the
pubic body by the mid-sagittal plane offset by half the symphysis width, so
the facing surfaces are congruent at neutral.

Run ``python -m pelvis3d.anatomy.generate`` to rebuild ``meshes/``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from pelvis3d.anatomy import sdf
from pelvis3d.anatomy.derive import derive_joint_surfaces
from pelvis3d.anatomy.joints import default_joints
from pelvis3d.anatomy.sdf import FloatArray

__all__ = ["AnatomyParameters", "generate", "write_meshes", "main"]

FAR = 1.0e3  # distance used where a primitive is culled (mm)


@dataclass(frozen=True)
class AnatomyParameters:
    """Named parameters of the built-in pelvis (millimetres).

    Parameters
    ----------
    inter_asis_mm : float
        Distance between the two anterior superior iliac spines; the whole
        shape scales with it (published adult mean ~225 mm).
    si_joint_space_mm : float
        Neutral sacroiliac joint space (CT: ~1.9-2.3 mm).
    pubic_gap_mm : float
        Neutral pubic symphysis width (2.6-5.9 mm across studies).
    voxel_mm : float
        Marching-cubes grid spacing. Smaller is finer: 1.6 gives ~50k
        triangles for the three bones, 1.0 about 2.5x as many.
    smoothing_iterations : int
        Taubin smoothing passes after contouring.
    """

    inter_asis_mm: float = 225.0
    si_joint_space_mm: float = 2.0
    pubic_gap_mm: float = 4.5
    voxel_mm: float = 1.6
    smoothing_iterations: int = 12
    sacrum_voxel_mm: float = 2.0
    innominate_triangles: int = 19500

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first parameter outside its allowed range."""
        ranges = {
            "inter_asis_mm": (150.0, 320.0),
            "si_joint_space_mm": (0.5, 6.0),
            "pubic_gap_mm": (1.0, 12.0),
            "voxel_mm": (0.5, 4.0),
            "smoothing_iterations": (0, 100),
            "sacrum_voxel_mm": (0.5, 4.0),
            "innominate_triangles": (0, 2_000_000),
        }
        for name, (lo, hi) in ranges.items():
            value = getattr(self, name)
            if not np.isfinite(value) or not lo <= value <= hi:
                raise ValueError(f"anatomy parameter {name}={value!r} is outside the allowed range [{lo}, {hi}]")


def _L(x: float, y: float, lateral: float) -> FloatArray:
    """A point on the left side: ``lateral`` mm from the midline (z = -lateral)."""
    return np.array([x, y, -lateral], float)


# --------------------------------------------------------------------------------------
# Shape description, for inter-ASIS 225 mm (scaled for other sizes). Left side, ISB frame:
# X anterior, Y superior, Z right; origin near the ASIS midpoint (re-centred exactly later).
# --------------------------------------------------------------------------------------

#: Sacroiliac auricular surface, sagittal layout (x, y) of the "L": corner, cranial arm end,
#: caudal arm end, and the arm radius. Arms ~93 deg apart (Vleeming 2012).
AURICULAR_L = {"corner": (-106.0, 2.0), "cranial_end": (-117.0, 27.0), "caudal_end": (-133.0, -19.0), "radius": 9.0}

#: Sacroiliac joint plane (left side): a point on the sacral auricular surface and the
#: angle between the joint plane and the sagittal plane. The sacrum is wider in front, so
#: its auricular surfaces face laterally and somewhat posteriorly (0-40 deg, textbooks).
SI_PLANE_POINT = (-115.0, 10.0, 47.0)  # (x, y, lateral)
SI_PLANE_ANGLE_DEG = 20.0


def si_plane_normal_left() -> FloatArray:
    """Outward unit normal of the left sacral auricular plane (lateral and posterior)."""
    a = np.radians(SI_PLANE_ANGLE_DEG)
    return np.array([-np.sin(a), 0.0, -np.cos(a)])


def auricular_l_distance(p: FloatArray) -> FloatArray:
    """Distance (mm) in the side view (x, y) from points to the centre lines of the auricular L."""

    def segment(q: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
        ab = b - a
        t = np.clip(((q - a) @ ab) / (ab @ ab), 0.0, 1.0)
        return np.linalg.norm(q - (a + t[:, None] * ab), axis=1)

    corner = np.array(AURICULAR_L["corner"], float)
    q = p[:, :2]
    return np.minimum(
        segment(q, corner, np.array(AURICULAR_L["cranial_end"], float)),
        segment(q, corner, np.array(AURICULAR_L["caudal_end"], float)),
    )


HIP_CENTRE = (-49.5, -67.5, 81.0)  # Bell et al. 1989 from the ASIS: 22% posterior, 30% inferior, 14% medial
ACETABULUM_RADIUS = 27.5  # socket radius, mm: rim diameter ~55-58 mm (acetabulum width 56-62 mm)
ACETABULUM_OPENING = (0.38, -0.52, 1.0)  # lateral, anterior and inferior (x, y, lateral)


def _crest_curve() -> FloatArray:
    """Centre line of the iliac crest from the ASIS to the PSIS (x, y, lateral).

    The crest flares out anteriorly (iliac tubercle) and runs close to the sacrum
    posteriorly, as on real pelves (top view in article.md's reference picture).
    """
    return np.array(
        [
            (-5.0, -1.0, 111.0),  # ASIS
            (-22.0, 22.0, 119.0),
            (-46.0, 44.0, 124.0),  # iliac tubercle, widest
            (-72.0, 58.0, 114.0),
            (-96.0, 61.0, 82.0),  # highest
            (-118.0, 54.0, 68.0),
            (-136.0, 34.0, 57.0),
            (-150.0, 6.0, 42.0),  # PSIS
        ]
    )


def _wing_base_curve() -> FloatArray:
    """Lower border of the iliac wing, matched to the crest points.

    Anteriorly it is the AIIS; from there it follows the arcuate line (pelvic brim), which
    lies close to the inlet plane through the promontory and the pubic tubercles, to the
    top of the SI joint and on to the posterior iliac spines.
    """
    return np.array(
        [
            (-14.0, -36.0, 100.0),  # anterior inferior iliac spine
            (-34.0, -34.0, 80.0),
            (-50.0, -18.0, 70.0),  # arcuate line
            (-67.0, 4.0, 66.0),
            (-85.0, 24.0, 64.0),
            (-104.0, 32.0, 63.0),  # above the SI joint
            (-128.0, 22.0, 60.0),
            (-144.0, 4.0, 50.0),
        ]
    )


def _ilium_body_curve() -> FloatArray:
    """Lowest border of the iliac plate: acetabular roof to the greater sciatic notch."""
    return np.array(
        [
            (-14.0, -36.0, 100.0),
            (-30.0, -42.0, 92.0),
            (-48.0, -40.0, 86.0),
            (-70.0, -32.0, 78.0),
            (-92.0, -22.0, 72.0),
            (-112.0, -12.0, 64.0),
            (-128.0, -8.0, 58.0),
            (-142.0, -4.0, 50.0),
        ]
    )


def _wing_surface(n_u: int = 46, n_v: int = 18) -> tuple[FloatArray, FloatArray]:
    """Sample the ilium as a curved sheet; returns points (x, y, lateral) and half-thickness.

    The sheet runs from the ilium body up to the arcuate line (a ridge on its inner side)
    and on up to the crest, so the iliac fossa and the pelvic surface below the brim meet
    at the linea terminalis as on a real bone.
    """
    from scipy.interpolate import CubicSpline

    curves = [_ilium_body_curve(), _wing_base_curve(), _crest_curve()]
    t = np.linspace(0.0, 1.0, len(curves[0]))
    u = np.linspace(0.0, 1.0, n_u)
    body_u, base_u, crest_u = (CubicSpline(t, c, axis=0)(u) for c in curves)
    v = np.linspace(0.0, 1.0, n_v)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    brim_v = 0.3  # where the arcuate line sits on the sheet
    lower = np.clip(vv / brim_v, 0, 1)[..., None]
    upper = np.clip((vv - brim_v) / (1 - brim_v), 0, 1)[..., None]
    pts = np.where(
        vv[..., None] <= brim_v,
        body_u[:, None, :] * (1 - lower) + base_u[:, None, :] * lower,
        base_u[:, None, :] * (1 - upper) + crest_u[:, None, :] * upper,
    )
    # The iliac fossa is hollowed: push the middle of the sheet laterally.
    bulge = 6.0 * np.sin(np.pi * upper[..., 0]) * np.sin(np.pi * np.clip(uu * 1.15, 0, 1))
    pts[..., 2] += bulge
    half_thickness = (
        2.6 + 1.6 * (1 - np.sin(np.pi * upper[..., 0])) + 1.5 * (1 - lower[..., 0])
    )  # thin in the fossa, thicker at its borders
    return pts, half_thickness


def _sheet_sdf(p: FloatArray, grid: FloatArray, half_thickness: FloatArray) -> FloatArray:
    """Distance to a thickened sheet given as a (n_u, n_v, 3) grid of points."""
    out = np.full(len(p), FAR)
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
                mask = np.all((p >= lo) & (p <= hi), axis=1)
                if mask.any():
                    dist = sdf.triangle_unsigned(p[mask], *tri) - thick
                    out[mask] = np.minimum(out[mask], dist)
    return out


class _Culled:
    """Evaluate primitives only inside their bounding boxes (everything else is FAR)."""

    def __init__(self, points: FloatArray, margin: float = 14.0) -> None:
        self.p = points
        self.margin = margin

    def eval(self, fn: Callable[[FloatArray], FloatArray], lo: Sequence[float], hi: Sequence[float]) -> FloatArray:
        lo_a = np.asarray(lo, float) - self.margin
        hi_a = np.asarray(hi, float) + self.margin
        mask = np.all((self.p >= lo_a) & (self.p <= hi_a), axis=1)
        out = np.full(len(self.p), FAR)
        if mask.any():
            out[mask] = fn(self.p[mask])
        return out

    def cone(self, a: Sequence[float], b: Sequence[float], ra: float, rb: float) -> FloatArray:
        a_, b_ = np.asarray(a, float), np.asarray(b, float)
        r = max(ra, rb)
        return self.eval(lambda q: sdf.round_cone(q, a_, b_, ra, rb), np.minimum(a_, b_) - r, np.maximum(a_, b_) + r)

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


def _lat(points: FloatArray) -> FloatArray:
    """Convert (x, y, lateral) rows to left-side pelvis-frame points (z = -lateral)."""
    q = np.array(points, float).reshape(-1, 3).copy()
    q[:, 2] *= -1
    return q


def sacrum_sdf(p: FloatArray) -> FloatArray:
    """Signed distance to the sacrum with coccyx, pelvis frame, mm (for inter-ASIS 225 mm)."""
    c = _Culled(p)
    # Vertebral bodies S1-S5 along the anteriorly concave sacral curve.
    axis = [(-98.0, 32.0, 0.0), (-107.0, 8.0, 0.0), (-119.0, -16.0, 0.0), (-131.0, -37.0, 0.0), (-140.0, -56.0, 0.0)]
    d = c.chain(axis, [17.0, 15.0, 12.0, 9.5, 7.0], k=6.0)
    # S1 body: a short wide cylinder-like ellipsoid under the flat base.
    d = sdf.smooth_union(d, c.ellipsoid((-99.0, 27.0, 0.0), (17.0, 15.0, 25.0)), 6.0)
    # Lateral masses: alae at S1, narrowing to S4 (the wedge).
    for centre, radii in (
        ((-110.0, 28.0, 0.0), (15.0, 13.0, 52.0)),
        ((-121.0, 8.0, 0.0), (17.0, 22.0, 50.0)),
        ((-129.0, -15.0, 0.0), (14.0, 17.0, 40.0)),
        ((-136.0, -36.0, 0.0), (11.0, 12.0, 27.0)),
    ):
        d = sdf.smooth_union(d, c.ellipsoid(centre, radii), 9.0)
    # Auricular masses: an L-shaped plate on each side reaching out to the SI joint plane,
    # so the sacrum's auricular surface is a flat "ear" congruent with the ilium's.
    in_l = auricular_l_distance(p) - (AURICULAR_L["radius"] + 1.0)
    for side in (1.0, -1.0):
        n = si_plane_normal_left() * [1.0, 1.0, side]
        point = np.array([SI_PLANE_POINT[0], SI_PLANE_POINT[1], -side * SI_PLANE_POINT[2]])
        from_plane = (p - point) @ n
        plate = np.maximum(np.maximum(from_plane, -(from_plane + 16.0)), in_l)
        plate = sdf.smooth_intersection(plate, -(p[:, 0] + 143.0), 4.0)  # not behind the sacrum
        d = sdf.smooth_union(d, plate, 9.0)
    # Median sacral crest on the back.
    d = sdf.smooth_union(
        d, c.chain([(-124.0, 32.0, 0.0), (-137.0, 8.0, 0.0), (-146.0, -20.0, 0.0)], [5.0, 5.0, 4.0], 3.0), 5.0
    )
    # Flat, slightly forward-sloping S1 end plate (sacral base).
    base_normal = np.array([0.42, 0.91, 0.0])
    base_normal /= np.linalg.norm(base_normal)
    d = sdf.smooth_intersection(d, (p - np.array([-99.0, 40.0, 0.0])) @ base_normal, 3.0)
    # The auricular surfaces: planar facets, one per side (mirror images).
    n_left = si_plane_normal_left()
    for side in (1.0, -1.0):
        n = n_left * [1.0, 1.0, side]
        point = np.array([SI_PLANE_POINT[0], SI_PLANE_POINT[1], -side * SI_PLANE_POINT[2]])
        d = sdf.smooth_intersection(d, (p - point) @ n, 2.0)
    # Anterior sacral foramina: shallow dimples in pairs.
    for y, x, lat in ((18.0, -104.0, 22.0), (-4.0, -113.0, 19.0), (-25.0, -124.0, 16.0), (-43.0, -133.0, 13.0)):
        for side in (-1.0, 1.0):
            d = sdf.smooth_subtraction(d, c.sphere((x + 1.0, y, side * lat), 4.5), 2.0)
    # Coccyx: four small segments curving forward.
    cocc = [
        (-142.0, -60.0, 0.0),
        (-143.0, -70.0, 0.0),
        (-141.0, -78.0, 0.0),
        (-137.0, -85.0, 0.0),
        (-132.0, -90.0, 0.0),
    ]
    for i, r in enumerate((6.0, 5.0, 4.0, 3.0)):
        d = sdf.smooth_union(d, c.cone(cocc[i], cocc[i + 1], r, r * 0.8), 2.5)
    return d


def left_innominate_sdf(p: FloatArray, sacrum: FloatArray, params: AnatomyParameters) -> FloatArray:
    """Signed distance to the left innominate (z < 0), before carving the joints, mm."""
    c = _Culled(p)
    H = _lat(HIP_CENTRE)[0]
    open_dir = _lat(ACETABULUM_OPENING)[0]
    open_dir /= np.linalg.norm(open_dir)

    # Iliac wing sheet and crest.
    grid, half_t = _wing_surface()
    grid_l = grid.copy()
    grid_l[..., 2] *= -1
    lo, hi = grid_l.reshape(-1, 3).min(0), grid_l.reshape(-1, 3).max(0)
    d = c.eval(lambda q: _sheet_sdf(q, grid_l, half_t), lo, hi)
    crest = _lat(_crest_curve())
    d = sdf.smooth_union(d, c.chain(crest, [5.0, 5.5, 6.5, 6.5, 6.5, 6.5, 7.0, 7.5], k=3.0), 4.0)
    d = sdf.smooth_union(d, c.sphere(crest[0] + [-1.0, 0, 0], 7.0), 4.0)  # ASIS knob
    d = sdf.smooth_union(d, c.sphere(crest[-1] + [-1.0, -2.0, 0], 8.0), 4.0)  # PSIS knob

    # Ilium body: acetabular roof to the auricular region (upper border of the greater sciatic notch).
    d = sdf.smooth_union(
        d, c.cone(H + _lat([(-2.0, 22.0, -10.0)])[0] * [1, 1, 1], _lat([(-100.0, -14.0, 64.0)])[0], 17.0, 15.0), 8.0
    )
    d = sdf.smooth_union(d, c.cone(_lat([(-100.0, -14.0, 64.0)])[0], _lat([(-138.0, -6.0, 56.0)])[0], 15.0, 16.0), 8.0)
    d = sdf.smooth_union(
        d, c.cone(_lat([(-18.0, -38.0, 98.0)])[0], H + _lat([(5.0, 15.0, -5.0)])[0] * [1, 1, 1], 7.0, 14.0), 6.0
    )

    # Auricular (SI) block: a shell over the sacrum's lateral surface, from the joint space out
    # to 12 mm, limited to an L-shaped region (seen from the side). Carving by the dilated
    # sacrum below leaves its inner face as an exact, congruent L-shaped joint surface.
    aur = AURICULAR_L
    r = aur["radius"]
    corner = np.array(aur["corner"], float)
    ends = [np.array(aur["cranial_end"], float), np.array(aur["caudal_end"], float)]
    in_l = auricular_l_distance(p) - r
    from_plane = (p - _lat(SI_PLANE_POINT)[0]) @ si_plane_normal_left()
    shell = np.maximum(params.si_joint_space_mm - from_plane, from_plane - (params.si_joint_space_mm + 12.0))
    slab = np.maximum(shell, in_l)
    d = sdf.smooth_union(d, slab, 3.0)

    def on_sacrum_face(pt: FloatArray) -> FloatArray:
        # lateral position of the sacrum's surface at (x, y): march inward from far lateral
        lat = np.linspace(90.0, 0.0, 901)
        probe = np.column_stack([np.full_like(lat, pt[0]), np.full_like(lat, pt[1]), -lat])
        vals = sacrum_sdf(probe)
        hit = int(np.argmax(vals < 0.0))
        if vals[hit] >= 0.0 or lat[hit] < 20.0:
            raise ValueError(f"auricular point {pt[:2]} does not lie on the sacrum's lateral face")
        return np.array([pt[0], pt[1], -lat[hit]])

    # Back the joint with bone laterally so the auricular block is part of the ilium.
    corner3 = on_sacrum_face(corner)
    for e in ends:
        e3 = on_sacrum_face(e)
        d = sdf.smooth_union(d, c.cone(corner3 + [0, 0, -17.0], e3 + [0, 0, -17.0], r + 3, r + 3), 6.0)
    # Iliac tuberosity behind the joint, up to the PSIS.
    d = sdf.smooth_union(d, c.ellipsoid(_lat([(-139.0, 20.0, 57.0)])[0], (12.0, 24.0, 11.0)), 8.0)

    # Acetabulum: a thick cup around the hip centre, opening laterally, anteriorly and down.
    # Blob and socket spheres meet ~2 mm beyond the hip centre, so the rim is a near-hemisphere.
    d = sdf.smooth_union(d, c.sphere(H - open_dir * 14.0, ACETABULUM_RADIUS + 4.3), 8.0)

    # Pubis: superior ramus to the body; symphyseal body; pubic tubercle.
    pubic_body = _lat([(-20.0, -92.0, 9.0)])[0]
    d = sdf.smooth_union(
        d, c.cone(H + _lat([(22.0, -8.0, -20.0)])[0] * [1, 1, 1], _lat([(-14.0, -80.0, 20.0)])[0], 11.0, 9.0), 6.0
    )
    d = sdf.smooth_union(d, c.ellipsoid(pubic_body, (10.0, 23.0, 13.0)), 6.0)
    d = sdf.smooth_union(d, c.sphere(_lat([(-9.0, -77.0, 22.0)])[0], 5.5), 3.0)  # pubic tubercle
    # Inferior pubic ramus and ischial ramus down to the tuberosity.
    ramus = _lat([(-22.0, -108.0, 12.0), (-45.0, -126.0, 30.0), (-72.0, -130.0, 48.0)])
    d = sdf.smooth_union(d, c.chain(ramus, [7.5, 6.0, 7.5], 4.0), 5.0)
    # Ischial tuberosity and body up to the acetabulum.
    tuber = _lat([(-84.0, -124.0, 56.0)])[0]
    d = sdf.smooth_union(d, c.ellipsoid(tuber, (14.0, 17.0, 11.0)), 6.0)
    d = sdf.smooth_union(
        d, c.cone(tuber + [2.0, 8.0, 0.0], H + _lat([(-25.0, -12.0, -6.0)])[0] * [1, 1, 1], 11.0, 15.0), 7.0
    )
    # Ischial spine: a short point on the posterior border.
    d = sdf.smooth_union(d, c.cone(_lat([(-84.0, -82.0, 62.0)])[0], _lat([(-101.0, -86.0, 49.0)])[0], 7.0, 2.5), 4.0)

    # Hollow the socket.
    d = sdf.smooth_subtraction(d, c.sphere(H, ACETABULUM_RADIUS), 5.0)
    # Carve the joints: keep clear of the sacrum by the SI space and of the midline by half the pubic gap.
    d = sdf.smooth_intersection(d, params.si_joint_space_mm - sacrum, 1.5)
    d = sdf.smooth_intersection(d, p[:, 2] + params.pubic_gap_mm / 2.0, 1.5)
    return d


def _contour(sdf_fn: Callable[[FloatArray], FloatArray], lo: FloatArray, hi: FloatArray, voxel: float):
    from skimage.measure import marching_cubes

    n = np.round((hi - lo) / voxel).astype(int) + 1
    axes = [lo[i] + voxel * np.arange(n[i]) for i in range(3)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    vol = sdf_fn(grid).reshape(n)
    # A level just off zero keeps flat faces that coincide with grid planes from degenerating.
    verts, faces, _, _ = marching_cubes(vol, level=1e-3, spacing=(voxel,) * 3, gradient_direction="ascent")
    return verts + lo, faces.astype(np.int64)


def _clean(verts: FloatArray, faces: np.ndarray, iterations: int, target_faces: int):
    import trimesh
    import trimesh.smoothing

    mesh = trimesh.Trimesh(verts, faces, process=True)
    parts = mesh.split(only_watertight=False)
    mesh = max(parts, key=lambda m: len(m.faces))
    if iterations:
        trimesh.smoothing.filter_taubin(mesh, lamb=0.5, nu=0.53, iterations=iterations)
    if target_faces and len(mesh.faces) > target_faces:
        full = mesh
        # Quadric decimation occasionally pinches a thin spot open; step the target down
        # (deterministically) until the result is closed. It can also leave a stray
        # degenerate pair of faces, so keep the bone itself.
        for attempt in range(40):
            mesh = full.simplify_quadric_decimation(face_count=target_faces - 50 * attempt)
            mesh = max(mesh.split(only_watertight=False), key=lambda m: len(m.faces))
            if mesh.is_watertight and mesh.is_winding_consistent:
                break
    if not (mesh.is_watertight and mesh.is_winding_consistent):
        raise RuntimeError("generated mesh is not closed and consistently wound; try another voxel_mm")
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def _symmetrize(mesh):
    """Rebuild a nearly mirror-symmetric mesh from its left half (z <= 0) and that half's mirror."""
    import trimesh
    from trimesh.intersections import slice_faces_plane

    left_v, left_f = slice_faces_plane(
        np.asarray(mesh.vertices), np.asarray(mesh.faces), plane_normal=[0.0, 0.0, -1.0], plane_origin=[0.0, 0.0, 0.0]
    )[:2]
    left_v = np.asarray(left_v).copy()
    left_v[np.abs(left_v[:, 2]) < 1e-5, 2] = 0.0  # exactly on the mirror plane (no -0.0 either)
    left_f = np.asarray(left_f)
    left_f = left_f[~np.all(left_v[left_f][:, :, 2] == 0.0, axis=1)]  # slivers lying in the plane
    right_v = left_v * [1.0, 1.0, -1.0]
    faces = np.vstack([left_f, left_f[:, ::-1] + len(left_v)])
    sym = trimesh.Trimesh(np.vstack([left_v, right_v]), faces, process=False)
    sym.merge_vertices(digits_vertex=6)
    sym.remove_unreferenced_vertices()
    if not (sym.is_watertight and sym.is_winding_consistent):
        raise RuntimeError("sacrum symmetrisation did not give a closed mesh")
    return sym


def _frame_correction(left: FloatArray) -> tuple[FloatArray, FloatArray, int, int]:
    """Rigid correction that puts the ASIS midpoint at the origin and the PSIS midpoint on y = 0.

    Returns the rotation (3, 3), translation (3,) and the ASIS and PSIS vertex indices of the
    left innominate (ASIS: most anterior point; PSIS: most posterior point above the ischium).
    """
    asis_i = int(np.argmax(left[:, 0]))
    upper = np.where(left[:, 1] > -30.0)[0]
    psis_i = int(upper[np.argmin(left[upper, 0])])
    asis_mid = np.array([left[asis_i, 0], left[asis_i, 1], 0.0])
    psis_mid = np.array([left[psis_i, 0], left[psis_i, 1], 0.0]) - asis_mid
    angle = np.arctan2(psis_mid[1], -psis_mid[0])  # rotate about z so the PSIS midpoint has y = 0
    c, s_ = np.cos(angle), np.sin(angle)
    rot = np.array([[c, s_, 0.0], [-s_, c, 0.0], [0.0, 0.0, 1.0]])
    # sign check: the rotated PSIS midpoint must lie on y = 0
    if abs((rot @ psis_mid)[1]) > 1e-9:
        rot = rot.T
    return rot, -rot @ asis_mid, asis_i, psis_i


def generate(params: AnatomyParameters | None = None) -> dict:
    """Build the three bones and their metadata.

    Parameters
    ----------
    params : AnatomyParameters, optional
        Shape and resolution parameters; defaults give the shipped meshes.

    Returns
    -------
    dict
        ``{"meshes": {body: trimesh.Trimesh}, "sidecar": dict}``; vertices in mm in the
        ISB pelvis frame. The sidecar holds units, landmarks, joint surfaces and joints
        (see :mod:`pelvis3d.anatomy`).
    """
    import trimesh

    params = params or AnatomyParameters()
    params.validate()
    scale = params.inter_asis_mm / 225.0

    def scaled(fn):
        return lambda q: fn(q / scale) * scale

    v = params.voxel_mm
    # The sacrum grid is symmetric about z = 0 and the mesh is rebuilt from its left half,
    # so the sacrum is exactly mirror-symmetric and left/right metrics mirror exactly.
    sv = params.sacrum_voxel_mm
    half = (np.ceil(62.0 * scale / sv) + 0.5) * sv  # no grid plane at z = 0: clean mirror cut
    sac_lo, sac_hi = np.array([-168.0 * scale, -98.0 * scale, -half]), np.array([-70.0 * scale, 52.0 * scale, half])
    sac_v, sac_f = _contour(scaled(sacrum_sdf), sac_lo, sac_hi, sv)
    sacrum = _symmetrize(_clean(sac_v, sac_f, params.smoothing_iterations, 0))

    def innominate(q: FloatArray) -> FloatArray:
        qs = q / scale
        gap_params = dataclasses.replace(
            params, si_joint_space_mm=params.si_joint_space_mm / scale, pubic_gap_mm=params.pubic_gap_mm / scale
        )
        return left_innominate_sdf(qs, sacrum_sdf(qs), gap_params) * scale

    inn_lo, inn_hi = np.array([-170.0, -156.0, -150.0]) * scale, np.array([12.0, 80.0, 0.0]) * scale
    inn_v, inn_f = _contour(innominate, inn_lo, inn_hi, v)
    left = _clean(inn_v, inn_f, params.smoothing_iterations, params.innominate_triangles)

    rot, shift, asis_i, psis_i = _frame_correction(np.asarray(left.vertices))

    def place(points: FloatArray) -> FloatArray:
        return np.asarray(points, float) @ rot.T + shift

    sacrum = trimesh.Trimesh(place(sacrum.vertices), sacrum.faces, process=False)
    left = trimesh.Trimesh(place(left.vertices), left.faces, process=False)
    right = trimesh.Trimesh(left.vertices * [1.0, 1.0, -1.0], left.faces[:, ::-1], process=False)
    meshes = {"sacrum": sacrum, "left_innominate": left, "right_innominate": right}

    # Joint surfaces: the congruent facing regions left by the carving, found by the same
    # proximity rule that user-supplied meshes go through.
    surfaces, _ = derive_joint_surfaces({n: (np.asarray(m.vertices), np.asarray(m.faces)) for n, m in meshes.items()})
    si_inn, si_sac_left, si_sac_right = (
        surfaces["left_si_innominate"],
        surfaces["left_si_sacrum"],
        surfaces["right_si_sacrum"],
    )
    pubic = surfaces["left_pubic_face"]
    # the right innominate is the left's mirror with the same vertex order: use the left sets
    # for both so that floating-point ties cannot make the two sides differ

    def nearest_vertex(mesh, point: FloatArray) -> FloatArray:
        return np.asarray(mesh.vertices[int(np.argmin(np.linalg.norm(mesh.vertices - point, axis=1)))])

    lv = np.asarray(left.vertices)
    sv_ = np.asarray(sacrum.vertices)
    hip = place(_lat(HIP_CENTRE) * scale)[0]
    mid = np.abs(sv_[:, 2]) < 3.0 * scale
    top = mid & (sv_[:, 1] > place(np.array([[0.0, 10.0 * scale, 0.0]]))[0, 1])
    promontory = sv_[top][np.argmax(sv_[top][:, 0])]
    s2 = place(np.array([[-107.0, 8.0, 0.0]]) * scale)[0]
    spine_tip = nearest_vertex(left, place(_lat([(-101.0, -86.0, 49.0)]) * scale)[0] + [-2.5 * scale, 0.0, 0.0])
    tubercle = nearest_vertex(left, place(_lat([(-9.0, -77.0, 22.0)]) * scale)[0] + np.array([3.0, 4.0, 0.0]) * scale)
    ischial_tuberosity = lv[int(np.argmin(lv[:, 1]))]
    crest_top = lv[int(np.argmax(lv[:, 1]))]
    coccyx_tip = sv_[int(np.argmin(sv_[:, 1]))]
    auricular = 0.5 * (lv[si_inn].mean(axis=0) + sv_[si_sac_left].mean(axis=0))
    pubic_face = lv[pubic].mean(axis=0)

    left_marks = {
        "asis": lv[asis_i],
        "psis": lv[psis_i],
        "pubic_tubercle": tubercle,
        "symphyseal_face_centre": pubic_face,
        "hip_centre": hip,
        "auricular_centre": auricular,
        "ischial_spine": spine_tip,
        "ischial_tuberosity": ischial_tuberosity,
        "iliac_crest_top": crest_top,
    }
    landmarks: dict[str, dict] = {}
    for name, point in left_marks.items():
        body = "sacrum" if name == "auricular_centre" else None
        for side, sign in (("left", 1.0), ("right", -1.0)):
            landmarks[f"{side}_{name}"] = {
                "body": body or f"{side}_innominate",
                "position_mm": _rounded(np.asarray(point) * [1.0, 1.0, sign]),
            }
    landmarks["sacral_promontory"] = {"body": "sacrum", "position_mm": _rounded(promontory)}
    landmarks["s2"] = {"body": "sacrum", "position_mm": _rounded(s2)}
    landmarks["coccyx_tip"] = {"body": "sacrum", "position_mm": _rounded(coccyx_tip)}

    sidecar = {
        "format": "pelvis3d-anatomy",
        "version": 1,
        "name": "pelvis3d built-in simplified adult pelvis",
        "units": "mm",
        "frame": "ISB pelvis frame: X anterior, Y superior, Z right; origin at the ASIS midpoint",
        "attribution": "Generated by pelvis3d (parametric signed-distance model).",
        "parameters": dataclasses.asdict(params),
        "bodies": {name: {"file": f"{name}.ply"} for name in meshes},
        "landmarks": landmarks,
        "joint_surfaces": {
            "left_si_innominate": {"body": "left_innominate", "joint": "left_sacroiliac", "vertices": si_inn.tolist()},
            "right_si_innominate": {
                "body": "right_innominate",
                "joint": "right_sacroiliac",
                "vertices": si_inn.tolist(),
            },
            "left_si_sacrum": {"body": "sacrum", "joint": "left_sacroiliac", "vertices": si_sac_left.tolist()},
            "right_si_sacrum": {"body": "sacrum", "joint": "right_sacroiliac", "vertices": si_sac_right.tolist()},
            "left_pubic_face": {"body": "left_innominate", "joint": "pubic_symphysis", "vertices": pubic.tolist()},
            "right_pubic_face": {"body": "right_innominate", "joint": "pubic_symphysis", "vertices": pubic.tolist()},
        },
        "joints": default_joints(landmarks),
    }
    return {"meshes": meshes, "sidecar": sidecar}


def _rounded(point: ArrayLike, digits: int = 4) -> list[float]:
    return [round(float(c), digits) + 0.0 for c in np.asarray(point, float)]


def write_meshes(built: dict, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the meshes (binary PLY) and ``pelvis.json`` sidecar into ``folder``.

    Files are written to temporary names and renamed, so an interrupted run leaves the
    previous files intact.
    """
    from trimesh.exchange.ply import export_ply

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    payloads = {
        f"{name}.ply": export_ply(mesh, encoding="binary", include_attributes=False)
        for name, mesh in built["meshes"].items()
    }
    payloads["pelvis.json"] = (json.dumps(built["sidecar"], indent=1) + "\n").encode()
    for fname, data in payloads.items():
        target = folder / fname
        tmp = folder / f".{fname}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m pelvis3d.anatomy.generate [--out DIR] [--voxel-mm V] ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m pelvis3d.anatomy.generate",
        description="Rebuild the built-in pelvis meshes and sidecar (deterministic).",
    )
    default_out = Path(__file__).resolve().parents[2] / "meshes"
    parser.add_argument("--out", type=Path, default=default_out, help=f"output folder (default: {default_out})")
    defaults = AnatomyParameters()
    for field in dataclasses.fields(AnatomyParameters):
        parser.add_argument(
            "--" + field.name.replace("_", "-"),
            type=type(getattr(defaults, field.name)),
            default=getattr(defaults, field.name),
        )
    args = parser.parse_args(argv)
    params = AnatomyParameters(**{f.name: getattr(args, f.name) for f in dataclasses.fields(AnatomyParameters)})
    try:
        built = generate(params)
    except ValueError as exc:
        parser.exit(2, f"error: {exc}\n")
    for path in write_meshes(built, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
