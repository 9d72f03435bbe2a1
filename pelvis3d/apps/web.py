"""Browser viewer: ``pelvis3d serve`` — the viewer's controls in a web page (trame).

The scene renders on the server (offscreen) and streams to the page, so it works on
classroom machines and remote hosts without OpenGL in the browser. Binds to 127.0.0.1 by
default. Needs the ``web`` extra: ``pip install "pelvis3d[web]"``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import warnings
from pathlib import Path

from pelvis3d.errors import Pelvis3dError, PhysiologicalRangeWarning
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import get_motion
from pelvis3d.render.views import VIEWS

__all__ = ["PortInUseError", "build_app", "serve"]


class PortInUseError(Pelvis3dError, OSError):
    """The chosen port is taken."""


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortInUseError` when ``host:port`` cannot be bound."""
    if not 0 < int(port) < 65536:
        raise PortInUseError(f"port {port} is outside 1-65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, int(port)))
        except OSError as exc:
            raise PortInUseError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port"
            ) from None


def build_app(
    pelvis: Pelvis | None = None,
    *,
    exaggeration: float = 5.0,
    view: str = "top",
    size=(1000, 720),
    motion_name: str = "er-ir-cycle",
    output_dir: str | os.PathLike[str] = ".",
):
    """The trame server with the pelvis scene and its controls (not started)."""
    from trame.app import asynchronous, get_server
    from trame.ui.vuetify3 import SinglePageWithDrawerLayout
    from trame.widgets import html
    from trame.widgets import vuetify3 as v3
    from trame_pyvista import plotter_ui

    from pelvis3d.render.scene import PelvisScene

    model = pelvis or Pelvis()
    recorder_hook: dict = {}
    scene = PelvisScene(model, size=size, view=view, exaggeration=exaggeration, off_screen=True)
    server = get_server(client_type="vue3")  # trame_pyvista views register on the default server
    state, ctrl = server.state, server.controller
    rot = model.dofs["left_rotation"].physiological_deg
    tilt = model.dofs["left_tilt"].physiological_deg
    nut = model.dofs["nutation"].physiological_deg
    state.update(
        {
            "left_rotation": 0.0,
            "right_rotation": 0.0,
            "tilt": 0.0,
            "nutation": 0.0,
            "exaggeration": float(exaggeration),
            "linked": True,
            "ghost": True,
            "colormap": True,
            "labels": True,
            "view_name": view,
            "metrics_text": "",
            "status_text": "",
            "playing": False,
            "recording": False,
        }
    )

    def redraw() -> None:
        ctrl.view_update()

    def apply() -> None:
        pose = Pose(
            left_rotation=float(state.left_rotation),
            right_rotation=float(state.right_rotation),
            tilt=float(state.tilt),
            nutation=float(state.nutation),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PhysiologicalRangeWarning)
            posed = scene.set_pose(pose)
        m = posed.metrics
        if recorder_hook.get("append"):
            recorder_hook["append"]()
        state.metrics_text = (
            f"pubic gap {m.pubic_gap_mm:.2f} mm ({m.pubic_gap_change_mm:+.2f})\n"
            f"SI back half  L {m.si_posterior_space_mm['left']:.2f} mm  R {m.si_posterior_space_mm['right']:.2f} mm\n"
            f"rotation L {pose.left_rotation:+.2f} deg  R {pose.right_rotation:+.2f} deg (true)\n"
            f"shown x{posed.exaggeration:g}: L {posed.shown_pose.left_rotation:+.1f} deg  R {posed.shown_pose.right_rotation:+.1f} deg"
        )
        redraw()

    @state.change("left_rotation")
    def _left(left_rotation, **_):
        if state.linked and float(state.right_rotation) != float(left_rotation):
            state.right_rotation = float(left_rotation)
        apply()

    @state.change("right_rotation")
    def _right(right_rotation, **_):
        if state.linked and float(state.left_rotation) != float(right_rotation):
            state.left_rotation = float(right_rotation)
        apply()

    @state.change("tilt", "nutation")
    def _other(**_):
        apply()

    @state.change("exaggeration")
    def _exaggeration(exaggeration, **_):
        scene.set_exaggeration(float(exaggeration))
        apply()

    @state.change("ghost", "colormap", "labels")
    def _toggles(ghost, colormap, labels, **_):
        scene.set_overlay("ghost", bool(ghost))
        scene.set_overlay("colormap", bool(colormap))
        scene.set_overlay("labels", bool(labels))
        redraw()

    @state.change("view_name")
    def _view(view_name, **_):
        scene.set_view(view_name)
        redraw()

    def reset() -> None:
        state.playing = False
        state.update({"left_rotation": 0.0, "right_rotation": 0.0, "tilt": 0.0, "nutation": 0.0, "view_name": "top"})

    motion = get_motion(motion_name)
    clock = {"t": 0.0}

    @asynchronous.task
    async def play_loop() -> None:
        while state.playing:
            clock["t"] = (clock["t"] + 0.05) % motion.duration
            p = motion.pose_at(clock["t"])
            with state:
                state.linked = False
                state.left_rotation, state.right_rotation = p.left_rotation, p.right_rotation
                state.tilt, state.nutation = (p.left_tilt + p.right_tilt) / 2, p.nutation
            await asyncio.sleep(0.05)

    def toggle_play() -> None:
        state.playing = not state.playing
        if state.playing:
            play_loop()
        else:
            state.linked = True

    shots = {"n": 0, "gif": None}

    def screenshot() -> None:
        from pelvis3d.render.writers import save_png

        shots["n"] += 1
        path = Path(output_dir) / f"pelvis3d-web-{shots['n']:03d}.png"
        save_png(path, scene.screenshot()[..., :3])
        state.status_text = f"saved {path.resolve()}"

    def toggle_recording() -> None:
        from pelvis3d.render.writers import GifWriter

        if shots["gif"] is None:
            target = Path(output_dir) / f"pelvis3d-web-recording-{shots['n'] + 1:03d}.gif"
            shots["n"] += 1
            tmp = target.with_name(f".{target.stem}.partial.gif")
            shots["gif"] = (GifWriter(tmp, fps=20), tmp, target)
            state.recording = True
            state.status_text = "recording..."
        else:
            writer, tmp, target = shots["gif"]
            writer.close()
            os.replace(tmp, target)
            shots["gif"] = None
            state.recording = False
            state.status_text = f"saved {target.resolve()}"

    recorder_hook["append"] = lambda: shots["gif"] and shots["gif"][0].append(scene.screenshot()[..., :3])

    with SinglePageWithDrawerLayout(server, full_height=True) as layout:
        layout.title.set_text("pelvis3d - how the pelvis moves")
        with layout.drawer as drawer:
            drawer.width = 340
            with v3.VContainer(classes="pa-3"):
                for key, label, rng, step in (
                    ("left_rotation", "left rotation (deg, + external)", rot, 0.05),
                    ("right_rotation", "right rotation (deg, + external)", rot, 0.05),
                    ("tilt", "innominate tilt (deg, + anterior)", tilt, 0.05),
                    ("nutation", "sacral nutation (deg)", nut, 0.05),
                    ("exaggeration", "exaggeration (x)", (1.0, 10.0), 0.5),
                ):
                    v3.VSlider(
                        v_model=(key, state[key]),
                        label=label,
                        min=float(rng[0]),
                        max=float(rng[1]),
                        step=step,
                        thumb_label=True,
                        hide_details=True,
                        density="compact",
                        classes="my-2",
                        id=f"slider-{key}",
                    )
                v3.VCheckbox(
                    v_model=("linked", True),
                    label="link sides",
                    density="compact",
                    hide_details=True,
                    id="toggle-linked",
                )
                v3.VCheckbox(
                    v_model=("ghost", True), label="ghost (neutral pose)", density="compact", hide_details=True
                )
                v3.VCheckbox(
                    v_model=("colormap", True), label="joint-space colour map", density="compact", hide_details=True
                )
                v3.VCheckbox(v_model=("labels", True), label="labels", density="compact", hide_details=True)
                v3.VSelect(
                    v_model=("view_name", view),
                    items=("views", list(VIEWS)),
                    label="view",
                    density="compact",
                    id="view-select",
                )
                with html.Div(classes="d-flex flex-wrap ga-2 my-2"):
                    v3.VBtn("reset", click=reset, id="reset", density="compact")
                    v3.VBtn("{{ playing ? 'pause' : 'play' }}", click=toggle_play, id="play", density="compact")
                    v3.VBtn("screenshot", click=screenshot, id="screenshot", density="compact")
                    v3.VBtn(
                        "{{ recording ? 'stop GIF' : 'record GIF' }}",
                        click=toggle_recording,
                        id="record",
                        density="compact",
                    )
                html.Div("{{ status_text }}", id="status", style="font-size: 12px; color: #4b5563;")
                html.Pre("{{ metrics_text }}", id="metrics", style="font-size: 13px; white-space: pre-wrap;")
        with layout.content:
            with v3.VContainer(fluid=True, classes="pa-0 fill-height", id="view3d"):
                view_widget = plotter_ui(scene.plotter, mode="server", add_menu=False)
                ctrl.view_update = view_widget.update
    apply()
    return server, scene


def serve(
    pelvis: Pelvis | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    exaggeration: float = 5.0,
    view: str = "top",
    motion_name: str = "er-ir-cycle",
    announce=print,
) -> None:
    """Start the browser viewer and block; prints the URL. Binds to 127.0.0.1 unless told.
    Screenshots and recordings are saved in the current folder."""
    check_port(host, port)
    server, _ = build_app(pelvis, exaggeration=exaggeration, view=view, motion_name=motion_name)
    announce(f"pelvis3d serve: open http://{host}:{port}/ in a browser (Ctrl+C to stop)")
    server.start(host=host, port=int(port), open_browser=False, show_connection_info=False)
