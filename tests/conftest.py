"""Shared fixtures: tiny random models, a small corpus, an isolated cache folder. CPU only, no network."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Entity-embedding cache in a temp folder, never the user's."""
    os.environ["ALT_CACHE_DIR"] = str(tmp_path_factory.mktemp("alt-cache"))
    yield


@pytest.fixture(scope="session")
def small_corpus():
    from alt.corpus.entities import EntityCorpus

    words = ["head", "hand", "foot", "ball", "bicycle", "water", "grass", "road", "guitar", "dog",
             "horse", "rope", "knife", "table", "swimming pool", "field", "jump", "run", "throw", "kick"]
    return EntityCorpus.from_entities(
        [{"unit": w, "kind": "object", "description": f"a {w}", "source": "test", "actions": []} for w in words],
        name="test-corpus")


@pytest.fixture(scope="session")
def tiny(small_corpus):
    """The tiny preset (random, deterministic weights) with the small test corpus."""
    from alt.hub.specs import tiny_model

    model = tiny_model()
    model._corpus = small_corpus
    return model


@pytest.fixture
def frames():
    """A synthetic clip: a bright square moving over a gradient. uint8 [6, 48, 64, 3]"""
    t, h, w = 6, 48, 64
    out = np.zeros((t, h, w, 3), np.uint8)
    out[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, None, :]
    out[..., 2] = np.linspace(255, 0, h, dtype=np.uint8)[None, :, None]
    for i in range(t):
        out[i, 10:26, 5 + 8 * i:21 + 8 * i] = (250, 250, 40)
    return out
