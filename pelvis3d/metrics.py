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
when any vertex of a joint surface reaches zero distance or below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pelvis3d._distance import signed
from pelvis3d.anatomy import Anatomy
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
    :class:`pelvis3d._distance.MeshDistance`) per partner bone. Per frame, each joint-surface
    vertex is mapped into its partner bone's neutral frame and its exact signed distance to
    the partner mesh is taken; the points of every pose and surface facing one partner go in
    one query, and the signs of all in one pass.
    """

    def __init__(self, anatomy: Anatomy) -> None:
        from pelvis3d._distance import MeshDistance, stack_features

        self.queries: dict[str, _Query] = {}
        self._partners: dict[str, MeshDistance] = {}
        for name, surf in anatomy.joint_surfaces.items():
            target = _partner(name, surf.body)
            if target is None:
                continue
            self.queries[name] = _Query(name, surf.body, target, np.asarray(anatomy.vertices[surf.body])[surf.vertices])
            if target not in self._partners:
                self._partners[target] = MeshDistance(anatomy.vertices[target], anatomy.faces[target])
        # every partner's face tables in one: one sign pass per frame, not one per bone
        self._corner, self._gram, self._normals, offsets = stack_features(list(self._partners.values()))
        self._offsets = dict(zip(self._partners, offsets, strict=True))

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
        for i, transforms in enumerate(poses):
            for name in names:
                q = self.queries[name]
                m = relative_transform(transforms[q.target], transforms[q.source])
                by_target.setdefault(q.target, []).append((i, name, q.points @ m[:3, :3].T + m[:3, 3]))
        if not by_target:
            return out
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
                out[i][name] = values[start : start + len(p)]
                start += len(p)
        return [{name: o[name] for name in names} for o in out]


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
