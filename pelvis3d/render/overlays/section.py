"""Joint sections drawn in a renderer: cut bone, the joint space as a coloured wedge, and the
measured width at each end of the joint.

:class:`SectionDrawing` draws one :class:`pelvis3d.render.section.SectionCut` into one VTK
renderer (the scene's own for the ``si-section`` / ``symphysis-section`` views, a small one for
a magnifier inset); :class:`SectionOverlay` is the content of the section views: it clips the
3D bones at the plane (GPU clipping planes, no mesh work per frame) and caps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from pelvis3d.model import PosedPelvis
from pelvis3d.render.drawing import TEXT_COLOUR, rgb, set_user_matrix, text_size, to_display
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.section import SECTIONS, SectionCut
from pelvis3d.render.views import SECTION_VIEWS

__all__ = ["CUT_BONE_COLOUR", "SectionDrawing", "SectionOverlay", "end_text"]

#: Cut bone: paler than the bone surface, as a cut face reads in anatomy atlases.
CUT_BONE_COLOUR = "#efe6d2"
_OUTLINE_COLOUR = "#6b5a3e"
#: The end widths' white background reaches about this far (pixels) around their letters.
_TEXT_MARGIN_PX = 2.0


def end_text(label: str, width_mm: float, change_mm: float, two_lines: bool = False) -> str:
    """``back 3.22 mm (-0.20)``: the true width at one end of a joint and its change (the
    change on a line of its own with ``two_lines``, for a narrow inset)."""
    rounded = round(change_mm, 2)
    return f"{label} {width_mm:.2f} mm{chr(10) if two_lines else ' '}({(rounded if rounded != 0 else 0.0):+.2f})"


class SectionDrawing:
    """Actors for one section cut in ``renderer``: a filled cap and an outline per bone, a
    wedge per joint coloured by the shown change of its width (``cmap`` red = narrower), and
    the true width at the joint's two ends.

    Parameters
    ----------
    cut : SectionCut
        Shared geometry (cut once per frame, drawn by every drawing of it).
    renderer : vtkRenderer
    font_size : int
        Pixel size of the end-width text.
    joints : sequence of str, optional
        Which joints get their end widths printed (default all).
    line_width : float
        Pixel width of the bone outlines, as drawn.
    """

    def __init__(
        self,
        cut: SectionCut,
        renderer,
        font_size: int = 14,
        joints=None,
        two_lines: bool = False,
        line_width: float = 2.0,
    ) -> None:
        import pyvista as pv
        from vtkmodules.vtkRenderingCore import vtkPolyDataMapper, vtkTextActor

        self.cut = cut
        self.renderer = renderer
        self.two_lines = bool(two_lines)
        self.caps: dict[str, tuple[object, object]] = {}
        for body in cut.bodies:
            cap_mapper = vtkPolyDataMapper()
            cap_mapper.SetInputData(cut.face_data(body))
            cap_mapper.ScalarVisibilityOff()
            cap = pv.Actor()
            cap.SetMapper(cap_mapper)
            prop = cap.GetProperty()
            prop.SetColor(*rgb(CUT_BONE_COLOUR))
            prop.SetLighting(False)  # a flat cut face: its colour as it is
            line_mapper = vtkPolyDataMapper()
            line_mapper.SetInputData(cut.outline_data(body))
            line = pv.Actor()
            line.SetMapper(line_mapper)
            line.GetProperty().SetColor(*rgb(_OUTLINE_COLOUR))
            line.GetProperty().SetLineWidth(line_width)
            line.GetProperty().SetLighting(False)
            renderer.AddActor(cap)
            renderer.AddActor(line)
            self.caps[body] = (cap, line)
        self.wedges: dict[str, object] = {}
        self.texts: dict[str, list[object]] = {}
        chosen = set(joints) if joints is not None else {j.name for j in cut.section.joints}
        for joint in cut.section.joints:
            mesh = pv.PolyData()
            mapper = vtkPolyDataMapper()
            mapper.SetInputData(mesh)
            lut = pv.LookupTable(cmap="RdBu")
            lut.scalar_range = (-joint.limit_mm, joint.limit_mm)
            mapper.SetLookupTable(lut)
            mapper.SetScalarRange(-joint.limit_mm, joint.limit_mm)
            mapper.SetScalarModeToUsePointFieldData()
            mapper.SelectColorArray("change")
            mapper.ScalarVisibilityOn()
            actor = pv.Actor()
            actor.SetMapper(mapper)
            actor.GetProperty().SetLighting(False)
            renderer.AddActor(actor)
            self.wedges[joint.name] = (mesh, mapper, actor)
            if joint.name in chosen:
                texts = []
                for _ in range(2):
                    t = vtkTextActor()
                    tp = t.GetTextProperty()
                    tp.SetFontSize(int(font_size))
                    tp.SetColor(*rgb(TEXT_COLOUR))
                    tp.SetFontFamilyToArial()
                    tp.SetBackgroundColor(1.0, 1.0, 1.0)
                    tp.SetBackgroundOpacity(0.8)
                    tp.SetVerticalJustificationToCentered()
                    renderer.AddViewProp(t)
                    texts.append(t)
                self.texts[joint.name] = texts

    def actors(self) -> list:
        out: list = []
        for cap, line in self.caps.values():
            out += [cap, line]
        out += [a for _, _, a in self.wedges.values()]
        for texts in self.texts.values():
            out += texts
        return out

    def set_font_size(self, size: int) -> None:
        for texts in self.texts.values():
            for t in texts:
                t.GetTextProperty().SetFontSize(int(size))

    def end_texts(self, name: str) -> list[str]:
        """The words at the ends of joint ``name``'s wedge in the latest cut ([] for none)."""
        wedge = self.cut.wedges.get(name)
        if wedge is None or name not in self.texts:
            return []
        return [end_text(e.label, e.width_mm, e.change_mm, self.two_lines) for e in wedge.ends]

    def text_box_size(self, text: str) -> tuple[float, float]:
        """Width and height (pixels) of ``text`` at the end-width font, with its background."""
        w, h = text_size(next(iter(self.texts.values()))[0].GetTextProperty(), text)
        return w + 2 * _TEXT_MARGIN_PX, h + 2 * _TEXT_MARGIN_PX

    def update(
        self,
        cuts: Mapping[str, object],
        world: Mapping[str, NDArray],
        text_boxes: Mapping[str, Sequence[tuple[float, float, float, float]]] | None = None,
    ) -> None:
        """Draw the latest cut (``cuts`` from :meth:`SectionCut.update`); ``text_boxes`` gives
        the end widths' boxes (display pixels, left, bottom, right, top) by joint, where a
        caller has laid them out (an inset); otherwise each is put beside its end."""
        origin, normal = self.cut.plane(world)
        for body, (cap, line) in self.caps.items():
            # a hair towards the camera: over the clipped bone, under the wedge
            lift = np.eye(4)
            lift[:3, 3] = normal * 0.05
            set_user_matrix(cap, lift @ np.asarray(world[body]))
            lift[:3, 3] = normal * 0.15
            set_user_matrix(line, lift @ np.asarray(world[body]))
        for name, (_, mapper, actor) in self.wedges.items():
            wedge = self.cut.wedges.get(name)
            actor.SetVisibility(wedge is not None)
            for t in self.texts.get(name, []):
                t.SetVisibility(wedge is not None)
            if wedge is None:
                continue
            # the wedge's own strip, drawn a hair over the outlines (all its colour shows)
            mapper.SetInputData(wedge.strip)
            lift = np.eye(4)
            lift[:3, 3] = normal * 0.2
            set_user_matrix(actor, lift)
            texts = self.texts.get(name, [])
            # beside each end, away from the joint: outwards along the joint and sideways
            # away from the midline (so the two SI joints' numbers never meet in the middle)
            lateral = wedge.centre - origin
            lateral -= normal * (lateral @ normal)
            lateral = lateral / np.linalg.norm(lateral) if np.linalg.norm(lateral) > 5.0 else np.zeros(3)
            boxes = (text_boxes or {}).get(name)
            for i, (t, end) in enumerate(zip(texts, wedge.ends, strict=False)):
                t.SetInput(end_text(end.label, end.width_mm, end.change_mm, self.two_lines))
                if boxes is not None and i < len(boxes):
                    left, bottom, _, top = boxes[i]
                    t.GetTextProperty().SetJustificationToLeft()
                    t.GetPositionCoordinate().SetCoordinateSystemToDisplay()
                    t.GetPositionCoordinate().SetValue(left + _TEXT_MARGIN_PX, (bottom + top) / 2)
                    continue
                outward = end.position - wedge.centre
                outward -= normal * (outward @ normal)
                outward /= max(np.linalg.norm(outward), 1e-9)
                self._place(t, end.position, end.position + outward * 4.0 + lateral * 6.0)

    def _place(self, text, anchor: NDArray, at: NDArray) -> None:
        """Put ``text`` at world point ``at`` (beside the joint end ``anchor``), on the side
        away from the joint, shifted to stay inside the renderer's viewport."""
        ren = self.renderer
        ax, ay = to_display(ren, anchor)
        x, y = to_display(ren, at)
        width, height = text_size(text.GetTextProperty(), text.GetInput())
        vw, vh = ren.GetRenderWindow().GetSize()
        x0, y0, x1, y1 = ren.GetViewport()
        # under the top row of the viewport (an inset's title sits there)
        lo_x, hi_x, lo_y, hi_y = x0 * vw + 4, x1 * vw - 4, y0 * vh + height / 2 + 3, y1 * vh - height * 1.9
        left = x - width if x < ax else x  # the text's left edge: to the left of the end or right
        left = min(max(left, lo_x), hi_x - width)
        text.GetTextProperty().SetJustificationToLeft()
        text.GetPositionCoordinate().SetCoordinateSystemToDisplay()
        text.GetPositionCoordinate().SetValue(left, min(max(y, lo_y), hi_y))


class SectionOverlay(Overlay):
    """The content of a section view: the bones clipped at the plane, capped, with the wedges."""

    def __init__(self, scene, view: str) -> None:
        from vtkmodules.vtkCommonDataModel import vtkPlane

        super().__init__(scene)
        self.view = view
        self.name = view
        self.cut = SectionCut(scene.pelvis, SECTION_VIEWS[view])
        self.drawing = SectionDrawing(
            self.cut, scene.plotter.renderer, font_size=self._font(), line_width=scene.line_width(2.0)
        )
        self.clip = vtkPlane()
        self.active = False

    def _font(self) -> int:
        return int(14 * self.scene.font_scale())

    def actors(self) -> list:
        return self.drawing.actors()

    def rescale_fonts(self, scale: float) -> None:
        self.drawing.set_font_size(int(14 * scale))

    def _bone_mappers(self) -> list:
        return [a.GetMapper() for a in self.scene.actors.values()]

    def view_changed(self) -> None:
        active = self.scene.view == self.view
        if active != self.active:
            for mapper in self._bone_mappers():
                if active:
                    mapper.AddClippingPlane(self.clip)
                else:
                    mapper.RemoveClippingPlane(self.clip)
            self.scene.cull_back_faces(not active)  # the clipped bones show their insides
            self.active = active
        for actor in self.actors():
            actor.SetVisibility(active)
        if active and self.scene.posed is not None:
            self.update(self.scene.posed, self.scene.shown_world_transforms(), None)

    def set_visible(self, on: bool) -> None:
        super().set_visible(on and self.active)

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        if not self.active:
            return
        cuts = self.cut.update(posed, world)
        origin, normal = self.cut.plane(world)
        # keep the half away from the camera (the plane normal points to the camera)
        self.clip.SetOrigin(*origin)
        self.clip.SetNormal(*(-normal))
        self.drawing.update(cuts, world)


def section_limits(view: str) -> tuple[float, ...]:
    """The colour scale(s) (mm) of the joints in a section view."""
    return tuple(j.limit_mm for j in SECTIONS[SECTION_VIEWS[view]].joints)
