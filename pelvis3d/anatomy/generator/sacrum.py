"""Signed-distance model of the sacrum with the coccyx.

Parts, top to bottom: the S1 body with a flat, forward-sloping end plate (sacral base) whose
front edge is the promontory; the alae sloping down laterally; the lateral masses tapering to
the apex (the triangle seen from the front and back); the auricular plates out to the SI
joint surfaces; the sacral canal, a tunnel from the base behind S1 to the sacral hiatus;
four pairs of anterior and posterior sacral foramina, holes through the lateral masses; the
median sacral crest; and a short coccyx of three small segments (~25-30 mm).

Coordinates: pelvis frame of the default adult at inter-ASIS 225 mm (x anterior, y superior,
z right), then moved by the variant's conjugate shift and curvature.
"""

from __future__ import annotations

import numpy as np

from pelvis3d.anatomy import sdf
from pelvis3d.anatomy.generator.auricular import AURICULAR_L, auricular_face, auricular_l_distance
from pelvis3d.anatomy.generator.fields import CulledField
from pelvis3d.anatomy.generator.parameters import AnatomyParameters
from pelvis3d.anatomy.sdf import FloatArray

__all__ = [
    "FORAMINA",
    "SACRAL_FORWARD_MM",
    "SACRAL_DOWN_MM",
    "COCCYX",
    "CONJUGATE_DIRECTION",
    "sacral_offset",
    "sacral_coordinates",
    "sacrum_sdf",
]

#: How far the sacrum sits anterior to, and below, where the first built-in pelvis had it (mm):
#: real pelves have the promontory ~0.34 of the inter-ASIS width behind the ASISs and ~0.08 of
#: it above them (OpenSim Gait2392 in its ISB frame), on the line of the arcuate lines.
SACRAL_FORWARD_MM = 8.0
SACRAL_DOWN_MM = 5.0

#: Sacral foramina (anterior and posterior openings of one hole each): (y, x at the front,
#: lateral offset, radius), S1 to S4, left side; the holes run front to back.
FORAMINA = (
    (17.0, -100.0, 21.0, 5.0),
    (-5.0, -108.0, 19.5, 4.6),
    (-26.0, -118.0, 16.0, 4.2),
    (-44.0, -128.0, 12.5, 3.6),
)

#: Centre line of the coccyx (x, y): three segments, ~27 mm from the sacrococcygeal joint.
COCCYX = ((-141.0, -61.0), (-142.5, -70.0), (-142.0, -78.5), (-139.5, -86.0))


#: Direction (x, y) in which ``conjugate_shift_mm`` moves the sacrum: posterior-superior, along
#: the true conjugate (promontory to symphysis), so the shift lengthens it one to one.
CONJUGATE_DIRECTION = (-0.51, 0.86)


def sacral_offset(params: AnatomyParameters) -> FloatArray:
    """Translation (x, y, z) of the sacrum and SI joint from their modelling coordinates, 225-mm scale."""
    s = params.conjugate_shift_mm
    return np.array([SACRAL_FORWARD_MM + CONJUGATE_DIRECTION[0] * s, CONJUGATE_DIRECTION[1] * s - SACRAL_DOWN_MM, 0.0])


def sacral_coordinates(p: FloatArray, params: AnatomyParameters) -> FloatArray:
    """Points (pelvis frame, 225-mm scale) expressed in the sacrum's own modelling coordinates.

    The sacrum (and with it the SI joint) moves by :func:`sacral_offset`; below S3 it curls
    forward by ``sacral_curvature_mm`` times a quadratic ramp.
    """
    q = np.array(p, float, copy=True) - sacral_offset(params)
    below = np.clip((-40.0 - q[:, 1]) / 45.0, 0.0, None)
    q[:, 0] -= params.sacral_curvature_mm * below**2
    return q


def sacrum_sdf(p: FloatArray, params: AnatomyParameters) -> FloatArray:
    """Signed distance (mm) to the sacrum with coccyx at pelvis-frame points ``p`` (225-mm scale)."""
    q = sacral_coordinates(p, params)
    c = CulledField(q)
    w = params.sacrum_width_scale
    # Vertebral bodies S1-S5 along the anteriorly concave sacral curve.
    # The S1 body stands forward of the alae by the variant's promontory projection.
    front = params.promontory_projection_mm * 225.0 / params.inter_asis_mm
    axis = [(-98.0 + front, 32.0, 0.0), (-107.0, 8.0, 0.0), (-119.0, -16.0, 0.0), (-131.0, -37.0, 0.0),
            (-140.0, -56.0, 0.0)]  # fmt: skip
    d = c.chain(axis, [17.0, 15.0, 12.0, 9.5, 7.0], k=6.0)
    d = sdf.smooth_union(d, c.ellipsoid((-99.0 + front, 27.0, 0.0), (17.0, 15.0, 25.0)), 6.0)  # S1 body
    # Alae and lateral masses: widest at S1, tapering to S4 (the sacral triangle).
    for centre, radii in (
        ((-108.0, 28.0, 0.0), (15.0, 13.0, 54.0 * w)),
        ((-120.0, 8.0, 0.0), (17.0, 22.0, 50.0 * w)),
        ((-128.0, -15.0, 0.0), (14.0, 17.0, 36.0 * w)),
        ((-135.0, -37.0, 0.0), (11.0, 12.0, 25.0 * w)),
        ((-140.0, -52.0, 0.0), (8.0, 9.0, 15.0 * w)),
    ):
        d = sdf.smooth_union(d, c.ellipsoid(centre, radii), 9.0)
    # Posterior arch behind the canal: laminae and the median sacral crest.
    d = sdf.smooth_union(
        d, c.chain([(-131.0, 34.0, 0.0), (-141.0, 8.0, 0.0), (-148.0, -22.0, 0.0)], [9.0, 8.0, 5.0], 4.0), 5.0
    )
    d = sdf.smooth_union(
        d, c.chain([(-144.0, 32.0, 0.0), (-152.0, 8.0, 0.0), (-156.0, -20.0, 0.0)], [4.5, 5.0, 4.0], 3.0), 4.0
    )
    # Auricular plates out to the SI joint surfaces, limited to the L seen from the side.
    in_l = auricular_l_distance(q) - (AURICULAR_L["radius"] + 1.0)
    for side in (1.0, -1.0):
        face = auricular_face(q, side, w)
        plate = np.maximum(np.maximum(face, -(face + 16.0)), in_l)
        plate = sdf.smooth_intersection(plate, -(q[:, 0] + 146.0), 4.0)  # not behind the sacrum
        d = sdf.smooth_union(d, plate, 9.0)
    # Sacral base: the S1 end plate slopes forward; the alae slope down laterally from it.
    base_normal = np.array([0.42, 0.91, 0.0]) / np.hypot(0.42, 0.91)
    d = sdf.smooth_intersection(d, (q - np.array([-99.0, 40.0, 0.0])) @ base_normal, 3.0)
    for side in (1.0, -1.0):
        ala = np.array([0.30, 0.93, -0.30 * side])
        ala /= np.linalg.norm(ala)
        d = sdf.smooth_intersection(d, (q - np.array([-99.0, 39.0, -side * 16.0])) @ ala, 9.0)
    # The auricular surfaces themselves: cut exactly to the (twisted, grooved) joint face.
    for side in (1.0, -1.0):
        d = sdf.smooth_intersection(d, auricular_face(q, side, w), 2.0)
    # Sacral canal: from the base behind S1 down to the hiatus on the back of S4-S5.
    canal = c.chain(
        [(-118.0, 50.0, 0.0), (-120.0, 30.0, 0.0), (-127.0, 6.0, 0.0), (-134.0, -18.0, 0.0), (-142.0, -36.0, 0.0),
         (-158.0, -44.0, 0.0)],
        [8.0, 7.5, 6.0, 4.5, 3.5, 3.5],
        2.0,
    )  # fmt: skip
    d = sdf.smooth_subtraction(d, canal, 2.0)
    # Four pairs of sacral foramina, each one hole from the anterior to the posterior surface.
    for y, x_front, lateral, radius in FORAMINA:
        for side in (1.0, -1.0):
            hole = c.cone((x_front + 25.0, y, side * lateral), (x_front - 60.0, y, side * lateral), radius, radius)
            d = sdf.smooth_subtraction(d, hole, 1.5)
    # Coccyx: three small segments, slightly curved forward.
    for i, r in enumerate((6.0, 4.8, 3.8)):
        a = (*COCCYX[i], 0.0)
        b = (*COCCYX[i + 1], 0.0)
        d = sdf.smooth_union(d, c.cone(a, b, r, r * 0.8), 2.5)
    return d
