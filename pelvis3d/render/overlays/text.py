"""The text overlays: measurements (true and shown), the caption (exaggeration statement), and
the orientation markers (L/R, anterior/posterior). Also the text they print."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pelvis3d.model import PosedPelvis
from pelvis3d.render.overlays import Overlay

__all__ = [
    "CaptionOverlay",
    "MeasurementsOverlay",
    "OrientationOverlay",
    "caption_text",
    "describe_pose",
    "format_angle",
    "measurement_text",
    "signed",
]


def format_angle(v: float) -> str:
    """``+1.0°``, ``-0.5°`` or ``0°``."""
    return f"{v:+.1f}\u00b0" if v else "0\u00b0"


def signed(value: float, digits: int) -> str:
    """``value`` with its sign, never "-0.0" (a change that rounds to zero is "+0.0")."""
    rounded = round(value, digits)
    return f"{(rounded if rounded != 0 else 0.0):+.{digits}f}"


def measurement_text(posed: PosedPelvis) -> str:
    """The measurements block: true metrics and angles, and what the exaggerated picture shows."""
    m, s = posed.metrics, posed.shown_metrics
    x = posed.exaggeration
    p = posed.pose
    posture = [
        f"{label} {format_angle(getattr(p, name))}"
        for name, label in (("pelvis_tilt", "tilt"), ("pelvis_obliquity", "obliquity"), ("pelvis_rotation", "rotation"))
        if getattr(p, name)
    ]
    if p.pelvis_angles() == {n: 0.0 for n in p.pelvis_angles()}:
        return (
            f"neutral: pubic gap {m.pubic_gap_mm:.1f} mm, "
            f"SI space L {m.si_space_mm['left']:.1f} mm R {m.si_space_mm['right']:.1f} mm"
        )
    lines = [
        f"pubic gap {m.pubic_gap_mm:.1f} mm ({signed(m.pubic_gap_change_mm, 1)})"
        + (" - contact" if m.pubic_contact else ""),
        f"SI space, back half: L {m.si_posterior_space_mm['left']:.2f} mm ({signed(m.si_posterior_change_mm['left'], 2)})  "
        f"R {m.si_posterior_space_mm['right']:.2f} mm ({signed(m.si_posterior_change_mm['right'], 2)})",
        f"rotation L {format_angle(p.left_rotation)}  R {format_angle(p.right_rotation)}"
        + (
            f"   tilt L {format_angle(p.left_tilt)} R {format_angle(p.right_tilt)}"
            if p.left_tilt or p.right_tilt
            else ""
        )
        + (f"   nutation {format_angle(p.nutation)}" if p.nutation else ""),
    ]
    if posture:
        lines.append("whole pelvis: " + ", ".join(posture))
    if x != 1.0:
        lines.insert(0, "true motion:")
        gap = "in contact" if s.pubic_contact else f"{s.pubic_gap_mm:.1f} mm"
        lines.append(
            f"shown (x{x:g}): pubic gap {gap}, rotation L {format_angle(posed.shown_pose.left_rotation)} "
            f"R {format_angle(posed.shown_pose.right_rotation)}"
        )
    notes = []
    if s.pubic_contact:
        notes.append("pubic bones would touch")
    if any(s.si_contact.values()):
        notes.append("SI joint surfaces would touch")
    if notes:
        lines.append("shown pose: " + "; ".join(notes))
    return "\n".join(lines)


def _degrees(v: float) -> str:
    return f"{abs(v):.3g}\u00b0"


def describe_pose(pose) -> str:
    """The pose in words, e.g. ``external rotation 1° each side``, ``whole pelvis tilted 20°
    anteriorly`` (the sign conventions of :class:`pelvis3d.Pose`); ``neutral`` for none."""
    p = pose
    parts: list[str] = []

    def paired(left: float, right: float, positive: str, negative: str) -> None:
        if left == right and left:
            parts.append(f"{positive if left > 0 else negative} {_degrees(left)} each side")
            return
        for side, v in (("left", left), ("right", right)):
            if v:
                parts.append(f"{side} {positive if v > 0 else negative} {_degrees(v)}")

    paired(p.left_rotation, p.right_rotation, "external rotation", "internal rotation")
    paired(p.left_tilt, p.right_tilt, "anterior innominate rotation", "posterior innominate rotation")
    if p.nutation:
        parts.append(f"{'nutation' if p.nutation > 0 else 'counternutation'} {_degrees(p.nutation)}")
    if p.pelvis_tilt:
        parts.append(
            f"whole pelvis tilted {_degrees(p.pelvis_tilt)} {'anteriorly' if p.pelvis_tilt > 0 else 'posteriorly'}"
        )
    if p.pelvis_obliquity:
        side = "right" if p.pelvis_obliquity > 0 else "left"
        parts.append(f"{side} side of the pelvis raised {_degrees(p.pelvis_obliquity)}")
    if p.pelvis_rotation:
        side = "left" if p.pelvis_rotation > 0 else "right"
        parts.append(f"pelvis turned {_degrees(p.pelvis_rotation)} to the {side}")
    return ", ".join(parts) if parts else "neutral"


def caption_text(posed: PosedPelvis, requested: float | None = None) -> str:
    """The exaggeration statement of a picture; ``requested`` is the factor asked for when the
    scene showed less so that no bone passes through bone."""
    if requested is not None and posed.exaggeration < requested:
        return f"motion exaggerated x{posed.exaggeration:g} - more would overlap"
    if posed.exaggeration != 1.0:
        return f"motion exaggerated x{posed.exaggeration:g}"
    return "true scale (no exaggeration)"


class MeasurementsOverlay(Overlay):
    """The measurements block at the bottom left."""

    name = "measurements"

    def __init__(self, scene, lift: float) -> None:
        super().__init__(scene)
        self.actor = scene.add_text("", (0.015, 0.015 + lift), size=13)

    def actors(self) -> list:
        return [self.actor]

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        self.actor.SetInput(measurement_text(posed))


class CaptionOverlay(Overlay):
    """The exaggeration statement at the bottom right.

    Built in every scene: switched off (``requested=False``) it still states an exaggeration
    whenever the shown pose differs from the true one, and only drops "true scale".
    """

    name = "caption"

    def __init__(self, scene, lift: float, requested: bool = True) -> None:
        super().__init__(scene)
        self.requested = requested
        self.lift = lift
        self.actor = scene.add_text("", (0.985, 0.015 + lift), size=13, justify="right")
        self.view_changed()

    def view_changed(self) -> None:
        # a narrow picture (e.g. an exercise's pelvis inset) has no room beside the measurements
        # at the bottom: the statement goes to the top right, under the orientation mark
        w, h = self.scene.size
        narrow = w < 1.25 * h and self.scene.overlays.measurements
        self.actor.GetPositionCoordinate().SetValue(0.985, 0.83 if narrow else 0.015 + self.lift)

    def actors(self) -> list:
        return [self.actor]

    def set_visible(self, on: bool) -> None:
        self.requested = bool(on)  # the statement itself never hides

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        differs = posed.exaggeration != 1.0 and posed.shown_pose != posed.pose
        shown = self.requested or differs
        self.actor.SetInput(caption_text(posed, self.scene.exaggeration) if shown else "")


class OrientationOverlay(Overlay):
    """``L``/``R`` in the top corners (the patient's sides) and ``anterior``/``posterior`` at the top."""

    name = "orientation"

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.marks = [
            scene.add_text("", (0.02, 0.9), size=22, bold=True),
            scene.add_text("", (0.98, 0.9), size=22, justify="right", bold=True),
            scene.add_text("", (0.5, 0.9), size=12, justify="centre", colour="#6b7280"),
        ]

    def actors(self) -> list:
        return list(self.marks)

    def view_changed(self) -> None:
        direction, up = self.scene.camera_vectors()
        right = np.cross(-direction, up)
        left_mark, right_mark, top_mark = self.marks
        patient_right = right[2]  # image-right component of the patient's right (+Z)
        if abs(patient_right) > 0.5:
            left_mark.SetInput("L" if patient_right > 0 else "R")
            right_mark.SetInput("R" if patient_right > 0 else "L")
        else:
            left_mark.SetInput("")
            right_mark.SetInput("")
        top = up[0]
        top_mark.SetInput("anterior" if top > 0.7 else ("posterior" if top < -0.7 else ""))
