"""glTF binary (``.glb``) of the bones, posed or animated: one writer, one convention.

Convention (static and animated alike):

* **metres** by default (glTF's unit); ``units="mm"`` on request;
* **glTF's axes**: +Y up, +Z toward the viewer = the pelvis's anterior, +X = the patient's
  left. A root node ``pelvis`` turns the ISB pelvis frame (X anterior, Y superior, Z right) into
  them, so every body node below it keeps pelvis3d's own coordinates;
* one node, one mesh (with vertex normals) and one material (the body's colour) per body;
* ``asset.copyright`` carries the anatomy's attribution; ``extras`` on the root node state the
  exaggeration and the true angles (degrees) of the pose, or of every keyframe of an animation,
  and the units;
* an animation samples the motion: each body node gets LINEAR rotation and translation
  channels (``T_world_body`` of :attr:`pelvis3d.PosedPelvis.world_transforms`).

Bodies beyond the three bones (the legs of an exercise) are written the same way.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from pelvis3d.colours import BODY_COLOURS
from pelvis3d.files import atomic_path
from pelvis3d.kinematics import Pose

__all__ = ["ISB_TO_GLTF", "LEG_COLOUR", "UNIT_SCALE", "glb_bytes", "write_glb", "quaternion"]

#: ISB pelvis frame -> glTF frame (+Y up, +Z forward = anterior, +X = the patient's left).
ISB_TO_GLTF = np.array([[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
#: Millimetres -> output units.
UNIT_SCALE = {"mm": 1.0, "m": 0.001}
#: Colour of leg segments (context, not anatomy of interest).
LEG_COLOUR = "#e7e0d2"

_FLOAT, _UINT = 5126, 5125
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963


def quaternion(rot: NDArray) -> list[float]:
    """A (3, 3) rotation as a unit quaternion ``[x, y, z, w]`` (glTF's order)."""
    q = Rotation.from_matrix(np.asarray(rot, float)).as_quat()
    return [float(v) for v in q / np.linalg.norm(q)]


def _linear_rgba(colour: str) -> list[float]:
    c = colour.lstrip("#")
    srgb = np.array([int(c[i : i + 2], 16) for i in (0, 2, 4)]) / 255.0
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return [float(v) for v in lin] + [1.0]


def _vertex_normals(vertices: NDArray, faces: NDArray) -> NDArray[np.float32]:
    import trimesh

    normals = np.asarray(trimesh.Trimesh(vertices, faces, process=False).vertex_normals, np.float32)
    bad = ~np.isfinite(normals).all(axis=1) | (np.linalg.norm(normals, axis=1) < 0.5)
    normals[bad] = [0.0, 1.0, 0.0]
    return normals / np.linalg.norm(normals, axis=1, keepdims=True)


class _Buffer:
    """The GLB binary chunk with its buffer views and accessors."""

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
            accessor["min"] = [float(x) if component == _FLOAT else int(x) for x in a.min(axis=0)]
            accessor["max"] = [float(x) if component == _FLOAT else int(x) for x in a.max(axis=0)]
        self.accessors.append(accessor)
        return len(self.accessors) - 1


def _angles(pose: Pose) -> dict[str, float]:
    return {name: value for name, value in pose.as_dict().items() if value != 0.0}


def glb_bytes(
    bodies: Mapping[str, tuple[NDArray, NDArray]],
    transforms: Sequence[Mapping[str, NDArray]],
    poses: Sequence[Pose],
    *,
    times: Sequence[float] | None = None,
    exaggeration: float = 1.0,
    units: str = "m",
    attribution: str = "",
    name: str = "pelvis",
) -> bytes:
    """The GLB file of ``bodies`` posed by ``transforms`` (one frame: static; several with
    ``times``: animated).

    Parameters
    ----------
    bodies : mapping
        ``{body: (vertices (N, 3) mm, faces (M, 3))}`` in neutral pelvis coordinates.
    transforms : sequence of mappings
        Per frame, ``{body: T_world_body (4, 4)}`` (mm).
    poses : sequence of Pose
        The true pose of each frame (written to ``extras``).
    times : sequence of float, optional
        Keyframe times (s); required for more than one frame.
    exaggeration : float
        The display factor the transforms were made with (written to ``extras``).
    units : {"m", "mm"}
    attribution : str
        The anatomy's credit, written to ``asset.copyright``.
    name : str
        The animation's name.
    """
    scale = UNIT_SCALE[units]
    animated = len(transforms) > 1
    if animated and (times is None or len(times) != len(transforms)):
        raise ValueError("an animation needs one time per frame of transforms")
    buf = _Buffer()
    names = list(bodies)
    extras: dict = {
        "units": units,
        "exaggeration": float(exaggeration),
        "frame": "ISB pelvis frame under node 'pelvis'",
    }
    if animated:
        extras["true_angles_deg"] = [
            {"time_s": float(t), "pose": _angles(p)} for t, p in zip(times, poses, strict=True)
        ]
    else:
        extras["true_angles_deg"] = _angles(poses[0])
    asset = {"version": "2.0", "generator": "pelvis3d"}
    if attribution:
        asset["copyright"] = attribution
    gltf: dict = {
        "asset": asset,
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [
            {
                "name": "pelvis",
                "rotation": quaternion(ISB_TO_GLTF),
                "children": list(range(1, 1 + len(names))),
                "extras": extras,
            }
        ],
        "meshes": [],
        "materials": [],
    }
    for i, body in enumerate(names):
        vertices, faces = (np.asarray(a) for a in bodies[body])
        pos = buf.add((vertices * scale).astype(np.float32), _FLOAT, "VEC3", _ARRAY_BUFFER, bounds=True)
        nrm = buf.add(_vertex_normals(vertices, faces), _FLOAT, "VEC3", _ARRAY_BUFFER)
        idx = buf.add(np.asarray(faces, np.uint32).ravel(), _UINT, "SCALAR", _ELEMENT_ARRAY_BUFFER)
        colour = BODY_COLOURS.get(body, LEG_COLOUR)
        gltf["materials"].append(
            {
                "name": body,
                "pbrMetallicRoughness": {
                    "baseColorFactor": _linear_rgba(colour),
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
        first = np.asarray(transforms[0][body])
        gltf["nodes"].append(
            {
                "name": body,
                "mesh": i,
                "rotation": quaternion(first[:3, :3]),
                "translation": [float(v) for v in first[:3, 3] * scale],
            }
        )
    if animated:
        time_acc = buf.add(np.asarray(times, np.float32), _FLOAT, "SCALAR", bounds=True)
        channels, samplers = [], []
        for i, body in enumerate(names):
            rot = np.array([quaternion(np.asarray(tr[body])[:3, :3]) for tr in transforms], np.float32)
            for k in range(1, len(rot)):  # keep quaternions on one hemisphere for smooth slerp
                if np.dot(rot[k], rot[k - 1]) < 0:
                    rot[k] = -rot[k]
            trans = np.array([np.asarray(tr[body])[:3, 3] * scale for tr in transforms], np.float32)
            for path_name, acc in (
                ("rotation", buf.add(rot, _FLOAT, "VEC4")),
                ("translation", buf.add(trans, _FLOAT, "VEC3")),
            ):
                samplers.append({"input": time_acc, "output": acc, "interpolation": "LINEAR"})
                channels.append({"sampler": len(samplers) - 1, "target": {"node": i + 1, "path": path_name}})
            gltf["nodes"][i + 1]["rotation"] = [float(v) for v in rot[0]]
        gltf["animations"] = [{"name": name, "channels": channels, "samplers": samplers}]
    gltf["buffers"] = [{"byteLength": len(buf.data)}]
    gltf["bufferViews"] = buf.views
    gltf["accessors"] = buf.accessors
    return _pack(gltf, bytes(buf.data))


def write_glb(path: Path, data: bytes) -> Path:
    """Write GLB ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _pack(gltf: dict, binary: bytes) -> bytes:
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
