"""Rebuild the built-in pelvis meshes: ``python -m pelvis3d.anatomy.generate``.

Writes the default adult into ``meshes/`` and the female and male variants into
``meshes/female/`` and ``meshes/male/`` (deterministic; about a minute per variant). The
generator itself lives in :mod:`pelvis3d.anatomy.generator`.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from pelvis3d.anatomy.generator import VARIANTS, AnatomyParameters, generate, variant_parameters, write_meshes

__all__ = ["main", "variant_folder"]


def variant_folder(root: Path, variant: str) -> Path:
    """Where a variant is written under ``root``: the adult in ``root``, the others in ``root/<name>``."""
    return root if variant == "adult" else root / variant


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
    args = parser.parse_args(argv)
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(AnatomyParameters)}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    variants = list(VARIANTS) if args.variant == "all" else [args.variant]
    for variant in variants:
        try:
            params = variant_parameters(variant, **overrides)
            built = generate(params, name=VARIANTS[variant][0])
        except ValueError as exc:
            parser.exit(2, f"error: {exc}\n")
        for path in write_meshes(built, variant_folder(args.out, variant)):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
