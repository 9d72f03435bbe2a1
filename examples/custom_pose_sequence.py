"""A custom pose sequence: the left innominate opens while the right closes, then both return.

Builds a Motion from keyframes (time in s, true angles in degrees), prints the pubic gap
along it, and renders it as a GIF from the oblique view.

    python examples/custom_pose_sequence.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import pelvis3d
from pelvis3d import Keyframe, Motion, Pose

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
motion = Motion(
    "asymmetric",
    (
        Keyframe(0.0, Pose()),
        Keyframe(1.0, Pose(left_rotation=1.5, right_rotation=-0.8)),
        Keyframe(1.5, Pose(left_rotation=1.5, right_rotation=-0.8), easing="hold"),
        Keyframe(2.5, Pose()),
    ),
    description="left side out, right side in",
)
pelvis = pelvis3d.Pelvis()
for t in (0.0, 0.5, 1.0, 2.0):
    gap = pelvis.posed(motion.pose_at(t)).metrics.pubic_gap_mm
    print(f"t={t:.1f} s  pubic gap {gap:.2f} mm")
print(
    pelvis3d.render_animation(motion, out / "asymmetric.gif", frames=25, size=(640, 480), view="oblique", pelvis=pelvis)
)
