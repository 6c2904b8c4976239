"""ALT Explorer's model package: ALT ("Align before Adapt") video action recognition on open_clip.

    from alt import ALTModel, load_video
    model = ALTModel.from_clip("ViT-B-16", pretrained="openai")
    exp = model.explain(load_video("clip.mp4", num_frames=8), ["riding a bike", "swimming"], r=8)

Sub-packages, lowest layer first (a module never imports one above it):

    errors.py, validate.py   the one error family, and every per-call limit in one place
    explanation.py           Explanation: the numpy data product every picture is drawn from
    video/                   decoding and frame sampling (OpenCV)
    corpus/                  the entity corpus (runtime) and build/ (WordNet + Lesk builder)
    model/                   merging, encoder, alignment, adapter, text embeddings, ALTModel
    explain.py               explain() and classify(): one clip in, an Explanation out
    hub/                     checkpoints (safetensors), CLIP weights, model cards, model specs
    training/                data, the training loop, evaluation, distributed helpers
    cli/                     the `alt` command; the only place that prints

Names are imported lazily, so `import alt.explanation` (used by the torch-free visualizers) does not
pull in torch.
"""

from __future__ import annotations

from alt.lazy import lazy_exports

_EXPORTS = {
    "ALTConfig": "model.config", "ALTModel": "model.alt_model", "DEFAULT_SPEC": "hub.specs",
    "EntityCorpus": "corpus.entities", "Explanation": "explanation", "VideoClip": "video.load",
    "load_model": "hub.specs", "load_video": "video.load",
    "ALTError": "errors", "InputError": "errors", "VideoError": "errors", "CorpusError": "errors",
    "CheckpointError": "errors", "ConfigError": "errors", "ModelSpecError": "errors", "WeightsError": "errors",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
