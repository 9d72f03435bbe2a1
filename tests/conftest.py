"""Shared fixtures. Rendering tests run offscreen (EGL) with no display."""

from __future__ import annotations

import os

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")

import pytest  # noqa: E402

import pelvis3d  # noqa: E402


@pytest.fixture(scope="session")
def pelvis() -> pelvis3d.Pelvis:
    return pelvis3d.Pelvis()
