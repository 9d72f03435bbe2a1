"""Bring your own anatomy: three STL files in metres and a model file, loaded and rendered.

Writes the built-in bones as STL (metres) with a model file beside them, loads that model,
prints what pelvis3d derived from the meshes, and renders a top view with the credit line.

    python examples/own_anatomy.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import pelvis3d

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
for body, mesh in pelvis3d.Pelvis().meshes().items():
    mesh.apply_scale(0.001)  # mm -> m
    mesh.export(out / f"my_{body}.stl")
model = out / "my-pelvis.toml"
model.write_text(
    """\
name = "my pelvis"
units = "m"
attribution = "Example meshes exported from pelvis3d"

[meshes]
sacrum = "my_sacrum.stl"
left_innominate = "my_left_innominate.stl"
right_innominate = "my_right_innominate.stl"

[axes]
anterior = "+x"
superior = "+y"
right = "+z"
"""
)
pelvis = pelvis3d.Pelvis.load(model)
for what, how in pelvis.derived.items():
    print(f"{what}: {how}")
print(pelvis3d.render_image(pelvis3d.Pose(rotation=1), out / "my-pelvis-top.png", view="top", pelvis=pelvis))
