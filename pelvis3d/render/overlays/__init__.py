"""The switchable layers of a picture, one module each: ghost, arrows, colour map, labels, and
the text overlays (measurements, caption, orientation markers).

Each overlay builds its actors once in the scene's plotter and then only moves them or rewrites
their text in :meth:`Overlay.update`, called by :meth:`pelvis3d.render.scene.PelvisScene.set_pose`
for every frame while the overlay is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from numpy.typing import NDArray

from pelvis3d.validation import known_name

if TYPE_CHECKING:  # type hints only: the scene imports the overlays, not the reverse
    from pelvis3d.model import PosedPelvis
    from pelvis3d.render.scene import PelvisScene

__all__ = ["Overlay", "Overlays", "replace_overlays"]


@dataclass(frozen=True)
class Overlays:
    """Which overlays a picture shows. Each is switchable.

    Parameters
    ----------
    labels : bool
        Landmark and joint labels with leader lines, laid out in the margins.
    ghost : bool
        A translucent copy of the neutral innominates, so a still shows the motion.
    arrows : bool
        Curved arrows for the direction of innominate rotation.
    colormap : bool
        Joint-space change on the SI and symphyseal surfaces, with a legend.
    measurements : bool
        Pubic gap, SI spaces and angles, true and shown.
    caption : bool
        The exaggeration statement (and attribution, when the anatomy has one).
    orientation : bool
        Left/right and anterior markers.
    insets : bool
        Magnified sections of both SI joints and the symphysis, in the views from above.
    """

    labels: bool = True
    ghost: bool = True
    arrows: bool = True
    colormap: bool = True
    measurements: bool = True
    caption: bool = True
    orientation: bool = True
    insets: bool = True

    @classmethod
    def none(cls) -> Overlays:
        """No overlays (plain bones)."""
        return cls(**{f.name: False for f in fields(cls)})

    @classmethod
    def parse(cls, spec: Overlays | str | Iterable[str] | None) -> Overlays:
        """From an ``Overlays``, ``"all"``, ``"none"`` or names like ``"labels,ghost"``."""
        if spec is None or isinstance(spec, Overlays):
            return spec or cls()
        names = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
        if names == ["all"]:
            return cls()
        if names in (["none"], []):
            return cls.none()
        allowed = [f.name for f in fields(cls)]
        chosen = {known_name(n, allowed + ["all", "none"], "overlay") for n in names}
        return cls(**{n: n in chosen for n in allowed})

    def names(self) -> list[str]:
        """Names of the overlays that are on."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


def replace_overlays(overlays: Overlays, **changes: bool) -> Overlays:
    """A copy of ``overlays`` with some switched."""
    return replace(overlays, **changes)


class Overlay:
    """One layer of a picture, built in ``scene``'s plotter.

    Subclasses build their actors in ``__init__``, list them in :meth:`actors`, and follow the
    pose in :meth:`update`. While an overlay is hidden the scene skips its updates and shows it
    again with a fresh pose.
    """

    #: The overlay's switch name in :class:`Overlays`.
    name = ""

    def __init__(self, scene: PelvisScene) -> None:
        self.scene = scene

    def actors(self) -> list:
        """Every VTK prop the overlay owns."""
        return []

    def update(self, posed: PosedPelvis, world: Mapping[str, NDArray], direction: Mapping[str, int] | None) -> None:
        """Follow a new pose: ``posed`` (true and shown), ``world`` = ``T_world_body`` shown."""

    def view_changed(self) -> None:
        """The camera or the picture size changed."""

    def before_render(self) -> None:
        """The scene is about to be drawn: finish work deferred until camera and text are final."""

    def rescale_fonts(self, scale: float) -> None:
        """The text scale (1 at 600 px high) changed."""

    def set_visible(self, on: bool) -> None:
        """Show or hide every actor (the scene re-poses after showing)."""
        for actor in self.actors():
            actor.SetVisibility(on)
