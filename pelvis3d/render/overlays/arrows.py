"""Curved arrows above the iliac wings: which way each innominate is rotating (views along the
vertical axis only, where a rotation about it reads as a turn)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES
from pelvis3d.model import PosedPelvis
from pelvis3d.render.backend import import_pyvista
from pelvis3d.render.drawing import rotate
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.views import view_vectors

__all__ = ["ARROW_COLOUR", "ArrowsOverlay"]

ARROW_COLOUR = "#c2410c"


class ArrowsOverlay(Overlay):
    """One arc per side and sense (+1 external, -1 internal) about each rotation axis."""

    name = "arrows"

    def __init__(self, scene) -> None:
        super().__init__(scene)
        pv = import_pyvista()
        pelvis = scene.pelvis
        lm = pelvis.landmarks
        top = max(np.asarray(pelvis.anatomy.vertices[b])[:, 1].max() for b in BODIES) + 8.0
        self.arrow_actors: dict[tuple[str, int], object] = {}
        for side in ("left", "right"):
            dof = pelvis.dofs[f"{side}_rotation"]
            pivot = np.array(dof.pivot_mm, float)
            axis = np.array(dof.axis, float)
            radius_vec = np.array(lm[f"{side}_asis"], float) - pivot
            radius_vec -= axis * (radius_vec @ axis)
            for sense in (1, -1):  # +1: external rotation
                angles = np.radians(np.linspace(-9.0, 9.0, 24)) * sense
                pts = np.array([pivot + rotate(radius_vec * 0.86, axis, t) for t in angles])
                pts[:, 1] = top
                shaft = pv.Spline(pts[:-3], 40).tube(radius=1.6)
                tip_dir = pts[-1] - pts[-4]
                head = pv.Cone(
                    center=pts[-3] + tip_dir * 0.5,
                    direction=tip_dir,
                    height=np.linalg.norm(tip_dir) * 1.6,
                    radius=4.5,
                    resolution=24,
                )
                actor = scene.plotter.add_mesh(
                    shaft.merge(head),
                    color=ARROW_COLOUR,
                    smooth_shading=True,
                    ambient=0.25,
                    name=f"arrow_{side}_{sense}",
                )
                actor.SetVisibility(False)
                self.arrow_actors[(side, sense)] = actor

    def actors(self) -> list:
        return list(self.arrow_actors.values())

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        along_axis = bool(abs(view_vectors(self.scene.view, self.scene.pelvis.landmarks)[0][1]) > 0.55)
        for side in ("left", "right"):
            sense = (direction or {}).get(side)
            if sense is None:
                sense = int(np.sign(getattr(posed.shown_pose, f"{side}_rotation")))
            self.arrow_actors[(side, 1)].SetVisibility(along_axis and sense > 0)
            self.arrow_actors[(side, -1)].SetVisibility(along_axis and sense < 0)
