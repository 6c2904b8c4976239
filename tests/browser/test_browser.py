"""The app in headless Chromium (Playwright, the system /usr/bin/chromium): upload an AVI, run, look at
every tab, move the frame slider, download the JSON; no page or console errors.

Screenshots go to docs/screenshots/ with ALT_UPDATE_SCREENSHOTS=1, else to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.browser import BROWSER_MARKS, TIMEOUT_MS, app_page, open_tab, shot, upload_clip, wait_images
from tests.helpers.server import ROOT

CLASSES = "bouncing a ball, waving hand, driving car, swimming, playing guitar"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def page_and_errors(app_url, browser):
    """The app's page (conftest.py's app and browser), and the page and console errors it logs."""
    errors: list[str] = []
    with app_page(browser, app_url, errors, console_errors=True, accept_downloads=True) as page:
        yield page, errors


def example_avi(path: Path, seconds: float = 3.0) -> Path:
    """The bouncing-ball example clip (assets/examples/), looped to `seconds` and re-encoded as MJPEG in AVI,
    which Chromium cannot play."""
    import cv2

    cap = cv2.VideoCapture(str(ROOT / "assets" / "examples" / "bouncing_ball.mp4"))
    fps = cap.get(cv2.CAP_PROP_FPS) or 12.0
    ok, frame = cap.read()
    assert ok
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, frame.shape[1::-1])
    assert writer.isOpened()
    for _ in range(int(seconds * fps)):  # the example is 2 s long: loop it to fill `seconds`
        writer.write(frame)  # BGR, as cv2 wants
        ok, frame = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = cap.read()
            assert ok
    writer.release()
    cap.release()
    return path


def test_upload_avi_run_every_tab_slider_and_json_download(page_and_errors, tmp_path):
    page, errors = page_and_errors
    upload_avi_and_explain(page, example_avi(tmp_path / "ball.avi"))
    check_alignment_tab_and_entity_highlight(page)

    open_tab(page, "Attention")
    wait_images(page, "#alt-attention")
    shot(page, "04-attention")

    open_tab(page, "Timeline")
    page.wait_for_selector("#alt-time-plot .js-plotly-plot, #alt-time-plot .plotly", state="attached")
    page.wait_for_selector("#alt-entity-plot .js-plotly-plot, #alt-entity-plot .plotly", state="attached")
    shot(page, "05-timeline")

    check_frame_slider_follows_and_moves_the_player(page)
    check_json_download(page, tmp_path)
    assert not errors, "\n".join(errors)


def upload_avi_and_explain(page, avi: Path) -> None:
    """Upload an AVI (Chromium cannot play MJPEG/AVI): the player gets an H.264 copy, no error toast; then
    Explain shows the top three classes of ALT and of the baseline, and the region maps."""
    upload_clip(page, avi, display_copy=True)
    assert page.locator(".toast-body.error, [data-testid='toast-body']").count() == 0

    page.locator("#alt-classes textarea").fill(CLASSES)
    page.locator("#alt-run").click()
    names = [c.strip() for c in CLASSES.split(",")]
    page.wait_for_function(  # the summary names the clip once the result is in (progress text comes first)
        f"() => document.querySelector('#alt-summary')?.innerText.includes('{avi.name}')", timeout=TIMEOUT_MS)
    for label in ("#alt-probs", "#alt-baseline-probs"):  # each shows its top three classes
        assert sum(n in page.locator(label).inner_text() for n in names) == 3
    wait_images(page, "#alt-regions")
    shot(page, "01-predictions-regions")


def check_alignment_tab_and_entity_highlight(page) -> None:
    """The Alignment tab's picture, gallery of 8 frames and plot; highlighting one entity re-renders every
    frame's overlay."""
    open_tab(page, "Alignment")
    wait_images(page, "#alt-annotated")
    wait_images(page, "#alt-gallery", 8)
    page.wait_for_selector("#alt-align-plot .js-plotly-plot", state="attached")
    shot(page, "02-alignment")
    before = page.eval_on_selector_all("#alt-gallery img", "els => els.map(e => e.src).join()")
    page.locator("#alt-entity input").click()
    page.get_by_role("option").nth(1).click()
    page.wait_for_function(
        "(b) => { const s = [...document.querySelectorAll('#alt-gallery img')].map(e => e.src).join();"
        " return s && s !== b; }", arg=before)
    wait_images(page, "#alt-gallery", 8)
    shot(page, "03-alignment-entity")


def check_frame_slider_follows_and_moves_the_player(page) -> None:
    """Moving the frame slider re-renders the views from session state (no model call) and seeks the
    player; pausing the player, and a timer while it plays, move the slider to the player's frame."""
    open_tab(page, "Regions")
    src0 = page.locator("#alt-regions img").first.get_attribute("src")
    number = page.locator("#alt-frame input[type=number]")
    number.fill("5")
    number.press("Enter")
    page.wait_for_function(
        "(s) => { const i = document.querySelector('#alt-regions img'); return i && i.src !== s; }", arg=src0)
    assert "Frame 5" in page.locator("body").inner_text()
    shot(page, "06-frame-5")
    # The slider seeks the player (frame 5 of 8 over 3 s is at about 2 s) ...
    page.wait_for_function("() => document.querySelector('#alt-video video').currentTime > 1.5")
    # ... and pausing the player moves the slider to the frame at the player's time.
    page.evaluate("""async () => { const v = document.querySelector('#alt-video video');
        v.muted = true; v.currentTime = 0.6; await v.play();
        await new Promise(r => setTimeout(r, 300)); v.pause(); }""")
    page.wait_for_function("() => document.querySelector('#alt-frame input[type=number]').value !== '5'")
    assert int(number.input_value()) in (1, 2, 3)
    # ... and while it plays, a timer keeps the slider in step (half speed: 6 s of playback).
    page.evaluate("""async () => { const v = document.querySelector('#alt-video video');
        v.muted = true; v.playbackRate = 0.5; v.currentTime = 0; await v.play(); }""")
    page.wait_for_function("""() => { const v = document.querySelector('#alt-video video');
        return !v.paused && !v.ended &&
            Number(document.querySelector('#alt-frame input[type=number]').value) >= 4; }""")
    page.evaluate("() => document.querySelector('#alt-video video').pause()")


def check_json_download(page, tmp_path: Path) -> None:
    """The Downloads tab exports JSON, PNG, PDF, MP4 and ZIP; the JSON downloaded holds the run's classes
    and 8 frames of the tiny model."""
    open_tab(page, "Downloads")
    page.locator("#alt-export").click()
    link = page.locator('#alt-files a[download="alt-explanation.json"]')
    link.wait_for(timeout=TIMEOUT_MS)
    shot(page, "07-downloads")
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "downloaded.json"
    info.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert list(data["predictions"]) == [c.strip() for c in CLASSES.split(",")]
    assert len(data["timestamps"]) == 8 and data["model_name"] == "tiny"
    for ext in ("png", "pdf", "mp4", "zip"):
        assert page.locator(f'#alt-files a[download="alt-explanation.{ext}"]').count() == 1, ext


def test_bad_input_shows_a_clear_error_in_the_page(page_and_errors):
    page, errors = page_and_errors
    page.locator("#alt-classes textarea").fill("ball, dog, Ball")
    page.locator("#alt-run").click()
    page.wait_for_function("() => document.querySelector('#alt-status')?.innerText.includes('duplicate class names')")
    shot(page, "08-error-duplicate-classes")
    # The previous result stays on screen; a good request afterwards still works.
    assert "%" in page.locator("#alt-probs").inner_text()
    page.locator("#alt-classes textarea").fill("ball, dog")
    page.locator("#alt-run").click()
    page.wait_for_function("() => document.querySelector('#alt-status')?.innerText.trim() === ''")
    page.wait_for_function("() => !document.querySelector('#alt-probs').innerText.includes('swimming')")
    pageerrors = [e for e in errors if e.startswith("pageerror")]
    assert not pageerrors, pageerrors


def test_preset_fills_humanised_names_and_an_example_clip_runs(page_and_errors):
    page, errors = page_and_errors
    page.locator("#alt-preset input").click()
    page.get_by_role("option", name="UCF-101").click()
    page.wait_for_function("() => document.querySelector('#alt-classes textarea').value.includes('apply eye makeup')")
    assert "ApplyEyeMakeup" not in page.locator("#alt-classes textarea").input_value()
    from ui.examples import EXAMPLES

    first_line = EXAMPLES["waving.mp4"].splitlines()[0]
    page.locator("tr", has_text=first_line).first.click(timeout=20_000)  # the waving example
    page.wait_for_function("(w) => document.querySelector('#alt-classes textarea').value.startsWith(w)", arg=first_line)
    page.wait_for_function("() => (document.querySelector('#alt-video video')?.src || '').includes('waving')")
    page.locator("#alt-run").click()
    page.wait_for_function("() => document.querySelector('#alt-summary')?.innerText.includes('waving.mp4')")
    assert "%" in page.locator("#alt-probs").inner_text()
    assert not [e for e in errors if e.startswith("pageerror")]
