"""The Evidence tab in headless Chromium: with an adapter whose weights are not zero, the logit split is
drawn, picking an entity shows the counterfactual probabilities beside the old ones, clicking a region of
the frame does too, and the fast curves come back. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
import torch

from tests.helpers.browser import BROWSER_MARKS, EXAMPLES, app_page, open_tab, running_app, shot, wait_images

pytestmark = BROWSER_MARKS
CLASSES = "bouncing a ball, waving hand, driving car, swimming"


def nonzero_adapter_model(folder):
    """The tiny model with random nonzero adapter weights (so query terms and counterfactuals are not zero)."""
    from alt.hub.specs import tiny_model

    model = tiny_model()
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for p in model.adapter.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.1)
    model.config.adapter_trained = True
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def page_and_errors(tmp_path_factory, browser):
    """A page of the app with the nonzero-adapter model (its own app, not conftest.py's), and its page errors."""
    tmp = tmp_path_factory.mktemp("evidence-app")
    errors: list[str] = []
    with (running_app(tmp, model=str(nonzero_adapter_model(tmp / "model"))) as url,
          app_page(browser, url, errors, height=1100) as page):
        yield page, errors


def test_evidence_tab_entity_and_region_counterfactuals(page_and_errors):
    page, errors = page_and_errors
    page.locator("#alt-video input[type=file]").set_input_files(str(EXAMPLES / "bouncing_ball.mp4"))
    page.wait_for_function("() => { const v = document.querySelector('#alt-video video');"
                           " return v && v.readyState >= 1; }")
    page.locator("#alt-classes textarea").fill(CLASSES)
    page.locator("#alt-run").click()
    page.wait_for_function("() => document.querySelector('#alt-probs')?.innerText.includes('swimming')")

    open_tab(page, "Evidence")
    page.wait_for_selector("#alt-ev-plot img, #alt-ev-plot .js-plotly-plot", state="attached")
    assert "exact split" in page.locator("#alt-ev-caption").inner_text()
    assert "Untrained adapter" not in page.locator("#alt-ev-note").inner_text()
    page.wait_for_function("() => document.querySelectorAll('#alt-ev-table tbody tr').length > 0")
    wait_images(page, "#alt-ev-regions")

    # Pick an entity in the list: the counterfactual probabilities appear beside the old ones.
    page.locator("#alt-ev-entity input").click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('#alt-ev-result')?.innerText.includes('Counterfactual')")
    result = page.locator("#alt-ev-result").inner_text()
    assert "before" in result and "after" in result and "swimming" in result
    shot(page, "evidence-entity-counterfactual", "#alt-ev-result")
    shot(page, "evidence-tab")

    # Restore, then click a row of the entity table: that entity is removed.
    page.locator("#alt-ev-restore").click()
    page.wait_for_function("() => document.querySelector('#alt-ev-result')?.innerText.includes('Nothing removed')")
    cell = page.locator("#alt-ev-table [data-testid=cell-1-0]")
    name = cell.inner_text().strip()
    cell.click()
    page.wait_for_function("(n) => document.querySelector('#alt-ev-result')?.innerText.includes(`'${n}'`)", arg=name)

    # Restore, then click a region of the frame: the region counterfactual appears.
    page.locator("#alt-ev-restore").click()
    page.wait_for_function("() => document.querySelector('#alt-ev-result')?.innerText.includes('Nothing removed')")
    page.locator("#alt-ev-regions img").first.click(position={"x": 40, "y": 40})
    page.wait_for_function("() => document.querySelector('#alt-ev-result')?.innerText.includes('region(s)')")
    shot(page, "evidence-region-counterfactual", "#alt-ev-result")

    # Fast deletion/insertion curves.
    page.locator("#alt-ev-curves").click()
    page.wait_for_function("() => document.querySelector('#alt-ev-curves-caption')?.innerText.includes('AUC')")
    shot(page, "evidence-curves")
    assert not [e for e in errors if e.startswith("pageerror")], errors
