"""User-supplied anatomy: three meshes and a model file (TOML or JSON).

A model file names the three mesh files and how to read them; everything it leaves out is
derived from the meshes and reported. Example (TOML)::

    name = "OpenSim Gait2392 pelvis"
    units = "m"                      # "m" or "mm"
    attribution = "Geometry: OpenSim Gait2392 (Delp et al. 1990), CC BY 3.0"

    [meshes]                         # paths relative to this file; STL, OBJ, PLY, GLB, OFF, VTP, VTK
    sacrum = "sacrum.vtp"
    left_innominate = "l_pelvis.vtp"
    right_innominate = "r_pelvis.vtp"

    [axes]                           # which file axis points anterior, superior, right
    anterior = "+x"
    superior = "+y"
    right = "+z"
    # or instead of [axes]: transform = [[...], [...], [...], [...]]  (file units -> mm frame)

    [landmarks]                      # optional, file coordinates and units
    left_asis = [0.0, 0.0, -0.12]

    [pivots]                         # optional joint pivots, file coordinates and units
    left_rotation = [-0.12, 0.01, -0.05]

After reading, the meshes are put in the ISB pelvis frame built from the iliac spines
(``frame = "isb"``, default) or kept as given (``frame = "as-given"``).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES, Anatomy, Dof, JointSurface, Landmark, ReadOnlyMap
from pelvis3d.anatomy.derive import LANDMARK_NAMES, derive_joint_surfaces, derive_landmarks, isb_frame
from pelvis3d.anatomy.joints import PIVOT_PLACEMENTS, default_joints, place_pivots
from pelvis3d.anatomy.mesh_checks import check_orientation, check_pivot, check_size
from pelvis3d.anatomy.plausibility import (
    MeshQualityWarning,
    check_plausible,
    iliac_spines,
    neutral_contact,
    publish_si_areas,
)
from pelvis3d.anatomy.vtk_files import VTK_SUFFIXES, read_vtk_triangles
from pelvis3d.errors import AnatomyFileError

__all__ = ["MeshQualityWarning", "anatomy_from_meshes", "load_model_file", "MESH_SUFFIXES", "UNITS"]

UNITS = {"mm": 1.0, "m": 1000.0}
MESH_SUFFIXES = (".stl", ".obj", ".ply", ".glb", ".gltf", ".off", ".vtp", ".vtk", ".vtu")
_AXIS_WORDS = {"+x": (0, 1.0), "-x": (0, -1.0), "+y": (1, 1.0), "-y": (1, -1.0), "+z": (2, 1.0), "-z": (2, -1.0)}
_LANDMARK_TOLERANCE_MM = 20.0
_COARSE_EDGE_MM = 6.0
#: Largest turn between a file's axes and the ISB frame built from its iliac spines (deg;
#: OpenSim's pelvis frame is ~15 deg from the ASIS-PSIS plane; assumed bound).
_MAX_FRAME_TURN_DEG = 45.0
_SPLIT_EDGE_MM = 4.0


def _readonly(a: NDArray) -> NDArray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def _read_mesh(source: Any, label: str) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Vertices and triangles from a path (any trimesh or VTK format) or a mesh object."""
    if hasattr(source, "vertices") and hasattr(source, "faces"):  # trimesh
        return np.asarray(source.vertices, float), np.asarray(source.faces, np.int64)
    if hasattr(source, "points") and hasattr(source, "faces"):  # pyvista
        mesh = source.extract_surface(algorithm="dataset_surface").triangulate()
        return np.asarray(mesh.points, float), np.asarray(mesh.regular_faces, np.int64)
    if not isinstance(source, (str, os.PathLike)):
        raise AnatomyFileError(f"{label}: expected a mesh file path or a mesh object, got {type(source).__name__}")
    path = Path(source)
    if not path.is_file():
        raise AnatomyFileError(f"{label}: mesh file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise AnatomyFileError(
            f"{label}: mesh file {path} has an unsupported type; allowed: {', '.join(MESH_SUFFIXES)}"
        )
    try:
        if suffix in VTK_SUFFIXES:
            vertices, faces = read_vtk_triangles(path)
        else:
            import trimesh

            loaded = trimesh.load(str(path), force="mesh", process=False)
            vertices, faces = np.asarray(loaded.vertices, float), np.asarray(loaded.faces, np.int64)
    except AnatomyFileError:
        raise
    except Exception as exc:  # readers raise many types on corrupt files
        raise AnatomyFileError(f"{label}: mesh file {path} could not be read ({type(exc).__name__}: {exc})") from None
    if len(vertices) < 4 or len(faces) < 4 or not np.all(np.isfinite(vertices)):
        raise AnatomyFileError(f"{label}: mesh file {path} holds no usable triangle mesh")
    return vertices, faces


def _clean(vertices: NDArray, faces: NDArray, label: str) -> tuple[NDArray, NDArray, list[str], float]:
    """Merge duplicate vertices, fix winding where possible; list the problems found."""
    import trimesh

    mesh = trimesh.Trimesh(vertices, faces, process=True)
    problems = []
    if not mesh.is_winding_consistent:
        problems.append("inconsistent winding (repaired)")
        trimesh.repair.fix_winding(mesh)
    if not mesh.is_watertight:
        problems.append("not watertight")
    elif mesh.volume < 0:
        mesh.invert()
    else:
        pass
    if not mesh.is_watertight:
        # outward normals from the mesh's own shape: most faces should point away from its centre
        centre = mesh.vertices.mean(axis=0)
        outward = np.einsum("ij,ij->i", mesh.face_normals, mesh.triangles_center - centre)
        if (outward < 0).mean() > 0.5:
            mesh.invert()
    edges = mesh.edges_unique_length
    vertices, faces = np.asarray(mesh.vertices, float), np.asarray(mesh.faces, np.int64)
    if np.median(edges) > _COARSE_EDGE_MM:
        problems.append(
            f"coarse (median edge {np.median(edges):.0f} mm; split to {_SPLIT_EDGE_MM:g} mm edges, same shape)"
        )
        # more vertices on the same surface, so joint surfaces and colour maps have samples
        from trimesh.remesh import subdivide_to_size

        vertices, faces = subdivide_to_size(vertices, faces, max_edge=_SPLIT_EDGE_MM, max_iter=30)
        merged = trimesh.Trimesh(vertices, faces, process=True)
        vertices, faces = np.asarray(merged.vertices, float), np.asarray(merged.faces, np.int64)
    return vertices, faces, problems, float(np.median(edges))


def _axes_transform(axes: Mapping[str, str] | None, where: str) -> NDArray[np.float64]:
    t = np.eye(4)
    if axes is None:
        return t
    if not isinstance(axes, Mapping):
        raise AnatomyFileError(f"{where}: field 'axes' must be a table with anterior, superior and right")
    unknown = set(axes) - {"anterior", "superior", "right"}
    if unknown:
        raise AnatomyFileError(
            f"{where}: unknown key(s) {', '.join(map(repr, sorted(unknown)))} in 'axes'; allowed: anterior, superior, right"
        )
    rows = []
    for key in ("anterior", "superior", "right"):
        word = axes.get(key)
        if word not in _AXIS_WORDS:
            raise AnatomyFileError(f"{where}: field 'axes.{key}' must be one of {', '.join(_AXIS_WORDS)}, got {word!r}")
        index, sign = _AXIS_WORDS[word]
        row = np.zeros(3)
        row[index] = sign
        rows.append(row)
    rot = np.vstack(rows)
    if abs(abs(np.linalg.det(rot)) - 1.0) > 1e-9:
        raise AnatomyFileError(f"{where}: field 'axes' uses the same file axis twice")
    if np.linalg.det(rot) < 0:
        raise AnatomyFileError(f"{where}: field 'axes' describes a mirrored (left-handed) frame")
    t[:3, :3] = rot
    return t


def anatomy_from_meshes(
    sacrum: Any,
    left_innominate: Any,
    right_innominate: Any,
    *,
    units: str | None = None,
    axes: Mapping[str, str] | None = None,
    transform: Any = None,
    landmarks: Mapping[str, Any] | None = None,
    pivots: Mapping[str, Any] | None = None,
    frame: str = "isb",
    separate_joints: bool = False,
    pivot_placement: str = "auricular-centre",
    attribution: str = "",
    name: str = "user pelvis",
    source: Path | None = None,
    where: str = "from_meshes",
) -> Anatomy:
    """Build an :class:`~pelvis3d.anatomy.Anatomy` from three meshes (paths or mesh objects).

    Parameters
    ----------
    sacrum, left_innominate, right_innominate : path or mesh
        Mesh files (STL, OBJ, PLY, GLB, OFF, VTP, VTK) or trimesh / pyvista meshes.
    units : {"mm", "m"}, optional
        Units of the mesh coordinates (and of ``landmarks`` / ``pivots``); not given: mm
        (and a pelvis a thousand times too small is refused as "units missing").
    axes : mapping, optional
        ``{"anterior": "+x", "superior": "+y", "right": "+z"}``: which file axis points where.
    transform : (4, 4) array-like, optional
        Instead of ``axes``: file coordinates (after units) -> pelvis frame, mm.
    landmarks, pivots : mapping, optional
        Known landmark positions / DOF pivots (file coordinates and units).
    frame : {"isb", "as-given"}
        Re-frame into the ISB pelvis frame from the iliac spines, or keep the given frame.
    separate_joints : bool
        Where the bones touch or overlap at neutral, move each innominate rigidly along its
        joint normal until the joints have their published spaces
        (:func:`pelvis3d.anatomy.plausibility.separate_joints`; reported in ``derived``).
        Without it such a pelvis loads with a
        :class:`~pelvis3d.errors.NeutralContactWarning` giving the depth.
    pivot_placement : str
        Where the innominates' SI pivots sit, one of
        :data:`pelvis3d.anatomy.joints.PIVOT_PLACEMENTS` (``pivots`` given explicitly win).
    attribution : str
        Credit text shown on pictures and printed by the command line.

    Returns
    -------
    Anatomy
        With ``derived`` saying what was derived from the meshes and how.

    Raises
    ------
    AnatomyFileError
        For unreadable input, and for an implausible result (inter-ASIS outside 150-350 mm,
        an ASIS not superior-anterior, a frame turned far from the file's axes), naming what
        failed and which landmark to give.
    """
    units_stated, units = units, units or "mm"
    if units not in UNITS:
        raise AnatomyFileError(f"{where}: field 'units' must be one of {', '.join(UNITS)}, got {units!r}")
    if pivot_placement not in PIVOT_PLACEMENTS:
        raise AnatomyFileError(
            f"{where}: field 'pivot_placement' must be one of {', '.join(PIVOT_PLACEMENTS)}, got {pivot_placement!r}"
        )
    if frame not in ("isb", "as-given"):
        raise AnatomyFileError(f"{where}: field 'frame' must be 'isb' or 'as-given', got {frame!r}")
    scale = UNITS[units]
    if transform is not None and axes is not None:
        raise AnatomyFileError(f"{where}: give 'axes' or 'transform', not both")
    if transform is not None:
        try:
            t_in = np.asarray(transform, dtype=float)
        except (TypeError, ValueError):
            t_in = np.full(1, np.nan)
        if t_in.shape != (4, 4) or not np.all(np.isfinite(t_in)):
            raise AnatomyFileError(f"{where}: field 'transform' must be a 4x4 matrix of numbers")
        r = t_in[:3, :3]
        if not np.allclose(r @ r.T, np.eye(3), atol=1e-6) or np.linalg.det(r) < 0:
            raise AnatomyFileError(f"{where}: field 'transform' must be a rigid (rotation + translation) matrix")
    else:
        t_in = _axes_transform(axes, where)
    derived: dict[str, str] = {}
    raw = {"sacrum": sacrum, "left_innominate": left_innominate, "right_innominate": right_innominate}
    meshes: dict[str, tuple[NDArray, NDArray]] = {}
    edge_mm: dict[str, float] = {}
    for body in BODIES:
        v, f = _read_mesh(raw[body], f"{where}: meshes.{body}")
        meshes[body] = ((v * scale) @ t_in[:3, :3].T + t_in[:3, 3], f)
    # cheap checks before any repair, subdivision or tree: wrong units or axes fail here, fast
    check_size(meshes, units_stated, where)
    declared = "the given 'transform'" if transform is not None else (
        "[axes] " + ", ".join(f"{k} = {axes[k]}" for k in ("anterior", "superior", "right")) if axes
        else "no [axes]: file +x anterior, +y superior, +z right"
    )  # fmt: skip
    check_orientation(meshes, where, declared)
    for body in BODIES:
        v, f, problems, edge_mm[body] = _clean(*meshes[body], body)
        if problems:
            warnings.warn(
                f"{body} mesh ({_name_of(raw[body])}): {', '.join(problems)}; used as is",
                MeshQualityWarning,
                stacklevel=3,
            )
        meshes[body] = (v, f)

    def to_frame(value: Any, label: str) -> NDArray:
        arr = np.asarray(value, dtype=float) if not isinstance(value, str) else np.array([np.nan])
        if arr.shape != (3,) or not np.all(np.isfinite(arr)):
            raise AnatomyFileError(f"{where}: field '{label}' must be 3 numbers, got {value!r}")
        return (arr * scale) @ t_in[:3, :3].T + t_in[:3, 3]

    given = {k: to_frame(v, f"landmarks.{k}") for k, v in (landmarks or {}).items()}
    given_pivots = {k: to_frame(v, f"pivots.{k}") for k, v in (pivots or {}).items()}
    if set(given_pivots) - set(PIVOT_NAMES):
        raise AnatomyFileError(
            f"{where}: unknown pivot name(s) {', '.join(sorted(set(given_pivots) - set(PIVOT_NAMES)))}; "
            f"allowed: {', '.join(PIVOT_NAMES)}"
        )

    unknown = set(given) - set(LANDMARK_NAMES)
    if unknown:
        raise AnatomyFileError(
            f"{where}: unknown landmark name(s) {', '.join(sorted(unknown))}; allowed: {', '.join(LANDMARK_NAMES)}"
        )
    for k, pos in given.items():  # a landmark far from its bone is a typo: say so before using it
        body = _landmark_body(k)
        far = float(np.min(np.linalg.norm(meshes[body][0] - pos, axis=1)))
        if far > _LANDMARK_TOLERANCE_MM:
            raise AnatomyFileError(
                f"{where}: field 'landmarks.{k}' lies {far:.0f} mm from the {body} mesh (allowed {_LANDMARK_TOLERANCE_MM:g} mm)"
            )
    if frame == "isb":
        t, spines, rounds = _spine_frame(meshes, given, where)
        moved = float(np.degrees(np.arccos(np.clip((np.trace(t[:3, :3]) - 1) / 2, -1, 1))))
        if moved > _MAX_FRAME_TURN_DEG:
            raise AnatomyFileError(
                f"{where}: implausible pelvis: the ISB frame built from the iliac spines is turned {moved:.0f} deg from "
                f"the file's axes (at most {_MAX_FRAME_TURN_DEG:g} deg expected); check [axes], or give left_asis, "
                "right_asis, left_psis and right_psis under [landmarks]"
            )
        derived["frame"] = (
            f"ISB pelvis frame from the ASISs and PSISs (turned {moved:.1f} deg and moved {np.linalg.norm(t[:3, 3]):.1f} mm "
            f"from the file's frame; spines found in {rounds} round(s), each in the frame of the last)"
        )
        meshes = {b: (v @ t[:3, :3].T + t[:3, 3], f) for b, (v, f) in meshes.items()}
        given = {k: p @ t[:3, :3].T + t[:3, 3] for k, p in given.items()}
        given_pivots = {k: p @ t[:3, :3].T + t[:3, 3] for k, p in given_pivots.items()}
        for k, p in spines.items():
            given.setdefault(k, p)
    else:
        derived["frame"] = "as given in the file (no re-framing)"

    surfaces, surface_report = derive_joint_surfaces(meshes, edge_mm)
    for k, how in surface_report.items():
        derived[f"joint surface {k}"] = how
    publish_si_areas(meshes, surfaces, derived, where)
    neutral_contact(meshes, surfaces, given, derived, separate_joints, where)
    spine_names = {f"{s}_{n}" for s in ("left", "right") for n in ("asis", "psis")}
    truly_given = set(landmarks or {})
    marks, mark_report = derive_landmarks(
        meshes, surfaces, {k: p for k, p in given.items() if k in truly_given or k not in spine_names}
    )
    for k, how in mark_report.items():
        if how != "given in the model file":
            derived[f"landmark {k}"] = how
    check_plausible(marks, truly_given, where, meshes)
    lm_json = {k: {"body": b, "position_mm": [float(c) for c in p]} for k, (b, p) in marks.items()}
    joints = default_joints(lm_json)
    dofs: dict[str, Dof] = {}
    for joint in joints:
        for d in joint["dofs"]:
            pivot = np.asarray(d["pivot_mm"], float)
            how = "from the derived landmarks"
            if d["name"] in given_pivots:
                pivot, how = given_pivots[d["name"]], "given in the model file"
                check_pivot(d["name"], pivot, _joint_points(d["name"], meshes, surfaces), where, units)
            elif d["name"].endswith(("_rotation", "_tilt")) and not d["name"].startswith("pelvis"):
                how = "auricular centre (midpoint of the derived SI joint surfaces)"
            elif d["name"] == "nutation":
                how = f"S2 ({mark_report['s2']})"
            if not d["name"].startswith("pelvis"):
                derived[f"pivot {d['name']}"] = how
            axis = np.asarray(d["axis"], float)
            dofs[d["name"]] = Dof(
                d["name"], joint["name"], joint["parent"], joint["child"], _readonly(axis), _readonly(pivot),
                tuple(d["physiological_deg"]), tuple(d["hard_deg"]), d.get("description", ""),
            )  # fmt: skip
    anatomy = Anatomy(
        name=name,
        vertices={b: _readonly(v) for b, (v, _) in meshes.items()},
        faces={b: _readonly(f) for b, (_, f) in meshes.items()},
        landmarks=ReadOnlyMap({k: Landmark(k, b, _readonly(p)) for k, (b, p) in marks.items()}, "landmark"),
        joint_surfaces=ReadOnlyMap(
            {k: JointSurface(k, _surface_body(k), _surface_joint(k), _readonly(idx)) for k, idx in surfaces.items()},
            "joint surface",
        ),
        dofs=ReadOnlyMap(dofs, "DOF"),
        attribution=attribution,
        source=source,
        derived=derived,
    )
    if pivot_placement != "auricular-centre":
        moved = place_pivots(anatomy, pivot_placement)
        keep = {n: d for n, d in anatomy.dofs.items() if n in given_pivots}  # explicit pivots win
        anatomy = replace(moved, dofs=ReadOnlyMap({**dict(moved.dofs), **keep}, "DOF"))
    return anatomy


def _spine_frame(
    meshes: Mapping[str, tuple[NDArray, NDArray]], given: Mapping[str, NDArray], where: str
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]], int]:
    """``T_pelvis_file`` from the iliac spines, and the spines in the pelvis frame.

    "Upper half" and "most anterior" depend on the frame: in a file tilted by tens of degrees
    another point (the AIIS, the pubis) can be the most anterior one. So the spines are found
    again in the frame they give, until they stay put (at most 6 rounds).
    """
    total = np.eye(4)
    spines: dict[str, NDArray[np.float64]] = {}
    rounds = 0
    for rounds in range(1, 7):  # noqa: B007 (reported)
        moved = {b: meshes[b][0] @ total[:3, :3].T + total[:3, 3] for b in ("left_innominate", "right_innominate")}
        found = {}
        for side in ("left", "right"):
            asis, psis = iliac_spines(moved[f"{side}_innominate"])
            for name, point in ((f"{side}_asis", asis), (f"{side}_psis", psis)):
                found[name] = given[name] @ total[:3, :3].T + total[:3, 3] if name in given else point
        if np.linalg.norm(found["right_asis"] - found["left_asis"]) < 1.0:
            raise AnatomyFileError(
                f"{where}: implausible pelvis: the two ASISs coincide; give left_asis and right_asis under [landmarks]"
            )
        step = isb_frame(found["left_asis"], found["right_asis"], found["left_psis"], found["right_psis"])
        total = step @ total
        spines = {k: p @ step[:3, :3].T + step[:3, 3] for k, p in found.items()}
        if np.allclose(step, np.eye(4), atol=1e-6):
            break
    return total, spines, rounds


#: DOFs whose pivot a model file may give.
PIVOT_NAMES = ("left_rotation", "right_rotation", "left_tilt", "right_tilt", "nutation")


def _joint_points(dof: str, meshes: Mapping[str, tuple[NDArray, NDArray]], surfaces: Mapping[str, NDArray]) -> NDArray:
    """Points of the joint a DOF turns (both SI surfaces of its side; the sacrum for nutation)."""
    if dof == "nutation":
        return meshes["sacrum"][0]
    side = dof.split("_", 1)[0]
    return np.vstack(
        [
            meshes[body][0][surfaces[f"{side}_si_{part}"]]
            for part, body in (("innominate", f"{side}_innominate"), ("sacrum", "sacrum"))
        ]
    )


def _landmark_body(name: str) -> str:
    """The bone a landmark name belongs to (``left_*`` / ``right_*`` on that innominate, except
    the auricular centres; the rest on the sacrum)."""
    side = name.split("_", 1)[0]
    if side in ("left", "right") and not name.endswith("auricular_centre"):
        return f"{side}_innominate"
    return "sacrum"


def _name_of(source: Any) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else type(source).__name__


def _surface_body(name: str) -> str:
    if name.endswith("_si_sacrum"):
        return "sacrum"
    return f"{name.split('_', 1)[0]}_innominate"


def _surface_joint(name: str) -> str:
    return "pubic_symphysis" if name.endswith("pubic_face") else f"{name.split('_', 1)[0]}_sacroiliac"


_ALLOWED_KEYS = {
    "name",
    "units",
    "meshes",
    "axes",
    "transform",
    "landmarks",
    "pivots",
    "frame",
    "attribution",
    "separate_joints",
    "pivot_placement",
}


def load_model_file(path: str | os.PathLike[str]) -> Anatomy:
    """Read a model file (``.toml`` or ``.json``) and build its anatomy.

    Raises
    ------
    AnatomyFileError
        Naming the file and the field for every problem: unreadable TOML/JSON, missing or
        unknown fields, missing or unreadable meshes, landmarks far from their bone, bones
        that do not face each other.
    """
    p = Path(path)
    if not p.is_file():
        raise AnatomyFileError(f"model file {p} does not exist")
    text = p.read_bytes()
    try:
        if p.suffix.lower() == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            data = tomllib.loads(text.decode("utf-8"))
        elif p.suffix.lower() == ".json":
            data = json.loads(text.decode("utf-8"))
        else:
            raise AnatomyFileError(f"model file {p} must end in .toml or .json")
    except AnatomyFileError:
        raise
    except Exception as exc:
        kind = "TOML" if p.suffix.lower() == ".toml" else "JSON"
        raise AnatomyFileError(f"model file {p} is not valid {kind}: {exc}") from None
    where = str(p)
    if not isinstance(data, Mapping):
        raise AnatomyFileError(f"{where}: the top level must be a table of fields")
    unknown = set(data) - _ALLOWED_KEYS
    if unknown:
        raise AnatomyFileError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_ALLOWED_KEYS))}"
        )
    meshes = data.get("meshes")
    if not isinstance(meshes, Mapping):
        raise AnatomyFileError(
            f"{where}: missing field 'meshes' (a table naming sacrum, left_innominate, right_innominate)"
        )
    paths = {}
    if set(meshes) - set(BODIES):
        raise AnatomyFileError(
            f"{where}: unknown key(s) {', '.join(sorted(set(meshes) - set(BODIES)))} in 'meshes'; allowed: {', '.join(BODIES)}"
        )
    for body in BODIES:
        entry = meshes.get(body)
        if not isinstance(entry, str):
            raise AnatomyFileError(f"{where}: missing field 'meshes.{body}' (a mesh file path)")
        mesh_path = (p.parent / entry).resolve()
        if not mesh_path.is_file():
            raise AnatomyFileError(f"{where}: field 'meshes.{body}': mesh file {mesh_path} does not exist")
        paths[body] = mesh_path
    units = data.get("units")
    if units is not None and units not in UNITS:
        raise AnatomyFileError(f"{where}: field 'units' must be one of {', '.join(UNITS)}, got {units!r}")
    for key in ("landmarks", "pivots", "axes"):
        if key in data and not isinstance(data[key], Mapping):
            raise AnatomyFileError(f"{where}: field '{key}' must be a table")
    attribution = data.get("attribution", "")
    if not isinstance(attribution, str):
        raise AnatomyFileError(f"{where}: field 'attribution' must be text")
    placement = data.get("pivot_placement", "auricular-centre")
    if placement not in PIVOT_PLACEMENTS:
        raise AnatomyFileError(
            f"{where}: field 'pivot_placement' must be one of {', '.join(PIVOT_PLACEMENTS)}, got {placement!r}"
        )
    separate_joints = data.get("separate_joints", False)
    if not isinstance(separate_joints, bool):
        raise AnatomyFileError(f"{where}: field 'separate_joints' must be true or false, got {separate_joints!r}")
    return anatomy_from_meshes(
        paths["sacrum"], paths["left_innominate"], paths["right_innominate"],
        units=units, axes=data.get("axes"), transform=data.get("transform"), landmarks=data.get("landmarks"),
        pivots=data.get("pivots"), frame=data.get("frame", "isb"), separate_joints=separate_joints, pivot_placement=placement,
        attribution=attribution,
        name=str(data.get("name", p.stem)), source=p, where=where,
    )  # fmt: skip
