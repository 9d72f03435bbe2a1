"""Drive the desktop viewer in a real window (run by test_viewer.py under Xvfb); prints JSON."""

import json
import sys
from pathlib import Path

import numpy as np

from pelvis3d.apps.viewer import Viewer

out = Path(sys.argv[1])
v = Viewer(size=(1200, 800), output_dir=out)
v.open()
result = {"window": type(v.plotter.ren_win).__name__}
img0 = v.scene.screenshot()
text0 = v.metrics_text()
widget = v.sliders["left_rotation"]
widget.GetRepresentation().SetValue(1.5)
widget.InvokeEvent("InteractionEvent")  # what a drag fires, continuously
img1 = v.scene.screenshot()
result["angles"] = dict(v.angles)
result["text_changed"] = text0 != v.metrics_text()
result["text"] = v.metrics_text()
result["image_change"] = int(np.abs(img1.astype(int) - img0.astype(int)).max())
result["pixels_changed"] = float((np.abs(img1.astype(int) - img0.astype(int)).sum(axis=-1) > 60).mean())
iren = v.plotter.iren.interactor
directions = {}
for key in ("b", "t", "f", "l", "r", "o"):
    iren.SetKeySym(key)
    iren.InvokeEvent("KeyPressEvent")
    directions[key] = v.camera_direction().round(3).tolist()
result["directions"] = directions
iren.SetKeySym("p")
iren.InvokeEvent("KeyPressEvent")
iren.SetKeySym("g")
iren.InvokeEvent("KeyPressEvent")
v.set(left_rotation=-1.0)
v.set(left_rotation=0.5)
iren.SetKeySym("g")
iren.InvokeEvent("KeyPressEvent")
v.toggle("link sides", False)
v.set(right_rotation=-1.0)
result["unlinked"] = [v.angles["left_rotation"], v.angles["right_rotation"]]
v.toggle_play()
v.tick(0.5)
result["played"] = v.angles["left_rotation"]
v.close()
result["files"] = sorted(p.name for p in out.iterdir())
print(json.dumps(result))
