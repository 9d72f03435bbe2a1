"""Named parameters of the built-in pelvis and its female and male variants.

Every variant comes from the same generator; only these numbers differ. Sources:

- inter-ASIS distance, true conjugate and inter-ischial-spine distance: Ahrend et al. 2020
  (women 225 / 116 / 105 mm, men 227 / 105 / 88 mm).
- femoral head diameter: femur morphometry (women 44 +/- 3, men 49 +/- 3 mm); the acetabulum
  is built around the head, so its width follows (women 56.5, men 61.5 mm, Clin Orthop Surg 2022).
- acetabular anteversion: women ~26, men ~19 deg (JBJS-Br, via biomechanics.md).
- pubic symphysis width: women 4.9, men 5.9 mm (Becker et al. 2010).
- subpubic angle: women 80-85 deg, men 50-60 deg (Standring, Gray's Anatomy 41st ed. 2016,
  "Pelvic girdle"; the classic sexing trait).
- sacrum: in women relatively wider and less curved, in men narrower and more curved
  (Gray's Anatomy, as above). The sizes of these two differences here are **assumed**
  (a few per cent of width, a few mm of curvature), not measured values.
- pelvic inlet shape, seen along its axis: oval in women, heart-shaped in men (Gray's Anatomy
  1918, "Differences between the male and female pelves": more nearly circular in the female;
  Ellis, Clinical Anatomy, "heart-shaped in the male, oval in the female"). Transverse
  diameter: women 130-135 mm (obstetric references, e.g. Van Blarcom 1922: 13.5 cm with a
  true conjugate of 11 cm; biomechanics.md), larger than in men, the difference "specially
  noticeable in the transverse diameter", and its greatest transverse diameter lies further
  forward in women (Cyclopedia of Obstetrics and Gynecology, "The true pelvis"). Where the
  inlet is widest: in the gynecoid (typical female) inlet the posterior sagittal diameter
  (promontory to the greatest transverse diameter) is only slightly shorter than the
  anterior; in the android (typical male) one much shorter, with a narrow, triangular
  forepelvis (Caldwell & Moloy 1933, as given in Williams Obstetrics); women have the larger
  posterior inlet space in all six skeletal samples of "Similarities in pelvic dimorphisms
  across populations" (668 pelves). The male sacrum has the
  more pronounced promontory (Gray's Anatomy). The brim, pubic ramus and promontory
  parameters below are set to give those shapes; their sizes are **assumed** (the measured
  results are in the README table).

The default adult sits between the two (means of the female and male values, where both exist;
its promontory projection is left at 0, assumed).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

__all__ = ["AnatomyParameters", "VARIANTS", "variant_parameters"]


@dataclass(frozen=True)
class AnatomyParameters:
    """Named parameters of the built-in pelvis (millimetres and degrees).

    Parameters
    ----------
    inter_asis_mm : float
        Distance between the two anterior superior iliac spines; the whole shape scales with
        it (Ahrend 2020: women 225 +/- 20, men 227 +/- 13 mm).
    si_joint_space_mm : float
        Neutral sacroiliac joint space (CT: ~1.9-2.3 mm).
    pubic_gap_mm : float
        Neutral pubic symphysis width (2.6-5.9 mm across studies).
    femoral_head_mm : float
        Diameter of the femoral head the acetabulum is built around (women 44, men 49 mm).
    acetabular_clearance_mm : float
        Radial clearance between that head and the lunate surface of the cup (assumed: the
        two cartilage layers of a living joint, ~1 mm each, are not modelled).
    anteversion_deg : float
        Acetabular anteversion: how far the cup opens anteriorly (women ~26, men ~19 deg).
    conjugate_shift_mm : float
        Shift of the sacrum and the SI joint region along the true conjugate (posterior-superior)
        from its modelling coordinates; larger gives a longer conjugate (set so women ~116 and men
        ~105 mm, Ahrend 2020).
    ischial_spine_lateral_mm : float
        Distance of each ischial spine tip from the midline (half the inter-spine distance).
    subpubic_angle_deg : float
        Angle between the construction lines of the two inferior pubic rami below the
        symphysis. The arch measured on the mesh at its apex is narrower, because the rami
        thicken where they meet the pubic bodies (female 85 -> 83 deg, male 63 -> 52 deg), so
        the male value is set above the published 50-60 deg to measure inside it.
    sacrum_width_scale : float
        Left-right scale of the sacrum: alae, lateral masses and the distance of the SI joint
        surfaces from the midline (assumed sex difference).
    sacral_curvature_mm : float
        Forward curl of the lower sacrum (S3-S5) and coccyx beyond the default (assumed).
    brim_middle_widening_mm : float
        Lateral shift of each arcuate line (pelvic brim) above the acetabulum, from its
        modelling coordinates: the middle of the inlet. Wider here than behind gives a round or oval inlet,
        widest near its middle (female); narrower gives a triangular front (male).
    brim_posterior_widening_mm : float
        Lateral shift of each arcuate line in front of the SI joint, from its modelling
        coordinates: the back of the inlet. Wider here than in the middle gives a heart-shaped inlet, widest close
        behind the promontory (male).
    pubic_ramus_shift_mm : float
        Lateral shift of the superior pubic ramus where it leaves the acetabulum (the front of
        the inlet), from its modelling coordinates. The female ramus is longer and runs more
        transversely (a wide, rounded front), the male shorter and more oblique (a narrow,
        triangular front); sizes assumed.
    promontory_projection_mm : float
        How far the S1 body, whose upper front edge is the sacral promontory, stands forward
        of its modelling coordinates, ahead of the alae (pronounced in men, Gray's Anatomy; size assumed).
    voxel_mm : float
        Marching-cubes grid spacing of the innominate. Smaller is finer.
    smoothing_iterations : int
        Taubin smoothing passes after contouring.
    sacrum_voxel_mm : float
        Marching-cubes grid spacing of the sacrum.
    innominate_triangles : int
        Triangle budget of each innominate after decimation (0: no decimation).
    sacrum_triangles : int
        Triangle budget of the sacrum (0: no decimation); the three bones stay <= 60k.
    """

    inter_asis_mm: float = 225.0
    si_joint_space_mm: float = 2.0
    pubic_gap_mm: float = 4.5
    femoral_head_mm: float = 46.0
    acetabular_clearance_mm: float = 1.0
    anteversion_deg: float = 22.0
    conjugate_shift_mm: float = 0.0
    ischial_spine_lateral_mm: float = 48.0
    subpubic_angle_deg: float = 70.0
    sacrum_width_scale: float = 1.0
    sacral_curvature_mm: float = 0.0
    brim_middle_widening_mm: float = 8.0
    brim_posterior_widening_mm: float = 6.5
    pubic_ramus_shift_mm: float = -1.0
    promontory_projection_mm: float = 0.0
    voxel_mm: float = 1.6
    smoothing_iterations: int = 12
    sacrum_voxel_mm: float = 1.6
    innominate_triangles: int = 19500
    sacrum_triangles: int = 19000

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first parameter outside its allowed range."""
        ranges = {
            "inter_asis_mm": (150.0, 320.0),
            "si_joint_space_mm": (0.5, 6.0),
            "pubic_gap_mm": (1.0, 12.0),
            "femoral_head_mm": (36.0, 58.0),
            "acetabular_clearance_mm": (0.0, 3.0),
            "anteversion_deg": (0.0, 40.0),
            "conjugate_shift_mm": (-15.0, 15.0),
            "ischial_spine_lateral_mm": (38.0, 60.0),
            "subpubic_angle_deg": (40.0, 100.0),
            "sacrum_width_scale": (0.85, 1.15),
            "sacral_curvature_mm": (-8.0, 8.0),
            "brim_middle_widening_mm": (-6.0, 14.0),
            "brim_posterior_widening_mm": (-6.0, 14.0),
            "pubic_ramus_shift_mm": (-8.0, 8.0),
            "promontory_projection_mm": (-4.0, 10.0),
            "voxel_mm": (0.5, 4.0),
            "smoothing_iterations": (0, 100),
            "sacrum_voxel_mm": (0.5, 4.0),
            "innominate_triangles": (0, 2_000_000),
            "sacrum_triangles": (0, 2_000_000),
        }
        for name, (lo, hi) in ranges.items():
            value = getattr(self, name)
            if not np.isfinite(value) or not lo <= value <= hi:
                raise ValueError(f"anatomy parameter {name}={value!r} is outside the allowed range [{lo}, {hi}]")


#: The shipped variants: name -> (description, parameters). ``adult`` ships in ``meshes/``,
#: the others in ``meshes/<name>/``.
VARIANTS: dict[str, tuple[str, AnatomyParameters]] = {
    "adult": ("pelvis3d built-in simplified adult pelvis", AnatomyParameters()),
    "female": (
        "pelvis3d built-in simplified female pelvis",
        AnatomyParameters(
            inter_asis_mm=225.0,
            pubic_gap_mm=4.9,
            femoral_head_mm=44.0,
            anteversion_deg=26.0,
            conjugate_shift_mm=6.5,
            ischial_spine_lateral_mm=52.5,
            subpubic_angle_deg=85.0,
            sacrum_width_scale=1.04,
            sacral_curvature_mm=-3.0,
            brim_middle_widening_mm=14.0,
            brim_posterior_widening_mm=7.0,
            pubic_ramus_shift_mm=3.0,
        ),
    ),
    "male": (
        "pelvis3d built-in simplified male pelvis",
        AnatomyParameters(
            inter_asis_mm=227.0,
            pubic_gap_mm=5.9,
            femoral_head_mm=49.0,
            anteversion_deg=19.0,
            conjugate_shift_mm=-2.0,
            ischial_spine_lateral_mm=44.0,
            subpubic_angle_deg=63.0,
            sacrum_width_scale=0.96,
            sacral_curvature_mm=3.0,
            brim_middle_widening_mm=2.0,
            brim_posterior_widening_mm=6.0,
            pubic_ramus_shift_mm=-5.0,
            promontory_projection_mm=6.0,
        ),
    ),
}


def variant_parameters(name: str, **overrides: float) -> AnatomyParameters:
    """Parameters of a named variant (``adult``, ``female``, ``male``) with optional overrides."""
    if name not in VARIANTS:
        raise ValueError(f"unknown pelvis variant {name!r}; allowed: {', '.join(VARIANTS)}")
    return dataclasses.replace(VARIANTS[name][1], **overrides)
