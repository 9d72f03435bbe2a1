"""Deterministic generator of the built-in simplified pelvis and its female and male variants.

The three bones are signed-distance solids built from capsules, flat bars, ellipsoids and
curved sheets joined with smooth unions, contoured with marching cubes and lightly
Taubin-smoothed. Joint spaces are exact by construction: the innominate is carved by the
sacrum dilated by the SI joint space, and the pubic body by the mid-sagittal plane offset by
half the symphysis width, so the facing surfaces are congruent at neutral.

Modules: :mod:`~pelvis3d.anatomy.generator.parameters` (named, cited parameters and the
variants), :mod:`~pelvis3d.anatomy.generator.auricular` (the SI joint surface),
:mod:`~pelvis3d.anatomy.generator.sacrum`, :mod:`~pelvis3d.anatomy.generator.innominate`,
:mod:`~pelvis3d.anatomy.generator.meshing` and :mod:`~pelvis3d.anatomy.generator.build`.
``python -m pelvis3d.anatomy.generate`` rebuilds every variant.
"""

from pelvis3d.anatomy.generator.build import generate, write_meshes
from pelvis3d.anatomy.generator.parameters import VARIANTS, AnatomyParameters, variant_parameters

__all__ = ["AnatomyParameters", "VARIANTS", "generate", "variant_parameters", "write_meshes"]
