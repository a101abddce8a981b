"""``nkroutes app`` in a real headless Chromium (Playwright): slider, reset, step, charts.

Playwright's own browser download is not reachable here; Debian's ``chromium`` is (``.ci/run``
installs it), and Playwright drives it through ``executable_path``. Without Chromium or
Playwright this test FAILS rather than skips, so CI cannot pass without running it.

The server runs with an unreachable HTTP(S) proxy, so any request it made to the internet
(assets from a CDN, a version check, telemetry) would fail; the browser must load every
resource from the local server.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where the test leaves its screenshot (also used for the README's picture).
SCREENSHOT = ROOT / "results" / "app-browser-test.png"

pytestmark = pytest.mark.slow


def chromium_path() -> str:
    """Debian's Chromium, or fail: CI installs it, so missing means a broken set-up."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("chromium is not installed (apt-get install -y chromium; .ci/run does it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    dead = "http://127.0.0.1:9"  # nothing listens: any request to the internet fails
    env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead)
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    command = [
        sys.executable,
        "-m",
        "nkroutes",
        "app",
        str(ROOT / "scenarios" / "baseline.toml"),
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the app did not start:\n{log.read_text()}")
                time.sleep(0.5)
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _host(url: str) -> str:
    """The host a request goes to (``local`` for data: URLs; blob: URLs are the page's)."""
    if url.startswith("data:"):
        return "local"
    return urlparse(url.removeprefix("blob:")).hostname or url


def _arrivals_src(page) -> str:
    return page.locator(".nkroutes-arrivals img").first.get_attribute("src") or ""


def _slider(page, label: str):
    return page.locator(".v-input", has_text=label).locator(".v-slider").first


def test_app_in_chromium_slider_step_and_chart(server):
    from playwright.sync_api import sync_playwright

    url, log = server
    errors: list[str] = []
    hosts: set[str] = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: hosts.add(_host(r.url)))
            page.on(
                "response",
                lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(url)
            page.wait_for_selector(".nkroutes-arrivals img", timeout=90_000)
            page.wait_for_selector(".nkroutes-map img", timeout=90_000)
            before = _arrivals_src(page)
            assert before  # a data: or blob: URL of the PNG

            # Move China's repatriation slider to its left end (0) and apply it with Reset.
            slider = _slider(page, "China: repatriation probability")
            box = slider.bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
            page.get_by_role("button", name="Reset").click()
            settings = page.locator(".nkroutes-ensemble")
            settings.get_by_text("China: repatriation probability: 0", exact=False).wait_for(
                timeout=60_000
            )

            # Step 99 months in one click (render interval at its maximum, 99).
            interval = _slider(page, "Render Interval")
            box = interval.bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
            page.get_by_role("button", name="Step").click()
            settings.get_by_text(re.compile(r"step 99 of")).wait_for(timeout=90_000)
            page.wait_for_function(
                "before => { const img = document.querySelector('.nkroutes-arrivals img');"
                " return img && img.src !== before; }",
                arg=before,
                timeout=60_000,
            )
            after = _arrivals_src(page)
            assert after != before
            page.wait_for_timeout(1000)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        except Exception:
            page.screenshot(path=str(SCREENSHOT.with_name("app-browser-failure.png")))
            raise
        finally:
            browser.close()
    assert not errors, errors
    assert hosts <= {"127.0.0.1", "localhost", "local"}, hosts
    text = log.read_text()
    assert "Traceback" not in text, text
    assert SCREENSHOT.stat().st_size > 50_000
