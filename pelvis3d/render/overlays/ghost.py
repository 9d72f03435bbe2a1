"""The ghost: a faint copy of the neutral pelvic ring, so a still picture shows the motion."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.kinematics import SI_DOF_NAMES
from pelvis3d.model import PosedPelvis
from pelvis3d.render.backend import closed_outwards
from pelvis3d.render.drawing import rgb, set_user_matrix
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.views import SECTION_VIEWS

__all__ = ["GHOST_COLOUR", "GHOST_LEGEND", "GhostOverlay"]

#: A neutral grey: the ghost must not read as the colour map's "gapping" blue.
GHOST_COLOUR = "#8d8d8d"
#: How much of the ghost's colour shows over the background: a quarter-opaque surface seen
#: through its front and back (1 - 0.75**2).
GHOST_COVER = 0.44
#: The ghost's legend entry (drawn in the ghost's colour while the ghost shows).
GHOST_LEGEND = "grey shadow: neutral position"


class GhostOverlay(Overlay):
    """Translucent neutral innominates (and sacrum, when it nutates) in the pose's posture."""

    name = "ghost"

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.ghost_actors: dict[str, object] = {}
        # On an opaque background the ghost is a flat shadow in the colour a translucent ghost
        # would show there: translucency (order-independent, several passes) costs about a third
        # of a frame on a software rasteriser. A transparent picture keeps the translucent ghost.
        background = np.asarray(scene.plotter.background_color.float_rgb, float)
        shadow = GHOST_COVER * np.asarray(rgb(GHOST_COLOUR)) + (1 - GHOST_COVER) * background
        for body in ("left_innominate", "right_innominate", "sacrum"):
            # a faint copy of the neutral pose needs few triangles
            ghost = scene.coarse_mesh(body).copy()  # its own copy: the bones' coarse mesh is shared
            if scene.transparent:
                style = {"color": GHOST_COLOUR, "opacity": 0.25, "smooth_shading": True, "ambient": 0.3}
            else:
                style = {"color": tuple(shadow), "lighting": False}
            actor = scene.plotter.add_mesh(ghost, specular=0.0, name=f"ghost_{body}", **style)
            if not scene.transparent and ghost.is_all_triangles:  # a closed shadow shows only its front
                faces = ghost.faces.reshape(-1, 4)[:, 1:]
                actor.GetProperty().SetBackfaceCulling(closed_outwards(ghost.points, faces))
            # push the ghost back in depth so it tints nothing where the posed bone still is
            mapper = actor.GetMapper()
            mapper.SetResolveCoincidentTopologyToPolygonOffset()
            mapper.SetRelativeCoincidentTopologyPolygonOffsetParameters(0.0, 3000.0)
            self.ghost_actors[body] = actor
        self.legend = scene.add_text(GHOST_LEGEND, (0.5, 0.865), size=11, justify="centre", colour="#6b6b6b")

    def actors(self) -> list:
        return [*self.ghost_actors.values(), self.legend]

    def view_changed(self) -> None:
        if self.scene.posed is not None:
            self.update(self.scene.posed, self.scene.shown_world_transforms(), None)

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        # a section view shows the change as the wedge's colour; a ghost would hide the cut
        moving = self.scene.view not in SECTION_VIEWS and any(
            getattr(posed.shown_pose, name) != 0.0 for name in SI_DOF_NAMES
        )
        posture = self.scene.posture_matrix(posed.shown_pose)  # the neutral ring, in the same posture
        for actor in self.ghost_actors.values():
            actor.SetVisibility(moving)
            set_user_matrix(actor, posture if posture is not None else np.eye(4))
        self.ghost_actors["sacrum"].SetVisibility(moving and posed.shown_pose.nutation != 0.0)
        self.legend.SetVisibility(moving)
