"""The closed pelvic ring: the other joints take up a motion by least elastic energy.

In the **open chain** (``ring="open"``) each DOF moves its own bone about its own joint and
nothing else moves: one innominate rotated alone shears and gaps the symphysis freely. That
is the clearest picture of one joint, and what the DOFs mean.

In the **closed ring** (``ring="closed"``) the pose's non-zero ring DOFs are *held* (the
driving motions) and each innominate may move further, as a rigid body, wherever the joints
allow: its remaining rotations and its three translations at its SI joint. The ring settles
where the elastic energy of the two SI joints and the pubic symphysis is least (scipy's
least squares on the stiffness-weighted joint deformations). Rotating one innominate then
turns the other with it, so the symphysis strains far less than in the open chain and the
other SI joint moves.

Stiffnesses (:data:`SI_STIFFNESS`, :data:`SYMPHYSIS_STIFFNESS`):

* SI joint, from Miller, Schultz & Andersson 1987 (J Orthop Res 5:92-101; cadaveric single
  joints, 294 N / 42 Nm): axial torsion 6.21 deg -> 6.8 Nm/deg about the vertical axis;
  lateral bending 1.40 deg -> 30 Nm/deg about the anterior axis; anterior force 2.74 mm ->
  107 N/mm; medial force 0.76 mm -> 387 N/mm. Flexion-extension (transverse axis) and
  superior-inferior translation are not in the abstract: **assumed** 12 Nm/deg and 200 N/mm
  (between the measured extremes).
* Pubic symphysis: measured by Dakin et al. 2001 (J Biomech Eng 123:218), whose values we
  could not read, so **assumed**: a disc 37 mm high and 15 mm deep (biomechanics.md), 5 mm
  wide (Becker et al. 2010), elastic modulus 5 MPa and Poisson's ratio 0.45 (assumed,
  typical finite-element values): axial (gap) E*A/w = 555 N/mm, shear G*A/w = 191 N/mm,
  bending E*I/w about the anterior axis 1.1 Nm/deg and about the vertical axis 0.18 Nm/deg,
  torsion G*J/w 0.44 Nm/deg.

All stiffnesses are per joint, in N/mm and N*mm/deg (energies in N*mm).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pelvis3d.errors import UnknownNameError
from pelvis3d.kinematics import relative_transform

__all__ = [
    "RING_MODES",
    "DEFAULT_RING",
    "PICTURE_RING",
    "JointStiffness",
    "SI_STIFFNESS",
    "SYMPHYSIS_STIFFNESS",
    "check_ring",
    "close_ring",
]

#: Ring models: ``open`` (each DOF moves its own joint only) or ``closed`` (least energy).
RING_MODES = ("open", "closed")
#: Default of :meth:`pelvis3d.Pelvis.posed`: the open chain (the DOFs as defined).
DEFAULT_RING = "open"
#: The ring for pictures of one-sided and combined poses (the issue's choice for teaching).
PICTURE_RING = "closed"


@dataclass(frozen=True)
class JointStiffness:
    """Stiffness of one joint: rotation about the pelvis X (anterior), Y (superior), Z (right)
    axes in N*mm/deg, translation along them in N/mm."""

    rotation: tuple[float, float, float]
    translation: tuple[float, float, float]
    source: str


#: One SI joint (Miller et al. 1987; transverse-axis rotation and vertical translation assumed).
SI_STIFFNESS = JointStiffness(
    rotation=(30_000.0, 6_800.0, 12_000.0),
    translation=(107.0, 200.0, 387.0),
    source="Miller, Schultz & Andersson 1987 (flexion-extension and superior-inferior assumed)",
)


def _disc_stiffness(height: float, depth: float, width: float, modulus: float, poisson: float) -> JointStiffness:
    """A rectangular elastic disc (mm, MPa) between two faces normal to Z."""
    area = height * depth
    shear = modulus / (2.0 * (1.0 + poisson))
    i_about_x = depth * height**3 / 12.0  # bending in the frontal plane
    i_about_y = height * depth**3 / 12.0  # bending in the horizontal plane
    per_deg = math.pi / 180.0 / width
    return JointStiffness(
        rotation=(
            modulus * i_about_x * per_deg,
            modulus * i_about_y * per_deg,
            shear * (i_about_x + i_about_y) * per_deg,
        ),
        translation=(shear * area / width, shear * area / width, modulus * area / width),
        source="assumed: 37 x 15 mm disc, 5 mm wide, E = 5 MPa, Poisson 0.45",
    )


#: The pubic symphysis (assumed; see the module docstring).
SYMPHYSIS_STIFFNESS = _disc_stiffness(37.0, 15.0, 5.0, 5.0, 0.45)


def check_ring(ring: str) -> str:
    """``ring`` if it names a ring model, else a clear error."""
    if ring not in RING_MODES:
        raise UnknownNameError(f"unknown ring {ring!r}; allowed: {', '.join(RING_MODES)}")
    return ring


def _rotation(vector_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rotation matrix of a rotation vector in degrees (Rodrigues)."""
    angle = float(np.linalg.norm(vector_deg))
    if angle == 0.0:
        return np.eye(3)
    k = vector_deg / angle
    t = math.radians(angle)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(t) * kx + (1.0 - math.cos(t)) * (kx @ kx)


def _rotation_vector_deg(r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rotation vector (degrees) of a rotation matrix (angles well below 180 deg)."""
    cos = min(1.0, max(-1.0, (float(np.trace(r)) - 1.0) / 2.0))
    angle = math.acos(cos)
    w = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    scale = 0.5 if angle < 1e-8 else angle / (2.0 * math.sin(angle))
    return np.degrees(w * scale)


def close_ring(
    transforms: Mapping[str, NDArray[np.float64]],
    pivots: Mapping[str, NDArray[np.float64]],
    held: Mapping[str, tuple[bool, bool]],
    symphysis_centre: NDArray[np.float64],
) -> dict[str, NDArray[np.float64]]:
    """The closed-ring transforms: each innominate moved from its open-chain place to where
    the elastic energy of the ring is least.

    Parameters
    ----------
    transforms : mapping of str to (4, 4) array
        Open-chain ``T_pelvis_body`` of the pose.
    pivots : mapping of side to (3,) array
        Neutral SI pivot of each innominate, mm.
    held : mapping of side to (bool, bool)
        Whether that side's rotation (vertical axis) and tilt (transverse axis) are held.
    symphysis_centre : (3,) array
        Neutral centre of the symphysis (mm), where its deformation is measured.

    Returns
    -------
    dict of str to (4, 4) array
        ``T_pelvis_body`` per body; the sacrum unchanged.
    """
    from scipy.optimize import least_squares

    sides = ("left", "right")
    free_rot = {
        s: [i for i, axis in enumerate((0, 1, 2)) if not (axis == 1 and held[s][0]) and not (axis == 2 and held[s][1])]
        for s in sides
    }
    si_rot = np.sqrt(np.asarray(SI_STIFFNESS.rotation))
    si_tr = np.sqrt(np.asarray(SI_STIFFNESS.translation))
    sy_rot = np.sqrt(np.asarray(SYMPHYSIS_STIFFNESS.rotation))
    sy_tr = np.sqrt(np.asarray(SYMPHYSIS_STIFFNESS.translation))
    base = {s: np.asarray(transforms[f"{s}_innominate"], dtype=float) for s in sides}
    posed_pivot = {s: base[s][:3, :3] @ pivots[s] + base[s][:3, 3] for s in sides}
    sizes = {s: len(free_rot[s]) + 3 for s in sides}

    def moved(x: NDArray[np.float64]) -> tuple[dict[str, NDArray[np.float64]], list[NDArray[np.float64]]]:
        out, parts, start = {}, [], 0
        for s in sides:
            chunk = x[start : start + sizes[s]]
            start += sizes[s]
            omega = np.zeros(3)
            omega[free_rot[s]] = chunk[: len(free_rot[s])]
            shift = chunk[len(free_rot[s]) :]
            c = np.eye(4)
            c[:3, :3] = _rotation(omega)
            c[:3, 3] = posed_pivot[s] - c[:3, :3] @ posed_pivot[s] + shift
            out[s] = c @ base[s]
            parts += [si_rot[free_rot[s]] * omega[free_rot[s]], si_tr * shift]
        return out, parts

    def residuals(x: NDArray[np.float64]) -> NDArray[np.float64]:
        out, parts = moved(x)
        rel = relative_transform(out["right"], out["left"])
        rho = _rotation_vector_deg(rel[:3, :3])
        u = rel[:3, :3] @ symphysis_centre + rel[:3, 3] - symphysis_centre
        return np.concatenate([*parts, sy_rot * rho, sy_tr * u])

    x0 = np.zeros(sizes["left"] + sizes["right"])
    if not np.any(residuals(x0)):
        return {b: np.array(t, dtype=float) for b, t in transforms.items()}
    fit = least_squares(residuals, x0, method="lm", xtol=1e-12, ftol=1e-12, gtol=1e-12)
    out, _ = moved(fit.x)
    result = {b: np.array(t, dtype=float) for b, t in transforms.items()}
    for s in sides:
        result[f"{s}_innominate"] = out[s]
    return result
