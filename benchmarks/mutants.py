"""Do the tests see wrong meaning? Apply each hand-made mutant to a copy of the package, run the
tests that should catch it, and print killed / survived.

    python benchmarks/mutants.py            # all mutants
    python benchmarks/mutants.py colour     # those whose name contains "colour"

Each mutant is one textual change that keeps the code running but makes a picture or a number
mean something else (the reliability pass found the suite letting these through). The
repository is never touched: the copy lives in a temporary folder beside a link to the shared
reference data, so the tests find it as they do in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = (
    Mutant(
        "reversed colour map, seen by the image cache alone",
        "pelvis3d/render/overlays/colormap.py",
        'cmap="RdBu",',
        'cmap="RdBu_r",',
        ("tests/test_render.py::test_each_overlay_matches_cache",),
    ),
    Mutant(
        "reversed colour map (red = gapping)",
        "pelvis3d/render/overlays/colormap.py",
        'cmap="RdBu",',
        'cmap="RdBu_r",',
        (
            "tests/test_mutants.py::test_compression_is_red_and_gapping_blue_after_external_rotation",
            "tests/test_render.py::test_each_overlay_matches_cache",
        ),
    ),
    Mutant(
        "negated colour values",
        "pelvis3d/render/overlays/colormap.py",
        "values /= colour_limit(name)",
        "values /= -colour_limit(name)",
        ("tests/test_mutants.py::test_compression_is_red_and_gapping_blue_after_external_rotation",),
    ),
    Mutant(
        "labels 0.4 font-heights apart (overlapping)",
        "pelvis3d/render/overlays/labels.py",
        "gap = 13 * self.scene.font_scale() * 1.9",
        "gap = 13 * self.scene.font_scale() * 0.4",
        ("tests/test_pictures.py::test_labels_do_not_collide_and_right_labels_point_right",),
    ),
    Mutant(
        "L/R label text swapped",
        "pelvis3d/render/overlays/labels.py",
        'both = [("left", "L"), ("right", "R")]',
        'both = [("left", "R"), ("right", "L")]',
        ("tests/test_pictures.py::test_labels_do_not_collide_and_right_labels_point_right",),
    ),
    Mutant(
        "JointMetrics.contact ignores SI contact",
        "pelvis3d/metrics.py",
        "return self.pubic_contact or any(self.si_contact.values())",
        "return self.pubic_contact",
        ("tests/test_mutants.py::test_contact_means_any_joint_touches",),
    ),
    Mutant(
        "ER/IR arrows drawn the other way",
        "pelvis3d/render/overlays/arrows.py",
        "angles = np.radians(np.linspace(-9.0, 9.0, 24)) * sense",
        "angles = np.radians(np.linspace(-9.0, 9.0, 24)) * -sense",
        ("tests/test_mutants.py::test_arrows_point_the_way_the_asis_moves",),
    ),
    Mutant(
        "ER/IR arrows swapped (the other arrow shown)",
        "pelvis3d/render/overlays/arrows.py",
        "SetVisibility(along_axis and sense > 0)",
        "SetVisibility(along_axis and sense < 0)",
        ("tests/test_mutants.py::test_arrows_point_the_way_the_asis_moves",),
    ),
    Mutant(
        "left SI column written with the right value",
        "pelvis3d/export/timeline.py",
        '"si_posterior_space_left_mm": met.si_posterior_space_mm["left"]',
        '"si_posterior_space_left_mm": met.si_posterior_space_mm["right"]',
        ("tests/test_mutants.py::test_metrics_csv_keeps_the_two_sides_apart",),
    ),
    Mutant(
        "inverted glTF quaternions",
        "pelvis3d/export/gltf.py",
        "q = Rotation.from_matrix(np.asarray(rot, float)).as_quat()",
        "q = Rotation.from_matrix(np.asarray(rot, float)).inv().as_quat()",
        ("tests/test_motions_export.py::test_animated_gltf_structure_matches_the_model",),
    ),
)


def run(mutant: Mutant, workdir: Path) -> tuple[str, float]:
    """Apply ``mutant`` to a fresh copy under ``workdir`` and run its tests: "killed" when they fail."""
    copy = workdir / "repo"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info")
    )
    target = copy / mutant.file
    text = target.read_text()
    if mutant.old not in text:  # every occurrence is mutated
        return "NOT APPLIED (code changed: update the mutant)", 0.0
    target.write_text(text.replace(mutant.old, mutant.new))
    env = {**os.environ, "PYTHONPATH": str(copy), "VTK_DEFAULT_OPENGL_WINDOW": "vtkEGLRenderWindow"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-W", "ignore", *mutant.tests],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode == 1:
        return "killed", seconds
    if proc.returncode == 0:
        return "SURVIVED", seconds
    return f"error (pytest exit {proc.returncode})", seconds


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(a in m.name for a in argv)]
    with tempfile.TemporaryDirectory(prefix="pelvis3d-mutants-") as tmp:
        workdir = Path(tmp)
        shared = ROOT.parent / "shared"
        if shared.is_dir():  # the tests find the reference data at ROOT.parent / "shared"
            (workdir / "shared").symlink_to(shared)
        results = []
        print(f"{'mutant':48s} {'result':10s} {'s':>5s}  tests")
        for mutant in chosen:
            result, seconds = run(mutant, workdir)
            results.append(result)
            print(
                f"{mutant.name:48s} {result:10s} {seconds:5.0f}  {', '.join(t.split('::')[-1] for t in mutant.tests)}"
            )
    killed = results.count("killed")
    print(f"{killed} of {len(results)} mutants killed")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
