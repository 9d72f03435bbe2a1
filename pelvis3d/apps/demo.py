"""``pelvis3d demo``: the teaching set for a slide deck, written into one folder.

The still pictures render in other processes while this process renders the animation, so
the demo takes about the time of its longest part.
"""

from __future__ import annotations

import os
from pathlib import Path

from pelvis3d.anatomy import Anatomy
from pelvis3d.apps.report import metrics_table
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import DEFAULT_AMPLITUDE_DEG

__all__ = ["run_demo"]

#: True rotation per side of the teaching set: physiological (see DEFAULT_AMPLITUDE_DEG).
AMPLITUDE = DEFAULT_AMPLITUDE_DEG


#: The single views of the demo: file stem, true pose, view.
SINGLE_VIEWS = (
    ("rear-neutral", Pose(), "rear"),
    ("top-neutral", Pose(), "top"),
    ("top-external-rotation", Pose(rotation=AMPLITUDE), "top"),
    ("top-internal-rotation", Pose(rotation=-AMPLITUDE), "top"),
    ("oblique-external-rotation", Pose(rotation=AMPLITUDE), "oblique"),
)


def _still(anatomy: Anatomy, path: Path, view: str | None, pose: Pose | None, allow_overlap: bool = False) -> Path:
    """One still of the demo (``view=None``: the article figure), in a worker process."""
    from pelvis3d.render.backend import prepare_offscreen

    prepare_offscreen()
    from pelvis3d.render.layouts import article_panels, render_figure, render_image

    model = _worker_model(anatomy)
    if view is None:
        return render_figure(path, article_panels(AMPLITUDE), pelvis=model, workers=1, allow_overlap=allow_overlap)
    return render_image(pose, path, view=view, size=(1200, 900), pelvis=model, allow_overlap=allow_overlap)


_MODELS: dict[tuple, Pelvis] = {}


def _worker_model(anatomy: Anatomy) -> Pelvis:
    """One model per worker process (building the distance trees takes about a second)."""
    key = (anatomy.name, *(float(abs(v).sum()) for v in anatomy.vertices.values()))
    if key not in _MODELS:
        _MODELS[key] = Pelvis(anatomy)
    return _MODELS[key]


def run_demo(
    folder: str | os.PathLike[str],
    *,
    pelvis: Pelvis | None = None,
    frames: int = 60,
    progress: bool | None = None,
    workers: int | None = None,
    allow_overlap: bool = False,
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
    workers : int, optional
        Processes, this one included (default: one per CPU; 1 = everything in this process, in turn).
    allow_overlap : bool
        Show the full x5 even where bone would pass through bone (default: the internal-rotation
        pictures show the largest factor that keeps the joints apart, and say so).

    Returns
    -------
    list of Path
        The files written.
    """
    from pelvis3d.files import atomic_path
    from pelvis3d.render.layouts import article_panels, render_animation, render_figure, render_image
    from pelvis3d.render.parallel import choose_workers, spawn_pool

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    model = pelvis or Pelvis()
    stills = [(out / "figure-article.png", None, None)] + [(out / f"{s}.png", v, p) for s, p, v in SINGLE_VIEWS]
    n = choose_workers(workers, len(stills) + 1, min_shots_per_worker=1)  # the GIF and each still
    if n > 1:
        # the stills in n - 1 other processes while the GIF renders here (sharing one GIF's
        # frames among processes did not pay on 2 cores: see render.parallel.choose_workers)
        pool = spawn_pool(n - 1)
        try:
            jobs = [pool.submit(_still, model.anatomy, path, view, pose, allow_overlap) for path, view, pose in stills]
            gif = render_animation(
                "er-ir-cycle", out / "er-ir-cycle.gif", frames=frames, size=(800, 600), progress=progress,
                pelvis=model, workers=1, allow_overlap=allow_overlap,
            )  # fmt: skip
            written = [job.result() for job in jobs] + [gif]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        written = [
            render_figure(
                out / "figure-article.png",
                article_panels(AMPLITUDE),
                pelvis=model,
                workers=1,
                allow_overlap=allow_overlap,
            )  # fmt: skip
        ]
        for path, view, pose in stills[1:]:
            written.append(
                render_image(pose, path, view=view, size=(1200, 900), pelvis=model, allow_overlap=allow_overlap)
            )
        written.append(
            render_animation(
                "er-ir-cycle",
                out / "er-ir-cycle.gif",
                frames=frames,
                size=(800, 600),
                progress=progress,
                pelvis=model,
                workers=1,
                allow_overlap=allow_overlap,
            )  # fmt: skip
        )
    table = out / "metrics.txt"
    text = metrics_table(
        model,
        [
            ("neutral", Pose()),
            (f"ER {AMPLITUDE:g} deg", Pose(rotation=AMPLITUDE)),
            (f"IR {-AMPLITUDE:g} deg", Pose(rotation=-AMPLITUDE)),
        ],
        exaggeration=5.0,
    )
    with atomic_path(table) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    written.append(table)
    csv_path = out / "metrics.csv"
    csv_text = metrics_table(
        model,
        [
            ("neutral", Pose()),
            (f"ER {AMPLITUDE:g} deg", Pose(rotation=AMPLITUDE)),
            (f"IR {-AMPLITUDE:g} deg", Pose(rotation=-AMPLITUDE)),
        ],
        fmt="csv",
    )
    with atomic_path(csv_path) as tmp:
        tmp.write_text(csv_text + "\n", encoding="utf-8")
    written.append(csv_path)
    return written
