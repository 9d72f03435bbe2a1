"""Derive joint surfaces, landmarks and joint pivots from three bone meshes.

Used for user-supplied anatomy and, with the same rules, by the generator of the built-in
pelvis, so a pelvis exported and loaded back through a model file gets the same joint
surfaces. Every derivation is reported in words (``report``), so a user can see what was
taken from the meshes and how.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import AnatomyFileError

__all__ = [
    "LANDMARK_NAMES",
    "vertex_normals",
    "surface_distance",
    "derive_joint_surfaces",
    "derive_landmarks",
    "isb_frame",
    "SEARCH_MM",
]

#: Every landmark :func:`derive_landmarks` gives (and a model file may give instead).
LANDMARK_NAMES: tuple[str, ...] = tuple(
    f"{side}_{n}"
    for side in ("left", "right")
    for n in (
        "asis", "psis", "ischial_tuberosity", "iliac_crest_top", "symphyseal_face_centre", "pubic_tubercle",
        "auricular_centre", "hip_centre",
    )
) + ("sacral_promontory", "s2", "coccyx_tip")  # fmt: skip
#: Bones farther apart than this (mm) at their closest facing points do not form a joint.
SEARCH_MM = 25.0


def surface_distance(
    points: NDArray[np.float64], vertices: NDArray[np.float64], faces: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Signed distance (mm) from points to a triangle mesh, and the mesh's face normal there.

    Negative where a point lies inside the bone (exact closest points; sign by the
    pseudo-normal at the closest point, see :mod:`pelvis3d.distance`).
    """
    from pelvis3d.distance import MeshDistance

    mesh = MeshDistance(np.asarray(vertices, float), np.asarray(faces, np.int64))
    distance, face, _ = mesh.query(np.asarray(points, float))
    return distance, mesh.normals[face, 0]


def vertex_normals(vertices: NDArray, faces: NDArray) -> NDArray:
    """Unit vertex normals (area-weighted face normals), one per vertex."""
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    vn = np.zeros_like(vertices)
    for c in range(3):
        np.add.at(vn, faces[:, c], fn)
    return vn / np.maximum(np.linalg.norm(vn, axis=1, keepdims=True), 1e-300)


def facing_vertices(
    source: tuple[NDArray, NDArray], target: tuple[NDArray, NDArray], label: str, edge_mm: float | None = None
) -> tuple[NDArray[np.int64], str]:
    """Vertices of ``source`` on the region that faces ``target`` across a joint.

    Rule: vertices whose outward normal opposes the target's (the two surfaces face each
    other) and whose signed distance is within the joint's typical gap plus a tolerance
    (0.6 mm, or the source's median edge length / 4.5 for coarse meshes, at most 6 mm);
    the typical gap is the median of the ten facing vertices nearest the partner, and vertices
    more than two tolerances inside it are left out (open meshes can read as deeply inside).
    """
    sv, sf = source
    tv, tf = target
    lo, hi = tv.min(axis=0) - SEARCH_MM, tv.max(axis=0) + SEARCH_MM
    cand = np.where(np.all((sv >= lo) & (sv <= hi), axis=1))[0]
    if len(cand) == 0:
        raise AnatomyFileError(f"{label}: the bones do not face each other (no part within {SEARCH_MM:g} mm)")
    d, tn = surface_distance(sv[cand], tv, tf)
    sn = vertex_normals(sv, sf)[cand]
    facing = (np.einsum("ij,ij->i", sn, tn) < -0.5) & (np.abs(d) < SEARCH_MM)
    if facing.sum() < 3:
        closest = float(np.abs(d).min())
        raise AnatomyFileError(f"{label}: the bones do not face each other (closest facing point {closest:.1f} mm)")
    if edge_mm is None:
        edge_mm = float(np.median(np.linalg.norm(sv[sf[:, 0]] - sv[sf[:, 1]], axis=1)))
    tol = float(min(6.0, max(0.6, edge_mm / 4.5)))
    nearest = np.sort(d[facing][np.argsort(np.abs(d[facing]))[:10]])
    gap = float(np.median(nearest))
    # a band around the typical gap: on open meshes a far vertex can read as deeply "inside"
    chosen = cand[facing & (d <= gap + tol) & (d >= gap - 2 * tol)]
    how = f"{len(chosen)} vertices facing within {gap + tol:.1f} mm (typical gap {gap:.1f} mm + {tol:.1f} mm)"
    return np.sort(chosen), how


def derive_joint_surfaces(
    meshes: Mapping[str, tuple[NDArray, NDArray]], edge_mm: Mapping[str, float] | None = None
) -> tuple[dict[str, NDArray[np.int64]], dict[str, str]]:
    """Joint surfaces from proximity: SI (sacrum with each innominate, both sides of each
    joint) and the two symphyseal faces. Returns index sets and a report per surface.

    ``edge_mm`` gives each body's typical edge length as supplied (before any splitting of
    coarse meshes), which sets how far from parallel facing surfaces may be.
    """
    edge_mm = dict(edge_mm or {})
    out, report = {}, {}
    for side in ("left", "right"):
        inn = meshes[f"{side}_innominate"]
        out[f"{side}_si_innominate"], report[f"{side}_si_innominate"] = facing_vertices(
            inn, meshes["sacrum"], f"{side}_innominate and sacrum", edge_mm.get(f"{side}_innominate")
        )
        sac, how = facing_vertices(meshes["sacrum"], inn, f"sacrum and {side}_innominate", edge_mm.get("sacrum"))
        v = meshes["sacrum"][0]
        # keep the sacral vertices on this side of the midline
        centre = meshes[f"{side}_innominate"][0].mean(axis=0)
        mid = v.mean(axis=0)
        keep = (v[sac] - mid) @ (centre - mid) > 0
        out[f"{side}_si_sacrum"], report[f"{side}_si_sacrum"] = sac[keep], how
    left, right = meshes["left_innominate"], meshes["right_innominate"]
    out["left_pubic_face"], report["left_pubic_face"] = facing_vertices(
        left, right, "left_innominate and right_innominate (pubic symphysis)", edge_mm.get("left_innominate")
    )
    out["right_pubic_face"], report["right_pubic_face"] = facing_vertices(
        right, left, "right_innominate and left_innominate (pubic symphysis)", edge_mm.get("right_innominate")
    )
    return out, report


def isb_frame(left_asis: NDArray, right_asis: NDArray, left_psis: NDArray, right_psis: NDArray) -> NDArray[np.float64]:
    """``T_pelvis_input``: the ISB pelvis frame (Wu et al. 2002) from the four iliac spines.

    Origin at the ASIS midpoint; Z along the ASIS line to the right; X anterior in the plane
    of the ASISs and the PSIS midpoint; Y = Z x X (superior).
    """
    origin = (left_asis + right_asis) / 2
    z = right_asis - left_asis
    z /= np.linalg.norm(z)
    back = (left_psis + right_psis) / 2 - origin
    x = -(back - z * (back @ z))
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    rot = np.vstack([x, y, z])  # rows: pelvis axes in input coordinates
    t = np.eye(4)
    t[:3, :3] = rot
    t[:3, 3] = -rot @ origin
    return t


def derive_landmarks(
    meshes: Mapping[str, tuple[NDArray, NDArray]],
    surfaces: Mapping[str, NDArray[np.int64]],
    given: Mapping[str, NDArray] | None = None,
) -> tuple[dict[str, tuple[str, NDArray]], dict[str, str]]:
    """Landmarks (name -> (body, position mm)) from the meshes, roughly in the pelvis frame
    (X anterior, Y superior, Z right); ``given`` ones are kept. Returns them and a report."""
    given = dict(given or {})
    out: dict[str, tuple[str, NDArray]] = {}
    report: dict[str, str] = {}

    def put(name: str, body: str, value: NDArray, how: str) -> None:
        if name in given:
            out[name] = (body, np.asarray(given[name], float))
            report[name] = "given in the model file"
        else:
            out[name] = (body, np.asarray(value, float))
            report[name] = how

    from pelvis3d.anatomy.plausibility import bell_hip_centre, fit_hip_centre, iliac_spines, s2_centre

    sv = meshes["sacrum"][0]
    for side in ("left", "right"):
        body = f"{side}_innominate"
        v = meshes[body][0]
        asis, psis = iliac_spines(v)
        put(f"{side}_asis", body, asis, "most anterior point of the innominate's upper half")
        put(f"{side}_psis", body, psis, "most posterior point of the innominate's upper half")
        put(f"{side}_ischial_tuberosity", body, v[np.argmin(v[:, 1])], "lowest point of the innominate")
        put(f"{side}_iliac_crest_top", body, v[np.argmax(v[:, 1])], "highest point of the innominate")
        face = surfaces[f"{side}_pubic_face"]
        put(f"{side}_symphyseal_face_centre", body, v[face].mean(axis=0), "centroid of the derived symphyseal face")
        front = v[(np.abs(v[:, 2]) < np.abs(v[face][:, 2]).mean() + 30.0) & (v[:, 1] > v[face][:, 1].min())]
        put(f"{side}_pubic_tubercle", body, front[np.argmax(front[:, 0])], "most anterior point near the symphysis")
        auricular = 0.5 * (
            v[surfaces[f"{side}_si_innominate"]].mean(axis=0) + sv[surfaces[f"{side}_si_sacrum"]].mean(axis=0)
        )
        put(f"{side}_auricular_centre", "sacrum", auricular, "midpoint of the derived SI joint surfaces' centroids")
    la, ra = out["left_asis"][1], out["right_asis"][1]
    inter_asis = np.linalg.norm(ra - la)
    for side in ("left", "right"):
        asis = out[f"{side}_asis"][1]
        bell = bell_hip_centre(asis, float(inter_asis), side)
        fit = fit_hip_centre(*meshes[f"{side}_innominate"], bell)
        if fit is not None:
            how = f"sphere fitted to the acetabulum ({fit[2]} vertices, radius {fit[1]:.1f} mm)"
            put(f"{side}_hip_centre", f"{side}_innominate", fit[0], how)
        else:
            how = "Bell et al. 1989 regression from the ASISs (no acetabular socket found for a sphere fit)"
            put(f"{side}_hip_centre", f"{side}_innominate", bell, how)
    top = sv[sv[:, 1] > np.percentile(sv[:, 1], 60)]
    put("sacral_promontory", "sacrum", top[np.argmax(top[:, 0])], "most anterior point of the sacrum's upper part")
    centres = (out["left_auricular_centre"][1] + out["right_auricular_centre"][1]) / 2
    psis_height = (out["left_psis"][1][1] + out["right_psis"][1][1]) / 2
    s2 = s2_centre(sv, float(psis_height))
    if s2 is not None:
        put("s2", "sacrum", s2, "centre of the sacrum's midline section at the PSIS height (S2 level, McGaugh 2007)")
    else:
        put("s2", "sacrum", centres, "midpoint of the two SI joint centres (the sacrum does not reach the PSIS height)")
    put("coccyx_tip", "sacrum", sv[np.argmin(sv[:, 1])], "lowest point of the sacrum")
    return out, report
