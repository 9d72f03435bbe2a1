"""The colour map: joint-space change on the SI and symphyseal surfaces, with its legend."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.kinematics import relative_transform
from pelvis3d.model import PosedPelvis
from pelvis3d.render.backend import polydata
from pelvis3d.render.drawing import set_user_matrix, vtk_values
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.section import SI_COLOUR_LIMIT_MM, SYMPHYSIS_COLOUR_LIMIT_MM
from pelvis3d.render.views import SECTION_VIEWS

__all__ = [
    "COLORMAP_LIMIT_MM",
    "COLOUR_LIMITS_MM",
    "COMPRESSION_COLOUR",
    "GAPPING_COLOUR",
    "legend_note",
    "SCALARS_NAME",
    "ColourMapOverlay",
    "colour_limit",
    "legend_title",
    "partner_surface",
]

#: Joint-space change at full colour on the SI joints and the symphysis (mm of shown change):
#: red = narrower (compression), blue = wider (gapping). One scale would leave the SI change
#: (0.16 mm true, 0.8 mm shown for 1 deg at x5) nearly white next to the pubic gap's millimetres.
COLOUR_LIMITS_MM: Mapping[str, float] = {"si": SI_COLOUR_LIMIT_MM, "symphysis": SYMPHYSIS_COLOUR_LIMIT_MM}
#: The SI joints' full-colour change (kept under its former name for callers), mm.
COLORMAP_LIMIT_MM = SI_COLOUR_LIMIT_MM
#: Name of the patches' point scalars: shown change of the joint space over the joint's
#: full-colour change (-1 full red .. +1 full blue).
SCALARS_NAME = "joint space change / full-colour change"
COMPRESSION_COLOUR, GAPPING_COLOUR = "#b2182b", "#2166ac"
_COMPRESSION, _GAPPING = COMPRESSION_COLOUR, GAPPING_COLOUR


def colour_limit(surface: str) -> float:
    """Full-colour change (mm) of a joint surface's joint."""
    return COLOUR_LIMITS_MM["symphysis" if "pubic" in surface else "si"]


def legend_title(exaggeration: float) -> str:
    """What the colours and the numbers of a picture are."""
    if exaggeration == 1.0:
        return "colours: change of the joint space"
    return f"colours: shown change (x{exaggeration:g}); numbers: true"


def legend_note() -> str:
    """What full colour means, per joint."""
    si, sym = COLOUR_LIMITS_MM["si"], COLOUR_LIMITS_MM["symphysis"]
    return f"full colour: SI {si:g} mm, symphysis {sym:g} mm"


def partner_surface(name: str) -> str:
    """The joint surface facing ``name`` across its joint ("" for none)."""
    if name.endswith("_si_innominate"):
        return name.replace("_si_innominate", "_si_sacrum")
    if name.endswith("_si_sacrum"):
        return name.replace("_si_sacrum", "_si_innominate")
    return {"left_pubic_face": "right_pubic_face", "right_pubic_face": "left_pubic_face"}.get(name, "")


class ColourMapOverlay(Overlay):
    """A patch over each joint surface, coloured by the shown joint-space change from neutral."""

    name = "colormap"

    def __init__(self, scene, lift: float = 0.0) -> None:
        super().__init__(scene)
        self.patches: dict[str, tuple[object, object, str]] = {}
        self._patch_points: dict[str, NDArray] = {}
        self._partner_planes: dict[str, tuple[str, NDArray, NDArray]] = {}
        self._borrow: dict[str, tuple[str, NDArray]] = {}
        self._patch_scalars: dict[str, tuple[NDArray, object]] = {}
        pelvis = scene.pelvis
        a = pelvis.anatomy
        for name, surf in pelvis.joint_surfaces.items():
            faces = np.asarray(a.faces[surf.body])
            keep = np.isin(faces, surf.vertices).all(axis=1)
            if not keep.any():
                continue
            remap = -np.ones(len(a.vertices[surf.body]), dtype=np.int64)
            remap[surf.vertices] = np.arange(len(surf.vertices))
            normals = np.asarray(scene.meshes[surf.body].point_data["Normals"])[surf.vertices]
            pts = np.asarray(a.vertices[surf.body])[surf.vertices] + 0.12 * normals  # sit just above the bone
            patch = polydata(pts, remap[faces[keep]])
            patch.point_data[SCALARS_NAME] = np.zeros(len(surf.vertices))
            # the bone's own normals, given once: with pyvista's smooth shading the normals
            # would be recomputed on every frame, as the colours change (~3 ms a patch)
            patch.point_data.active_normals = normals
            actor = scene.plotter.add_mesh(
                patch,
                scalars=SCALARS_NAME,
                cmap="RdBu",
                clim=(-1.0, 1.0),
                smooth_shading=False,
                show_scalar_bar=False,
                specular=0.2,
                name=f"patch_{name}",
            )
            actor.GetProperty().SetInterpolationToPhong()
            # the patch itself, not pyvista's active-scalars step, feeds the mapper: that step
            # ran on every frame, as the colours change (~3 ms a frame for the six patches)
            mapper = actor.GetMapper()
            mapper.SetInputData(patch)
            mapper.SetScalarModeToUsePointFieldData()
            mapper.SelectColorArray(SCALARS_NAME)
            self.patches[name] = (patch, actor, surf.body)
            vtk_array = patch.GetPointData().GetArray(SCALARS_NAME)
            self._patch_scalars[name] = (vtk_values(vtk_array), vtk_array)
            self._patch_points[name] = np.asarray(a.vertices[surf.body])[surf.vertices]
            partner = partner_surface(name)
            if name.endswith("_si_sacrum") and partner in pelvis.joint_surfaces:
                # the sacral side shows the joint space of the facing innominate point (display
                # only; metrics.fields has the exact sacral field): one lookup instead of a query
                from scipy.spatial import cKDTree

                ps = pelvis.joint_surfaces[partner]
                facing = np.asarray(a.vertices[ps.body])[ps.vertices]
                self._borrow[name] = (
                    partner,
                    cKDTree(facing).query(np.asarray(a.vertices[surf.body])[surf.vertices])[1],
                )
            if partner in pelvis.joint_surfaces:
                ps = pelvis.joint_surfaces[partner]
                pn = np.asarray(scene.meshes[ps.body].point_data["Normals"])[ps.vertices].mean(axis=0)
                centre = np.asarray(a.vertices[ps.body])[ps.vertices].mean(axis=0)
                self._partner_planes[name] = (ps.body, centre, pn / np.linalg.norm(pn))
        self.lift = lift
        #: draw this picture's legend (a figure draws one legend for all its panels instead)
        self.legend = True
        y = 0.05 + lift
        self.scalar_bar = _scalar_bar(next(iter(self.patches.values()))[1].GetMapper().GetLookupTable(), y + 0.075)
        scene.plotter.renderer.AddViewProp(self.scalar_bar)
        self.legend_words = [
            scene.add_text("compression", (0.66, y + 0.035), size=12, colour=_COMPRESSION),
            scene.add_text("0", (0.81, y + 0.035), size=12, justify="centre"),
            scene.add_text("gapping", (0.96, y + 0.035), size=12, justify="right", colour=_GAPPING),
            scene.add_text(legend_note(), (0.96, y), size=11, justify="right"),
        ]
        self.title = scene.add_text("", (0.96, y + 0.125), size=12, justify="right")

    def actors(self) -> list:
        return [a for _, a, _ in self.patches.values()] + self.legend_actors()

    def legend_actors(self) -> list:
        """The legend's props (the bar, its words and title)."""
        return [*self.legend_words, self.title, self.scalar_bar]

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        shown = posed.shown_metrics
        neutral = self.scene.pelvis.neutral_metrics
        contact = shown.pubic_contact or any(shown.si_contact.values())
        on_surface = self.scene.view not in SECTION_VIEWS  # a section view colours its wedges
        # a neutral picture has nothing to colour: no legend
        moved = posed.shown_pose.pelvis_angles() != {n: 0.0 for n in posed.shown_pose.pelvis_angles()}
        legend = self.legend and moved
        self.title.SetInput(legend_title(posed.exaggeration))
        for actor in self.legend_actors():
            actor.SetVisibility(legend)
        for name, (_, actor, body) in self.patches.items():
            actor.SetVisibility(on_surface)
            if name in self._borrow:
                partner, index = self._borrow[name]
                space = np.asarray(shown.fields[partner])[index]
                neutral_space = np.asarray(neutral.fields[partner])[index]
            else:
                space = np.asarray(shown.fields[name])
                neutral_space = np.asarray(neutral.fields[name])
            if name in self._partner_planes and contact:
                # Past contact a vertex can cross the partner bone and come out nearer its far
                # side; the partner's joint plane keeps the overlap reading as compression.
                pbody, centre, normal = self._partner_planes[name]
                rel = relative_transform(world[pbody], world[body])
                pts = self._patch_points[name] @ rel[:3, :3].T + rel[:3, 3]
                plane = (pts - centre) @ normal
                space = np.where(plane < 0.0, np.minimum(plane, space), space)
            values, vtk_array = self._patch_scalars[name]
            np.subtract(space, neutral_space, out=values)
            values /= colour_limit(name)
            vtk_array.Modified()
            set_user_matrix(actor, world[body])


def _scalar_bar(lut, y: float):
    """A horizontal colour bar without numbers (the words and the full-colour line say them)."""
    from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor

    bar = vtkScalarBarActor()
    bar.SetLookupTable(lut)
    bar.SetOrientationToHorizontal()
    bar.SetNumberOfLabels(0)
    bar.DrawTickLabelsOff()
    bar.SetTitle("")
    bar.SetUnconstrainedFontSize(True)
    bar.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    bar.GetPositionCoordinate().SetValue(0.66, y)
    bar.GetPosition2Coordinate().SetValue(0.3, 0.045)
    bar.SetBarRatio(1.0)
    return bar
