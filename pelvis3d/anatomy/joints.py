"""Joint definitions (parent, child, DOF axes, pivots and limits) built from landmarks."""

from __future__ import annotations

__all__ = ["default_joints"]


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
