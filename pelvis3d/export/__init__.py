"""Files for other tools: posed meshes (STL/PLY/OBJ through trimesh), static and animated glTF,
and metrics over time (CSV and plot). Sits on the core only (no pyvista)."""

from __future__ import annotations

from pelvis3d.export.meshes import MESH_FORMATS, export_animation, export_meshes

__all__ = ["MESH_FORMATS", "export_animation", "export_meshes"]
