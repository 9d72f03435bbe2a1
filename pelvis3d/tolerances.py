"""Published joint tolerances of the pelvic ring, and a judge of posed rings against them.

A pose is judged by what it does to the ring, not by its angles: the physiological range of
each DOF (:func:`physiological_ranges`) is where that DOF alone (or both sides together, for
the ``rotation`` / ``tilt`` shorthands) keeps every tolerance below; any pose, however its
angles combine, is checked against the same tolerances (:func:`ring_excesses`).

=====================  =========  ===========================================================
tolerance              limit      source
=====================  =========  ===========================================================
pubic gap change       2.0 mm     Becker et al. 2010, J Anat 217:475 (normal symphysis
                                  motion: <= 2 mm shift)
pubic vertical shear   2.6 mm     Walheim, via Meissner et al. 1996, Unfallchirurg 99:415
                                  (<= 2.6 mm vertical in one-leg stance)
symphysis rotation     1.0 deg    Becker et al. 2010 (<= 1 deg rotation)
SI rotation            3.6 deg    Kibsgard et al. 2012, CORR (radiostereometry, 5 studies:
                                  <= 3.6 deg)
SI translation         2.0 mm     Kibsgard et al. 2012 (translation never > 2 mm)
bone contact           0 mm       joint spaces stay open: the cartilage and the disc lie
                                  between the bones (a joint already touching at neutral
                                  may not touch deeper)
=====================  =========  ===========================================================

How each is measured on the posed ring: pubic gap change and shear as in
:mod:`pelvis3d.metrics` (shear as its change from neutral); symphysis rotation is the angle
of the left innominate's rotation relative to the right one; SI rotation the angle of an
innominate's rotation relative to the sacrum; SI translation the largest displacement of an
innominate's auricular-surface vertices relative to the sacrum (the joint surface slipping
on its partner); bone contact the smallest joint space.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pelvis3d.kinematics import Pose, relative_transform
from pelvis3d.metrics import SIDES, JointMetrics

__all__ = ["Tolerance", "Excess", "TOLERANCES", "ring_excesses", "describe_excesses", "physiological_ranges"]


@dataclass(frozen=True)
class Tolerance:
    """One published limit of normal pelvic-ring motion."""

    name: str
    label: str
    limit: float
    unit: str
    source: str


#: The tolerances a posed ring is judged by (see the module docstring).
TOLERANCES: tuple[Tolerance, ...] = (
    Tolerance("pubic_gap_change", "pubic gap change", 2.0, "mm", "Becker et al. 2010"),
    Tolerance("pubic_shear", "pubic vertical shear", 2.6, "mm", "Walheim, via Meissner et al. 1996"),
    Tolerance("pubic_rotation", "symphysis rotation", 1.0, "deg", "Becker et al. 2010"),
    Tolerance("si_rotation", "SI rotation", 3.6, "deg", "Kibsgard et al. 2012"),
    Tolerance("si_translation", "SI translation", 2.0, "mm", "Kibsgard et al. 2012"),
    Tolerance("contact", "bone contact", 0.0, "mm", "joint spaces stay open"),
)
_BY_NAME = {t.name: t for t in TOLERANCES}


@dataclass(frozen=True)
class Excess:
    """A tolerance a posed ring leaves: where, the value, and by how much."""

    tolerance: Tolerance
    where: str
    value: float
    excess: float

    def __str__(self) -> str:
        t = self.tolerance
        if t.name == "contact":
            return f"{self.where} bones overlap {self.excess:.2f} mm (tolerance: no contact)"
        return (
            f"{self.where}{t.label} {self.value:+.2f} {t.unit} exceeds the {t.limit:g} {t.unit} tolerance "
            f"({t.source}) by {self.excess:.2f} {t.unit}"
        )


def _angle_deg(t: NDArray[np.float64]) -> float:
    """Rotation angle of a rigid transform, degrees."""
    cos = (float(np.trace(t[:3, :3])) - 1.0) / 2.0
    return math.degrees(math.acos(min(1.0, max(-1.0, cos))))


def ring_excesses(
    metrics: JointMetrics,
    neutral: JointMetrics,
    transforms: Mapping[str, NDArray[np.float64]],
    auricular_points: Mapping[str, NDArray[np.float64]],
    slack: float = 1e-9,
) -> list[Excess]:
    """Every tolerance the posed ring leaves (empty inside all of them).

    Parameters
    ----------
    metrics, neutral : JointMetrics
        Metrics of the pose and of neutral (mm).
    transforms : mapping of str to (4, 4) array
        ``T_pelvis_body`` of the pose.
    auricular_points : mapping of side to (n, 3) array
        Neutral positions of each innominate's auricular-surface vertices, mm.
    slack : float
        Values within this of a limit count as inside (mm or degrees).
    """
    out: list[Excess] = []

    def check(name: str, where: str, value: float) -> None:
        t = _BY_NAME[name]
        over = abs(value) - t.limit
        if over > slack:
            out.append(Excess(t, where, value, over))

    check("pubic_gap_change", "", metrics.pubic_gap_change_mm)
    check("pubic_shear", "", metrics.pubic_shear_mm - neutral.pubic_shear_mm)
    check(
        "pubic_rotation",
        "",
        _angle_deg(relative_transform(transforms["right_innominate"], transforms["left_innominate"])),
    )
    for side in SIDES:
        rel = relative_transform(transforms["sacrum"], transforms[f"{side}_innominate"])
        check("si_rotation", f"{side} ", _angle_deg(rel))
        pts = auricular_points[side]
        moved = pts @ rel[:3, :3].T + rel[:3, 3] - pts
        check("si_translation", f"{side} ", float(np.sqrt((moved**2).sum(axis=1).max())) if len(pts) else 0.0)
    contact = _BY_NAME["contact"]
    joints = [("pubic symphysis:", metrics.pubic_min_gap_mm, neutral.pubic_min_gap_mm)]
    joints += [(f"{s} SI joint:", metrics.si_min_space_mm[s], neutral.si_min_space_mm[s]) for s in SIDES]
    for where, now, before in joints:
        if before > 0.0 and now <= 0.0:  # clear at neutral: may not touch
            out.append(Excess(contact, where, now, -now))
        elif before <= 0.0 and before - now > slack:  # touching at neutral: may not touch deeper
            out.append(Excess(contact, where, now, before - now))
    return out


def describe_excesses(pose: Pose, excesses: list[Excess]) -> str:
    """One line naming the pose and every tolerance it leaves, with by how much."""
    return f"{pose!r} is beyond the physiological tolerances of the ring: " + "; ".join(str(e) for e in excesses)


def physiological_ranges(
    leaves: Callable[[Pose], bool], hard: Mapping[str, tuple[float, float]], resolution_deg: float = 0.01
) -> dict[str, tuple[float, float]]:
    """The range of each ring DOF (and the ``rotation`` / ``tilt`` shorthands: both sides
    together) within which the ring keeps every tolerance, degrees.

    Searches outward from neutral (coarse steps, then bisection to ``resolution_deg``) for
    the first angle at which ``leaves(pose)`` is true; the range ends the resolution inside
    it, so the ends themselves keep the tolerances. Up to the hard limit when none is left.

    Parameters
    ----------
    leaves : callable
        ``leaves(pose)``: does the posed ring leave a tolerance?
    hard : mapping of str to (lo, hi)
        Hard limit per DOF name (the shorthands use their left DOF's), degrees.
    """
    out: dict[str, tuple[float, float]] = {}
    for name, limits in hard.items():
        short = name in ("rotation", "tilt")

        def pose_at(angle: float, name: str = name, short: bool = short) -> Pose:
            return Pose(**{name: angle}) if not short else Pose(**{f"left_{name}": angle, f"right_{name}": angle})

        ends = []
        for end in (limits[1], limits[0]):
            inside = 0.0
            found = None
            for frac in (0.005, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.55, 0.7, 0.85, 1.0):
                angle = end * frac
                if leaves(pose_at(angle)):
                    found = angle
                    break
                inside = angle
            if found is not None:
                while abs(found - inside) > resolution_deg:
                    mid = (found + inside) / 2
                    if leaves(pose_at(mid)):
                        found = mid
                    else:
                        inside = mid
                # round toward neutral to the resolution: the end keeps the tolerances
                inside = round(math.trunc(inside / resolution_deg) * resolution_deg, 10)
            ends.append(inside + 0.0)
        out[name] = (ends[1], ends[0])
    return out
