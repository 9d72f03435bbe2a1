"""The exaggeration each panel of a page actually shows, and the words that state it.

A scene shows a pose at the requested factor, or, where that would put bone through bone, at
the largest factor that keeps the joints apart (:mod:`pelvis3d.render.exaggeration`). A page
(slide, figure) that states the factor in its own text (footnotes, facts, the colour legend)
must state the factor of each panel, not the one asked for: this module finds the same factors
as the scenes and words them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from pelvis3d.errors import PhysiologicalRangeWarning
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.render.exaggeration import ShownFactors
from pelvis3d.render.overlays.colormap import legend_title
from pelvis3d.ring import PICTURE_RING

__all__ = [
    "picture_ring",
    "shown_factors",
    "factor_words",
    "shown_statement",
    "page_legend_title",
]


def picture_ring(pose: Pose) -> str:
    """The ring model a picture draws ``pose`` with: the open chain for a symmetric pose of one
    kind of motion, :data:`pelvis3d.ring.PICTURE_RING` otherwise (as
    :meth:`pelvis3d.render.scene.PelvisScene.ring_for` with ``ring="auto"``)."""
    symmetric = pose.left_rotation == pose.right_rotation and pose.left_tilt == pose.right_tilt
    kinds = sum(
        bool(v) for v in (pose.left_rotation or pose.right_rotation, pose.left_tilt or pose.right_tilt, pose.nutation)
    )
    return "open" if symmetric and kinds <= 1 else PICTURE_RING


def shown_factors(
    pelvis: Pelvis, poses: Sequence[Pose], exaggeration: float, allow_overlap: bool = False
) -> list[float]:
    """The factor each pose is shown at: the requested ``exaggeration``, or less where more
    would put bone through bone (unless ``allow_overlap``). Pass the moving poses: a neutral
    pose is "shown" at any factor."""
    factors = ShownFactors(pelvis)
    out = []
    with warnings.catch_warnings():  # the pictures themselves warn about the poses
        warnings.simplefilter("ignore", PhysiologicalRangeWarning)
        for pose in poses:
            posed = factors.shown(pose, float(exaggeration), picture_ring(pose), allow_overlap)
            out.append(float(posed.exaggeration))
    return out


def factor_words(factor: float) -> str:
    """``x5``, ``x3.2``."""
    return f"x{factor:g}"


def shown_statement(factors: Sequence[float], requested: float, names: Sequence[str] | None = None) -> str:
    """How much the motion of a page is shown exaggerated, true for every panel.

    Parameters
    ----------
    factors : sequence of float
        The factor each (moving) panel shows.
    requested : float
        The factor asked for.
    names : sequence of str, optional
        A name per panel (e.g. ``"internal rotation"``) to say which panels show less.

    Returns
    -------
    str
        ``"motion shown x5"``; ``"motion shown x3.2 (more would overlap)"``; or, when the panels
        differ, ``"motion shown x5; internal rotation x1.2 (more would overlap)"`` with names,
        ``"motion shown up to x5 (less where more would overlap)"`` without.
    """
    factors = [float(f) for f in factors]
    if not factors:
        return "true scale (no exaggeration)"
    top = max(factors)
    if len(set(factors)) == 1:
        if top == 1.0 and requested == 1.0:
            return "true scale (no exaggeration)"
        return f"motion shown {factor_words(top)}" + (" (more would overlap)" if top < requested else "")
    if names is not None:
        less = {}
        for f, name in zip(factors, names, strict=True):
            if f < top:
                less.setdefault(f, []).append(name)
        parts = [f"{' and '.join(dict.fromkeys(n))} {factor_words(f)}" for f, n in sorted(less.items(), reverse=True)]
        return f"motion shown {factor_words(top)}; {', '.join(parts)} (more would overlap)"
    return f"motion shown up to {factor_words(top)} (less where more would overlap)"


def page_legend_title(factors: Sequence[float]) -> str:
    """The colour legend's title for a page whose coloured panels show ``factors``: the one
    factor, or "up to" the largest when the panels differ."""
    factors = sorted({float(f) for f in factors})
    if len(factors) <= 1:
        return legend_title(factors[0] if factors else 1.0)
    return f"colours: shown change (up to {factor_words(factors[-1])}); numbers: true"
