"""Joint definitions (parent, child, DOF axes, pivots and limits) built from landmarks."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pelvis3d.anatomy import Anatomy

__all__ = ["default_joints", "PIVOT_PLACEMENTS", "place_pivots", "posterior_hinge"]

#: Where each innominate's SI pivot (the rotation and tilt axes) sits, and why.
PIVOT_PLACEMENTS: dict[str, str] = {
    "auricular-centre": (
        "the centre of the auricular surface (midpoint of the two joint surfaces' centroids): the joint's "
        "own centre, as radiostereometric studies report SI rotations about axes through the joint "
        "(Kibsgard et al. 2012); the default"
    ),
    "posterior-ligaments": (
        "the centroid of the posterior quarter of the innominate's auricular surface, where the "
        "interosseous and posterior SI ligaments hold the joint: open-book (external rotation) injuries "
        "hinge on the posterior SI ligaments (trauma classification; Vleeming et al. 2012)"
    ),
}


def posterior_hinge(points: np.ndarray) -> np.ndarray:
    """Centroid of the posterior quarter (lowest X) of an auricular surface's vertices, mm."""
    x = points[:, 0]
    return points[x <= np.percentile(x, 25)].mean(axis=0)


def place_pivots(anatomy: Anatomy, placement: str) -> Anatomy:
    """A copy of ``anatomy`` with each innominate's rotation and tilt pivots at ``placement``
    (one of :data:`PIVOT_PLACEMENTS`), reported in ``derived``."""
    from pelvis3d.errors import UnknownNameError

    if placement not in PIVOT_PLACEMENTS:
        raise UnknownNameError(f"unknown pivot placement {placement!r}; allowed: {', '.join(PIVOT_PLACEMENTS)}")
    dofs = dict(anatomy.dofs)
    derived = dict(anatomy.derived)
    for side in ("left", "right"):
        surf = anatomy.joint_surfaces[f"{side}_si_innominate"]
        inn = np.asarray(anatomy.vertices[surf.body])[surf.vertices]
        if placement == "auricular-centre":
            sac = anatomy.joint_surfaces[f"{side}_si_sacrum"]
            pivot = (inn.mean(axis=0) + np.asarray(anatomy.vertices["sacrum"])[sac.vertices].mean(axis=0)) / 2
        else:
            pivot = posterior_hinge(inn)
        pivot.setflags(write=False)
        for name in (f"{side}_rotation", f"{side}_tilt"):
            dofs[name] = replace(dofs[name], pivot_mm=pivot)
            derived[f"pivot {name}"] = f"{placement}: {PIVOT_PLACEMENTS[placement]}"
    from pelvis3d.anatomy import ReadOnlyMap

    return replace(anatomy, dofs=ReadOnlyMap(dofs, "DOF"), derived=derived)


def default_joints(landmarks: dict[str, dict]) -> list[dict]:
    """Joint definitions (parent, child, DOF axes, pivots and limits) for the built-in pelvis.

    Every joint moves its child relative to its parent; ``pelvis`` is the ISB frame fixed to
    the neutral anatomy and ``world`` the room. The sacrum is the reference body: only
    nutation moves it, and the innominate pivots lie on its auricular surfaces.

    Ranges follow biomechanics.md: SI rotations are a few degrees at most (<= 3.6 deg by
    radiostereometry), so the physiological range is +/-3.5 deg and the hard limit +/-10 deg
    (beyond open-book injury level, ~6.5 deg). Whole-pelvis angles are posture, not joint play.
    """

    def pos(name: str) -> list[float]:
        return landmarks[name]["position_mm"]

    si = {"physiological_deg": [-3.5, 3.5], "hard_deg": [-10.0, 10.0]}
    joints = []
    for side, vertical in (("left", [0.0, 1.0, 0.0]), ("right", [0.0, -1.0, 0.0])):
        joints.append(
            {
                "name": f"{side}_sacroiliac",
                "parent": "pelvis",
                "child": f"{side}_innominate",
                "dofs": [
                    {
                        "name": f"{side}_rotation",
                        "axis": vertical,
                        "pivot_mm": pos(f"{side}_auricular_centre"),
                        **si,
                        "description": "pelvic external (+) / internal (-) rotation (out-flare / in-flare) "
                        "about a vertical axis through the auricular surface centre",
                    },
                    {
                        "name": f"{side}_tilt",
                        "axis": [0.0, 0.0, -1.0],
                        "pivot_mm": pos(f"{side}_auricular_centre"),
                        **si,
                        "description": "anterior (+) / posterior (-) innominate rotation about a transverse "
                        "axis through the auricular surface centre",
                    },
                ],
            }
        )
    joints.append(
        {
            "name": "sacral_nutation",
            "parent": "pelvis",
            "child": "sacrum",
            "dofs": [
                {
                    "name": "nutation",
                    "axis": [0.0, 0.0, -1.0],
                    "pivot_mm": pos("s2"),
                    "physiological_deg": [-3.5, 3.5],
                    "hard_deg": [-10.0, 10.0],
                    "description": "sacral nutation (+, base anterior-inferior) / counternutation (-) "
                    "about a transverse axis at S2",
                }
            ],
        }
    )
    joints.append(
        {
            "name": "pelvis_world",
            "parent": "world",
            "child": "pelvis",
            "dofs": [
                {
                    "name": "pelvis_rotation",
                    "axis": [0.0, 1.0, 0.0],
                    "pivot_mm": [0.0, 0.0, 0.0],
                    "physiological_deg": [-45.0, 45.0],
                    "hard_deg": [-90.0, 90.0],
                    "description": "whole-pelvis rotation (+ turns the front toward the left) about the vertical axis",
                },
                {
                    "name": "pelvis_obliquity",
                    "axis": [-1.0, 0.0, 0.0],
                    "pivot_mm": [0.0, 0.0, 0.0],
                    "physiological_deg": [-20.0, 20.0],
                    "hard_deg": [-60.0, 60.0],
                    "description": "whole-pelvis obliquity (+ raises the right side) about the anterior axis",
                },
                {
                    "name": "pelvis_tilt",
                    "axis": [0.0, 0.0, -1.0],
                    "pivot_mm": [0.0, 0.0, 0.0],
                    "physiological_deg": [-30.0, 45.0],
                    "hard_deg": [-90.0, 90.0],
                    "description": "whole-pelvis anterior (+) / posterior (-) tilt about the right axis",
                },
            ],
        }
    )
    return joints
