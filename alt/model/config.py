"""ALTConfig: every setting that defines an ALT model, with JSON presets in alt/model/configs/.

A preset file holds only the fields that differ from the defaults below; `ALTConfig.preset(name)`
fills in the rest and resolves the open_clip architecture, so a saved `config.json` is complete and a
checkpoint can be rebuilt offline without open_clip's registry.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from alt.errors import ConfigError
from alt.model.schedule import merge_cap, tokens_after_merging

logger = logging.getLogger(__name__)

PRESET_DIR = Path(__file__).parent / "configs"
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass
class ALTConfig:
    # --- the CLIP backbone ---
    clip_name: str = "ViT-B-16"  # open_clip architecture name (also picks the tokenizer)
    clip_pretrained: str | None = "openai"  # open_clip pretrained tag the backbone came from (provenance)
    clip_config: dict[str, Any] = field(default_factory=dict)  # open_clip model config; {} = from registry
    image_mean: tuple[float, float, float] = OPENAI_MEAN  # normalisation used by open_clip's transform
    image_std: tuple[float, float, float] = OPENAI_STD
    # --- region-aware encoder (token merging) ---
    r: int = 8  # default tokens merged per layer; each call may pass its own r
    proportional_attention: bool = True  # add log(region size) to attention logits (ToMe)
    # --- alignment ---
    gumbel_tau: float = 1.0  # Gumbel-Softmax temperature in training; eval uses plain argmax
    align_logit_scale: float = 14.2857  # initial scale of region-entity cosine logits (1 / 0.07)
    # --- video adapter ---
    adapter_layers: int = 2  # blocks of (query self-attention, cross-attention to regions, FFN)
    adapter_heads: int = 8  # heads; width is the joint dim D
    # FFN hidden width = ratio * D (2, not 4: keeps the adapter under ~5% of the encoder)
    adapter_mlp_ratio: float = 2.0
    attn_logit_scale: float = 14.2857  # initial scale of the adapter's per-head cosine attention
    temporal_kernel: int = 3  # depthwise Conv1d over time at every patch position (visual side)
    max_frames: int = 64  # length of the learned temporal position table
    # --- classification ---
    prompt_templates: list[str] = field(default_factory=lambda: ["a video of a person {}."])
    class_logit_scale: float | None = None  # class logit scale `alt train` set (None: CLIP's logit_scale, max 100)
    # --- state ---
    adapter_trained: bool = False  # True once `alt train` has updated the adapter
    preset_name: str | None = None  # the preset this config came from, if any
    spec: str | None = None  # the model spec it was loaded as (alt.load_model sets it; provenance only)

    def __post_init__(self) -> None:
        if self.r < 0:
            raise ConfigError(f"r must be >= 0, got {self.r}")
        if self.temporal_kernel % 2 != 1:
            raise ConfigError(f"temporal_kernel must be odd, got {self.temporal_kernel}")
        if not self.prompt_templates or any("{}" not in t for t in self.prompt_templates):
            raise ConfigError("prompt_templates must be a non-empty list of strings containing '{}'")
        self.image_mean = tuple(self.image_mean)
        self.image_std = tuple(self.image_std)

    # ---- construction ---------------------------------------------------------------------------
    @classmethod
    def preset(cls, name: str, **overrides: Any) -> "ALTConfig":
        """A preset from alt/model/configs/ (alt-b16, alt-b32, alt-l14, tiny), with optional overrides."""
        return cls._preset(name, **overrides).resolved()

    @classmethod
    def _preset(cls, name: str, **overrides: Any) -> "ALTConfig":
        """The preset as written (an empty `clip_config` stays empty)."""
        path = PRESET_DIR / f"{name}.json"
        if not path.is_file():
            raise ConfigError(f"unknown preset {name!r}; available: {', '.join(list_presets())}")
        data = json.loads(path.read_text())
        data.update(overrides)
        data["preset_name"] = name
        return cls.from_dict(data)

    @classmethod
    def for_clip(cls, name: str, pretrained: str | None = None, **overrides: Any) -> "ALTConfig":
        """The config of an untrained ALT around open_clip's `name` (the preset with that backbone, if any,
        gives the ALT settings), not yet resolved: `clip_config` stays empty."""
        base = {}
        for preset in list_presets():
            p = cls._preset(preset)
            if p.clip_name == name:
                base = {k: v for k, v in p.to_dict().items()
                        if k not in ("clip_config", "clip_pretrained", "preset_name")}
                break
        return cls.from_dict({**base, "clip_name": name, "clip_pretrained": pretrained, **overrides})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ALTConfig":
        """Build from a dict (e.g. a checkpoint's config.json); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"config has unknown fields {unknown}; is it an ALT Explorer config?")
        return cls(**copy.deepcopy(data))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def resolved(self) -> "ALTConfig":
        """A copy whose `clip_config` is filled from open_clip's registry when empty."""
        if self.clip_config:
            return self
        import open_clip  # local: keeps `import alt.config` light

        cfg = open_clip.get_model_config(self.clip_name)
        if cfg is None:
            raise ConfigError(
                f"open_clip has no architecture {self.clip_name!r}; see open_clip.list_models()"
            )
        cfg = copy.deepcopy(cfg)
        if self.clip_pretrained:
            tag_cfg = open_clip.get_pretrained_cfg(self.clip_name, self.clip_pretrained) or {}
            if tag_cfg.get("quick_gelu"):
                cfg["quick_gelu"] = True  # OpenAI weights were trained with QuickGELU
        out = copy.deepcopy(self)
        out.clip_config = cfg
        return out

    # ---- derived sizes --------------------------------------------------------------------------
    @property
    def vision_cfg(self) -> dict[str, Any]:
        return self.resolved().clip_config["vision_cfg"]

    @property
    def image_size(self) -> int:
        size = self.vision_cfg["image_size"]
        return int(size if isinstance(size, int) else size[0])

    @property
    def patch_size(self) -> int:
        return int(self.vision_cfg["patch_size"])

    @property
    def grid(self) -> int:
        """Hp = Wp, patches per side."""
        return self.image_size // self.patch_size

    @property
    def num_layers(self) -> int:
        return int(self.vision_cfg["layers"])

    @property
    def embed_dim(self) -> int:
        return int(self.resolved().clip_config["embed_dim"])

    @property
    def max_r(self) -> int:
        """Largest r a call may ask for: half the mergeable tokens of the first layer."""
        return merge_cap(self.grid ** 2 + 1)

    def num_regions(self, r: int) -> int:
        """R, regions per frame after merging at r."""
        return tokens_after_merging(self.grid ** 2 + 1, self.num_layers, r) - 1


def open_clip_architecture(name: str) -> dict[str, Any] | None:
    """open_clip's architecture config for `name`, read from its package files without importing open_clip
    (None when the file is not there). It lacks what a pretrained tag changes (QuickGELU): enough to size
    a page, not to build a model; `ALTConfig.resolved` is the full answer."""
    spec = importlib.util.find_spec("open_clip")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "model_configs" / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text())
    return None


def list_presets() -> list[str]:
    """Names of the JSON presets shipped in alt/model/configs/."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.json"))
