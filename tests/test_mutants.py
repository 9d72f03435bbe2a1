"""Tests with teeth: each one fails on a hand-made mutant that the suite once let through
(reversed or negated colour map, SI contact ignored, ER/IR arrows swapped, the left SI column
written with the right value). The mutant table is in benchmarks/mutants.py."""

from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import pytest

from pelvis3d import Motion, Pose
from pelvis3d.motions.motion import Keyframe
from pelvis3d.render.overlays.colormap import SCALARS_NAME
from pelvis3d.render.scene import PelvisScene


def mapped_colour(actor, value: float) -> np.ndarray:
    """RGB (0-255) the actor's colour map gives ``value``."""
    return lut_colour(actor.GetMapper().GetLookupTable(), value)


def lut_colour(lut, value: float) -> np.ndarray:
    """RGB (0-255) of ``value`` in a VTK lookup table."""
    rgb = [0.0, 0.0, 0.0]
    lut.GetColor(float(value), rgb)
    return np.array(rgb) * 255


@pytest.mark.render
def test_compression_is_red_and_gapping_blue_after_external_rotation(pelvis):
    pose = Pose(rotation=1)
    with PelvisScene(pelvis, size=(400, 300), overlays="colormap", view="top", exaggeration=5, ring="open") as scene:
        posed = scene.set_pose(pose)
        overlay = scene.layers["colormap"]
        neutral = pelvis.neutral_metrics.fields
        shown = posed.shown_metrics.fields
        # the back of the SI joint closes in external rotation: its most narrowed vertex ...
        change = np.asarray(shown["left_si_innominate"]) - np.asarray(neutral["left_si_innominate"])
        k = int(np.argmin(change))
        assert change[k] < -0.3  # mm shown: a real compression
        patch, actor, _ = overlay.patches["left_si_innominate"]
        red = mapped_colour(actor, patch.point_data[SCALARS_NAME][k])
        assert red[0] > red[2] + 50 and red[0] > red[1] + 50, red  # ... is red
        # the symphysis opens: its most widened vertex is blue
        change = np.asarray(shown["left_pubic_face"]) - np.asarray(neutral["left_pubic_face"])
        k = int(np.argmax(change))
        assert change[k] > 1.0
        patch, actor, _ = overlay.patches["left_pubic_face"]
        blue = mapped_colour(actor, patch.point_data[SCALARS_NAME][k])
        assert blue[2] > blue[0] + 50, blue
        # and the legend's ends say the same: its left end (compression) red, its right end blue
        lut = overlay.scalar_bar.GetLookupTable()
        low, high = lut.GetRange()
        assert lut_colour(lut, low)[0] > lut_colour(lut, low)[2] + 50
        assert lut_colour(lut, high)[2] > lut_colour(lut, high)[0] + 50


def test_contact_means_any_joint_touches(pelvis):
    # rotation 8 deg each side closes the back of both SI joints through contact while the
    # symphysis gapes: contact is the SI joints' alone here
    with pytest.warns(UserWarning):
        m = pelvis.posed(Pose(rotation=8)).metrics
    assert not m.pubic_contact and m.si_contact == {"left": True, "right": True}
    assert m.contact
    only_left = replace(m, si_contact={"left": True, "right": False})
    assert only_left.contact
    assert not replace(m, si_contact={"left": False, "right": False}).contact
    assert "SI joint" in m.overlap_text()


@pytest.mark.render
@pytest.mark.parametrize("rotation", [1.0, -1.0])
def test_arrows_point_the_way_the_asis_moves(pelvis, rotation):
    """The visible arrow of each side has its head (the wide cone) where that side's ASIS goes."""
    with PelvisScene(pelvis, size=(400, 300), overlays="arrows", view="top", exaggeration=5, ring="open") as scene:
        scene.set_pose(Pose(rotation=rotation))
        arrows = scene.layers["arrows"].arrow_actors
        for side in ("left", "right"):
            visible = [a for (s, _), a in arrows.items() if s == side and a.GetVisibility()]
            assert len(visible) == 1, side
            points = np.asarray(visible[0].GetMapper().GetInput().GetPoints().GetData())
            moved = pelvis.posed(Pose(**{f"{side}_rotation": rotation}), 5)
            asis = pelvis.landmarks[f"{side}_asis"]
            t = np.asarray(moved.transforms[f"{side}_innominate"])
            travel = (t[:3, :3] @ asis + t[:3, 3]) - asis
            travel[1] = 0.0  # seen from above
            along = points[:, [0, 2]] @ travel[[0, 2]] / np.linalg.norm(travel)
            ahead = along > np.percentile(along, 80)
            behind = along < np.percentile(along, 20)
            # the cone (radius 4.5 mm) is wider than the shaft (1.6 mm): its points spread further in height
            assert np.ptp(points[ahead, 1]) > np.ptp(points[behind, 1]) + 3.0, (side, rotation)


def test_metrics_csv_keeps_the_two_sides_apart(tmp_path, pelvis):
    from pelvis3d.export.timeline import write_metrics_csv

    motion = Motion("asymmetric", (Keyframe(0.0, Pose()), Keyframe(1.0, Pose(left_rotation=1.0, right_rotation=-0.6))))
    out = write_metrics_csv(motion, tmp_path / "m.csv", frames=3, pelvis=pelvis)
    last = list(csv.DictReader(out.open()))[-1]
    metrics = pelvis.metrics(Pose(left_rotation=1.0, right_rotation=-0.6))
    for side in ("left", "right"):
        assert float(last[f"si_space_{side}_mm"]) == pytest.approx(metrics.si_space_mm[side], abs=1e-5)
        assert float(last[f"si_posterior_space_{side}_mm"]) == pytest.approx(
            metrics.si_posterior_space_mm[side], abs=1e-5
        )
        assert float(last[f"{side}_rotation_deg"]) == pytest.approx(
            getattr(Pose(left_rotation=1.0, right_rotation=-0.6), f"{side}_rotation")
        )
    # the sides differ here, so a column written with the other side's value cannot pass
    assert abs(metrics.si_posterior_space_mm["left"] - metrics.si_posterior_space_mm["right"]) > 0.05
