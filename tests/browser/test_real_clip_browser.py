"""A real clip that every player plays but whose header overstates its length: opencv-doc's tree.avi
(Cinepak; the header says 444 frames, the stream holds 68) through the public API and the browser.
The CLI path is in tests/integration/test_real_clips.py.
"""

from __future__ import annotations

import pytest

from tests.helpers.browser import BROWSER_MARKS, TIMEOUT_MS, app_page, upload_clip
from tests.helpers.real_clips import opencv_doc_clip

pytestmark = BROWSER_MARKS
CLASSES = ["a tree", "a car", "a person"]


@pytest.fixture(scope="module")
def tree():
    return opencv_doc_clip("tree.avi")


def test_tree_avi_classifies_through_the_api(app_url, tree):
    from gradio_client import Client, handle_file

    out = Client(app_url, verbose=False).predict(handle_file(str(tree)), ", ".join(CLASSES), api_name="/classify")
    assert list(out) == CLASSES and all(isinstance(v, float) for v in out.values())


def test_tree_avi_plays_and_explains_in_the_browser(app_url, browser, tree):
    errors: list[str] = []
    with app_page(browser, app_url, errors) as page:
        upload_clip(page, tree, display_copy=True)  # Chromium cannot play Cinepak: the H.264 display copy
        page.locator("#alt-classes textarea").fill(", ".join(CLASSES))
        page.locator("#alt-run").click()
        page.wait_for_function("() => document.querySelector('#alt-summary')?.innerText.includes('tree.avi')",
                               timeout=TIMEOUT_MS)
        assert "error" not in page.locator("#alt-status").inner_text().lower()
        assert page.locator(".toast-body.error").count() == 0
    assert not errors, "\n".join(errors)
