"""Motions as data: keyframes with easing (:mod:`~pelvis3d.motions.motion`), the named motions,
and the article's exercises (:mod:`~pelvis3d.motions.exercises`). Core: no pyvista."""

from __future__ import annotations

from pelvis3d.motions.motion import EASINGS, MOTIONS, Keyframe, Motion, get_motion
from pelvis3d.motions.sampled import SampledMotion

__all__ = ["EASINGS", "MOTIONS", "Keyframe", "Motion", "SampledMotion", "get_motion"]
