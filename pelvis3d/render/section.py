"""Joint sections: the bones cut by a plane, with the joint space between them as a wedge.

A transverse plane near the auricular centres (the S1-S2 level) shows the two SI joints. The
auricular surface is an L whose corner points forward, so a plane through its centre cuts
only the corner, in front of the rotation axis; the plane is therefore moved up or down (at
most :data:`SI_LEVEL_SEARCH_MM`) to the level where the cut joint reaches farthest both in
front of and behind the vertical rotation axis, so the section shows the front and the back
of the joint;
a coronal plane through the symphyseal face centres shows the pubic symphysis. Each frame the
posed bones are cut with VTK (``vtkCutter``; the cut is taken in each bone's own frame, so
the meshes never move), the cut outlines are filled (``vtkContourTriangulator``), and along
each joint the cut outline of one bone is joined to the closest points of its partner: that
strip is the joint space, coloured by the shown change of its width from neutral (red =
narrower, blue = wider) and measured (true, unexaggerated) at its two ends.

What does not change with the pose is built once: the cutters, the exact distance trees
(:class:`pelvis3d.distance.MeshDistance`) and the neutral widths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pelvis3d.kinematics import relative_transform
from pelvis3d.model import Pelvis, PosedPelvis
from pelvis3d.render.backend import polydata
from pelvis3d.render.recent import Recent

__all__ = [
    "SECTIONS",
    "SI_LEVEL_SEARCH_MM",
    "si_section_offset",
    "JointEnd",
    "Section",
    "SectionJoint",
    "SectionCut",
    "JointWedge",
]


@dataclass(frozen=True)
class SectionJoint:
    """One joint seen in a section.

    ``body``'s cut outline is measured against ``partner``; ``centre`` names the landmarks whose
    mean is the joint centre; ``axis`` (pelvis frame) runs from the ``ends[1]`` end of the
    joint to the ``ends[0]`` end; ``limit_mm`` is the colour scale (shown change, mm).
    """

    name: str
    title: str
    body: str
    partner: str
    centre: tuple[str, ...]
    axis: tuple[float, float, float]
    ends: tuple[str, str]
    limit_mm: float


@dataclass(frozen=True)
class Section:
    """A cutting plane (normal in the pelvis frame; through the mean of ``through``), the
    joints it shows, and the camera direction (plane normal side) and up for looking at it."""

    name: str
    normal: tuple[float, float, float]
    through: tuple[str, ...]
    joints: tuple[SectionJoint, ...]
    camera: tuple[float, float, float]
    up: tuple[float, float, float]


# Colour scales: about twice the largest shown change of a 1 deg rotation per side at x5 on the
# built-in pelvis (SI back half -0.16 mm true, -0.8 mm shown; pubic gap 1.2 mm true), so a
# teaching pose reaches the strong colours without saturating. Assumed, no published source.
SI_COLOUR_LIMIT_MM = 1.0
SYMPHYSIS_COLOUR_LIMIT_MM = 5.0

SECTIONS: Mapping[str, Section] = {
    s.name: s
    for s in (
        Section(
            "si",
            (0.0, 1.0, 0.0),
            ("left_auricular_centre", "right_auricular_centre"),
            tuple(
                SectionJoint(
                    f"{side}_si",
                    f"SI joint ({side[0].upper()})",
                    f"{side}_innominate",
                    "sacrum",
                    (f"{side}_auricular_centre",),
                    (1.0, 0.0, 0.0),
                    ("front", "back"),
                    SI_COLOUR_LIMIT_MM,
                )
                for side in ("left", "right")
            ),
            (0.0, 1.0, 0.0),
            (1.0, 0.0, 0.0),
        ),
        Section(
            "symphysis",
            (1.0, 0.0, 0.0),
            ("left_symphyseal_face_centre", "right_symphyseal_face_centre"),
            (
                SectionJoint(
                    "symphysis",
                    "pubic symphysis",
                    "left_innominate",
                    "right_innominate",
                    ("left_symphyseal_face_centre", "right_symphyseal_face_centre"),
                    (0.0, 1.0, 0.0),
                    ("top", "bottom"),
                    SYMPHYSIS_COLOUR_LIMIT_MM,
                ),
            ),
            (1.0, 0.0, 0.0),
            (0.0, 1.0, 0.0),
        ),
    )
}

#: How far (mm) the SI section may move from the auricular centres to cut the joint on both
#: sides of its vertical rotation axis.
SI_LEVEL_SEARCH_MM = 15.0
_SLAB_MM = 2.5  # half-thickness of the surface slab measured at each candidate level


def si_section_offset(pelvis: Pelvis, origin: NDArray[np.float64]) -> float:
    """Offset (mm, along Y) from ``origin`` of the SI section level: where the innominates'
    auricular surfaces reach farthest both in front of and behind their rotation axes
    (the larger of the two reaches that is the smaller one), 0 when no level does better."""
    best, best_score = 0.0, -np.inf
    for dy in np.arange(-SI_LEVEL_SEARCH_MM, SI_LEVEL_SEARCH_MM + 0.5, 1.0):
        scores = []
        for side in ("left", "right"):
            surface = pelvis.joint_surfaces.get(f"{side}_si_innominate")
            dof = pelvis.dofs.get(f"{side}_rotation")
            if surface is None or dof is None:
                continue
            v = pelvis.anatomy.vertices[surface.body][surface.vertices]
            slab = v[np.abs(v[:, 1] - (origin[1] + dy)) < _SLAB_MM]
            if len(slab) == 0:
                scores.append(-np.inf)
                continue
            x = slab[:, 0] - dof.pivot_mm[0]
            scores.append(min(x.max(), -x.min()))
        score = min(scores) if scores else -np.inf
        if score > best_score + 1e-9 or (abs(score - best_score) <= 1e-9 and abs(dy) < abs(best)):
            best, best_score = float(dy), score
    return best


#: Only outline points this close (mm) to a joint centre can belong to its joint.
_JOINT_RADIUS_MM = 32.0
#: Fraction of the joint's length averaged for each end width.
_END_FRACTION = 0.25


@dataclass
class JointEnd:
    """One end of a joint's wedge: true width (mm), its change from neutral, and where it is."""

    label: str
    width_mm: float
    change_mm: float
    position: NDArray[np.float64]


@dataclass
class JointWedge:
    """The joint space of one joint in the current section (world coordinates, mm)."""

    joint: SectionJoint
    strip: object  # pyvista PolyData with point scalars "change"
    shown_change_mm: NDArray[np.float64]  # per outline point of the joint
    ends: tuple[JointEnd, JointEnd]
    centre: NDArray[np.float64]


class SectionCut:
    """Cuts the posed bones of ``pelvis`` with the plane of ``section`` (``"si"`` or ``"symphysis"``).

    Parameters
    ----------
    pelvis : Pelvis
    section : str
        A key of :data:`SECTIONS`.
    """

    def __init__(self, pelvis: Pelvis, section: str) -> None:
        from vtkmodules.vtkCommonDataModel import vtkPlane, vtkPolyData
        from vtkmodules.vtkFiltersCore import vtkCutter, vtkStripper
        from vtkmodules.vtkFiltersGeneral import vtkContourTriangulator

        self.pelvis = pelvis
        self.section = SECTIONS[section]
        a = pelvis.anatomy
        lm = pelvis.landmarks
        self.origin = np.mean([lm[n] for n in self.section.through], axis=0)
        self.normal = np.asarray(self.section.normal, float)
        if self.section.name == "si":
            self.origin = self.origin + si_section_offset(pelvis, self.origin) * self.normal
        bodies = sorted({j.body for j in self.section.joints} | {j.partner for j in self.section.joints})
        if self.section.name == "si":
            bodies = ["sacrum", "left_innominate", "right_innominate"]
        self.bodies = bodies
        self._planes: dict[str, object] = {}
        self._strippers: dict[str, object] = {}
        self._fills: dict[str, object] = {}
        #: what drawings show, by body: the latest cut outline and its filled face (body frame)
        self._outline: dict[str, object] = {}
        self._face: dict[str, object] = {}
        for body in bodies:
            plane = vtkPlane()
            cutter = vtkCutter()
            cutter.SetInputData(polydata(a.vertices[body], a.faces[body]))
            cutter.SetCutFunction(plane)
            stripper = vtkStripper()
            stripper.SetInputConnection(cutter.GetOutputPort())
            stripper.JoinContiguousSegmentsOn()
            fill = vtkContourTriangulator()
            fill.SetInputConnection(stripper.GetOutputPort())
            self._planes[body] = plane
            self._strippers[body] = stripper
            self._fills[body] = fill
            self._outline[body] = vtkPolyData()
            self._face[body] = vtkPolyData()
        # cuts already made, by pose: an animation shows most poses twice (out and back)
        self._made: Recent[tuple[dict, dict, dict, dict]] = Recent(_KEPT_CUTS)
        self._distance = {j.partner: pelvis.mesh_distance(j.partner) for j in self.section.joints}
        # each joint's centre, moved into the cutting plane
        self.centres = {
            j.name: (c := np.mean([lm[n] for n in j.centre], axis=0)) - ((c - self.origin) @ self.normal) * self.normal
            for j in self.section.joints
        }
        neutral = pelvis.neutral_metrics
        # outline points farther than this from the partner (at neutral) are not joint space
        self._reach = {
            j.name: 1.6 * (neutral.pubic_gap_mm if j.name == "symphysis" else neutral.si_space_mm[j.name[:-3]]) + 1.5
            for j in self.section.joints
        }
        #: Outlines of the latest cut, by body: list of (n, 3) polylines in the body's frame.
        self.outlines: dict[str, list[NDArray[np.float64]]] = {}
        self.wedges: dict[str, JointWedge] = {}

    def outline_data(self, body: str):
        """``body``'s latest cut outline (VTK polylines in its own frame); the same object after
        every :meth:`update`, for drawing pipelines to follow."""
        return self._outline[body]

    def face_data(self, body: str):
        """``body``'s latest cut face, filled (VTK triangles in its own frame); the same object
        after every :meth:`update`."""
        return self._face[body]

    def plane(self, world: Mapping[str, NDArray]) -> tuple[NDArray, NDArray]:
        """The cutting plane in the world (origin, unit normal): it moves with the sacrum for
        the SI section and with the pelvis's posture for the symphysis."""
        t = np.asarray(world["sacrum"])
        return t[:3, :3] @ self.origin + t[:3, 3], t[:3, :3] @ self.normal

    def cut(self, body: str, world: Mapping[str, NDArray]) -> object:
        """The cut outline of ``body`` as VTK polylines in its own (neutral) frame."""
        origin, normal = self.plane(world)
        t = np.asarray(world[body])
        plane = self._planes[body]
        plane.SetOrigin(*(t[:3, :3].T @ (origin - t[:3, 3])))
        plane.SetNormal(*(t[:3, :3].T @ normal))
        stripper = self._strippers[body]
        stripper.Update()
        return stripper.GetOutput()

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray]) -> dict[str, object]:
        """Cut every bone in the shown pose (``world`` = ``T_world_body`` shown) and measure each
        joint; returns the outlines (VTK polylines, each in its body's frame) by body."""
        from vtkmodules.util.numpy_support import vtk_to_numpy
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        # the same pose (to 1e-9) gives the same cut: kept, up to _KEPT_CUTS poses
        key = (
            tuple(np.round(np.asarray(world[b], float), 9).tobytes() for b in self.bodies),
            tuple(round(v, 9) for v in posed.pose.as_dict().values()),
            tuple(round(v, 9) for v in posed.shown_pose.as_dict().values()),
        )
        made = self._made.get(key)
        if made is None:
            outlines, faces, polylines_by_body = {}, {}, {}
            for body in self.bodies:
                self.cut(body, world)
                self._fills[body].Update()
                outline, face = vtkPolyData(), vtkPolyData()
                outline.DeepCopy(self._strippers[body].GetOutput())
                face.DeepCopy(self._fills[body].GetOutput())
                outlines[body], faces[body] = outline, face
                pts = vtk_to_numpy(outline.GetPoints().GetData()) if outline.GetNumberOfPoints() else np.zeros((0, 3))
                cells = outline.GetLines()
                offsets = vtk_to_numpy(cells.GetOffsetsArray()) if outline.GetNumberOfLines() else np.zeros(1, int)
                conn = vtk_to_numpy(cells.GetConnectivityArray()) if outline.GetNumberOfLines() else np.zeros(0, int)
                polylines_by_body[body] = [
                    np.asarray(pts)[conn[a:b]] for a, b in zip(offsets[:-1], offsets[1:], strict=True)
                ]
            self.outlines = polylines_by_body
            true_t = self.pelvis.transforms(posed.pose)
            wedges = {}
            for joint in self.section.joints:
                wedge = self._wedge(joint, posed, world, true_t)
                if wedge is not None:
                    wedges[joint.name] = wedge
            made = self._made.put(key, (outlines, faces, polylines_by_body, wedges))
        outlines, faces, self.outlines, self.wedges = made
        for body in self.bodies:
            self._outline[body].ShallowCopy(outlines[body])
            self._face[body].ShallowCopy(faces[body])
            self._outline[body].Modified()  # an older cut's arrays: tell the mappers
            self._face[body].Modified()
        return dict(self._outline)

    def _wedge(
        self, joint: SectionJoint, posed: PosedPelvis, world: Mapping[str, NDArray], true_t: Mapping[str, NDArray]
    ) -> JointWedge | None:
        """The joint-space strip of one joint: the longest run of ``joint.body``'s outline within
        reach of the partner at neutral, joined to the partner's closest points."""
        tree = self._distance[joint.partner]
        centre = self.centres[joint.name]
        best: NDArray | None = None
        best_neutral: NDArray | None = None
        for line in self.outlines.get(joint.body, []):
            near = np.linalg.norm(line - centre, axis=1) < _JOINT_RADIUS_MM
            if not near.any():
                continue
            neutral = np.full(len(line), np.inf)
            neutral[near] = tree.closest(line[near])[0]  # apart at neutral: unsigned will do
            inside = (neutral > -0.5) & (neutral < self._reach[joint.name])
            for run in _runs(inside):
                if best is None or len(run) > len(best):
                    best, best_neutral = line[run], neutral[run]
        if best is None or len(best) < 3:
            return None
        shown_rel = relative_transform(
            np.asarray(posed.transforms[joint.partner]), np.asarray(posed.transforms[joint.body])
        )
        true_rel = relative_transform(np.asarray(true_t[joint.partner]), np.asarray(true_t[joint.body]))
        shown, _, closest = tree.query(best @ shown_rel[:3, :3].T + shown_rel[:3, 3])
        true = tree.query(best @ true_rel[:3, :3].T + true_rel[:3, 3])[0]
        change = shown - best_neutral
        wb, wp = np.asarray(world[joint.body]), np.asarray(world[joint.partner])
        a = best @ wb[:3, :3].T + wb[:3, 3]
        b = closest @ wp[:3, :3].T + wp[:3, 3]
        origin, normal = self.plane(world)
        b = b - np.outer((b - origin) @ normal, normal)  # onto the plane, as drawn
        n = len(a)
        i = np.arange(n - 1)  # one quad per outline segment, as two triangles
        faces = np.stack([i, i + 1, n + i, i + 1, n + i + 1, n + i], axis=1).reshape(-1, 3)
        strip = polydata(np.vstack([a, b]), faces)
        strip.point_data["change"] = np.concatenate([change, change])
        axis = world["sacrum"][:3, :3] @ np.asarray(joint.axis)
        along = a @ axis
        order = np.argsort(along)
        k = max(1, int(round(n * _END_FRACTION)))
        ends = []
        for label, idx in ((joint.ends[0], order[-k:]), (joint.ends[1], order[:k])):
            mid = (a[idx] + b[idx]).mean(axis=0) / 2
            ends.append(JointEnd(label, float(true[idx].mean()), float((true - best_neutral)[idx].mean()), mid))
        return JointWedge(joint, strip, change, (ends[0], ends[1]), (a.mean(axis=0) + b.mean(axis=0)) / 2)

    def focus(self, joint: str | None = None, world: Mapping[str, NDArray] | None = None) -> NDArray[np.float64]:
        """Points (world mm) to frame a camera on: one joint's surroundings, or all joints."""
        names = [joint] if joint else list(self.centres)
        world = world or {b: np.eye(4) for b in ("sacrum", "left_innominate", "right_innominate")}
        t = np.asarray(world["sacrum"])
        pts = []
        half = 30.0 if self.section.name == "si" else 34.0
        u = np.cross(self.normal, self.section.up)
        v = np.asarray(self.section.up, float)
        for name in names:
            c = self.centres[name]
            for du in (-half, half):
                for dv in (-half, half):
                    pts.append(c + du * u + dv * v)
        pts = np.asarray(pts)
        return pts @ t[:3, :3].T + t[:3, 3]


#: Poses whose cuts a :class:`SectionCut` keeps (about 0.1 MB each).
_KEPT_CUTS = 128


def _runs(mask: NDArray[np.bool_]) -> list[NDArray[np.int64]]:
    """Index runs where ``mask`` is true (consecutive points of a polyline)."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1) + 1
    return np.split(idx, breaks)
