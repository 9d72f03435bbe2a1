"""The exaggeration a picture shows: the requested factor, or the largest factor (a multiple of
0.1) at which no exaggerated joint closes to contact, so a picture never shows bone through bone
unless asked to.

The search costs a few posed pelvises (each with its exact joint-space metrics), so
:class:`ShownFactors` remembers the answer per pose and starts each search where the closest
approach of the joints, interpolated between the true and the fully exaggerated pose, reaches
zero: a reduced frame usually needs two extra poses instead of a bisection's seven. The answer
depends on the pose only, never on the order of the calls (the search is on a fixed grid of 0.1
steps), so serial and parallel renders agree.
"""

from __future__ import annotations

import math

from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis, PosedPelvis
from pelvis3d.render.recent import Recent

__all__ = ["ShownFactors", "touches", "clearances", "FACTOR_STEP"]

#: The reduced factor is a multiple of this (a caption says "x3.2").
FACTOR_STEP = 0.1


def touches(metrics) -> bool:
    """Whether any joint of ``metrics`` (a :class:`pelvis3d.metrics.JointMetrics`) closes to contact."""
    return bool(metrics.pubic_contact or any(metrics.si_contact.values()))


class ShownFactors:
    """The shown pose of each true pose, for one model; remembers the last ``capacity`` answers
    (the posed pelvises, with the metrics they have computed).

    Parameters
    ----------
    pelvis : Pelvis
        The model.
    capacity : int
        Poses remembered (oldest forgotten first).
    """

    def __init__(self, pelvis: Pelvis, capacity: int = 256) -> None:
        self.pelvis = pelvis
        self.capacity = int(capacity)
        self._factors: Recent[PosedPelvis] = Recent(capacity)
        #: posed pelvises made since creation (for benchmarks and tests of the caching)
        self.posed_count = 0

    def _posed(self, pose: Pose, factor: float, ring: str) -> PosedPelvis:
        self.posed_count += 1
        return self.pelvis.posed(pose, factor, ring=ring)

    def shown(self, pose: Pose, exaggeration: float, ring: str, allow_overlap: bool = False) -> PosedPelvis:
        """``pose`` at ``exaggeration``, or, unless ``allow_overlap``, at the largest multiple of
        :data:`FACTOR_STEP` (at least 1) at which no exaggerated joint closes to contact. A pose
        that touches at its true angles is shown at the full factor (nothing to reduce)."""
        key = (pose, float(exaggeration), ring, bool(allow_overlap))
        known = self._factors.get(key)
        if known is not None:
            return known  # the same posed pelvis: its metrics are computed once
        if allow_overlap or exaggeration == 1.0:
            posed = self._posed(pose, exaggeration, ring)
        else:
            posed, _ = self._search(pose, float(exaggeration), ring)
        return self._factors.put(key, posed)

    def _search(self, pose: Pose, exaggeration: float, ring: str) -> tuple[PosedPelvis, float]:
        full = self._posed(pose, exaggeration, ring)
        if not touches(full.shown_metrics) or touches(full.metrics):
            return full, exaggeration
        # grid steps k (factor k * 0.1): lo keeps the joints apart, hi does not
        lo, hi = round(1.0 / FACTOR_STEP), math.ceil(exaggeration / FACTOR_STEP - 1e-9)
        # each joint's closest approach changes almost linearly with the factor: the first zero,
        # interpolated between the true pose (factor 1, apart) and the full factor (touching), is
        # where to look first; a bisection of the grid finishes the search whatever they find
        guess = min(
            1.0 + (exaggeration - 1.0) * c1 / max(c1 - cx, 1e-12)
            for c1, cx in zip(clearances(full.metrics), clearances(full.shown_metrics), strict=True)
            if cx <= 0.0
        )
        k = math.floor(guess / FACTOR_STEP)
        probes = [k, k + 1]
        apart: PosedPelvis | None = None
        while hi - lo > 1:
            mid = probes.pop(0) if probes else (lo + hi) // 2
            if not lo < mid < hi:
                continue
            posed = self._posed(pose, round(mid * FACTOR_STEP, 10), ring)
            if touches(posed.shown_metrics):
                hi = mid
            else:
                lo, apart = mid, posed
        factor = round(lo * FACTOR_STEP, 10)
        return (apart if apart is not None else self._posed(pose, factor, ring)), factor


def clearances(metrics) -> tuple[float, float, float]:
    """The closest approach of the surfaces of the symphysis and the left and right SI joints
    (mm; zero or below = contact)."""
    return (metrics.pubic_min_gap_mm, metrics.si_min_space_mm["left"], metrics.si_min_space_mm["right"])
