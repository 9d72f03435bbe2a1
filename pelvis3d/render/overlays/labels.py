"""Landmark labels laid out in the margins with leader lines.

Each label sits in the left or right margin, or just above / below the bones, where its straight
leader reaches the landmark without crossing a bone (beyond a short final stretch into the bone
the landmark is on), an arrow, another leader or another label
(:mod:`pelvis3d.render.overlays.label_layout`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES
from pelvis3d.kinematics import Pose
from pelvis3d.model import PosedPelvis
from pelvis3d.motions.motion import DEFAULT_AMPLITUDE_DEG
from pelvis3d.render.drawing import rgb, text_size, to_display, to_display_many
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.overlays.label_layout import LabelRequest, ObstacleGrid, Place, place_labels

__all__ = ["LABELS_BY_VIEW", "NEAR_SIDE_ONLY", "LabelsOverlay", "label_spec"]

#: Which structures each view labels.
LABELS_BY_VIEW: Mapping[str, tuple[str, ...]] = {
    "top": ("asis", "si", "pubic", "sacrum"),  # the promontory faces the inlet: no leader reaches it
    "rear": ("psis", "sacrum", "coccyx"),  # the SI joint cannot be seen from behind
    "front": ("asis", "pubic", "hip", "sacrum"),
    "bottom": ("pubic", "ischial_tuberosity", "coccyx"),
    "left": ("asis", "psis", "hip", "pubic"),
    "right": ("asis", "psis", "hip", "pubic"),
    "inlet": ("asis", "si", "pubic", "promontory"),
    "outlet": ("pubic", "ischial_tuberosity", "sacrum"),
    "oblique": ("asis", "si", "pubic", "hip"),
    # a section names its joints in the title and its numbers; leaders would cross the cut
    "si-section": (),
    "symphysis-section": (),
}

#: Structures a view labels on its near side only (the side its camera is on), although it shows
#: both bones. From the front-right and above, the left innominate shows its inner face: the left
#: SI joint lies behind the iliac fossa (its leader could only run over the wing and the pubic
#: ramus) and the left acetabulum opens on the far, outer face; the right joint's anterior line
#: shows beside the sacral ala and the right acetabulum faces the camera.
NEAR_SIDE_ONLY: Mapping[str, tuple[str, ...]] = {"oblique": ("si", "hip")}


def label_spec(key: str, names: set[str]) -> list[tuple[str, list[str]]]:
    """Label texts and the landmarks they point at (their mean), for one label key."""
    both = [("left", "L"), ("right", "R")]
    specs = {
        "asis": [(f"ASIS ({s})", [f"{side}_asis"]) for side, s in both],
        "psis": [(f"PSIS ({s})", [f"{side}_psis"]) for side, s in both],
        "si": [(f"SI joint ({s})", [f"{side}_auricular_centre"]) for side, s in both],
        "hip": [(f"hip socket ({s})", [f"{side}_hip_centre"]) for side, s in both],
        "ischial_tuberosity": [(f"ischial tuberosity ({s})", [f"{side}_ischial_tuberosity"]) for side, s in both],
        "pubic": [("pubic symphysis", ["left_symphyseal_face_centre", "right_symphyseal_face_centre"])],
        "promontory": [("sacrum (promontory)", ["sacral_promontory"])],
        "sacrum": [("sacrum", ["s2"])],
        "coccyx": [("coccyx", ["coccyx_tip"])],
    }
    return [(t, a) for t, a in specs.get(key, []) if all(n in names for n in a)]


class LabelsOverlay(Overlay):
    """Text actors for the labels of the current view and one 2D line set for their leaders."""

    name = "labels"

    def __init__(self, scene) -> None:
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
        from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D

        super().__init__(scene)
        #: the labels of the view (text, landmark names), and those shown: a label whose every
        #: leader would cross a bone is left out (:func:`place_labels`)
        self.wanted: list[tuple[str, list[str]]] = []
        self.items: list[tuple[str, list[str]]] = []
        self._plans: dict[tuple, list[Place]] = {}
        # the silhouette grid needs the bones' outline, not their detail (cells are >= 1.5 px)
        coarse = {b: scene.coarse_mesh(b) for b in BODIES}
        self._vertices = {b: np.asarray(coarse[b].points, float) for b in BODIES}
        self._faces = {b: np.asarray(coarse[b].regular_faces) for b in BODIES}
        self.text_actors: list[object] = []
        self._leaders: dict[int, tuple[NDArray, NDArray]] = {}
        # the pose the labels wait to be laid out for while the scene defers layouts (a layout costs
        # a silhouette grid: done once, before the next render, for the camera and text then in force)
        self._pending: tuple[PosedPelvis, Mapping[str, NDArray]] | None = None
        self.points = vtkPoints()
        self.lines = vtkCellArray()
        self.poly = vtkPolyData()
        self.poly.SetPoints(self.points)
        self.poly.SetLines(self.lines)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.poly)
        self.leader_actor = vtkActor2D()
        self.leader_actor.SetMapper(mapper)
        self.leader_actor.GetProperty().SetColor(*rgb("#4b5563"))
        self.leader_actor.GetProperty().SetLineWidth(scene.line_width(1.2))
        scene.plotter.renderer.AddViewProp(self.leader_actor)

    def actors(self) -> list:
        return [*self.text_actors[: len(self.items)], self.leader_actor]

    def set_visible(self, on: bool) -> None:
        if on:
            self.choose(self.scene.view)
        for actor in [*self.text_actors, self.leader_actor]:
            actor.SetVisibility(False)
        for actor in self.actors():
            actor.SetVisibility(on)

    def view_changed(self) -> None:
        self.choose(self.scene.view)
        if self.scene.posed is not None:
            self.update(self.scene.posed, self.scene.shown_world_transforms(), None)

    def choose(self, view: str) -> None:
        """Pick the labels of ``view`` (text actors are reused across views)."""
        names = set(self.scene.pelvis.landmarks)
        items: list[tuple[str, list[str]]] = []
        far = {"left": "(R)", "right": "(L)"}.get(view)  # a side view: only the near side
        for key in LABELS_BY_VIEW.get(view, ("asis", "si", "pubic")):
            hidden = far
            if key in NEAR_SIDE_ONLY.get(view, ()):
                hidden = self._far_side(view)
            items.extend(item for item in label_spec(key, names) if not (hidden and item[0].endswith(hidden)))
        self.wanted = items
        self.items = list(items)
        while len(self.text_actors) < len(items):
            self.text_actors.append(self.scene.add_text("", (0, 0), size=13))
        for i, actor in enumerate(self.text_actors):
            actor.SetVisibility(i < len(items))

    def _far_side(self, view: str) -> str:
        """The label suffix of the side away from the camera of ``view`` (ISB Z points right)."""
        from pelvis3d.render.views import view_vectors

        direction = view_vectors(view, self.scene.pelvis.landmarks)[0]
        return "(L)" if direction[2] > 0 else "(R)"

    def anchors(self, transforms: Mapping[str, NDArray], items: list | None = None) -> NDArray:
        """Display position (pixels) of each shown label's landmark(s) (or of ``items``), bones
        posed by ``transforms``."""
        ren = self.scene.plotter.renderer
        landmarks = self.scene.pelvis.anatomy.landmarks
        out = []
        for _, names in self.items if items is None else items:  # only the landmarks labelled, posed
            p = np.zeros(3)
            for name in names:
                t, lm = transforms[landmarks[name].body], landmarks[name]
                p += t[:3, :3] @ lm.position_mm + t[:3, 3]
            out.append(to_display(ren, p / len(names)))
        return np.array(out) if out else np.zeros((0, 2))

    def _plan(self, posed: PosedPelvis) -> list[Place | None]:
        """Each label's place (see :mod:`pelvis3d.render.overlays.label_layout`).

        Decided from the neutral pelvic ring (in the pose's whole-pelvis posture), with the bones'
        silhouette over the range of motion the picture can show, for each view, picture size and
        camera: a label keeps its place while the joints move, and a worker rendering part of an
        animation places it as the serial render does.
        """
        scene = self.scene
        sp = posed.shown_pose
        posture = (sp.pelvis_tilt, sp.pelvis_obliquity, sp.pelvis_rotation)
        reach = self.reach(posed.pose)
        fonts = tuple(int(a.GetTextProperty().GetFontSize()) for a in self.text_actors[: len(self.wanted)])
        key = (
            scene.view, tuple(scene.size), posture, scene.camera_state().tobytes(), tuple(t for t, _ in self.wanted),
            scene.exaggeration, fonts, scene.content_right, scene.text_ceiling,
            scene.text_floor_px, reach,
        )  # fmt: skip
        if key in self._plans:
            return self._plans[key]
        ring = scene.posture_matrix(sp)
        ring = np.eye(4) if ring is None else ring
        anchors = self.anchors({b: ring for b in BODIES}, self.wanted)
        grids = self._obstacles(ring, reach)
        requests = [self._request(i, anchors[i]) for i in range(len(self.wanted))]
        places = place_labels(grids, requests)
        if len(self._plans) > 16:
            self._plans.clear()
        self._plans[key] = places
        return places

    def reach(self, pose: Pose) -> float:
        """The external rotation (true degrees) whose silhouette leaders keep clear of: the default
        physiological amplitude, or the largest rotation of this pose or of the postures the
        scene was fitted to, in steps of 0.25 deg (a plan serves every pose within its step)."""
        largest = max(abs(pose.left_rotation), abs(pose.right_rotation), self.scene.fitted_rotation)
        return max(DEFAULT_AMPLITUDE_DEG, float(np.ceil(largest / 0.25 - 1e-9) * 0.25))

    def _obstacles(self, ring: NDArray, reach: float) -> list[ObstacleGrid]:
        """The bones' silhouette and the arrows, one grid per pose: neutral, and in external
        rotation of ``reach`` degrees as the picture shows it, so leaders clear the bones as they
        move. The poses stay apart (not one union): a gap the moved bones open (e.g. between the
        sacral ala and the pubic ramus in the oblique view) is bone in the union, where a leader
        would seem to run over one bone while in the picture it leaves it and crosses the next."""
        scene = self.scene
        w, h = scene.size
        ren = scene.plotter.renderer
        pelvis = scene.pelvis
        envelope = [{b: np.eye(4) for b in BODIES}]
        # external rotation of the default amplitude as the picture shows it: the bones swing out
        # toward the margins; internal rotation swings them in, where the joints themselves (never
        # shown touching) keep the pubic gap open for a leader
        envelope.append(dict(scene.shown(Pose(rotation=reach)).transforms))
        arrow_xy = None
        arrows = scene.layers.get("arrows")
        if arrows is not None and scene.overlay_visible("arrows"):
            from pelvis3d.render.views import view_vectors

            if abs(view_vectors(scene.view, pelvis.landmarks)[0][1]) > 0.55:  # drawn in this view
                pts = [np.asarray(a.GetMapper().GetInput().GetPoints().GetData()) for a in arrows.actors()]
                if pts:
                    arrow_xy = to_display_many(ren, np.vstack(pts))
        grids = []
        for t in envelope:
            grid = ObstacleGrid((w, h), max(1.0, h / 360.0))  # fine enough to keep a 4 px pubic gap open
            for body in BODIES:
                m = ring @ t[body]
                xy = to_display_many(ren, self._vertices[body] @ m[:3, :3].T + m[:3, 3])
                grid.add_triangles(xy, self._faces[body], body, grow=1)
            if arrow_xy is not None:
                grid.add_points(arrow_xy, "arrow", close=1, grow=2)
            grids.append(grid)
        return grids

    def _request(self, i: int, anchor: NDArray) -> LabelRequest:
        """The places label ``i`` may take: the left or right margin at any height in the band
        between the text at the bottom and the title, or just above / below the bones."""
        scene = self.scene
        w, h = scene.size
        text = self.wanted[i][0]
        tw, th = text_size(self.text_actors[i].GetTextProperty(), text)
        left, right = w * 0.03, w * (scene.content_right - 0.03)
        low, high = self._band()
        lo, hi = max(h * low, th), min(h * high - th / 2, h - th)
        floor = scene.text_floor_px
        if floor is not None:
            lo = max(lo, floor + th / 2)
        places = []
        for y in np.arange(lo, hi + 1e-6, max(2.0, th * 0.5)):
            places.append(Place(left, y, 0, (left, y - th / 2, left + tw, y + th / 2), (left + tw + 6, y)))
            places.append(Place(right, y, 2, (right - tw, y - th / 2, right, y + th / 2), (right - tw - 6, y)))
        slots = self._centre_slots(anchor[0])
        x = float(np.clip(anchor[0], left + tw / 2, right - tw / 2))
        rows = [(where, x, y) for where, y in slots.items()]
        screen = scene.screen_points
        gap = 13 * scene.font_scale() * 1.9
        top, bottom = screen[:, 1].max() + 0.8 * gap, screen[:, 1].min() - 0.8 * gap
        for xs in np.arange(left + tw / 2, right - tw / 2 + 1e-6, max(4.0, tw / 3)):  # rows above / below
            rows += [("above", float(xs), top), ("below", float(xs), bottom)]
        for where, xs, y in rows:
            if not (h * (low - 0.03) <= y and y + th / 2 <= h * high):
                continue
            if floor is not None and y - th / 2 < floor:
                continue
            start = (xs, y - th / 2 - 3) if where == "above" else (xs, y + th / 2 + 3)
            places.append(Place(xs, y, 1, (xs - tw / 2, y - th / 2, xs + tw / 2, y + th / 2), start))
        return LabelRequest((float(anchor[0]), float(anchor[1])), (tw, th), tuple(places), self.own_bodies(i))

    def own_bodies(self, i: int) -> tuple[str, ...]:
        """The bodies label ``i``'s leader may end over: its landmarks' bones, and both bones of
        a joint (an SI joint: the sacrum and that innominate; the symphysis: both innominates)."""
        landmarks = self.scene.pelvis.anatomy.landmarks
        text, names = self.wanted[i]
        own = {landmarks[n].body for n in names}
        for n in names:
            side = n.split("_", 1)[0]
            if "auricular" in n and side in ("left", "right"):
                own |= {"sacrum", f"{side}_innominate"}
            if "symphyseal" in n:
                own |= {"left_innominate", "right_innominate"}
        return tuple(sorted(own))

    def _band(self) -> tuple[float, float]:
        """The lowest and highest height (fractions of the picture) a label may take: above the
        text at the bottom (measurements, legend; else the caption line), below the text at the
        top (orientation marks and the ghost's name; else the title)."""
        on = self.scene.overlays
        high = 0.86 if (on.orientation or on.ghost) else 0.92
        if self.scene.text_ceiling is not None:
            high = min(high, self.scene.text_ceiling - 0.01)
        return (0.3 if (on.measurements or on.colormap) else 0.06), high

    def _centre_slots(self, x: float) -> dict[str, float]:
        """Heights (display pixels) just above and below the bones in a band around ``x``."""
        w, h = self.scene.size
        gap = 13 * self.scene.font_scale() * 1.9
        screen = self.scene.screen_points
        band = screen[np.abs(screen[:, 0] - x) < 0.1 * w, 1]
        bottom, top = (band.min(), band.max()) if len(band) else (h * 0.5, h * 0.5)
        return {"above": top + 0.8 * gap, "below": bottom - 0.8 * gap}

    @property
    def leaders(self) -> dict[int, tuple[NDArray, NDArray]]:
        """Label index -> (start at the label, end at the landmark), display pixels."""
        self.before_render()
        return self._leaders

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        self._pending = (posed, world)
        if not self.scene.layout_deferred:
            self.before_render()

    def before_render(self) -> None:
        """Lay the labels out for the last pose given, if not done yet."""
        if self._pending is None:
            return
        posed, world = self._pending
        self._pending = None
        planned = self._plan(posed)
        shown = [i for i, place in enumerate(planned) if place is not None]
        self.items = [self.wanted[i] for i in shown]
        places = [planned[i] for i in shown]
        anchors = self.anchors(world)
        self.points.Reset()
        self.lines.Reset()
        self._leaders = {}
        for i, actor in enumerate(self.text_actors):
            actor.SetVisibility(i < len(places))
        for i, place in enumerate(places):
            actor = self.text_actors[i]
            actor.SetInput(self.items[i][0])
            prop = actor.GetTextProperty()
            prop.SetJustification(place.justify)
            prop.SetVerticalJustificationToCentered()
            actor.GetPositionCoordinate().SetCoordinateSystemToDisplay()
            actor.GetPositionCoordinate().SetValue(place.x, place.y)
            self._leaders[i] = (np.asarray(place.start, float), np.asarray(anchors[i], float))
            a = self.points.InsertNextPoint(place.start[0], place.start[1], 0)
            b = self.points.InsertNextPoint(anchors[i, 0], anchors[i, 1], 0)
            self.lines.InsertNextCell(2)
            self.lines.InsertCellPoint(a)
            self.lines.InsertCellPoint(b)
        self.points.Modified()
        self.lines.Modified()
        self.poly.Modified()
