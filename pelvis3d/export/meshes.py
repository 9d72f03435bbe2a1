"""Export posed meshes (STL, PLY, OBJ through trimesh; GLB through :mod:`pelvis3d.export.gltf`)
and animated glTF of a motion.

Both glTF outputs follow one convention (metres, glTF's axes, normals, one material per body,
attribution and true angles in the file; see :mod:`pelvis3d.export.gltf`). STL/PLY/OBJ keep
the pelvis frame and millimetres unless ``units="m"``. Files for other tools carry the true
geometry unless an exaggeration is asked for: :data:`DEFAULT_EXPORT_EXAGGERATION` is 1 for the
command line and the Python functions alike.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pelvis3d.anatomy import BODIES
from pelvis3d.body import body_meshes
from pelvis3d.export.gltf import UNIT_SCALE, glb_bytes, write_glb
from pelvis3d.files import atomic_paths, check_output_path
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.exercises import exercise_transforms
from pelvis3d.motions.motion import Motion, get_motion
from pelvis3d.validation import check_fps, check_frames, known_name

__all__ = ["DEFAULT_EXPORT_EXAGGERATION", "MESH_FORMATS", "export_meshes", "export_animation"]

MESH_FORMATS = ("stl", "ply", "obj", "glb")
#: Exports carry the true pose unless told otherwise (the CLI's --exaggerate has the same default).
DEFAULT_EXPORT_EXAGGERATION = 1.0


def _pelvis(pelvis) -> Pelvis:
    return pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)


def _attribution(model: Pelvis) -> str:
    return str(getattr(model.anatomy, "attribution", "") or "")


def export_meshes(
    pose: Pose | None,
    path: str | os.PathLike[str],
    *,
    units: str | None = None,
    exaggeration: float = DEFAULT_EXPORT_EXAGGERATION,
    world: bool = False,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the posed bones.

    Parameters
    ----------
    pose : Pose or None
        True angles, degrees.
    path : path-like
        ``NAME.glb`` for one file with the three bones (glTF convention: metres by default,
        see :mod:`pelvis3d.export.gltf`), or ``NAME.stl`` / ``.ply`` / ``.obj`` for one file
        per bone (``NAME_sacrum.stl``, ...).
    units : {"mm", "m"} or None
        Output units (default: metres for GLB, millimetres otherwise).
    exaggeration : float
        Export the shown (exaggerated) pose.
    world : bool
        Include whole-pelvis posture.

    Returns
    -------
    list of Path
    """
    out = check_output_path(path, tuple(f".{f}" for f in MESH_FORMATS))
    units = units or ("m" if out.suffix.lower() == ".glb" else "mm")
    known_name(units, UNIT_SCALE, "units")
    model = _pelvis(pelvis)
    pose = pose or Pose()
    posed = model.posed(pose, exaggeration)
    if out.suffix.lower() == ".glb":
        transforms = posed.world_transforms if world else posed.transforms
        bodies = {b: (np.asarray(model.anatomy.vertices[b]), np.asarray(model.anatomy.faces[b])) for b in BODIES}
        data = glb_bytes(
            bodies, [transforms], [pose], exaggeration=exaggeration, units=units, attribution=_attribution(model)
        )
        return [write_glb(out, data)]
    meshes = posed.meshes(world=world)
    for mesh in meshes.values():
        mesh.apply_scale(UNIT_SCALE[units])
    targets = [out.with_name(f"{out.stem}_{body}{out.suffix}") for body in meshes]
    with atomic_paths(targets) as temps:  # the set in one unit: never a mix of old and new files
        for mesh, tmp in zip(meshes.values(), temps, strict=True):
            data = mesh.export(file_type=out.suffix.lower()[1:])
            tmp.write_bytes(data.encode() if isinstance(data, str) else data)
    return targets


def export_animation(
    motion: Motion | str,
    path: str | os.PathLike[str],
    *,
    fps: float = 20.0,
    frames: int | None = None,
    exaggeration: float = DEFAULT_EXPORT_EXAGGERATION,
    amplitude: float | None = None,
    units: str = "m",
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> Path:
    """Write a motion as an animated glTF binary (``.glb``; convention: :mod:`pelvis3d.export.gltf`).

    Parameters
    ----------
    motion : Motion or str
        A motion, its name, or a motion file. A motion with leg angles (an exercise) also
        writes the legs.
    path : path-like
        Output ``.glb``.
    fps : float
        Keyframe rate of the sampled animation channels (1-120).
    frames : int, optional
        Number of keyframes (default: one pass at ``fps``, end included).
    exaggeration : float
        Display factor for the pelvic-ring angles (default 1: the true motion).
    units : {"m", "mm"}
        Output units (glTF viewers expect metres).

    Returns
    -------
    Path
    """
    out = check_output_path(path, (".glb",))
    known_name(units, UNIT_SCALE, "units")
    m = get_motion(motion, amplitude)
    model = _pelvis(pelvis)
    fps = check_fps(fps)
    n = check_frames(frames if frames is not None else max(2, int(round(m.duration * fps)) + 1), "keyframes")
    times = np.linspace(0.0, m.duration, n)
    poses = [m.pose_at(float(t)) for t in times]
    legs = any(p.has_leg_motion() for p in poses) or m.is_exercise
    if legs:
        bodies = body_meshes(model)
        placed = m if getattr(m, "is_exercise", False) else None  # an exercise keeps its foot planted
        transforms = [exercise_transforms(model, p, exaggeration, placed) for p in poses]
    else:
        for p in poses:
            model.check_pose(p)
        bodies = {b: (np.asarray(model.anatomy.vertices[b]), np.asarray(model.anatomy.faces[b])) for b in BODIES}
        transforms = [model.posed(p, exaggeration).world_transforms for p in poses]
    data = glb_bytes(
        bodies,
        transforms,
        poses,
        times=times,
        exaggeration=exaggeration,
        units=units,
        attribution=_attribution(model),
        name=m.name,
    )
    return write_glb(out, data)
