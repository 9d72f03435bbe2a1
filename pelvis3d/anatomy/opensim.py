"""OpenSim models (``.osim``): the pelvis of a musculoskeletal model as a pelvis3d anatomy.

Read with the standard library's XML parser (``xml.etree``; the ``opensim`` package would load a
whole simulation engine to read a few elements). From the model it takes:

* **meshes**: those attached to the pelvis body (the body named ``pelvis``, else the child of the
  ground joint). OpenSim 4 models list them as ``attached_geometry/Mesh/mesh_file``; OpenSim 3
  models as ``VisibleObject`` ``geometry_files`` or ``DisplayGeometry/geometry_file``. Each mesh's
  ``scale_factors`` (written by OpenSim's scale tool) are applied. Meshes are sorted into sacrum,
  left and right innominate by where they lie (a mesh across the midline is the sacrum; otherwise
  the side of ``Z``); one mesh holding several bones is split into its connected pieces first.
  Files are looked for in a folder given by the caller, beside the model, in its ``Geometry/``
  folder, and in the folders of the ``PELVIS3D_GEOMETRY_PATH`` environment variable.
* **landmarks**: ASIS and PSIS markers on the pelvis (names such as ``R.ASIS``, ``RASI``,
  ``L_PSIS``; the side is taken from the marker's position): as given within 20 mm of the bone,
  projected onto the bone (the closest surface point: a skin marker over the spine) within 40 mm
  (assumed soft-tissue depth), else not used; the hip joint centres from the hip joints'
  location in the pelvis frame.
* **attribution**: the model's ``<credits>``.

The model's own pelvis frame is kept (X anterior, Y superior, Z right, OpenSim's origin), so an
OpenSim motion of the same model poses it exactly; everything else (joint surfaces, pivots, the
other landmarks) is derived as for any user anatomy (:func:`pelvis3d.anatomy.user.anatomy_from_meshes`)
and listed in ``anatomy.derived``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import Anatomy, Landmark, ReadOnlyMap
from pelvis3d.errors import AnatomyFileError

__all__ = ["load_osim", "OsimPelvis", "read_osim_pelvis", "GEOMETRY_PATH_VARIABLE"]

#: Environment variable: extra folders (``os.pathsep``-separated) searched for mesh files.
GEOMETRY_PATH_VARIABLE = "PELVIS3D_GEOMETRY_PATH"
_MARKER_TOLERANCE_M = 0.020  # as for landmarks in a model file (pelvis3d.anatomy.user)
#: Skin markers over the iliac spines sit 1-4 cm off the bone (soft tissue; assumed): such a
#: marker is projected onto the bone; farther ones are not used.
_SKIN_MARKER_M = 0.040
_LENGTH_UNITS = {"meters": "m", "meter": "m", "m": "m", "millimeters": "mm", "millimeter": "mm", "mm": "mm"}


@dataclasses.dataclass(frozen=True)
class OsimPelvis:
    """What an ``.osim`` model says about its pelvis (model units, pelvis body frame).

    Attributes
    ----------
    name : str
        The model's name.
    units : {"m", "mm"}
        Its length units.
    meshes : list of (Path, (3,) ndarray)
        Mesh files attached to the pelvis and their scale factors.
    markers : dict of str to (3,) ndarray
        Markers fixed to the pelvis.
    hip_centres : dict of str to (3,) ndarray
        ``"left"``/``"right"``: the hip joints' location in the pelvis frame.
    credits : str
        The model's ``<credits>`` text.
    body : str
        The pelvis body's name.
    """

    name: str
    units: str
    meshes: list
    markers: dict
    hip_centres: dict
    credits: str
    body: str


def _vec(text: str | None, where: str) -> NDArray[np.float64]:
    try:
        v = np.array([float(x) for x in (text or "").split()])
    except ValueError:
        v = np.zeros(0)
    if v.shape != (3,) or not np.all(np.isfinite(v)):
        raise AnatomyFileError(f"{where}: expected 3 numbers, got {text!r}")
    return v


def _last(path: str) -> str:
    """A socket path's last component (``/bodyset/pelvis`` -> ``pelvis``)."""
    return path.strip().rstrip("/").split("/")[-1]


def _search_folders(model: Path, geometry: str | os.PathLike[str] | None) -> list[Path]:
    folders = [Path(geometry)] if geometry is not None else []
    folders += [model.parent, model.parent / "Geometry", model.parent / "geometry"]
    folders += [Path(p) for p in os.environ.get(GEOMETRY_PATH_VARIABLE, "").split(os.pathsep) if p]
    return folders


def read_osim_pelvis(path: str | os.PathLike[str], geometry: str | os.PathLike[str] | None = None) -> OsimPelvis:
    """Parse an ``.osim`` file's pelvis: meshes (found on disk), markers, hip centres, credits.

    Raises
    ------
    AnatomyFileError
        Malformed XML (with its line and column), no pelvis body, no pelvis meshes, a mesh file
        not found (naming it and every folder looked in).
    """
    p = Path(path)
    if not p.is_file():
        raise AnatomyFileError(f"model file {p} does not exist")
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError as exc:
        line, column = exc.position
        raise AnatomyFileError(f"{p} line {line}, column {column}: not well-formed XML ({exc})") from None
    model = root if root.tag == "Model" else root.find("Model")
    if model is None:
        raise AnatomyFileError(f"{p}: no <Model> element; is this an OpenSim model?")
    units = _LENGTH_UNITS.get((model.findtext("length_units") or "meters").strip().lower())
    if units is None:
        raise AnatomyFileError(
            f"{p}: <length_units> {model.findtext('length_units')!r} is not one of {', '.join(_LENGTH_UNITS)}"
        )
    bodies = {b.get("name"): b for b in model.iter("Body")}
    joints = _joints(model)
    name = "pelvis" if "pelvis" in bodies else next((j["child"] for j in joints if j["parent"] == "ground"), None)
    if name not in bodies:
        raise AnatomyFileError(f"{p}: no pelvis body (none named 'pelvis', none attached to the ground)")
    body = bodies[name]
    files = _mesh_entries(body, f"{p}: body {name!r}")
    if not files:
        raise AnatomyFileError(f"{p}: body {name!r} has no mesh files attached (no pelvis geometry to show)")
    folders = _search_folders(p, geometry)
    meshes = []
    for mesh_file, scale in files:
        found = next((f / mesh_file for f in folders if (f / mesh_file).is_file()), None)
        if found is None:
            raise AnatomyFileError(
                f"{p}: pelvis mesh file {mesh_file!r} not found; looked in {', '.join(str(f) for f in folders)}"
            )
        meshes.append((found, scale))
    markers = {}
    for marker in model.iter("Marker"):
        parent = marker.findtext("socket_parent_frame") or marker.findtext("body") or ""
        if _last(parent) == name:
            markers[marker.get("name", "")] = _vec(marker.findtext("location"), f"{p}: marker {marker.get('name')!r}")
    hips = {}
    for joint in joints:
        # a hip with no offset from the pelvis origin says nothing: the hip centres are then derived
        if joint["parent"] == name and joint["child"] != name and np.linalg.norm(joint["location"]) > 0:
            loc = joint["location"]
            child = joint["child"].lower()
            if re.search(r"femur|thigh|hip", child) or re.search(r"hip", joint["name"].lower()):
                hips["right" if loc[2] > 0 else "left"] = loc
    credits = " ".join((model.findtext("credits") or "").split())
    return OsimPelvis(model.get("name", p.stem), units, meshes, markers, hips, credits, name)


def _mesh_entries(body: ET.Element, where: str) -> list[tuple[str, NDArray[np.float64]]]:
    """``(mesh file name, scale factors)`` of the meshes attached to a body (OpenSim 4 and 3)."""
    out = []
    attached = body.find("attached_geometry")
    if attached is not None:
        for mesh in attached.iter("Mesh"):
            f = (mesh.findtext("mesh_file") or "").strip()
            if f:
                scale = mesh.findtext("scale_factors")
                out.append((f, _vec(scale, f"{where} mesh {f!r} scale_factors") if scale else np.ones(3)))
    visible = body.find("VisibleObject")
    if visible is not None:  # OpenSim 3.x
        base = visible.findtext("scale_factors")
        base_scale = _vec(base, f"{where} scale_factors") if base else np.ones(3)
        for f in (visible.findtext("geometry_files") or "").split():
            out.append((f, base_scale))
        for geom in visible.iter("DisplayGeometry"):
            f = (geom.findtext("geometry_file") or "").strip()
            scale = geom.findtext("scale_factors")
            if f:
                out.append((f, base_scale * (_vec(scale, f"{where} mesh {f!r}") if scale else 1.0)))
    unique = {}
    for f, scale in out:  # OpenSim 3 files may name a mesh both ways: once is enough
        unique.setdefault(f, scale)
    return list(unique.items())


def _joints(model: ET.Element) -> list[dict]:
    """Every joint as ``{name, parent, child, location}`` (location of the joint in the parent body)."""
    out = []
    jointset = model.find("JointSet")
    if jointset is not None:  # OpenSim 4: joints with offset frames
        for joint in jointset.find("objects") if jointset.find("objects") is not None else []:
            frames = {}
            for frame in joint.iter("PhysicalOffsetFrame"):
                frames[frame.get("name")] = (
                    _last(frame.findtext("socket_parent") or ""),
                    _vec(frame.findtext("translation") or "0 0 0", f"joint {joint.get('name')!r} frame"),
                )
            ends = []
            for socket in ("socket_parent_frame", "socket_child_frame"):
                ref = _last(joint.findtext(socket) or "")
                ends.append(frames.get(ref, (ref, np.zeros(3))))
            (parent, location), (child, _) = ends
            out.append({"name": joint.get("name", ""), "parent": parent, "child": child, "location": location})
    for body in model.iter("Body"):  # OpenSim 3: each body holds the joint to its parent
        holder = body.find("Joint")
        if holder is None:
            continue
        for joint in holder:
            parent = joint.findtext("parent_body")
            if parent is None:
                continue
            loc = joint.findtext("location_in_parent")
            location = _vec(loc, f"joint {joint.get('name')!r} location_in_parent") if loc else np.zeros(3)
            out.append(
                {
                    "name": joint.get("name", ""),
                    "parent": parent.strip(),
                    "child": body.get("name"),
                    "location": location,
                }
            )
    return out


def _read_triangles(path: Path) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    from pelvis3d.anatomy.vtk_files import VTK_SUFFIXES, read_vtk_triangles

    try:
        if path.suffix.lower() in VTK_SUFFIXES:
            v, f = read_vtk_triangles(path)
        else:
            import trimesh

            mesh = trimesh.load(str(path), force="mesh", process=False)
            v, f = np.asarray(mesh.vertices, float), np.asarray(mesh.faces, np.int64)
    except Exception as exc:  # readers raise many types on corrupt files
        raise AnatomyFileError(f"mesh file {path} could not be read ({type(exc).__name__}: {exc})") from None
    if len(v) < 4 or len(f) < 1:
        raise AnatomyFileError(f"mesh file {path} holds no triangles")
    return v, f


def _classify(pieces: list) -> dict[str, list]:
    """Sort ``(vertices, faces, source)`` pieces into sacrum (across the midline) and left/right (side of Z)."""
    groups: dict[str, list] = {"sacrum": [], "left_innominate": [], "right_innominate": []}
    for v, f, source in pieces:
        z = v[:, 2]
        width = z.max() - z.min()
        if z.min() < 0.0 < z.max() and abs(z.mean()) < 0.25 * width:
            groups["sacrum"].append((v, f, source))
        else:
            groups["right_innominate" if z.mean() > 0 else "left_innominate"].append((v, f, source))
    return groups


def _joined(pieces: list):
    import trimesh

    return trimesh.util.concatenate([trimesh.Trimesh(v, f, process=False) for v, f, _ in pieces])


def load_osim(path: str | os.PathLike[str], geometry: str | os.PathLike[str] | None = None) -> Anatomy:
    """Build a pelvis3d :class:`~pelvis3d.anatomy.Anatomy` from an OpenSim model.

    Parameters
    ----------
    path : path-like
        The ``.osim`` file.
    geometry : path-like, optional
        A folder to look in first for the model's mesh files.

    Returns
    -------
    Anatomy
        In the model's pelvis frame (mm); ``derived`` says what came from the model and what
        was derived from the meshes.
    """
    import trimesh

    from pelvis3d.anatomy.user import anatomy_from_meshes

    p = Path(path)
    osim = read_osim_pelvis(p, geometry)
    pieces = []
    for mesh_path, scale in osim.meshes:
        v, f = _read_triangles(mesh_path)
        pieces.append((v * scale, f, mesh_path if np.all(scale == 1.0) else None))
    groups = _classify(pieces)
    if any(not g for g in groups.values()):  # one mesh holds several bones: split it into its pieces
        split = []
        for v, f, _ in pieces:
            for part in trimesh.Trimesh(v, f, process=True).split(only_watertight=False):
                if len(part.faces) >= 4:
                    split.append((np.asarray(part.vertices), np.asarray(part.faces), None))
        groups = _classify(split)
    empty = [b for b, g in groups.items() if not g]
    if empty:
        names = ", ".join(m.name for m, _ in osim.meshes)
        raise AnatomyFileError(
            f"{p}: the pelvis meshes ({names}) hold no {' or '.join(empty)} (pelvis3d needs the sacrum and both "
            "innominates as separate pieces)"
        )
    meshes = {b: _joined(g) for b, g in groups.items()}
    # a bone that is one whole, unscaled file is passed by its path, so warnings name the file
    sources = {b: g[0][2] for b, g in groups.items() if len(g) == 1 and g[0][2] is not None}
    landmarks, notes = {}, {}
    unit_m = 1.0 if osim.units == "m" else 0.001
    for marker, pos in osim.markers.items():
        key = re.sub(r"[^a-z]", "", marker.lower())
        kind = "asis" if re.search(r"asi", key) else "psis" if re.search(r"psi", key) else None
        if kind is None:
            continue
        side = "right" if pos[2] > 0 else "left"
        bone = meshes[f"{side}_innominate"]
        closest, gap, _ = trimesh.proximity.closest_point(bone, [pos])
        gap_m = float(gap[0]) * unit_m
        if gap_m <= _MARKER_TOLERANCE_M:
            landmarks[f"{side}_{kind}"] = pos
            notes[f"landmark {side}_{kind}"] = f"the model's marker {marker!r}"
        elif gap_m <= _SKIN_MARKER_M:  # a skin marker: the bone point under it
            landmarks[f"{side}_{kind}"] = closest[0]
            notes[f"landmark {side}_{kind}"] = (
                f"the model's marker {marker!r} projected onto the bone ({gap_m * 1000:.0f} mm of soft tissue)"
            )
        else:
            notes[f"marker {marker}"] = f"not used: {gap_m * 1000:.0f} mm from the bone"
    authors = [a.strip() for a in osim.credits.split(",") if a.strip()]
    credit = ", ".join(authors[:2]) + (" et al." if len(authors) > 2 else "") if authors else "no credits in the model"
    anatomy = anatomy_from_meshes(
        *(sources.get(b, meshes[b]) for b in ("sacrum", "left_innominate", "right_innominate")),
        units=osim.units, landmarks=landmarks, frame="as-given",
        attribution=f"Geometry: OpenSim model {osim.name} ({credit})", name=osim.name, source=p, where=str(p),
    )  # fmt: skip
    factor = 1000.0 if osim.units == "m" else 1.0
    marks = dict(anatomy.landmarks.items())
    derived = dict(anatomy.derived)
    derived["frame"] = "the OpenSim model's pelvis body frame (OpenSim motions pose it exactly)"
    derived["credits"] = osim.credits or "none given in the model"
    derived["meshes"] = ", ".join(f"{m.name} (scale {' '.join(f'{s:g}' for s in sc)})" for m, sc in osim.meshes)
    for side, loc in osim.hip_centres.items():
        name = f"{side}_hip_centre"
        marks[name] = Landmark(name, f"{side}_innominate", _frozen(loc * factor))
        notes[f"landmark {name}"] = "the model's hip joint location in the pelvis"
    derived.update(notes)
    return dataclasses.replace(anatomy, landmarks=ReadOnlyMap(marks, "landmark"), derived=derived)


def _frozen(a: NDArray) -> NDArray:
    out = np.array(a, dtype=float)
    out.setflags(write=False)
    return out
