"""The offline ALT World model in the app (`python app.py --model world`, what `make app MODEL=world` runs):
its example clips explained with meaning, checked against their ground truth, in headless Chromium.

- walking_left.mp4: ALT names the temporal class ("walking left"), which the frame mean cannot tell from
  its time-reversed partner;
- waving.mp4: ALT and the frame-mean baseline both name "waving a hand", and the waving hand is aligned to
  "hand" (offered in the Alignment tab's entity list, highlighted there); how much of the hand and the arms
  is aligned to their own entity is measured against the clip's masks in tests/integration/test_world_eval.py.

Screenshots (world-*.png) go to docs/screenshots/ with ALT_UPDATE_SCREENSHOTS=1, else to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.browser import (
    BROWSER_MARKS,
    EXAMPLES,
    TIMEOUT_MS,
    app_page,
    open_tab,
    running_app,
    shot,
    upload_clip,
    wait_images,
)

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def page(tmp_path_factory, browser):
    errors: list[str] = []
    with running_app(tmp_path_factory.mktemp("world-app"), model="world") as url:
        with app_page(browser, url, errors) as page:
            yield page
    assert not errors, "\n".join(errors)


def explain_example(page, name: str) -> list[str]:
    """Upload the example clip `name` with its offered class names and run Explain; returns the names."""
    from ui.examples import EXAMPLES as OFFERED

    upload_clip(page, EXAMPLES / name)
    names = OFFERED[name].splitlines()
    page.locator("#alt-classes textarea").fill(", ".join(names))
    page.locator("#alt-run").click()
    page.wait_for_function(f"() => document.querySelector('#alt-summary')?.innerText.includes('{name}')",
                           timeout=TIMEOUT_MS)
    return names


def top_class(page, selector: str, names: list[str]) -> str:
    """The class a Label shows first (its heading): the first line of its text that is a class name."""
    lines = [line.strip() for line in page.locator(selector).inner_text().splitlines()]
    return next(line for line in lines if line in names)


def test_world_model_names_walking_left_which_the_frame_mean_cannot(page):
    names = explain_example(page, "walking_left.mp4")
    assert top_class(page, "#alt-probs", names) == "walking left"
    wait_images(page, "#alt-regions")
    shot(page, "world-01-walking-left")


def test_world_model_names_waving_and_aligns_the_hand_to_hand(page):
    names = explain_example(page, "waving.mp4")
    assert top_class(page, "#alt-probs", names) == "waving a hand"
    assert top_class(page, "#alt-baseline-probs", names) == "waving a hand"
    open_tab(page, "Alignment")
    wait_images(page, "#alt-annotated")
    page.locator("#alt-entity input").click()
    # offered only when some region was aligned to it: "N · hand: x% of patches" or "hand (grey): ..."
    page.get_by_role("option", name=re.compile(r"(· |^)hand( \(grey\))?:")).click()
    page.keyboard.press("Escape")
    wait_images(page, "#alt-gallery", 8)
    shot(page, "world-02-waving-hand")
