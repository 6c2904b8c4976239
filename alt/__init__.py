"""ALT Explorer's model package: ALT ("Align before Adapt") video action recognition on open_clip.

    from alt import ALTModel, load_video
    model = ALTModel.from_clip("ViT-B-16", pretrained="openai")
    exp = model.explain(load_video("clip.mp4", num_frames=8), ["riding a bike", "swimming"], r=8)

Names are imported lazily, so `import alt.explanation` (used by the torch-free visualizers) does not
pull in torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ALTConfig": "config", "ALTModel": "model", "DEFAULT_SPEC": "specs", "EntityCorpus": "corpus",
    "CorpusError": "corpus", "Explanation": "explanation", "InputError": "validate", "VideoClip": "video",
    "VideoError": "video", "load_model": "specs", "load_video": "video", "CheckpointError": "checkpoint",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'alt' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
