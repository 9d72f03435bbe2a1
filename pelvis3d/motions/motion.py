"""Motions: keyframed poses with easing, and the named motions that ship with pelvis3d.

A motion is data: keyframes ``(time in s, Pose)`` and, per segment, an easing
(``linear``, ``ease-in-out`` or ``hold``). ``motion.pose_at(t)`` interpolates every DOF
(degrees); sampling ``frames`` evenly over a looping motion skips the last keyframe, so a
loop that ends where it starts plays seamlessly.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from pelvis3d.errors import Pelvis3dError, PoseError, PoseTypeError
from pelvis3d.kinematics import POSE_NAMES, Pose
from pelvis3d.motions.sampled import SampledMotion
from pelvis3d.validation import check_frames, known_name, real_number

__all__ = ["EASINGS", "SUPPORTS", "Keyframe", "Motion", "MOTIONS", "get_motion"]

EASINGS = ("linear", "ease-in-out", "hold")


def _ease(kind: str, u: float) -> float:
    if kind == "linear":
        return u
    if kind == "ease-in-out":
        return 0.5 - 0.5 * math.cos(math.pi * u)
    return 0.0  # hold: keep the segment's first pose until the next keyframe


SUPPORTS = ("floor", "wall")


@dataclass(frozen=True)
class Keyframe:
    """A pose at a time (s); ``easing`` shapes the segment that starts here; ``label`` names the
    phase that starts here (e.g. "lift the knee, hold 5 s"), shown on pictures until the next label."""

    time: float
    pose: Pose
    easing: str = "ease-in-out"
    label: str = ""


@dataclass(frozen=True)
class Motion:
    """Keyframed poses.

    Parameters
    ----------
    name : str
        Short name.
    keyframes : sequence of Keyframe
        At least two, times strictly increasing from 0 (s).
    description : str
        One line for listings.
    loop : bool
        Whether the motion is meant to repeat (its last pose should equal its first).
    support : {"floor", "wall"} or None
        For an exercise: the floor or wall the body rests on or touches, drawn where the
        bones reach (:func:`pelvis3d.motions.exercises.support_plane`).
    key_time : float or None
        For an exercise: the time (s) of its key position, drawn by still pictures.
    coupling : float or None
        For an exercise: degrees of innominate rotation per degree of hip rotation that its
        keyframes were built with (informational; pictures say it is assumed).
    """

    name: str
    keyframes: tuple[Keyframe, ...]
    description: str = ""
    loop: bool = True
    support: str | None = None
    key_time: float | None = None
    coupling: float | None = None
    _times: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kfs = tuple(self.keyframes)
        if len(kfs) < 2:
            raise PoseError(f"motion {self.name!r} needs at least two keyframes")
        for k in kfs:
            if not isinstance(k, Keyframe):
                raise PoseTypeError(f"motion {self.name!r}: keyframes must be Keyframe objects, got {type(k).__name__}")
            known_name(k.easing, EASINGS, "easing")
        times = np.array([real_number(k.time, "keyframe time") for k in kfs])
        if times[0] != 0.0 or np.any(np.diff(times) <= 0):
            raise PoseError(f"motion {self.name!r}: keyframe times must start at 0 and increase, got {times.tolist()}")
        object.__setattr__(self, "keyframes", kfs)
        object.__setattr__(self, "_times", times)
        if self.support is not None:
            known_name(self.support, SUPPORTS, "support")
        if self.key_time is not None:
            key = real_number(self.key_time, "key_time")
            if not 0.0 <= key <= times[-1]:
                raise PoseError(f"motion {self.name!r}: key_time={key:g} s is outside the motion [0, {times[-1]:g}] s")
        if self.coupling is not None:
            real_number(self.coupling, "coupling")

    @property
    def is_exercise(self) -> bool:
        """True when the motion places a body on a floor or against a wall."""
        return self.support is not None

    def label_at(self, t: float) -> str:
        """The phase label in force at ``t`` (s): the last non-empty label at or before ``t``."""
        label = ""
        for k in self.keyframes:
            if k.time > t + 1e-9:
                break
            label = k.label or label
        return label

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return float(self._times[-1])

    def pose_at(self, t: float) -> Pose:
        """The pose at time ``t`` (s), clamped to the motion's span."""
        t = min(max(real_number(t, "time"), 0.0), self.duration)
        i = int(np.searchsorted(self._times, t, side="right") - 1)
        if i >= len(self.keyframes) - 1:
            return self.keyframes[-1].pose
        a, b = self.keyframes[i], self.keyframes[i + 1]
        u = _ease(a.easing, (t - a.time) / (b.time - a.time))
        if u == 0.0:
            return a.pose
        pa, pb = a.pose.as_dict(), b.pose.as_dict()
        # to 1e-9 deg: a pose reached again (out and back) is then exactly the same pose, so
        # what was computed for it (shown factor, metrics, joint sections) is found again
        return Pose(**{n: round(pa[n] + (pb[n] - pa[n]) * u, 9) for n in POSE_NAMES})

    def sample_times(self, frames: int) -> np.ndarray:
        """``frames`` evenly spaced times; a looping motion leaves out its end (= its start)."""
        return np.linspace(0.0, self.duration, check_frames(frames), endpoint=not self.loop)

    def direction_at(self, t: float, dt: float = 1e-3) -> dict[str, int]:
        """Which way each innominate's rotation is changing at ``t``: +1 external, -1 internal, 0."""
        a, b = self.pose_at(max(0.0, t - dt)), self.pose_at(min(self.duration, t + dt))
        out = {}
        for side in ("left", "right"):
            d = getattr(b, f"{side}_rotation") - getattr(a, f"{side}_rotation")
            out[side] = 0 if abs(d) < 1e-9 else int(np.sign(d))
        return out

    def to_dict(self) -> dict:
        """Plain data (JSON/TOML-ready): name, description, loop, the exercise fields that are set,
        keyframes with non-zero angles (and labels where given)."""
        data: dict = {"name": self.name, "description": self.description, "loop": self.loop}
        for key in ("support", "key_time", "coupling"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        frames = []
        for k in self.keyframes:
            frame = {"time": k.time, "easing": k.easing}
            if k.label:
                frame["label"] = k.label
            frame["pose"] = {n: v for n, v in k.pose.as_dict().items() if v != 0.0}
            frames.append(frame)
        data["keyframes"] = frames
        return data

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "motion") -> Motion:
        """Build from :meth:`to_dict` data; errors name the field."""
        if not isinstance(data, Mapping):
            raise PoseError(f"{where}: a motion must be a table with keyframes")
        frames = data.get("keyframes")
        if not isinstance(frames, Sequence) or isinstance(frames, (str, bytes)):
            raise PoseError(f"{where}: field 'keyframes' must be a list of {{time, pose, easing}} tables")
        kfs = []
        for i, k in enumerate(frames):
            if not isinstance(k, Mapping) or "time" not in k:
                raise PoseError(f"{where}: keyframes[{i}] needs a 'time' (s)")
            try:
                pose = Pose.from_dict(k.get("pose", {}))
            except Pelvis3dError as exc:
                raise PoseError(f"{where}: keyframes[{i}].pose: {exc}") from None
            easing = k.get("easing", "ease-in-out")
            if easing not in EASINGS:
                raise PoseError(f"{where}: keyframes[{i}].easing {easing!r} is not one of {', '.join(EASINGS)}")
            label = k.get("label", "")
            if not isinstance(label, str):
                raise PoseError(f"{where}: keyframes[{i}].label must be text")
            kfs.append(Keyframe(real_number(k["time"], f"keyframes[{i}].time"), pose, easing, label))
        support = data.get("support")
        if support is not None and support not in SUPPORTS:
            raise PoseError(f"{where}: field 'support' {support!r} is not one of {', '.join(SUPPORTS)}")
        optional = {
            key: real_number(data[key], f"{where}: {key}")
            for key in ("key_time", "coupling")
            if data.get(key) is not None
        }
        return cls(
            str(data.get("name", "motion")),
            tuple(kfs),
            str(data.get("description", "")),
            bool(data.get("loop", True)),
            support=support,
            **optional,
        )

    def save(self, path) -> None:
        """Write the motion as ``.json`` or ``.toml``."""
        from pathlib import Path

        p = Path(path)
        if p.suffix.lower() == ".json":
            import json

            text = json.dumps(self.to_dict(), indent=1)
        elif p.suffix.lower() == ".toml":
            import tomli_w

            text = tomli_w.dumps(self.to_dict())
        else:
            raise PoseError(f"motion file {p} must end in .json or .toml")
        p.write_text(text + "\n", encoding="utf-8")

    @classmethod
    def from_opensim(cls, path, **options) -> SampledMotion:
        """Read an OpenSim motion (``.mot`` / ``.sto``) as a dense motion; ``options``: see
        :func:`pelvis3d.motions.opensim.motion_from_opensim`."""
        from pelvis3d.motions.opensim import motion_from_opensim

        return motion_from_opensim(path, **options)

    @classmethod
    def load(cls, path) -> Motion | SampledMotion:
        """Read a motion file: ``.json`` or ``.toml`` (keyframes), ``.mot`` or ``.sto`` (OpenSim,
        read as a :class:`~pelvis3d.motions.sampled.SampledMotion`)."""
        from pathlib import Path

        p = Path(path)
        if p.suffix.lower() in (".mot", ".sto"):
            return cls.from_opensim(p)
        if not p.is_file():
            raise PoseError(f"motion file {p} does not exist")
        try:
            if p.suffix.lower() == ".json":
                import json

                data = json.loads(p.read_text(encoding="utf-8"))
            elif p.suffix.lower() == ".toml":
                try:
                    import tomllib
                except ModuleNotFoundError:  # Python 3.10
                    import tomli as tomllib  # type: ignore[no-redef]
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            else:
                raise PoseError(f"motion file {p} must end in .json or .toml")
        except PoseError:
            raise
        except Exception as exc:
            raise PoseError(f"motion file {p} could not be read: {exc}") from None
        if isinstance(data, Mapping) and "samples" in data:  # written by SampledMotion.save
            return SampledMotion.from_dict(data, where=str(p))
        return cls.from_dict(data, where=str(p))

    def scaled(self, factor: float) -> Motion:
        """The same motion with every angle multiplied by ``factor``."""
        kfs = tuple(
            Keyframe(k.time, Pose(**{n: v * factor for n, v in k.pose.as_dict().items()}), k.easing, k.label)
            for k in self.keyframes
        )
        return replace(self, keyframes=kfs)


def _cycle(name: str, description: str, peaks: Sequence[Pose], step: float = 1.0) -> Motion:
    """Neutral -> peak -> neutral (-> next peak -> neutral ...), eased, looping."""
    kfs = [Keyframe(0.0, Pose())]
    t = 0.0
    for peak in peaks:
        kfs.append(Keyframe(t + step, peak))
        kfs.append(Keyframe(t + 2 * step, Pose()))
        t += 2 * step
    return Motion(name, tuple(kfs), description, loop=True)


#: Default true amplitude of the named motions (degrees per side). Half a degree per side: symmetric rotation of the built-in pelvis stays inside the published
#: symphysis tolerance (<= 1 deg of rotation, Becker et al. 2010: +-0.49..0.5 deg, see
#: ``pelvis3d list dofs``), so the named motions, the article figure and the metrics table show
#: physiological motion (pictures exaggerate it and say so).
DEFAULT_AMPLITUDE_DEG = 0.5


def _named(amplitude: float = DEFAULT_AMPLITUDE_DEG) -> dict[str, Motion]:
    a = amplitude
    extra = [
        _cycle(
            "anterior-innominate-rotation", f"both innominates rotate anteriorly by {a:g}° and back", [Pose(tilt=a)]
        ),
        _cycle(
            "posterior-innominate-rotation",
            f"both innominates rotate posteriorly by {a:g}° and back",
            [Pose(tilt=-a)],
        ),
        _cycle(
            "nutation-counternutation",
            f"sacral nutation {a:g}°, neutral, counternutation {a:g}°",
            [Pose(nutation=a), Pose(nutation=-a)],
        ),
        _cycle(
            "pelvis-tilt",
            "whole pelvis tilts anteriorly 10° and posteriorly 10°",
            [Pose(pelvis_tilt=10), Pose(pelvis_tilt=-10)],
        ),
        _cycle(
            "pelvis-obliquity",
            "whole pelvis: right side up 8°, then down 8°",
            [Pose(pelvis_obliquity=8), Pose(pelvis_obliquity=-8)],
        ),
        _cycle(
            "pelvis-rotation",
            "whole pelvis turns 15° to the left, then to the right",
            [Pose(pelvis_rotation=15), Pose(pelvis_rotation=-15)],
        ),
    ]
    motions = [
        _cycle("external-rotation", f"both innominates rotate externally by {a:g}° and back", [Pose(rotation=a)]),
        _cycle("internal-rotation", f"both innominates rotate internally by {a:g}° and back", [Pose(rotation=-a)]),
        _cycle(
            "er-ir-cycle",
            f"external then internal rotation, {a:g}° each side",
            [Pose(rotation=a), Pose(rotation=-a)],
        ),
        _cycle(
            "left-external-rotation",
            f"left innominate rotates externally by {a:g}° and back",
            [Pose(left_rotation=a)],
        ),
        _cycle(
            "right-external-rotation",
            f"right innominate rotates externally by {a:g}° and back",
            [Pose(right_rotation=a)],
        ),
        _cycle(
            "left-internal-rotation",
            f"left innominate rotates internally by {a:g}° and back",
            [Pose(left_rotation=-a)],
        ),
        _cycle(
            "right-internal-rotation",
            f"right innominate rotates internally by {a:g}° and back",
            [Pose(right_rotation=-a)],
        ),
        _cycle(
            "left-er-ir-cycle",
            f"left side only: external then internal rotation, {a:g}°",
            [Pose(left_rotation=a), Pose(left_rotation=-a)],
        ),
    ]
    return {m.name: m for m in [*motions, *extra]}


#: Named motions shipped with pelvis3d (true angles; exaggerate for display).
MOTIONS: Mapping[str, Motion] = _named()


def get_motion(motion: Motion | SampledMotion | str, amplitude: float | None = None) -> Motion | SampledMotion:
    """A motion by name (see :data:`MOTIONS`; an exercise's name works too), a motion file
    (``.json``/``.toml``, or OpenSim's ``.mot``/``.sto``) or as given; ``amplitude`` (deg)
    rescales a named one."""
    if isinstance(motion, (Motion, SampledMotion)):
        return motion
    if isinstance(motion, os.PathLike):
        motion = os.fspath(motion)
    if isinstance(motion, str) and motion.lower().endswith((".json", ".toml", ".mot", ".sto")):
        return Motion.load(motion)
    if not isinstance(motion, str):
        raise PoseTypeError(f"motion must be a name, a motion file or a pelvis3d Motion, got {type(motion).__name__}")
    # the exercises are motions built on this module: looked up here, imported when asked for
    from pelvis3d.motions.exercises import EXERCISES

    name = known_name(motion, [*MOTIONS, *EXERCISES], "motion")
    if name in EXERCISES:
        return EXERCISES[name]
    if amplitude is None:
        return MOTIONS[name]
    amp = real_number(amplitude, "amplitude")
    return _named(amp)[name]
