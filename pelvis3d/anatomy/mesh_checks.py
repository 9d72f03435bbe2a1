"""Checks on loaded meshes before any heavy work: size, units, orientation, sides, pivots.

A wrong model file usually still makes three meshes, and without these checks pelvis3d would
pose and measure whatever it got: a pelvis turned upside down (external rotation then closes
the pubic gap), a 0.2 mm pelvis, or a 300 m one whose subdivision fills the memory. The checks
here use no landmarks (bounding boxes, area-weighted centroids and the place where the two
innominates come closest, the pubic symphysis), so they hold for any pelvis, and they run
right after units and axes are applied, before any repair, subdivision, distance field or tree.

Bounds (assumed where no source is given):

* a pelvis (the three bones together) is 100-600 mm across its largest extent: adults
  ~250-290 mm wide (inter-ASIS 225 +/- 20 mm, Ahrend et al. 2020), children smaller, large
  adults and soft-tissue-free CT crops larger; outside 50-1500 mm loading is refused.
* at most :data:`MAX_TRIANGLES` triangles per bone: CT segmentations at 0.5 mm are a few hundred
  thousand; beyond a million, repair, subdivision and the distance trees take minutes and GBs.
* the symphysis lies anterior-inferior of the sacrum: in the ISB frame the direction from the
  sacrum's centroid to the symphysis is ~50 deg below anterior (39 deg on the built-in pelvis,
  56 deg in OpenSim's tilted pelvis frame); a pelvis more than 45 deg from that is refused.
* a DOF's pivot lies at its joint: within :data:`PIVOT_REFUSE_MM` of the joint's surfaces.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import AnatomyFileError

__all__ = [
    "MAX_TRIANGLES",
    "PELVIS_EXTENT_MM",
    "PELVIS_EXTENT_REFUSE_MM",
    "PIVOT_WARN_MM",
    "PIVOT_REFUSE_MM",
    "MeshSizeWarning",
    "check_size",
    "check_orientation",
    "check_pivot",
    "observed_axes",
]

#: Most triangles accepted per bone (assumed; see the module docstring).
MAX_TRIANGLES = 1_000_000
#: Usual largest extent of the three bones together, mm (outside it: a warning; assumed).
PELVIS_EXTENT_MM = (100.0, 600.0)
#: Largest extent outside which loading is refused, mm (assumed).
PELVIS_EXTENT_REFUSE_MM = (50.0, 1500.0)
#: Direction from the sacrum's centroid to the symphysis, below anterior, deg (see above).
SYMPHYSIS_BELOW_ANTERIOR_DEG = 48.0
#: Largest turn between the declared axes and those the bones show, deg (assumed).
MAX_TURN_DEG = 45.0
#: A turn that is accepted with a warning (the estimate varies by ~10 deg between pelvises).
WARN_TURN_DEG = 30.0
#: A given pivot this far from its joint's surfaces warns / is refused, mm (assumed: the README's
#: pivot study moves it 20 mm; a pelvis is ~250 mm across).
PIVOT_WARN_MM = 40.0
PIVOT_REFUSE_MM = 100.0


class MeshSizeWarning(UserWarning):
    """A loaded pelvis has an unusual size (mm) but is used."""


MeshPair = tuple[NDArray[np.float64], NDArray[np.int64]]


def check_size(meshes: Mapping[str, MeshPair], units: str | None, where: str) -> None:
    """Refuse meshes too many or too big/small to be a pelvis, naming the likely cause.

    Parameters
    ----------
    meshes : mapping
        ``body -> (vertices, faces)``, vertices in mm after units and axes.
    units : {"mm", "m"} or None
        The declared units (None: not stated, millimetres assumed).
    where : str
        Prefix for the message (the model file).

    Raises
    ------
    AnatomyFileError
        More than :data:`MAX_TRIANGLES` triangles in a bone, a pelvis outside
        :data:`PELVIS_EXTENT_REFUSE_MM`, or one bone in other units than the others.
    """
    for body, (_, f) in meshes.items():
        if len(f) > MAX_TRIANGLES:
            raise AnatomyFileError(
                f"{where}: meshes.{body} has {len(f):,} triangles; pelvis3d takes at most {MAX_TRIANGLES:,} per bone "
                "(repair and distance trees would take minutes and GBs): decimate it first, e.g. with "
                "trimesh's simplify_quadric_decimation or MeshLab"
            )
    extents = {b: float(np.ptp(v, axis=0).max()) for b, (v, _) in meshes.items()}
    biggest, smallest = max(extents, key=extents.get), min(extents, key=extents.get)
    if extents[biggest] > 20 * extents[smallest]:
        raise AnatomyFileError(
            f"{where}: meshes.{biggest} is {extents[biggest]:.4g} mm across but meshes.{smallest} "
            f"{extents[smallest]:.4g} mm: the files look to be in different units (all three must share 'units')"
        )
    size = float(np.ptp(np.vstack([v for v, _ in meshes.values()]), axis=0).max())
    lo, hi = PELVIS_EXTENT_REFUSE_MM
    stated = units or "mm"
    if size > hi and stated == "m" and lo <= size / 1000 <= hi:
        raise AnatomyFileError(
            f"{where}: the pelvis would be {size / 1000:.4g} m across: looks like millimetres declared as metres "
            '(units = "m"); set units = "mm"'
        )
    if size < lo and stated == "mm" and lo <= size * 1000 <= hi:
        cause = (
            "units missing: these meshes look like metres"
            if units is None
            else 'looks like metres declared as millimetres (units = "mm")'
        )
        raise AnatomyFileError(f'{where}: the pelvis would be {size:.3g} mm across: {cause}; set units = "m"')
    if not lo <= size <= hi:
        raise AnatomyFileError(
            f"{where}: the pelvis would be {size:.4g} mm across (units = {stated!r}); a pelvis is "
            f"{PELVIS_EXTENT_MM[0]:g}-{PELVIS_EXTENT_MM[1]:g} mm (assumed): check 'units' and the mesh files"
        )
    if not PELVIS_EXTENT_MM[0] <= size <= PELVIS_EXTENT_MM[1]:
        warnings.warn(
            f"{where}: the pelvis is {size:.0f} mm across, outside the usual {PELVIS_EXTENT_MM[0]:g}-"
            f"{PELVIS_EXTENT_MM[1]:g} mm (assumed); check 'units' if this is not intended",
            MeshSizeWarning,
            stacklevel=4,
        )


def _centroid(v: NDArray[np.float64], f: NDArray[np.int64]) -> NDArray[np.float64]:
    """Area-weighted centroid of a surface (independent of how finely it is meshed)."""
    tri = v[f]
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    if area.sum() <= 0:
        return v.mean(axis=0)
    return (tri.mean(axis=1) * area[:, None]).sum(axis=0) / area.sum()


def _symphysis(left: NDArray[np.float64], right: NDArray[np.float64]) -> NDArray[np.float64]:
    """Where the two innominates come closest (mean of the 20 closest vertex pairs)."""
    from scipy.spatial import cKDTree

    step_l = max(1, len(left) // 50_000)  # a bounded sample: this runs before any decimation
    step_r = max(1, len(right) // 50_000)
    a, b = left[::step_l], right[::step_r]
    tree = cKDTree(b)
    # Nearest-neighbour queries across the gap between the bones visit most of the tree (~9 s
    # for an STL's unshared vertices). A sparse probe bounds the 20th-smallest distance from
    # above, so the full query can stop early and still finds the same 20 pairs.
    probe, _ = tree.query(a[:: max(1, len(a) // 1000)])
    bound = np.nextafter(np.partition(probe, 19)[19], np.inf) if len(probe) >= 20 else np.inf
    d, i = tree.query(a, distance_upper_bound=bound)
    k = np.argsort(d)[:20]
    return (a[k].mean(axis=0) + b[i[k]].mean(axis=0)) / 2


def observed_axes(meshes: Mapping[str, MeshPair], swap_sides: bool = False) -> NDArray[np.float64]:
    """The pelvis's anterior, superior and right directions as the bones show them (rows, in
    the meshes' coordinates): right from the left innominate's centroid to the right one's;
    anterior and superior from the direction sacrum -> symphysis, which lies
    :data:`SYMPHYSIS_BELOW_ANTERIOR_DEG` below anterior. ``swap_sides``: as if the two
    innominate files were exchanged."""
    sac = _centroid(*meshes["sacrum"])
    left, right = (_centroid(*meshes[f"{s}_innominate"]) for s in ("left", "right"))
    lateral = (left - right) if swap_sides else (right - left)
    z = lateral / np.linalg.norm(lateral)
    down_front = _symphysis(meshes["left_innominate"][0], meshes["right_innominate"][0]) - sac
    down_front -= z * (down_front @ z)
    e = down_front / np.linalg.norm(down_front)
    f = np.cross(z, e)
    angle = np.radians(-SYMPHYSIS_BELOW_ANTERIOR_DEG)
    c, s = np.cos(angle), np.sin(angle)
    return np.vstack([c * e - s * f, s * e + c * f, z])


def _turn_deg(axes: NDArray[np.float64]) -> float:
    return float(np.degrees(np.arccos(np.clip((np.trace(axes) - 1) / 2, -1.0, 1.0))))


def check_orientation(meshes: Mapping[str, MeshPair], where: str, declared: str) -> None:
    """Refuse a pelvis whose bones do not point the way the declared axes say, naming the
    likely cause: left and right swapped, an axis inverted, or the file turned.

    Parameters
    ----------
    meshes : mapping
        ``body -> (vertices, faces)`` in mm, in the declared frame (X anterior, Y superior,
        Z right after ``[axes]`` / ``transform``).
    where : str
        Prefix for the message.
    declared : str
        How the axes were declared, for the message (e.g. "[axes]", "no [axes]: +x, +y, +z").

    Raises
    ------
    AnatomyFileError
        When the bones' own axes are turned more than :data:`MAX_TURN_DEG` from the declared ones.
    """
    axes = observed_axes(meshes)
    turn = _turn_deg(axes)
    if turn <= MAX_TURN_DEG:
        if turn > WARN_TURN_DEG:
            warnings.warn(
                f"{where}: the bones look turned {turn:.0f} deg from the declared axes ({declared}); "
                f"used as declared, check [axes] if the pictures look tilted",
                MeshSizeWarning,
                stacklevel=4,
            )
        return
    if _turn_deg(observed_axes(meshes, swap_sides=True)) <= MAX_TURN_DEG:
        raise AnatomyFileError(
            f"{where}: left and right look swapped: the left_innominate mesh lies on the right (+Z) of the "
            f"right_innominate one ({declared}); exchange the two files, or check whether the meshes are mirrored"
        )
    names = ("anterior", "superior", "right")
    inverted = [n for k, n in enumerate(names) if axes[k, k] < -0.5]
    if inverted:
        what = f"{inverted[0]} axis looks inverted" + (
            f" (and {', '.join(inverted[1:])} with it)" if inverted[1:] else ""
        )
    else:
        what = f"the bones look turned {turn:.0f} deg from the declared axes"
    shown = ", ".join(f"{n} = {_axis_word(axes[k])}" for k, n in enumerate(names))
    raise AnatomyFileError(
        f"{where}: {what}: the bones show {shown} ({declared}); set [axes] to match "
        "(X anterior, Y superior, Z right is assumed without it)"
    )


def _axis_word(direction: NDArray[np.float64]) -> str:
    k = int(np.argmax(np.abs(direction)))
    return f"{'+' if direction[k] > 0 else '-'}{'xyz'[k]}"


def check_pivot(
    name: str, pivot: NDArray[np.float64], joint_points: NDArray[np.float64], where: str, units: str
) -> None:
    """Refuse a given pivot far from its joint, warn when it is unusually far.

    Parameters
    ----------
    name : str
        The DOF.
    pivot : (3,) array
        The pivot in the pelvis frame, mm.
    joint_points : (n, 3) array
        Points of the joint's surfaces (mm, same frame).
    where : str
        Prefix for the message.
    units : str
        The file's units, for the message.

    Raises
    ------
    AnatomyFileError
        A pivot more than :data:`PIVOT_REFUSE_MM` from its joint.
    """
    far = float(np.linalg.norm(joint_points - pivot, axis=1).min())
    if far > PIVOT_REFUSE_MM:
        raise AnatomyFileError(
            f"{where}: field 'pivots.{name}' lies {far:.4g} mm from its joint's surfaces (at most "
            f"{PIVOT_REFUSE_MM:g} mm, assumed); pivots are file coordinates in the file's units ({units})"
        )
    if far > PIVOT_WARN_MM:
        warnings.warn(
            f"{where}: field 'pivots.{name}' lies {far:.0f} mm from its joint's surfaces (usually within "
            f"{PIVOT_WARN_MM:g} mm, assumed); used as given",
            MeshSizeWarning,
            stacklevel=4,
        )
