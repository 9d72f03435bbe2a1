"""Export posed meshes (STL, PLY, OBJ, GLB) and animated glTF of a motion.

The animated glTF has one node per bone under a root node that turns the ISB pelvis frame
(X anterior, Y superior, Z right) into glTF's (+Y up, +Z forward): each bone's node carries
keyframed rotation and translation channels, not a mesh per frame; each bone keeps its
colour as a material. glTF's unit is the metre, so animations are written in metres.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from pelvis3d.anatomy import BODIES
from pelvis3d.colours import BODY_COLOURS
from pelvis3d.errors import PoseError
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Motion, get_motion
from pelvis3d.validation import known_name, real_number

__all__ = ["MESH_FORMATS", "export_meshes", "export_animation"]

MESH_FORMATS = ("stl", "ply", "obj", "glb")
_UNITS = {"mm": 1.0, "m": 0.001}
#: ISB pelvis frame -> glTF frame (+Y up, +Z forward = anterior, +X = the patient's left).
_ISB_TO_GLTF = np.array([[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


def _pelvis(pelvis) -> Pelvis:
    return pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)


def export_meshes(
    pose: Pose | None,
    path: str | os.PathLike[str],
    *,
    units: str = "mm",
    exaggeration: float = 1.0,
    world: bool = False,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the posed bones.

    Parameters
    ----------
    pose : Pose or None
        True angles, degrees.
    path : path-like
        ``NAME.glb`` for one file with the three bones, or ``NAME.stl`` / ``.ply`` / ``.obj``
        for one file per bone (``NAME_sacrum.stl``, ...).
    units : {"mm", "m"}
        Output units.
    exaggeration : float
        Export the shown (exaggerated) pose.
    world : bool
        Include whole-pelvis posture.

    Returns
    -------
    list of Path
    """
    import trimesh

    out = check_output_path(path, tuple(f".{f}" for f in MESH_FORMATS))
    known_name(units, _UNITS, "units")
    model = _pelvis(pelvis)
    posed = model.posed(pose or Pose(), exaggeration)
    meshes = posed.meshes(world=world)
    for mesh in meshes.values():
        mesh.apply_scale(_UNITS[units])
    written = []
    if out.suffix.lower() == ".glb":
        scene = trimesh.Scene()
        for body, mesh in meshes.items():
            mesh.visual = trimesh.visual.ColorVisuals(mesh, face_colors=_rgba(BODY_COLOURS[body]))
            scene.add_geometry(mesh, node_name=body, geom_name=body)
        with atomic_path(out) as tmp:
            tmp.write_bytes(scene.export(file_type="glb"))
        return [out]
    for body, mesh in meshes.items():
        target = out.with_name(f"{out.stem}_{body}{out.suffix}")
        data = mesh.export(file_type=out.suffix.lower()[1:])
        with atomic_path(target) as tmp:
            tmp.write_bytes(data.encode() if isinstance(data, str) else data)
        written.append(target)
    return written


def _rgba(colour: str) -> list[int]:
    c = colour.lstrip("#")
    return [int(c[i : i + 2], 16) for i in (0, 2, 4)] + [255]


def _linear(colour: str) -> list[float]:
    srgb = np.array(_rgba(colour)[:3]) / 255.0
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return [float(v) for v in lin] + [1.0]


class _Buffer:
    def __init__(self) -> None:
        self.data = bytearray()
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def add(self, array: NDArray, component: int, kind: str, target: int | None = None, bounds: bool = False) -> int:
        while len(self.data) % 4:
            self.data.append(0)
        raw = np.ascontiguousarray(array).tobytes()
        view = {"buffer": 0, "byteOffset": len(self.data), "byteLength": len(raw)}
        if target is not None:
            view["target"] = target
        self.data.extend(raw)
        self.views.append(view)
        accessor = {
            "bufferView": len(self.views) - 1,
            "componentType": component,
            "count": int(len(array)),
            "type": kind,
        }
        if bounds:
            a = np.asarray(array).reshape(len(array), -1)
            accessor["min"] = [float(x) if component == 5126 else int(x) for x in a.min(axis=0)]
            accessor["max"] = [float(x) if component == 5126 else int(x) for x in a.max(axis=0)]
        self.accessors.append(accessor)
        return len(self.accessors) - 1


def export_animation(
    motion: Motion | str,
    path: str | os.PathLike[str],
    *,
    fps: float = 20.0,
    frames: int | None = None,
    exaggeration: float = 5.0,
    amplitude: float | None = None,
    units: str = "m",
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Write a motion as an animated glTF binary (``.glb``).

    Parameters
    ----------
    motion : Motion or str
        A motion, its name, or a motion file.
    path : path-like
        Output ``.glb``.
    fps : float
        Keyframe rate of the sampled animation channels.
    frames : int, optional
        Number of keyframes (default: one pass at ``fps``, end included).
    exaggeration : float
        Display factor for the pelvic-ring angles (the shown motion is animated).
    units : {"m", "mm"}
        Output units (glTF viewers expect metres).

    Returns
    -------
    Path
    """
    out = check_output_path(path, (".glb",))
    known_name(units, _UNITS, "units")
    m = get_motion(motion, amplitude)
    model = _pelvis(pelvis)
    fps = real_number(fps, "fps")
    if not 1 <= fps <= 120:
        raise PoseError(f"fps={fps:g} is outside the allowed range [1, 120]")
    n = int(frames) if frames is not None else max(2, int(round(m.duration * fps)) + 1)
    if n < 2:
        raise PoseError(f"frames must be >= 2, got {frames!r}")
    times = np.linspace(0.0, m.duration, n)
    for t in times:
        model.check_pose(m.pose_at(float(t)))
    scale = _UNITS[units]
    buf = _Buffer()
    gltf: dict = {
        "asset": {"version": "2.0", "generator": "pelvis3d"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"name": "pelvis", "rotation": _quat(_ISB_TO_GLTF), "children": list(range(1, 1 + len(BODIES)))}],
        "meshes": [],
        "materials": [],
        "animations": [],
    }
    import trimesh

    for i, body in enumerate(BODIES):
        mesh = trimesh.Trimesh(
            np.array(model.anatomy.vertices[body]), np.array(model.anatomy.faces[body]), process=False
        )
        normals = np.asarray(mesh.vertex_normals, np.float32)
        bad = ~np.isfinite(normals).all(axis=1) | (np.linalg.norm(normals, axis=1) < 0.5)
        normals[bad] = [0.0, 1.0, 0.0]
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        pos = buf.add((np.asarray(mesh.vertices) * scale).astype(np.float32), 5126, "VEC3", 34962, bounds=True)
        nrm = buf.add(normals.astype(np.float32), 5126, "VEC3", 34962)
        idx = buf.add(np.asarray(mesh.faces, np.uint32).ravel(), 5125, "SCALAR", 34963)
        gltf["materials"].append(
            {
                "name": body,
                "pbrMetallicRoughness": {
                    "baseColorFactor": _linear(BODY_COLOURS[body]),
                    "metallicFactor": 0.0,
                    "roughnessFactor": 0.7,
                },
            }
        )
        gltf["meshes"].append(
            {
                "name": body,
                "primitives": [{"attributes": {"POSITION": pos, "NORMAL": nrm}, "indices": idx, "material": i}],
            }
        )
        gltf["nodes"].append({"name": body, "mesh": i})
    time_acc = buf.add(times.astype(np.float32), 5126, "SCALAR", bounds=True)
    channels, samplers = [], []
    transforms = [model.posed(m.pose_at(float(t)), exaggeration).world_transforms for t in times]
    for i, body in enumerate(BODIES):
        rot = np.array([_quat(np.asarray(tr[body])[:3, :3]) for tr in transforms], np.float32)
        for k in range(1, len(rot)):  # keep quaternions on one hemisphere for smooth slerp
            if np.dot(rot[k], rot[k - 1]) < 0:
                rot[k] = -rot[k]
        trans = np.array([np.asarray(tr[body])[:3, 3] * scale for tr in transforms], np.float32)
        r_acc = buf.add(rot, 5126, "VEC4")
        t_acc = buf.add(trans, 5126, "VEC3")
        for path_name, acc in (("rotation", r_acc), ("translation", t_acc)):
            samplers.append({"input": time_acc, "output": acc, "interpolation": "LINEAR"})
            channels.append({"sampler": len(samplers) - 1, "target": {"node": i + 1, "path": path_name}})
        first = transforms[0][body]
        gltf["nodes"][i + 1]["rotation"] = [float(v) for v in rot[0]]
        gltf["nodes"][i + 1]["translation"] = [float(v) for v in np.asarray(first)[:3, 3] * scale]
    gltf["animations"].append({"name": m.name, "channels": channels, "samplers": samplers})
    gltf["buffers"] = [{"byteLength": len(buf.data)}]
    gltf["bufferViews"] = buf.views
    gltf["accessors"] = buf.accessors
    with atomic_path(out) as tmp:
        tmp.write_bytes(_glb(gltf, bytes(buf.data)))
    return out


def _quat(rot: NDArray) -> list[float]:
    q = Rotation.from_matrix(np.asarray(rot, float)).as_quat()  # x, y, z, w
    return [float(v) for v in q / np.linalg.norm(q)]


def _glb(gltf: dict, binary: bytes) -> bytes:
    text = json.dumps(gltf, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    binary += b"\0" * (-len(binary) % 4)
    total = 12 + 8 + len(text) + 8 + len(binary)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<I4s", len(text), b"JSON")
        + text
        + struct.pack("<I4s", len(binary), b"BIN\0")
        + binary
    )
