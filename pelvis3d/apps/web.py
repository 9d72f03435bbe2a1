"""Browser viewer: ``pelvis3d serve`` — presenter mode for a classroom (trame).

One shared scene on purpose: the teacher drives, the class watches; the page says so. The
scene renders on the server (offscreen) and streams to every page (the presenter - the page
that connected first - sets the picture's size; the other pages show it scaled to fit, see
:mod:`pelvis3d.apps.web_presenter`), so it works on machines without OpenGL in the browser. Screenshots and GIF recordings are offered as downloads to the browser that asks;
nothing is written to the server's folder. Every value a browser sends is checked
(:mod:`pelvis3d.apps.server_safety`). Binds to 127.0.0.1 by default; beyond loopback a random
token is required. Needs the ``web`` extra: ``pip install "pelvis3d[web]"``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import warnings
from collections.abc import Callable

from pelvis3d.apps.server_safety import StateRules, StateValueError, connection_guard, is_loopback, reachable_urls
from pelvis3d.apps.web_presenter import PRESENTER_CSS, PresenterViewSize, window_picture
from pelvis3d.apps.web_recording import GifRecording, RecordingError
from pelvis3d.errors import Pelvis3dError, PhysiologicalRangeWarning
from pelvis3d.kinematics import Pose
from pelvis3d.model import Pelvis
from pelvis3d.motions.motion import get_motion
from pelvis3d.render.views import VIEWS

__all__ = ["PortInUseError", "build_app", "check_port", "serve"]

#: What the page says about the shared scene.
PRESENTER_NOTE = "Presenter mode: everyone on this page sees and drives one shared pelvis."

#: Interval of the play clock and of GIF frames, seconds.
_TICK_S = 0.1
#: Quiet time after the last change before the full-quality picture, seconds.
_SETTLE_S = 0.4
_EXAGGERATION_RANGE = (1.0, 10.0)
_SWITCHES = ("linked", "ghost", "colormap", "labels")


class PortInUseError(Pelvis3dError, OSError):
    """The chosen port is taken."""


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortInUseError` when ``host:port`` cannot be bound."""
    if not 0 < int(port) < 65536:
        raise PortInUseError(f"port {port} is outside 1-65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, int(port)))
        except OSError as exc:
            raise PortInUseError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port"
            ) from None


def _png_bytes(image) -> bytes:
    import imageio.v3 as iio

    return iio.imwrite("<bytes>", image[..., :3], extension=".png")


def build_app(
    pelvis: Pelvis | None = None,
    *,
    exaggeration: float = 5.0,
    view: str = "top",
    size=(1000, 720),
    motion_name: str = "er-ir-cycle",
    reset_when_empty: bool = False,
    loopback_only: bool = True,
    recording_limits: tuple[float, int] = (60.0, 64 * 2**20),
):
    """The trame server with the shared pelvis scene and its controls (not started).

    Parameters
    ----------
    reset_when_empty : bool
        Return to the starting pose, view and settings whenever the last browser leaves, so
        the next class starts fresh (``serve --reset``).
    loopback_only : bool
        The server will bind a loopback address (the Host check refuses other names).
    recording_limits : (float, int)
        Cap of a GIF recording: seconds and bytes.
    """
    from trame.app import asynchronous, get_server
    from trame.ui.vuetify3 import SinglePageWithDrawerLayout
    from trame.widgets import client, html
    from trame.widgets import vuetify3 as v3
    from trame_pyvista import plotter_ui

    from pelvis3d.render.scene import PelvisScene

    model = pelvis or Pelvis()
    scene = PelvisScene(model, size=size, view=view, exaggeration=exaggeration, off_screen=True)
    server = get_server(client_type="vue3")  # trame_pyvista views register on the default server
    state, ctrl = server.state, server.controller
    rot = model.dofs["left_rotation"].physiological_deg
    tilt = model.dofs["left_tilt"].physiological_deg
    nut = model.dofs["nutation"].physiological_deg
    rules = StateRules(
        ranges={
            "left_rotation": rot,
            "right_rotation": rot,
            "tilt": tilt,
            "nutation": nut,
            "exaggeration": _EXAGGERATION_RANGE,
        },
        switches=_SWITCHES,
        choices={"view_name": list(VIEWS)},
    )
    start = {
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
    }
    good = dict(start)  # the last accepted value of each field
    owned = {"playing": False, "recording": False, "gif_ready": False}  # only the server sets these
    state.update({**start, **owned, "metrics_text": "", "status_text": "", "status_error": False})
    session = {"clients": 0, "playing_update": False, "gif": None, "gif_bytes": None}

    def say(text: str, *, error: bool = False) -> None:
        state.status_text = text
        state.status_error = error
        if error:
            logging.getLogger("pelvis3d.serve").info("%s", text)

    def set_owned(**values: bool) -> None:
        owned.update(values)
        state.update(values)

    def accept(name: str) -> object | None:
        """The checked value of ``name``; a rejected value is replaced by the last good one."""
        try:
            value = rules.clean(name, state[name])
        except StateValueError as exc:
            say(str(exc), error=True)
            state[name] = good[name]
            return None
        if value != state[name] or type(value) is not type(state[name]):
            state[name] = value
        good[name] = value
        return value

    full_samples = scene.plotter.ren_win.GetMultiSamples()
    settling: dict = {"handle": None}

    def settle() -> None:
        settling["handle"] = None
        scene.plotter.ren_win.SetMultiSamples(full_samples)
        ctrl.view_update()

    def drag_quality() -> None:
        """While values keep arriving (a drag, play), render without multisampling; full
        quality once nothing has changed for _SETTLE_S (as ParaView's interactive render)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # building the page: no drag yet
            return
        scene.plotter.ren_win.SetMultiSamples(0)
        if settling["handle"] is not None:
            settling["handle"].cancel()
        settling["handle"] = loop.call_later(_SETTLE_S, settle)

    def apply() -> None:
        drag_quality()
        pose = Pose(
            left_rotation=good["left_rotation"],
            right_rotation=good["right_rotation"],
            tilt=good["tilt"],
            nutation=good["nutation"],
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PhysiologicalRangeWarning)
                posed = scene.set_pose(pose)
        except Pelvis3dError as exc:
            say(str(exc), error=True)
            return
        m = posed.metrics
        state.metrics_text = (
            f"pubic gap {m.pubic_gap_mm:.2f} mm ({m.pubic_gap_change_mm:+.2f})\n"
            f"SI back half  L {m.si_posterior_space_mm['left']:.2f} mm  R {m.si_posterior_space_mm['right']:.2f} mm\n"
            f"rotation L {pose.left_rotation:+.2f} deg  R {pose.right_rotation:+.2f} deg (true)\n"
            f"shown x{posed.exaggeration:g}: L {posed.shown_pose.left_rotation:+.1f} deg  R {posed.shown_pose.right_rotation:+.1f} deg"
        )
        ctrl.view_update()

    def rotation_changed(name: str, other: str) -> None:
        value = accept(name)
        if value is None:
            return
        if good["linked"] and not session["playing_update"] and good[other] != value:
            good[other] = value
            state[other] = value
        apply()

    @state.change("left_rotation")
    def _left(**_):
        rotation_changed("left_rotation", "right_rotation")

    @state.change("right_rotation")
    def _right(**_):
        rotation_changed("right_rotation", "left_rotation")

    @state.change("tilt", "nutation")
    def _other(**_):
        if accept("tilt") is not None and accept("nutation") is not None:
            apply()

    @state.change("exaggeration")
    def _exaggeration(**_):
        value = accept("exaggeration")
        if value is not None:
            scene.set_exaggeration(value)
            apply()

    @state.change("linked")
    def _linked(**_):
        if accept("linked") and good["left_rotation"] != good["right_rotation"]:
            state.right_rotation = good["left_rotation"]

    @state.change("ghost", "colormap", "labels")
    def _toggles(**_):
        for name in ("ghost", "colormap", "labels"):
            value = accept(name)
            if value is not None:
                scene.set_overlay(name, value)
        ctrl.view_update()

    @state.change("view_name")
    def _view(**_):
        value = accept("view_name")
        if value is not None:
            scene.set_view(value)
            ctrl.view_update()

    @state.change(*owned)
    def _owned(**_):  # a browser may not flip server-owned flags
        for name, value in owned.items():
            if state[name] != value:
                state[name] = value

    def reset_scene() -> None:
        set_owned(playing=False)
        state.update(dict(start))

    motion = get_motion(motion_name)
    clock = {"t": 0.0}

    @asynchronous.task
    async def play_loop() -> None:
        while owned["playing"]:
            clock["t"] = (clock["t"] + _TICK_S) % motion.duration
            p = motion.pose_at(clock["t"])
            session["playing_update"] = True
            try:
                with state:  # "link sides" is left as it was: the motion sets both sides
                    state.left_rotation, state.right_rotation = p.left_rotation, p.right_rotation
                    state.tilt, state.nutation = (p.left_tilt + p.right_tilt) / 2, p.nutation
            finally:
                session["playing_update"] = False
            await asyncio.sleep(_TICK_S)

    @ctrl.trigger("pelvis3d_play")
    def toggle_play() -> None:
        set_owned(playing=not owned["playing"])
        if owned["playing"]:
            play_loop()

    @asynchronous.task
    async def record_loop() -> None:
        while session["gif"] is not None:
            gif: GifRecording = session["gif"]
            try:
                # what the pages were last sent, read back: a render here would push to every page
                gif.append(window_picture(scene.plotter.ren_win))
            except RecordingError as exc:
                session["gif"] = None
                set_owned(recording=False)
                say(str(exc), error=True)
                return
            if gif.full:
                stop_recording(reason=gif.full_reason)
                return
            await asyncio.sleep(1.0 / gif.fps)

    def stop_recording(reason: str | None = None) -> None:
        gif: GifRecording | None = session["gif"]
        session["gif"] = None
        set_owned(recording=False)
        if gif is None:
            return
        try:
            session["gif_bytes"] = gif.finish()
        except RecordingError as exc:
            say(str(exc), error=True)
            return
        set_owned(gif_ready=True)
        why = f" at {reason}" if reason else ""
        say(f"recording stopped{why}: {gif.frames} frames; press 'download GIF'")

    @ctrl.trigger("pelvis3d_record")
    def _record() -> None:
        if session["gif"] is not None:
            stop_recording()
            return
        seconds, size_cap = recording_limits
        try:
            session["gif"] = GifRecording(fps=1.0 / _TICK_S, max_seconds=seconds, max_bytes=size_cap)
        except RecordingError as exc:
            say(str(exc), error=True)
            return
        session["gif_bytes"] = None
        set_owned(recording=True, gif_ready=False)
        say("recording... (press 'stop GIF')")
        record_loop()

    @ctrl.trigger("pelvis3d_gif")
    def _gif() -> bytes:
        """The finished GIF, to the browser that asks (it downloads it)."""
        data = session["gif_bytes"] or b""
        session["gif_bytes"] = None
        set_owned(gif_ready=False)
        say(f"GIF downloaded ({len(data) / 1024:.0f} kB)" if data else "no GIF to download", error=not data)
        return data

    @ctrl.trigger("pelvis3d_png")
    def _png() -> bytes:
        """The current picture as PNG bytes, downloaded by the browser that asks."""
        data = _png_bytes(scene.screenshot())
        say(f"screenshot downloaded ({len(data) / 1024:.0f} kB)")
        return data

    def client_joined() -> None:
        session["clients"] += 1

    def client_left() -> None:
        session["clients"] = max(0, session["clients"] - 1)
        if session["clients"]:
            return
        with state:  # nobody is watching: stop the clock and the recording
            set_owned(playing=False)
            if session["gif"] is not None:
                session["gif"].discard()
                session["gif"] = None
            session["gif_bytes"] = None
            set_owned(recording=False, gif_ready=False)
            if reset_when_empty:
                good.update(start)
                state.update(dict(start))
                scene.set_exaggeration(start["exaggeration"])
                scene.set_view(start["view_name"])
            say("")
        if reset_when_empty:
            apply()

    running = {"app": None}  # the wslink web app, once bound: it knows who sent a message

    @ctrl.add("on_server_bind")
    def _bind(wslink_server) -> None:
        running["app"] = wslink_server
        wslink_server.app.middlewares.append(
            connection_guard(loopback_only=loopback_only, on_join=client_joined, on_leave=client_left)
        )

    download_png = (
        "utils.download('pelvis3d-web-' + new Date().toISOString().replaceAll(':', '-') + '.png', "
        "trigger('pelvis3d_png'), 'image/png')"
    )
    download_gif = (
        "utils.download('pelvis3d-web-' + new Date().toISOString().replaceAll(':', '-') + '.gif', "
        "trigger('pelvis3d_gif'), 'image/gif')"
    )
    with SinglePageWithDrawerLayout(server, full_height=True) as layout:
        layout.title.set_text("pelvis3d - how the pelvis moves")
        with layout.drawer as drawer:
            drawer.width = 340
            with v3.VContainer(classes="pa-3"):
                html.Div(
                    PRESENTER_NOTE + " A student who wants their own pelvis opens the lesson page.",
                    id="presenter-note",
                    style="font-size: 12px; color: #1e3a8a; background: #eff6ff; padding: 6px; border-radius: 4px;",
                )
                for key, label, rng, step in (
                    ("left_rotation", "left rotation (deg, + external)", rot, 0.05),
                    ("right_rotation", "right rotation (deg, + external)", rot, 0.05),
                    ("tilt", "innominate tilt (deg, + anterior)", tilt, 0.05),
                    ("nutation", "sacral nutation (deg)", nut, 0.05),
                    ("exaggeration", "exaggeration (x)", _EXAGGERATION_RANGE, 0.5),
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
                    v3.VBtn("reset", click=reset_scene, id="reset", density="compact")
                    v3.VBtn(
                        "{{ playing ? 'pause' : 'play' }}",
                        click="trigger('pelvis3d_play')",
                        id="play",
                        density="compact",
                    )
                    v3.VBtn("screenshot", click=download_png, id="screenshot", density="compact")
                    v3.VBtn(
                        "{{ recording ? 'stop GIF' : 'record GIF' }}",
                        click="trigger('pelvis3d_record')",
                        id="record",
                        density="compact",
                    )
                    v3.VBtn(
                        "download GIF", click=download_gif, id="download-gif", density="compact", v_show="gif_ready"
                    )
                html.Div(
                    "{{ status_text }}",
                    id="status",
                    style=("{ fontSize: '12px', color: status_error ? '#b91c1c' : '#4b5563' }",),
                )
                html.Pre("{{ metrics_text }}", id="metrics", style="font-size: 13px; white-space: pre-wrap;")
        with layout.content:
            with v3.VContainer(fluid=True, classes="pa-0 fill-height", id="view3d"):
                client.Style(PRESENTER_CSS)
                view_widget = plotter_ui(scene.plotter, mode="server", add_menu=False)
                ctrl.view_update = view_widget.update
    # after trame-vtk's protocols: the presenter's page sets the picture's size
    server.add_protocol_to_configure(
        lambda root: root.registerLinkProtocol(
            PresenterViewSize(lambda: running["app"], lambda: window_picture(scene.plotter.ren_win))
        )
    )
    apply()
    return server, scene


class _QuietDisconnects(logging.Filter):
    """Tabs closing mid-message are normal in a classroom: no traceback for them."""

    _NOISE = ("Cannot write to closing transport", "ConnectionResetError", "ClientConnectionResetError")

    def filter(self, record: logging.LogRecord) -> bool:
        info = record.exc_info[1] if record.exc_info else None
        text = record.getMessage()
        if isinstance(info, (ConnectionError, asyncio.CancelledError)) or any(n in text for n in self._NOISE):
            return False
        return text != "Exception raised"  # wslink's header line; the error itself follows when it is real


#: Loggers that report a closed tab as an error (filters do not inherit, so each is named).
_NOISY_LOGGERS = (
    "wslink.protocol",
    "wslink.backends.aiohttp",
    "wslink.websocket",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.access",
    "asyncio",
)


def serve(
    pelvis: Pelvis | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    exaggeration: float = 5.0,
    view: str = "top",
    motion_name: str = "er-ir-cycle",
    token: str | None = None,
    reset: bool = False,
    announce: Callable[[str], None] = print,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Start the presenter-mode browser viewer and block until Ctrl+C or SIGTERM.

    Parameters
    ----------
    host : str
        Address to bind (127.0.0.1 by default: this machine only).
    token : str, optional
        Secret required from every page (in the printed URL). Default: none on loopback, a
        random one beyond it. Pass ``""`` to go without (not recommended on a network).
    reset : bool
        Fresh starting state whenever the last browser leaves.
    announce, warn : callable
        Where the URL and the network warning are printed.
    """
    from pelvis3d.apps.server_safety import new_token

    check_port(host, port)
    local = is_loopback(host)
    if token is None:
        token = None if local else new_token()
    server, _ = build_app(
        pelvis, exaggeration=exaggeration, view=view, motion_name=motion_name, reset_when_empty=reset,
        loopback_only=local,
    )  # fmt: skip
    from trame_server.protocol import CoreServer

    server.cli.set_defaults(authKey=token or "wslink-secret")
    CoreServer.authentication_token = token or "wslink-secret"
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).addFilter(_QuietDisconnects())
    urls = reachable_urls(host, port, token or None)
    if not local:
        (warn or announce)(
            f"pelvis3d serve: WARNING listening on {host}:{port}: anyone on this network who has the link "
            "(with its token) can drive the shared scene"
        )
    announce(f"pelvis3d serve: open {' or '.join(urls)} in a browser (Ctrl+C to stop)")
    server.start(host=host, port=int(port), open_browser=False, show_connection_info=False, timeout=0)
