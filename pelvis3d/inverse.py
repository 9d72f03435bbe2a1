"""The inverse problem: which innominate rotation produces a wanted joint-space change."""

from __future__ import annotations

import warnings

import numpy as np

from pelvis3d.errors import PoseError, RingToleranceWarning, UnknownNameError
from pelvis3d.kinematics import Pose
from pelvis3d.metrics import SIDES
from pelvis3d.ring import DEFAULT_RING, check_ring
from pelvis3d.tolerances import describe_excesses
from pelvis3d.validation import real_number

__all__ = ["solve_rotation"]


def solve_rotation(
    pelvis,
    *,
    pubic_gap_change_mm: float | None = None,
    si_posterior_change_mm: float | None = None,
    side: str = "both",
    tolerance_mm: float = 1e-4,
    ring: str = DEFAULT_RING,
) -> Pose:
    """Find the innominate rotation that produces a target metric change.

    Give exactly one target.

    Parameters
    ----------
    pelvis : Pelvis
        The model.
    pubic_gap_change_mm : float, optional
        Wanted change of the pubic gap from neutral (mm; + opens).
    si_posterior_change_mm : float, optional
        Wanted change of the posterior SI joint space (mm; negative = compression),
        on ``side`` (for ``"both"``: the mean of the two sides).
    side : {"both", "left", "right"}
        Which innominate(s) rotate.
    tolerance_mm : float
        Accuracy of the achieved metric (mm). A target within it of neutral's value gives
        the neutral pose (so tiny and zero targets work).
    ring : {"open", "closed"}
        Ring model (:mod:`pelvis3d.ring`).

    Returns
    -------
    Pose
        Degrees, within the hard limits. When the ring leaves a joint tolerance there
        (or bones touch), a :class:`~pelvis3d.errors.RingToleranceWarning` says which
        and by how much.

    Raises
    ------
    PoseError
        If no rotation within the hard limits reaches the target.
    """
    from scipy.optimize import brentq

    if side not in ("both", "left", "right"):
        raise UnknownNameError(f"unknown side {side!r}; allowed: both, left, right")
    check_ring(ring)
    given = [
        (k, v)
        for k, v in (("pubic_gap_change_mm", pubic_gap_change_mm), ("si_posterior_change_mm", si_posterior_change_mm))
        if v is not None
    ]
    if len(given) != 1:
        raise PoseError("give exactly one target: pubic_gap_change_mm or si_posterior_change_mm")
    key, target = given[0]
    target = real_number(target, key)
    tolerance_mm = real_number(tolerance_mm, "tolerance_mm")
    if tolerance_mm <= 0:
        raise PoseError(f"tolerance_mm must be positive, got {tolerance_mm:g}")

    def pose_for(angle: float) -> Pose:
        return Pose(rotation=angle) if side == "both" else Pose(**{f"{side}_rotation": angle})

    def value(angle: float) -> float:
        m = pelvis.metrics(pose_for(angle), ring=ring)
        if key == "pubic_gap_change_mm":
            return m.pubic_gap_change_mm
        sides = SIDES if side == "both" else (side,)
        return float(np.mean([m.si_posterior_change_mm[s] for s in sides]))

    dof = pelvis.anatomy.dofs["left_rotation" if side in ("both", "left") else "right_rotation"]
    lo, hi = dof.hard_deg
    f0 = value(0.0) - target
    if abs(f0) <= tolerance_mm:
        return pose_for(0.0)
    # Search outward from neutral for the first sign change (compare signs, never products:
    # a product of tiny values underflows to zero); the answer nearest neutral is the one wanted.
    bracket = None
    reached = [0.0]
    for end in (hi, lo):
        prev_a, prev_sign = 0.0, np.sign(f0)
        for a in np.linspace(0.0, end, 41)[1:]:
            fa = value(float(a)) - target
            reached.append(fa + target)
            if np.sign(fa) != prev_sign:
                bracket = (prev_a, float(a))
                break
            prev_a = float(a)
        if bracket:
            break
    if bracket is None:
        raise PoseError(
            f"{key}={target:g} mm is not reachable with rotation in [{lo:g}, {hi:g}] deg "
            f"(reachable: {min(reached):.2f} to {max(reached):.2f} mm)"
        )
    angle = brentq(lambda a: value(a) - target, min(bracket), max(bracket), xtol=1e-9)
    # brentq's xtol is in degrees; tighten on the metric itself with a few secant steps
    for _ in range(20):
        err = value(angle) - target
        if abs(err) <= tolerance_mm:
            break
        slope = (value(angle + 1e-4) - value(angle - 1e-4)) / 2e-4
        if slope == 0.0:
            break
        angle -= err / slope
    pose = pose_for(float(angle))
    excesses = pelvis.ring_excesses(pose, ring)
    if excesses:
        warnings.warn(
            f"the solution for {key}={target:g} mm: {describe_excesses(pose, excesses)}",
            RingToleranceWarning,
            stacklevel=3,
        )
    return pose
