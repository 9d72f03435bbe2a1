"""Joint metrics measured on the posed geometry.

Every number is a distance between posed bone surfaces (mm), computed as exact
point-to-triangle distances from each joint-surface vertex to the partner bone's mesh:

* **SI joint space** (per side): at each vertex of the innominate's auricular surface,
  the signed distance to the sacrum (negative = the bones would overlap). ``si_space_mm``
  is the mean, ``si_min_space_mm`` the minimum, ``si_anterior_space_mm`` /
  ``si_posterior_space_mm`` the means over the anterior / posterior half of the surface
  (split at the median X of its vertices at neutral).
* **Pubic gap**: the mean over both symphyseal faces of the distance from each face vertex
  to the opposite innominate. ``pubic_shear_mm`` is the vertical (Y) offset of the left
  symphyseal face centre above the right one.
* **Inter-ASIS / inter-PSIS**: distances between the posed landmarks.

``*_change_mm`` values are differences from the neutral pose. A contact flag is raised
when any vertex of a joint surface reaches zero distance or below; ``*_overlap_mm`` say how
deep. The values are signed and keep falling through contact: where the nearest-point
distance would turn back (a vertex deep in a thin bone nears its far side, then leaves it),
the vertex's neutral gap minus its travel toward the partner along the neutral gap direction
is taken instead, so an exaggerated internal rotation never prints a "normal" gap.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import Anatomy
from pelvis3d.distance import signed
from pelvis3d.kinematics import relative_transform

__all__ = ["JointMetrics", "JointSpaceCalculator", "LazyFields", "SIDES"]

SIDES = ("left", "right")


@dataclass(frozen=True)
class _Query:
    surface: str
    source: str
    target: str
    points: NDArray[np.float64]  # (n, 3) neutral coordinates of the surface vertices


class JointSpaceCalculator:
    """Signed surface-to-surface distances for every joint surface of an anatomy.

    Built once per anatomy: one exact distance structure (an AABB tree over the triangles,
    :class:`pelvis3d.distance.MeshDistance`) per partner bone. Per frame, each joint-surface
    vertex is mapped into its partner bone's neutral frame and its exact signed distance to
    the partner mesh is taken; the points of every pose and surface facing one partner go in
    one query, and the signs of all in one pass.
    """

    def __init__(self, anatomy: Anatomy) -> None:
        from pelvis3d.distance import MeshDistance, stack_features

        self.queries: dict[str, _Query] = {}
        self._partners: dict[str, MeshDistance] = {}
        self._extra: dict[str, MeshDistance] = {}  # other bones' trees, built when asked for
        self._anatomy = anatomy
        for name, surf in anatomy.joint_surfaces.items():
            target = _partner(name, surf.body)
            if target is None:
                continue
            self.queries[name] = _Query(name, surf.body, target, np.asarray(anatomy.vertices[surf.body])[surf.vertices])
            if target not in self._partners:
                self._partners[target] = MeshDistance(anatomy.vertices[target], anatomy.faces[target])
        #: per surface: each vertex's neutral signed distance and the unit direction from its
        #: closest partner point to it (outward across the joint), in the partner's frame
        self._neutral: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
        for name, q in self.queries.items():
            d0, _, closest = self._partners[q.target].query(q.points)
            away = q.points - closest
            length = np.linalg.norm(away, axis=1)
            direction = np.where(d0[:, None] < 0.0, -away, away) / np.maximum(length, 1e-12)[:, None]
            self._neutral[name] = (d0, direction)
        # every partner's face tables in one: one sign pass per frame, not one per bone
        self._corner, self._gram, self._normals, offsets = stack_features(list(self._partners.values()))
        self._offsets = dict(zip(self._partners, offsets, strict=True))
        #: right surface -> (left surface, left-field positions of its vertices), when the
        #: anatomy is a mirror image across the sagittal plane (as the built-in pelvis is)
        self._mirror = _mirror_maps(anatomy, self.queries)
        #: per surface, the fields of its latest few relative bone positions (exact reuse:
        #: the same inputs give the same distances)
        self._recent: dict[str, OrderedDict[bytes, NDArray[np.float64]]] = {
            name: OrderedDict() for name in self.queries
        }

    def distance_to(self, body: str):
        """The exact distance structure (:class:`pelvis3d.distance.MeshDistance`) of ``body``'s
        neutral mesh, built here when ``body`` is a joint partner, else on first request."""
        if body not in self._extra and body not in self._partners:
            from pelvis3d.distance import MeshDistance

            self._extra[body] = MeshDistance(self._anatomy.vertices[body], self._anatomy.faces[body])
        return self._partners[body] if body in self._partners else self._extra[body]

    def fields(
        self, transforms: Mapping[str, NDArray[np.float64]], surfaces: Sequence[str] | None = None
    ) -> dict[str, NDArray[np.float64]]:
        """Signed distance (mm) at every vertex of the joint surfaces, bodies posed by ``transforms``.

        Parameters
        ----------
        transforms : mapping of str to (4, 4) array
            ``T_pelvis_body`` for each body.
        surfaces : sequence of str, optional
            Which joint surfaces to evaluate (default: all).
        """
        return self.fields_many([transforms], surfaces)[0]

    def fields_many(
        self, poses: Sequence[Mapping[str, NDArray[np.float64]]], surfaces: Sequence[str] | None = None
    ) -> list[dict[str, NDArray[np.float64]]]:
        """:meth:`fields` for several sets of transforms in one pass (e.g. the true and the
        shown pose of a frame)."""
        names = list(self.queries) if surfaces is None else list(surfaces)
        out: list[dict[str, NDArray[np.float64]]] = [{} for _ in poses]
        # points of every surface in its partner's neutral frame, grouped by partner so each
        # partner is queried once for all poses
        by_target: dict[str, list[tuple[int, str, NDArray[np.float64]]]] = {}
        mirrored: list[tuple[int, str, str]] = []
        keys: dict[tuple[int, str], bytes] = {}
        moves_of: list[dict[str, NDArray[np.float64]]] = []
        for i, transforms in enumerate(poses):
            moves = {}
            for name in names:
                q = self.queries[name]
                moves[name] = relative_transform(transforms[q.target], transforms[q.source])
            moves_of.append(moves)
            for name, m in moves.items():
                key = m[:3].tobytes()
                known = self._recent[name].get(key)
                if known is not None:  # this bone pair was just here (e.g. the still side)
                    out[i][name] = known
                    continue
                left = self._mirror.get(name, (None,))[0]
                if left in moves and np.allclose(m, _MIRROR @ moves[left] @ _MIRROR, rtol=0.0, atol=1e-9):
                    # a mirror-symmetric pose of a mirror-image anatomy: the right side's
                    # distances are the left side's, vertex for vertex
                    mirrored.append((i, name, left))
                    continue
                q = self.queries[name]
                by_target.setdefault(q.target, []).append((i, name, q.points @ m[:3, :3].T + m[:3, 3]))
                keys[(i, name)] = key
        if by_target:
            self._query(by_target, out)
        for i, name, left in mirrored:
            if name not in out[i]:
                out[i][name] = out[i][left][self._mirror[name][1]]
                keys[(i, name)] = moves_of[i][name][:3].tobytes()
        for (i, name), key in keys.items():  # remember the latest few per surface
            recent = self._recent[name]
            out[i][name].setflags(write=False)
            recent[key] = out[i][name]
            while len(recent) > _RECENT:
                try:  # one atomic step each: safe if another thread evicts too
                    recent.popitem(last=False)
                except KeyError:
                    break
        return [{name: o[name] for name in names} for o in out]

    def _query(
        self,
        by_target: Mapping[str, list[tuple[int, str, NDArray[np.float64]]]],
        out: list[dict[str, NDArray[np.float64]]],
    ) -> None:
        """Exact signed distances of the moved points, one query per partner bone, into ``out``."""
        points, dist, face, closest = [], [], [], []
        for target, items in by_target.items():
            pts = np.concatenate([p for _, _, p in items])
            d, f, c = self._partners[target].closest(pts)
            points.append(pts)
            dist.append(d)
            face.append(f + self._offsets[target])
            closest.append(c)
        values = signed(
            np.concatenate(points),
            np.concatenate(dist),
            np.concatenate(closest),
            np.concatenate(face),
            self._corner,
            self._gram,
            self._normals,
        )
        start = 0
        for items in by_target.values():
            for i, name, p in items:
                out[i][name] = self._through(name, p, values[start : start + len(p)])
                start += len(p)

    def _through(self, name: str, points: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.float64]:
        """``values`` (signed distances to the partner bone), continued through contact.

        Past contact the nearest-point distance turns back (a point deep in a thin bone is
        near its far side, then leaves it), so where the bones have met, each vertex also
        gets its neutral gap minus how far it has moved toward the partner along the neutral
        gap direction, and the lower of the two counts: the value keeps falling as the bones
        press on. Outside contact the exact distance stands.
        """
        d0, direction = self._neutral[name]
        q = self.queries[name]
        height = d0 + np.einsum("ij,ij->i", points - q.points, direction)
        return np.where(height < 0.0, np.minimum(values, height), values)


#: How many recent relative positions each surface remembers (a frame has a true and a shown
#: pose; a slider drag moves one side while the other stays).
_RECENT = 4
#: Reflection across the sagittal plane (Z -> -Z) as a (4, 4) transform.
_MIRROR = np.diag([1.0, 1.0, -1.0, 1.0])


def _mirror_maps(anatomy: Anatomy, queries: Mapping[str, _Query]) -> dict[str, tuple[str, NDArray[np.int64]]]:
    """For each ``right_*`` joint surface whose bones, faces and vertices are the exact mirror
    images of its ``left_*`` twin's: the twin's name and, per right-surface vertex, the
    position of its mirror vertex in the twin's field. Empty for an asymmetric anatomy."""
    from scipy.spatial import cKDTree

    mirror_of: dict[tuple[str, str], NDArray[np.int64] | None] = {}

    def vertex_map(src: str, dst: str) -> NDArray[np.int64] | None:
        """dst vertex index of each src vertex's mirror image; None unless the meshes match."""
        if (src, dst) not in mirror_of:
            a, b = np.asarray(anatomy.vertices[src]), np.asarray(anatomy.vertices[dst])
            fa, fb = np.asarray(anatomy.faces[src]), np.asarray(anatomy.faces[dst])
            found = None
            if a.shape == b.shape and fa.shape == fb.shape and len(a):
                gap, index = cKDTree(b).query(a * (1.0, 1.0, -1.0))
                if gap.max() <= 1e-9 * max(1.0, float(np.abs(a).max())) and len(np.unique(index)) == len(b):
                    # the same triangles, mirrored (winding aside)
                    mapped = np.sort(index[fa], axis=1)
                    target = np.sort(fb, axis=1)
                    if np.array_equal(mapped[np.lexsort(mapped.T[::-1])], target[np.lexsort(target.T[::-1])]):
                        found = index
            mirror_of[(src, dst)] = found
        return mirror_of[(src, dst)]

    def twin_body(body: str) -> str:  # the body's mirror image: left <-> right, the sacrum itself
        for a, b in (("left_", "right_"), ("right_", "left_")):
            if body.startswith(a):
                return b + body[len(a) :]
        return body

    out: dict[str, tuple[str, NDArray[np.int64]]] = {}
    for name, right in queries.items():
        if not name.startswith("right_") or f"left_{name[6:]}" not in queries:
            continue
        left = queries[f"left_{name[6:]}"]
        if twin_body(left.source) != right.source or twin_body(left.target) != right.target:
            continue
        source_map = vertex_map(left.source, right.source)
        if source_map is None or vertex_map(left.target, right.target) is None:
            continue
        left_vertices = anatomy.joint_surfaces[left.surface].vertices
        right_vertices = anatomy.joint_surfaces[name].vertices
        position = {int(v): k for k, v in enumerate(source_map[left_vertices])}
        if len(position) != len(right_vertices) or any(int(v) not in position for v in right_vertices):
            continue
        out[name] = (left.surface, np.array([position[int(v)] for v in right_vertices], dtype=np.int64))
    return out


class LazyFields(Mapping):
    """Joint-space fields by surface name; surfaces not needed for the scalar metrics are
    computed on first access (mm, one value per joint-surface vertex)."""

    def __init__(self, computed: dict[str, NDArray[np.float64]], compute: Any, names: Sequence[str]) -> None:
        self._data = computed
        self._compute = compute
        self._names = list(names)

    def __getitem__(self, key: str) -> NDArray[np.float64]:
        if key not in self._data:
            if key not in self._names:
                from pelvis3d.errors import UnknownNameError

                raise UnknownNameError(f"unknown joint surface {key!r}; allowed: {', '.join(self._names)}")
            missing = [n for n in self._names if n not in self._data]
            for name, arr in self._compute(missing).items():
                arr.setflags(write=False)
                self._data[name] = arr
        return self._data[key]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _partner_surface(surface: str, anatomy: Anatomy) -> NDArray[np.int64] | None:
    """Vertex indices of the joint surface facing ``surface`` across its joint (on the partner bone)."""
    side = surface.split("_", 1)[0]
    twin = {
        f"{side}_si_innominate": f"{side}_si_sacrum",
        f"{side}_si_sacrum": f"{side}_si_innominate",
        "left_pubic_face": "right_pubic_face",
        "right_pubic_face": "left_pubic_face",
    }.get(surface)
    if twin is None or twin not in anatomy.joint_surfaces:
        return None
    return np.asarray(anatomy.joint_surfaces[twin].vertices)


def _partner(surface: str, body: str) -> str | None:
    """The bone a joint surface faces (None for surfaces that are not part of a joint pair)."""
    if "_si_" in surface:
        side = surface.split("_", 1)[0]
        return "sacrum" if body.endswith("innominate") else f"{side}_innominate"
    if surface.endswith("pubic_face"):
        return "right_innominate" if body == "left_innominate" else "left_innominate"
    return None


@dataclass(frozen=True)
class JointMetrics:
    """Joint spaces and landmark distances of one posed pelvis. Millimetres throughout.

    Per-side values are dicts keyed ``"left"`` and ``"right"``. See the module docstring for
    how each number is measured.
    """

    pubic_gap_mm: float
    pubic_gap_change_mm: float
    pubic_min_gap_mm: float
    pubic_shear_mm: float
    pubic_contact: bool
    si_space_mm: dict[str, float]
    si_min_space_mm: dict[str, float]
    si_anterior_space_mm: dict[str, float]
    si_posterior_space_mm: dict[str, float]
    si_space_change_mm: dict[str, float]
    si_anterior_change_mm: dict[str, float]
    si_posterior_change_mm: dict[str, float]
    si_contact: dict[str, bool]
    inter_asis_mm: float
    inter_asis_change_mm: float
    inter_psis_mm: float
    inter_psis_change_mm: float
    fields: Mapping[str, NDArray[np.float64]] = field(repr=False, compare=False)

    @property
    def contact(self) -> bool:
        """True when any joint surface touches its partner (the shown bones would overlap)."""
        return self.pubic_contact or any(self.si_contact.values())

    @property
    def pubic_overlap_mm(self) -> float:
        """How deep the pubic bones overlap (mm; 0 when they do not touch)."""
        return max(0.0, -self.pubic_min_gap_mm)

    @property
    def si_overlap_mm(self) -> dict[str, float]:
        """How deep each innominate overlaps the sacrum (mm; 0 when they do not touch)."""
        return {s: max(0.0, -v) for s, v in self.si_min_space_mm.items()}

    @property
    def overlap_mm(self) -> float:
        """The deepest overlap of any joint (mm; 0 when no bones touch)."""
        return max(self.pubic_overlap_mm, *self.si_overlap_mm.values())

    def overlap_text(self) -> str:
        """Where and how deep the bones overlap, in words (empty when they do not touch)."""
        parts = [f"pubic symphysis {self.pubic_overlap_mm:.1f} mm"] if self.pubic_contact else []
        parts += [f"{s} SI joint {self.si_overlap_mm[s]:.1f} mm" for s in SIDES if self.si_contact[s]]
        return ("overlap: " + ", ".join(parts)) if parts else ""

    def as_dict(self) -> dict[str, float | bool]:
        """Flat ``{name: value}`` of the scalar metrics (per-side names end ``_left`` / ``_right``)."""
        out: dict[str, float | bool] = {}
        for key, value in self.__dict__.items():
            if key == "fields":
                continue
            if isinstance(value, dict):
                for side in SIDES:
                    base = key[:-3] if key.endswith("_mm") else key
                    suffix = "_mm" if key.endswith("_mm") else ""
                    out[f"{base}_{side}{suffix}"] = value[side]
            else:
                out[key] = value
        return out
