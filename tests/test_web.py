"""The browser viewer (`pelvis3d serve`) in Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pelvis3d.apps.server_safety import StateRules, StateValueError, is_loopback, reachable_urls

BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_argv(*extra: str) -> list[str]:
    exe = BIN / "pelvis3d"
    return [str(exe), "serve", *extra] if exe.exists() else [sys.executable, "-m", "pelvis3d", "serve", *extra]


class WslinkClient:
    """A minimal wslink client (what the trame page speaks): msgpack RPCs in chunks."""

    def __init__(self, port: int, *, secret: str = "wslink-secret", origin: str | None = None, host: str | None = None):
        self.port, self.secret = port, secret
        self.headers = {k: v for k, v in (("Origin", origin), ("Host", host)) if v}
        self.n = 0

    async def __aenter__(self):
        import aiohttp
        from wslink.chunking import UnChunker

        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(f"http://127.0.0.1:{self.port}/ws", headers=self.headers)
        self.unchunker = UnChunker()
        self.unchunker.set_max_message_size(2**26)
        self.hello = await self.call("wslink.hello", {"secret": self.secret}, rpc_id="system:c0:0")
        self.client_id = (self.hello.get("result") or {}).get("clientID")
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()
        await self.session.close()

    async def call(self, method: str, *args, rpc_id: str | None = None) -> dict:
        import msgpack
        from wslink.chunking import generate_chunks

        self.n += 1
        rpc_id = rpc_id or f"rpc:{self.client_id}:{self.n}"
        message = msgpack.packb({"wslink": "1.0", "id": rpc_id, "method": method, "args": list(args), "kwargs": {}})
        for chunk in generate_chunks(message, 4096):
            await self.ws.send_bytes(chunk)
        while True:
            reply = await self.ws.receive(timeout=30)
            full = self.unchunker.process_chunk(reply.data)
            if isinstance(full, bytes):
                full = msgpack.unpackb(full)
            if full is not None and full.get("id") == rpc_id:
                return full

    async def set_state(self, **values) -> None:
        await self.call("trame.state.update", [{"key": k, "value": v} for k, v in values.items()])

    async def state(self) -> dict:
        return (await self.call("trame.state.get"))["result"]["state"]


def run(coro):
    import asyncio

    return asyncio.run(coro)


def start_serve(workdir, *extra: str, stderr=subprocess.PIPE) -> tuple[subprocess.Popen, int, str]:
    """Start ``pelvis3d serve`` on a free port; return the process, the port and its first line."""
    pytest.importorskip("trame_pyvista", reason="the web extra (trame) is not installed")
    port = free_port()
    env = {**os.environ, "VTK_DEFAULT_OPENGL_WINDOW": "vtkEGLRenderWindow"}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        serve_argv("--port", str(port), *extra),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=env,
        cwd=workdir,
    )
    line = proc.stdout.readline()
    assert f":{port}/" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, port, line


SERVERS: dict[int, Path] = {}  # port -> the server's stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    log = tmp_path_factory.mktemp("serve-log") / "stderr.txt"
    with log.open("w") as err:
        proc, port, _ = start_serve(workdir, stderr=err)
    SERVERS[port] = log
    yield f"http://127.0.0.1:{port}/", port, workdir
    proc.terminate()
    proc.wait(timeout=20)


def test_taken_port_is_one_clear_error(server):
    _, port, _ = server
    proc = subprocess.run(serve_argv("--port", str(port)), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and f"127.0.0.1:{port}" in err and "--port" in err


def test_root_url_answers(server):
    import urllib.request

    url, _, _ = server
    with urllib.request.urlopen(url, timeout=10) as r:  # follows the redirect
        assert r.status == 200


def gap_of(text: str) -> float:
    return float(text.split("pubic gap ")[1].split(" mm")[0])


def open_page(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(
        "document.querySelector('#metrics') && document.querySelector('#metrics').innerText.includes('pubic gap')",
        timeout=60000,
    )
    page.wait_for_selector("#view3d img", timeout=60000)
    return page


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_presenter_scene_is_shared_and_downloads_go_to_each_browser(server, tmp_path):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    import imageio.v3 as iio

    url, _, workdir = server
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
        )
        teacher = open_page(browser, url, 1400, 900)  # connects first: the presenter
        time.sleep(2)
        student = open_page(browser, url, 460, 516)
        time.sleep(2)
        for page in (teacher, student):  # the page says the scene is shared
            assert "Presenter mode" in page.inner_text("#presenter-note")
        before_text = teacher.inner_text("#metrics")
        teacher.locator("#view3d").screenshot(path=str(tmp_path / "before.png"))
        thumb = teacher.locator("[role=slider]").nth(0)  # left rotation
        thumb.focus()
        for _ in range(20):  # 20 steps of 0.05 deg
            teacher.keyboard.press("ArrowRight")
        teacher.wait_for_function(
            "t => document.querySelector('#metrics').innerText != t", arg=before_text, timeout=30000
        )
        # the student's page follows the teacher's scene
        student.wait_for_function(
            "() => document.querySelector('#metrics').innerText.includes('rotation L +1.00')", timeout=30000
        )
        time.sleep(2)  # let the new frame arrive
        after_text = teacher.inner_text("#metrics")
        teacher.locator("#view3d").screenshot(path=str(tmp_path / "after.png"))
        # each browser's screenshot downloads to that browser
        shots = {}
        for name, page in (("teacher", teacher), ("student", student)):
            with page.expect_download(timeout=30000) as info:
                page.click("#screenshot")
            shots[name] = tmp_path / f"{name}.png"
            info.value.save_as(shots[name])
            assert info.value.suggested_filename.startswith("pelvis3d-web-")
        names = set()
        for name, path in shots.items():
            image = iio.imread(path)
            assert image.shape[1] > 100 and image[..., :3].std() > 10, name
        # record while playing; play keeps "link sides" ticked
        teacher.click("#record")
        teacher.wait_for_function("document.querySelector('#status').innerText.includes('recording')", timeout=30000)
        played = teacher.inner_text("#metrics")
        teacher.click("#play")
        teacher.wait_for_function("t => document.querySelector('#metrics').innerText != t", arg=played, timeout=30000)
        time.sleep(2.0)
        linked_during_play = teacher.locator("input#toggle-linked, #toggle-linked input").first.is_checked()
        teacher.click("#play")
        teacher.click("#record")
        teacher.wait_for_selector("#download-gif", state="visible", timeout=30000)
        with teacher.expect_download(timeout=30000) as info:
            teacher.click("#download-gif")
        gif_path = tmp_path / "teacher.gif"
        info.value.save_as(gif_path)
        status_texts = [teacher.inner_text("#status"), student.inner_text("#status")]
        browser.close()
    assert linked_during_play
    time.sleep(1.0)
    assert "Traceback" not in SERVERS[server[1]].read_text()  # closing the tabs is not an error
    frames = iio.imread(gif_path, index=None)
    assert len(frames) >= 8  # taken on a 10 fps clock for more than 2 s (fewer when the CPU is saturated)
    assert frames.shape[2] > 100 and frames.std() > 10  # the 3D view (the page's controls are HTML)
    assert not [p for p in workdir.iterdir()], "nothing is written to the server's folder"
    assert all(str(workdir) not in t and "/" not in t for t in status_texts)
    assert gap_of(after_text) > gap_of(before_text) + 2.0  # 1 deg of external rotation each side (linked)
    assert "rotation L +1.00" in after_text and "R +1.00" in after_text
    a = iio.imread(tmp_path / "before.png")[..., :3].astype(int)
    b = iio.imread(tmp_path / "after.png")[..., :3].astype(int)
    assert a.shape == b.shape and a.std() > 10  # the 3D view shows something
    assert (np.abs(a - b).sum(axis=-1) > 60).mean() > 0.01  # and it changed
    del names


# ---- server safety ------------------------------------------------------------------------
RULES = StateRules(ranges={"left_rotation": (-3.5, 3.5)}, switches=["linked"], choices={"view_name": ["top", "rear"]})


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), "NaN", "1", None, True, [1.0], {"a": 1}])
def test_state_rules_reject_what_is_not_a_finite_number(bad):
    with pytest.raises(StateValueError, match="left_rotation"):
        RULES.clean("left_rotation", bad)


def test_state_rules_clamp_switch_and_choice():
    assert RULES.clean("left_rotation", 99) == 3.5 and RULES.clean("left_rotation", -1e300) == -3.5
    assert RULES.clean("left_rotation", 1.25) == 1.25
    assert RULES.clean("linked", False) is False
    for bad in ("false", 0, None):
        with pytest.raises(StateValueError, match="linked"):
            RULES.clean("linked", bad)
    assert RULES.clean("view_name", "rear") == "rear"
    with pytest.raises(StateValueError, match="top, rear"):
        RULES.clean("view_name", "../../etc")
    with pytest.raises(StateValueError, match="cannot be set"):
        RULES.clean("metrics_text", "x")


def test_wildcard_host_prints_reachable_addresses():
    urls = reachable_urls("0.0.0.0", 8123, "tok")
    assert urls and all("0.0.0.0" not in u and u.endswith(":8123/?secret=tok") for u in urls)
    assert reachable_urls("127.0.0.1", 80) == ["http://127.0.0.1:80/"]
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


def http_ok(port: int) -> bool:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as r:
        return r.status == 200


@pytest.mark.parametrize("bad", ["NaN", float("nan"), float("inf"), "1e999", None])
def test_non_finite_rotation_with_linked_sides_is_rejected_not_looped(server, bad):
    _, port, _ = server

    async def go():
        async with WslinkClient(port) as c:
            await c.set_state(linked=True, left_rotation=0.5)
            await c.set_state(right_rotation=bad)
            t0 = time.perf_counter()
            state = await c.state()
            return state, time.perf_counter() - t0

    state, seconds = run(go())
    assert seconds < 5 and http_ok(port)  # the server still answers: no handler ping-pong
    assert state["left_rotation"] == 0.5 and state["right_rotation"] == 0.5  # the last good value stays
    assert state["status_error"] and "right_rotation" in state["status_text"]
    assert "pubic gap" in state["metrics_text"] and "nan" not in state["metrics_text"].lower()


def test_out_of_range_values_are_clamped_and_server_flags_are_ours(server):
    _, port, _ = server

    async def go():
        async with WslinkClient(port) as c:
            await c.set_state(linked=True, left_rotation=999.0, exaggeration=-5, view_name="no-such-view")
            await c.set_state(playing=True, recording=True)
            return await c.state()

    state = run(go())
    assert state["left_rotation"] == state["right_rotation"] == 3.5  # the model's range, both sides
    assert state["exaggeration"] == 1.0 and state["view_name"] == "top"
    assert state["playing"] is False and state["recording"] is False
    assert "rotation L +3.50" in state["metrics_text"]


def test_cross_origin_websocket_and_foreign_host_are_refused(server):
    import aiohttp

    _, port, _ = server

    async def connect(**headers):
        async with WslinkClient(port, **headers) as c:
            return c.client_id

    with pytest.raises(aiohttp.WSServerHandshakeError, match="403"):
        run(connect(origin="http://evil.example"))
    with pytest.raises(aiohttp.WSServerHandshakeError, match="403"):  # DNS rebinding: a foreign name for 127.0.0.1
        run(connect(origin=f"http://evil.example:{port}", host=f"evil.example:{port}"))
    assert run(connect(origin=f"http://127.0.0.1:{port}"))  # the page's own origin
    assert run(connect())  # no Origin: not a browser page (as Jupyter allows)


def test_recording_and_play_stop_when_the_last_client_leaves(server):
    _, port, _ = server

    async def go():
        async with WslinkClient(port) as c:
            await c.call("trame.trigger", "pelvis3d_record", [], {})
            await c.call("trame.trigger", "pelvis3d_play", [], {})
            during = await c.state()
        await __import__("asyncio").sleep(1.0)
        async with WslinkClient(port) as c:
            after = await c.state()
        return during, after

    during, after = run(go())
    assert during["recording"] and during["playing"]
    assert not after["recording"] and not after["playing"] and not after["gif_ready"]


def test_malformed_messages_and_closed_tabs_leave_no_traceback(server):
    _, port, _ = server

    async def go():
        import aiohttp

        for _ in range(10):
            async with aiohttp.ClientSession() as session:
                ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
                await ws.send_bytes(b"\x00" * 7)  # half a chunk header, then gone
                await ws.close()
        async with WslinkClient(port) as c:
            await c.call("trame.trigger", "pelvis3d_play", [], {})
            ws = c.ws
        del ws

    run(go())
    time.sleep(1.0)
    assert http_ok(port)
    assert "Traceback" not in SERVERS[port].read_text()


def test_network_bind_warns_needs_a_token_and_stops_cleanly_on_sigterm(tmp_path):
    import signal

    proc, port, line = start_serve(tmp_path, "--host", "0.0.0.0")
    try:
        assert "0.0.0.0" not in line and "?secret=" in line
        token = line.split("?secret=")[1].split()[0]

        async def hello(secret):
            async with WslinkClient(port, secret=secret) as c:
                return c.hello

        assert "error" in run(hello("wslink-secret"))  # wslink's public default no longer opens it
        assert "error" in run(hello("guess"))
        assert run(hello(token))["result"]["clientID"]
    finally:
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        seconds = time.perf_counter() - t0
    assert "WARNING" in err and "anyone on this network" in err
    assert "Traceback" not in err and seconds < 15
    assert proc.returncode in (0, -signal.SIGTERM)


def test_reset_gives_the_next_class_a_fresh_scene(tmp_path):
    proc, port, _ = start_serve(tmp_path, "--reset", "--exaggerate", "4")

    async def go():
        async with WslinkClient(port) as c:
            await c.set_state(linked=False, left_rotation=2.0, exaggeration=9.5, ghost=False, view_name="rear")
            changed = await c.state()
        await __import__("asyncio").sleep(1.0)
        async with WslinkClient(port) as c:
            return changed, await c.state()

    try:
        changed, fresh = run(go())
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert changed["exaggeration"] == 9.5 and changed["ghost"] is False and changed["left_rotation"] == 2.0
    assert fresh["exaggeration"] == 4.0 and fresh["ghost"] is True and fresh["linked"] is True
    assert fresh["left_rotation"] == 0.0 and fresh["view_name"] == "top" and "rotation L +0.00" in fresh["metrics_text"]


def test_recording_stops_at_its_cap_and_is_real_time():
    import imageio.v3 as iio

    from pelvis3d.apps.web_recording import GifRecording

    rec = GifRecording(fps=10, max_seconds=0.5, max_bytes=10**9)
    frame = np.zeros((40, 60, 3), np.uint8)
    for i in range(20):
        frame[:, i] = 255
        rec.append(frame)
    assert rec.full and "0.5 s" in rec.full_reason and rec.frames == 5
    folder = rec.path.parent
    data = rec.finish()
    assert not folder.exists()  # nothing left on the server's disk
    meta = iio.immeta(data, extension=".gif", index=0)
    assert meta["duration"] == 100  # 10 frames a second, as taken
    assert len(iio.imread(data, extension=".gif", index=None)) == 5
    small = GifRecording(fps=10, max_seconds=60, max_bytes=2000)
    noisy = np.random.default_rng(0).integers(0, 255, (80, 80, 3), dtype=np.uint8)
    while not small.full:
        small.append(noisy)
    assert "MB limit" in small.full_reason and small.frames < 600
    small.discard()


def test_a_full_disk_ends_the_recording_with_one_message(monkeypatch):
    import errno

    from pelvis3d.apps.web_recording import GifRecording, RecordingError

    rec = GifRecording(fps=10)
    rec.append(np.zeros((20, 20, 3), np.uint8))

    def no_space(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(rec._writer._fp, "write", no_space)
    with pytest.raises(RecordingError, match="No space left on device"):
        rec.append(np.zeros((20, 20, 3), np.uint8))
    assert not rec.path.parent.exists()


def _picture_sizes(page) -> dict:
    """The streamed picture's own size and the box the page draws it in (CSS pixels)."""
    return page.evaluate(
        """() => { const img = document.querySelector('#view3d img'); const box = img.getBoundingClientRect();
        return {natural: [img.naturalWidth, img.naturalHeight], box: [box.width, box.height],
                fit: getComputedStyle(img).objectFit}; }"""
    )


def _wait_until_drawn_one_to_one(page) -> None:
    """Until the page's picture has the size of the box it is drawn in (its own size)."""
    page.wait_for_function(
        """() => { const i = document.querySelector('#view3d img'); const b = i && i.getBoundingClientRect();
        return i && i.naturalWidth == Math.round(b.width) && i.naturalHeight == Math.round(b.height); }""",
        timeout=60000,
    )


def _wait_for_picture(page, width: int, height: int) -> None:
    page.wait_for_function(
        "([w, h]) => { const i = document.querySelector('#view3d img'); return i && i.naturalWidth == w && i.naturalHeight == h; }",
        arg=[width, height],
        timeout=60000,
    )


def _nudge(page, key: str, times: int) -> None:
    """Move the left-rotation slider by keyboard (a change: a new picture for every page)."""
    page.locator("[role=slider]").nth(0).focus()
    for _ in range(times):
        page.keyboard.press(key)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_picture_is_rendered_at_the_presenters_size(tmp_path):
    """Two browsers of different sizes: the picture follows the first page (the presenter),
    not the last to connect or resize; the other page shows it scaled, not stretched."""
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    import imageio.v3 as iio

    proc, port, _ = start_serve(tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
            )
            teacher = open_page(browser, url, 1400, 900)
            _wait_until_drawn_one_to_one(teacher)
            mine = _picture_sizes(teacher)
            w, h = (round(v) for v in mine["box"])  # the teacher's view, drawn 1:1
            assert w > 800, mine
            student = open_page(browser, url, 800, 600)  # connects last: must not resize the picture
            time.sleep(3)
            assert _picture_sizes(teacher)["natural"] == [w, h]
            _nudge(teacher, "ArrowRight", 10)  # the teacher moves: a new picture for every page
            _wait_for_picture(student, w, h)  # the presenter's picture, streamed to the student
            assert _picture_sizes(teacher)["natural"] == [w, h]
            theirs = _picture_sizes(student)
            assert theirs["fit"] == "contain" and theirs["box"][0] < w, theirs  # scaled into its smaller view
            student.locator("#view3d").screenshot(path=str(tmp_path / "student.png"))
            teacher.locator("#view3d").screenshot(path=str(tmp_path / "teacher.png"))
            student.set_viewport_size({"width": 600, "height": 700})  # a watcher resizes: nothing changes
            time.sleep(3)
            assert _picture_sizes(teacher)["natural"] == [w, h]
            _nudge(teacher, "ArrowLeft", 4)
            _wait_for_picture(student, w, h)
            teacher.set_viewport_size({"width": 1200, "height": 800})  # the presenter resizes: the picture follows
            teacher.wait_for_function(
                "w => document.querySelector('#view3d img').naturalWidth < w", arg=w, timeout=60000
            )
            _wait_until_drawn_one_to_one(teacher)
            new = _picture_sizes(teacher)
            _wait_for_picture(student, *new["natural"])
            # the presenter leaves: the next oldest page presents
            teacher.context.close()
            student.set_viewport_size({"width": 640, "height": 720})
            _nudge(student, "ArrowRight", 1)
            _wait_until_drawn_one_to_one(student)
            assert _picture_sizes(student)["natural"] != new["natural"]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    student_view = iio.imread(tmp_path / "student.png")[..., :3].astype(int)
    teacher_view = iio.imread(tmp_path / "teacher.png")[..., :3].astype(int)
    assert student_view.std() > 10 and teacher_view.std() > 10  # both see the pelvis
    # not stretched: the drawing (dark pixels: bones, text) keeps the teacher's proportions in the
    # student's view, with white bands where the view's shape differs

    def proportions(view: np.ndarray) -> float:
        rows = np.nonzero((view < 150).any(axis=(1, 2)))[0]
        cols = np.nonzero((view < 150).any(axis=(0, 2)))[0]
        return (cols[-1] - cols[0] + 1) / (rows[-1] - rows[0] + 1)

    assert proportions(student_view) == pytest.approx(proportions(teacher_view), rel=0.05)
    box_h, box_w = student_view.shape[:2]
    assert abs(box_w / box_h - proportions(teacher_view)) > 0.2  # a stretched picture would fill the box
