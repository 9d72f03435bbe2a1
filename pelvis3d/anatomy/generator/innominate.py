"""Signed-distance model of the left innominate (the right one is its mirror image).

Parts: the iliac wing, a curved sheet from the body of the ilium up to an S-curved crest
(ASIS, iliac tubercle, PSIS), hollowed inside into the iliac fossa; the anterior and posterior
inferior iliac spines (AIIS, PIIS); the thick body of the ilium above the greater sciatic
notch and the auricular block at the SI joint; the acetabulum, a cup of bone around a sphere
a little larger than the femoral head, with its lunate surface, fossa, rim and notch, opening
laterally, anteriorly and inferiorly, whose inner (pelvic) wall is flat and flush with the
pelvic brim; the superior pubic ramus (pecten on top) to the pubic body and tubercle; the
inferior pubic and ischial rami as flat bars around the obturator foramen; the ischial
body with the ischial spine between the greater and lesser sciatic notches; and the ischial
tuberosity.

Coordinates: (x, y, lateral) rows for the left side of the default adult at inter-ASIS 225 mm.
"""

from __future__ import annotations

import numpy as np

from pelvis3d.anatomy import sdf
from pelvis3d.anatomy.generator.auricular import AURICULAR_L, auricular_face, auricular_l_distance
from pelvis3d.anatomy.generator.fields import CulledField, left_points, sheet_distance
from pelvis3d.anatomy.generator.parameters import AnatomyParameters
from pelvis3d.anatomy.generator.sacrum import sacral_coordinates, sacral_offset, sacrum_sdf
from pelvis3d.anatomy.sdf import FloatArray

__all__ = [
    "HIP_CENTRE",
    "ACETABULAR_INCLINATION_DEG",
    "PUBIC_TUBERCLE",
    "SYMPHYSIS_LOWER_END",
    "acetabular_axis",
    "crest_curve",
    "socket_radius",
    "spine_tip",
    "subpubic_ramus_point",
    "left_innominate_sdf",
]

#: Bell et al. 1989 from the ASIS: 22% posterior, 30% inferior, 14% medial (lateral 81); placed
#: 3 mm more lateral and 3 mm higher, inside Bell's scatter (the fitted frame tilts the bone a
#: little), so the cup's floor is flush with the pelvic wall.
HIP_CENTRE = (-49.5, -64.5, 84.0)
#: Angle of the acetabular axis to the vertical in the frontal plane (anatomical inclination
#: ~50-55 deg; assumed 52).
ACETABULAR_INCLINATION_DEG = 52.0
PUBIC_TUBERCLE = (-9.0, -74.0, 22.0)
SYMPHYSIS_LOWER_END = (-22.0, -106.0, 9.0)
_OBTURATOR_NORMAL = (0.45, -0.15, 0.88)  # the obturator foramen faces anterolaterally, a little down
_FLOOR_WALL_MM = 2.0  # bone between the acetabular fossa and the pelvic surface (assumed)
_FOSSA_DEPTH_MM = 2.5  # the non-articular fossa lies this much deeper than the lunate surface


def acetabular_axis(params: AnatomyParameters) -> FloatArray:
    """Unit opening direction of the cup (x, y, lateral): lateral, anterior by the anteversion, inferior."""
    incl, av = np.radians(ACETABULAR_INCLINATION_DEG), np.radians(params.anteversion_deg)
    return np.array([np.sin(incl) * np.sin(av), -np.cos(incl), np.sin(incl) * np.cos(av)])


def socket_radius(params: AnatomyParameters) -> float:
    """Radius of the lunate surface in model units (225-mm scale): head radius plus clearance."""
    scale = params.inter_asis_mm / 225.0
    return (params.femoral_head_mm / 2.0 + params.acetabular_clearance_mm) / scale


def spine_tip(params: AnatomyParameters) -> FloatArray:
    """Tip of the ischial spine (x, y, lateral), model units."""
    scale = params.inter_asis_mm / 225.0
    return np.array([-100.0, -86.0, params.ischial_spine_lateral_mm / scale])


def subpubic_ramus_point(params: AnatomyParameters) -> FloatArray:
    """Where the inferior pubic ramus meets the ischial ramus (x, y, lateral), model units.

    It lies on the line from the lower end of the symphysis at half the subpubic angle to the
    vertical (frontal view), so the two inferior rami make the subpubic angle.
    """
    half = np.radians(params.subpubic_angle_deg / 2.0)
    frontal = 28.0  # length of the inferior ramus in the frontal view
    low = np.array(SYMPHYSIS_LOWER_END)
    return low + np.array([-24.0, -frontal * np.cos(half), frontal * np.sin(half)])


def crest_curve() -> FloatArray:
    """Centre line of the iliac crest from the ASIS to the PSIS (x, y, lateral).

    Seen from above it is an S: convex laterally in front (the iliac tubercle is the widest
    point), concave laterally behind, ending at the PSIS close behind the SI joint.
    """
    return np.array(
        [
            (-5.0, -1.0, 111.0),  # ASIS
            (-21.0, 22.0, 116.0),
            (-42.0, 42.0, 117.5),  # iliac tubercle
            (-66.0, 56.0, 110.0),
            (-88.0, 61.0, 93.0),  # highest
            (-106.0, 56.0, 80.0),
            (-121.0, 38.0, 66.0),
            (-133.0, 10.0, 47.0),  # PSIS
        ]
    )


def brim_curve(params: AnatomyParameters | None = None) -> FloatArray:
    """Lower border of the iliac fossa, matched to the crest points: the AIIS, then the arcuate
    line (pelvic brim) back to the top of the SI joint and on to the posterior iliac spines.

    The variant's ``brim_middle_widening_mm`` and ``brim_posterior_widening_mm`` move the
    arcuate line laterally above the acetabulum and in front of the SI joint (the middle and
    the back of the pelvic inlet), which sets the inlet's width and where it is widest.
    """
    brim = np.array(
        [
            (-14.0, -36.0, 100.0),  # anterior inferior iliac spine
            (-32.0, -33.0, 74.0),
            (-50.0, -20.0, 57.0),  # arcuate line, above the acetabulum
            (-68.0, 6.0, 60.0),
            (-86.0, 24.0, 62.0),
            (-104.0, 31.0, 62.0),  # above the SI joint
            (-120.0, 20.0, 60.0),
            (-131.0, 0.0, 48.0),
        ]
    )
    if params is not None:
        scale = params.inter_asis_mm / 225.0
        # the middle moves point 2 (and half as much point 1), the back point 3; point 4 and
        # those behind it stay, so the ilium still meets the sacrum at the SI joint as before
        middle, back = params.brim_middle_widening_mm / scale, params.brim_posterior_widening_mm / scale
        brim[1:4, 2] += [0.5 * middle, middle, back]
    return brim


def ilium_body_curve() -> FloatArray:
    """Lowest border of the iliac plate: acetabular roof to the greater sciatic notch."""
    return np.array(
        [
            (-14.0, -36.0, 100.0),
            (-30.0, -42.0, 88.0),
            (-48.0, -40.0, 80.0),
            (-68.0, -32.0, 72.0),
            (-88.0, -22.0, 66.0),
            (-106.0, -14.0, 60.0),
            (-120.0, -10.0, 56.0),
            (-130.0, -6.0, 47.0),
        ]
    )


def wing_surface(
    params: AnatomyParameters | None = None, n_u: int = 46, n_v: int = 18
) -> tuple[FloatArray, FloatArray]:
    """Sample the ilium as a curved sheet; returns points (x, y, lateral) and half-thickness.

    The sheet runs from the ilium body up to the arcuate line and on up to the crest; its
    middle is pushed laterally, so the inside is the concave iliac fossa and the outside the
    convex gluteal surface. Thin in the fossa, thicker at its borders, as on a real bone.
    """
    from scipy.interpolate import CubicSpline

    curves = [ilium_body_curve(), brim_curve(params), crest_curve()]
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
    fossa = np.sin(np.pi * upper[..., 0]) * np.sin(np.pi * np.clip(uu * 1.15, 0, 1))
    pts[..., 2] += 9.0 * fossa
    half_thickness = 2.4 + 1.8 * (1 - np.sin(np.pi * upper[..., 0])) + 1.5 * (1 - lower[..., 0])
    return pts, half_thickness


def left_innominate_sdf(p: FloatArray, params: AnatomyParameters) -> FloatArray:
    """Signed distance (mm) to the left innominate at pelvis-frame points (225-mm scale).

    The joints are carved here: the bone keeps clear of the sacrum by the SI joint space and
    of the midline by half the pubic gap (both in model units).
    """
    scale = params.inter_asis_mm / 225.0
    si_space, pubic_gap = params.si_joint_space_mm / scale, params.pubic_gap_mm / scale
    c = CulledField(p)
    H = left_points(HIP_CENTRE)[0]
    axis = left_points(acetabular_axis(params))[0]
    rs = socket_radius(params)

    def L(*rows: tuple[float, float, float]) -> FloatArray:
        return left_points(rows)

    # Iliac wing, crest, ASIS, tubercle, PSIS, AIIS and PIIS.
    grid, half_t = wing_surface(params)
    grid[..., 2] *= -1
    lo, hi = grid.reshape(-1, 3).min(0), grid.reshape(-1, 3).max(0)
    d = c.eval(lambda q: sheet_distance(q, grid, half_t), lo, hi)
    from scipy.interpolate import CubicSpline

    crest = left_points(crest_curve())
    # a smooth tube along the spline through the crest points (no beads at the joints)
    t = np.linspace(0.0, 1.0, len(crest))
    fine = np.linspace(0.0, 1.0, 29)
    tube = CubicSpline(t, crest, axis=0)(fine)
    radii = np.interp(fine, t, [5.0, 6.0, 7.5, 6.5, 6.0, 6.0, 6.5, 7.0])
    d = sdf.smooth_union(d, c.chain(tube, radii, k=0.0), 4.0)
    d = sdf.smooth_union(d, c.sphere(crest[0] + [-1.0, 0, 0], 7.0), 4.0)  # ASIS
    d = sdf.smooth_union(d, c.sphere(L((-40.0, 41.0, 119.5))[0], 7.5), 4.0)  # iliac tubercle
    d = sdf.smooth_union(d, c.sphere(crest[-1] + [-1.0, -2.0, 0], 8.0), 4.0)  # PSIS
    d = sdf.smooth_union(d, c.cone(L((-20.0, -40.0, 92.0))[0], L((-12.0, -33.0, 101.0))[0], 9.0, 7.0), 5.0)  # AIIS
    d = sdf.smooth_union(d, c.sphere(L((-131.0, -12.0, 52.0))[0], 6.5), 4.0)  # PIIS

    # Body of the ilium: acetabular roof back to the SI joint (upper border of the greater
    # sciatic notch), and the pelvic brim as a rounded ridge on its inner side.
    roof = H + L((-2.0, 22.0, -8.0))[0] * [1, 1, 1]
    d = sdf.smooth_union(d, c.cone(roof, L((-100.0, -14.0, 62.0))[0], 16.0, 14.0), 8.0)
    d = sdf.smooth_union(d, c.cone(L((-100.0, -14.0, 62.0))[0], L((-126.0, -6.0, 56.0))[0], 14.0, 15.0), 8.0)
    d = sdf.smooth_union(d, c.chain(L(*brim_curve(params)[1:6]), [4.0, 4.0, 4.0, 4.0, 4.0], 3.0), 3.0)

    # Auricular block: a shell over the sacrum's auricular face, from inside the joint space
    # (so the iliac ridge fills the sacral groove after carving) out to 12 mm, limited to the
    # L; carving by the dilated sacrum below leaves an exact, congruent joint surface.
    q = sacral_coordinates(p, params)
    face = auricular_face(q, 1.0, params.sacrum_width_scale)
    shell = np.maximum(si_space - 4.0 - face, face - (si_space + 12.0))
    d = sdf.smooth_union(d, np.maximum(shell, auricular_l_distance(q) - AURICULAR_L["radius"]), 3.0)
    shift = sacral_offset(params)
    for end in ("cranial_end", "caudal_end"):
        a = np.array([*AURICULAR_L["corner"], -63.0]) + shift
        b = np.array([*AURICULAR_L[end], -63.0]) + shift
        d = sdf.smooth_union(d, c.cone(a, b, AURICULAR_L["radius"] + 3, AURICULAR_L["radius"] + 3), 6.0)
    d = sdf.smooth_union(d, c.ellipsoid(L((-126.0, 18.0, 60.0))[0], (11.0, 22.0, 10.0)), 8.0)  # iliac tuberosity

    # Acetabulum: a cup around the socket sphere. Its pelvic (inner) side is cut flat and
    # flush with the brim (the quadrilateral surface), so nothing bulges into the pelvis.
    floor = H[2] + rs + _FOSSA_DEPTH_MM + _FLOOR_WALL_MM  # z of the pelvic surface behind the cup (left: z < 0)
    cup = c.sphere(H - axis * 2.0, rs + 6.5)  # rim diameter ~2 * (rs + 6): acetabulum width 56-62 mm
    cup = sdf.smooth_union(cup, c.sphere(H - axis * 10.0, rs + 6.0), 6.0)  # bone behind the rim
    cup = sdf.smooth_intersection(cup, p[:, 2] - floor, 2.0)
    cup = sdf.smooth_intersection(cup, (p - H) @ axis, 1.5)  # the rim: the cup ends at its equator
    d = sdf.smooth_union(d, cup, 6.0)
    # Quadrilateral plate: the flat pelvic wall from the cup down and back to the ischium.
    plate_axis = [0.0, 0.0, 1.0]
    d = sdf.smooth_union(
        d, c.bar(L((-40.0, -58.0, 0.0))[0] + [0, 0, floor - 3.0], L((-72.0, -62.0, 0.0))[0] + [0, 0, floor - 3.0],
                 18.0, 3.0, plate_axis), 5.0,
    )  # fmt: skip

    # Pubis: superior ramus (flat on top: the pecten), pubic body and tubercle.
    ramus_start = L((-33.0, -57.0, 64.0 + params.pubic_ramus_shift_mm / scale))[0]
    d = sdf.smooth_union(d, c.bar(ramus_start, L((-14.0, -76.0, 24.0))[0], 10.0, 6.0, L((0.25, 1.0, 0.1))[0]), 6.0)
    d = sdf.smooth_union(d, c.ellipsoid(L((-19.0, -90.0, 10.0))[0], (9.0, 21.0, 13.0)), 6.0)
    d = sdf.smooth_union(d, c.sphere(L(PUBIC_TUBERCLE)[0], 5.5), 3.0)
    # Inferior pubic ramus and ischial ramus: flat bars framing the obturator foramen.
    obturator = L(_OBTURATOR_NORMAL)[0]
    ramus_point = left_points(subpubic_ramus_point(params))[0]
    tuber = L((-82.0, -124.0, 55.0))[0]
    # The inferior ramus lies along the line of half the subpubic angle through the lower end of
    # the symphysis and runs on medially past the midline (cut there by the symphysis), so its
    # lower border is straight and parallel to that line: the two rami make the subpubic angle.
    low = np.array(SYMPHYSIS_LOWER_END)
    run = subpubic_ramus_point(params) - low
    start = low - run * (low[2] + 4.0) / run[2]
    d = sdf.smooth_union(d, c.bar(left_points(start)[0], ramus_point, 8.5, 4.0, obturator), 5.0)
    d = sdf.smooth_union(d, c.bar(ramus_point, tuber + [8.0, -2.0, -4.0], 8.0, 4.5, obturator), 5.0)
    # Ischial tuberosity, the ischial body up to the acetabulum, and the ischial spine between
    # the greater (above) and lesser (below) sciatic notches.
    d = sdf.smooth_union(d, c.ellipsoid(tuber, (13.0, 17.0, 10.0)), 6.0)
    d = sdf.smooth_union(
        d, c.cone(tuber + [2.0, 10.0, 0.0], H + L((-24.0, -8.0, -8.0))[0] * [1, 1, 1], 11.0, 15.0), 7.0
    )
    tip = left_points(spine_tip(params))[0]
    d = sdf.smooth_union(d, c.cone(L((-82.0, -80.0, 62.0))[0], tip, 7.0, 2.5), 4.0)

    # Hollow the cup: lunate surface (socket sphere), deeper fossa towards the notch, and
    # the acetabular notch cut through the inferior rim; the rim is the cup's equator.
    down = np.array([0.0, -1.0, 0.0]) - (np.array([0.0, -1.0, 0.0]) @ axis) * axis
    down /= np.linalg.norm(down)
    d = sdf.smooth_subtraction(d, c.cone(H, H + axis * 40.0, rs, rs), 1.5)  # socket and its mouth
    fossa_dir = -axis * 0.75 + down * 0.66
    fossa_dir /= np.linalg.norm(fossa_dir)
    fossa_r = 12.0
    d = sdf.smooth_subtraction(d, c.sphere(H + fossa_dir * (rs + _FOSSA_DEPTH_MM - fossa_r), fossa_r), 1.5)
    d = sdf.smooth_subtraction(d, c.cone(H + down * (rs - 8.0), H + down * (rs + 14.0) + axis * 6.0, 10.5, 13.0), 2.0)
    # Carve the joints.
    d = sdf.smooth_intersection(d, si_space - sacrum_sdf(p, params), 1.5)
    d = sdf.smooth_intersection(d, p[:, 2] + pubic_gap / 2.0, 1.5)
    return d
