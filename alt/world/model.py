"""The ALT World model's architecture: a small open_clip CLIP (ViT, patch 8, 96 px) inside an ALTModel.

`world_config()` is the complete ALTConfig of the shipped model (assets/models/alt-world/), so the
pretraining (alt/world/pretrain.py) and every test build exactly the same network:

- image tower: open_clip VisionTransformer, 96 x 96 px input (the world's native frame size, so masks map
  1:1 onto the model input), 8 px patches (a 12 x 12 grid), width 128, 5 layers, 4 heads;
- text tower: width 64, 4 layers, context 48 tokens (the longest world caption has 40), the full open_clip
  vocabulary (49408) read by `open_clip.SimpleTokenizer`, so any class name a user types can be encoded;
- joint space D = 128; token merging r = 8 per layer by default (145 -> 105 tokens);
- prompt templates that fit the world's class names ("walking left", "a ball rising", ...), in the words
  its captions use: "{}" and "a photo of {}".

Size: the text token table (49408 x 64) dominates; saved in float16 the whole checkpoint is about 10 MB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from alt.corpus.entities import EntityCorpus
    from alt.model.alt_model import ALTModel

WORLD_CLIP_NAME = "alt-world-vit-p8-96"  # not an open_clip registry name: the tokenizer is SimpleTokenizer
IMAGE_SIZE = 96
PATCH_SIZE = 8
CONTEXT_LENGTH = 48
PROMPT_TEMPLATES = ("{}", "a photo of {}")

WORLD_CLIP_CONFIG: dict[str, Any] = {
    "embed_dim": 128,
    "vision_cfg": {"image_size": IMAGE_SIZE, "patch_size": PATCH_SIZE, "width": 96, "layers": 4,
                   "head_width": 32, "mlp_ratio": 4.0},
    "text_cfg": {"context_length": CONTEXT_LENGTH, "vocab_size": 49408, "width": 64, "heads": 4, "layers": 4},
}


def world_config(**overrides: Any) -> dict[str, Any]:
    """The ALTConfig fields (as a dict) of the ALT World model; `overrides` replace fields."""
    import copy

    cfg = {
        "clip_name": WORLD_CLIP_NAME,
        "clip_pretrained": None,  # pretrained by `alt world pretrain`, not an open_clip tag
        "clip_config": copy.deepcopy(WORLD_CLIP_CONFIG),
        "r": 8,
        "adapter_layers": 2,
        "adapter_heads": 8,
        "max_frames": 32,
        "prompt_templates": list(PROMPT_TEMPLATES),
    }
    cfg.update(overrides)
    return cfg


def world_corpus() -> EntityCorpus:
    """The corpus of the world's 26 entities (`world_corpus_entries`), in `ENTITIES` order."""
    from alt.corpus.entities import Entity, EntityCorpus
    from alt.world.dataset import world_corpus_entries

    return EntityCorpus([Entity.from_dict(e) for e in world_corpus_entries()], name="alt-world")


def new_world_model(seed: int = 0, **overrides: Any) -> ALTModel:
    """A fresh ALTModel with the world architecture and corpus, random weights drawn with `seed`."""
    from alt.model.alt_model import ALTModel
    from alt.model.config import ALTConfig

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ALTModel(ALTConfig.from_dict(world_config(**overrides)), corpus=world_corpus())
