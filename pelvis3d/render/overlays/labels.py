"""Landmark labels laid out in the margins with leader lines.

Labels are stacked on the side of the picture their landmark is on, sorted by height and kept
one line apart, so they never overlap each other and never sit on the joints. Midline structures
near the top or bottom of the pelvis get a centred label above or below it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES
from pelvis3d.model import PosedPelvis
from pelvis3d.render.drawing import rgb, text_size, to_display
from pelvis3d.render.overlays import Overlay

__all__ = ["LABELS_BY_VIEW", "LabelsOverlay", "label_spec"]

#: Which structures each view labels.
LABELS_BY_VIEW: Mapping[str, tuple[str, ...]] = {
    "top": ("asis", "si", "pubic", "promontory"),
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
        self.items: list[tuple[str, list[str]]] = []
        self._plan_key: tuple | None = None
        self._plan_cache: tuple[dict[int, str], dict[int, int], dict[str, float]] | None = None
        self.text_actors: list[object] = []
        #: label index -> (start at the label, end at the landmark), display pixels
        self.leaders: dict[int, tuple[NDArray, NDArray]] = {}
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
        self.leader_actor.GetProperty().SetLineWidth(1.2)
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
            items.extend(item for item in label_spec(key, names) if not (far and item[0].endswith(far)))
        self.items = items
        self._plan_key, self._plan_cache = None, None
        while len(self.text_actors) < len(items):
            self.text_actors.append(self.scene.add_text("", (0, 0), size=13))
        for i, actor in enumerate(self.text_actors):
            actor.SetVisibility(i < len(items))

    def anchors(self, transforms: Mapping[str, NDArray]) -> NDArray:
        """Display position (pixels) of each label's landmark(s), bones posed by ``transforms``."""
        ren = self.scene.plotter.renderer
        landmarks = self.scene.pelvis.anatomy.landmarks
        out = []
        for _, names in self.items:  # only the landmarks labelled, posed
            p = np.zeros(3)
            for name in names:
                t, lm = transforms[landmarks[name].body], landmarks[name]
                p += t[:3, :3] @ lm.position_mm + t[:3, 3]
            out.append(to_display(ren, p / len(names)))
        return np.array(out) if out else np.zeros((0, 2))

    def _plan(self, posed: PosedPelvis) -> tuple[dict[int, str], dict[int, int], dict[str, float]]:
        """Which labels sit centred above / below the pelvis (and at what height), and which
        side the others take.

        Decided from the neutral pelvic ring (in the pose's whole-pelvis posture) for each
        view, picture size and camera, so a label keeps its place while the joints move.
        """
        scene = self.scene
        sp = posed.shown_pose
        posture = (sp.pelvis_tilt, sp.pelvis_obliquity, sp.pelvis_rotation)
        key = (scene.view, tuple(scene.size), posture, scene.camera_state().tobytes(), len(self.items))
        if key == self._plan_key and self._plan_cache is not None:
            return self._plan_cache
        ring = scene.posture_matrix(sp)
        ring = np.eye(4) if ring is None else ring
        anchors = self.anchors({b: ring for b in BODIES})
        w, h = scene.size
        cx = w / 2
        ys_all = anchors[:, 1] if len(anchors) else np.zeros(1)
        lo, hi = ys_all.min(), ys_all.max()
        slot = self._centre_slots()
        centre: dict[int, str] = {}
        for i in range(len(self.items)):
            if abs(anchors[i, 0] - cx) >= 0.06 * w:
                continue
            # midline structures near the top or bottom of the pelvis: straight above / below,
            # where there is room between the bones and the title / the text band
            where = (
                "above"
                if anchors[i, 1] >= hi - 0.15 * (hi - lo)
                else ("below" if anchors[i, 1] <= lo + 0.15 * (hi - lo) else None)
            )
            if where is None or where in centre.values() or not h * 0.27 <= slot[where] <= h * 0.86:
                continue
            centre[i] = where
        rest = [i for i in range(len(self.items)) if i not in centre]
        sides = {i: (1 if anchors[i, 0] > cx else -1) for i in rest}
        for i in rest:  # any other midline label goes to the emptier side
            if abs(anchors[i, 0] - cx) < 0.06 * w:
                left = sum(1 for j in rest if sides[j] < 0 and j != i)
                right = sum(1 for j in rest if sides[j] > 0 and j != i)
                sides[i] = -1 if left < right else 1
        self._plan_key, self._plan_cache = key, (centre, sides, slot)
        return centre, sides, slot

    def _centre_slots(self) -> dict[str, float]:
        """Heights (display pixels) just above and below the bones in a band down the middle."""
        w, h = self.scene.size
        gap = 13 * self.scene.font_scale() * 1.9
        screen = self.scene.screen_points
        band = screen[np.abs(screen[:, 0] - w / 2) < 0.1 * w, 1]
        bottom, top = (band.min(), band.max()) if len(band) else (h * 0.5, h * 0.5)
        return {"above": top + 0.8 * gap, "below": bottom - 0.8 * gap}

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        w, h = self.scene.size
        anchors = self.anchors(world)
        centre, sides, slot = self._plan(posed)
        cx = w / 2
        gap = 13 * self.scene.font_scale() * 1.9
        self.points.Reset()
        self.lines.Reset()
        self.leaders = {}
        placed: list[tuple[int, float, float, int]] = [(i, cx, slot[where], 1) for i, where in centre.items()]
        rest = [i for i in range(len(self.items)) if i not in centre]
        for side in (-1, 1):
            idx = [i for i in rest if sides[i] == side]
            idx.sort(key=lambda i: -anchors[i, 1])
            ys: list[float] = []
            for i in idx:
                y = min(anchors[i, 1], h * 0.86)
                if ys and y > ys[-1] - gap:
                    y = ys[-1] - gap
                ys.append(max(y, h * 0.3))
            for k in range(len(ys) - 2, -1, -1):  # pushed onto the floor: shift the stack up
                if ys[k] < ys[k + 1] + gap:
                    ys[k] = ys[k + 1] + gap
            x_text = w * (0.03 if side < 0 else self.scene.content_right - 0.03)
            placed.extend((i, x_text, y, 0 if side < 0 else 2) for i, y in zip(idx, ys, strict=True))
        for i, x, y, justify in placed:
            actor = self.text_actors[i]
            text = self.items[i][0]
            actor.SetInput(text)
            prop = actor.GetTextProperty()
            prop.SetJustification(justify)
            prop.SetVerticalJustificationToCentered()
            actor.GetPositionCoordinate().SetCoordinateSystemToDisplay()
            actor.GetPositionCoordinate().SetValue(x, y)
            width, height = text_size(prop, text)
            if justify == 1:  # centred label: leader from its top or bottom edge
                start = (x, y - height / 2 - 3) if y > anchors[i, 1] else (x, y + height / 2 + 3)
            elif justify == 0:
                start = (x + width + 6, y)
            else:
                start = (x - width - 6, y)
            self.leaders[i] = (np.asarray(start, float), np.asarray(anchors[i], float))
            a = self.points.InsertNextPoint(start[0], start[1], 0)
            b = self.points.InsertNextPoint(anchors[i, 0], anchors[i, 1], 0)
            self.lines.InsertNextCell(2)
            self.lines.InsertCellPoint(a)
            self.lines.InsertCellPoint(b)
        self.points.Modified()
        self.lines.Modified()
        self.poly.Modified()
