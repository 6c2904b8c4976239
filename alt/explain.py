"""explain() and classify(): one clip in, an Explanation (or probabilities) out.

`explain` runs exactly one forward pass of ALTModel and copies the tensors that pass computed into
an Explanation: the region maps are the encoder's source maps, the entities are the aligner's picks,
the heatmaps are the adapter's cross-attention weights. Nothing is recomputed for display.

The loaded model is shared by every user of a server: nothing here mutates it (no .eval()/.train()
calls, no per-call state on the module); per-call settings are arguments.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from alt.evidence.contrib import attach_evidence
from alt.explanation import Explanation, spread_to_patches
from alt.model.precision import autocast
from alt.model.preprocess import preprocess
from alt.validate import InputError, check_num_frames, check_r, clean_class_names, clean_extra_entities, frame_limit

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel
    from alt.video.load import VideoClip

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
TOP_K = 5  # entities kept per region for the alignment-score views


def to_clip(video: Any, num_frames: int) -> "VideoClip":
    """A VideoClip from a path, a VideoClip, or a uint8 array [T, H, W, 3] RGB."""
    from alt.video.load import VideoClip, clip_from_frames, load_video

    if isinstance(video, VideoClip):
        return video
    if isinstance(video, (str, Path)):
        return load_video(video, num_frames=num_frames)
    if isinstance(video, np.ndarray):
        if video.ndim != 4 or video.shape[-1] != 3:
            raise InputError(f"frames must be a uint8 array [T, H, W, 3] (RGB), got shape {video.shape}")
        return clip_from_frames(video)
    raise InputError(f"video must be a file path, a VideoClip or a frame array, got {type(video).__name__}")


def _entities(model: "ALTModel", extra: list[str]):
    """Corpus (plus the call's extra entities) and its embeddings [E, D]."""
    base = model.corpus
    emb = model.text.entities(base.texts(), base.content_hash())
    if not extra:
        return base, emb
    corpus = base.with_extras(extra)
    new = corpus.texts()[len(base):]
    extra_emb = model.text.entities(new, f"extra:{base.content_hash()}:{'|'.join(new)}", use_disk=False)
    return corpus, torch.cat([emb, extra_emb])


@torch.inference_mode()
def explain(
    model: "ALTModel",
    video: Any,
    class_names: str | Sequence[str],
    *,
    r: int | None = None,
    num_frames: int = 8,
    extra_entities: str | Sequence[str] | None = None,
    templates: Sequence[str] | None = None,
    record_layers: bool = True,
    plain_clip: bool = False,
    progress: Progress | None = None,
) -> Explanation:
    """Explain one clip: prediction, baseline, region maps, alignments and adapter attention.

    Args:
        model: a loaded ALTModel (not modified).
        video: a path, a VideoClip, or uint8 RGB frames [T, H, W, 3].
        class_names: zero-shot classes, a list or one comma/newline-separated string.
        r: tokens merged per layer, 0..model.max_r (default: the model's config).
        num_frames: frames sampled when `video` is a path (1..64).
        extra_entities: words added to the corpus for this call only.
        templates: prompt templates with '{}' (default: the model's).
        record_layers: keep the region map after every encoder layer.
        plain_clip: also run plain CLIP (a second encoder pass at r=0, no merging) and keep its frame-mean
            probabilities in `plain_clip_probs`; `baseline_probs` is CLIP over the same merged tokens.
        progress: called with (fraction, stage name) as stages finish.
    Raises:
        InputError: bad class names, r, frame count or extra entities.
        VideoError: the video cannot be read.
    """
    say = progress or (lambda f, s: None)
    laps = _Laps()
    names, extra, r, max_frames, tpls = _checked_arguments(model, class_names, r, num_frames, extra_entities, templates)
    say(0.0, "decoding")
    clip = to_clip(video, num_frames)
    check_num_frames(int(clip.frames.shape[0]), hi=max_frames)
    laps("decode", earlier=clip.decode_s if clip is video else 0.0)  # a VideoClip the caller decoded (the app)
    frames, x = preprocess(model.transform, clip.frames)  # [T, S, S, 3] uint8, [T, 3, S, S]
    laps("preprocess")
    say(0.2, "embedding text")
    corpus, entity_emb = _entities(model, extra)
    class_emb = model.text.classes(names, tpls)
    laps("text")
    say(0.35, "encoding, aligning, adapting")
    out = _forward(model, x, class_emb, entity_emb, r, record_layers)
    laps("model")
    say(0.9, "collecting")
    exp = _collect(model, out, clip, frames, names, corpus, r)
    attach_evidence(exp, model, out, class_emb, entity_emb)  # logit split + cache for counterfactuals
    _note_model_and_extras(exp, model, extra)
    laps("collect")
    if plain_clip:
        say(0.95, "plain CLIP pass (r=0)")
        exp.plain_clip_probs = exp.baseline_probs.copy() if r == 0 else _plain_clip_probs(model, x, class_emb)
        laps("plain_clip")
    exp.timings = laps.total()
    say(1.0, "done")
    return exp


class _Laps:
    """Seconds per stage of one call: `laps(name)` records the time since the previous lap (or the start)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.start = self.tick = time.perf_counter()
        self.earlier = 0.0  # seconds of this call's work done before it started (a clip decoded by the caller)

    def __call__(self, name: str, earlier: float = 0.0) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.tick + earlier
        self.earlier += earlier
        self.tick = now

    def total(self) -> dict[str, float]:
        """The timings with "total" added: seconds since the start, plus the work done earlier."""
        self.timings["total"] = time.perf_counter() - self.start + self.earlier
        return self.timings


def _checked_arguments(model: "ALTModel", class_names: str | Sequence[str], r: int | None, num_frames: int,
                       extra_entities: str | Sequence[str] | None, templates: Sequence[str] | None,
                       ) -> tuple[list[str], list[str], int, int, list[str]]:
    """explain()'s arguments checked against the model's limits, defaults filled in.

    Returns:
        (class names, extra entities, r, the frame limit, prompt templates).
    Raises:
        InputError: bad class names, r, frame count, extra entities or templates.
    """
    names = clean_class_names(class_names)
    extra = clean_extra_entities(extra_entities)
    r = check_r(model.config.r if r is None else r, model.max_r)
    max_frames = frame_limit(model.config.max_frames)
    check_num_frames(num_frames, hi=max_frames)
    tpls = list(templates) if templates else list(model.config.prompt_templates)
    if any(not isinstance(t, str) or "{}" not in t for t in tpls):
        raise InputError("each prompt template must be text containing '{}', e.g. 'a video of a person {}.'")
    return names, extra, r, max_frames, tpls


def _forward(model: "ALTModel", x: torch.Tensor, class_emb: torch.Tensor, entity_emb: torch.Tensor, r: int,
             record_layers: bool):
    """One forward pass of the model (B = 1) in its precision: x [T, 3, S, S] -> the model's output."""
    device = model.device
    with autocast(device):
        return model(x[None].to(device, model.dtype), class_emb.to(device), entity_emb.to(device), r=r,
                     stochastic=False, record_layers=record_layers, top_k=TOP_K)


def _note_model_and_extras(exp: Explanation, model: "ALTModel", extra: list[str]) -> None:
    """Record the model's name and which of the call's extra entities the corpus already had."""
    exp.model_name = model.config.spec or model.config.clip_name
    exp.extras_in_corpus = [w for w in extra if w in model.corpus]
    if exp.extras_in_corpus:
        logger.info("extra entities already in the corpus (nothing added): %s", ", ".join(exp.extras_in_corpus))


def _plain_clip_probs(model: "ALTModel", x: torch.Tensor, class_emb: torch.Tensor) -> np.ndarray:
    """Plain CLIP's frame-mean probabilities: the encoder again at r=0 (equal to open_clip's encode_image),
    through the same float32 head as the baseline. x [T, 3, S, S] -> float32 [A]"""
    device, t = model.device, x.shape[0]
    with autocast(device):
        tokens = model.encode_frames(x.to(device, model.dtype), 0, False)  # FrameTokens over [T, ...]
    cls = tokens.cls_emb.view(1, t, -1)  # [1, T, D]
    _, logits = model.head(cls, cls.new_zeros(1, cls.shape[-1]), class_emb.to(device))  # [1, A] float32
    return logits[0].float().softmax(-1).cpu().numpy()


def _collect(model: "ALTModel", out, clip: "VideoClip", frames: np.ndarray, names: list[str], corpus,
             r: int) -> Explanation:
    """Copy the forward pass's tensors into an Explanation (B = 1)."""
    t = frames.shape[0]
    g = model.config.grid
    tokens = out.tokens
    region_ids = tokens.region_ids.view(t, g, g).cpu().numpy().astype(np.int32)  # [T, Hp, Wp]
    sizes = tokens.size.round().long().cpu().numpy().astype(np.int32)  # [T, R]
    ids = out.alignment.entity_ids[0].cpu().numpy()  # [T, R]
    scores = out.alignment.scores[0].float().cpu().numpy()  # [T, R]
    q = int(out.queries.mask[0].sum())
    cross = torch.stack(out.cross_attention).float().mean(dim=(0, 2))[0, :q]  # [Q, T*R] mean over layers, heads
    query_attention = cross.view(q, t, -1).cpu().numpy()  # [Q, T, R]
    attention = spread_to_patches(query_attention.mean(axis=0), sizes, region_ids)  # [T, Hp, Wp], sums to 1
    layers = None
    if tokens.layer_region_ids is not None:
        layers = tokens.layer_region_ids.view(-1, t, g, g).cpu().numpy().astype(np.int32)  # [L, T, Hp, Wp]
    return Explanation(
        class_names=names,
        probs=out.logits[0].float().softmax(-1).cpu().numpy(),
        baseline_probs=out.baseline_logits[0].float().softmax(-1).cpu().numpy(),
        frames=frames,
        timestamps=np.asarray(clip.timestamps, dtype=np.float64),
        patch_size=model.config.patch_size,
        region_ids=region_ids,
        region_sizes=sizes,
        region_entities=[[(int(e), float(s)) for e, s in zip(fi, fs)] for fi, fs in zip(ids, scores)],
        entity_names=list(corpus.units),
        entity_kinds=[e.kind for e in corpus.entities],
        attention=attention,
        attention_global=0.0,
        query_entities=out.queries.entity[0, :q].cpu().numpy(),
        query_frames=out.queries.frame[0, :q].cpu().numpy(),
        query_attention=query_attention.astype(np.float32),
        layer_region_ids=layers,
        region_topk_ids=out.alignment.topk_ids[0].cpu().numpy().astype(np.int64),
        region_topk_scores=out.alignment.topk_scores[0].float().cpu().numpy(),
        r=r,
        adapter_trained=bool(model.config.adapter_trained),
        config=model.config.to_dict(),
    )


def classify(model: "ALTModel", video: Any, class_names: str | Sequence[str], **kwargs: Any) -> dict[str, float]:
    """ALT's probability for each class name, as {name: probability} in the given order."""
    exp = explain(model, video, class_names, record_layers=False, **kwargs)
    return {n: float(p) for n, p in zip(exp.class_names, exp.probs)}
