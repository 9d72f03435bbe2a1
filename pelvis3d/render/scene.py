"""One pyvista scene of the pelvis: bone actors, switchable overlays and anatomical cameras.

The scene is built once; :meth:`PelvisScene.set_pose` then only moves actors (their
``user_matrix``), rewrites the joint-surface scalars and the text of existing text actors,
so a new frame costs little beyond the render itself. Still pictures
(:mod:`pelvis3d.render.layouts`), exercise pictures, the desktop viewer and the browser app
all draw through this class. Each overlay lives in its own module under
:mod:`pelvis3d.render.overlays`.

Rendering needs OpenGL; without a display on Linux the scene renders offscreen (EGL or
OSMesa from Mesa), see :func:`pelvis3d.render.backend.prepare_offscreen`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES
from pelvis3d.colours import BODY_COLOURS
from pelvis3d.errors import PoseError, PoseTypeError
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis, PosedPelvis
from pelvis3d.render.backend import closed_outwards, import_pyvista, polydata
from pelvis3d.render.checks import check_exaggeration, check_size, font_scale_for
from pelvis3d.render.drawing import TEXT_COLOUR, rgb, rotate, set_user_matrix
from pelvis3d.render.exaggeration import ShownFactors
from pelvis3d.render.overlays import Overlay, Overlays
from pelvis3d.render.overlays.arrows import ArrowsOverlay
from pelvis3d.render.overlays.colormap import COLORMAP_LIMIT_MM, ColourMapOverlay
from pelvis3d.render.overlays.ghost import GhostOverlay
from pelvis3d.render.overlays.insets import INSET_COLUMN, InsetsOverlay
from pelvis3d.render.overlays.labels import LabelsOverlay
from pelvis3d.render.overlays.section import SectionOverlay
from pelvis3d.render.overlays.text import CaptionOverlay, MeasurementsOverlay, OrientationOverlay
from pelvis3d.render.shown_factor import picture_ring
from pelvis3d.render.views import SECTION_VIEWS, VIEWS, view_vectors
from pelvis3d.ring import check_ring
from pelvis3d.validation import known_name, real_number

__all__ = ["COLORMAP_LIMIT_MM", "Overlays", "PelvisScene"]

_UP = np.array([0.0, 1.0, 0.0])
#: decimated bones by (body, digest of the points, triangle count), shared by the scenes of a process
_COARSE_MESHES: dict[tuple[str, str, int], object] = {}


class PelvisScene:
    """A pelvis in a pyvista plotter, posed and annotated.

    Parameters
    ----------
    pelvis : Pelvis, optional
        The model (default: the built-in pelvis).
    size : (int, int)
        Image size in pixels (width, height).
    view : str
        Camera preset (see :data:`pelvis3d.render.views.VIEWS`).
    exaggeration : float
        Display factor for the pelvic-ring angles (1-20); the caption states it.
    overlays : Overlays or str
        Which overlays to draw (``"all"``, ``"none"`` or a comma list).
    background : str
        Background colour; ``transparent=True`` makes PNG screenshots transparent.
    orthographic : bool
        Parallel projection (default), as in anatomical drawings.
    off_screen : bool
        Render without a window.
    title : str, optional
        Text at the top of the picture.
    ring : {"auto", "closed", "open"}
        How poses move the ring (:mod:`pelvis3d.ring`). ``"auto"`` (default): one-sided and
        combined poses close the ring (:data:`pelvis3d.ring.PICTURE_RING`), so one innominate's
        motion is taken up by the other joints as published stiffnesses say, while a pure
        symmetric motion (both sides alike, one kind of DOF) shows the DOF as defined (open).
    plotter : pyvista.Plotter, optional
        Draw into this plotter (the viewer passes its own).
    allow_overlap : bool
        Show the full exaggeration even where it would put bone through bone. By default a
        pose whose exaggerated joints would touch is shown at the largest factor (to 0.1)
        that keeps them apart, and the caption says so ("x3.2 - more would overlap").
    text_scale : float
        All text this much larger than the picture's size alone makes it (a slide: see
        :func:`pelvis3d.render.animation.slide_text_scale`).
    supersample : float
        Anti-aliasing by drawing at this many times ``size`` without multisampling and
        resizing :meth:`screenshot` down to ``size`` (1-2; 1: multisampling as pyvista sets
        it). On Mesa's software rasteriser 1.5x supersampling costs about half as much as
        multisampling (``benchmarks/bench_render.py``). Text and lines are drawn this much
        larger, so the picture looks the same; pixel positions (labels, leaders,
        :attr:`size`) are those of the drawing.
    """

    def __init__(
        self,
        pelvis: Pelvis | None = None,
        *,
        size: Sequence[int] = (800, 600),
        view: str = "top",
        exaggeration: float = 5.0,
        overlays: Overlays | str | Iterable[str] | None = None,
        background: str = "white",
        transparent: bool = False,
        orthographic: bool = True,
        off_screen: bool = True,
        title: str | None = None,
        plotter=None,
        allow_overlap: bool = False,
        ring: str = "auto",
        text_scale: float = 1.0,
        supersample: float = 1.0,
    ) -> None:
        pv = import_pyvista()
        self.pelvis = pelvis if pelvis is not None else Pelvis()
        #: the size of the pictures :meth:`screenshot` returns (width, height, pixels)
        self.picture_size = check_size(size)
        self.pixel_scale = real_number(supersample, "supersample")
        if not 1.0 <= self.pixel_scale <= 2.0:
            raise PoseError(f"supersample must be in [1, 2], got {supersample!r}")
        #: the size drawn (pixels): ``picture_size`` times ``pixel_scale``
        self.size = tuple(int(round(v * self.pixel_scale)) for v in self.picture_size)
        self.overlays = Overlays.parse(overlays)
        self.exaggeration = check_exaggeration(exaggeration)
        self.ring = ring if ring == "auto" else check_ring(ring)
        self.allow_overlap = bool(allow_overlap)
        self.text_scale = float(text_scale)
        #: the highest a label may reach (fraction of the height), e.g. under a phase row
        self.text_ceiling: float | None = None
        #: the lowest a label's box may reach (pixels from the bottom), e.g. above a row of controls
        self.text_floor_px: float | None = None
        self._factors = ShownFactors(self.pelvis)
        #: the largest ring rotation (true degrees, either side) of the poses the camera was
        #: fitted to (:meth:`fit_postures`): labels keep clear of the bones that far out
        self.fitted_rotation = 0.0
        #: while > 0, label layouts wait for the next render (see :meth:`deferred_layout`)
        self.layout_deferred = 1  # the camera and text are not final while the scene is built
        self.transparent = bool(transparent)
        self.orthographic = bool(orthographic)
        self.view = known_name(view, VIEWS, "view")
        self._azimuth = 0.0
        self._zoom = 1.0
        self._turn: NDArray | None = None
        self._text_sizes: list[tuple[object, int]] = []  # (text property, font size at 600 px)
        if plotter is None:
            plotter = pv.Plotter(off_screen=off_screen, window_size=list(self.size), lighting="light kit")
        self.plotter = plotter
        if self.pixel_scale > 1.0:
            self.plotter.ren_win.SetMultiSamples(0)  # the supersampling anti-aliases
        self.plotter.set_background(background)
        self.posed: PosedPelvis | None = None
        self._direction: Mapping[str, int] | None = None
        self._build_bones()
        self.layers: dict[str, Overlay] = {}
        self._hidden: set[str] = set()
        self.content_right = 1.0
        self._build_overlays(title)
        self.set_view(view)
        self.set_pose(Pose())
        # a window resized by its user or a browser (trame streams at the page's size):
        # refit the camera and the labels to the size actually drawn; then let overlays finish
        # deferred work (the label layout) for the camera and text in force
        self.plotter.renderer.AddObserver("StartEvent", self._before_render)
        self.layout_deferred = 0

    # ---- construction -------------------------------------------------------------------
    def _build_bones(self) -> None:
        a = self.pelvis.anatomy
        self.meshes = {}
        self.actors = {}
        for body in BODIES:
            mesh = polydata(a.vertices[body], a.faces[body]).compute_normals(
                split_vertices=False, consistent_normals=False, auto_orient_normals=False
            )
            self.meshes[body] = mesh
            self.actors[body] = self.plotter.add_mesh(
                mesh,
                color=BODY_COLOURS[body],
                smooth_shading=True,
                specular=0.25,
                specular_power=18,
                ambient=0.12,
                diffuse=0.9,
                name=body,
            )
        #: bones whose back faces are never seen from outside (closed, wound outwards)
        self.closed_bones = {body for body in BODIES if closed_outwards(a.vertices[body], a.faces[body])}
        self.cull_back_faces(True)
        self._coarse: dict[str, object] = {}
        points = np.vstack([np.asarray(a.vertices[b]) for b in BODIES])
        self._points = points[:: max(1, len(points) // 4000)]  # for framing the camera
        self._frame_points = self._points  # where the bones are shown: neutral until fitted
        self._centre = (points.min(axis=0) + points.max(axis=0)) / 2

    def cull_back_faces(self, on: bool) -> None:
        """Skip the triangles facing away from the camera on closed bones (``on``), or draw them
        (a section view looks into the cut bone). A closed bone's back faces are always hidden
        behind its front, but a software rasteriser shades many of them before the front covers
        them: culling them cut the render time of a picture by about 40%, with the same pixels."""
        for body, actor in self.actors.items():
            actor.GetProperty().SetBackfaceCulling(bool(on) and body in self.closed_bones)

    def coarse_mesh(self, body: str):
        """``body``'s mesh with 15% of its triangles (pyvista PolyData, body frame, mm), for
        what needs the shape but not its detail: the ghost, the labels' silhouette grid."""
        if body not in self._coarse:
            mesh = self.meshes[body]
            key = (body, hashlib.sha1(np.ascontiguousarray(mesh.points).tobytes()).hexdigest(), mesh.n_cells)
            if key not in _COARSE_MESHES:  # decimating costs ~0.2 s a bone: once per process
                if len(_COARSE_MESHES) >= 12:
                    _COARSE_MESHES.clear()
                _COARSE_MESHES[key] = mesh.decimate(0.85).compute_normals(split_vertices=False)
            self._coarse[body] = _COARSE_MESHES[key]
        return self._coarse[body]

    def _build_overlays(self, title: str | None) -> None:
        on = self.overlays
        self.title_actor = self.add_text(title or "", (0.5, 0.935), size=20, justify="centre", bold=True)
        self.title_actor.GetTextProperty().SetBackgroundColor(1.0, 1.0, 1.0)
        attribution = getattr(self.pelvis.anatomy, "attribution", "")
        credit = bool(attribution) and not attribution.startswith("Generated by pelvis3d")
        lift = 0.035 if credit and on.caption else 0.0  # room for the credit line
        self.credit_actor = (
            self.add_text(attribution, (0.5, 0.008), size=10, justify="centre", colour="#4b5563") if lift else None
        )
        builders = {
            "ghost": lambda: GhostOverlay(self),
            "colormap": lambda: ColourMapOverlay(self, lift),
            "arrows": lambda: ArrowsOverlay(self),
            "measurements": lambda: MeasurementsOverlay(self, lift),
            "caption": lambda: CaptionOverlay(self, lift, requested=on.caption),
            "orientation": lambda: OrientationOverlay(self),
            "labels": lambda: LabelsOverlay(self),
            "insets": lambda: InsetsOverlay(self),
        }
        for name, build in builders.items():
            if getattr(on, name) or name == "caption":  # an exaggeration is always stated
                self.layers[name] = build()

    def add_text(
        self,
        text: str,
        pos: tuple[float, float],
        size: int = 14,
        justify: str = "left",
        bold: bool = False,
        colour: str = TEXT_COLOUR,
    ):
        """A 2D text actor at normalised viewport position ``pos`` (0..1, from lower left);
        ``size`` is the font size at a 600 px high picture (text scales with the picture)."""
        from vtkmodules.vtkRenderingCore import vtkTextActor

        actor = vtkTextActor()
        actor.SetInput(text)
        actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
        actor.GetPositionCoordinate().SetValue(*pos)
        prop = actor.GetTextProperty()
        prop.SetFontSize(int(size * self.font_scale()))
        self._text_sizes.append((prop, size))
        prop.SetColor(*rgb(colour))
        prop.SetBold(bold)
        prop.SetFontFamilyToArial()
        prop.SetJustification({"left": 0, "centre": 1, "right": 2}[justify])
        prop.SetVerticalJustificationToBottom()
        self.plotter.renderer.AddViewProp(actor)
        return actor

    def font_scale(self) -> float:
        """Text scale: 1 for a 600 px high picture."""
        # by the height; a narrow picture (near square or taller) by its width, so the text at the
        # bottom left and the legend at the bottom right stay apart
        return font_scale_for(self.picture_size) * self.text_scale * self.pixel_scale

    def line_width(self, width: float) -> float:
        """A line ``width`` pixels wide in the picture, in pixels drawn."""
        return width * self.pixel_scale

    def _rescale_fonts(self) -> None:
        scale = self.font_scale()
        for prop, size in self._text_sizes:
            prop.SetFontSize(int(size * scale))
        for layer in self.layers.values():
            layer.rescale_fonts(scale)

    # ---- overlay access -----------------------------------------------------------------
    def layer(self, name: str) -> Overlay | None:
        """The overlay object ``name`` (``None`` when the scene was built without it)."""
        return self.layers.get(name)

    @property
    def labels(self) -> LabelsOverlay | None:
        """The labels overlay, if built."""
        return self.layers.get("labels")  # type: ignore[return-value]

    @property
    def ghost_actors(self) -> dict[str, object]:
        """The ghost's actors by body (empty without the ghost)."""
        ghost = self.layers.get("ghost")
        return ghost.ghost_actors if isinstance(ghost, GhostOverlay) else {}

    @property
    def measure_actor(self):
        """The measurements text actor, if built."""
        layer = self.layers.get("measurements")
        return layer.actor if isinstance(layer, MeasurementsOverlay) else None

    @property
    def caption_actor(self):
        """The caption text actor, if built."""
        layer = self.layers.get("caption")
        return layer.actor if isinstance(layer, CaptionOverlay) else None

    @property
    def orient_actors(self) -> list:
        """The orientation markers (left, right, top), if built."""
        layer = self.layers.get("orientation")
        return list(layer.marks) if isinstance(layer, OrientationOverlay) else []

    # ---- state --------------------------------------------------------------------------
    def set_title(self, title: str | None) -> None:
        """Set the text at the top of the picture."""
        self.title_actor.SetInput(title or "")

    def set_exaggeration(self, exaggeration: float) -> None:
        """Change the display factor (re-poses the current pose)."""
        self.exaggeration = check_exaggeration(exaggeration)
        if self.posed is not None:
            self.set_pose(self.posed.pose)

    def camera_vectors(self) -> tuple[NDArray, NDArray]:
        """``(direction to the camera, up)`` of the current view preset, as unit vectors."""
        direction, up = view_vectors(self.view, self.pelvis.landmarks)
        if self._azimuth:
            direction = rotate(direction, _UP, np.radians(self._azimuth))
            up = rotate(up, _UP, np.radians(self._azimuth))
        if self._turn is not None:
            direction, up = np.asarray(self._turn) @ direction, np.asarray(self._turn) @ up
        return direction, up

    def set_view(self, view: str, *, azimuth: float = 0.0, zoom: float = 1.0, turn: NDArray | None = None) -> None:
        """Point the camera: a preset name, optionally turned by ``azimuth`` degrees about the
        vertical, or by the (3, 3) rotation ``turn`` (e.g. a posture, so views stay anatomical)."""
        self.view = known_name(view, VIEWS, "view")
        self._azimuth = real_number(azimuth, "azimuth")
        self._zoom, self._turn = zoom, turn
        if self.view in SECTION_VIEWS and self.view not in self.layers:
            self.layers[self.view] = SectionOverlay(self, self.view)
        direction, up = self.camera_vectors()
        cam = self.plotter.camera
        right = np.cross(-direction, up)
        frame_points, centre = self._frame_points, self._centre
        # a close-up fills the picture up to the title: the title then sits on a white band
        self.title_actor.GetTextProperty().SetBackgroundOpacity(0.85 if self.view in SECTION_VIEWS else 0.0)
        if self.view in SECTION_VIEWS:  # a close-up of the joints in the plane
            frame_points = self.layers[self.view].cut.focus(None, self.shown_world_transforms())
            centre = (frame_points.min(axis=0) + frame_points.max(axis=0)) / 2
        rel = frame_points - centre
        half_w = np.abs(rel @ right).max()
        half_h = np.abs(rel @ up).max()
        # the picture's width left for the pelvis and its labels (a column of insets takes the rest)
        self.content_right = INSET_COLUMN[0] if self._insets_shown() else 1.0
        aspect = self.size[0] * self.content_right / self.size[1]
        on = self.overlays
        side_margin = 1.6 if on.labels else 1.15
        text_band = on.measurements or on.colormap or on.caption
        # fraction of the height the pelvis may use (labels need a row above or below it)
        fill = (0.5 if on.labels else 0.66) if text_band else (0.72 if on.labels else 0.8)
        scale = max(half_h / fill, half_w * side_margin / aspect) / max(zoom, 1e-3)
        # raise the pelvis above the bottom text band
        focal = centre - up * (scale * (0.14 if text_band else 0.0))
        focal = focal + right * (1.0 - self.content_right) * scale * self.size[0] / self.size[1]
        distance = 1500.0
        cam.focal_point = tuple(focal)
        cam.position = tuple(focal + direction * distance)
        cam.up = tuple(up)
        cam.parallel_projection = self.orthographic
        if self.orthographic:
            cam.parallel_scale = scale
        else:
            cam.view_angle = float(np.degrees(2 * np.arctan(scale / distance)))
        cam.clipping_range = (distance - 600.0, distance + 600.0)
        self._preset_camera = self.camera_state()
        # where the bones are on screen (display pixels from the bottom left), so midline
        # labels can sit clear of them
        rel = (frame_points - focal) / scale * (self.size[1] / 2)
        self.screen_points = np.column_stack([rel @ right + self.size[0] / 2, rel @ up + self.size[1] / 2])
        for name, layer in self.layers.items():
            if name not in self._hidden:
                layer.view_changed()

    def _insets_shown(self) -> bool:
        layer = self.layers.get("insets")
        return isinstance(layer, InsetsOverlay) and "insets" not in self._hidden and layer.wanted()

    def camera_state(self) -> NDArray:
        """Position, focal point, up and parallel scale of the camera, as one array."""
        cam = self.plotter.camera
        return np.array([*cam.GetPosition(), *cam.GetFocalPoint(), *cam.GetViewUp(), cam.GetParallelScale()])

    @contextmanager
    def deferred_layout(self) -> Iterator[PelvisScene]:
        """Within the block, labels are laid out only at the next render (or when their leaders
        are read), not on every pose or camera change: for setting a scene up (framing, text
        rows) before its first picture without paying for layouts that would be replaced."""
        self.layout_deferred += 1
        try:
            yield self
        finally:
            self.layout_deferred -= 1

    def _before_render(self, *_: object) -> None:
        self._follow_window_size()
        for name, layer in self.layers.items():
            if name not in self._hidden:
                layer.before_render()

    def _follow_window_size(self) -> None:
        size = tuple(int(v) for v in self.plotter.render_window.GetSize())
        if size == self.size or min(size) < 32:
            return
        self.size = size
        self.picture_size = tuple(int(round(v / self.pixel_scale)) for v in size)
        self._rescale_fonts()
        if np.allclose(self.camera_state(), self._preset_camera):  # not turned by the user
            self.set_view(self.view, azimuth=self._azimuth, zoom=self._zoom, turn=self._turn)
        elif self.labels is not None and self.posed is not None and "labels" not in self._hidden:
            self.labels.update(self.posed, self.shown_world_transforms(), self._direction)

    def frame_on(self, points: NDArray) -> None:
        """Frame the camera on ``points`` (``(N, 3)`` world mm), e.g. a body with legs."""
        points = np.asarray(points, float)
        self._points = points[:: max(1, len(points) // 4000)]
        self._frame_points = self._points
        self._centre = (points.min(axis=0) + points.max(axis=0)) / 2
        self.set_view(self.view, azimuth=self._azimuth, zoom=self._zoom, turn=self._turn)

    def fit_postures(self, poses: Iterable[Pose]) -> None:
        """Frame the camera on the pelvis in every whole-pelvis posture of ``poses`` (tilt,
        obliquity, rotation; degrees), so a tilted pelvis stays in the picture and an
        animation keeps one camera. Neutral posture frames the neutral pelvis."""
        poses = list(poses)
        self.fitted_rotation = max((max(abs(p.left_rotation), abs(p.right_rotation)) for p in poses), default=0.0)
        postures = {(p.pelvis_tilt, p.pelvis_obliquity, p.pelvis_rotation) for p in poses}
        clouds = []
        for t, o, r in sorted(postures):
            m = self.posture_matrix(Pose(pelvis_tilt=t, pelvis_obliquity=o, pelvis_rotation=r))
            clouds.append(self._points if m is None else self._points @ m[:3, :3].T + m[:3, 3])
        points = np.vstack(clouds) if clouds else self._points
        self._frame_points = points
        self._centre = (points.min(axis=0) + points.max(axis=0)) / 2
        self.set_view(self.view, azimuth=self._azimuth, zoom=self._zoom, turn=self._turn)

    def posture_matrix(self, pose: Pose) -> NDArray | None:
        """``T_world_pelvis`` of the whole-pelvis posture of ``pose`` (its ring angles ignored);
        ``None`` when the pose has no posture."""
        if not (pose.pelvis_tilt or pose.pelvis_obliquity or pose.pelvis_rotation):
            return None
        posture = Pose(
            pelvis_tilt=pose.pelvis_tilt, pelvis_obliquity=pose.pelvis_obliquity, pelvis_rotation=pose.pelvis_rotation
        )
        return self.pelvis.transforms(posture, world=True)["sacrum"]

    def shown_world_transforms(self) -> Mapping[str, NDArray]:
        """``T_world_body`` of the bones as shown (identity posture when there is none)."""
        posed = self.posed
        if posed is None:
            return {b: np.eye(4) for b in BODIES}
        has_posture = self.posture_matrix(posed.shown_pose) is not None
        return posed.world_transforms if has_posture else posed.transforms

    def set_pose(self, pose: Pose, *, direction: Mapping[str, int] | None = None) -> PosedPelvis:
        """Show ``pose`` (true angles, degrees) at the scene's exaggeration.

        Parameters
        ----------
        pose : Pose
            The true pose; it is checked against the joint limits.
        direction : mapping, optional
            ``{"left": +1/-1/0, "right": ...}``: which way each innominate is moving, for
            the arrows (default: the sign of each side's rotation).

        Returns
        -------
        PosedPelvis
        """
        if not isinstance(pose, Pose):
            raise PoseTypeError(f"pose must be a pelvis3d.Pose, got {type(pose).__name__}")
        posed = self.shown(pose)
        self.posed = posed
        self._direction = direction
        # actors follow the world frame, so whole-pelvis posture shows too (identity otherwise)
        world = self.shown_world_transforms()
        for body, actor in self.actors.items():
            set_user_matrix(actor, world[body])
        for name, layer in self.layers.items():
            if name not in self._hidden:  # hidden: updated when shown again
                layer.update(posed, world, direction)
        return posed

    def shown(self, pose: Pose) -> PosedPelvis:
        """``pose`` at the scene's exaggeration, or, unless overlap is allowed, at the largest
        factor (a multiple of 0.1) at which no exaggerated joint closes to contact
        (:class:`pelvis3d.render.exaggeration.ShownFactors`: remembered per pose)."""
        return self._factors.shown(pose, self.exaggeration, self.ring_for(pose), self.allow_overlap)

    def ring_for(self, pose: Pose) -> str:
        """The ring model this scene draws ``pose`` with (see the ``ring`` parameter)."""
        return self.ring if self.ring != "auto" else picture_ring(pose)

    def set_overlay(self, name: str, on: bool) -> None:
        """Show or hide an overlay that the scene was built with (``ghost``, ``colormap``,
        ``labels``, ``arrows``, ``measurements``, ``caption``, ``orientation``)."""
        known_name(name, Overlays().names(), "overlay")
        layer = self.layers.get(name)
        if layer is None:
            return
        if name == "caption" and layer is not None:
            layer.set_visible(bool(on))
            if self.posed is not None:
                self.set_pose(self.posed.pose, direction=self._direction)
            return
        if name == "insets" and (bool(on) == (name in self._hidden)):
            self._hidden.symmetric_difference_update({name})
            layer.set_visible(bool(on))
            self.set_view(self.view, azimuth=self._azimuth, zoom=self._zoom, turn=self._turn)
            return
        if bool(on):
            self._hidden.discard(name)
            layer.set_visible(True)
            layer.view_changed()
            if self.posed is not None:
                self.set_pose(self.posed.pose, direction=self._direction)
        else:
            self._hidden.add(name)
            layer.set_visible(False)

    def overlay_visible(self, name: str) -> bool:
        """Whether an overlay is built and not hidden."""
        return name in self.layers and name not in self._hidden

    # ---- output -------------------------------------------------------------------------
    def render(self) -> None:
        """Render the current state."""
        self.plotter.render()

    def screenshot(self) -> NDArray[np.uint8]:
        """The current picture as an ``(H, W, 3)`` (or ``(H, W, 4)`` when transparent) uint8 array."""
        return self.picture(self.drawing())

    def drawing(self) -> NDArray[np.uint8]:
        """The current state rendered at the drawn size (:attr:`size`; see :meth:`picture`)."""
        self.plotter.render()
        return np.asarray(self.plotter.screenshot(transparent_background=self.transparent, return_img=True))

    def picture(self, drawn: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """A :meth:`drawing` at the picture's size. Needs no GL context: it may run in another
        thread while the next picture renders."""
        if self.pixel_scale == 1.0:
            return drawn
        from PIL import Image

        # the mean of the drawn pixels under each picture pixel (a box filter: the usual
        # supersampling resolve); Pillow resizes RGBA premultiplied, so edges keep their colour
        return np.asarray(Image.fromarray(drawn).resize(self.picture_size, Image.Resampling.BOX))

    def show(self, **options) -> object:
        """Show the scene with pyvista's ``Plotter.show`` (in Jupyter, pass e.g.
        ``jupyter_backend="trame"`` for an interactive view, ``"static"`` for a picture)."""
        return self.plotter.show(**options)

    def close(self) -> None:
        """Release the render window."""
        self.plotter.close()

    def __enter__(self) -> PelvisScene:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
