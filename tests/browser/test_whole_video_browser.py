"""The whole-video mode in headless Chromium: explain a clip window by window, see the timeline and the
table fill in, open one window's full explanation with a click, and stop a long run with Stop."""

from __future__ import annotations

import time

import pytest

from tests.helpers.browser import BROWSER_MARKS, app_page, open_tab, upload_clip
from tests.helpers.clipgen import make_clip

pytestmark = BROWSER_MARKS
NOTE = "#alt-whole-note"


def windows_done(page) -> int:
    """N of the note's 'N of M windows'."""
    text = page.locator(NOTE).inner_text()
    return int(text.split(" of ")[0].strip("* ")) if " of " in text else 0


@pytest.fixture(scope="module")
def page(app_url, browser):
    """The app's page (conftest.py's app and browser) with the whole-video controls open."""
    errors: list[str] = []
    with app_page(browser, app_url, errors) as page:
        page.get_by_text("Whole video: a timeline of windows").click()  # the accordion renders its content
        page.wait_for_selector("#alt-run-whole")
        yield page
    assert not errors, errors


def set_window(page, seconds: int) -> None:
    box = page.locator("#alt-window-s input[type=number]")
    box.fill(str(seconds))
    box.press("Enter")


def test_timeline_fills_in_and_a_click_opens_the_window(page, tmp_path):
    upload_clip(page, make_clip(tmp_path / "walk.mp4", num_frames=120, size=(96, 64), fps=4))  # 30 s
    page.locator("#alt-classes textarea").fill("waving, walking, jumping")
    set_window(page, 5)
    page.locator("#alt-run-whole").click()  # brings the Whole video tab forward
    page.wait_for_function(f"() => document.querySelector('{NOTE}')?.innerText.includes('6 of 6 windows')")
    page.wait_for_selector("#alt-timeline-plot .js-plotly-plot", state="attached")
    assert page.locator("#alt-windows [data-testid=cell-3-1]").inner_text().strip() == "15.0-20.0"  # 30 s / 5 s
    page.locator("#alt-windows [data-testid=cell-3-0]").click()  # window 3: its full explanation in every tab
    page.wait_for_function("() => document.querySelector('#alt-status')?.innerText.includes('Window 3 (15.0-20.0 s)')")
    page.wait_for_function("() => document.querySelector('#alt-summary')?.innerText.includes('walk.mp4')")
    open_tab(page, "Regions")
    page.wait_for_function("() => [...document.querySelectorAll('#alt-regions img')].some(i => i.naturalWidth > 0)")


def test_stop_cancels_a_long_run_and_keeps_the_windows_done(page, tmp_path):
    upload_clip(page, make_clip(tmp_path / "long.mp4", num_frames=1200, size=(64, 48), fps=4))  # 300 s
    set_window(page, 1)  # 300 windows: far more than a few seconds of work
    page.locator("#alt-run-whole").click()
    page.wait_for_function(f"() => /of 300 windows/.test(document.querySelector('{NOTE}')?.innerText)")
    page.locator("#alt-stop-whole").click()
    start = time.monotonic()  # the run ends after the chunk it is explaining: wait until the count holds 3 s
    done, steady_since = windows_done(page), start
    while time.monotonic() - steady_since < 3 and time.monotonic() - start < 60:
        page.wait_for_timeout(250)
        if windows_done(page) != done:
            done, steady_since = windows_done(page), time.monotonic()
    page.wait_for_timeout(5000)
    assert 1 <= done == windows_done(page) < 300  # nothing more arrives after Stop
    assert "Error" not in page.locator(NOTE).inner_text()  # the run ended normally (no cancelled generator)
