"""Core timings: pose + all metrics per frame, and the import time of pelvis3d.

Targets (issue 2): pose + metrics <= 1 ms per frame on the default meshes; it runs for every
frame of every animation and every slider move. Prints figures; asserts nothing.

    python benchmarks/bench_core.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import pelvis3d

QUICK = os.environ.get("PELVIS3D_BENCH_QUICK") == "1"  # a short run, for the tests


def best_of(fn, repeat: int = 7, number: int = 200) -> float:
    """Best mean time per call in ms over ``repeat`` runs of ``number`` calls."""
    if QUICK:
        repeat, number = 1, 10
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i in range(number):
            fn(i)
        runs.append((time.perf_counter() - t0) / number * 1e3)
    return min(runs)


def main() -> None:
    pelvis = pelvis3d.Pelvis()
    # 41 different poses in turn, none left-right symmetric: every frame is computed afresh
    # (no reuse of a recent bone position, no mirror shortcut)
    poses = [pelvis3d.Pose(rotation=3 * ((i % 41) / 20 - 1), left_tilt=(i % 7 + 1) / 7) for i in range(41)]
    symmetric = [pelvis3d.Pose(rotation=3 * ((i % 41) / 20 - 1), tilt=(i % 7) / 7) for i in range(41)]

    def scalar(i: int) -> None:
        pelvis.posed(poses[i % 41]).metrics  # noqa: B018

    def scalar_symmetric(i: int) -> None:
        pelvis.posed(symmetric[i % 41]).metrics  # noqa: B018

    def with_fields(i: int) -> None:
        m = pelvis.posed(poses[i % 41]).metrics
        for name in m.fields:  # the sacral sides of the SI joints are computed on first access
            m.fields[name]

    def exaggerated(i: int) -> None:
        p = pelvis.posed(poses[i % 41], exaggeration=5)
        p.metrics, p.shown_metrics  # noqa: B018

    print(
        "pose + all metrics (SI spaces, pubic gap, shear, ASIS/PSIS, fields on the innominate SI "
        f"surfaces and symphyseal faces): {best_of(scalar):.3f} ms/frame  (target <= 1 ms)"
    )
    print(
        f"  + the sacral-side SI fields too (computed on first access): {best_of(with_fields, number=100):.3f} ms/frame"
    )
    print(f"  left-right symmetric poses (right side mirrored from the left): {best_of(scalar_symmetric):.3f} ms/frame")
    print(f"true + shown metrics at x5 exaggeration: {best_of(exaggerated, number=100):.3f} ms/frame")
    imports = []
    for _ in range(1 if QUICK else 5):
        out = subprocess.run(
            [sys.executable, "-c", "import time; t=time.perf_counter(); import pelvis3d; print(time.perf_counter()-t)"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        imports.append(float(out.stdout) * 1e3)
    print(f"import pelvis3d: median {statistics.median(imports):.0f} ms over 5 fresh processes")
    t0 = time.perf_counter()
    pelvis3d.Pelvis()
    print(f"Pelvis() load (meshes, distance trees, neutral metrics): {(time.perf_counter() - t0) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
