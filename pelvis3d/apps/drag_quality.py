"""Drag quality: a cheaper picture while the hand moves, full quality when it stops.

As ParaView's interactive render: while a slider is dragged or the camera turned, a
software-rendered frame must keep up with the hand (issue 15: <= 1.3x a bare pyvista render of
the same meshes, see ``benchmarks/bench_viewer.py``). What it costs, measured on a machine
without a GPU (Mesa llvmpipe, 1400x900): 4x multisampling about doubles a frame; pyvista's
light kit (five lights) costs about as much as the rest of the frame together; the translucent
ghost is a second pass over the innominates; the magnifier insets are three more renderers
and three section cuts per move. While dragging, the picture is drawn without
multisampling, lit by one headlight (the side facing the viewer stays lit), without the
ghost and insets, and the labels are laid out again at most every ``LABEL_INTERVAL_S``;
everything comes back when the hand stops.
"""

from __future__ import annotations

import time

__all__ = ["LABEL_INTERVAL_S", "DragQuality"]

#: Shortest time between two label layouts while the camera turns, seconds (the last turn
#: step always gets one when the hand stops).
LABEL_INTERVAL_S = 0.1


class DragQuality:
    """Switch a :class:`pelvis3d.render.scene.PelvisScene` between drag and full quality.

    Parameters
    ----------
    scene : PelvisScene
        The scene whose plotter, ghost and insets are switched.
    """

    def __init__(self, scene) -> None:
        from vtkmodules.vtkRenderingCore import vtkLight

        self.scene = scene
        self.plotter = scene.plotter
        self.full_samples = self.plotter.ren_win.GetMultiSamples()
        self.active = False
        self._headlight = vtkLight()
        self._headlight.SetLightTypeToHeadlight()
        self._headlight.SetIntensity(1.0)
        self._headlight.SwitchOff()
        self.plotter.renderer.AddLight(self._headlight)
        self._lights_on: list = []
        self._ghost_shown = False
        self._insets_hidden = False
        self._last_layout = 0.0

    def begin(self) -> bool:
        """Drag quality from the next render on; False if it was on already."""
        if self.active:
            return False
        self.active = True
        self.plotter.ren_win.SetMultiSamples(0)
        self._lights_on = [
            light for light in self.plotter.renderer.GetLights() if light.GetSwitch() and light is not self._headlight
        ]
        for light in self._lights_on:
            light.SwitchOff()
        self._headlight.SwitchOn()
        # hidden as an overlay, not actor by actor: the ghost shows itself again on every pose
        self._ghost_shown = self.scene.overlay_visible("ghost")
        if self._ghost_shown:
            self.scene.set_overlay("ghost", False)
        insets = self.scene.layer("insets")
        self._insets_hidden = bool(insets is not None and insets.shown)
        if self._insets_hidden:
            insets.set_visible(False)  # not drawn, and not cut again on every move
        return True

    def end(self) -> bool:
        """Full quality again (the caller renders); False if it was not on."""
        if not self.active:
            return False
        self.active = False
        self.plotter.ren_win.SetMultiSamples(self.full_samples)
        self._headlight.SwitchOff()
        for light in self._lights_on:
            light.SwitchOn()
        if self._ghost_shown:
            self.scene.set_overlay("ghost", True)  # with the current pose
        if self._insets_hidden and self.scene.overlay_visible("insets"):
            self.scene.layer("insets").view_changed()  # shown again with the current pose
        self._lights_on, self._ghost_shown, self._insets_hidden = [], False, False
        return True

    def layout_due(self) -> bool:
        """Whether the labels should be laid out again now (always at full quality; while
        dragging at most every ``LABEL_INTERVAL_S``)."""
        now = time.perf_counter()
        if self.active and now - self._last_layout < LABEL_INTERVAL_S:
            return False
        self._last_layout = now
        return True
