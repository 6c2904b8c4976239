"""Driving the app in headless Chromium (Playwright, the system /usr/bin/chromium): the shared setup of
tests/browser/ (marks, a running app, a browser, a page on the app) and small page helpers.

Screenshots go to docs/screenshots/ with ALT_UPDATE_SCREENSHOTS=1, else to test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.server import ROOT, start_app, stop_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = ROOT / ("docs/screenshots" if os.environ.get("ALT_UPDATE_SCREENSHOTS") == "1" else "test-artifacts/screenshots")
TIMEOUT_MS = 120_000
EXAMPLES = ROOT / "assets" / "examples"

# every browser test module: `pytestmark = BROWSER_MARKS`
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"),
]


@contextlib.contextmanager
def running_app(tmp: Path, *extra: str, model: str = "tiny") -> Iterator[str]:
    """`python app.py --model MODEL` on a free port, stopped on exit. Yields its URL."""
    proc, url, _ = start_app(tmp, *extra, model=model)
    try:
        yield url
    finally:
        stop_app(proc)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium (Playwright Browser), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def app_page(browser, url: str, errors: list[str], width: int = 1400, height: int = 1000,
             console_errors: bool = False, **context_options) -> Iterator:
    """A page of the app at `url` in a fresh browser context of width x height, once the Explain button is
    there; its page errors (and with `console_errors`, console errors) are appended to `errors`. The context
    is closed on exit. `context_options` go to `browser.new_context` (e.g. accept_downloads=True)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        if console_errors:
            page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}")
                    if msg.type == "error" else None)
        page.goto(url)
        page.wait_for_selector("#alt-run")
        yield page
    finally:
        context.close()


def shot(page, name: str, selector: str | None = None) -> Path:
    """Screenshot of the element `selector` (or the full page) as SHOTS/{name}.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    (page.locator(selector).screenshot(path=str(path)) if selector else page.screenshot(path=str(path), full_page=True))
    return path


def wait_images(page, selector: str, n: int = 1) -> None:
    """Wait until at least `n` <img> inside `selector` are fully loaded and not empty."""
    page.wait_for_function(
        "([sel, n]) => [...document.querySelectorAll(sel + ' img')].filter(e => e.complete && e.naturalWidth > 0)"
        ".length >= n", arg=[selector, n])


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def upload_clip(page, path: Path, display_copy: bool = False) -> None:
    """Put the clip at `path` into the player (removing a clip already there) and wait until the player has
    loaded it without an error; with `display_copy`, until it plays the H.264 copy the app made (uploads
    Chromium cannot play)."""
    clear = page.locator("#alt-video button[aria-label=Clear]")
    if clear.count():
        clear.click()
    page.locator("#alt-video input[type=file]").set_input_files(str(path))
    copy = "v.src.includes('display-') && " if display_copy else ""
    page.wait_for_function("() => { const v = document.querySelector('#alt-video video');"
                           f" return v && {copy}v.readyState >= 1 && !v.error; }}", timeout=TIMEOUT_MS)
