"""Jupyter: ``pelvis3d.widget()`` — pose sliders next to the pelvis, and a picture that stays.

The picture is rendered offscreen (software GL is enough; no trame, no browser WebGL) and shown
in an ``ipywidgets.Image`` that is drawn again when a slider is released. Displayed, the widget
also hands Jupyter a plain PNG of its current picture next to the live view: a notebook saved
and opened later (on GitHub, in nbviewer, or with no kernel running) still shows the pelvis
as it was, where a live-only view would show nothing. Needs the ``jupyter`` extra
(``pip install "pelvis3d[jupyter]"``, which brings ipywidgets).
"""

from __future__ import annotations

import base64
import html
import io
import os
import warnings
from collections.abc import Sequence

from pelvis3d.errors import Pelvis3dError, PhysiologicalRangeWarning
from pelvis3d.kinematics import SI_DOF_NAMES, Pose
from pelvis3d.model import MAX_EXAGGERATION, Pelvis

__all__ = ["JUPYTER_EXTRA_ADVICE", "MissingExtraError", "PelvisWidget", "widget"]

#: What to install for the widget (the extra's name as in the README).
JUPYTER_EXTRA_ADVICE = 'pelvis3d.widget() needs ipywidgets: pip install "pelvis3d[jupyter]"'

#: Views offered in the widget's menu (pelvis3d.render.views names).
WIDGET_VIEWS = ("oblique", "top", "front", "rear", "left", "right", "inlet", "outlet")


class MissingExtraError(Pelvis3dError, ImportError):
    """An optional dependency (a pip extra) is not installed."""


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise MissingExtraError(JUPYTER_EXTRA_ADVICE) from None
    return ipywidgets


class PelvisWidget:
    """Sliders for every pelvic-ring DOF (the model's physiological ranges, degrees), the
    exaggeration and the view, next to an offscreen-rendered picture and the live metrics.

    Build it with :func:`widget`. Attributes: ``sliders`` (``ipywidgets.FloatSlider`` by DOF
    name and ``"exaggeration"``), ``view_menu``, ``image`` (``ipywidgets.Image``, PNG),
    ``metrics`` (``ipywidgets.HTML``), ``box`` (the layout shown).
    """

    def __init__(
        self,
        pelvis: Pelvis,
        pose: Pose,
        view: str,
        exaggeration: float,
        size: tuple[int, int],
    ) -> None:
        w = _ipywidgets()
        from pelvis3d.render.scene import PelvisScene

        self.pelvis = pelvis
        with warnings.catch_warnings():  # the sliders' range is the user's choice
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            self.scene = PelvisScene(pelvis, size=size, view=view, exaggeration=exaggeration, off_screen=True)
        self.sliders = {}
        for name in SI_DOF_NAMES:
            lo, hi = pelvis.dofs[name].physiological_deg
            value = min(max(float(getattr(pose, name)), lo), hi)
            self.sliders[name] = w.FloatSlider(
                value=value,
                min=lo,
                max=hi,
                step=0.1,
                description=f"{name.replace('_', ' ')} (deg)",
                continuous_update=False,  # one software render per release, not a queue of them
                readout_format=".1f",
                style={"description_width": "11em"},
                layout=w.Layout(width="26em"),
            )
        self.sliders["exaggeration"] = w.FloatSlider(
            value=float(exaggeration),
            min=1.0,
            max=float(MAX_EXAGGERATION),
            step=0.5,
            description="exaggeration (x)",
            continuous_update=False,
            readout_format=".1f",
            style={"description_width": "11em"},
            layout=w.Layout(width="26em"),
        )
        self.view_menu = w.Dropdown(
            options=list(WIDGET_VIEWS), value=view, description="view", style={"description_width": "11em"}
        )
        self.image = w.Image(format="png", layout=w.Layout(width=f"{size[0]}px", height=f"{size[1]}px"))
        self.metrics = w.HTML()
        self._quiet = False
        for slider in self.sliders.values():
            slider.observe(lambda _change: self._quiet or self.update(), names="value")
        self.view_menu.observe(lambda change: self.set_view(change["new"]), names="value")
        controls = w.VBox([*self.sliders.values(), self.view_menu, self.metrics])
        self.box = w.HBox([self.image, controls])
        self.update()

    # ---- state ------------------------------------------------------------------------------
    def pose(self) -> Pose:
        """The true pose the sliders describe (degrees)."""
        return Pose(**{name: float(self.sliders[name].value) for name in SI_DOF_NAMES})

    def set(self, **angles: float) -> None:
        """Move sliders by name (ring DOFs in degrees, ``exaggeration``); the picture follows."""
        for name in angles:
            if name not in self.sliders:
                raise KeyError(f"unknown slider {name!r}; allowed: {', '.join(self.sliders)}")
        self._quiet = True  # one picture for all the moves, not one per slider
        try:
            for name, value in angles.items():
                self.sliders[name].value = float(value)
        finally:
            self._quiet = False
        self.update()

    def set_view(self, name: str) -> None:
        """Look from a named view (``pelvis3d.render.views``); labels are laid out again."""
        self.scene.set_view(name)
        if self.view_menu.value != name:
            self.view_menu.value = name  # its observer draws
            return
        self.update()

    def update(self) -> None:
        """Pose the scene as the sliders say and draw the picture and the metrics again."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            self.scene.set_exaggeration(float(self.sliders["exaggeration"].value))
            posed = self.scene.set_pose(self.pose())
        self.image.value = self.png()
        self.metrics.value = _metrics_html(posed.metrics)

    # ---- output -----------------------------------------------------------------------------
    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        import imageio.v3 as iio

        buffer = io.BytesIO()
        iio.imwrite(buffer, self.scene.screenshot()[..., :3], extension=".png")
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        # the live view for a running kernel, and a plain PNG that a saved notebook keeps
        bundle = self.box._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        bundle["text/plain"] = f"pelvis3d widget: {self.pose()!r}, exaggeration x{self.sliders['exaggeration'].value:g}"
        return bundle

    def close(self) -> None:
        """Close the widgets and the offscreen scene."""
        self.box.close()
        self.scene.close()


def _metrics_html(m) -> str:
    """The live numbers (true pose, mm) as a small HTML table."""
    rows = [
        ("pubic gap", f"{m.pubic_gap_mm:.2f} mm ({m.pubic_gap_change_mm:+.2f})"),
        ("SI space L", f"{m.si_space_mm['left']:.2f} mm ({m.si_space_change_mm['left']:+.2f})"),
        ("SI space R", f"{m.si_space_mm['right']:.2f} mm ({m.si_space_change_mm['right']:+.2f})"),
        ("inter-ASIS", f"{m.inter_asis_mm:.1f} mm ({m.inter_asis_change_mm:+.2f})"),
    ]
    if m.contact:
        rows.append(("contact", m.overlap_text()))
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<b>true motion</b><table>{cells}</table>"


def widget(
    pose: Pose | None = None,
    *,
    pelvis: Pelvis | str | os.PathLike[str] | None = None,
    view: str = "oblique",
    exaggeration: float = 5.0,
    size: Sequence[int] = (640, 480),
) -> PelvisWidget:
    """The pelvis in Jupyter with ipywidgets sliders for the pelvic-ring DOFs and exaggeration.

    Parameters
    ----------
    pose : Pose, optional
        Starting slider positions (degrees; default neutral).
    pelvis : Pelvis or path-like, optional
        The model (default: the built-in pelvis), or an anatomy folder / model file.
    view : str
        Starting view (a ``pelvis3d.render.views`` name offered in the menu).
    exaggeration : float
        Starting display factor (1-20); the numbers stay true.
    size : (int, int)
        Picture size, pixels.

    Returns
    -------
    PelvisWidget
        Display it (the last expression of a cell); it leaves a PNG in a saved notebook.

    Raises
    ------
    MissingExtraError
        When ipywidgets is not installed (``pip install "pelvis3d[jupyter]"``).
    """
    _ipywidgets()  # before the model loads: a missing extra fails fast
    from pelvis3d.errors import UnknownNameError
    from pelvis3d.render.checks import check_exaggeration, check_size

    if view not in WIDGET_VIEWS:
        raise UnknownNameError(f"unknown view {view!r} for the widget; allowed: {', '.join(WIDGET_VIEWS)}")
    model = pelvis if isinstance(pelvis, Pelvis) else Pelvis(pelvis)
    if pose is not None:
        model.check_pose(pose)
    return PelvisWidget(model, pose or Pose(), view, check_exaggeration(exaggeration), check_size(size))
