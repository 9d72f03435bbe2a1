"""From signed-distance fields to clean, closed, consistently wound triangle meshes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pelvis3d.anatomy.sdf import FloatArray

__all__ = ["contour", "clean", "symmetrize"]


def contour(sdf_fn: Callable[[FloatArray], FloatArray], lo: FloatArray, hi: FloatArray, voxel: float):
    """Marching-cubes surface of ``sdf_fn < 0`` on a grid from ``lo`` to ``hi`` (mm, ``voxel`` spacing)."""
    from skimage.measure import marching_cubes

    n = np.round((hi - lo) / voxel).astype(int) + 1
    axes = [lo[i] + voxel * np.arange(n[i]) for i in range(3)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    vol = sdf_fn(grid).reshape(n)
    # A level just off zero keeps flat faces that coincide with grid planes from degenerating.
    verts, faces, _, _ = marching_cubes(vol, level=1e-3, spacing=(voxel,) * 3, gradient_direction="ascent")
    return verts + lo, faces.astype(np.int64)


def clean(verts: FloatArray, faces: np.ndarray, iterations: int, target_faces: int):
    """Keep the largest part, Taubin-smooth it, decimate to ``target_faces``; closed and outward."""
    import trimesh
    import trimesh.smoothing

    mesh = trimesh.Trimesh(verts, faces, process=True)
    parts = mesh.split(only_watertight=False)
    mesh = max(parts, key=lambda m: len(m.faces))
    if iterations:
        trimesh.smoothing.filter_taubin(mesh, lamb=0.5, nu=0.53, iterations=iterations)
    if target_faces and len(mesh.faces) > target_faces:
        full = mesh
        # Quadric decimation occasionally pinches a thin spot open; step the target down
        # (deterministically) until the result is closed. It can also leave a stray
        # degenerate pair of faces, so keep the bone itself.
        for attempt in range(40):
            mesh = full.simplify_quadric_decimation(face_count=target_faces - 50 * attempt)
            mesh = max(mesh.split(only_watertight=False), key=lambda m: len(m.faces))
            if mesh.is_watertight and mesh.is_winding_consistent:
                break
    if not (mesh.is_watertight and mesh.is_winding_consistent):
        raise RuntimeError("generated mesh is not closed and consistently wound; try another voxel_mm")
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def symmetrize(mesh):
    """Rebuild a nearly mirror-symmetric mesh from its left half (z <= 0) and that half's mirror."""
    import trimesh
    from trimesh.intersections import slice_faces_plane

    left_v, left_f = slice_faces_plane(
        np.asarray(mesh.vertices), np.asarray(mesh.faces), plane_normal=[0.0, 0.0, -1.0], plane_origin=[0.0, 0.0, 0.0]
    )[:2]
    left_v = np.asarray(left_v).copy()
    left_v[np.abs(left_v[:, 2]) < 1e-5, 2] = 0.0  # exactly on the mirror plane (no -0.0 either)
    left_f = np.asarray(left_f)
    left_f = left_f[~np.all(left_v[left_f][:, :, 2] == 0.0, axis=1)]  # slivers lying in the plane
    right_v = left_v * [1.0, 1.0, -1.0]
    faces = np.vstack([left_f, left_f[:, ::-1] + len(left_v)])
    sym = trimesh.Trimesh(np.vstack([left_v, right_v]), faces, process=False)
    sym.merge_vertices(digits_vertex=6)
    sym.remove_unreferenced_vertices()
    if not (sym.is_watertight and sym.is_winding_consistent):
        raise RuntimeError("sacrum symmetrisation did not give a closed mesh")
    return sym
