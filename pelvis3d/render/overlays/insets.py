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
from pelvis3d.render.drawing import rgb, text_size
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.overlays.inset_layout import InsetLayout, layout_inset
from pelvis3d.render.overlays.section import SectionDrawing
from pelvis3d.render.recent import Recent
from pelvis3d.render.section import SECTIONS, SectionCut

__all__ = ["INSET_BOXES", "INSET_COLUMN", "INSET_MIN_SIZE", "INSET_VIEWS", "InsetsOverlay", "inset_boxes"]

#: Views that get insets (looking down on the pelvic ring, where the SI joint is edge-on).
INSET_VIEWS = ("top", "inlet")

#: Smallest picture (width, height; pixels) that gets insets: below it their numbers cannot be read.
INSET_MIN_SIZE = (640, 480)

#: The insets' column (xmin, xmax; fractions of the picture width), at the right of the picture:
#: the pelvis and its labels are framed in the rest.
INSET_COLUMN = (0.79, 0.99)

#: The column's top (fraction of the height): under the orientation mark "R" (at 0.9).
_COLUMN_TOP = 0.885
#: Gap between insets, and between the column and the text above or below it (fraction of the height).
_GAP = 0.012
#: Share of the column's height per inset: the SI joints are long and narrow (4-5 cm by 2-3 mm,
#: the joint running up the inset), the symphysis is wide; the SI insets get the most height.
_SHARES: Mapping[str, float] = {"symphysis": 0.26, "left_si": 0.37, "right_si": 0.37}


def inset_boxes(bottom: float = 0.215, top: float = _COLUMN_TOP) -> dict[str, tuple[float, float, float, float]]:
    """Inset viewports (xmin, ymin, xmax, ymax; fractions of the picture) by joint, top to bottom
    as in a view from above: the symphysis (anterior), then the SI joints, in the column
    between ``bottom`` and ``top`` (fractions of the height)."""
    free = top - bottom - _GAP * (len(_SHARES) - 1)
    boxes, y = {}, top
    for name, share in _SHARES.items():
        boxes[name] = (INSET_COLUMN[0], y - free * share, INSET_COLUMN[1], y)
        y -= free * share + _GAP
    return boxes


#: The inset viewports of a wide picture with the colour legend at the bottom right (800x600).
INSET_BOXES: Mapping[str, tuple[float, float, float, float]] = inset_boxes()
_FRAME_COLOUR = "#9ca3af"
#: Text size in the insets at a 600 px high picture (12 px: the smallest the body text of the
#: picture gets; assumed legible)
INSET_TEXT = 12
_PAD_PX = 4.0


class InsetsOverlay(Overlay):
    """A magnified section of each SI joint and of the symphysis, in the views from above."""

    name = "insets"

    def __init__(self, scene) -> None:
        from vtkmodules.vtkRenderingCore import vtkRenderer

        super().__init__(scene)
        self.cuts = {name: SectionCut(scene.pelvis, name) for name in SECTIONS}
        self.insets: dict[str, tuple[vtkRenderer, SectionDrawing, SectionCut, object, object]] = {}
        self.titles: dict[str, str] = {}  # each inset's joint, in words
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
                    cut,
                    ren,
                    font_size=self._font(INSET_TEXT),
                    joints=[joint.name],
                    two_lines=True,
                    line_width=scene.line_width(2.0),
                )
                title = scene.add_text("", (0, 0), size=INSET_TEXT)
                scene.plotter.renderer.RemoveViewProp(title)  # lives in the inset
                # on a white band: the cut bone around the joint reaches under the title
                title.GetTextProperty().SetBackgroundColor(1.0, 1.0, 1.0)
                title.GetTextProperty().SetBackgroundOpacity(0.85)
                title.SetInput(f"{joint.title}: section")
                self.titles[joint.name] = joint.title
                ren.AddViewProp(title)
                frame = _frame_actor(scene.line_width(1.5))
                ren.AddViewProp(frame)
                window.AddRenderer(ren)
                self.insets[joint.name] = (ren, drawing, cut, title, frame)
        #: the viewports of the insets (fractions of the picture), by joint
        self.boxes: dict[str, tuple[float, float, float, float]] = dict(INSET_BOXES)
        #: the latest layout of each inset (magnification, numbers' boxes; pixels of the inset)
        self.layouts: dict[str, InsetLayout] = {}
        self._laid_out: Recent[InsetLayout] = Recent(_KEPT_LAYOUTS)  # layouts made, by their inputs
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

    def _column(self) -> tuple[float, float]:
        """The column's bottom and top (fractions of the height): above the colour legend (or
        the caption) at the bottom right, under the orientation mark (or a caption moved to
        the top right, in a narrow picture)."""
        h = self.scene.size[1]
        scale = self.scene.font_scale()
        caption = self.scene.layers.get("caption")
        caption_y = caption.actor.GetPositionCoordinate().GetValue()[1] if caption is not None else 0.0
        colormap = self.scene.layers.get("colormap")
        if colormap is not None:  # the legend's title is its top line
            y = colormap.title.GetPositionCoordinate().GetValue()[1]
            bottom = y + 12 * scale / h + _GAP
        elif caption is not None and caption_y < 0.5:
            bottom = caption_y + 13 * scale / h + _GAP
        else:
            bottom = _GAP
        top = caption_y - _GAP if caption_y > 0.5 else _COLUMN_TOP
        return bottom, top

    def view_changed(self) -> None:
        if self.wanted():
            self.boxes = inset_boxes(*self._column())
            for name, (ren, *_) in self.insets.items():
                ren.SetViewport(*self.boxes[name])
        self._show(self.wanted())
        if self.shown and self.scene.posed is not None:
            self.update(self.scene.posed, self.scene.shown_world_transforms(), None)

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        if not self.shown:
            return
        cuts = {name: cut.update(posed, world) for name, cut in self.cuts.items()}
        win_w, win_h = self.scene.size
        for name, (ren, drawing, cut, title, _) in self.insets.items():
            origin, normal = cut.plane(world)
            t = np.asarray(world["sacrum"])
            up = t[:3, :3] @ np.asarray(cut.section.up, float)
            right = np.cross(up, normal)  # the inset's right: the camera looks along -normal
            wedge = cut.wedges.get(name)
            x0, y0, x1, y1 = self.boxes[name]
            box = ((x1 - x0) * win_w, (y1 - y0) * win_h)
            # the title, shortened when the box is too narrow for it
            words = f"{self.titles[name]}: section"
            if text_size(title.GetTextProperty(), words)[0] > box[0] - 2 * _PAD_PX:
                words = self.titles[name]
            title.SetInput(words)
            _, title_h = text_size(title.GetTextProperty(), words)
            title.GetPositionCoordinate().SetValue(0.03, 1.0 - (title_h + _PAD_PX) / box[1])
            if wedge is not None:
                centre = wedge.centre
                plane = np.column_stack([right, up])
                outline = _wedge_outline(wedge) - centre
                sizes = [drawing.text_box_size(text) for text in drawing.end_texts(name)]
                # in microns: the layout is then a function of what is kept below, and a pose
                # shown again (an animation goes out and back) finds its layout there
                outline_uv = np.round(outline @ plane, 3)
                ends_uv = [np.round((e.position - centre) @ plane, 3) for e in wedge.ends][: len(sizes)]
                key = (outline_uv.tobytes(), b"".join(e.tobytes() for e in ends_uv), tuple(sizes), box, title_h)
                layout = self._laid_out.get(key)
                if layout is None:
                    layout = layout_inset(
                        outline_uv, ends_uv, sizes, box, top_reserved=title_h + 2 * _PAD_PX, pad=_PAD_PX
                    )
                    self._laid_out.put(key, layout)
                # the focal point (drawn at the box's middle) where the layout puts the wedge
                offset = (np.asarray(box) / 2 - np.asarray(layout.centre_px)) / layout.scale
                focal = centre + right * offset[0] + up * offset[1]
                half_field = box[1] / 2 / layout.scale
                origin_px = np.array([x0 * win_w, y0 * win_h])
                texts = [
                    (a + origin_px[0], b + origin_px[1], c + origin_px[0], d + origin_px[1])
                    for a, b, c, d in layout.texts
                ]
                self.layouts[name] = layout
            else:
                focal = t[:3, :3] @ cut.centres[name] + t[:3, 3]
                half_field, texts = _EMPTY_HALF_FIELD_MM, []
                self.layouts.pop(name, None)
            cam = ren.GetActiveCamera()
            cam.SetFocalPoint(*focal)
            cam.SetPosition(*(focal + normal * 500.0))
            cam.SetViewUp(*up)
            cam.SetParallelScale(half_field)
            cam.SetClippingRange(400.0, 600.0)
            drawing.update(cuts[cut.section.name], world, {name: texts})


#: Inset layouts kept for poses shown again.
_KEPT_LAYOUTS = 384
#: Half the height (mm) an inset shows when its joint is not in the section.
_EMPTY_HALF_FIELD_MM = 20.0


def _wedge_outline(wedge) -> NDArray:
    """The closed outline (world mm) of a wedge: one bone's side, then the partner's side back."""
    pts = np.asarray(wedge.strip.points)
    n = len(pts) // 2
    return np.vstack([pts[:n], pts[n:][::-1], pts[:1]])


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
