"""Issue 16 in a real browser (Playwright driving Debian's Chromium, as
test_dashboard_browser.py): the dashboard's save, load, link, downloads, A/B mode and
guided lessons, and the report (offline, its summary table on the first screen).
Skips where Chromium or Playwright is missing only when CI is unset."""

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.compare import policy_configs, run_comparison, write_comparison
from coprod_sim.config import load_config

if os.environ.get("CI") != "true":
    pytest.importorskip("playwright.sync_api", reason="Playwright is missing (make test installs the dashboard extra)")

# the dashboard's browser test skips (outside CI) where Chromium or the dashboard extra is missing; so does this one
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from test_dashboard_browser import CHROMIUM, FLAGS, dashboard  # noqa: E402, F401 (dashboard: the server fixture)

WAIT = 20_000


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def _step_to(page, day: int) -> None:
    step = page.get_by_role("button", name="Step", exact=True)
    current = int(float(re.search(r"Time: ([\d.]+)", page.inner_text("body")).group(1)))
    for d in range(current + 1, day + 1):
        step.click()
        expect(page.get_by_text(f"Time: {d}")).to_be_visible(timeout=WAIT)


def _download(page, button: str, folder: Path) -> Path:
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name=button).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _external(requests: list[str], url: str) -> list[str]:
    local = url.rstrip("/")
    return [u for u in requests if not (u.startswith(local) or u.startswith(("blob:", "data:")))]


def test_save_export_link_and_load(dashboard, tmp_path):  # noqa: F811
    url = dashboard
    requests: list[str] = []
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200}, accept_downloads=True)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            expect(page.get_by_text("Time: 0")).to_be_visible(timeout=60_000)
            _step_to(page, 3)
            page.get_by_role("button", name="Misconduct incident").click()
            _step_to(page, 6)

            saved = _download(page, "Save set-up (.toml)", tmp_path)
            csv = _download(page, "Daily data (CSV)", tmp_path)
            parquet = _download(page, "Daily data (Parquet)", tmp_path)
            plots = _download(page, "Plots (PNG)", tmp_path)
            network = _download(page, "Network (PNG)", tmp_path)
            link = page.locator("#coprod-setup-link").get_attribute("href")

            # the link reopens the set-up: the incident, now scheduled, comes by itself on day 3
            linked = browser.new_page(viewport={"width": 1600, "height": 1200})
            linked.on("request", lambda r: requests.append(r.url))
            linked.goto(url.rstrip("/") + link)
            expect(linked.get_by_text("Time: 0")).to_be_visible(timeout=60_000)
            _step_to(linked, 5)
            expect(linked.get_by_text("since the misconduct incident on day 3")).to_be_visible(timeout=WAIT)

            # loading the saved file does the same
            loaded = browser.new_page(viewport={"width": 1600, "height": 1200})
            loaded.goto(url)
            expect(loaded.get_by_text("Time: 0")).to_be_visible(timeout=60_000)
            with loaded.expect_file_chooser() as chooser:
                loaded.get_by_role("button", name="Load set-up").click()
            chooser.value.set_files(saved)
            expect(loaded).to_have_url(re.compile(r"\?setup="), timeout=WAIT)
            expect(loaded.get_by_text("Time: 0")).to_be_visible(timeout=60_000)
            _step_to(loaded, 5)
            expect(loaded.get_by_text("since the misconduct incident on day 3")).to_be_visible(timeout=WAIT)
            body = loaded.inner_text("body") + page.inner_text("body")
        finally:
            browser.close()

    for bad in ("Traceback", "Error:", "could not be opened"):
        assert bad not in body
    assert _external(requests, url) == []
    shown = pd.read_csv(csv)
    assert len(shown) == 6 and pd.read_parquet(parquet).shape == shown.shape
    assert plots.read_bytes()[:8] == network.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the saved file is a config the CLI accepts, and `run` reproduces the dashboard's series
    assert load_config(saved).run.days == 6
    assert main(["run", str(saved), "--out", str(tmp_path / "rerun")]) == 0
    rerun = pd.read_parquet(tmp_path / "rerun" / "timeseries.parquet")
    pd.testing.assert_frame_equal(rerun[shown.columns].reset_index(drop=True), shown, check_dtype=False)


def test_ab_mode_and_a_guided_lesson(dashboard, tmp_path):  # noqa: F811
    url = dashboard
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200}, accept_downloads=True)
            page.goto(url + "?lesson=misconduct")
            expect(page.get_by_text("Lesson 2: a misconduct shock and slow recovery").first).to_be_visible(
                timeout=60_000
            )
            expect(page.locator("img[src^='blob:']")).to_have_count(3, timeout=WAIT)  # network, plots, A minus B
            _step_to(page, 2)
            expect(page.locator(".coprod-ab-summary")).to_contain_text("confident, minority +0.0 points")
            page.get_by_role("button", name="Misconduct incident").click()
            _step_to(page, 4)
            summary = page.locator(".coprod-ab-summary").inner_text()
            png = _download(page, "A/B plot (PNG)", tmp_path)
            page.get_by_role("button", name="Stop A/B").click()
            expect(page.locator("img[src^='blob:']")).to_have_count(2, timeout=WAIT)
            page.get_by_role("button", name="Start A/B").click()  # B: the same set-up, caught up to A's day
            expect(page.locator(".coprod-ab-summary")).to_contain_text("Day 3, A minus B", timeout=WAIT)
        finally:
            browser.close()
    minority = float(re.search(r"confident, minority ([-+][\d.]+) points", summary).group(1))
    assert minority < 0, summary  # the incident happened in A only
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    small = {"population.residents": 800, "population.neighbourhoods": 4, "run.burn_in_days": 10}
    configs = policy_configs(load_config(overrides=small), ["reactive", "door_to_door", "hot_spots"], "reactive")
    results = run_comparison(configs, seed=2, replicates=3, days=200, workers=1, progress=False)
    out = tmp_path_factory.mktemp("report")
    write_comparison(out, configs, results, command="test")
    return out / "report.html"


def test_the_report_renders_offline_with_its_summary_on_the_first_screen(report, tmp_path):
    requests: list[str] = []
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            table = page.locator("#summary-table")
            expect(table).to_be_visible()
            box = table.bounding_box()
            headings = page.locator("#summary-table th").all_inner_texts()
            page.screenshot(path=str(tmp_path / "first_screen.png"))
            pdf = page.pdf(format="A4")  # the print stylesheet, as "Save as PDF" uses it
        finally:
            browser.close()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box  # the whole table on the first screen
    assert any(h.startswith("Crime") for h in headings) and any("minority" in h for h in headings)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []  # zero external requests
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
