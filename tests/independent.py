"""Independent measurements for tests: trimesh's own closest-point queries on posed meshes,
never pelvis3d's metric code."""

from __future__ import annotations

import numpy as np
import trimesh


def posed_meshes(pelvis, pose, exaggeration=1.0):
    """Posed trimesh meshes built in the test from the transforms (not posed.meshes())."""
    posed = pelvis.posed(pose, exaggeration)
    out = {}
    for body, t in posed.transforms.items():
        m = trimesh.Trimesh(
            np.array(pelvis.anatomy.vertices[body]), np.array(pelvis.anatomy.faces[body]), process=False
        )
        m.apply_transform(np.array(t))
        out[body] = m
    return posed, out


def distances(from_mesh, vertex_ids, to_mesh):
    """Unsigned nearest-surface distances (mm) from some vertices of one mesh to another mesh."""
    _, d, _ = trimesh.proximity.closest_point(to_mesh, from_mesh.vertices[vertex_ids])
    return d
