"""OpenSim motions: read (and write) OpenSim storage files (``.mot``, ``.sto``) as dense motions.

**The format** (OpenSim's ``Storage`` text files: inverse-kinematics ``.mot`` results, states and
CMC/RRA ``.sto`` results): a header of free lines and ``key=value`` lines ended by a line
``endheader``; then a line of column labels (tab-separated; ``time`` first by convention) and one
row of numbers per sample. ``inDegrees=yes|no`` says the unit of the rotational coordinates;
translations are metres (S.I.). Without an ``inDegrees`` line OpenSim takes radians, and so does
pelvis3d, unless angles beyond 2 pi show the file can only be degrees (old SIMM ``.mot`` files):
those are read as degrees, with a ``UserWarning`` that says so.
Columns may come in any order; a label may be a coordinate name (``pelvis_tilt``) or a state path
(``/jointset/ground_pelvis/pelvis_tilt/value``); columns pelvis3d does not use are ignored.

**Whole-pelvis orientation, converted exactly.** OpenSim's ``ground_pelvis`` joint (Gait2392,
Hamner 2010, Rajagopal 2015 ...) turns the pelvis by ``pelvis_tilt`` about Z, then
``pelvis_list`` about X, then ``pelvis_rotation`` about Y, body-fixed:
``R = Rz(tilt) Rx(list) Ry(rotation)``. pelvis3d composes ``pelvis_rotation`` about Y, then
``pelvis_obliquity`` about -X, then ``pelvis_tilt`` about -Z (:mod:`pelvis3d.kinematics`). Both
frames are X anterior, Y up, Z right, so pelvis3d's angles are the Y-X-Z decomposition of the same
matrix (:func:`pelvis_angles_from_opensim`): the rotation is identical, not approximately renamed.
Signs: OpenSim's positive ``pelvis_tilt`` is a posterior tilt, pelvis3d's an anterior one.

**Legs.** ``hip_flexion``, ``hip_adduction``, ``hip_rotation`` and ``knee_angle`` (``_l``/``_r``)
are pelvis3d's own leg angles (OpenSim's names and signs, :mod:`pelvis3d.legs`) and pass
unchanged, except for a knee column that can only be flexion-positive (values above 20 deg: the
Rajagopal 2015 and Arnold 2010 models count knee flexion positive, Gait2392 and Hamner 2010
negative), which is negated into pelvis3d's sign and said in the motion's description.

**The pelvic ring** does not appear in OpenSim motions. ``coupling`` (deg of innominate external
rotation per deg of hip external rotation, assumed; see
:data:`pelvis3d.motions.exercises.DEFAULT_COUPLING`) lets each innominate follow its hip.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import PoseError
from pelvis3d.kinematics import LEG_DOF_NAMES
from pelvis3d.motions.sampled import SampledMotion
from pelvis3d.validation import real_number

__all__ = [
    "MOTION_SUFFIXES",
    "StorageTable",
    "read_storage",
    "opensim_pelvis_matrix",
    "pelvis_angles_from_opensim",
    "opensim_from_pelvis_angles",
    "motion_from_opensim",
    "write_opensim_motion",
    "PELVIS_COORDINATES",
    "PELVIS_TRANSLATIONS",
]

#: File suffixes read as OpenSim storage files.
MOTION_SUFFIXES = (".mot", ".sto")
#: OpenSim's ground-pelvis rotational coordinates, in the joint's order (Z, X, Y body-fixed).
PELVIS_COORDINATES = ("pelvis_tilt", "pelvis_list", "pelvis_rotation")
#: OpenSim's ground-pelvis translations (metres in files, ground frame).
PELVIS_TRANSLATIONS = ("pelvis_tx", "pelvis_ty", "pelvis_tz")
_ROTATIONAL = PELVIS_COORDINATES + LEG_DOF_NAMES
_USED = _ROTATIONAL + PELVIS_TRANSLATIONS
_KNEE_FLEXION_POSITIVE_DEG = 20.0  # no knee hyperextends this far: such a column counts flexion positive


@dataclass(frozen=True)
class StorageTable:
    """An OpenSim storage file as read: header, column labels and numbers.

    Attributes
    ----------
    path : Path
        The file.
    header : dict of str to str
        The header's ``key=value`` lines (keys as written).
    labels : tuple of str
        Column labels, as written.
    data : (n, len(labels)) ndarray
        The numbers, in the file's units.
    in_degrees : bool
        Whether rotational coordinates are in degrees.
    first_data_line : int
        1-based line number of the first data row.
    """

    path: Path
    header: dict
    labels: tuple[str, ...]
    data: NDArray[np.float64]
    in_degrees: bool
    first_data_line: int

    def column(self, label: str) -> NDArray[np.float64]:
        """One column by its label as written."""
        return self.data[:, self.labels.index(label)]


def _units_flag(value: str, path: Path, line: int) -> bool:
    word = value.strip().lower()
    if word in ("yes", "true", "1"):
        return True
    if word in ("no", "false", "0"):
        return False
    raise PoseError(f"{path} line {line}: inDegrees={value.strip()!r} is not a units flag; allowed: yes, no")


def read_storage(path: str | os.PathLike[str]) -> StorageTable:
    """Read an OpenSim storage file (``.mot`` / ``.sto``).

    Raises
    ------
    PoseError
        One line naming the file, the line and the column: no ``endheader``, a bad ``inDegrees``
        flag, no ``time`` column, a row with too few or too many cells, a cell that is not a
        number, times that do not increase.
    """
    p = Path(path)
    if not p.is_file():
        raise PoseError(f"motion file {p} does not exist")
    try:
        lines = p.read_text(encoding="utf-8-sig", errors="strict").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise PoseError(f"motion file {p} could not be read as text: {exc}") from None
    header: dict[str, str] = {}
    in_degrees: bool | None = None
    end = None
    for i, line in enumerate(lines):
        text = line.strip()
        if text.lower() == "endheader":
            end = i
            break
        if "=" in text:
            key, _, value = text.partition("=")
            header[key.strip()] = value.strip()
            if key.strip().lower() == "indegrees":
                in_degrees = _units_flag(value, p, i + 1)
    if end is None:
        raise PoseError(
            f"{p} line {len(lines)}: no 'endheader' line; an OpenSim storage file has a header ended by "
            "'endheader', then the column labels and the rows"
        )
    i = end + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        raise PoseError(f"{p} line {end + 2}: no column labels after 'endheader'")
    label_line = lines[i]
    labels = tuple(s.strip() for s in (label_line.split("\t") if "\t" in label_line else label_line.split()))
    labels = tuple(s for s in labels if s)
    if not labels or labels[0].lower() != "time":
        where = f"column 1 is {labels[0]!r}" if labels else "the line is empty"
        raise PoseError(f"{p} line {i + 1}: no 'time' column ({where}); the first column must be 'time'")
    rows = []
    first = i + 2
    for n, line in enumerate(lines[i + 1 :], start=i + 2):
        cells = line.split()
        if not cells:
            continue
        if len(cells) != len(labels):
            raise PoseError(
                f"{p} line {n}: {len(cells)} cells where the labels name {len(labels)} columns "
                f"(time, ..., {labels[-1]})"
            )
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            for k, c in enumerate(cells):
                try:
                    float(c)
                except ValueError:
                    raise PoseError(f"{p} line {n}, column {k + 1} ({labels[k]!r}): {c!r} is not a number") from None
    if len(rows) < 2:
        raise PoseError(f"{p} line {first}: a motion needs at least two rows of samples, found {len(rows)}")
    data = np.array(rows, dtype=float)
    bad = np.argwhere(~np.isfinite(data))
    if len(bad):
        r, k = bad[0]
        raise PoseError(f"{p}: row {r + 1}, column {k + 1} ({labels[k]!r}) is not a finite number")
    steps = np.diff(data[:, 0])
    if np.any(steps <= 0):
        r = int(np.argmax(steps <= 0)) + 1
        raise PoseError(
            f"{p}: row {r + 1}, column 1 ('time'): times must increase ({data[r - 1, 0]:g} then {data[r, 0]:g} s)"
        )
    if in_degrees is None:
        in_degrees = False  # OpenSim's rule: without the flag, radians
        angle_cols = [k for k, lab in enumerate(labels) if _coordinate_name(lab) in _ROTATIONAL]
        if angle_cols and np.abs(data[:, angle_cols]).max() > 2 * math.pi:
            in_degrees = True
            warnings.warn(f"{p}: no inDegrees line and angles beyond 2 pi: read as degrees", UserWarning, stacklevel=2)
    return StorageTable(p, header, labels, data, bool(in_degrees), first)


def _coordinate_name(label: str) -> str | None:
    """A column label as a coordinate name: ``pelvis_tilt`` or a state path ending in ``/value``."""
    if "/" not in label:
        return label
    parts = [s for s in label.split("/") if s]
    if len(parts) >= 2 and parts[-1] == "value":
        return parts[-2]
    return None  # speeds, activations, forces ...


def opensim_pelvis_matrix(tilt: NDArray | float, list_: NDArray | float, rotation: NDArray | float) -> NDArray:
    """OpenSim's ground->pelvis rotation matrix(es) ``Rz(tilt) Rx(list) Ry(rotation)`` (degrees in)."""
    from scipy.spatial.transform import Rotation

    angles = np.stack(np.broadcast_arrays(tilt, list_, rotation), axis=-1).astype(float)
    return Rotation.from_euler("ZXY", angles.reshape(-1, 3), degrees=True).as_matrix().reshape(*angles.shape[:-1], 3, 3)


def pelvis_angles_from_opensim(
    tilt: NDArray | float, list_: NDArray | float, rotation: NDArray | float
) -> tuple[NDArray, NDArray, NDArray]:
    """pelvis3d's ``(pelvis_tilt, pelvis_obliquity, pelvis_rotation)`` (degrees) whose rotation
    ``Ry(rotation) R-x(obliquity) R-z(tilt)`` equals OpenSim's ``Rz(tilt) Rx(list) Ry(rotation)``.

    Exact (a change of Euler sequence on the same matrix); ``list_`` is OpenSim's pelvis_list.
    """
    from scipy.spatial.transform import Rotation

    matrices = opensim_pelvis_matrix(tilt, list_, rotation)
    shape = np.shape(matrices)[:-2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # gimbal lock only at 90 deg of obliquity
        yxz = Rotation.from_matrix(matrices.reshape(-1, 3, 3)).as_euler("YXZ", degrees=True)
    yxz = yxz.reshape(*shape, 3)
    return -yxz[..., 2], -yxz[..., 1], yxz[..., 0]


def opensim_from_pelvis_angles(
    tilt: NDArray | float, obliquity: NDArray | float, rotation: NDArray | float
) -> tuple[NDArray, NDArray, NDArray]:
    """The inverse of :func:`pelvis_angles_from_opensim`: OpenSim's ``(pelvis_tilt, pelvis_list,
    pelvis_rotation)`` (degrees) from pelvis3d's whole-pelvis angles."""
    from scipy.spatial.transform import Rotation

    angles = np.stack(np.broadcast_arrays(rotation, -np.asarray(obliquity), -np.asarray(tilt)), axis=-1).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        zxy = Rotation.from_euler("YXZ", angles.reshape(-1, 3), degrees=True).as_euler("ZXY", degrees=True)
    zxy = zxy.reshape(*angles.shape)
    return zxy[..., 0], zxy[..., 1], zxy[..., 2]


def motion_from_opensim(
    path: str | os.PathLike[str],
    *,
    coupling: float | None = None,
    face_forward: bool = False,
    name: str | None = None,
) -> SampledMotion:
    """Read an OpenSim motion (``.mot`` / ``.sto``) as a :class:`~pelvis3d.motions.sampled.SampledMotion`.

    Parameters
    ----------
    path : path-like
        The storage file.
    coupling : float, optional
        Degrees of innominate external rotation per degree of hip external rotation (assumed);
        None: the pelvic ring stays at neutral.
    face_forward : bool
        Turn the whole trial about the vertical so the pelvis faces +X on average (its mean
        heading removed; the rest of its orientation is kept exactly).
    name : str, optional
        Default: the file's stem.

    Returns
    -------
    SampledMotion
        Times from 0 (``start_time`` keeps the file's first time); pelvis3d angles (degrees);
        ``translation_mm`` from ``pelvis_tx/ty/tz`` when present; ``channels`` with the file's
        pelvis and leg columns in degrees (OpenSim's names and signs).
    """
    table = read_storage(path)
    p = table.path
    columns: dict[str, NDArray] = {}
    for k, label in enumerate(table.labels[1:], start=1):
        coord = _coordinate_name(label)
        if coord not in _USED:
            continue
        if coord in columns:
            raise PoseError(f"{p} line {table.first_data_line - 1}, column {k + 1}: {coord!r} appears twice")
        values = table.data[:, k]
        columns[coord] = np.degrees(values) if (coord in _ROTATIONAL and not table.in_degrees) else values.copy()
    if not columns:
        raise PoseError(
            f"{p} line {table.first_data_line - 1}: no pelvis or leg column; pelvis3d reads "
            f"{', '.join(PELVIS_COORDINATES)}, {', '.join(PELVIS_TRANSLATIONS)} and {', '.join(LEG_DOF_NAMES)}"
        )
    n = len(table.data)
    zeros = np.zeros(n)
    notes = []
    angles: dict[str, NDArray] = {}
    if any(c in columns for c in PELVIS_COORDINATES):
        tilt, obliquity, rotation = pelvis_angles_from_opensim(*(columns.get(c, zeros) for c in PELVIS_COORDINATES))
        if face_forward:
            heading = math.degrees(math.atan2(np.sin(np.radians(rotation)).mean(), np.cos(np.radians(rotation)).mean()))
            rotation = (rotation - heading + 180.0) % 360.0 - 180.0
            notes.append(f"mean heading {heading:.1f} deg removed")
        angles.update(pelvis_tilt=tilt, pelvis_obliquity=obliquity, pelvis_rotation=rotation)
    for leg in LEG_DOF_NAMES:
        if leg in columns:
            values = columns[leg]
            if leg.startswith("knee_angle") and values.max() > _KNEE_FLEXION_POSITIVE_DEG:
                values = -values
                notes.append(f"{leg} read as flexion-positive and negated")
            angles[leg] = values
    if coupling is not None:
        c = real_number(coupling, "coupling")
        for side, s in (("left", "l"), ("right", "r")):
            if f"hip_rotation_{s}" in angles:  # + hip_rotation = internal: the innominate follows into IR
                angles[f"{side}_rotation"] = -c * angles[f"hip_rotation_{s}"]
    translation = None
    if any(c in columns for c in PELVIS_TRANSLATIONS):
        translation = 1000.0 * np.stack([columns.get(c, zeros) for c in PELVIS_TRANSLATIONS], axis=1)
    time = table.data[:, 0]
    rate = (n - 1) / (time[-1] - time[0])
    description = f"OpenSim motion {p.name}: {n} samples at {rate:.0f} Hz, {time[-1] - time[0]:.2f} s"
    if notes:
        description += " (" + "; ".join(notes) + ")"
    return SampledMotion(
        name or p.stem,
        time - time[0],
        angles,
        description,
        loop=False,
        translation_mm=translation,
        channels=columns,
        start_time=float(time[0]),
        coupling=None if coupling is None else float(coupling),
        source=p,
    )


def write_opensim_motion(motion: SampledMotion, path: str | os.PathLike[str], *, in_degrees: bool = True) -> Path:
    """Write a sampled motion as an OpenSim storage file: time, ``pelvis_tilt/list/rotation``
    (converted back exactly), ``pelvis_tx/ty/tz`` (m) when known, and the leg coordinates."""
    from pelvis3d.files import atomic_path

    p = Path(path)
    a = motion.angles
    tilt, list_, rotation = opensim_from_pelvis_angles(a["pelvis_tilt"], a["pelvis_obliquity"], a["pelvis_rotation"])
    cols: dict[str, NDArray] = {"time": motion.times + motion.start_time}
    scale = 1.0 if in_degrees else math.pi / 180.0
    cols.update(pelvis_tilt=tilt * scale, pelvis_list=list_ * scale, pelvis_rotation=rotation * scale)
    if motion.translation_mm is not None:
        for k, c in enumerate(PELVIS_TRANSLATIONS):
            cols[c] = motion.translation_mm[:, k] / 1000.0
    for leg in LEG_DOF_NAMES:
        cols[leg] = a[leg] * scale
    names = list(cols)
    data = np.column_stack([cols[c] for c in names])
    head = [
        motion.name,
        "version=1",
        f"nRows={len(data)}",
        f"nColumns={len(names)}",
        f"inDegrees={'yes' if in_degrees else 'no'}",
        "",
        "Units are S.I. units (second, meters, Newtons, ...)",
        f"Angles are in {'degrees' if in_degrees else 'radians'}.",
        "",
        "endheader",
        "\t".join(names),
    ]
    body = "\n".join("\t".join(f"{x:.10f}" for x in row) for row in data)
    with atomic_path(p) as tmp:
        Path(tmp).write_text("\n".join(head) + "\n" + body + "\n", encoding="utf-8")
    return p
