"""A simple mannequin around the pelvis: the context of an exercise or a run.

Like an artist's wooden figure — smooth, neutral, not a cartoon — with adult proportions from
de Leva 1996 (:mod:`pelvis3d.body.segments`): a lumbar segment on the sacrum, the chest,
neck and head, arms hanging at the sides, buttocks on the innominates, thighs around
simplified anatomical femurs, shanks and feet. Only the pelvis is anatomical detail; the
femurs are simplified bones, everything else is context (:data:`BODY_KINDS`).

Every body has a neutral mesh (the pelvis frame at neutral, standing, mm) and moves rigidly
with one *carrier*: the sacrum (trunk, head, arms), an innominate (buttock), a femur (femur,
thigh), a shank or a foot. Any :class:`~pelvis3d.kinematics.Pose` drives it: the pelvic-ring
and whole-pelvis angles move the bones, the leg angles (OpenSim's names and signs,
:mod:`pelvis3d.legs`) the legs; a world translation places the body (ground contact).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy.sdf import ellipsoid, round_cone, smooth_union, sphere
from pelvis3d.body.segments import ASSUMED_WIDTHS_MM as W
from pelvis3d.body.segments import DE_LEVA_MALE_MM as L
from pelvis3d.body.segments import joint_centres
from pelvis3d.body.shapes import contour, femur_sdf
from pelvis3d.errors import LimitError
from pelvis3d.kinematics import SI_DOF_NAMES, Pose
from pelvis3d.legs import leg_transforms
from pelvis3d.model import Pelvis

__all__ = [
    "BONES",
    "BODY_NAMES",
    "BODY_KINDS",
    "BODY_CARRIERS",
    "body_meshes",
    "body_transforms",
    "body_joint_centres",
    "posed_points",
]

#: The pelvis's own bones (anatomical detail).
BONES = ("sacrum", "left_innominate", "right_innominate")
#: Every body of a pelvis with its mannequin, in drawing order.
BODY_NAMES: tuple[str, ...] = BONES + (
    "lumbar",
    "chest",
    "head",
    "left_arm",
    "right_arm",
    "left_buttock",
    "right_buttock",
    "left_femur",
    "right_femur",
    "left_thigh",
    "right_thigh",
    "left_shank",
    "right_shank",
    "left_foot",
    "right_foot",
)
#: What each body is: ``"pelvis"`` (anatomical detail), ``"bone"`` (the simplified femurs),
#: ``"soft"`` (thigh and buttock around the bones: drawn see-through) or ``"mannequin"``.
BODY_KINDS: Mapping[str, str] = MappingProxyType(
    {
        **{b: "pelvis" for b in BONES},
        **{b: "mannequin" for b in ("lumbar", "chest", "head", "left_arm", "right_arm")},
        **{f"{s}_{p}": k for s in ("left", "right") for p, k in (("buttock", "soft"), ("femur", "bone"))},
        **{f"{s}_{p}": k for s in ("left", "right") for p, k in (("thigh", "soft"), ("shank", "mannequin"))},
        **{f"{s}_foot": "mannequin" for s in ("left", "right")},
    }
)
#: The body whose motion each body follows.
BODY_CARRIERS: Mapping[str, str] = MappingProxyType(
    {
        **{b: b for b in BONES},
        **{b: "sacrum" for b in ("lumbar", "chest", "head", "left_arm", "right_arm")},
        **{f"{s}_buttock": f"{s}_innominate" for s in ("left", "right")},
        **{f"{s}_{p}": f"{s}_femur" for s in ("left", "right") for p in ("femur", "thigh")},
        **{f"{s}_{p}": f"{s}_{p}" for s in ("left", "right") for p in ("shank", "foot")},
    }
)

_VOXEL_MM = {"femur": 2.5, "default": 4.0}


def body_joint_centres(pelvis: Pelvis) -> dict[str, NDArray[np.float64]]:
    """Hip, knee and ankle centres (neutral pelvis frame, mm) of ``pelvis``'s mannequin."""
    hips = {s: np.asarray(pelvis.landmarks[f"{s}_hip_centre"], float) for s in ("left", "right")}
    return joint_centres(hips)


def _key(pelvis: Pelvis) -> tuple:
    names = ("left_hip_centre", "right_hip_centre", "sacral_promontory", "left_pubic_tubercle", "left_psis")
    return tuple(round(float(v), 3) for n in names for v in pelvis.landmarks[n])


def body_meshes(pelvis: Pelvis) -> dict[str, tuple[NDArray[np.float64], NDArray[np.int64]]]:
    """Neutral ``(vertices, faces)`` (mm, the pelvis frame at neutral) of every body in
    :data:`BODY_NAMES`: the pelvis's bones and its mannequin (built once per pelvis shape)."""
    out = {b: (np.asarray(pelvis.anatomy.vertices[b], float), np.asarray(pelvis.anatomy.faces[b])) for b in BONES}
    out.update(_mannequin_meshes(_key(pelvis)))
    return out


@lru_cache(maxsize=4)
def _mannequin_meshes(key: tuple) -> dict[str, tuple[NDArray, NDArray]]:
    k = np.asarray(key).reshape(-1, 3)
    hips = {"left": k[0], "right": k[1]}
    promontory, tubercle, psis = k[2], k[3], k[4]
    joints = joint_centres(hips)
    out = {}
    for name, (field, lo, hi) in _pieces(joints, promontory, tubercle, psis).items():
        voxel = _VOXEL_MM["femur"] if name.endswith("femur") else _VOXEL_MM["default"]
        v, f = contour(field, lo, hi, voxel)
        v.setflags(write=False)
        f.setflags(write=False)
        out[name] = (v, f)
    return out


def _pieces(joints: Mapping[str, NDArray], promontory: NDArray, tubercle: NDArray, psis: NDArray) -> dict:
    """Each mannequin piece as ``(field, box_lo, box_hi)`` in the neutral pelvis frame (mm)."""
    # The chest's front is level with the pubis (a body lying prone rests on both).
    front = float(tubercle[0]) - 2.0
    cx = front - W["chest_half_depth"]
    s1 = promontory + np.array([-22.0, 0.0, 0.0])  # centre of S1's upper end plate (assumed offset)
    waist_top = s1 + np.array([0.0, L["lower_trunk"], 0.0])
    chest_top_y = waist_top[1] + L["mid_trunk"] + L["upper_trunk"]
    chest_c = np.array([cx, (waist_top[1] + chest_top_y) / 2, 0.0])
    pieces = {}

    def lumbar(q):
        return round_cone(q, s1 + [0, 5, 0], waist_top, 46.0, W["waist_radius"])

    pieces["lumbar"] = (lumbar, s1 - [70, 60, 70], waist_top + [70, 70, 70])

    hw, hd = W["chest_half_width"], W["chest_half_depth"]
    shoulder_y = chest_top_y - 40.0

    def chest(q):
        d = ellipsoid(q, chest_c, (hd, (chest_top_y - waist_top[1]) / 2 + 10, hw))
        d = smooth_union(d, round_cone(q, [cx, shoulder_y, -hw - 20], [cx, shoulder_y, hw + 20], 48.0, 48.0), 40.0)
        return smooth_union(d, round_cone(q, waist_top - [0, 30, 0], chest_c - [30, 0, 0], 70.0, 110.0), 30.0)

    pieces["chest"] = (chest, [cx - hd - 10, waist_top[1] - 60, -hw - 80], [front + 5, chest_top_y + 60, hw + 80])

    head_c = np.array([cx - 5.0, chest_top_y + L["head"] - 115.0, 0.0])

    def head(q):
        d = round_cone(q, [cx - 10, chest_top_y - 30, 0], head_c - [5, 60, 0], W["neck_radius"], 40.0)
        return smooth_union(d, ellipsoid(q, head_c, (98.0, 115.0, W["head_half_width"])), 15.0)

    pieces["head"] = (head, [cx - 120, chest_top_y - 80, -100], head_c + [110, 125, 100])

    for side, lat in (("left", -1.0), ("right", 1.0)):
        # Hands on the hips (a common cue for hinges; it keeps the arms clear of floor and
        # wall in any posture): elbows out to the side and a little back, hands on the waist.
        shoulder = np.array([cx, shoulder_y - 10.0, lat * (hw + 32.0)])
        hand = np.array([psis[0] + 85.0, waist_top[1] - 95.0, lat * (W["waist_radius"] + 62.0)])
        out_back = np.array([-0.05, -0.75, lat * 0.6])
        elbow = shoulder + L["upper_arm"] * out_back / np.linalg.norm(out_back)
        wrist = elbow + (hand - elbow) * (1.0 - 40.0 / np.linalg.norm(hand - elbow))

        def arm(q, shoulder=shoulder, elbow=elbow, wrist=wrist, hand=hand):
            d = round_cone(q, shoulder, elbow, W["upper_arm_radius"], 36.0)
            d = smooth_union(d, round_cone(q, elbow, wrist, W["forearm_radius"], 24.0), 8.0)
            return smooth_union(d, ellipsoid(q, hand, (50.0, 22.0, 16.0)), 6.0)

        pts = np.array([shoulder, elbow, wrist, hand])
        pieces[f"{side}_arm"] = (arm, pts.min(0) - 60, pts.max(0) + 60)

        hip, knee, ankle = joints[f"{side}_hip"], joints[f"{side}_knee"], joints[f"{side}_ankle"]
        # the gluteal mass behind and below the hip, over the ischial tuberosity (assumed shape)
        glute_c = np.array([psis[0] + 38.0, hip[1] - 20.0, lat * (abs(hip[2]) - 8.0)])

        def buttock(q, c=glute_c):
            return ellipsoid(q, c, (58.0, 82.0, W["buttock_half_width"]))

        pieces[f"{side}_buttock"] = (buttock, glute_c - 95, glute_c + 95)

        pieces[f"{side}_femur"] = (
            femur_sdf(side, hip, knee),
            np.minimum(hip, knee) - [60, 40, 70],
            np.maximum(hip, knee) + [60, 40, 70],
        )

        thigh_top = hip + np.array([-16.0, -25.0, lat * 6.0])  # front flush with the ASIS and pubis

        def thigh(q, a=thigh_top, b=knee + [0, 10, 0]):
            return round_cone(q, a, b, W["thigh_radius_hip"] - 14.0, W["thigh_radius_knee"] - 4.0)

        pieces[f"{side}_thigh"] = (thigh, np.minimum(thigh_top, knee) - 80, np.maximum(thigh_top, knee) + 80)

        def shank(q, knee=knee, ankle=ankle):
            d = round_cone(q, knee - [0, 10, 0], ankle, W["shank_radius_knee"] - 4.0, W["shank_radius_ankle"])
            return smooth_union(d, ellipsoid(q, knee + [-12, -130, 0], (46.0, 95.0, 44.0)), 25.0)  # calf

        pieces[f"{side}_shank"] = (shank, np.minimum(knee, ankle) - 70, np.maximum(knee, ankle) + 70)

        heel = ankle + np.array([-40.0, -W["ankle_height"] + 32.0, 0.0])
        toes = ankle + np.array([L["foot"] - 40.0 - 32.0 - 20.0, -W["ankle_height"] + 22.0, lat * 4.0])

        def foot(q, heel=heel, toes=toes, ankle=ankle):
            d = round_cone(q, heel, toes, 32.0, 22.0)
            return smooth_union(d, sphere(q, ankle, 30.0), 20.0)

        pts = np.array([heel, toes, ankle])
        pieces[f"{side}_foot"] = (foot, pts.min(0) - 45, pts.max(0) + 45)
    return pieces


def body_transforms(
    pelvis: Pelvis, pose: Pose, exaggeration: float = 1.0, offset: NDArray[np.float64] | None = None
) -> dict[str, NDArray[np.float64]]:
    """World transforms ``T_world_body`` (4, 4; mm) of every body in :data:`BODY_NAMES`.

    Parameters
    ----------
    pelvis : Pelvis
    pose : Pose
        Pelvic-ring angles (checked against the model's hard limits, shown x``exaggeration``),
        whole-pelvis posture, and leg angles (OpenSim's names and signs, checked against
        :mod:`pelvis3d.legs`' ranges), degrees.
    exaggeration : float
        Factor on the pelvic-ring angles only (legs and posture are shown true).
    offset : (3,) array, optional
        World translation of the whole body (mm): where it stands or lies.
    """
    for name in SI_DOF_NAMES:
        lo, hi = pelvis.dofs[name].hard_deg
        value = getattr(pose, name)
        if not lo <= value <= hi:
            raise LimitError(f"{name}={value:g} deg is beyond the hard limit [{lo:g}, {hi:g}] deg")
    world = pelvis.transforms(pose.scaled(exaggeration), world=True)
    world = {b: np.asarray(world[b], float) for b in BONES}
    world.update(leg_transforms(pose, world, body_joint_centres(pelvis)))
    out = {body: world[BODY_CARRIERS[body]] for body in BODY_NAMES}
    if offset is not None:
        shift = np.eye(4)
        shift[:3, 3] = np.asarray(offset, float)
        out = {b: shift @ t for b, t in out.items()}
    return out


def posed_points(points: NDArray[np.float64], transform: NDArray[np.float64]) -> NDArray[np.float64]:
    """``points`` (N, 3) moved by a (4, 4) transform."""
    return np.asarray(points, float) @ transform[:3, :3].T + transform[:3, 3]
