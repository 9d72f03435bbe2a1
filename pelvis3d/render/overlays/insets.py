"""Magnifier insets: small joint sections drawn into corners of the main picture.

In the views from above (``top``, ``inlet``) the SI joint is a line a few pixels wide and the
back of the joint cannot be seen closing. Each inset is a small VTK renderer in the same render
window (its own viewport and camera) drawing a :class:`pelvis3d.render.section.SectionCut` of
the shown pose: the left and right SI joints in the transverse S1-S2 section, the symphysis in
its coronal section, each coloured and measured as in the section views.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.model import PosedPelvis
from pelvis3d.render.drawing import rgb
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.overlays.section import SectionDrawing
from pelvis3d.render.section import SECTIONS, SectionCut

__all__ = ["INSET_BOXES", "INSET_COLUMN", "INSET_MIN_SIZE", "INSET_VIEWS", "InsetsOverlay"]

#: Views that get insets (looking down on the pelvic ring, where the SI joint is edge-on).
INSET_VIEWS = ("top", "inlet")

#: Smallest picture (width, height; pixels) that gets insets: below it their numbers cannot be read.
INSET_MIN_SIZE = (640, 480)

#: The insets' column (xmin, xmax; fractions of the picture width), at the right of the picture:
#: the pelvis and its labels are framed in the rest.
INSET_COLUMN = (0.79, 0.99)

#: Inset viewports (xmin, ymin, xmax, ymax; fractions of the picture) by joint, top to bottom
#: as in a view from above: the symphysis (anterior), then the SI joints.
INSET_BOXES: Mapping[str, tuple[float, float, float, float]] = {
    "symphysis": (INSET_COLUMN[0], 0.675, INSET_COLUMN[1], 0.875),
    "left_si": (INSET_COLUMN[0], 0.46, INSET_COLUMN[1], 0.66),
    "right_si": (INSET_COLUMN[0], 0.245, INSET_COLUMN[1], 0.445),
}
_MIN_HALF_FIELD_MM = {"si": 14.0, "symphysis": 14.0}  # half the height each inset shows, at least
_FRAME_COLOUR = "#9ca3af"
#: Text size in the insets at a 600 px high picture (12 px: the smallest the body text of the
#: picture gets; assumed legible)
INSET_TEXT = 12


class InsetsOverlay(Overlay):
    """A magnified section of each SI joint and of the symphysis, in the views from above."""

    name = "insets"

    def __init__(self, scene) -> None:
        from vtkmodules.vtkRenderingCore import vtkRenderer

        super().__init__(scene)
        self.cuts = {name: SectionCut(scene.pelvis, name) for name in SECTIONS}
        self.insets: dict[str, tuple[vtkRenderer, SectionDrawing, SectionCut, object, object]] = {}
        window = scene.plotter.render_window
        for cut in self.cuts.values():
            for joint in cut.section.joints:
                ren = vtkRenderer()
                ren.SetViewport(*INSET_BOXES[joint.name])
                ren.SetBackground(1.0, 1.0, 1.0)
                ren.InteractiveOff()
                cam = ren.GetActiveCamera()
                cam.ParallelProjectionOn()
                drawing = SectionDrawing(
                    cut, ren, font_size=self._font(INSET_TEXT), joints=[joint.name], line_width=scene.line_width(2.0)
                )
                title = scene.add_text("", (0, 0), size=INSET_TEXT)
                scene.plotter.renderer.RemoveViewProp(title)  # lives in the inset
                title.SetInput(f"{joint.title}: section")
                title.GetPositionCoordinate().SetValue(0.03, 0.86)
                ren.AddViewProp(title)
                frame = _frame_actor(scene.line_width(1.5))
                ren.AddViewProp(frame)
                window.AddRenderer(ren)
                self.insets[joint.name] = (ren, drawing, cut, title, frame)
        self.shown = False

    def _font(self, size: float) -> int:
        return max(8, int(size * self.scene.font_scale()))

    def actors(self) -> list:
        out: list = []
        for _, drawing, _, title, frame in self.insets.values():
            out += [*drawing.actors(), title, frame]
        return out

    def rescale_fonts(self, scale: float) -> None:
        for _, drawing, _, _, _ in self.insets.values():
            drawing.set_font_size(self._font(INSET_TEXT))

    def wanted(self) -> bool:
        """Whether the current view and picture size get insets."""
        w, h = self.scene.picture_size
        return self.scene.view in INSET_VIEWS and w >= INSET_MIN_SIZE[0] and h >= INSET_MIN_SIZE[1]

    def set_visible(self, on: bool) -> None:
        self._show(on and self.wanted())

    def _show(self, on: bool) -> None:
        self.shown = on
        for ren, *_ in self.insets.values():
            ren.SetDraw(on)

    def view_changed(self) -> None:
        self._show(self.wanted())
        if self.shown and self.scene.posed is not None:
            self.update(self.scene.posed, self.scene.shown_world_transforms(), None)

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        if not self.shown:
            return
        cuts = {name: cut.update(posed, world) for name, cut in self.cuts.items()}
        for name, (ren, drawing, cut, _, _) in self.insets.items():
            origin, normal = cut.plane(world)
            t = np.asarray(world["sacrum"])
            up = t[:3, :3] @ np.asarray(cut.section.up, float)
            wedge = cut.wedges.get(name)
            centre = wedge.centre if wedge is not None else t[:3, :3] @ cut.centres[name] + t[:3, 3]
            cam = ren.GetActiveCamera()
            cam.SetFocalPoint(*centre)
            cam.SetPosition(*(centre + normal * 500.0))
            cam.SetViewUp(*up)
            cam.SetParallelScale(self._half_field(ren, cut.section.name, wedge, centre, normal, up))
            cam.SetClippingRange(400.0, 600.0)
            drawing.update(cuts[cut.section.name], world)  # after the camera: it places text

    @staticmethod
    def _half_field(ren, section: str, wedge, centre: NDArray, normal: NDArray, up: NDArray) -> float:
        """Half the height (mm) an inset shows: the whole wedge with a margin for its numbers."""
        half = _MIN_HALF_FIELD_MM[section]
        if wedge is not None:
            pts = np.asarray(wedge.strip.points) - centre
            right = np.cross(up, normal)
            x0, y0, x1, y1 = ren.GetViewport()
            w, h = ren.GetRenderWindow().GetSize() if ren.GetRenderWindow() else (1, 1)
            aspect = max((x1 - x0) * w, 1) / max((y1 - y0) * h, 1)
            half = max(half, 1.25 * np.abs(pts @ up).max() + 3.0, 1.25 * np.abs(pts @ right).max() / aspect + 3.0)
        return float(half)


def _frame_actor(width: float):
    """A thin grey frame around an inset (normalised viewport coordinates)."""
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkRenderingCore import vtkActor2D, vtkCoordinate, vtkPolyDataMapper2D

    pts = vtkPoints()
    for x, y in ((0.004, 0.004), (0.994, 0.004), (0.994, 0.994), (0.004, 0.994), (0.004, 0.004)):
        pts.InsertNextPoint(x, y, 0.0)
    lines = vtkCellArray()
    lines.InsertNextCell(5)
    for i in range(5):
        lines.InsertCellPoint(i)
    poly = vtkPolyData()
    poly.SetPoints(pts)
    poly.SetLines(lines)
    coord = vtkCoordinate()
    coord.SetCoordinateSystemToNormalizedViewport()
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(poly)
    mapper.SetTransformCoordinate(coord)
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    actor.GetProperty().SetColor(*rgb(_FRAME_COLOUR))
    actor.GetProperty().SetLineWidth(width)
    return actor
