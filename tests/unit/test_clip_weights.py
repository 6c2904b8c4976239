"""CLIP weights come from a Hub cache as safetensors only; offline without a copy is a clear error."""

import numpy as np
import pytest
import torch
from huggingface_hub import constants
from safetensors.torch import save_file

from alt import ALTModel
from alt.hub.clip_weights import SAFE_WEIGHTS, ClipWeightsError, clip_weights_file
from alt.hub.specs import ModelSpecError, load_model


@pytest.fixture
def offline_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


def _cache_file(root, repo: str, filename: str, tensors: dict) -> None:
    commit = "a" * 40
    base = root / f"models--{repo.replace('/', '--')}"
    (base / "snapshots" / commit).mkdir(parents=True)
    (base / "refs").mkdir()
    (base / "refs" / "main").write_text(commit)
    save_file(tensors, str(base / "snapshots" / commit / filename))


def test_offline_without_cached_weights_is_a_clear_error(offline_cache):
    with pytest.raises(ClipWeightsError, match="not in the local Hugging Face cache"):
        clip_weights_file("ViT-B-32", "openai")
    with pytest.raises(ModelSpecError, match="--model tiny"):
        load_model("clip:ViT-B-32/openai")


def test_unknown_tag_lists_the_known_ones():
    with pytest.raises(ClipWeightsError, match="tags: openai"):
        clip_weights_file("ViT-B-32", "no-such-tag")


@pytest.mark.slow
def test_from_clip_loads_safetensors_from_the_hub_cache(offline_cache):
    torch.manual_seed(1)
    reference = ALTModel.from_clip("ViT-B-32", pretrained=None)
    state = {k: v.contiguous() for k, v in reference.clip.state_dict().items()}
    _cache_file(offline_cache, "timm/vit_base_patch32_clip_224.openai", SAFE_WEIGHTS, state)
    model = ALTModel.from_clip("ViT-B-32", pretrained="openai")
    assert model.config.clip_config.get("quick_gelu") is True  # OpenAI weights use QuickGELU
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(model.clip.visual.conv1.weight, reference.clip.visual.conv1.weight)
        assert np.isfinite(model.clip.encode_image(x).numpy()).all()
