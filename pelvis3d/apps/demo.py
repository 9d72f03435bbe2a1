"""``pelvis3d demo``: the teaching set for a slide deck, written into one folder."""

from __future__ import annotations

import os
from pathlib import Path

from pelvis3d.apps.report import metrics_table
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis

__all__ = ["run_demo"]


def run_demo(
    folder: str | os.PathLike[str], *, pelvis: Pelvis | None = None, frames: int = 60, progress: bool | None = None
) -> list[Path]:
    """Write the article figure set, single views, an ER-IR cycle GIF and the metrics table.

    Parameters
    ----------
    folder : path-like
        Output folder (created if needed).
    pelvis : Pelvis, optional
        Model (default: built-in).
    frames : int
        Frames in the GIF.
    progress : bool, optional
        Progress bar for the GIF (default: when on a terminal).

    Returns
    -------
    list of Path
        The files written.
    """
    from pelvis3d.files import atomic_path
    from pelvis3d.render.layouts import article_panels, render_animation, render_figure, render_image

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    model = pelvis or Pelvis()
    written = [render_figure(out / "figure-article.png", article_panels(1.0), pelvis=model)]
    for name, pose, view in (
        ("rear-neutral", Pose(), "rear"),
        ("top-neutral", Pose(), "top"),
        ("top-external-rotation", Pose(rotation=1), "top"),
        ("top-internal-rotation", Pose(rotation=-1), "top"),
        ("oblique-external-rotation", Pose(rotation=1), "oblique"),
    ):
        written.append(render_image(pose, out / f"{name}.png", view=view, size=(1200, 900), pelvis=model))
    written.append(
        render_animation(
            "er-ir-cycle", out / "er-ir-cycle.gif", frames=frames, size=(800, 600), progress=progress, pelvis=model
        )
    )
    table = out / "metrics.txt"
    text = metrics_table(
        model, [("neutral", Pose()), ("ER 1 deg", Pose(rotation=1)), ("IR -1 deg", Pose(rotation=-1))], exaggeration=5.0
    )
    with atomic_path(table) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    written.append(table)
    csv_path = out / "metrics.csv"
    csv_text = metrics_table(
        model, [("neutral", Pose()), ("ER 1 deg", Pose(rotation=1)), ("IR -1 deg", Pose(rotation=-1))], fmt="csv"
    )
    with atomic_path(csv_path) as tmp:
        tmp.write_text(csv_text + "\n", encoding="utf-8")
    written.append(csv_path)
    return written
