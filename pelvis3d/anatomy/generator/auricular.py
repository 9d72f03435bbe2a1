"""The sacroiliac (auricular) joint surface shared by the sacrum and the ilium.

The sacral auricular surface is an "L" (an ear) seen from the side: a short cranial arm in
S1 and a long caudal arm down S2-S3, ~44 and ~56 mm long, 15-20 mm wide, ~93 deg apart
(Vleeming et al. 2012). Its plane faces laterally and a little posteriorly, 0-40 deg from the
sagittal plane, and twists along the joint like a propeller (textbook chapter, see
biomechanics.md). A shallow groove runs along the middle of the sacral surface and a matching
ridge along the iliac one (Vleeming 2012); the ilium is carved by the sacrum dilated by the
joint space, so the two faces stay congruent at ~2 mm.

All functions take points in sacral coordinates (left side, mm, for inter-ASIS 225 mm).
"""

from __future__ import annotations

import numpy as np

from pelvis3d.anatomy.sdf import FloatArray

__all__ = [
    "AURICULAR_ARMS_MM",
    "AURICULAR_ANGLE_DEG",
    "AURICULAR_RADIUS_MM",
    "AURICULAR_L",
    "RIM_ALLOWANCE_MM",
    "centre_line_length",
    "SI_PLANE_POINT",
    "SI_PLANE_ANGLE_DEG",
    "SI_TWIST_DEG_PER_MM",
    "SI_CORONAL_TILT_DEG",
    "GROOVE_DEPTH_MM",
    "auricular_l_distance",
    "auricular_face",
    "si_plane_normal_left",
]


def _arm_end(corner: tuple[float, float], length: float, degrees_back_from_up: float) -> tuple[float, float]:
    a = np.radians(degrees_back_from_up)
    return (float(corner[0] - length * np.sin(a)), float(corner[1] + length * np.cos(a)))


def centre_line_length(arm_mm: float, radius_mm: float, angle_deg: float) -> float:
    """Centre-line length of one arm of a rounded L whose outer corner lies ``arm_mm`` from its tip.

    An arm is measured on bone from the outer corner of the L to the end of the arm. With arms
    of radius ``r`` at ``angle`` to each other, the outer corner lies ``r`` from the centre-line
    corner along the outward bisector and the tip ``r`` beyond the arm's end, so
    ``arm^2 = (l + r)^2 + r^2 + 2 r (l + r) cos(angle / 2)`` for centre-line length ``l``.
    """
    half = np.radians(angle_deg) / 2.0
    reach = -radius_mm * np.cos(half) + np.sqrt(arm_mm**2 - (radius_mm * np.sin(half)) ** 2)
    return float(reach - radius_mm)


#: Published shape of the sacral auricular surface (Vleeming et al. 2012): a short cranial arm
#: ~44 mm and a long caudal arm ~56 mm, ~93 deg apart, measured from the outer corner of the L.
AURICULAR_ARMS_MM = (44.0, 56.0)
AURICULAR_ANGLE_DEG = 93.0
#: Half the width of each arm. Vleeming gives ~20 mm, but an L of 44 + 56 mm arms that wide
#: would cover ~16 cm^2, above the 10-15 cm^2 measured on dry bone and CT (biomechanics.md);
#: 15 mm keeps both the arms and the area inside the published values.
AURICULAR_RADIUS_MM = 7.5
#: How much shorter (mm; cranial, caudal arm) the congruent joint surface comes out than the
#: modelled L: its rims are rounded (blends of 2-3 mm) and there the two faces part beyond the
#: joint space, most at the cranial tip, which meets the sloping ala. Each arm is modelled this
#: much longer so the surface the bones share has the published lengths (set from the
#: generated meshes, on which the tests measure the arms).
RIM_ALLOWANCE_MM = (4.0, 1.0)
#: Direction of the cranial arm from the corner, degrees back (posterior) from straight up in
#: the side view; the caudal arm is ``AURICULAR_ANGLE_DEG`` further round, down and back along
#: S2-S3. The corner is the anterior-inferior angle of the "ear", at the S1-S2 level (assumed
#: position, checked against the sacrum's outline so that no arm runs off the bone).
_CRANIAL_ARM_DEG = 43.0
_CORNER = (-100.0, -3.0)
#: Sagittal layout (x, y) of the L: corner, cranial arm end, caudal arm end and arm radius (mm).
AURICULAR_L = {
    "corner": _CORNER,
    "cranial_end": _arm_end(
        _CORNER,
        centre_line_length(AURICULAR_ARMS_MM[0] + RIM_ALLOWANCE_MM[0], AURICULAR_RADIUS_MM, AURICULAR_ANGLE_DEG),
        _CRANIAL_ARM_DEG,
    ),
    "caudal_end": _arm_end(
        _CORNER,
        centre_line_length(AURICULAR_ARMS_MM[1] + RIM_ALLOWANCE_MM[1], AURICULAR_RADIUS_MM, AURICULAR_ANGLE_DEG),
        _CRANIAL_ARM_DEG + AURICULAR_ANGLE_DEG,
    ),
    "radius": AURICULAR_RADIUS_MM,
}

#: A point on the left sacral auricular surface (x, y, lateral) and the angle of the joint
#: plane to the sagittal plane at that height; the angle changes along the joint by
#: ``SI_TWIST_DEG_PER_MM`` per mm of height (the "propeller": ~7 deg at the bottom of the
#: caudal arm, ~26 deg at the top of the cranial arm, inside the published 0-40 deg).
SI_PLANE_POINT = (-112.0, 5.0, 47.0)
SI_PLANE_ANGLE_DEG = 20.0
SI_TWIST_DEG_PER_MM = 0.28
#: The sacrum is a wedge in the frontal plane too, wider above: its auricular surfaces converge
#: downwards, so they face a little downwards (assumed 12 deg; textbooks describe the wedge only).
SI_CORONAL_TILT_DEG = 12.0
GROOVE_DEPTH_MM = 2.0  # depth of the central groove (assumed; "a few mm" of relief)
_GROOVE_WIDTH_MM = 5.0


def si_plane_normal_left(y: FloatArray | float = SI_PLANE_POINT[1]) -> FloatArray:
    """Outward unit normal(s) of the left sacral auricular surface at height(s) ``y`` (lateral, posterior, down)."""
    a = np.radians(SI_PLANE_ANGLE_DEG + SI_TWIST_DEG_PER_MM * (np.asarray(y, float) - SI_PLANE_POINT[1]))
    t = np.radians(SI_CORONAL_TILT_DEG)
    return np.stack([-np.sin(a) * np.cos(t), np.full_like(a, -np.sin(t)), -np.cos(a) * np.cos(t)], axis=-1)


def _segment_distance(q: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    ab = b - a
    t = np.clip(((q - a) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(q - (a + t[:, None] * ab), axis=1)


def auricular_l_distance(p: FloatArray) -> FloatArray:
    """Distance (mm) in the side view (x, y) from points to the centre lines of the auricular L."""
    corner = np.array(AURICULAR_L["corner"], float)
    q = p[:, :2]
    return np.minimum(
        _segment_distance(q, corner, np.array(AURICULAR_L["cranial_end"], float)),
        _segment_distance(q, corner, np.array(AURICULAR_L["caudal_end"], float)),
    )


def auricular_face(p: FloatArray, side: float = 1.0, width_scale: float = 1.0) -> FloatArray:
    """Signed distance-like field of the sacral auricular surface (negative medial to it).

    Parameters
    ----------
    p : (N, 3) array
        Points in sacral coordinates, mm.
    side : float
        ``1`` for the left surface (z < 0), ``-1`` for the right.
    width_scale : float
        Scale of the surface's distance from the midline (a wider or narrower sacrum).

    Notes
    -----
    Twisted plane plus the central groove: the field is raised along the L's centre line, so
    the sacral surface lies up to ``GROOVE_DEPTH_MM`` deeper there.
    """
    point = np.array([SI_PLANE_POINT[0], SI_PLANE_POINT[1], -side * SI_PLANE_POINT[2] * width_scale])
    normal = si_plane_normal_left(p[:, 1]) * np.array([1.0, 1.0, side])
    plane = np.einsum("ij,ij->i", p - point, normal)
    groove = GROOVE_DEPTH_MM * np.exp(-((auricular_l_distance(p) / _GROOVE_WIDTH_MM) ** 2))
    return plane + groove
