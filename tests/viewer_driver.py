"""Drive the desktop viewer in a real window (run by test_viewer.py under Xvfb); prints JSON."""

import json
import sys
import time
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


def press(key: str) -> None:
    """A key as X delivers it: KeyPressEvent, then CharEvent (where VTK's own keys live)."""
    iren.SetKeyEventInformation(0, 0, key, 0, key)
    iren.InvokeEvent("KeyPressEvent")
    iren.InvokeEvent("CharEvent")
    iren.InvokeEvent("KeyReleaseEvent")


press("w")  # ours: nothing (VTK's: wireframe)
result["representation_after_w"] = [a.GetProperty().GetRepresentation() for a in v.scene.actors.values()]
press("i")  # ours: the inlet view (VTK's: switch a slider off)
result["sliders_enabled_after_i"] = [bool(w.GetEnabled()) for w in v.sliders.values()]
result["view_after_i"] = v.scene.view
press("t")
# a mouse turn: press, drag 150 px, release; labels must follow the bones
w, h = v.plotter.window_size
iren.SetEventInformation(w // 2, h // 2, 0, 0, "\0", 0, "")
iren.InvokeEvent("LeftButtonPressEvent")
for k in range(1, 16):
    iren.SetEventInformation(w // 2 + 10 * k, h // 2 + 3 * k, 0, 0, "\0", 0, "")
    iren.InvokeEvent("MouseMoveEvent")
iren.InvokeEvent("LeftButtonReleaseEvent")
result["turned"] = v.camera_direction().round(3).tolist()
labels = v.scene.labels
anchors = labels.anchors(v.scene.shown_world_transforms())
pts = np.array([labels.points.GetPoint(i)[:2] for i in range(labels.points.GetNumberOfPoints())])
ends = pts[1::2]  # each leader's end, in the order the labels were placed
miss = np.linalg.norm(ends[:, None, :] - anchors[None, :, :], axis=-1)
result["leader_miss_px"] = float(max(miss.min(axis=1).max(), miss.min(axis=0).max()))  # both ways matched
result["labels"] = len(anchors)
result["multisamples_after_turn"] = v.plotter.ren_win.GetMultiSamples()
iren.SetKeySym("p")
iren.InvokeEvent("KeyPressEvent")
iren.SetKeySym("g")
iren.InvokeEvent("KeyPressEvent")
time.sleep(1.0)  # the first picture stays on screen for a second
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
