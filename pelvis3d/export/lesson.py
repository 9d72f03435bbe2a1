"""The lesson page: one self-contained HTML file with the pelvis in the browser (WebGL).

``export_lesson("lesson.html")`` writes a page that opens from disk (``file://``), offline and
on a phone: three.js (vendored in ``lesson_assets/``, MIT, see ``VENDOR.md`` there) and the
page's own scripts are inlined, and the pelvis travels as base64 arrays in the page.

How the page's numbers agree with Python's: the page does not interpolate tables. It carries
the model itself - the bone meshes (float32 vertices, the same triangles), the joint chain with
each DOF's axis and pivot, the joint-surface vertex sets and the landmarks - and repeats
Python's computation in doubles: :func:`pelvis3d.kinematics.axis_angle_transform` composed in
:meth:`pelvis3d.model.Pelvis.transforms`'s order, then for every joint-surface vertex the exact
distance to the partner bone's triangles (a bounding-volume tree, Ericson's closest point on a
triangle) signed by the angle-weighted pseudo-normals of :mod:`pelvis3d.distance`, continued through
contact by :mod:`pelvis3d.metrics`'s rule (past contact, the lower of that distance and the
vertex's neutral gap minus its travel along the neutral gap direction), then the means of
:meth:`pelvis3d.model.Pelvis.metrics`. The only difference is float32 storage of the
vertices (exact for the built-in pelvis, whose meshes are float32 PLY files; at most ~1e-5 mm
for a 200 mm bone otherwise). ``tests/test_lesson_browser.py`` checks 0.05 mm at random
slider positions.
"""

from __future__ import annotations

import base64
import json
import os
import re
import warnings
from importlib import resources
from pathlib import Path

import numpy as np

from pelvis3d.anatomy import BODIES
from pelvis3d.colours import BODY_COLOURS
from pelvis3d.errors import PhysiologicalRangeWarning, PoseError
from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.kinematics import DOF_NAMES, SI_DOF_NAMES, Pose
from pelvis3d.model import MAX_EXAGGERATION, Pelvis
from pelvis3d.motions.motion import MOTIONS, Motion, get_motion
from pelvis3d.validation import real_number

__all__ = [
    "DEFAULT_LESSON_EXAGGERATION",
    "LESSON_ASSETS",
    "THREE_VERSION",
    "export_lesson",
    "lesson_data",
    "motion_frames",
]

#: The lesson page's starting exaggeration (the CLI's default for a .html output too); the
#: page says so and a slider changes it.
DEFAULT_LESSON_EXAGGERATION = 5.0

#: The vendored three.js release (``lesson_assets/three-lesson.min.js``, see ``VENDOR.md``).
THREE_VERSION = "0.187.0"
#: Files of ``pelvis3d/export/lesson_assets`` the page is built from.
LESSON_ASSETS = ("lesson.html", "lesson.css", "lesson-math.js", "lesson-app.js", "three-lesson.min.js")
#: The joint surfaces whose fields make the scalar metrics (as ``Pelvis.metrics``).
METRIC_SURFACES = ("left_si_innominate", "right_si_innominate", "left_pubic_face", "right_pubic_face")
#: Frames per second at which a motion is sampled for the play button.
MOTION_FPS = 20.0
#: Landmarks the labels point at (their mean), per label text. Names missing in an anatomy are skipped.
LABELS = {
    "ASIS (L)": ("left_asis",),
    "ASIS (R)": ("right_asis",),
    "PSIS (L)": ("left_psis",),
    "PSIS (R)": ("right_psis",),
    "SI joint (L)": ("left_auricular_centre",),
    "SI joint (R)": ("right_auricular_centre",),
    "pubic symphysis": ("left_symphyseal_face_centre", "right_symphyseal_face_centre"),
    "sacrum (promontory)": ("sacral_promontory",),
}


def _b64(array: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _joint_chain(pelvis: Pelvis) -> list[list]:
    """``[child, parent, [dof names]]`` per body, parents first: the order of ``Pelvis.transforms``."""
    joint_of: dict[str, list[str]] = {}
    parent_of: dict[str, str] = {}
    for dof in pelvis.dofs.values():
        joint_of.setdefault(dof.child, []).append(dof.name)
        parent_of[dof.child] = dof.parent
    chain, done, pending = [], {"world"}, ["pelvis", *BODIES]
    while pending:
        ready = [c for c in pending if parent_of.get(c, "world") in done]
        if not ready:
            raise PoseError(f"anatomy {pelvis.name!r}: joints form no tree from the world to {', '.join(pending)}")
        for child in ready:
            chain.append([child, parent_of.get(child, "world"), joint_of.get(child, [])])
            done.add(child)
            pending.remove(child)
    return chain


def motion_frames(motion: Motion, fps: float = MOTION_FPS) -> dict:
    """A motion sampled for the play button: times (s), ring-DOF angles (deg) and phase labels."""
    n = max(2, int(round(motion.duration * fps)) + 1)
    times = np.linspace(0.0, motion.duration, n)
    poses = [motion.pose_at(float(t)) for t in times]
    return {
        "name": motion.name,
        "description": getattr(motion, "description", ""),
        "loop": bool(getattr(motion, "loop", False)),
        "times": [round(float(t), 6) for t in times],
        "angles": {name: [float(getattr(p, name)) for p in poses] for name in DOF_NAMES},
        "labels": [motion.label_at(float(t)) for t in times],
    }


def _resolve_motion(motion: Motion | str) -> Motion:
    """A motion or exercise by name, a motion file, or a Motion as given."""
    if isinstance(motion, str) and motion not in MOTIONS and not motion.lower().endswith((".toml", ".json")):
        from pelvis3d.motions.exercises import EXERCISES, get_exercise

        if motion in EXERCISES:
            return get_exercise(motion)
        allowed = ", ".join([*MOTIONS, *EXERCISES])
        raise PoseError(f"unknown motion {motion!r}; allowed: {allowed}, or a .toml/.json motion file")
    return get_motion(motion)


def lesson_data(
    pelvis: Pelvis,
    motion: Motion | None = None,
    exaggeration: float = DEFAULT_LESSON_EXAGGERATION,
    pose: Pose | None = None,
) -> dict:
    """Everything the page needs, JSON-ready: meshes (base64), joint chain, DOFs, surfaces, landmarks.

    Millimetres and degrees, ISB pelvis frame.
    """
    a = pelvis.anatomy
    bodies = {}
    for body in BODIES:
        v = np.asarray(a.vertices[body], dtype=np.float64)
        f = np.asarray(a.faces[body])
        index_type = "<u2" if len(v) < 65536 else "<u4"
        bodies[body] = {
            "positions": _b64(v, "<f4"),
            "faces": _b64(f, index_type),
            "index_bytes": 2 if index_type == "<u2" else 4,
            "colour": BODY_COLOURS.get(body, "#dddddd"),
        }
    surfaces = {}
    for name, surf in pelvis.joint_surfaces.items():
        target = _partner(name, surf.body)
        if target is None:
            continue
        entry = {"body": surf.body, "target": target, "vertices": [int(i) for i in surf.vertices]}
        if name.endswith("_si_innominate"):
            # the anterior half as Pelvis.metrics splits it: X at or beyond the median at neutral
            x = np.asarray(a.vertices[surf.body])[surf.vertices, 0]
            entry["anterior"] = [bool(b) for b in x >= np.median(x)]
        surfaces[name] = entry
    missing = [s for s in METRIC_SURFACES if s not in surfaces]
    if missing:
        raise PoseError(f"anatomy {pelvis.name!r} lacks joint surface(s) {', '.join(missing)} for the lesson page")
    return {
        "name": pelvis.name,
        "attribution": str(getattr(a, "attribution", "") or ""),
        "bodies": bodies,
        "body_order": list(BODIES),
        "chain": _joint_chain(pelvis),
        "dofs": {
            n: {
                "axis": [float(x) for x in d.axis],
                "pivot": [float(x) for x in d.pivot_mm],
                "physiological": [float(x) for x in d.physiological_deg],
                "hard": [float(x) for x in d.hard_deg],
                "description": d.description,
            }
            for n, d in pelvis.dofs.items()
        },
        "ring_dofs": list(SI_DOF_NAMES),
        "surfaces": surfaces,
        "metric_surfaces": list(METRIC_SURFACES),
        "landmarks": {
            n: {"body": lm.body, "position": [float(x) for x in lm.position_mm]} for n, lm in a.landmarks.items()
        },
        "labels": {text: list(names) for text, names in LABELS.items() if all(n in a.landmarks for n in names)},
        "exaggeration": float(exaggeration),
        "start": {n: float(getattr(pose or Pose(), n)) for n in SI_DOF_NAMES},
        "max_exaggeration": MAX_EXAGGERATION,
        "colormap_limit_mm": 2.0,
        "motion": motion_frames(motion) if motion is not None else None,
    }


def _partner(surface: str, body: str) -> str | None:
    """The bone a joint surface faces (the rule of :mod:`pelvis3d.metrics`)."""
    if "_si_" in surface:
        side = surface.split("_", 1)[0]
        return "sacrum" if body.endswith("innominate") else f"{side}_innominate"
    if surface.endswith("pubic_face"):
        return "right_innominate" if body == "left_innominate" else "left_innominate"
    return None


def _asset(name: str) -> str:
    return resources.files("pelvis3d.export").joinpath("lesson_assets", name).read_text(encoding="utf-8")


def _inline_script(code: str) -> str:
    # "</script" would end the element early; "<\\/script" means the same inside JS strings
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def lesson_html(
    pelvis: Pelvis,
    motion: Motion | None = None,
    exaggeration: float = DEFAULT_LESSON_EXAGGERATION,
    pose: Pose | None = None,
) -> str:
    """The page as one string (see :func:`export_lesson`)."""
    data = json.dumps(lesson_data(pelvis, motion, exaggeration, pose), separators=(",", ":"))
    page = _asset("lesson.html")
    # the template's words first (every occurrence), then the code blocks (once each): the
    # inlined code is never searched for placeholders
    for key, value in (
        ("__TITLE__", f"pelvis3d lesson: {pelvis.name}".replace("&", "&amp;").replace("<", "&lt;")),
        ("__THREE_VERSION__", THREE_VERSION),
    ):
        page = page.replace(key, value)
    blocks = {
        "/*LESSON_CSS*/": _asset("lesson.css"),
        "/*LESSON_DATA*/": _inline_script(data),
        "/*THREE_JS*/": _inline_script(_asset("three-lesson.min.js")),
        "/*LESSON_MATH*/": _inline_script(_asset("lesson-math.js")),
        "/*LESSON_APP*/": _inline_script(_asset("lesson-app.js")),
    }
    pieces = re.split(r"(/\*(?:LESSON_CSS|LESSON_DATA|THREE_JS|LESSON_MATH|LESSON_APP)\*/)", page)
    if sorted(p for p in pieces if p in blocks) != sorted(blocks):
        raise RuntimeError("lesson.html template: each code placeholder must appear once")  # a packaging fault
    page = "".join(blocks.get(p, p) for p in pieces)
    return page


def _check_motion(pelvis: Pelvis, motion: Motion) -> None:
    """Refuse a motion whose ring angles pass a hard limit; warn once per DOF beyond the
    physiological range. Whole-pelvis posture (an exercise lying on its side) is not shown."""
    frames = motion_frames(motion)["angles"]
    for name in SI_DOF_NAMES:
        values = np.asarray(frames[name])
        worst = float(values[np.argmax(np.abs(values))])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            pelvis.check_pose(Pose(**{name: float(values.min())}))
            pelvis.check_pose(Pose(**{name: float(values.max())}))
        lo, hi = pelvis.dofs[name].physiological_deg
        if not lo <= worst <= hi:
            warnings.warn(
                f"motion {motion.name!r}: {name} reaches {worst:g} deg, beyond the physiological range "
                f"[{lo:g}, {hi:g}] deg",
                PhysiologicalRangeWarning,
                stacklevel=3,
            )


def export_lesson(
    path: str | os.PathLike[str],
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    motion: Motion | str | None = None,
    *,
    exaggeration: float = DEFAULT_LESSON_EXAGGERATION,
    pose: Pose | None = None,
) -> Path:
    """Write the lesson page: one self-contained ``.html`` that works offline from disk.

    Parameters
    ----------
    path : path-like
        Output ``.html`` (or ``.htm``) file; written atomically.
    pelvis : Pelvis or path-like, optional
        The model (default: the built-in pelvis), or an anatomy folder / model file.
    motion : Motion or str, optional
        A motion or exercise (name or ``.toml``/``.json`` file) for the page's play button.
    exaggeration : float
        Starting display factor (1-20) of the page's exaggeration slider.
    pose : Pose, optional
        Starting slider positions (its pelvic-ring angles, degrees; checked against the hard
        limits). Default: neutral.

    Returns
    -------
    Path
        The written file.
    """
    out = check_output_path(path, (".html", ".htm"))
    factor = real_number(exaggeration, "exaggeration")
    if not 1.0 <= factor <= MAX_EXAGGERATION:
        raise PoseError(f"exaggeration={exaggeration!r} is outside the allowed range [1, {MAX_EXAGGERATION:g}]")
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    if pose is not None:
        model.check_pose(pose)
    played = _resolve_motion(motion) if motion is not None else None
    if played is not None:
        _check_motion(model, played)
    html = lesson_html(model, played, factor, pose)
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out
