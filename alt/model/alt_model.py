"""ALTModel: CLIP with a region-aware encoder, entity alignment and a video adapter.

    frames [B, T, 3, S, S]
      -> encode_frames (token merging)  -> cls_emb [B, T, D], region_emb [B, T, R, D]
      -> EntityAligner                  -> entity per region, picked embeddings
      -> group_queries                  -> one query per (frame, entity)   [B, Q, D]
      -> VideoAdapter                   -> Z = mean_t norm(cls) + adapter term   [B, D]
      -> cosine with class embeddings   -> logits [B, A]; baseline from mean_t norm(cls) alone

`model.clip` is the untouched open_clip model. Saving and loading live in alt/checkpoint.py,
explain/classify in alt/inference.py; this file holds the network.

Precision: the heavy matmuls follow the caller's autocast (bf16/fp16 on a GPU) or the model's own dtype
(`model.to(torch.bfloat16)` works at every r). The decisions do not: merge matching, region-entity
cosines with their pick and top-k, the adapter's attention softmax and the class logits are float32
with autocast off, so the same encoder output gives the same picks and logits on every device.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from alt.model.adapter import VideoAdapter
from alt.model.align import Alignment, EntityAligner, Queries, group_queries
from alt.model.config import ALTConfig
from alt.model.encoder import FrameTokens, check_vision_tower, encode_frames
from alt.model.text import TextEmbeddings

if TYPE_CHECKING:
    from alt.corpus.entities import EntityCorpus
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)


@dataclass
class ALTOutput:
    """Everything one forward pass computed (B clips, T frames, A classes, L_a adapter layers).

    Attributes:
        logits: ALT class logits. [B, A]
        baseline_logits: CLIP frame-mean logits from the same encoder pass. [B, A]
        tokens: encoder output with frames flattened. FrameTokens over [B*T, ...]
        alignment: region-to-entity picks. [B, T, R]
        queries: adapter queries. [B, Q]
        cross_attention: per adapter layer, weights [B, H, Q, T*R].
        query_out: the adapter's per-query outputs before pooling, ln_out(q) (alt/evidence splits the
            logits per query with them). [B, Q, D]
    """

    logits: torch.Tensor
    baseline_logits: torch.Tensor
    tokens: FrameTokens
    alignment: Alignment
    queries: Queries
    cross_attention: list[torch.Tensor]
    query_out: torch.Tensor | None = None


def build_clip(clip_config: dict[str, Any]) -> nn.Module:
    """An open_clip CLIP (random weights) from a model config dict."""
    import open_clip

    cfg = dict(clip_config)
    custom_text = cfg.pop("custom_text", False)
    cls = open_clip.CustomTextCLIP if custom_text else open_clip.CLIP
    return cls(**cfg)


class ALTModel(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="alt-explorer",
    tags=["video-classification", "zero-shot", "clip", "alt"],
    pipeline_tag="video-classification",
):
    """ALT ("Align before Adapt") around an open_clip ViT.

    Args:
        config: the model's ALTConfig (or its dict); a preset name is also accepted.
        corpus: the entity corpus; None loads the default corpus lazily on first use.
    """

    def __init__(self, config: ALTConfig | dict | str | None = None, corpus: "EntityCorpus | None" = None) -> None:
        super().__init__()
        if config is None:
            config = ALTConfig()
        elif isinstance(config, str):
            config = ALTConfig.preset(config)
        elif isinstance(config, dict):
            config = ALTConfig.from_dict(config)
        self.config = config.resolved()
        self.clip = build_clip(self.config.clip_config)
        check_vision_tower(self.clip.visual)
        d = self.config.embed_dim
        self.aligner = EntityAligner(self.config.align_logit_scale, self.config.gumbel_tau)
        self.adapter = VideoAdapter(
            dim=d, layers=self.config.adapter_layers, heads=self.config.adapter_heads,
            mlp_ratio=self.config.adapter_mlp_ratio, logit_scale=self.config.attn_logit_scale,
            temporal_kernel=self.config.temporal_kernel, max_frames=self.config.max_frames,
        )
        self._corpus = corpus
        self._tokenizer = None
        self._text: TextEmbeddings | None = None
        self._transform = None
        self.eval()

    # ---- construction ---------------------------------------------------------------------------
    @classmethod
    def from_clip(cls, name: str = "ViT-B-16", pretrained: str | None = "openai", **overrides: Any) -> "ALTModel":
        """An ALT with an untrained adapter around an open_clip model.

        Args:
            name: open_clip architecture, e.g. "ViT-B-16".
            pretrained: open_clip pretrained tag, whose safetensors weights are downloaded from the
                Hugging Face Hub once (alt/clip_weights.py), or None for random weights (offline; tests).
            overrides: ALTConfig fields.
        """
        config = ALTConfig.for_clip(name, pretrained, **overrides).resolved()
        model = cls(config)
        if pretrained:
            from alt.hub.clip_weights import clip_weights_file, load_clip_weights

            logger.info("loading CLIP %s/%s weights (safetensors, from the Hugging Face Hub once, then cached)",
                        name, pretrained)
            load_clip_weights(model.clip, clip_weights_file(name, pretrained))
        return model

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path: str | Path, *, force_download: bool = False,
                        token: str | bool | None = None, cache_dir: str | Path | None = None,
                        local_files_only: bool = False, revision: str | None = None, **model_kwargs: Any) -> "ALTModel":
        """Load a checkpoint from a local folder or a Hub repo id (`org/name`, optional `@revision`).

        The files are resolved first (one snapshot download, or the local Hub cache offline) so every
        failure is a clear CheckpointError; then huggingface_hub's own `from_pretrained` runs on the local
        folder and calls `_from_pretrained`. Extra keyword arguments (e.g. `device`) reach `_from_pretrained`.
        safetensors only, strict keys.
        """
        from alt.hub.checkpoint import read_config, resolve_checkpoint

        folder = resolve_checkpoint(str(pretrained_model_name_or_path), revision=revision, cache_dir=cache_dir,
                                    force_download=force_download, local_files_only=local_files_only, token=token)
        read_config(folder)  # a foreign or broken config.json fails here with a clear message
        return super().from_pretrained(folder, force_download=force_download, token=token, cache_dir=cache_dir,
                                       local_files_only=local_files_only, revision=revision, **model_kwargs)

    @classmethod
    def _from_pretrained(cls, *, model_id: str, device: str | torch.device | None = None, **kwargs: Any) -> "ALTModel":
        """huggingface_hub's hook: build the model from the resolved folder `model_id` (other hub arguments
        were used to resolve it and are ignored here)."""
        from alt.hub.checkpoint import load_checkpoint

        return load_checkpoint(cls, Path(model_id), device=device)

    def _save_pretrained(self, save_directory: Path) -> None:
        """huggingface_hub's hook: config.json, model.safetensors, corpus.jsonl and the model card."""
        from alt.hub.checkpoint import save_checkpoint

        save_checkpoint(self, Path(save_directory))

    # ---- shared, lazily built helpers ----------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        """The image tower's weight dtype: float32 unless the model was cast (`.to(torch.bfloat16)`)."""
        return self.clip.visual.conv1.weight.dtype

    @property
    def corpus(self) -> "EntityCorpus":
        if self._corpus is None:
            from alt.corpus.entities import EntityCorpus

            self._corpus = EntityCorpus.load("default")
        return self._corpus

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            import open_clip

            ctx = self.config.clip_config["text_cfg"].get("context_length", 77)
            if self.config.clip_name in open_clip.list_models():
                self._tokenizer = open_clip.get_tokenizer(self.config.clip_name)
            else:
                self._tokenizer = open_clip.SimpleTokenizer(context_length=ctx)
        return self._tokenizer

    @property
    def text(self) -> TextEmbeddings:
        if self._text is None:
            # the tokenizer is built on first use: cached embeddings (memory or disk) never need it
            self._text = TextEmbeddings(self.clip, lambda texts: self.tokenizer(texts))
        return self._text

    @property
    def transform(self):
        """open_clip's own eval transform for this model (resize, centre crop, normalise)."""
        if self._transform is None:
            import open_clip

            self._transform = open_clip.image_transform(
                self.config.image_size, is_train=False, mean=self.config.image_mean, std=self.config.image_std)
        return self._transform

    @property
    def max_r(self) -> int:
        """Largest r a call may ask for: half the mergeable tokens of the first layer."""
        return self.config.max_r

    def num_regions(self, r: int) -> int:
        """R, regions per frame after merging at r."""
        return self.config.num_regions(r)

    # ---- the network ----------------------------------------------------------------------------
    def encode_frames(self, x: torch.Tensor, r: int | None = None, record_layers: bool = False) -> FrameTokens:
        """Region-aware encoding of normalised frames [N, 3, S, S] (N = B*T); r defaults to config.r.

        With r=0, `cls_emb` equals `self.clip.encode_image(x)`.
        """
        r = self.config.r if r is None else r
        return encode_frames(self.clip.visual, x, r, self.config.proportional_attention, record_layers)

    def logit_scale(self) -> torch.Tensor:
        """CLIP's temperature, exp(logit_scale) capped at 100, or the config's class_logit_scale. float32 scalar"""
        if self.config.class_logit_scale is not None:
            return torch.tensor(float(self.config.class_logit_scale), device=self.clip.logit_scale.device)
        return self.clip.logit_scale.float().exp().clamp(max=100)

    def forward(self, x: torch.Tensor, class_emb: torch.Tensor, entity_emb: torch.Tensor, r: int | None = None,
                stochastic: bool | None = None, record_layers: bool = False, top_k: int = 0) -> ALTOutput:
        """Classify clips.

        Args:
            x: normalised frames. [B, T, 3, S, S]
            class_emb: normalised class embeddings. [A, D]
            entity_emb: normalised entity embeddings. [E, D]
            r: tokens merged per layer (default: config.r).
            stochastic: Gumbel alignment; default: self.training.
            record_layers: keep each layer's region map.
            top_k: also keep each region's k most similar entities (for explanations).
        """
        r = self.config.r if r is None else r
        tokens = self.encode_frames(x.flatten(0, 1), r, record_layers)  # over [B*T, ...]
        return self.forward_tokens(tokens, x.shape[0], class_emb, entity_emb, stochastic, top_k)

    def forward_tokens(self, tokens: FrameTokens, batch: int, class_emb: torch.Tensor, entity_emb: torch.Tensor,
                       stochastic: bool | None = None, top_k: int = 0) -> ALTOutput:
        """Everything after the encoder: alignment, query grouping, adapter and class head.

        Args:
            tokens: encoder output with frames flattened, FrameTokens over [B*T, ...].
            batch: B, the number of clips.
            class_emb, entity_emb, stochastic, top_k: as in `forward`.
        """
        stochastic = self.training if stochastic is None else stochastic
        b = batch
        t = tokens.cls_emb.shape[0] // b
        region_emb = tokens.region_emb.unflatten(0, (b, t))  # [B, T, R, D]
        alignment = self.aligner(region_emb, entity_emb.to(region_emb.device), stochastic, top_k)
        queries = group_queries(alignment)
        region_ids = tokens.region_ids.view(b, t, -1)  # [B, T, P]
        region_size = tokens.size.view(b, t, -1)  # [B, T, R]
        keys = self.adapter.cross_keys(self.adapter.key_tokens(region_emb, region_ids, region_size))
        query_out, cross = self.adapter.query_outputs(queries.emb, queries.mask, queries.frame, keys)
        adapter_term = self.adapter.pool(query_out, queries.mask)  # [B, D]
        logits, baseline = self.head(tokens.cls_emb.view(b, t, -1), adapter_term, class_emb)
        return ALTOutput(logits, baseline, tokens, alignment, queries, cross, query_out)

    def head(self, cls_emb: torch.Tensor, adapter_term: torch.Tensor,
             class_emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Class logits, float32 with autocast off (at a logit scale of 100, bf16 steps by 0.125 and ties classes).

        Args:
            cls_emb: class-token embedding of every frame. [B, T, D]
            adapter_term: the adapter's contribution to Z. [B, D]
            class_emb: normalised class embeddings. [A, D]
        Returns:
            ALT logits from Z = mean_t normalise(cls_t) + adapter_term, and the baseline logits from the frame
            mean alone. float32 [B, A] each
        """
        with torch.autocast(device_type=cls_emb.device.type, enabled=False):
            base = F.normalize(cls_emb.float(), dim=-1).mean(1)  # [B, D] CLIP frame-mean
            z = base + adapter_term.float()  # [B, D]
            cls = class_emb.to(z.device, torch.float32)  # [A, D]
            scale = self.logit_scale()
            logits = scale * F.normalize(z, dim=-1) @ cls.T  # [B, A]
            baseline = scale * F.normalize(base, dim=-1) @ cls.T  # [B, A]
        return logits, baseline

    # ---- user API (alt/explain.py) --------------------------------------------------------------
    def explain(self, video: Any, class_names: str | Sequence[str], *, r: int | None = None, num_frames: int = 8,
                extra_entities: str | Sequence[str] | None = None, templates: Sequence[str] | None = None,
                record_layers: bool = True, progress: Callable[[float, str], None] | None = None,
                plain_clip: bool = False) -> "Explanation":
        """Explain one clip: prediction, baseline, region maps, alignments and adapter attention.

        Args and errors: see `alt.explain.explain`.
        """
        from alt.explain import explain

        return explain(self, video, class_names, r=r, num_frames=num_frames, extra_entities=extra_entities,
                       templates=templates, record_layers=record_layers, progress=progress, plain_clip=plain_clip)

    def classify(self, video: Any, class_names: str | Sequence[str], *, r: int | None = None, num_frames: int = 8,
                 extra_entities: str | Sequence[str] | None = None,
                 templates: Sequence[str] | None = None) -> dict[str, float]:
        """ALT's probability for each class name, {name: probability} in the given order."""
        from alt.explain import classify

        return classify(self, video, class_names, r=r, num_frames=num_frames, extra_entities=extra_entities,
                        templates=templates)

    def counterfactual(self, explanation: "Explanation", drop_entities: Sequence[int | str] = (),
                       drop_regions: Sequence[tuple[int, int]] = ()) -> Any:
        """Class probabilities [A] with entities (all their queries) and/or (frame, region) pairs taken out of
        the adapter, re-running only the adapter and the head on the explanation's cached encoder output.
        See `alt.evidence.counterfactual`."""
        from alt.evidence.counterfactual import counterfactual

        return counterfactual(self, explanation, drop_entities, drop_regions)

    def evidence_curves(self, explanation: "Explanation", mode: str = "fast", **kwargs: Any) -> Any:
        """Deletion and insertion curves (EvidenceCurves), mode "fast" or "pixel"; see `alt.evidence.curves`."""
        from alt.evidence.curves import evidence_curves

        return evidence_curves(self, explanation, mode, **kwargs)
