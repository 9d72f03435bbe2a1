"""Jupyter: pelvis3d.widget() and the example notebook, run by nbclient as CI does."""

from __future__ import annotations

import base64
import io
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import pelvis3d
from pelvis3d import Pose
from pelvis3d.kinematics import SI_DOF_NAMES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "pelvis3d.ipynb"


def _need(module: str):
    """The module, or a skip that fails under CI=true (.ci/run installs the test extra)."""
    return pytest.importorskip(module, reason=f"{module} is not installed (.ci/run installs it with the test extra)")


def _picture(png: bytes) -> np.ndarray:
    import imageio.v3 as iio

    return iio.imread(io.BytesIO(png))[..., :3].astype(int)


def _bone_fraction(picture: np.ndarray) -> float:
    return float((picture < 235).any(axis=2).mean())


def test_widget_sliders_follow_the_model_and_move_the_picture(pelvis):
    _need("ipywidgets")
    w = pelvis3d.widget(Pose(left_rotation=1.0), pelvis=pelvis, view="top", size=(480, 360))
    for name in SI_DOF_NAMES:
        assert (w.sliders[name].min, w.sliders[name].max) == pelvis.dofs[name].physiological_deg
    assert w.sliders["left_rotation"].value == 1.0 and w.pose() == Pose(left_rotation=1.0)
    before = _picture(w.image.value)
    assert before.shape == (360, 480, 3) and _bone_fraction(before) > 0.1
    # a slider moved in the notebook (as a release of the mouse delivers it) draws again
    w.sliders["left_rotation"].value = -3.0
    after = _picture(w.image.value)
    assert (np.abs(after - before).sum(axis=2) > 30).mean() > 0.005
    expected = pelvis.metrics(Pose(left_rotation=-3.0), ring=w.scene.ring_for(w.pose()))  # the true numbers as drawn
    assert f"{expected.pubic_gap_mm:.2f} mm" in w.metrics.value
    assert f"{expected.si_space_mm['left']:.2f} mm" in w.metrics.value
    # the view menu turns the camera; set() moves several sliders with one picture
    w.view_menu.value = "front"
    front = _picture(w.image.value)
    assert (np.abs(front - after).sum(axis=2) > 30).mean() > 0.02
    w.set(right_rotation=2.0, exaggeration=2.0)
    assert w.pose() == Pose(left_rotation=-3.0, right_rotation=2.0)
    assert w.scene.exaggeration == 2.0
    with pytest.raises(KeyError, match="allowed: left_rotation"):
        w.set(rotation=1.0)
    # displayed, it gives Jupyter a plain PNG of the current picture next to the live view
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert np.array_equal(_picture(base64.b64decode(bundle["image/png"])), _picture(w.image.value))
    w.close()


def test_widget_without_ipywidgets_names_the_extra(monkeypatch):
    from pelvis3d.apps.notebook import MissingExtraError

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if not installed
    with pytest.raises(MissingExtraError) as error:
        pelvis3d.widget()
    message = str(error.value)
    assert 'pip install "pelvis3d[jupyter]"' in message and "\n" not in message
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install "pelvis3d[jupyter]"' in readme  # the README names the same extra
    assert 'jupyter = ["ipywidgets' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_widget_rejects_bad_arguments(pelvis):
    _need("ipywidgets")
    from pelvis3d.errors import PoseError, UnknownNameError

    with pytest.raises(UnknownNameError, match="allowed: oblique"):
        pelvis3d.widget(pelvis=pelvis, view="sideways")
    with pytest.raises(PoseError, match="exaggeration"):
        pelvis3d.widget(pelvis=pelvis, exaggeration=50)


def test_example_notebook_runs_and_keeps_its_pictures(tmp_path):
    nbformat = _need("nbformat")
    nbclient = _need("nbclient")
    _need("ipykernel")
    _need("ipywidgets")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)  # the kernel imports this tree
    try:
        nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
        ).execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)
    nb = nbformat.read(saved, as_version=4)  # what a reader of the saved notebook gets
    pictures = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            if "image/png" in out.get("data", {}):
                pictures.append(_picture(base64.b64decode(out["data"]["image/png"])))
    assert len(pictures) == 2, "both widget cells should leave a picture"
    for picture in pictures:
        assert _bone_fraction(picture) > 0.1, "the pelvis should fill part of the picture"
    assert (np.abs(pictures[0] - pictures[1]).sum(axis=2) > 30).mean() > 0.02  # a new pose and view
