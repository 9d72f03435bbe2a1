"""Dense motions: poses sampled at many times (e.g. 60 Hz motion capture), not keyframes.

A :class:`SampledMotion` offers what pelvis3d's pictures, animations, viewer and exports use
from a keyframed :class:`~pelvis3d.motions.motion.Motion` (``name``, ``duration``,
``pose_at``, ``sample_times``, ``direction_at``, ``label_at``, the exercise fields, ``to_dict``,
``save``), so any of them plays a measured trial.

**Interpolation.** Between samples every angle follows a monotone cubic (scipy's
:class:`~scipy.interpolate.PchipInterpolator`, Fritsch & Carlson 1980): it passes exactly through
every sample, is smooth (continuous first derivative) and never overshoots the samples, so a
60 Hz trial played at another frame rate shows no invented peaks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import PoseError
from pelvis3d.kinematics import POSE_NAMES, Pose
from pelvis3d.validation import real_number

__all__ = ["SampledMotion"]


@dataclass(frozen=True, eq=False)
class SampledMotion:
    """Poses at sample times, interpolated smoothly between them.

    Parameters
    ----------
    name : str
        Short name.
    times : (n,) array-like
        Sample times (s), strictly increasing, from 0.
    angles : mapping of str to (n,) array-like
        Pose angles (:data:`pelvis3d.kinematics.POSE_NAMES`, degrees) per sample; angles not
        given are 0.
    description : str
        One line for listings and titles.
    loop : bool
        Whether the motion is meant to repeat (a measured trial usually is not).
    translation_mm : (n, 3) array-like, optional
        Whole-pelvis position (mm, world frame: X forward, Y up, Z right) per sample.
    channels : mapping of str to (n,) array-like, optional
        The source's own columns (e.g. OpenSim's ``pelvis_list`` in degrees, its names and
        signs), kept for plots and for :meth:`save`.
    start_time : float
        Time (s) in the source file of sample 0.
    coupling : float, optional
        Degrees of innominate rotation per degree of hip rotation applied (assumed), if any.
    source : Path, optional
        File the motion was read from.
    """

    name: str
    times: NDArray[np.float64]
    angles: Mapping[str, NDArray[np.float64]]
    description: str = ""
    loop: bool = False
    translation_mm: NDArray[np.float64] | None = None
    channels: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    start_time: float = 0.0
    coupling: float | None = None
    source: Path | None = None
    support: str | None = None
    key_time: float | None = None
    _table: NDArray[np.float64] = field(init=False, repr=False)
    _spline: object = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from scipy.interpolate import PchipInterpolator

        times = np.asarray(self.times, dtype=float).reshape(-1)
        if len(times) < 2:
            raise PoseError(f"motion {self.name!r} needs at least two samples, got {len(times)}")
        if not np.all(np.isfinite(times)) or times[0] != 0.0 or np.any(np.diff(times) <= 0):
            raise PoseError(f"motion {self.name!r}: sample times must start at 0 and increase strictly")
        unknown = set(self.angles) - set(POSE_NAMES)
        if unknown:
            raise PoseError(f"motion {self.name!r}: unknown angle(s) {', '.join(sorted(unknown))}")
        table = np.zeros((len(times), len(POSE_NAMES)))
        for j, name in enumerate(POSE_NAMES):
            if name in self.angles:
                column = np.asarray(self.angles[name], dtype=float).reshape(-1)
                if column.shape != times.shape or not np.all(np.isfinite(column)):
                    raise PoseError(f"motion {self.name!r}: angle {name!r} needs {len(times)} finite values")
                table[:, j] = column
        translation = None
        if self.translation_mm is not None:
            translation = np.asarray(self.translation_mm, dtype=float)
            if translation.shape != (len(times), 3):
                raise PoseError(f"motion {self.name!r}: translation_mm must be ({len(times)}, 3)")
        for name, arr in (("times", times), ("_table", table), ("translation_mm", translation)):
            if arr is not None:
                arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "angles", {n: table[:, j] for j, n in enumerate(POSE_NAMES)})
        object.__setattr__(self, "channels", {k: np.asarray(v, float) for k, v in self.channels.items()})
        object.__setattr__(self, "_spline", PchipInterpolator(times, table, axis=0, extrapolate=False))

    # ---- what every motion offers ----------------------------------------------------------
    @property
    def duration(self) -> float:
        """Length in seconds (time of the last sample)."""
        return float(self.times[-1])

    @property
    def is_exercise(self) -> bool:
        """True when the motion places the body on a floor or against a wall (never for a trial)."""
        return self.support is not None

    def label_at(self, t: float) -> str:  # noqa: ARG002 - the keyframed Motion's signature
        """Phase label at ``t``: a measured trial has none (empty text)."""
        return ""

    def _clamp(self, t: float) -> float:
        return min(max(real_number(t, "time"), 0.0), self.duration)

    def angles_at(self, t: float | Sequence[float] | NDArray) -> NDArray[np.float64]:
        """Interpolated angles (degrees) at time(s) ``t`` (s, clamped): ``(len(POSE_NAMES),)`` or ``(k, ...)``."""
        if np.ndim(t) == 0:
            return np.asarray(self._spline(self._clamp(t)))
        ts = np.clip(np.asarray(t, dtype=float), 0.0, self.duration)
        return np.asarray(self._spline(ts))

    def pose_at(self, t: float) -> Pose:
        """The pose at time ``t`` (s), clamped to the motion's span."""
        return Pose(**dict(zip(POSE_NAMES, (float(v) for v in self.angles_at(t)), strict=True)))

    def translation_at(self, t: float) -> NDArray[np.float64]:
        """Whole-pelvis position (mm, world) at ``t`` (linear between samples); zeros when unknown."""
        if self.translation_mm is None:
            return np.zeros(3)
        tc = self._clamp(t)
        return np.array([np.interp(tc, self.times, self.translation_mm[:, k]) for k in range(3)])

    def channel_at(self, name: str, t: float | NDArray) -> float | NDArray:
        """A source column (e.g. ``"pelvis_list"``, its own units) at time(s) ``t`` (linear)."""
        if name not in self.channels:
            raise PoseError(f"motion {self.name!r} has no channel {name!r}; it has: {', '.join(self.channels)}")
        return np.interp(np.clip(t, 0.0, self.duration), self.times, self.channels[name])

    def sample_times(self, frames: int) -> NDArray[np.float64]:
        """``frames`` evenly spaced times; a looping motion leaves out its end (= its start)."""
        if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 2:
            raise PoseError(f"frames must be a whole number >= 2, got {frames!r}")
        return np.linspace(0.0, self.duration, int(frames), endpoint=not self.loop)

    def direction_at(self, t: float, dt: float = 1e-3) -> dict[str, int]:
        """Which way each innominate's rotation is changing at ``t``: +1 external, -1 internal, 0."""
        a, b = self.angles_at(max(0.0, t - dt)), self.angles_at(min(self.duration, t + dt))
        out = {}
        for side in ("left", "right"):
            j = POSE_NAMES.index(f"{side}_rotation")
            d = b[j] - a[j]
            out[side] = 0 if abs(d) < 1e-9 else int(np.sign(d))
        return out

    def scaled(self, factor: float) -> SampledMotion:
        """The same motion with every angle multiplied by ``factor``."""
        f = real_number(factor, "factor")
        return SampledMotion(
            self.name, self.times, {n: v * f for n, v in self.angles.items()}, self.description, self.loop,
            self.translation_mm, self.channels, self.start_time, self.coupling, self.source,
        )  # fmt: skip

    # ---- data ------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain data (JSON-ready): name, description, loop, ``times`` (s) and the non-zero angle
        columns (degrees) under ``samples``, the translation (mm) when known."""
        data: dict = {"name": self.name, "description": self.description, "loop": self.loop}
        if self.coupling is not None:
            data["coupling"] = self.coupling
        data["times"] = [float(t) for t in self.times]
        data["samples"] = {n: [float(x) for x in v] for n, v in self.angles.items() if np.any(v != 0.0)}
        if self.translation_mm is not None:
            data["translation_mm"] = [[float(x) for x in row] for row in self.translation_mm]
        return data

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "motion") -> SampledMotion:
        """Build from :meth:`to_dict` data; errors name the field."""
        if not isinstance(data, Mapping) or "times" not in data or not isinstance(data.get("samples"), Mapping):
            raise PoseError(f"{where}: a sampled motion needs 'times' (s) and 'samples' (angle columns, deg)")
        try:
            return cls(
                str(data.get("name", "motion")),
                np.asarray(data["times"], float),
                {k: np.asarray(v, float) for k, v in data["samples"].items()},
                str(data.get("description", "")),
                bool(data.get("loop", False)),
                None if data.get("translation_mm") is None else np.asarray(data["translation_mm"], float),
                coupling=data.get("coupling"),
            )
        except (TypeError, ValueError) as exc:
            raise PoseError(f"{where}: {exc}") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the motion: ``.json`` (:meth:`to_dict`), or ``.sto`` / ``.mot`` (OpenSim storage,
        degrees, OpenSim's coordinate names and signs; see :mod:`pelvis3d.motions.opensim`)."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in (".sto", ".mot"):
            from pelvis3d.motions.opensim import write_opensim_motion

            write_opensim_motion(self, p)
        elif suffix == ".json":
            import json

            p.write_text(json.dumps(self.to_dict()) + "\n", encoding="utf-8")
        else:
            raise PoseError(f"sampled motion file {p} must end in .json, .sto or .mot")

    def __repr__(self) -> str:
        return f"SampledMotion({self.name!r}, {len(self.times)} samples, {self.duration:g} s)"
