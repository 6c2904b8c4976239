"""The player's H.264 copy is off the critical path: Explain on an AVI that Chromium cannot play, clicked
before the app has made the display copy, gives results from the original file; the copy is swapped into
the player afterwards and the results stay (they are of the same clip).

The clip is opencv-doc's vtest.avi (MS-MPEG-4 v3, 768x576, 79.5 s): its conversion takes several seconds
(8-20 s on a 2-core CPU), while the tiny model explains 8 frames of it in about one.
"""

from __future__ import annotations

import pytest

from tests.helpers.browser import BROWSER_MARKS, TIMEOUT_MS, app_page, shot
from tests.helpers.real_clips import opencv_doc_clip

pytestmark = BROWSER_MARKS
CLASSES = ["people walking", "a car", "a dog"]
PLAYER = "document.querySelector('#alt-video video')"


@pytest.fixture(scope="module")
def vtest():
    return opencv_doc_clip("vtest.avi")


def player_src(page) -> str:
    """The src of the player's <video> ('' while there is none)."""
    return page.evaluate(f"() => {PLAYER}?.currentSrc || {PLAYER}?.src || ''")


def test_explain_before_the_display_copy_then_the_player_plays_it(app_url, browser, vtest):
    errors: list[str] = []
    with app_page(browser, app_url, errors) as page:
        page.locator("#alt-classes textarea").fill(", ".join(CLASSES))
        page.locator("#alt-video input[type=file]").set_input_files(str(vtest))
        # the upload is in the player (the original AVI, which Chromium cannot decode) ...
        page.wait_for_function(f"() => {PLAYER}?.src.includes('vtest.avi')", timeout=TIMEOUT_MS)
        assert "display-" not in player_src(page)
        page.locator("#alt-run").click()  # ... and Explain is pressed while the copy is being made
        page.wait_for_function("() => document.querySelector('#alt-summary')?.innerText.includes('vtest.avi')",
                               timeout=TIMEOUT_MS)
        # the results did not wait for the copy: the player still holds the original upload
        assert "display-" not in player_src(page), "Explain waited for the display copy (or the copy was too fast)"
        status = page.locator("#alt-status").inner_text().lower()
        assert "error" not in status and "could not" not in status, status
        page.wait_for_function("() => document.querySelector('#alt-probs')?.innerText.includes('people walking')")
        shot(page, "display-copy-results-first")  # the ALT prediction is shown

        # then the copy arrives and plays, and the results of this clip stay beside it
        page.wait_for_function(f"() => {{ const v = {PLAYER}; return v && v.src.includes('display-') &&"
                               " v.readyState >= 1 && !v.error && v.duration > 70; }", timeout=TIMEOUT_MS)
        page.wait_for_timeout(1000)  # the player's change event (on_video_change) has run
        assert "vtest.avi" in page.locator("#alt-summary").inner_text()
        assert "cleared" not in page.locator("#alt-status").inner_text().lower()
        assert page.locator(".toast-body.error").count() == 0
        shot(page, "display-copy-then-plays")
    assert not errors, "\n".join(errors)
