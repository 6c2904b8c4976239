"""The network: token merging (merge, schedule), the region-aware encoder (encoder), entity alignment (align),
the video adapter (adapter), text embeddings (text), the config and presets (config, configs/), and
ALTModel (alt_model), which puts them together.

`ALTModel` and `ALTOutput` are imported on first use, so `alt.model.config` and `alt.model.schedule` load
without torch (the app reads a model's config before torch is imported).
"""

from __future__ import annotations

from alt.lazy import lazy_exports

_EXPORTS = {"ALTConfig": "config", "ALTModel": "alt_model", "ALTOutput": "alt_model"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
