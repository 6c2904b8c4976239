"""The whole-video mode in headless Chromium: explain a clip window by window, see the timeline and the
table fill in, open one window's full explanation with a click, and stop a long run with Stop."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, open_tab
from tests.helpers.clipgen import make_clip
from tests.helpers.server import start_app, stop_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"),
]
ROWS = "#alt-windows tbody tr"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    proc, url, _ = start_app(tmp_path_factory.mktemp("whole-app"))
    errors: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.goto(url)
            page.wait_for_selector("#alt-run-whole", state="attached")
            yield page
            browser.close()
    finally:
        stop_app(proc)
    assert not errors, errors


def upload(page, path) -> None:
    page.locator("#alt-video input[type=file]").set_input_files(str(path))
    page.wait_for_function("() => { const v = document.querySelector('#alt-video video');"
                           " return v && v.readyState >= 1 && !v.error; }", timeout=TIMEOUT_MS)


def set_window(page, seconds: int) -> None:
    box = page.locator("#alt-window-s input[type=number]")
    box.fill(str(seconds))
    box.press("Enter")


def test_timeline_fills_in_and_a_click_opens_the_window(page, tmp_path):
    upload(page, make_clip(tmp_path / "walk.mp4", num_frames=120, size=(96, 64), fps=4))  # 30 s
    page.locator("#alt-classes textarea").fill("waving, walking, jumping")
    page.get_by_text("Whole video: a timeline of windows").click()
    set_window(page, 5)
    page.locator("#alt-run-whole").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === 6")  # 30 s / 5 s
    page.wait_for_function("() => document.querySelector('#alt-whole-note')?.innerText.includes('6 of 6 windows')")
    open_tab(page, "Whole video")
    page.wait_for_selector("#alt-timeline-plot .js-plotly-plot", state="attached")
    assert "15.0-20.0" in page.locator(ROWS).nth(3).inner_text()
    page.locator(ROWS).nth(3).locator("td").first.click()  # window 3: its full explanation in every tab
    page.wait_for_function("() => document.querySelector('#alt-status')?.innerText.includes('Window 3 (15.0-20.0 s)')")
    page.wait_for_function("() => document.querySelector('#alt-summary')?.innerText.includes('walk.mp4')")
    open_tab(page, "Regions")
    page.wait_for_function("() => [...document.querySelectorAll('#alt-regions img')].some(i => i.naturalWidth > 0)")


def test_stop_cancels_a_long_run_and_keeps_the_windows_done(page, tmp_path):
    upload(page, make_clip(tmp_path / "long.mp4", num_frames=1200, size=(64, 48), fps=4))  # 300 s
    set_window(page, 1)  # 300 windows: far more than a few seconds of work
    page.locator("#alt-run-whole").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length >= 4")
    page.locator("#alt-stop-whole").click()
    page.wait_for_timeout(3000)
    done = page.locator(ROWS).count()
    page.wait_for_timeout(4000)
    assert 4 <= done == page.locator(ROWS).count() < 300  # nothing more arrives after Stop
