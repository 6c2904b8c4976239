"""Explanation: everything one `ALTModel.explain` call computed, as CPU numpy arrays.

The visualizers, the app, the CLI exports and users' notebooks read only this object, never the model,
so every picture shows exactly the tensors that produced the prediction.

Letters (DESIGN.md): T frames, S model input side, Hp Wp patch grid, R regions per frame (the same R for
every frame of one call), E entities, A classes, Q adapter queries, L encoder layers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

import numpy as np

from alt import summary as _summary
from alt.errors import InputError

# the summary's words, imported from here by the ui, the visualizers and alt/timeline.py
from alt.summary import BASELINE_DESCRIPTION, BASELINE_NAME, PLAIN_CLIP_NAME, RANKING_DESCRIPTION  # noqa: F401

_ARRAY_DTYPES = {
    "probs": np.float32,
    "baseline_probs": np.float32,
    "frames": np.uint8,
    "timestamps": np.float64,
    "region_ids": np.int32,
    "region_sizes": np.int32,
    "attention": np.float32,
    "query_entities": np.int64,
    "query_frames": np.int64,
    "query_attention": np.float32,
    "layer_region_ids": np.int32,
    "region_topk_ids": np.int64,
    "region_topk_scores": np.float32,
    "plain_clip_probs": np.float32,
    "logits": np.float32,
    "baseline_logits": np.float32,
    "frame_contrib": np.float32,
    "query_contrib": np.float32,
    "baseline_frame_contrib": np.float32,
}

class RankedEntity(NamedTuple):
    """One entity of a clip's ranking (`Explanation.entity_ranking`)."""

    index: int  # into entity_names
    name: str
    patch_share: float  # share of all the clip's patches whose region aligned to this entity
    attention_share: float  # share of the adapter attention (`attention`) landing on those patches


def spread_to_patches(region_values: np.ndarray, region_sizes: np.ndarray, region_ids: np.ndarray) -> np.ndarray:
    """Spread a per-region mass evenly over each region's patches; the total is preserved.

    Args:
        region_values: [T, R]; region_sizes: patches per region [T, R]; region_ids: [T, Hp, Wp].
    Returns:
        float32 [T, Hp, Wp]
    """
    per_patch = region_values / np.maximum(region_sizes, 1)  # [T, R]
    t = np.arange(region_ids.shape[0])[:, None, None]
    return per_patch[t, region_ids].astype(np.float32)


@dataclass
class Explanation:
    """Result of explaining one clip.

    Attributes:
        class_names: the zero-shot class names, in the order of `probs`. [A]
        probs: ALT's class probabilities. float32 [A]
        baseline_probs: CLIP frame-mean zero-shot probabilities over the SAME merged tokens (the mean of the
            normalised per-frame CLS embeddings of ALT's own encoder pass at this r; plain CLIP only at
            r=0, see BASELINE_DESCRIPTION and `plain_clip_probs`). float32 [A]
        frames: exactly the pixels the model saw (resized, centre-cropped). uint8 [T, S, S, 3] RGB
        timestamps: time of each frame in the source video, seconds. float64 [T]
        patch_size: side of one patch in `frames` pixels (S = Hp * patch_size).
        region_ids: merged-token region of every patch, ids 0..R-1. int32 [T, Hp, Wp]
        region_sizes: number of patches in each region. int32 [T, R]
        region_entities: per frame, per region: (entity index, cosine similarity). [T][R]
        entity_names: entity units of the corpus used (defaults plus the call's extra entities). [E]
        entity_kinds: kind of each entity (object, body_part, scene, motion, role, attribute, extra). [E]
        attention: the adapter's cross-attention mass on every patch (mean over layers, heads and
            queries, region mass spread evenly over the region's patches). Sums to 1 together with
            `attention_global`. float32 [T, Hp, Wp]
        attention_global: share of attention on global (non-region) tokens; 0 when the adapter attends
            to regions only.
        query_entities: entity index of each adapter query. int64 [Q]
        query_frames: frame whose regions produced each query. int64 [Q]
        query_attention: each query's attention over every frame's regions (mean over layers and heads);
            each row sums to 1. float32 [Q, T, R]
        layer_region_ids: region of every patch after each encoder layer, or None. int32 [L, T, Hp, Wp]
        region_topk_ids: every region's k most similar entities, best first (column 0 is the pick),
            or None. int64 [T, R, k]
        region_topk_scores: their cosine similarities. float32 [T, R, k]
        plain_clip_probs: plain CLIP's frame-mean probabilities from a second encoder pass at r=0 (no
            merging), or None when not asked for (`explain(..., plain_clip=True)`). float32 [A]
        r: tokens merged per layer. num_frames is T.
        model_name: the model spec that produced this.
        adapter_trained: False when the adapter is untrained (then probs equal baseline_probs).
        timings: seconds per stage of `explain` (decode, preprocess, text, model, collect, total).
        config: the model's config as a dict, for provenance.
        extras_in_corpus: extra entities of the call that the corpus already had (nothing was added for them).
        logits, baseline_logits: ALT's and the baseline's class logits (before softmax). float32 [A]
        frame_contrib: the frame-mean part of each ALT logit per frame, s/||Z|| * normalise(cls_t).class_a / T,
            and query_contrib: each adapter query's part, s/||Z|| * out_proj(x_q).class_a / Q (x_q its output
            before pooling). Together they sum to `logits`; query_contrib is zero for an untrained adapter
            (alt/evidence; README.md, Evidence). float32 [A, T] and [A, Q], or None
        baseline_frame_contrib: each baseline logit split per frame (sums to `baseline_logits`). float32 [A, T]
        adapter_cache: the encoder output for counterfactuals without re-encoding (alt/evidence/cache.py);
            runtime only: never in `to_dict`/JSON, None after `from_dict`.
    """

    class_names: list[str]
    probs: np.ndarray
    baseline_probs: np.ndarray
    frames: np.ndarray
    timestamps: np.ndarray
    patch_size: int
    region_ids: np.ndarray
    region_sizes: np.ndarray
    region_entities: list[list[tuple[int, float]]]
    entity_names: list[str]
    entity_kinds: list[str]
    attention: np.ndarray
    attention_global: float
    query_entities: np.ndarray
    query_frames: np.ndarray
    query_attention: np.ndarray
    layer_region_ids: np.ndarray | None = None
    region_topk_ids: np.ndarray | None = None
    region_topk_scores: np.ndarray | None = None
    plain_clip_probs: np.ndarray | None = None
    r: int = 0
    model_name: str = ""
    adapter_trained: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    extras_in_corpus: list[str] = field(default_factory=list)
    logits: np.ndarray | None = None
    baseline_logits: np.ndarray | None = None
    frame_contrib: np.ndarray | None = None
    query_contrib: np.ndarray | None = None
    baseline_frame_contrib: np.ndarray | None = None
    adapter_cache: Any = field(default=None, repr=False, compare=False)

    # ---- derived views -------------------------------------------------------------------------
    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def grid(self) -> tuple[int, int]:
        """(Hp, Wp), the patch grid."""
        return int(self.region_ids.shape[1]), int(self.region_ids.shape[2])

    @property
    def num_regions(self) -> int:
        return int(self.region_sizes.shape[1])

    def top_classes(self, k: int = 5, baseline: bool = False) -> list[tuple[str, float]]:
        """The k most probable classes as (name, probability), best first."""
        p = self.baseline_probs if baseline else self.probs
        order = np.argsort(-p, kind="stable")[:k]
        return [(self.class_names[i], float(p[i])) for i in order]

    def region_entity_ids(self) -> np.ndarray:
        """Entity index of every region. int64 [T, R]"""
        return np.array([[e for e, _ in frame] for frame in self.region_entities], dtype=np.int64)

    def region_scores(self) -> np.ndarray:
        """Cosine similarity of every region to its entity. float32 [T, R]"""
        return np.array([[s for _, s in frame] for frame in self.region_entities], dtype=np.float32)

    def patch_entity_ids(self) -> np.ndarray:
        """Entity index of every patch (through its region). int64 [T, Hp, Wp]"""
        ids = self.region_entity_ids()  # [T, R]
        t = np.arange(self.num_frames)[:, None, None]
        return ids[t, self.region_ids]

    def spread_to_patches(self, region_values: np.ndarray) -> np.ndarray:
        """Spread a per-region mass evenly over each region's patches. [T, R] -> [T, Hp, Wp]"""
        return spread_to_patches(region_values, self.region_sizes, self.region_ids)

    def entity_index(self, entity: int | str) -> int:
        """Index of an entity given by index or name.

        Raises:
            InputError: the name is not in `entity_names`, or the index is out of range.
        """
        if isinstance(entity, str):
            if entity not in self.entity_names:
                raise InputError(f"unknown entity {entity!r}: it is not in this explanation's corpus "
                                 "(pass it as an extra entity to explain() to add it)")
            return self.entity_names.index(entity)
        idx = int(entity)
        if not 0 <= idx < len(self.entity_names):
            raise InputError(f"entity index {idx} is out of range 0..{len(self.entity_names) - 1}")
        return idx

    def entity_ranking(self, k: int | None = None) -> list[RankedEntity]:
        """The clip's entities in ONE order, shared by every dropdown, legend, timeline and export.

        Ranked by share of the clip's patches (over all frames) whose region aligned to the entity,
        largest first; ties by attention share, then entity index. Only entities aligned somewhere in the
        clip appear (each of them owns adapter queries, so each has an attention map).

        Args:
            k: keep the first k (None: all).
        Returns:
            [RankedEntity(index, name, patch_share, attention_share)], best first.
        """
        ent = self.patch_entity_ids().ravel()  # [T*Hp*Wp]
        counts = np.bincount(ent, minlength=len(self.entity_names))  # [E]
        mass = np.bincount(ent, weights=self.attention.ravel().astype(np.float64), minlength=counts.size)  # [E]
        present = np.flatnonzero(counts)
        order = present[np.lexsort((present, -mass[present], -counts[present]))]
        total = max(ent.size, 1)
        out = [RankedEntity(int(e), self.entity_names[int(e)], float(counts[e] / total), float(mass[e]))
               for e in order]
        return out if k is None else out[: max(0, int(k))]

    def entity_attention(self, entity: int | str) -> np.ndarray:
        """Attention of the queries aligned to one entity, over patches, summing to 1 (density: each region's
        share spread evenly over its patches).

        Args:
            entity: entity index or name.
        Returns:
            float32 [T, Hp, Wp]
        Raises:
            InputError: the entity is unknown, or was not aligned to any region of this clip (then no adapter
                query carries it, and it has no attention map).
        """
        return self.spread_to_patches(self.entity_region_attention(entity))

    def entity_region_attention(self, entity: int | str) -> np.ndarray:
        """Mean attention of one entity's queries over every frame's regions (sums to 1). float32 [T, R]

        Raises:
            InputError: as `entity_attention`.
        """
        idx = self.entity_index(entity)
        rows = self.query_attention[self.query_entities == idx]  # [q, T, R]
        if rows.shape[0] == 0:
            raise InputError(f"entity {self.entity_names[idx]!r} was not aligned to any region of this clip, so "
                             "no adapter query carries it; pick one of entity_ranking()")
        return rows.mean(axis=0).astype(np.float32)

    def frame_summary(self, t: int, k: int = 10) -> dict[str, Any]:
        """Frame t in brief: time, regions, attention mass and its k largest entities (alt/summary.py)."""
        return _summary.frame_summary(self, t, k)

    def summary(self, k: int = 10) -> dict[str, Any]:
        """The compact JSON answer shared by the `/explain` API and the CLI: predictions of ALT and of the
        baseline, and per frame the k largest entities, with timings (alt/summary.py; `to_dict` has everything)."""
        return _summary.summary(self, k)

    @property
    def has_evidence(self) -> bool:
        """True when the logit split (`frame_contrib`, `query_contrib`, `logits`) is present."""
        return self.frame_contrib is not None and self.query_contrib is not None and self.logits is not None

    def evidence_summary(self, classes: int = 3, k: int = 5) -> list[dict[str, Any]] | None:
        """The logit split of ALT's top `classes` classes, k entities for and against each
        (alt/evidence/views.py `class_evidence`); None without the split."""
        from alt.evidence.views import class_evidence

        return [class_evidence(self, n, k) for n, _ in self.top_classes(classes)] if self.has_evidence else None

    # ---- serialisation -------------------------------------------------------------------------
    def to_dict(self, include_frames: bool = True) -> dict[str, Any]:
        """Everything as JSON-able Python values (arrays become nested lists).

        Args:
            include_frames: set False to leave out the pixels (the largest field).
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if (f.name == "frames" and not include_frames) or f.name == "adapter_cache":
                continue
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif f.name == "region_entities":
                value = [[[int(e), float(s)] for e, s in frame] for frame in value]
            out[f.name] = value
        out["predictions"] = {n: float(p) for n, p in zip(self.class_names, self.probs)}
        out["baseline_predictions"] = {n: float(p) for n, p in zip(self.class_names, self.baseline_probs)}
        out["baseline"] = BASELINE_NAME
        out["baseline_description"] = BASELINE_DESCRIPTION
        out.update({k: v for k, v in _summary.plain_clip_dict(self).items() if k != "plain_clip_probs"})
        out["frame_index"] = list(range(self.num_frames))  # 0-based, as every picture and export numbers them
        out["entity_ranking"] = _summary.ranking_dict(self)
        return out

    def to_json(self, include_frames: bool = False, **kwargs: Any) -> str:
        """JSON text of `to_dict` (frames left out by default: they are large)."""
        return json.dumps(self.to_dict(include_frames=include_frames), **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Explanation":
        """Inverse of `to_dict` (with frames; without them `frames` is a black clip of the right size)."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in _ARRAY_DTYPES and value is not None:
                value = np.asarray(value, dtype=_ARRAY_DTYPES[f.name])
            elif f.name == "region_entities":
                value = [[(int(e), float(s)) for e, s in frame] for frame in value]
            kwargs[f.name] = value
        if "frames" not in kwargs:
            t, hp, wp = np.asarray(data["region_ids"]).shape
            side = hp * int(data["patch_size"])
            kwargs["frames"] = np.zeros((t, side, wp * int(data["patch_size"]), 3), np.uint8)
        if kwargs.get("query_attention") is not None and kwargs["query_attention"].size == 0:
            t, r = kwargs["region_sizes"].shape
            kwargs["query_attention"] = kwargs["query_attention"].reshape(0, t, r)
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> "Explanation":
        return cls.from_dict(json.loads(text))
