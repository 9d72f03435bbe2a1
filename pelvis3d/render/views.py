"""Anatomical camera presets, defined in the pelvis frame (no rendering libraries).

Each view is a direction from the pelvis towards the camera and an "up" direction on the
image, both in the ISB pelvis frame (X anterior, Y superior, Z right). The ``top`` view puts
anterior at the top of the image with the patient's right on the image's right; the ``rear``
view looks from behind with the patient's right on the right (as in the article's photos);
the ``front`` view is the usual anatomical view (patient's right on the image's left).
``inlet`` and ``outlet`` follow the radiographic views: along the normal of the pelvic inlet
plane (through the sacral promontory and the pubic tubercles), from above-front, and from
below-front.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pelvis3d.validation import known_name

__all__ = ["View", "VIEWS", "SECTION_VIEWS", "VIEW_TITLES", "view_vectors"]


@dataclass(frozen=True)
class View:
    """A camera preset: ``direction`` (pelvis -> camera) and image ``up``, unit vectors."""

    name: str
    direction: tuple[float, float, float]
    up: tuple[float, float, float]
    description: str


def _unit(v) -> tuple[float, float, float]:
    a = np.asarray(v, float)
    return tuple(float(c) for c in a / np.linalg.norm(a))


VIEWS: Mapping[str, View] = {
    v.name: v
    for v in (
        View(
            "top", (0.0, 1.0, 0.0), (1.0, 0.0, 0.0), "superior view, anterior at the top, patient's right on the right"
        ),
        View("rear", (-1.0, 0.0, 0.0), (0.0, 1.0, 0.0), "posterior view, patient's right on the right"),
        View("front", (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), "anterior view, patient's right on the left"),
        View("left", (0.0, 0.0, -1.0), (0.0, 1.0, 0.0), "left lateral view, anterior on the left"),
        View("right", (0.0, 0.0, 1.0), (0.0, 1.0, 0.0), "right lateral view, anterior on the right"),
        View(
            "bottom",
            (0.0, -1.0, 0.0),
            (1.0, 0.0, 0.0),
            "inferior view, anterior at the top, patient's right on the left",
        ),
        View("inlet", (0.78, 0.63, 0.0), (-0.63, 0.78, 0.0), "along the pelvic inlet axis from above-front"),
        View("outlet", (0.62, -0.78, 0.0), (0.78, 0.62, 0.0), "from below-front, along the pelvic outlet"),
        View("oblique", _unit((1.0, 0.6, 0.45)), (0.0, 1.0, 0.0), "three-quarter view from the front-right and above"),
        View(
            "si-section",
            (0.0, 1.0, 0.0),
            (1.0, 0.0, 0.0),
            "transverse section through both SI joints at the S1-S2 level, seen from above (anterior at the top)",
        ),
        View(
            "symphysis-section",
            (1.0, 0.0, 0.0),
            (0.0, 1.0, 0.0),
            "coronal section through the pubic symphysis, seen from the front (patient's right on the left)",
        ),
    )
}


#: How a picture's title names each view.
VIEW_TITLES: Mapping[str, str] = {
    "top": "Top view",
    "rear": "Rear view",
    "front": "Front view",
    "left": "Left side view",
    "right": "Right side view",
    "bottom": "View from below",
    "inlet": "Inlet view",
    "outlet": "Outlet view",
    "oblique": "Oblique view",
    "si-section": "SI joints, transverse section (S1-S2)",
    "symphysis-section": "Pubic symphysis, coronal section",
}

#: Section views and the section (:data:`pelvis3d.render.section.SECTIONS`) each shows.
SECTION_VIEWS: Mapping[str, str] = {"si-section": "si", "symphysis-section": "symphysis"}


def view_vectors(view: str, landmarks: Mapping[str, NDArray[np.float64]] | None = None) -> tuple[NDArray, NDArray]:
    """Camera direction (pelvis -> camera) and up vector for a view, as unit (3,) arrays.

    For ``inlet`` and ``outlet`` the direction follows this pelvis's inlet plane when its
    landmarks (``sacral_promontory``, ``left/right_pubic_tubercle``) are given.
    """
    v = VIEWS[known_name(view, VIEWS, "view")]
    direction = np.array(v.direction, float)
    up = np.array(v.up, float)
    if view in ("inlet", "outlet") and landmarks is not None:
        try:
            p0 = landmarks["sacral_promontory"]
            a, b = landmarks["left_pubic_tubercle"], landmarks["right_pubic_tubercle"]
        except KeyError:
            p0 = None
        if p0 is not None:
            normal = np.cross(b - p0, a - p0)
            normal /= np.linalg.norm(normal)
            if normal[1] < 0:
                normal = -normal  # points up and forward
            if view == "inlet":
                direction = normal
            else:  # outlet: tilt the other way about the transverse axis
                direction = np.array([normal[1], -normal[0], 0.0])
                if direction[0] < 0:
                    direction = -direction
    up = up - direction * (up @ direction)
    return direction / np.linalg.norm(direction), up / np.linalg.norm(up)
