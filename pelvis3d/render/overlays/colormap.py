"""The colour map: joint-space change on the SI and symphyseal surfaces, with its legend."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.kinematics import relative_transform
from pelvis3d.model import PosedPelvis
from pelvis3d.render.backend import polydata
from pelvis3d.render.drawing import TEXT_COLOUR, set_user_matrix, vtk_values
from pelvis3d.render.overlays import Overlay
from pelvis3d.render.views import SECTION_VIEWS

__all__ = ["COLORMAP_LIMIT_MM", "ColourMapOverlay", "partner_surface"]

#: Joint-space change shown by the colour map: -limit (compression, red) .. +limit (gapping, blue), mm.
COLORMAP_LIMIT_MM = 2.0
_SCALARS = "joint space change (mm)"


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

    def __init__(self, scene) -> None:
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
            patch.point_data[_SCALARS] = np.zeros(len(surf.vertices))
            actor = scene.plotter.add_mesh(
                patch,
                scalars=_SCALARS,
                cmap="RdBu",
                clim=(-COLORMAP_LIMIT_MM, COLORMAP_LIMIT_MM),
                smooth_shading=True,
                show_scalar_bar=False,
                specular=0.2,
                name=f"patch_{name}",
            )
            self.patches[name] = (patch, actor, surf.body)
            vtk_array = patch.GetPointData().GetArray(_SCALARS)
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
        scale = scene.font_scale()
        self.scalar_bar = scene.plotter.add_scalar_bar(
            title=_SCALARS,
            n_labels=5,
            fmt="%+.0f",
            vertical=False,
            position_x=0.66,
            position_y=0.085,
            width=0.3,
            height=0.07,
            color=TEXT_COLOUR,
            title_font_size=int(13 * scale),
            label_font_size=int(11 * scale),
        )
        self.legend_words = [
            scene.add_text("compression", (0.66, 0.055), size=12, colour="#b2182b"),
            scene.add_text("gapping", (0.96, 0.055), size=12, justify="right", colour="#2166ac"),
        ]

    def actors(self) -> list:
        return [a for _, a, _ in self.patches.values()] + self.legend_words + [self.scalar_bar]

    def rescale_fonts(self, scale: float) -> None:
        self.scalar_bar.GetTitleTextProperty().SetFontSize(int(13 * scale))
        self.scalar_bar.GetLabelTextProperty().SetFontSize(int(11 * scale))

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        shown = posed.shown_metrics
        neutral = self.scene.pelvis.neutral_metrics
        contact = shown.pubic_contact or any(shown.si_contact.values())
        on_surface = self.scene.view not in SECTION_VIEWS  # a section view colours its wedges
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
            vtk_array.Modified()
            set_user_matrix(actor, world[body])
