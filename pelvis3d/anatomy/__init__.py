"""Anatomy: the three bones, their landmarks, joint surfaces and joint definitions.

An anatomy is a folder holding one mesh per body and a JSON sidecar (``pelvis.json``)
with units, landmarks, joint surfaces (vertex index sets) and joints. All positions are
millimetres in the ISB pelvis frame (X anterior, Y superior, Z right; origin at the ASIS
midpoint). The built-in simplified adult pelvis ships in ``meshes/`` and is rebuilt by
``python -m pelvis3d.anatomy.generate``.

This module needs numpy and trimesh only (no rendering libraries).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import AnatomyFileError, UnknownNameError

__all__ = [
    "BODIES",
    "SIDECAR_NAME",
    "Anatomy",
    "Dof",
    "JointSurface",
    "Landmark",
    "ReadOnlyMap",
    "BUILTIN_VARIANTS",
    "builtin_mesh_folder",
    "load_anatomy",
]

#: The three rigid bodies, in drawing order.
BODIES: tuple[str, ...] = ("sacrum", "left_innominate", "right_innominate")
SIDECAR_NAME = "pelvis.json"
#: Names of the built-in variants besides the default adult; each ships in ``meshes/<name>/``.
BUILTIN_VARIANTS: tuple[str, ...] = ("female", "male")
_FRAMES = ("pelvis", "world", *BODIES)


def _readonly(array: NDArray) -> NDArray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


class ReadOnlyMap(Mapping):
    """A read-only name -> value mapping whose unknown keys raise a helpful error."""

    def __init__(self, items: Mapping[str, Any], kind: str) -> None:
        self._items = dict(items)
        self._kind = kind

    def __getitem__(self, key: str) -> Any:
        try:
            return self._items[key]
        except (KeyError, TypeError):
            raise UnknownNameError(f"unknown {self._kind} {key!r}; allowed: {', '.join(self._items)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<{self._kind}s: {', '.join(self._items)}>"


@dataclass(frozen=True)
class Landmark:
    """A named point: ``position_mm`` (3,) in the pelvis frame at neutral, attached to ``body``."""

    name: str
    body: str
    position_mm: NDArray[np.float64]


@dataclass(frozen=True)
class JointSurface:
    """A joint surface patch: indices of ``body``'s mesh vertices that face the partner bone."""

    name: str
    body: str
    joint: str
    vertices: NDArray[np.int64]


@dataclass(frozen=True)
class Dof:
    """One rotational degree of freedom of a joint.

    The child body turns by the DOF's angle (degrees, right-handed) about ``axis`` (unit
    vector, pelvis frame) through ``pivot_mm`` (mm, pelvis frame), relative to its parent.
    Angles inside ``physiological_deg`` are ordinary; beyond it (up to ``hard_deg``) they
    are allowed with a :class:`~pelvis3d.errors.PhysiologicalRangeWarning`; beyond
    ``hard_deg`` they raise :class:`~pelvis3d.errors.LimitError`.
    """

    name: str
    joint: str
    parent: str
    child: str
    axis: NDArray[np.float64]
    pivot_mm: NDArray[np.float64]
    physiological_deg: tuple[float, float]
    hard_deg: tuple[float, float]
    description: str = ""


@dataclass(frozen=True)
class Anatomy:
    """Meshes, landmarks, joint surfaces and DOFs of one pelvis (mm, pelvis frame)."""

    name: str
    vertices: Mapping[str, NDArray[np.float64]]
    faces: Mapping[str, NDArray[np.int64]]
    landmarks: Mapping[str, Landmark]
    joint_surfaces: Mapping[str, JointSurface]
    dofs: Mapping[str, Dof]
    attribution: str = ""
    source: Path | None = None
    derived: Mapping[str, str] = field(default_factory=dict)

    def trimesh(self, body: str):
        """A new ``trimesh.Trimesh`` of ``body`` at neutral (mm); the caller may modify it."""
        import trimesh

        return trimesh.Trimesh(np.array(self.vertices[body]), np.array(self.faces[body]), process=False)


def builtin_mesh_folder() -> Path:
    """Folder of the built-in pelvis: inside the installed package, else the source tree's ``meshes/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "meshes", here.parent / "meshes"):
        if (candidate / SIDECAR_NAME).is_file():
            return candidate
    raise AnatomyFileError(
        f"the built-in pelvis meshes are missing (looked for {SIDECAR_NAME} in {here / 'meshes'} and "
        f"{here.parent / 'meshes'}); reinstall pelvis3d or run 'python -m pelvis3d.anatomy.generate'"
    )


def _is_builtin(folder: Path) -> bool:
    """Whether ``folder`` is the built-in pelvis or one of its variants."""
    try:
        home = builtin_mesh_folder().resolve()
    except AnatomyFileError:
        return False
    return folder.resolve() in (home, *(home / v for v in BUILTIN_VARIANTS))


def _field(data: Mapping, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, Mapping) or key not in data:
        raise AnatomyFileError(f"{where}: missing field '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise AnatomyFileError(f"{where}: field '{key}' has the wrong type ({type(value).__name__})")
    return value


def _vector(value: Any, where: str, length: int = 3) -> NDArray[np.float64]:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AnatomyFileError(f"{where} must be {length} numbers, got {value!r}") from None
    if arr.shape != (length,) or not np.all(np.isfinite(arr)):
        raise AnatomyFileError(f"{where} must be {length} finite numbers, got {value!r}")
    return arr


def _read_mesh(path: Path) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    import trimesh

    if not path.is_file():
        raise AnatomyFileError(f"mesh file {path} does not exist")
    try:
        mesh = trimesh.load(str(path), process=False, force="mesh")
    except Exception as exc:  # trimesh raises many types for corrupt files
        raise AnatomyFileError(f"mesh file {path} could not be read: {exc}") from None
    vertices = np.asarray(getattr(mesh, "vertices", np.empty((0, 3))), dtype=float)
    faces = np.asarray(getattr(mesh, "faces", np.empty((0, 3))), dtype=np.int64)
    if len(vertices) < 4 or len(faces) < 4 or not np.all(np.isfinite(vertices)):
        raise AnatomyFileError(f"mesh file {path} holds no usable triangle mesh")
    return vertices, faces


def load_anatomy(path: str | os.PathLike[str] | None = None) -> Anatomy:
    """Load an anatomy folder (or its ``pelvis.json``); ``None`` loads the built-in pelvis.

    Parameters
    ----------
    path : str or path-like, optional
        A folder holding ``pelvis.json`` and the meshes it names, or the JSON file itself; or
        the name of a built-in variant (``"female"``, ``"male"``) when no such folder exists.

    Returns
    -------
    Anatomy

    Raises
    ------
    AnatomyFileError
        If a file is missing or unreadable, or a field is missing or malformed; the message
        names the file and field.
    """
    folder = builtin_mesh_folder() if path is None else Path(path)
    if path is not None and str(path) in BUILTIN_VARIANTS and not folder.exists():
        folder = builtin_mesh_folder() / str(path)
    sidecar = folder if folder.suffix.lower() == ".json" else folder / SIDECAR_NAME
    folder = sidecar.parent
    if not sidecar.is_file():
        raise AnatomyFileError(f"anatomy sidecar {sidecar} does not exist")
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnatomyFileError(f"anatomy sidecar {sidecar} is not valid JSON: {exc}") from None
    where = str(sidecar)
    units = _field(data, "units", where, str)
    if units != "mm":
        raise AnatomyFileError(f"{where}: field 'units' must be 'mm', got {units!r}")

    bodies = _field(data, "bodies", where, Mapping)
    vertices, faces = {}, {}
    for body in BODIES:
        entry = _field(bodies, body, f"{where}: bodies", Mapping)
        fname = _field(entry, "file", f"{where}: bodies.{body}", str)
        vertices[body], faces[body] = _read_mesh(folder / fname)
        if faces[body].max() >= len(vertices[body]) or faces[body].min() < 0:
            raise AnatomyFileError(f"mesh file {folder / fname} has face indices outside its vertices")
    if not _is_builtin(folder):
        # a user's folder: the same cheap checks as a model file's meshes (the built-in ones are tested)
        from pelvis3d.anatomy.mesh_checks import check_orientation, check_size

        pairs = {b: (vertices[b], faces[b]) for b in BODIES}
        check_size(pairs, "mm", where)
        check_orientation(pairs, where, "pelvis.json: X anterior, Y superior, Z right")

    landmarks = {}
    for name, entry in _field(data, "landmarks", where, Mapping).items():
        body = _field(entry, "body", f"{where}: landmarks.{name}", str)
        if body not in BODIES:
            raise AnatomyFileError(f"{where}: landmarks.{name}.body {body!r} is not one of {', '.join(BODIES)}")
        pos = _vector(
            _field(entry, "position_mm", f"{where}: landmarks.{name}", list), f"{where}: landmarks.{name}.position_mm"
        )
        landmarks[name] = Landmark(name, body, _readonly(pos))

    surfaces = {}
    for name, entry in _field(data, "joint_surfaces", where, Mapping).items():
        w = f"{where}: joint_surfaces.{name}"
        body = _field(entry, "body", w, str)
        if body not in BODIES:
            raise AnatomyFileError(f"{w}.body {body!r} is not one of {', '.join(BODIES)}")
        idx = np.asarray(_field(entry, "vertices", w, list), dtype=np.int64)
        if idx.ndim != 1 or len(idx) < 3 or idx.min() < 0 or idx.max() >= len(vertices[body]):
            raise AnatomyFileError(
                f"{w}.vertices must be at least 3 vertex indices of {body} (0..{len(vertices[body]) - 1})"
            )
        surfaces[name] = JointSurface(name, body, str(entry.get("joint", "")), _readonly(idx))

    dofs = {}
    for j, joint in enumerate(_field(data, "joints", where, list)):
        w = f"{where}: joints[{j}]"
        jname = _field(joint, "name", w, str)
        parent = _field(joint, "parent", w, str)
        child = _field(joint, "child", w, str)
        for frame, label in ((parent, "parent"), (child, "child")):
            if frame not in _FRAMES:
                raise AnatomyFileError(f"{w}.{label} {frame!r} is not one of {', '.join(_FRAMES)}")
        for k, dof in enumerate(_field(joint, "dofs", w, list)):
            wd = f"{w}.dofs[{k}]"
            name = _field(dof, "name", wd, str)
            axis = _vector(_field(dof, "axis", wd, list), f"{wd}.axis")
            norm = np.linalg.norm(axis)
            if norm < 1e-9:
                raise AnatomyFileError(f"{wd}.axis must not be zero")
            pivot = _vector(_field(dof, "pivot_mm", wd, list), f"{wd}.pivot_mm")
            phys = _vector(_field(dof, "physiological_deg", wd, list), f"{wd}.physiological_deg", 2)
            hard = _vector(_field(dof, "hard_deg", wd, list), f"{wd}.hard_deg", 2)
            if not (hard[0] <= phys[0] <= 0.0 <= phys[1] <= hard[1]):
                raise AnatomyFileError(
                    f"{wd}: limits must satisfy hard[0] <= physiological[0] <= 0 <= physiological[1] <= hard[1]"
                )
            dofs[name] = Dof(
                name, jname, parent, child, _readonly(axis / norm), _readonly(pivot),
                (float(phys[0]), float(phys[1])), (float(hard[0]), float(hard[1])), str(dof.get("description", "")),
            )  # fmt: skip
    return Anatomy(
        name=str(data.get("name", folder.name)),
        vertices={b: _readonly(v) for b, v in vertices.items()},
        faces={b: _readonly(f) for b, f in faces.items()},
        landmarks=ReadOnlyMap(landmarks, "landmark"),
        joint_surfaces=ReadOnlyMap(surfaces, "joint surface"),
        dofs=ReadOnlyMap(dofs, "DOF"),
        attribution=str(data.get("attribution", "")),
        source=sidecar,
    )
