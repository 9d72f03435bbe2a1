"""The phase indicator of an animation ("ER · neutral · IR", the current phase in bold) and
the phase of each frame, from the motion's keyframes.

A frame is *neutral* when its pose is within :data:`NEUTRAL_FRACTION` of the motion's peak
of neutral; the animation then shows no arrows (nothing is being pushed yet).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pelvis3d.kinematics import Pose
from pelvis3d.motions.motion import Motion
from pelvis3d.render.drawing import rgb

__all__ = ["NEUTRAL_FRACTION", "phase_name", "motion_phases", "PhaseIndicator"]

#: Height of the phase row (normalised, from the bottom): under the ghost's legend line (0.865).
PHASE_ROW_Y = 0.82

#: A frame whose largest angle is below this fraction of the motion's largest angle counts
#: as neutral (assumed: a quarter of the peak reads as "at rest" in a 1-2 deg motion shown x5).
NEUTRAL_FRACTION = 0.25

_ACTIVE, _IDLE = "#111827", "#9ca3af"


def phase_name(pose: Pose) -> str:
    """A short name for a keyframe pose: ``neutral``, ``ER``, ``IR``, ``left ER``, ``anterior``..."""
    if pose.is_neutral():
        return "neutral"
    a = pose.as_dict()
    lr, rr = a["left_rotation"], a["right_rotation"]
    if lr or rr:
        kind = "ER" if (lr + rr) > 0 else "IR"
        if lr and rr:
            return kind
        return f"{'left' if lr else 'right'} {kind}"
    lt, rt = a["left_tilt"], a["right_tilt"]
    if lt or rt:
        kind = "anterior" if (lt + rt) > 0 else "posterior"
        return kind if (lt and rt) else f"{'left' if lt else 'right'} {kind}"
    if a["nutation"]:
        return "nutation" if a["nutation"] > 0 else "counternutation"
    for name, plus, minus in (
        ("pelvis_tilt", "tilt forward", "tilt back"),
        ("pelvis_obliquity", "right up", "right down"),
        ("pelvis_rotation", "turn left", "turn right"),
    ):
        if a[name]:
            return plus if a[name] > 0 else minus
    return "moved"


def _size_of(pose: Pose) -> float:
    return float(max(abs(v) for v in pose.as_dict().values()))


def motion_phases(motion: Motion, times: Sequence[float]) -> tuple[tuple[str, ...], list[int]]:
    """The phase names of ``motion`` and the active phase of each time in ``times`` (s).

    Names come from the keyframes (their ``label`` when given, else :func:`phase_name`), once
    each; ``neutral`` sits between the first two other phases (``ER · neutral · IR``). A time
    is in the neutral phase when its pose is near neutral (:data:`NEUTRAL_FRACTION` of the
    peak), else in the phase of the nearest keyframe in time that is not neutral.
    """
    if not hasattr(motion, "keyframes"):  # a dense, measured motion has no phases to name
        return (), [-1] * len(times)
    keys = [(k.time, k.label or phase_name(k.pose)) for k in motion.keyframes]
    names: list[str] = []
    for _, n in keys:
        if n not in names:
            names.append(n)
    if names and names[0] == "neutral" and len(names) >= 3:
        names.insert(1, names.pop(0))
    peak = max(_size_of(k.pose) for k in motion.keyframes) or 1.0
    moving = [(t, n) for (t, n), k in zip(keys, motion.keyframes, strict=True) if not k.pose.is_neutral()]
    active = []
    for t in times:
        pose = motion.pose_at(float(t))
        if "neutral" in names and (_size_of(pose) < NEUTRAL_FRACTION * peak or not moving):
            active.append(names.index("neutral"))
            continue
        nearest = min(moving, key=lambda tn: abs(tn[0] - float(t))) if moving else keys[0]
        active.append(names.index(nearest[1]))
    return tuple(names), active


class PhaseIndicator:
    """Phase words in a row under the title; the current one dark and bold, the others grey.

    Parameters
    ----------
    scene : PelvisScene
        The scene to draw in (its public :meth:`~PelvisScene.add_text`).
    names : sequence of str
        The phases, in the order shown.
    """

    def __init__(self, scene, names: Sequence[str]) -> None:
        self.scene = scene
        self.names = tuple(names)
        scene.text_ceiling = PHASE_ROW_Y  # labels stay under the phase row
        self.words = [scene.add_text(n, (0.5, PHASE_ROW_Y), size=15, justify="left", colour=_IDLE) for n in self.names]
        self.dots = [scene.add_text("·", (0.5, PHASE_ROW_Y), size=15, colour=_IDLE) for _ in self.names[1:]]
        self._place()

    def _place(self) -> None:
        """Centre the row: measure each word (bold, the widest state) and lay them out."""
        ren = self.scene.plotter.renderer
        width, height = self.scene.size
        for w in self.words:
            w.GetTextProperty().SetBold(True)
        size = np.zeros(2)
        widths = []
        for actor in self.words:
            actor.GetSize(ren, size)
            widths.append(float(size[0]))
        self.dots[0].GetSize(ren, size) if self.dots else None
        dot = float(size[0]) if self.dots else 0.0
        gap = 0.6 * self.words[0].GetTextProperty().GetFontSize()
        total = sum(widths) + len(self.dots) * (dot + 2 * gap)
        x = (width - total) / 2
        for i, actor in enumerate(self.words):
            actor.GetPositionCoordinate().SetValue(x / width, PHASE_ROW_Y)
            x += widths[i]
            if i < len(self.dots):
                self.dots[i].GetPositionCoordinate().SetValue((x + gap) / width, PHASE_ROW_Y)
                x += dot + 2 * gap
        for w in self.words:
            w.GetTextProperty().SetBold(False)

    def show(self, active: int | None) -> None:
        """Highlight phase ``active`` (an index into :attr:`names`; ``None`` highlights none)."""
        for i, actor in enumerate(self.words):
            prop = actor.GetTextProperty()
            on = i == active
            prop.SetBold(on)
            prop.SetColor(*rgb(_ACTIVE if on else _IDLE))
