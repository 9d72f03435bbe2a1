"""Metrics over the course of a motion: a table (CSV) and a plot (matplotlib)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from pelvis3d.files import atomic_path, check_output_path
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import Motion, get_motion

__all__ = ["COLUMNS", "motion_metrics", "write_metrics_csv", "plot_metrics"]

#: CSV columns: time (s), true angles (deg) and true metrics (mm).
COLUMNS = (
    "time_s",
    "left_rotation_deg",
    "right_rotation_deg",
    "left_tilt_deg",
    "right_tilt_deg",
    "nutation_deg",
    "pubic_gap_mm",
    "pubic_gap_change_mm",
    "si_space_left_mm",
    "si_space_right_mm",
    "si_posterior_space_left_mm",
    "si_posterior_space_right_mm",
    "inter_asis_mm",
)


def _pelvis(pelvis) -> Pelvis:
    return pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)


def motion_metrics(
    motion: Motion | str,
    *,
    frames: int = 81,
    amplitude: float | None = None,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
) -> list[dict[str, float]]:
    """The true metrics at ``frames`` evenly spaced times over one pass of the motion (end included)."""
    m = get_motion(motion, amplitude)
    model = _pelvis(pelvis)
    times = np.linspace(0.0, m.duration, int(frames))
    rows = []
    for t in times:
        pose = m.pose_at(float(t))
        met = model.posed(pose).metrics
        rows.append(
            {
                "time_s": float(t),
                "left_rotation_deg": pose.left_rotation,
                "right_rotation_deg": pose.right_rotation,
                "left_tilt_deg": pose.left_tilt,
                "right_tilt_deg": pose.right_tilt,
                "nutation_deg": pose.nutation,
                "pubic_gap_mm": met.pubic_gap_mm,
                "pubic_gap_change_mm": met.pubic_gap_change_mm,
                "si_space_left_mm": met.si_space_mm["left"],
                "si_space_right_mm": met.si_space_mm["right"],
                "si_posterior_space_left_mm": met.si_posterior_space_mm["left"],
                "si_posterior_space_right_mm": met.si_posterior_space_mm["right"],
                "inter_asis_mm": met.inter_asis_mm,
            }
        )
    return rows


def write_metrics_csv(motion: Motion | str, path: str | os.PathLike[str], **options) -> Path:
    """Write :func:`motion_metrics` as CSV (atomically); returns the path."""
    out = check_output_path(path, (".csv",))
    rows = motion_metrics(motion, **options)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: f"{v:.6f}" for k, v in row.items()})
    with atomic_path(out) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")
    return out


def plot_metrics(motion: Motion | str, path: str | os.PathLike[str], **options) -> Path:
    """Plot pubic gap and SI joint space (per side) over time to a PNG; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = check_output_path(path, (".png",))
    rows = motion_metrics(motion, **options)
    m = get_motion(motion, options.get("amplitude"))
    t = [r["time_s"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, constrained_layout=True)
    ax1.plot(t, [r["pubic_gap_mm"] for r in rows], color="#b45309", lw=2)
    ax1.set_ylabel("pubic gap (mm)")
    ax1.set_title(f"{m.name}: joint spaces over time (true motion)")
    ax1.grid(alpha=0.3)
    for side, colour in (("left", "#1d4ed8"), ("right", "#047857")):
        ax2.plot(t, [r[f"si_space_{side}_mm"] for r in rows], color=colour, lw=2, label=f"SI space {side} (mean)")
        ax2.plot(
            t,
            [r[f"si_posterior_space_{side}_mm"] for r in rows],
            color=colour,
            lw=1.2,
            ls="--",
            label=f"SI back half {side}",
        )
    ax2.set_ylabel("SI joint space (mm)")
    ax2.set_xlabel("time (s)")
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, ncol=2)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return out
