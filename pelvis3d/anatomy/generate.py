"""Rebuild the built-in pelvis meshes: ``python -m pelvis3d.anatomy.generate``.

Writes the default adult into ``meshes/`` and the female and male variants into
``meshes/female/`` and ``meshes/male/`` (deterministic; ~20-30 s of CPU per variant). The
variants are independent, so they build in worker processes, one per CPU (``--workers``);
the files are the same whatever the number of workers. The generator itself lives in
:mod:`pelvis3d.anatomy.generator`.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pelvis3d.anatomy.generator import VARIANTS, AnatomyParameters, generate, variant_parameters, write_meshes

__all__ = ["build_variant", "main", "variant_folder"]


def variant_folder(root: Path, variant: str) -> Path:
    """Where a variant is written under ``root``: the adult in ``root``, the others in ``root/<name>``."""
    return root if variant == "adult" else root / variant


def build_variant(variant: str, overrides: dict[str, float], out: Path) -> list[Path]:
    """Build one variant with parameter ``overrides`` and write it under ``out``; the files written."""
    built = generate(variant_parameters(variant, **overrides), name=VARIANTS[variant][0])
    return write_meshes(built, variant_folder(out, variant))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m pelvis3d.anatomy.generate [--out DIR] [--variant NAME] [--voxel-mm V] ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m pelvis3d.anatomy.generate",
        description="Rebuild the built-in pelvis meshes and sidecars (deterministic).",
    )
    default_out = Path(__file__).resolve().parents[2] / "meshes"
    parser.add_argument("--out", type=Path, default=default_out, help=f"output folder (default: {default_out})")
    parser.add_argument(
        "--variant",
        choices=[*VARIANTS, "all"],
        default="all",
        help="which pelvis to build (default: all; the adult goes into --out, the others into --out/<name>)",
    )
    defaults = AnatomyParameters()
    for field in dataclasses.fields(AnatomyParameters):
        parser.add_argument(
            "--" + field.name.replace("_", "-"),
            type=type(getattr(defaults, field.name)),
            default=None,
            help=f"override for every variant built (adult default: {getattr(defaults, field.name)})",
        )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes building variants side by side (default: one per CPU, at most one per variant)",
    )
    args = parser.parse_args(argv)
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(AnatomyParameters)}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    variants = list(VARIANTS) if args.variant == "all" else [args.variant]
    if args.workers is not None and args.workers < 1:
        parser.exit(2, f"error: --workers must be a whole number >= 1, got {args.workers}\n")
    for variant in variants:  # every parameter checked before any work starts
        try:
            variant_parameters(variant, **overrides).validate()
        except ValueError as exc:
            parser.exit(2, f"error: {exc}\n")
    workers = min(len(variants), args.workers or os.cpu_count() or 1)
    if workers == 1:
        written = [build_variant(v, overrides, args.out) for v in variants]
    else:
        # spawn: a clean interpreter per worker, as for the render workers
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            written = list(pool.map(build_variant, variants, [overrides] * len(variants), [args.out] * len(variants)))
    for paths in written:
        for path in paths:
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
