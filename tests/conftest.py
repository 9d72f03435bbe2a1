"""Shared fixtures. Rendering tests run offscreen (EGL) with no display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")

import pytest  # noqa: E402

import pelvis3d  # noqa: E402


@pytest.fixture(scope="session")
def pelvis() -> pelvis3d.Pelvis:
    return pelvis3d.Pelvis()


@pytest.fixture(scope="session")
def generated_meshes(tmp_path_factory) -> Path:
    """Every built-in variant freshly built by ``python -m pelvis3d.anatomy.generate``, once per
    session: the README test and the variant tests compare the shipped files with it."""
    out = tmp_path_factory.mktemp("generated") / "meshes"
    proc = subprocess.run(
        [sys.executable, "-m", "pelvis3d.anatomy.generate", "--out", str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """``pelvis3d demo`` as the README's set-up shows it, run once per session as a user runs it:
    a new process (the installed command when there is one) in an empty folder. The README test
    and the demo's output checks share this run (it takes ~30 s). Returns the finished process
    and the folder it ran in."""
    cwd = tmp_path_factory.mktemp("demo")
    exe = Path(sys.executable).parent / "pelvis3d"
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "pelvis3d"]
    proc = subprocess.run([*argv, "demo"], capture_output=True, text=True, cwd=cwd, timeout=600)
    return proc, cwd


@pytest.fixture(scope="session")
def own_anatomy_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """``examples/own_anatomy.py`` run once per session into an empty folder: it writes the
    README's ``my-pelvis.toml`` (with its STL files) and a picture. The example's test and the
    README's ``--model my-pelvis.toml`` commands share it. Returns the process and the folder."""
    out = tmp_path_factory.mktemp("own_anatomy")
    script = Path(__file__).resolve().parents[1] / "examples" / "own_anatomy.py"
    proc = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True, timeout=600)
    return proc, out


#: Session fixtures that run a long process once: under pytest-xdist their users share a worker.
SESSION_RUNS = ("demo_run", "own_anatomy_run", "generated_meshes")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Groups for ``pytest -n 2 --dist loadgroup`` (no effect without pytest-xdist): the tests that
    use a session run (above; tests that ask for one inside, mark themselves) go to one worker,
    so each run happens once; every other test stays with its file, so module fixtures run once."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            shared = any(name in item.fixturenames for name in SESSION_RUNS)
            item.add_marker(pytest.mark.xdist_group("session-runs" if shared else item.path.name))


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
