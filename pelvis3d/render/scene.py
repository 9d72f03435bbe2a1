"""One pyvista scene of the pelvis: bone actors, overlays and anatomical cameras.

The scene is built once; :meth:`PelvisScene.set_pose` then only moves actors (their
``user_matrix``), rewrites the joint-surface scalars and the text of existing text actors,
so a new frame costs little beyond the render itself. Rendering (:mod:`pelvis3d.render`),
the desktop viewer and the browser app all draw through this class.

Rendering needs OpenGL; without a display on Linux the scene renders offscreen (EGL or
OSMesa from Mesa), see :func:`pelvis3d.render.backend.prepare_offscreen`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES
from pelvis3d.colours import BODY_COLOURS
from pelvis3d.errors import PoseError, PoseTypeError
from pelvis3d.kinematics import SI_DOF_NAMES, Pose, relative_transform
from pelvis3d.model import MAX_EXAGGERATION, Pelvis, PosedPelvis
from pelvis3d.render.backend import import_pyvista, polydata
from pelvis3d.render.views import VIEWS, view_vectors
from pelvis3d.validation import known_name, real_number

__all__ = [
    "COLORMAP_LIMIT_MM",
    "Overlays",
    "PelvisScene",
]

GHOST_COLOUR = "#7b93b8"
ARROW_COLOUR = "#c2410c"
TEXT_COLOUR = "#1f2937"
#: Joint-space change shown by the colour map: -limit (compression, red) .. +limit (gapping, blue), mm.
COLORMAP_LIMIT_MM = 2.0

_LABELS_BY_VIEW: Mapping[str, tuple[str, ...]] = {
    "top": ("asis", "si", "pubic", "promontory"),
    "rear": ("psis", "si", "sacrum", "coccyx"),
    "front": ("asis", "pubic", "hip", "sacrum"),
    "bottom": ("pubic", "ischial_tuberosity", "coccyx"),
    "left": ("asis", "psis", "hip", "pubic"),
    "right": ("asis", "psis", "hip", "pubic"),
    "inlet": ("asis", "si", "pubic", "promontory"),
    "outlet": ("pubic", "ischial_tuberosity", "sacrum"),
    "oblique": ("asis", "si", "pubic", "hip"),
}


@dataclass(frozen=True)
class Overlays:
    """Which overlays a picture shows. Each is switchable.

    Parameters
    ----------
    labels : bool
        Landmark and joint labels with leader lines, laid out in the margins.
    ghost : bool
        A translucent copy of the neutral innominates, so a still shows the motion.
    arrows : bool
        Curved arrows for the direction of innominate rotation.
    colormap : bool
        Joint-space change on the SI and symphyseal surfaces, with a legend.
    measurements : bool
        Pubic gap, SI spaces and angles, true and shown.
    caption : bool
        The exaggeration statement (and attribution, when the anatomy has one).
    orientation : bool
        Left/right and anterior markers.
    """

    labels: bool = True
    ghost: bool = True
    arrows: bool = True
    colormap: bool = True
    measurements: bool = True
    caption: bool = True
    orientation: bool = True

    @classmethod
    def none(cls) -> Overlays:
        """No overlays (plain bones)."""
        return cls(**{f.name: False for f in fields(cls)})

    @classmethod
    def parse(cls, spec: Overlays | str | Iterable[str] | None) -> Overlays:
        """From an ``Overlays``, ``"all"``, ``"none"`` or names like ``"labels,ghost"``."""
        if spec is None or isinstance(spec, Overlays):
            return spec or cls()
        names = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
        if names == ["all"]:
            return cls()
        if names in (["none"], []):
            return cls.none()
        allowed = [f.name for f in fields(cls)]
        chosen = {known_name(n, allowed + ["all", "none"], "overlay") for n in names}
        return cls(**{n: n in chosen for n in allowed})

    def names(self) -> list[str]:
        """Names of the overlays that are on."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


def _matrix(t: NDArray) -> NDArray:
    return np.ascontiguousarray(np.asarray(t, dtype=float))


def _set_user_matrix(actor, t: NDArray) -> None:
    """Set an actor's user matrix in place (one VTK call per frame, no new objects)."""
    matrix = actor.GetUserMatrix()
    if matrix is None:
        actor.user_matrix = _matrix(t)
        return
    matrix.DeepCopy(np.ascontiguousarray(t, dtype=float).ravel())
    actor.Modified()


def _vtk_to_numpy(array) -> NDArray:
    from vtkmodules.util.numpy_support import vtk_to_numpy

    return vtk_to_numpy(array)


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
    plotter : pyvista.Plotter, optional
        Draw into this plotter (the viewer passes its own).
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
    ) -> None:
        pv = import_pyvista()
        self.pelvis = pelvis if pelvis is not None else Pelvis()
        self.size = _check_size(size)
        self.overlays = Overlays.parse(overlays)
        self.exaggeration = _check_exaggeration(exaggeration)
        self.transparent = bool(transparent)
        self.orthographic = bool(orthographic)
        self.view = known_name(view, VIEWS, "view")
        self._azimuth = 0.0
        self._text_sizes: list[tuple[object, int]] = []  # (text property, font size at 600 px)
        if plotter is None:
            plotter = pv.Plotter(off_screen=off_screen, window_size=list(self.size), lighting="light kit")
        self.plotter = plotter
        self.plotter.set_background(background)
        self._build_bones()
        self._build_ghost()
        self._build_patches()
        self._build_arrows()
        self._build_texts(title)
        self._labels = _LabelLayer(self) if self.overlays.labels else None
        self._hidden_overlays: set[str] = set()
        self.posed: PosedPelvis | None = None
        self.set_view(view)
        self.set_pose(Pose())
        # a window resized by its user or a browser (trame streams at the page's size):
        # refit the camera and the labels to the size actually drawn
        self.plotter.renderer.AddObserver("StartEvent", self._follow_window_size)

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
        points = np.vstack([np.asarray(a.vertices[b]) for b in BODIES])
        self._points = points[:: max(1, len(points) // 4000)]  # for framing the camera
        self._frame_points = self._points  # where the bones are shown: neutral until fitted
        self._centre = (points.min(axis=0) + points.max(axis=0)) / 2

    def _build_ghost(self) -> None:
        self.ghost_actors = {}
        if not self.overlays.ghost:
            return
        for body in ("left_innominate", "right_innominate", "sacrum"):
            # a faint copy of the neutral pose needs few triangles, and translucency is costly
            ghost = self.meshes[body].decimate(0.85).compute_normals(split_vertices=False)
            actor = self.plotter.add_mesh(
                ghost,
                color=GHOST_COLOUR,
                opacity=0.25,
                smooth_shading=True,
                ambient=0.3,
                specular=0.0,
                name=f"ghost_{body}",
            )
            # push the ghost back in depth so it tints nothing where the posed bone still is
            mapper = actor.GetMapper()
            mapper.SetResolveCoincidentTopologyToPolygonOffset()
            mapper.SetRelativeCoincidentTopologyPolygonOffsetParameters(0.0, 3000.0)
            self.ghost_actors[body] = actor

    def _build_patches(self) -> None:
        self.patches: dict[str, tuple[object, object, str]] = {}
        self._patch_points: dict[str, NDArray] = {}
        self._partner_planes: dict[str, tuple[str, NDArray, NDArray]] = {}
        self._borrow: dict[str, tuple[str, NDArray]] = {}
        self._patch_scalars: dict[str, tuple[NDArray, object]] = {}
        if not self.overlays.colormap:
            return
        a = self.pelvis.anatomy
        for name, surf in self.pelvis.joint_surfaces.items():
            faces = np.asarray(a.faces[surf.body])
            keep = np.isin(faces, surf.vertices).all(axis=1)
            if not keep.any():
                continue
            remap = -np.ones(len(a.vertices[surf.body]), dtype=np.int64)
            remap[surf.vertices] = np.arange(len(surf.vertices))
            normals = np.asarray(self.meshes[surf.body].point_data["Normals"])[surf.vertices]
            pts = np.asarray(a.vertices[surf.body])[surf.vertices] + 0.12 * normals  # sit just above the bone
            patch = polydata(pts, remap[faces[keep]])
            patch.point_data["joint space change (mm)"] = np.zeros(len(surf.vertices))
            actor = self.plotter.add_mesh(
                patch,
                scalars="joint space change (mm)",
                cmap="RdBu",
                clim=(-COLORMAP_LIMIT_MM, COLORMAP_LIMIT_MM),
                smooth_shading=True,
                show_scalar_bar=False,
                specular=0.2,
                name=f"patch_{name}",
            )
            self.patches[name] = (patch, actor, surf.body)
            vtk_scalars = patch.GetPointData().GetArray("joint space change (mm)")
            self._patch_scalars[name] = (_vtk_to_numpy(vtk_scalars), vtk_scalars)
            self._patch_points[name] = np.asarray(a.vertices[surf.body])[surf.vertices]
            partner = _partner_surface(name)
            if name.endswith("_si_sacrum") and partner in self.pelvis.joint_surfaces:
                # the sacral side shows the joint space of the facing innominate point (display
                # only; metrics.fields has the exact sacral field): one lookup instead of a query
                from scipy.spatial import cKDTree

                ps = self.pelvis.joint_surfaces[partner]
                facing = np.asarray(a.vertices[ps.body])[ps.vertices]
                self._borrow[name] = (
                    partner,
                    cKDTree(facing).query(np.asarray(a.vertices[surf.body])[surf.vertices])[1],
                )
            if partner in self.pelvis.joint_surfaces:
                ps = self.pelvis.joint_surfaces[partner]
                pn = np.asarray(self.meshes[ps.body].point_data["Normals"])[ps.vertices].mean(axis=0)
                centre = np.asarray(a.vertices[ps.body])[ps.vertices].mean(axis=0)
                self._partner_planes[name] = (ps.body, centre, pn / np.linalg.norm(pn))
        self.scalar_bar = self.plotter.add_scalar_bar(
            title="joint space change (mm)",
            n_labels=5,
            fmt="%+.0f",
            vertical=False,
            position_x=0.66,
            position_y=0.085,
            width=0.3,
            height=0.07,
            color=TEXT_COLOUR,
            title_font_size=int(13 * self._font_scale()),
            label_font_size=int(11 * self._font_scale()),
        )
        self._legend_words = [
            self._text("compression", (0.66, 0.055), size=12, colour="#b2182b"),
            self._text("gapping", (0.96, 0.055), size=12, justify="right", colour="#2166ac"),
        ]

    def _build_arrows(self) -> None:
        self.arrow_actors: dict[tuple[str, int], object] = {}
        if not self.overlays.arrows:
            return
        pv = import_pyvista()
        lm = self.pelvis.landmarks
        top = max(np.asarray(self.pelvis.anatomy.vertices[b])[:, 1].max() for b in BODIES) + 8.0
        for side in ("left", "right"):
            dof = self.pelvis.dofs[f"{side}_rotation"]
            pivot = np.array(dof.pivot_mm, float)
            axis = np.array(dof.axis, float)
            asis = np.array(lm[f"{side}_asis"], float)
            radius_vec = asis - pivot
            radius_vec -= axis * (radius_vec @ axis)
            for sense in (1, -1):  # +1: external rotation
                angles = np.radians(np.linspace(-9.0, 9.0, 24)) * sense
                pts = []
                for t in angles:
                    r = _rotate(radius_vec * 0.86, axis, t)
                    pts.append(pivot + r)
                pts = np.array(pts)
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
                arrow = shaft.merge(head)
                actor = self.plotter.add_mesh(
                    arrow, color=ARROW_COLOUR, smooth_shading=True, ambient=0.25, name=f"arrow_{side}_{sense}"
                )
                actor.SetVisibility(False)
                self.arrow_actors[(side, sense)] = actor

    def _text(
        self,
        text: str,
        pos: tuple[float, float],
        size: int = 14,
        justify: str = "left",
        bold: bool = False,
        colour: str = TEXT_COLOUR,
    ):
        """A 2D text actor at normalised viewport position ``pos`` (0..1, from lower left)."""
        from vtkmodules.vtkRenderingCore import vtkTextActor

        actor = vtkTextActor()
        actor.SetInput(text)
        actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
        actor.GetPositionCoordinate().SetValue(*pos)
        prop = actor.GetTextProperty()
        prop.SetFontSize(int(size * self._font_scale()))
        self._text_sizes.append((prop, size))
        prop.SetColor(*_rgb(colour))
        prop.SetBold(bold)
        prop.SetFontFamilyToArial()
        prop.SetJustification({"left": 0, "centre": 1, "right": 2}[justify])
        prop.SetVerticalJustificationToBottom()
        self.plotter.renderer.AddViewProp(actor)
        return actor

    def _font_scale(self) -> float:
        # by the height; a narrow picture (near square or taller) by its width, so the text at the
        # bottom left and the legend at the bottom right stay apart
        return max(0.7, min(2.0, self.size[1] / 600, self.size[0] / 640))

    def _rescale_fonts(self) -> None:
        scale = self._font_scale()
        for prop, size in self._text_sizes:
            prop.SetFontSize(int(size * scale))
        if getattr(self, "scalar_bar", None) is not None:
            self.scalar_bar.GetTitleTextProperty().SetFontSize(int(13 * scale))
            self.scalar_bar.GetLabelTextProperty().SetFontSize(int(11 * scale))

    def _build_texts(self, title: str | None) -> None:
        self.title_actor = self._text(title or "", (0.5, 0.935), size=20, justify="centre", bold=True)
        self.measure_actor = self._text("", (0.015, 0.015), size=13) if self.overlays.measurements else None
        attribution = getattr(self.pelvis.anatomy, "attribution", "")
        credit = bool(attribution) and not attribution.startswith("Generated by pelvis3d")
        lift = 0.035 if credit and self.overlays.caption else 0.0  # room for the credit line
        self.caption_actor = (
            self._text("", (0.985, 0.015 + lift), size=13, justify="right") if self.overlays.caption else None
        )
        self.credit_actor = (
            self._text(attribution, (0.5, 0.008), size=10, justify="centre", colour="#4b5563") if lift else None
        )
        if self.measure_actor is not None and lift:
            self.measure_actor.GetPositionCoordinate().SetValue(0.015, 0.015 + lift)
        self.orient_actors = []
        if self.overlays.orientation:
            self.orient_actors = [
                self._text("", (0.02, 0.9), size=22, bold=True),
                self._text("", (0.98, 0.9), size=22, justify="right", bold=True),
                self._text("", (0.5, 0.9), size=12, justify="centre", colour="#6b7280"),
            ]

    # ---- state --------------------------------------------------------------------------
    def set_title(self, title: str | None) -> None:
        """Set the text at the top of the picture."""
        self.title_actor.SetInput(title or "")

    def set_exaggeration(self, exaggeration: float) -> None:
        """Change the display factor (re-poses the current pose)."""
        self.exaggeration = _check_exaggeration(exaggeration)
        if self.posed is not None:
            self.set_pose(self.posed.pose)

    def set_view(self, view: str, *, azimuth: float = 0.0, zoom: float = 1.0, turn: NDArray | None = None) -> None:
        """Point the camera: a preset name, optionally turned by ``azimuth`` degrees about the
        vertical, or by the (3, 3) rotation ``turn`` (e.g. a posture, so views stay anatomical)."""
        self.view = known_name(view, VIEWS, "view")
        self._azimuth = real_number(azimuth, "azimuth")
        self._zoom, self._turn = zoom, turn
        direction, up = view_vectors(self.view, self.pelvis.landmarks)
        if self._azimuth:
            direction = _rotate(direction, np.array([0.0, 1.0, 0.0]), np.radians(self._azimuth))
            up = _rotate(up, np.array([0.0, 1.0, 0.0]), np.radians(self._azimuth))
        if turn is not None:
            direction, up = np.asarray(turn) @ direction, np.asarray(turn) @ up
        cam = self.plotter.camera
        right = np.cross(-direction, up)
        rel = self._frame_points - self._centre
        half_w = np.abs(rel @ right).max()
        half_h = np.abs(rel @ up).max()
        aspect = self.size[0] / self.size[1]
        side_margin = 1.6 if self.overlays.labels else 1.15
        text_band = self.overlays.measurements or self.overlays.colormap or self.overlays.caption
        fill = 0.66 if text_band else 0.8  # fraction of the height the pelvis may use
        scale = max(half_h / fill, half_w * side_margin / aspect) / max(zoom, 1e-3)
        # raise the pelvis above the bottom text band
        focal = self._centre - up * (scale * (0.14 if text_band else 0.0))
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
        self._preset_camera = self._camera_state()
        # where the bones are on screen (display pixels from the bottom left), so midline
        # labels can sit clear of them
        rel = (self._frame_points - focal) / scale * (self.size[1] / 2)
        self._screen_points = np.column_stack([rel @ right + self.size[0] / 2, rel @ up + self.size[1] / 2])
        self._update_orientation(direction, up)
        if self._labels is not None:
            self._labels.choose(self.view)
            if self.posed is not None:
                self._labels.update(self.posed)

    def _camera_state(self) -> NDArray:
        cam = self.plotter.camera
        return np.array([*cam.GetPosition(), *cam.GetFocalPoint(), *cam.GetViewUp(), cam.GetParallelScale()])

    def _follow_window_size(self, *_: object) -> None:
        size = tuple(int(v) for v in self.plotter.render_window.GetSize())
        if size == self.size or min(size) < 32:
            return
        self.size = size
        self._rescale_fonts()
        if np.allclose(self._camera_state(), self._preset_camera):  # not turned by the user
            self.set_view(self.view, azimuth=self._azimuth, zoom=self._zoom, turn=self._turn)
        elif self._labels is not None and self.posed is not None and "labels" not in self._hidden_overlays:
            self._labels.update(self.posed)

    def fit_postures(self, poses: Iterable[Pose]) -> None:
        """Frame the camera on the pelvis in every whole-pelvis posture of ``poses`` (tilt,
        obliquity, rotation; degrees), so a tilted pelvis stays in the picture and an
        animation keeps one camera. Neutral posture frames the neutral pelvis."""
        postures = {(p.pelvis_tilt, p.pelvis_obliquity, p.pelvis_rotation) for p in poses}
        clouds = [
            self._points @ m[:3, :3].T + m[:3, 3]
            for m in (_posture_matrix(self.pelvis, Pose(pelvis_tilt=t, pelvis_obliquity=o, pelvis_rotation=r))
                      for t, o, r in sorted(postures))
        ]  # fmt: skip
        points = np.vstack(clouds) if clouds else self._points
        self._frame_points = points
        self._centre = (points.min(axis=0) + points.max(axis=0)) / 2
        self.set_view(self.view, azimuth=self._azimuth, zoom=self._zoom, turn=self._turn)

    def _update_orientation(self, direction: NDArray, up: NDArray) -> None:
        if not self.orient_actors:
            return
        right = np.cross(-direction, up)
        left_mark, right_mark, top_mark = self.orient_actors
        patient_right = right[2]  # image-right component of the patient's right (+Z)
        if abs(patient_right) > 0.5:
            left_mark.SetInput("L" if patient_right > 0 else "R")
            right_mark.SetInput("R" if patient_right > 0 else "L")
        else:
            left_mark.SetInput("")
            right_mark.SetInput("")
        top = up[0]
        top_mark.SetInput("anterior" if top > 0.7 else ("posterior" if top < -0.7 else ""))

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
        posed = self.pelvis.posed(pose, self.exaggeration)
        self.posed = posed
        # actors follow the world frame, so whole-pelvis posture shows too (identity otherwise)
        world = posed.world_transforms if _has_posture(posed.shown_pose) else posed.transforms
        for body, actor in self.actors.items():
            _set_user_matrix(actor, world[body])
        ring_moves = any(getattr(posed.shown_pose, name) != 0.0 for name in SI_DOF_NAMES)
        moving = ring_moves and "ghost" not in self._hidden_overlays
        # the neutral ghost takes the same whole-pelvis posture
        posture = _posture_matrix(self.pelvis, posed.shown_pose) if _has_posture(posed.shown_pose) else np.eye(4)
        for actor in self.ghost_actors.values():
            actor.SetVisibility(moving)
            _set_user_matrix(actor, posture)  # the neutral pelvic ring, in the same posture
        if self.ghost_actors:
            self.ghost_actors["sacrum"].SetVisibility(moving and posed.shown_pose.nutation != 0.0)
        if self.patches and "colormap" not in self._hidden_overlays:  # hidden: updated when shown
            shown = posed.shown_metrics
            neutral = self.pelvis.neutral_metrics
            for name, (_, actor, body) in self.patches.items():
                if name in self._borrow:
                    partner, index = self._borrow[name]
                    space = np.asarray(shown.fields[partner])[index]
                    neutral_space = np.asarray(neutral.fields[partner])[index]
                else:
                    space = np.asarray(shown.fields[name])
                    neutral_space = np.asarray(neutral.fields[name])
                if name in self._partner_planes and (shown.pubic_contact or any(shown.si_contact.values())):
                    # Past contact a vertex can cross the partner bone and come out nearer its far
                    # side; the partner's joint plane keeps the overlap reading as compression.
                    pbody, centre, normal = self._partner_planes[name]
                    rel = relative_transform(world[pbody], world[body])
                    pts = self._patch_points[name] @ rel[:3, :3].T + rel[:3, 3]
                    plane = (pts - centre) @ normal
                    space = np.where(plane < 0.0, np.minimum(plane, space), space)
                values, vtk_values = self._patch_scalars[name]
                np.subtract(space, neutral_space, out=values)
                vtk_values.Modified()
                _set_user_matrix(actor, world[body])
        if self.arrow_actors:
            shown_pose = posed.shown_pose
            along_axis = (
                bool(abs(view_vectors(self.view, self.pelvis.landmarks)[0][1]) > 0.55)
                and "arrows" not in self._hidden_overlays
            )
            for side in ("left", "right"):
                sense = (direction or {}).get(side)
                if sense is None:
                    value = getattr(shown_pose, f"{side}_rotation")
                    sense = int(np.sign(value))
                self.arrow_actors[(side, 1)].SetVisibility(along_axis and sense > 0)
                self.arrow_actors[(side, -1)].SetVisibility(along_axis and sense < 0)
        if self.measure_actor is not None:
            self.measure_actor.SetInput(_measurement_text(posed))
        if self.caption_actor is not None:
            self.caption_actor.SetInput(_caption_text(posed, self.pelvis))
        if self._labels is not None and "labels" not in self._hidden_overlays:
            self._labels.update(posed)
        return posed

    def set_overlay(self, name: str, on: bool) -> None:
        """Show or hide an overlay that the scene was built with (``ghost``, ``colormap``,
        ``labels``, ``arrows``, ``measurements``, ``caption``, ``orientation``)."""
        known_name(name, [f.name for f in fields(Overlays)], "overlay")
        on = bool(on)
        actors: list = []
        if name == "ghost":
            actors = list(self.ghost_actors.values())
            if on and self.posed is not None:
                self._hidden_overlays.discard("ghost")
                self.set_pose(self.posed.pose)
                return
        elif name == "colormap":
            actors = [a for _, a, _ in self.patches.values()] + self._legend_words
            if self.patches:
                actors.append(self.scalar_bar)
        elif name == "labels" and self._labels is not None:
            actors = [*self._labels.text_actors, self._labels.leader_actor]
        elif name == "arrows":
            actors = list(self.arrow_actors.values())
            if on and self.posed is not None:
                self._hidden_overlays.discard("arrows")
                self.set_pose(self.posed.pose)
                return
        elif name == "measurements" and self.measure_actor is not None:
            actors = [self.measure_actor]
        elif name == "caption" and self.caption_actor is not None:
            actors = [self.caption_actor]
        elif name == "orientation":
            actors = list(self.orient_actors)
        if on:
            self._hidden_overlays.discard(name)
        else:
            self._hidden_overlays.add(name)
        for actor in actors:
            actor.SetVisibility(on)
        if name == "labels" and on and self._labels is not None and self.posed is not None:
            self._labels.choose(self.view)
            self._labels.update(self.posed)
        if name == "colormap" and on and self.patches and self.posed is not None:
            self.set_pose(self.posed.pose)

    def overlay_visible(self, name: str) -> bool:
        """Whether an overlay is built and not hidden."""
        return getattr(self.overlays, name) and name not in self._hidden_overlays

    # ---- output -------------------------------------------------------------------------
    def render(self) -> None:
        """Render the current state."""
        self.plotter.render()

    def screenshot(self) -> NDArray[np.uint8]:
        """The current picture as an ``(H, W, 3)`` (or ``(H, W, 4)`` when transparent) uint8 array."""
        self.plotter.render()
        return np.asarray(self.plotter.screenshot(transparent_background=self.transparent, return_img=True))

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


class _LabelLayer:
    """Landmark labels laid out in the left and right margins with leader lines.

    Labels are stacked on the side of the picture their landmark is on, sorted by height and
    kept one line apart, so they never overlap each other and never sit on the joints.
    """

    def __init__(self, scene: PelvisScene) -> None:
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
        from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D

        self.scene = scene
        self.items: list[tuple[str, list[tuple[str, str]]]] = []
        self._plan_key: tuple | None = None
        self._plan_cache: tuple[dict[int, str], dict[int, int], dict[str, float]] | None = None
        self.text_actors: list[object] = []
        self.points = vtkPoints()
        self.lines = vtkCellArray()
        self.poly = vtkPolyData()
        self.poly.SetPoints(self.points)
        self.poly.SetLines(self.lines)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.poly)
        self.leader_actor = vtkActor2D()
        self.leader_actor.SetMapper(mapper)
        self.leader_actor.GetProperty().SetColor(*_rgb("#4b5563"))
        self.leader_actor.GetProperty().SetLineWidth(1.2)
        scene.plotter.renderer.AddViewProp(self.leader_actor)

    def choose(self, view: str) -> None:
        names = set(self.scene.pelvis.landmarks)
        items: list[tuple[str, list[tuple[str, str]]]] = []
        for key in _LABELS_BY_VIEW.get(view, ("asis", "si", "pubic")):
            for text, anchors in _label_spec(key, names):
                items.append((text, anchors))
        self.items = items
        self._plan_key, self._plan_cache = None, None
        while len(self.text_actors) < len(items):
            self.text_actors.append(self.scene._text("", (0, 0), size=13))
        for i, actor in enumerate(self.text_actors):
            actor.SetVisibility(i < len(items))

    def _anchors(self, transforms: Mapping[str, NDArray]) -> NDArray:
        """Display position (pixels) of each label's landmark(s), bones posed by ``transforms``."""
        ren = self.scene.plotter.renderer
        landmarks = self.scene.pelvis.anatomy.landmarks
        anchors = []
        for _, pts in self.items:  # only the landmarks labelled, posed
            p = np.zeros(3)
            for name, _ in pts:
                t, lm = transforms[landmarks[name].body], landmarks[name]
                p += t[:3, :3] @ lm.position_mm + t[:3, 3]
            anchors.append(_to_display(ren, p / len(pts)))
        return np.array(anchors) if anchors else np.zeros((0, 2))

    def _plan(self, posed: PosedPelvis) -> tuple[dict[int, str], dict[int, int], dict[str, float]]:
        """Which labels sit centred above / below the pelvis (and at what height), and which
        side the others take.

        Decided from the neutral pelvic ring (in the pose's whole-pelvis posture) for each
        view, picture size and camera, so a label keeps its place while the joints move.
        """
        sp = posed.shown_pose
        posture = (sp.pelvis_tilt, sp.pelvis_obliquity, sp.pelvis_rotation)
        key = (self.scene.view, tuple(self.scene.size), posture, self.scene._camera_state().tobytes(), len(self.items))
        if key == self._plan_key and self._plan_cache is not None:
            return self._plan_cache
        ring = _posture_matrix(self.scene.pelvis, sp) if _has_posture(sp) else np.eye(4)
        anchors = self._anchors({b: ring for b in BODIES})
        w, h = self.scene.size
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
        font = 13 * self.scene._font_scale()
        gap = font * 1.9
        screen = self.scene._screen_points
        band = screen[np.abs(screen[:, 0] - w / 2) < 0.1 * w, 1]
        bottom, top = (band.min(), band.max()) if len(band) else (h * 0.5, h * 0.5)
        return {"above": top + 0.8 * gap, "below": bottom - 0.8 * gap}

    def update(self, posed: PosedPelvis) -> None:
        w, h = self.scene.size
        transforms = posed.world_transforms if _has_posture(posed.shown_pose) else posed.transforms
        anchors = self._anchors(transforms)
        centre, sides, slot = self._plan(posed)
        cx = w / 2
        font = 13 * self.scene._font_scale()
        gap = font * 1.9
        self.points.Reset()
        self.lines.Reset()
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
            x_text = w * (0.03 if side < 0 else 0.97)
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
            width, height = _text_size(prop, text)
            if justify == 1:  # centred label: leader from its top or bottom edge
                start = (x, y - height / 2 - 3) if y > anchors[i, 1] else (x, y + height / 2 + 3)
            elif justify == 0:
                start = (x + width + 6, y)
            else:
                start = (x - width - 6, y)
            a = self.points.InsertNextPoint(start[0], start[1], 0)
            b = self.points.InsertNextPoint(anchors[i, 0], anchors[i, 1], 0)
            self.lines.InsertNextCell(2)
            self.lines.InsertCellPoint(a)
            self.lines.InsertCellPoint(b)
        self.points.Modified()
        self.lines.Modified()
        self.poly.Modified()


def _label_spec(key: str, names: set[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Label texts and the landmarks they point at, for one label key."""
    both = [("left", "L"), ("right", "R")]
    specs = {
        "asis": [(f"ASIS ({s})", [(f"{side}_asis", "")]) for side, s in both],
        "psis": [(f"PSIS ({s})", [(f"{side}_psis", "")]) for side, s in both],
        "si": [(f"SI joint ({s})", [(f"{side}_auricular_centre", "")]) for side, s in both],
        "hip": [(f"hip socket ({s})", [(f"{side}_hip_centre", "")]) for side, s in both],
        "ischial_tuberosity": [(f"ischial tuberosity ({s})", [(f"{side}_ischial_tuberosity", "")]) for side, s in both],
        "pubic": [("pubic symphysis", [("left_symphyseal_face_centre", ""), ("right_symphyseal_face_centre", "")])],
        "promontory": [("sacrum (promontory)", [("sacral_promontory", "")])],
        "sacrum": [("sacrum", [("s2", "")])],
        "coccyx": [("coccyx", [("coccyx_tip", "")])],
    }
    return [(t, a) for t, a in specs.get(key, []) if all(n in names for n, _ in a)]


def _posture_matrix(pelvis: Pelvis, pose: Pose) -> NDArray:
    """``T_world_pelvis`` of the whole-pelvis posture of ``pose`` (its ring angles ignored)."""
    posture = Pose(
        pelvis_tilt=pose.pelvis_tilt, pelvis_obliquity=pose.pelvis_obliquity, pelvis_rotation=pose.pelvis_rotation
    )
    return pelvis.transforms(posture, world=True)["sacrum"]


def _has_posture(pose: Pose) -> bool:
    return bool(pose.pelvis_tilt or pose.pelvis_obliquity or pose.pelvis_rotation)


def _partner_surface(name: str) -> str:
    """The joint surface facing ``name`` across its joint."""
    if name.endswith("_si_innominate"):
        return name.replace("_si_innominate", "_si_sacrum")
    if name.endswith("_si_sacrum"):
        return name.replace("_si_sacrum", "_si_innominate")
    if name == "left_pubic_face":
        return "right_pubic_face"
    if name == "right_pubic_face":
        return "left_pubic_face"
    return ""


_TEXT_SIZES: dict[tuple[str, int, int], tuple[float, float]] = {}


def _text_size(prop, text: str) -> tuple[float, float]:
    """Width and height in pixels of ``text`` drawn with text property ``prop`` (cached)."""
    key = (text, prop.GetFontSize(), prop.GetBold())
    if key not in _TEXT_SIZES:
        from vtkmodules.vtkRenderingCore import vtkTextRenderer

        bbox = [0, 0, 0, 0]
        vtkTextRenderer.GetInstance().GetBoundingBox(prop, text, bbox, 72)
        _TEXT_SIZES[key] = (float(bbox[1] - bbox[0]), float(bbox[3] - bbox[2]))
    return _TEXT_SIZES[key]


def _to_display(renderer, point: NDArray) -> NDArray:
    renderer.SetWorldPoint(float(point[0]), float(point[1]), float(point[2]), 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return np.array([x, y])


def _rotate(v: NDArray, axis: NDArray, angle: float) -> NDArray:
    axis = axis / np.linalg.norm(axis)
    return v * np.cos(angle) + np.cross(axis, v) * np.sin(angle) + axis * (axis @ v) * (1 - np.cos(angle))


def _rgb(colour: str) -> tuple[float, float, float]:
    c = colour.lstrip("#")
    return tuple(int(c[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _check_size(size: Sequence[int]) -> tuple[int, int]:
    try:
        w, h = (int(s) for s in size)
        ok = all(float(s) == int(s) for s in size)
    except (TypeError, ValueError):
        raise PoseError(f"size must be two whole numbers (width, height) in pixels, got {size!r}") from None
    if not ok or not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise PoseError(f"size must be (width, height) with each 64-8192 pixels, got {size!r}")
    return w, h


def _check_exaggeration(value: float) -> float:
    v = real_number(value, "exaggeration")
    if not 1.0 <= v <= MAX_EXAGGERATION:
        raise PoseError(f"exaggeration={value!r} is outside the allowed range [1, {MAX_EXAGGERATION:g}]")
    return v


def _fmt_angle(v: float) -> str:
    return f"{v:+.1f}\u00b0" if v else "0\u00b0"


def _signed(value: float, digits: int) -> str:
    """``value`` with its sign, never "-0.0" (a change that rounds to zero is "+0.0")."""
    rounded = round(value, digits)
    return f"{(rounded if rounded != 0 else 0.0):+.{digits}f}"


def _measurement_text(posed: PosedPelvis) -> str:
    m, s = posed.metrics, posed.shown_metrics
    x = posed.exaggeration
    p = posed.pose
    posture = [
        f"{label} {_fmt_angle(getattr(p, name))}"
        for name, label in (("pelvis_tilt", "tilt"), ("pelvis_obliquity", "obliquity"), ("pelvis_rotation", "rotation"))
        if getattr(p, name)
    ]
    lines = [
        f"pubic gap {m.pubic_gap_mm:.1f} mm ({_signed(m.pubic_gap_change_mm, 1)})"
        + (" - contact" if m.pubic_contact else ""),
        f"SI space, back half: L {m.si_posterior_space_mm['left']:.2f} mm ({_signed(m.si_posterior_change_mm['left'], 2)})  "
        f"R {m.si_posterior_space_mm['right']:.2f} mm ({_signed(m.si_posterior_change_mm['right'], 2)})",
        f"rotation L {_fmt_angle(p.left_rotation)}  R {_fmt_angle(p.right_rotation)}"
        + (f"   tilt L {_fmt_angle(p.left_tilt)} R {_fmt_angle(p.right_tilt)}" if p.left_tilt or p.right_tilt else "")
        + (f"   nutation {_fmt_angle(p.nutation)}" if p.nutation else ""),
    ]
    if posture:
        lines.append("whole pelvis: " + ", ".join(posture))
    if p.is_neutral():
        return f"neutral: pubic gap {m.pubic_gap_mm:.1f} mm, SI space L {m.si_space_mm['left']:.1f} mm R {m.si_space_mm['right']:.1f} mm"
    if x != 1.0:
        lines.insert(0, "true motion:")
        gap = "in contact" if s.pubic_contact else f"{s.pubic_gap_mm:.1f} mm"
        lines.append(
            f"shown (x{x:g}): pubic gap {gap}, rotation L {_fmt_angle(posed.shown_pose.left_rotation)} R {_fmt_angle(posed.shown_pose.right_rotation)}"
        )
    notes = []
    if s.pubic_contact:
        notes.append("pubic bones would touch")
    if any(s.si_contact.values()):
        notes.append("SI joint surfaces would touch")
    if notes:
        lines.append("shown pose: " + "; ".join(notes))
    return "\n".join(lines)


def _caption_text(posed: PosedPelvis, pelvis: Pelvis) -> str:
    parts = []
    if posed.exaggeration != 1.0:
        parts.append(f"motion exaggerated x{posed.exaggeration:g}")
    else:
        parts.append("true scale (no exaggeration)")
    return "\n".join(parts)


def replace_overlays(overlays: Overlays, **changes: bool) -> Overlays:
    """A copy of ``overlays`` with some switched (helper for callers)."""
    return replace(overlays, **changes)
