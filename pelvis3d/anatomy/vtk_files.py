"""Triangles from VTK's file formats (``.vtp``, ``.vtu``, ``.vtk``), read with VTK's own readers.

Only VTK's IO and filter modules are loaded (no pyvista, no OpenGL), and only when such a file
is read: OpenSim geometry comes as ``.vtp``, and VTK is the reference reader of its format.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["VTK_SUFFIXES", "read_vtk_triangles"]

VTK_SUFFIXES = (".vtp", ".vtu", ".vtk")


def read_vtk_triangles(path: Path) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The outer surface of the data set in ``path`` as triangles.

    Returns
    -------
    vertices : (N, 3) float array
        In the file's units.
    faces : (M, 3) int array
        Vertex indices.
    """
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkFiltersCore import vtkTriangleFilter
    from vtkmodules.vtkFiltersGeometry import vtkDataSetSurfaceFilter
    from vtkmodules.vtkIOLegacy import vtkDataSetReader
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader, vtkXMLUnstructuredGridReader

    suffix = path.suffix.lower()
    reader = {".vtp": vtkXMLPolyDataReader, ".vtu": vtkXMLUnstructuredGridReader, ".vtk": vtkDataSetReader}[suffix]()
    reader.SetFileName(str(path))
    reader.Update()
    surface = vtkDataSetSurfaceFilter()
    surface.SetInputConnection(reader.GetOutputPort())
    triangles = vtkTriangleFilter()
    triangles.SetInputConnection(surface.GetOutputPort())
    triangles.PassVertsOff()
    triangles.PassLinesOff()
    triangles.Update()
    mesh = triangles.GetOutput()
    if mesh.GetPoints() is None or mesh.GetNumberOfPolys() == 0:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64)
    vertices = vtk_to_numpy(mesh.GetPoints().GetData()).astype(float)
    faces = vtk_to_numpy(mesh.GetPolys().GetConnectivityArray()).astype(np.int64).reshape(-1, 3)
    return vertices, faces
