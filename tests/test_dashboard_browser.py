"""The dashboard in a real browser: Playwright drives Debian's Chromium.

Starts `coprod-sim dashboard` on a free port, loads the page, steps, triggers a
misconduct incident, and checks that the day counter and the plots changed,
that no error is shown, and that the page made no request beyond the local
server (the offline set-up). Skips where Chromium or Playwright is missing only
when CI is unset; with CI=true it runs, or fails.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI") == "true"

if not IN_CI:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is missing (apt-get install chromium); CI=true runs this test", allow_module_level=True)
    pytest.importorskip("playwright.sync_api", reason="Playwright is missing (make test installs the dashboard extra)")
    pytest.importorskip("solara", reason="the dashboard extra is missing (make test installs it)")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

# Each plot is an <img> with a blob: URL; hash the bytes behind each.
IMAGE_DIGESTS = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('img')) {
    if (!img.src.startsWith('blob:')) continue;
    const buf = await (await fetch(img.src)).arrayBuffer();
    const d = await crypto.subtle.digest('SHA-256', buf);
    out.push(Array.from(new Uint8Array(d)).map(b => b.toString(16).padStart(2, '0')).join(''));
  }
  return out;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    port = free_port()
    with open(tmp_path / "server.log", "w") as log:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "coprod_sim.cli", "dashboard", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        try:
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"dashboard server did not start:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
                time.sleep(0.25)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert f"open {url}" in (tmp_path / "server.log").read_text()  # the address is printed


def test_dashboard_in_chromium(dashboard, tmp_path):
    url = dashboard
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            expect(page.get_by_text("Time: 0")).to_be_visible(timeout=60_000)
            expect(page.locator("img[src^='blob:']")).to_have_count(2, timeout=30_000)
            before = page.evaluate(IMAGE_DIGESTS)

            step = page.get_by_role("button", name="Step", exact=True)
            for day in range(1, 5):
                step.click()
                expect(page.get_by_text(f"Time: {day}")).to_be_visible(timeout=20_000)
            page.get_by_role("button", name="Misconduct incident").click()
            expect(page.get_by_text("misconduct incident (0.30) happens on day 4")).to_be_visible(timeout=20_000)
            for day in range(5, 7):
                step.click()
                expect(page.get_by_text(f"Time: {day}")).to_be_visible(timeout=20_000)
            expect(page.get_by_text("since the misconduct incident (0.30) on day 4")).to_be_visible(timeout=20_000)
            page.wait_for_timeout(500)
            after = page.evaluate(IMAGE_DIGESTS)
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            body = page.inner_text("body")
        finally:
            browser.close()

    assert len(before) == len(after) == 2 and all(a != b for a, b in zip(before, after, strict=True)), (
        "the network and the plots should redraw"
    )
    assert "Time: 6" in body
    for bad in ("error in step", "Traceback", "Error:"):
        assert bad not in body
    local = url.rstrip("/")
    external = [u for u in requests if not (u.startswith(local) or u.startswith("blob:") or u.startswith("data:"))]
    assert external == [], f"the page fetched from outside the local server: {external[:5]}"
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
