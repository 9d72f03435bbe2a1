"""Plain-text reports: the metrics table and name listings (no rendering libraries)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from pelvis3d.kinematics import DOF_NAMES, Pose

__all__ = ["metrics_rows", "metrics_table", "listing"]

_ROWS = (
    ("pubic gap", "pubic_gap_mm"),
    ("pubic gap change", "pubic_gap_change_mm"),
    ("pubic vertical shear (L above R)", "pubic_shear_mm"),
    ("SI space left, mean", ("si_space_mm", "left")),
    ("SI space left, anterior half", ("si_anterior_space_mm", "left")),
    ("SI space left, posterior half", ("si_posterior_space_mm", "left")),
    ("SI space left, minimum", ("si_min_space_mm", "left")),
    ("SI posterior change left", ("si_posterior_change_mm", "left")),
    ("SI space right, mean", ("si_space_mm", "right")),
    ("SI space right, anterior half", ("si_anterior_space_mm", "right")),
    ("SI space right, posterior half", ("si_posterior_space_mm", "right")),
    ("SI space right, minimum", ("si_min_space_mm", "right")),
    ("SI posterior change right", ("si_posterior_change_mm", "right")),
    ("inter-ASIS distance", "inter_asis_mm"),
    ("inter-ASIS change", "inter_asis_change_mm"),
    ("inter-PSIS distance", "inter_psis_mm"),
    ("inter-PSIS change", "inter_psis_change_mm"),
)


def _value(metrics, key) -> float:
    if isinstance(key, tuple):
        return float(getattr(metrics, key[0])[key[1]])
    return float(getattr(metrics, key))


def metrics_rows(pelvis, columns: Sequence[tuple[str, Pose]], exaggeration: float = 1.0) -> list[dict]:
    """One dict per metric: ``{"metric": label, "<column>": value_mm, ...}``.

    With ``exaggeration`` > 1, each column is followed by ``"<column> shown xN"`` holding
    the metrics of the exaggerated geometry.
    """
    posed = [(name, pelvis.posed(pose, exaggeration)) for name, pose in columns]
    rows = []
    for label, key in _ROWS:
        row: dict = {"metric": f"{label} (mm)"}
        for name, p in posed:
            row[name] = _value(p.metrics, key)
            if exaggeration != 1.0:
                row[f"{name} shown x{exaggeration:g}"] = _value(p.shown_metrics, key)
        rows.append(row)
    contact = {"metric": "contact (bones would touch)"}
    overlap = {"metric": "overlap, deepest (mm; 0 = none)"}
    for name, p in posed:
        contact[name] = p.metrics.contact
        overlap[name] = p.metrics.overlap_mm
        if exaggeration != 1.0:
            contact[f"{name} shown x{exaggeration:g}"] = p.shown_metrics.contact
            overlap[f"{name} shown x{exaggeration:g}"] = p.shown_metrics.overlap_mm
    rows.append(contact)
    rows.append(overlap)
    return rows


def metrics_table(pelvis, columns: Sequence[tuple[str, Pose]], exaggeration: float = 1.0, fmt: str = "table") -> str:
    """The metrics of several poses as an aligned text table, CSV or JSON."""
    rows = metrics_rows(pelvis, columns, exaggeration)
    if fmt == "json":
        return json.dumps(
            {"model": pelvis.name, "poses": {n: p.as_dict() for n, p in columns}, "metrics": rows}, indent=1
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    headers = list(rows[0])
    cells = [[r["metric"]] + [_fmt(r[h]) for h in headers[1:]] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=False)))
    ]
    lines.append("  ".join("-" * w for w in widths))
    for c in cells:
        lines.append(
            "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(c, widths, strict=False)))
        )
    poses = "; ".join(f"{n}: {p!r}" for n, p in columns)
    lines.append(f"\nmodel: {pelvis.name}. Poses (deg): {poses}.")
    if getattr(pelvis.anatomy, "attribution", ""):
        lines.append(f"credit: {pelvis.anatomy.attribution}")
    return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "overlap" if value else "no"
    return f"{value:.2f}"


def _dof_listing(pelvis) -> str:
    """Each DOF's ranges; a ring DOF's physiological range with the tolerance that ends it."""
    ranges = pelvis.physiological_ranges()
    dofs = pelvis.dofs
    lines = []
    for name in [*DOF_NAMES[:5], "rotation", "tilt", *DOF_NAMES[5:]]:
        d = dofs[name if name in dofs else f"left_{name}"]
        lo, hi = ranges.get(name, d.physiological_deg)
        what = d.description if name in dofs else f"both sides together ({name}=)"
        if name in ranges:
            why = _ended_by(pelvis, name, lo, hi, d.hard_deg)
            source = f" [{why}]" if why else ""
        else:
            source = " [posture range, assumed]"
        lines.append(
            f"{name:18s} physiological {lo:g}..{hi:g} deg{source}, hard {d.hard_deg[0]:g}..{d.hard_deg[1]:g} deg: {what}"
        )
    lines.extend(_leg_listing())
    lines.append(
        "Ring DOF ranges: where the DOF alone keeps the ring within the published joint tolerances "
        "(pelvis3d.tolerances), computed from this pelvis's geometry."
    )
    return "\n".join(lines)


#: What each leg coordinate does, with OpenSim's signs (see pelvis3d.legs).
LEG_DESCRIPTIONS = {
    "hip_flexion": "hip flexion (+, knee forward) / extension (-) about the pelvis Z axis at the hip centre",
    "hip_adduction": "hip adduction (+, knee toward the midline) / abduction (-)",
    "hip_rotation": "hip internal (+) / external (-) rotation",
    "knee_angle": "knee extension (+) / flexion (-), 0 = straight",
    "ankle_angle": "ankle dorsiflexion (+) / plantarflexion (-)",
}


def _leg_listing() -> list[str]:
    """The legs' coordinates (OpenSim's names; ``_l`` and ``_r`` for each side)."""
    from pelvis3d.legs import LEG_HARD_DEG, LEG_PHYSIOLOGICAL_DEG

    lines = []
    for joint, what in LEG_DESCRIPTIONS.items():
        lo, hi = LEG_PHYSIOLOGICAL_DEG[joint]
        hlo, hhi = LEG_HARD_DEG[joint]
        lines.append(
            f"{joint + '_l/_r':18s} physiological {lo:g}..{hi:g} deg [AAOS, Greene & Heckman 1994], "
            f"hard {hlo:g}..{hhi:g} deg [Hamner et al. 2010]: {what} (drawn in exercises and OpenSim motions)"
        )
    return lines


def _ended_by(pelvis, name: str, lo: float, hi: float, hard: tuple[float, float]) -> str:
    """The tolerances just beyond each end of a range (``"hard limit"`` where it reaches it)."""
    import warnings

    parts = []
    for end, limit in ((hi, hard[1]), (lo, hard[0])):
        if end == limit:
            parts.append("hard limit")
            continue
        angle = end + 0.02 * (1 if end > 0 else -1)
        pose = (
            Pose(**{name: angle})
            if name not in ("rotation", "tilt")
            else Pose(**{f"left_{name}": angle, f"right_{name}": angle})
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = pelvis.ring_excesses(pose)
        parts.append(
            ", ".join(
                sorted(
                    {
                        f"{e.tolerance.label} {e.tolerance.limit:g} {e.tolerance.unit} ({e.tolerance.source})"
                        for e in found
                    }
                )
            )
        )
    return parts[0] if parts[0] == parts[1] else f"+: {parts[0]}; -: {parts[1]}"


def listing(what: str, pelvis=None) -> str:
    """Names pelvis3d accepts: ``dofs``, ``landmarks``, ``surfaces``, ``views`` or ``motions``."""
    if what == "dofs":
        return _dof_listing(pelvis)
    if what == "landmarks":
        return "\n".join(
            f"{n:30s} {pelvis.landmark_bodies[n]:17s} {v[0]:8.1f} {v[1]:8.1f} {v[2]:8.1f} mm"
            for n, v in pelvis.landmarks.items()
        )
    if what == "surfaces":
        return "\n".join(f"{n:22s} {s.body:17s} {len(s.vertices)} vertices" for n, s in pelvis.joint_surfaces.items())
    if what == "derived":
        derived = pelvis.derived or {"(nothing)": "every joint surface, landmark and pivot was given"}
        return "\n".join(f"{k}: {v}" for k, v in derived.items())
    if what == "views":
        from pelvis3d.render.views import VIEWS

        return "\n".join(f"{n:8s} {v.description}" for n, v in VIEWS.items())
    if what == "motions":
        from pelvis3d.motions.motion import MOTIONS

        return "\n".join(f"{n:22s} {m.description}" for n, m in MOTIONS.items())
    raise ValueError(f"unknown listing {what!r}; allowed: dofs, landmarks, surfaces, derived, views, motions")
