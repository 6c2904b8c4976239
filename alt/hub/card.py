"""The model card (README.md) written beside every checkpoint."""

from __future__ import annotations

import json
from typing import Any

from alt.model.config import ALTConfig


def model_card(config: ALTConfig, num_entities: int, extra: dict[str, Any]) -> str:
    """Markdown model card with Hub front matter: what the model is, how it was trained, its metrics.

    Args:
        config: the model's config.
        num_entities: size of the entity corpus saved with it.
        extra: optional "training" (dict of settings and data), "metrics" (dict), "notes" (str).
    """
    trained = config.adapter_trained
    training = extra.get("training") or {}
    metrics = extra.get("metrics") or {}
    lines = [
        "---",
        "library_name: alt-explorer",
        "pipeline_tag: video-classification",
        "tags: [video-classification, zero-shot, clip, alt]",
        "---",
        f"# ALT ({config.clip_name}, r={config.r})",
        "",
        "An ALT (\"Align before Adapt\", CVPR 2024) video action recognition model made with ALT Explorer:",
        f"CLIP {config.clip_name} (weights: {config.clip_pretrained or 'random / fine-tuned'}) with token merging",
        f"(r={config.r} per layer), entity-to-region alignment over a corpus of {num_entities} entities, and a",
        f"{config.adapter_layers}-layer video adapter.",
        "",
        "**Adapter trained:** " + ("yes." if trained else "no: this checkpoint predicts exactly CLIP's frame-mean "
                                   "zero-shot answer; its explanations show CLIP's own region-entity similarity."),
        "",
        "## Use",
        "```python",
        "from alt import ALTModel, load_video",
        "model = ALTModel.from_pretrained(\"<this repo or folder>\")",
        "exp = model.explain(load_video(\"clip.mp4\"), [\"riding a bike\", \"swimming\"])",
        "```",
        "",
        "## Training",
        "```json",
        json.dumps(training, indent=2, sort_keys=True) if training else "{}  (not trained)",
        "```",
        "",
        "## Metrics",
    ]
    if metrics:
        lines += ["| metric | value |", "| --- | --- |"]
        lines += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |"
                  for k, v in sorted(metrics.items())]
    else:
        lines.append("None measured.")
    lines += [
        "",
        "## Intended use and limits",
        "Research and teaching: exploring which entities and regions a video-language model relies on.",
        "Not for surveillance or decisions about people. Zero-shot accuracy depends on the class names;",
        "entities come from an automatically built WordNet corpus and can be wrong or biased.",
    ]
    if extra.get("notes"):
        lines += ["", str(extra["notes"])]
    return "\n".join(lines) + "\n"
