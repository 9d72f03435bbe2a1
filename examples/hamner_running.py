"""A runner's pelvis: the Hamner et al. (2010) running trial and model from OpenSim, in pelvis3d.

Reads the inverse-kinematics motion (``.mot``) and the model (``.osim``, with its pelvis meshes),
prints what the model gave and the pelvis's range over the trial, and renders the runner's view:
the mid-trial frame (PNG) and the first second as a GIF. The pelvic ring's ER/IR follows the hips
by the assumed coupling (0.03 deg per deg), as every frame says.

    python examples/hamner_running.py [OUTPUT_FOLDER] [TRIAL.mot] [MODEL.osim]

By default the files come from ``../shared/real-data/opensim-hamner-running/`` beside the
repository. The whole 10 s trial as MP4: ``pelvis3d run TRIAL.mot run.mp4 --model MODEL.osim``.
"""

import sys
import warnings
from pathlib import Path

import numpy as np

import pelvis3d
from pelvis3d.render.runner import render_runner

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
data = Path(__file__).resolve().parents[1].parent / "shared" / "real-data" / "opensim-hamner-running"
trial = Path(sys.argv[2]) if len(sys.argv) > 2 else data / "subject02_running_ik.mot"
model = Path(sys.argv[3]) if len(sys.argv) > 3 else data / "FullBodyModel_Hamner2010_v2_0.osim"
if not trial.is_file():  # without the shared data: a made-up 1.4 Hz stride, written as an OpenSim file
    print(f"no OpenSim trial at {trial}: using a synthetic stride instead (not measured data)")
    t = np.linspace(0.0, 2.0, 121)
    phase = 2 * np.pi * 1.4 * t
    stride = pelvis3d.SampledMotion(
        "synthetic-stride", t,
        {"hip_flexion_r": 15 + 30 * np.sin(phase), "hip_flexion_l": 15 - 30 * np.sin(phase),
         "knee_angle_r": -45 + 40 * np.cos(phase), "knee_angle_l": -45 - 40 * np.cos(phase),
         "hip_rotation_r": 6 * np.sin(phase), "hip_rotation_l": -6 * np.sin(phase),
         "pelvis_rotation": 4 * np.sin(phase), "pelvis_tilt": 8 + 2 * np.sin(2 * phase)},
    )  # fmt: skip
    trial = out / "synthetic-stride.mot"
    stride.save(trial)

motion = pelvis3d.Motion.load(trial)  # exact data: pelvis posture and leg angles, no ring motion
print(motion.description)
times = motion.times
poses = [motion.pose_at(t) for t in times]
for name in ("pelvis_tilt", "pelvis_obliquity", "pelvis_rotation", "hip_rotation_r", "hip_rotation_l"):
    values = np.array([getattr(p, name) for p in poses])
    print(f"{name:18s} {values.min():6.1f} .. {values.max():5.1f} deg")  # pelvis3d's signs; hips: OpenSim's

pelvis = None
if model.is_file():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the model's meshes are coarse: said in pelvis.derived
        pelvis = pelvis3d.Pelvis.load(model)
    for what in ("frame", "meshes", "landmark right_asis", "landmark right_hip_centre"):
        print(f"{what}: {pelvis.derived.get(what, '-')}")
    print(f"credit: {pelvis.anatomy.attribution}")

print(render_runner(trial, out / "runner-mid-trial.png", pelvis=pelvis))
print(render_runner(trial, out / "runner-first-second.gif", fps=10, frames=10, size=(480, 360), pelvis=pelvis))
