"""The network: token merging (merge), the region-aware encoder (encoder), entity alignment (align),
the video adapter (adapter), text embeddings (text), the config and presets (config, configs/), and
ALTModel (alt_model), which puts them together."""

from alt.model.alt_model import ALTModel, ALTOutput
from alt.model.config import ALTConfig

__all__ = ["ALTConfig", "ALTModel", "ALTOutput"]
