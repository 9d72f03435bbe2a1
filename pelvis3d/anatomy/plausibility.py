"""Real meshes, honestly: robust landmark rules, plausibility checks, hip-centre sphere fits,
SI surfaces of published size, and the separation of bones that overlap at neutral.

Published values used here (see also ``biomechanics.md`` in the project's reference notes):

* inter-ASIS distance 225 +/- 20 mm in adults (Ahrend et al. 2020); pelvis3d accepts
  150-350 mm (wide on purpose: children's and large pelvises; outside it a derivation has
  picked the wrong points).
* femoral head diameter 44-49 mm (femur morphometry): an acetabular sphere of radius
  18-32 mm is accepted as a hip socket.
* SI auricular surface 10-11 cm^2 (dry bone, Orthopedics 2003) up to ~15 cm^2 (CT).
* SI joint space 2.3 +/- 0.4 mm under 40 years, 1.9 +/- 0.2 mm over 40 (Clin Radiol 1998);
  pubic symphysis 4.9 +/- 1.1 mm (women) to 5.9 +/- 1.3 mm (men) (Becker et al. 2010).
* The PSIS lies at the S2 level (McGaugh 2007), so S2 is placed on the sacrum's midline at
  the PSIS height.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import AnatomyFileError, NeutralContactWarning

__all__ = [
    "MeshQualityWarning",
    "INTER_ASIS_MM",
    "SI_AREA_CM2",
    "SI_SPACE_MM",
    "PUBIC_SPACE_MM",
    "iliac_spines",
    "s2_centre",
    "fit_hip_centre",
    "vertex_set_area_cm2",
    "grow_surface",
    "check_plausible",
    "bell_hip_centre",
    "joint_min_spaces",
    "separate_joints",
    "publish_si_areas",
    "neutral_contact",
]


class MeshQualityWarning(UserWarning):
    """A user mesh is open, coarse or inconsistently wound; it is used anyway."""


#: Plausible inter-ASIS distance, mm (adults 225 +/- 20, Ahrend et al. 2020; range widened).
INTER_ASIS_MM = (150.0, 350.0)
#: Published SI auricular surface area, cm^2 (Orthopedics 2003; CT studies).
SI_AREA_CM2 = (10.0, 15.0)
#: Published SI joint space, mm (Clin Radiol 1998, under 40 years).
SI_SPACE_MM = 2.3
#: Published pubic symphysis width, mm (Becker et al. 2010, women 4.9 +/- 1.1).
PUBIC_SPACE_MM = 4.9
#: Femoral head radius accepted for an acetabular sphere fit, mm (diameter 44-49 mm; widened).
HEAD_RADIUS_MM = (18.0, 32.0)


def iliac_spines(v: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """ASIS and PSIS of an innominate (roughly in the pelvis frame): the most anterior and
    most posterior vertices of its upper half (above the middle of its height), so the pubis,
    which can reach as far forward as the ASIS, is never taken for it."""
    mid = (v[:, 1].min() + v[:, 1].max()) / 2
    upper = v[v[:, 1] > mid]
    return upper[np.argmax(upper[:, 0])], upper[np.argmin(upper[:, 0])]


def s2_centre(sacrum: NDArray[np.float64], psis_height: float) -> NDArray[np.float64] | None:
    """Centre of the sacrum's midline section at the PSIS height (the S2 level, McGaugh 2007),
    or None when the sacrum does not reach that height."""
    band = sacrum[(np.abs(sacrum[:, 2] - np.median(sacrum[:, 2])) < 15.0) & (np.abs(sacrum[:, 1] - psis_height) < 6.0)]
    if len(band) < 2:
        return None
    return np.array([(band[:, 0].min() + band[:, 0].max()) / 2, psis_height, float(np.median(sacrum[:, 2]))])


def _vertex_normals(v: NDArray[np.float64], f: NDArray[np.int64]) -> NDArray[np.float64]:
    from pelvis3d.anatomy.derive import vertex_normals

    return vertex_normals(v, f)


def fit_hip_centre(
    v: NDArray[np.float64], f: NDArray[np.int64], guess: NDArray[np.float64]
) -> tuple[NDArray[np.float64], float, int] | None:
    """Sphere fitted to the acetabulum near ``guess`` (mm): centre, radius and the number of
    vertices used, or None when the mesh has no socket there.

    The socket is the concave part of the innominate within 40 mm of the guess whose
    normals point toward it; a least-squares sphere through those vertices (twice, the
    second time around the first fit) must have a femoral-head radius and lie within 45 mm
    of the guess.
    """
    from scipy.optimize import least_squares

    normals = _vertex_normals(v, f)
    centre = np.asarray(guess, dtype=float)
    fit = None
    for _ in range(2):
        to_centre = centre - v
        dist = np.linalg.norm(to_centre, axis=1)
        facing = np.einsum("ij,ij->i", normals, to_centre) > 0.7 * dist
        cup = v[facing & (dist < 40.0) & (dist > 5.0)]
        if len(cup) < 12:
            return None
        result = least_squares(lambda p, cup=cup: np.linalg.norm(cup - p[:3], axis=1) - p[3], [*centre, 24.0])
        centre, radius = result.x[:3], float(result.x[3])
        fit = (centre, radius, len(cup))
    assert fit is not None
    if not HEAD_RADIUS_MM[0] <= fit[1] <= HEAD_RADIUS_MM[1] or np.linalg.norm(fit[0] - guess) > 45.0:
        return None
    return fit


def vertex_set_area_cm2(v: NDArray[np.float64], f: NDArray[np.int64], idx: NDArray[np.int64]) -> float:
    """Area of a vertex set (each vertex owns a third of its triangles), cm^2."""
    tri = v[f]
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1) / 2
    per_vertex = np.zeros(len(v))
    for k in range(3):
        np.add.at(per_vertex, f[:, k], area / 3)
    return float(per_vertex[idx].sum() / 100.0)


def grow_surface(
    source: tuple[NDArray[np.float64], NDArray[np.int64]],
    target: tuple[NDArray[np.float64], NDArray[np.int64]],
    seed: NDArray[np.int64],
    area_cm2: float,
    max_gap_mm: float = 10.0,
) -> NDArray[np.int64]:
    """Grow a joint surface over the source mesh from ``seed``, nearest-to-the-partner first,
    through vertices that face the partner within ``max_gap_mm``, until it covers ``area_cm2``."""
    from pelvis3d.anatomy.derive import surface_distance

    sv, sf = source
    d, tn = surface_distance(sv, *target)
    sn = _vertex_normals(sv, sf)
    allowed = (np.einsum("ij,ij->i", sn, tn) < -0.3) & (d < max_gap_mm) & (d > -max_gap_mm)
    tri = sv[sf]
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1) / 2
    per_vertex = np.zeros(len(sv))
    for k in range(3):
        np.add.at(per_vertex, sf[:, k], area / 3)
    neighbours: dict[int, set[int]] = {}
    for a, b in np.concatenate([sf[:, [0, 1]], sf[:, [1, 2]], sf[:, [2, 0]]]):
        neighbours.setdefault(int(a), set()).add(int(b))
        neighbours.setdefault(int(b), set()).add(int(a))
    chosen = set(int(i) for i in seed)
    total = per_vertex[list(chosen)].sum() / 100.0
    import heapq

    frontier = [(abs(float(d[n])), n) for i in chosen for n in neighbours.get(i, ()) if allowed[n] and n not in chosen]
    heapq.heapify(frontier)
    while frontier and total < area_cm2:
        _, n = heapq.heappop(frontier)
        if n in chosen:
            continue
        chosen.add(n)
        total += per_vertex[n] / 100.0
        for m in neighbours.get(n, ()):
            if allowed[m] and m not in chosen:
                heapq.heappush(frontier, (abs(float(d[m])), m))
    return np.array(sorted(chosen), dtype=np.int64)


#: Largest distance between the acetabular sphere's centre and Bell's prediction from the
#: ASISs, mm (Bell's regression errs by ~1-2 cm; assumed bound).
HIP_FROM_BELL_MM = 25.0


def bell_hip_centre(asis: NDArray[np.float64], inter_asis: float, side: str) -> NDArray[np.float64]:
    """Bell et al. 1989: the hip centre 22% posterior, 30% inferior and 14% medial of the
    inter-ASIS distance from the ASIS (mm, pelvis frame)."""
    medial = 1.0 if side == "left" else -1.0
    return asis + inter_asis * np.array([-0.22, -0.30, 0.14 * medial])


def check_plausible(
    marks: Mapping[str, tuple[str, NDArray[np.float64]]],
    given: set[str],
    where: str,
    meshes: Mapping[str, tuple[NDArray[np.float64], NDArray[np.int64]]] | None = None,
) -> None:
    """Refuse a derivation that cannot be a pelvis, naming what failed and which landmark to
    give under ``[landmarks]`` in the model file: the inter-ASIS distance, each ASIS
    superior and anterior, and each hip centre inside its acetabulum (within the bone's
    reach, and where the ASISs place it after Bell et al. 1989).

    Raises
    ------
    AnatomyFileError
    """

    def pos(name: str) -> NDArray[np.float64]:
        return marks[name][1]

    def hint(*names: str) -> str:
        todo = [n for n in names if n not in given]
        return (
            f"; give {' and '.join(todo)} under [landmarks] in the model file"
            if todo
            else "; check the given landmarks"
        )

    inter = float(np.linalg.norm(pos("left_asis") - pos("right_asis")))
    lo, hi = INTER_ASIS_MM
    if not lo <= inter <= hi:
        raise AnatomyFileError(
            f"{where}: implausible pelvis: inter-ASIS distance {inter:.1f} mm is outside {lo:g}-{hi:g} mm "
            f"(adults 225 +/- 20 mm, Ahrend et al. 2020){hint('left_asis', 'right_asis')}"
        )
    for side in ("left", "right"):
        asis, face = pos(f"{side}_asis"), pos(f"{side}_symphyseal_face_centre")
        above = float(asis[1] - face[1])
        ahead = float(asis[0] - pos(f"{side}_auricular_centre")[0])
        if above < 40.0 or ahead < 50.0:
            raise AnatomyFileError(
                f"{where}: implausible pelvis: the {side} ASIS lies {above:.0f} mm above the symphysis and "
                f"{ahead:.0f} mm in front of the SI joint (an ASIS is superior and anterior: at least 40 mm "
                f"and 50 mm, assumed){hint(f'{side}_asis', f'{side}_psis')}"
            )
        hip = pos(f"{side}_hip_centre")
        if asis[0] <= hip[0] or asis[1] <= hip[1]:  # Bell 1989: ~0.22 and ~0.30 inter-ASIS ahead and above
            raise AnatomyFileError(
                f"{where}: implausible pelvis: the {side} ASIS lies {asis[0] - hip[0]:.0f} mm in front of and "
                f"{asis[1] - hip[1]:.0f} mm above the hip centre (an ASIS is anterior and superior of it, Bell et al. "
                f"1989): an axis looks inverted{hint(f'{side}_asis', f'{side}_hip_centre')}"
            )
        off = float(np.linalg.norm(hip - bell_hip_centre(asis, inter, side)))
        if off > HIP_FROM_BELL_MM and f"{side}_hip_centre" not in given:
            raise AnatomyFileError(
                f"{where}: implausible pelvis: the {side} acetabulum's centre lies {off:.0f} mm from where the ASISs "
                f"place the hip (Bell et al. 1989; at most {HIP_FROM_BELL_MM:g} mm assumed): an ASIS is probably "
                f"misplaced{hint(f'{side}_asis', f'{side}_hip_centre')}"
            )
        if meshes is not None:
            reach = float(np.linalg.norm(meshes[f"{side}_innominate"][0] - hip, axis=1).min())
            if not 5.0 <= reach <= 45.0:
                raise AnatomyFileError(
                    f"{where}: implausible pelvis: the {side} hip centre lies {reach:.0f} mm from the nearest bone "
                    f"(inside an acetabulum it is a femoral-head radius, ~22-25 mm, away; 5-45 mm accepted)"
                    f"{hint(f'{side}_hip_centre')}"
                )


def joint_min_spaces(
    meshes: Mapping[str, tuple[NDArray[np.float64], NDArray[np.int64]]], surfaces: Mapping[str, NDArray[np.int64]]
) -> dict[str, float]:
    """Narrowest signed space of each joint at neutral (mm; negative = the bones overlap)."""
    from pelvis3d.anatomy.derive import surface_distance

    out = {}
    for side in ("left", "right"):
        inn = meshes[f"{side}_innominate"]
        d, _ = surface_distance(inn[0][surfaces[f"{side}_si_innominate"]], *meshes["sacrum"])
        out[f"{side} SI joint"] = float(d.min())
    left, right = meshes["left_innominate"], meshes["right_innominate"]
    d, _ = surface_distance(left[0][surfaces["left_pubic_face"]], *right)
    out["pubic symphysis"] = float(d.min())
    return out


def separate_joints(
    meshes: dict[str, tuple[NDArray[np.float64], NDArray[np.int64]]],
    surfaces: Mapping[str, NDArray[np.int64]],
    clearance_mm: float = 0.5,
) -> tuple[dict[str, NDArray[np.float64]], list[str]]:
    """Move each innominate rigidly (a translation) until every joint has its published space.

    First each innominate along its SI joint normal (from the sacrum out through the
    auricular surface) until the SI joint's mean space is at least the published
    :data:`SI_SPACE_MM` and its narrowest point at least ``clearance_mm`` (assumed: cartilage
    everywhere); then, if the symphysis is narrower than the published
    :data:`PUBIC_SPACE_MM` on average or than ``clearance_mm`` anywhere, both innominates
    laterally by half the shortfall each. ``meshes`` is updated in place. Returns the
    translation of each innominate (mm) and a report line per move.
    """
    from pelvis3d.anatomy.derive import surface_distance

    moves = {f"{s}_innominate": np.zeros(3) for s in ("left", "right")}
    report = []

    def shortfall(d: NDArray[np.float64], width: float) -> float:
        return max(clearance_mm - float(d.min()), width - float(d.mean()))

    for side, lateral in (("left", -1.0), ("right", 1.0)):
        body = f"{side}_innominate"
        v, f = meshes[body]
        idx = surfaces[f"{side}_si_innominate"]
        normal = _vertex_normals(v, f)[idx].sum(axis=0)
        normal = -normal / np.linalg.norm(normal)  # the auricular surface faces the sacrum: out is opposite
        if normal[2] * lateral < 0:
            normal = -normal
        first = None
        for _ in range(5):  # the narrowest point can change as the bone moves: a few steps
            d, _ = surface_distance(meshes[body][0][idx], *meshes["sacrum"])
            first = first or (float(d.min()), float(d.mean()))
            short = shortfall(d, SI_SPACE_MM)
            if short <= 0.01:
                break
            meshes[body] = (meshes[body][0] + normal * short, f)
            moves[body] += normal * short
        if first and np.linalg.norm(moves[body]) > 0:
            report.append(
                f"{body} moved {np.linalg.norm(moves[body]):.2f} mm along its SI joint normal (SI space "
                f"narrowest {first[0]:.2f} mm, mean {first[1]:.2f} mm before)"
            )
    for _ in range(5):
        left, right = meshes["left_innominate"], meshes["right_innominate"]
        d, _ = surface_distance(left[0][surfaces["left_pubic_face"]], *right)
        short = shortfall(d, PUBIC_SPACE_MM)
        if short <= 0.01:
            break
        for body, lateral in (("left_innominate", -1.0), ("right_innominate", 1.0)):
            step = np.array([0.0, 0.0, lateral * short / 2])
            meshes[body] = (meshes[body][0] + step, meshes[body][1])
            moves[body] += step
        report.append(
            f"both innominates moved {short / 2:.2f} mm laterally (pubic symphysis narrowest {float(d.min()):.2f} mm, "
            f"mean {float(d.mean()):.2f} mm before)"
        )
    return moves, report


def publish_si_areas(
    meshes: Mapping[str, tuple[NDArray, NDArray]], surfaces: dict[str, NDArray], derived: dict[str, str], where: str
) -> None:
    """Grow SI surfaces smaller than the published area (from where the bones are nearest,
    over the facing region) to the middle of the published range; warn if they cannot."""
    target = sum(SI_AREA_CM2) / 2
    for side in ("left", "right"):
        for name, body, partner in (
            (f"{side}_si_innominate", f"{side}_innominate", "sacrum"),
            (f"{side}_si_sacrum", "sacrum", f"{side}_innominate"),
        ):
            v, f = meshes[body]
            area = vertex_set_area_cm2(v, f, surfaces[name])
            if area >= SI_AREA_CM2[0]:
                continue
            grown = grow_surface(meshes[body], meshes[partner], surfaces[name], target)
            if name.endswith("_sacrum"):  # this side of the midline only
                centre, mid = meshes[partner][0].mean(axis=0), v.mean(axis=0)
                grown = grown[(v[grown] - mid) @ (centre - mid) > 0]
            new = vertex_set_area_cm2(v, f, grown)
            surfaces[name] = grown
            derived[f"joint surface {name}"] += (
                f"; grown from {area:.1f} to {new:.1f} cm^2 over the facing region, nearest first "
                f"(published {SI_AREA_CM2[0]:g}-{SI_AREA_CM2[1]:g} cm^2)"
            )
            if new < SI_AREA_CM2[0]:
                warnings.warn(
                    f"{where}: the {name} surface covers only {new:.1f} cm^2 where the bones face each other "
                    f"(published {SI_AREA_CM2[0]:g}-{SI_AREA_CM2[1]:g} cm^2); SI metrics sample a smaller joint",
                    MeshQualityWarning,
                    stacklevel=4,
                )


def neutral_contact(
    meshes: dict[str, tuple[NDArray, NDArray]],
    surfaces: Mapping[str, NDArray],
    given: dict[str, NDArray],
    derived: dict[str, str],
    separate: bool,
    where: str,
) -> None:
    """Warn with the depth where bones touch at neutral, or separate them when asked."""
    spaces = joint_min_spaces(meshes, surfaces)
    touching = {k: v for k, v in spaces.items() if v <= 0.0}
    if separate:
        moves, report = separate_joints(meshes, surfaces)
        derived["separate_joints"] = "; ".join(report) if report else "every joint already had its published space"
        for name in list(given):  # landmarks given on an innominate move with it
            body = f"{name.split('_', 1)[0]}_innominate"
            if body in moves and not name.endswith("auricular_centre"):
                given[name] = given[name] + moves[body]
        return
    if touching:
        depths = ", ".join(f"{k} {-v:.2f} mm" for k, v in touching.items())
        derived["neutral contact"] = f"the bones overlap at neutral: {depths}"
        warnings.warn(
            f"{where}: the bones overlap at neutral ({depths}); load with separate_joints=True "
            "(model file: separate_joints = true) to move the innominates apart to the published joint spaces",
            NeutralContactWarning,
            stacklevel=4,
        )
