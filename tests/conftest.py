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


#: A skip whose reason says this names a tool that .ci/run installs: under CI it must be there.
CI_INSTALLS = ".ci/run installs"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``CI=true``, a test skipped for a tool that .ci/run installs fails instead."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true":
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if CI_INSTALLS in reason:
            report.outcome = "failed"
            report.longrepr = f"{reason} - but CI=true: .ci/run should have installed it"
