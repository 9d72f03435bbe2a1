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

BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_argv(*extra: str) -> list[str]:
    exe = BIN / "pelvis3d"
    return [str(exe), "serve", *extra] if exe.exists() else [sys.executable, "-m", "pelvis3d", "serve", *extra]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("trame_pyvista", reason="the web extra (trame) is not installed")
    port = free_port()
    env = {**os.environ, "VTK_DEFAULT_OPENGL_WINDOW": "vtkEGLRenderWindow"}
    env.pop("DISPLAY", None)
    workdir = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen(
        serve_argv("--port", str(port)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=workdir
    )
    line = proc.stdout.readline()
    assert f"http://127.0.0.1:{port}/" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
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


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_browser_slider_moves_the_pelvis_and_the_numbers(server, tmp_path):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    import imageio.v3 as iio

    url, _, workdir = server
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.wait_for_function(
            "document.querySelector('#metrics') && document.querySelector('#metrics').innerText.includes('pubic gap')",
            timeout=60000,
        )
        page.wait_for_selector("#view3d img", timeout=60000)
        time.sleep(2)
        before_text = page.inner_text("#metrics")
        page.locator("#view3d").screenshot(path=str(tmp_path / "before.png"))
        thumb = page.locator("[role=slider]").nth(0)  # left rotation
        thumb.focus()
        for _ in range(20):  # 20 steps of 0.05 deg
            page.keyboard.press("ArrowRight")
        page.wait_for_function("t => document.querySelector('#metrics').innerText != t", arg=before_text, timeout=30000)
        time.sleep(2)  # let the new frame arrive
        after_text = page.inner_text("#metrics")
        page.locator("#view3d").screenshot(path=str(tmp_path / "after.png"))
        # screenshot and GIF recording buttons save files on the server
        page.click("#screenshot")
        page.wait_for_function("document.querySelector('#status').innerText.includes('saved')", timeout=30000)
        page.click("#record")
        page.wait_for_function("document.querySelector('#status').innerText.includes('recording')", timeout=30000)
        # play the motion: the numbers change without touching a slider
        page.click("#play")
        played = page.inner_text("#metrics")
        page.wait_for_function("t => document.querySelector('#metrics').innerText != t", arg=played, timeout=30000)
        page.click("#play")
        page.click("#record")
        page.wait_for_function("document.querySelector('#status').innerText.includes('.gif')", timeout=30000)
        browser.close()
    assert (workdir / "pelvis3d-web-001.png").stat().st_size > 1000
    gifs = list(workdir.glob("pelvis3d-web-recording-*.gif"))
    assert len(gifs) == 1 and len(iio.imread(gifs[0], index=None)) >= 2
    assert not list(workdir.glob(".*partial*"))
    gap_before = float(before_text.split("pubic gap ")[1].split(" mm")[0])
    gap_after = float(after_text.split("pubic gap ")[1].split(" mm")[0])
    assert gap_after > gap_before + 2.0  # 1 deg of external rotation each side (linked)
    assert "rotation L +1.00" in after_text and "R +1.00" in after_text
    a = iio.imread(tmp_path / "before.png")[..., :3].astype(int)
    b = iio.imread(tmp_path / "after.png")[..., :3].astype(int)
    assert a.shape == b.shape and a.std() > 10  # the 3D view shows something
    assert (np.abs(a - b).sum(axis=-1) > 60).mean() > 0.01  # and it changed
