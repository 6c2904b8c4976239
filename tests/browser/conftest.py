"""Fixtures of the browser tests: one running app (the tiny model) and one headless Chromium per test module.
Helpers for driving the page are in tests/helpers/browser.py."""

from __future__ import annotations

import pytest

from tests.helpers.browser import chromium, running_app


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """URL of `python app.py --model tiny`, started for this module and stopped after it."""
    with running_app(tmp_path_factory.mktemp("app")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for this module."""
    with chromium() as b:
        yield b
