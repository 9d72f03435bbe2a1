"""Build the three bones of one pelvis variant, with landmarks, joint surfaces and joints."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from pelvis3d.anatomy.derive import derive_joint_surfaces
from pelvis3d.anatomy.generator.fields import left_points
from pelvis3d.anatomy.generator.innominate import (
    HIP_CENTRE,
    PUBIC_TUBERCLE,
    crest_curve,
    left_innominate_sdf,
    spine_tip,
)
from pelvis3d.anatomy.generator.meshing import clean, contour, symmetrize
from pelvis3d.anatomy.generator.parameters import AnatomyParameters
from pelvis3d.anatomy.generator.sacrum import sacral_offset, sacrum_sdf
from pelvis3d.anatomy.joints import default_joints
from pelvis3d.anatomy.sdf import FloatArray

__all__ = ["generate", "write_meshes"]


def frame_correction(left: FloatArray, psis_near: FloatArray, radius: float) -> tuple[FloatArray, FloatArray, int, int]:
    """Rigid correction that puts the ASIS midpoint at the origin and the PSIS midpoint on y = 0.

    Returns the rotation (3, 3), translation (3,) and the ASIS and PSIS vertex indices of the
    left innominate (ASIS: most anterior point; PSIS: most posterior point of the spine modelled
    at ``psis_near``, within ``radius`` mm of it, so the auricular block behind the joint of a
    variant can never be taken for it).
    """
    asis_i = int(np.argmax(left[:, 0]))
    spine = np.where(np.linalg.norm(left - psis_near, axis=1) < radius)[0]
    psis_i = int(spine[np.argmin(left[spine, 0])])
    asis_mid = np.array([left[asis_i, 0], left[asis_i, 1], 0.0])
    psis_mid = np.array([left[psis_i, 0], left[psis_i, 1], 0.0]) - asis_mid
    angle = np.arctan2(psis_mid[1], -psis_mid[0])  # rotate about z so the PSIS midpoint has y = 0
    c, s_ = np.cos(angle), np.sin(angle)
    rot = np.array([[c, s_, 0.0], [-s_, c, 0.0], [0.0, 0.0, 1.0]])
    # sign check: the rotated PSIS midpoint must lie on y = 0
    if abs((rot @ psis_mid)[1]) > 1e-9:
        rot = rot.T
    return rot, -rot @ asis_mid, asis_i, psis_i


def generate(params: AnatomyParameters | None = None, name: str = "pelvis3d built-in simplified adult pelvis") -> dict:
    """Build the three bones and their metadata.

    Parameters
    ----------
    params : AnatomyParameters, optional
        Shape and resolution parameters; defaults give the shipped adult meshes.
    name : str
        Name written into the sidecar.

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

    def scaled_sacrum(q: FloatArray) -> FloatArray:
        return sacrum_sdf(q / scale, params) * scale

    v = params.voxel_mm
    # The sacrum grid is symmetric about z = 0 and the mesh is rebuilt from its left half,
    # so the sacrum is exactly mirror-symmetric and left/right metrics mirror exactly.
    sv = params.sacrum_voxel_mm
    half = (np.ceil(64.0 * scale / sv) + 0.5) * sv  # no grid plane at z = 0: clean mirror cut
    sac_lo, sac_hi = np.array([-172.0 * scale, -100.0 * scale, -half]), np.array([-52.0 * scale, 56.0 * scale, half])
    sac_v, sac_f = contour(scaled_sacrum, sac_lo, sac_hi, sv)
    sacrum = symmetrize(clean(sac_v, sac_f, params.smoothing_iterations, params.sacrum_triangles))

    def innominate(q: FloatArray) -> FloatArray:
        return left_innominate_sdf(q / scale, params) * scale

    inn_lo, inn_hi = np.array([-170.0, -156.0, -150.0]) * scale, np.array([12.0, 80.0, 0.0]) * scale
    inn_v, inn_f = contour(innominate, inn_lo, inn_hi, v)
    left = clean(inn_v, inn_f, params.smoothing_iterations, params.innominate_triangles)

    psis_knob = left_points(crest_curve()[-1:])[0] + [-1.0, -2.0, 0.0]  # the PSIS as modelled
    rot, shift, asis_i, psis_i = frame_correction(np.asarray(left.vertices), psis_knob * scale, 12.0 * scale)

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
    hip = place(left_points(HIP_CENTRE) * scale)[0]
    mid = np.abs(sv_[:, 2]) < 3.0 * scale
    top = mid & (sv_[:, 1] > place(np.array([[0.0, 10.0 * scale, 0.0]]))[0, 1])
    promontory = sv_[top][np.argmax(sv_[top][:, 0])]
    s2 = place((np.array([[-107.0, 8.0, 0.0]]) + sacral_offset(params)) * scale)[0]
    spine = nearest_vertex(left, place(left_points(spine_tip(params)) * scale)[0] + [-2.5 * scale, 0.0, 0.0])
    tubercle = nearest_vertex(left, place(left_points(PUBIC_TUBERCLE) * scale)[0] + np.array([3.0, 4.0, 0.0]) * scale)
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
        "ischial_spine": spine,
        "ischial_tuberosity": ischial_tuberosity,
        "iliac_crest_top": crest_top,
    }
    landmarks: dict[str, dict] = {}
    for mark, point in left_marks.items():
        body = "sacrum" if mark == "auricular_centre" else None
        for side, sign in (("left", 1.0), ("right", -1.0)):
            landmarks[f"{side}_{mark}"] = {
                "body": body or f"{side}_innominate",
                "position_mm": rounded(np.asarray(point) * [1.0, 1.0, sign]),
            }
    landmarks["sacral_promontory"] = {"body": "sacrum", "position_mm": rounded(promontory)}
    landmarks["s2"] = {"body": "sacrum", "position_mm": rounded(s2)}
    landmarks["coccyx_tip"] = {"body": "sacrum", "position_mm": rounded(coccyx_tip)}

    sidecar = {
        "format": "pelvis3d-anatomy",
        "version": 1,
        "name": name,
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


def rounded(point: ArrayLike, digits: int = 4) -> list[float]:
    """Coordinates as plain floats rounded to ``digits`` (stable JSON, no -0.0)."""
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
