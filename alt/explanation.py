"""Explanation: everything one `ALTModel.explain` call computed, as CPU numpy arrays.

The visualizers, the app, the CLI exports and users' notebooks read only this object, never the model,
so every picture shows exactly the tensors that produced the prediction.

Letters (DESIGN.md): T frames, S model input side, Hp Wp patch grid, R regions per frame (the same R for
every frame of one call), E entities, A classes, Q adapter queries, L encoder layers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

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
}


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
        baseline_probs: plain CLIP frame-mean zero-shot probabilities on the same frames. float32 [A]
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
        r: tokens merged per layer. num_frames is T.
        model_name: the model spec that produced this.
        adapter_trained: False when the adapter is untrained (then probs equal baseline_probs).
        timings: seconds per stage of `explain` (decode, preprocess, text, model, collect, total).
        config: the model's config as a dict, for provenance.
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
    r: int = 0
    model_name: str = ""
    adapter_trained: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

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

    def entity_attention(self, entity: int | str) -> np.ndarray:
        """Attention of the queries aligned to one entity, over patches, summing to 1.

        Args:
            entity: entity index or name.
        Returns:
            float32 [T, Hp, Wp]; all zeros when no query carries that entity.
        """
        idx = self.entity_names.index(entity) if isinstance(entity, str) else int(entity)
        rows = self.query_attention[self.query_entities == idx]  # [q, T, R]
        if rows.shape[0] == 0:
            return np.zeros(self.region_ids.shape, dtype=np.float32)
        return self.spread_to_patches(rows.mean(axis=0))

    def frame_summary(self, t: int, k: int = 10) -> dict[str, Any]:
        """Frame t in brief: time, regions, attention mass and its k largest entities (by patches).

        Returns:
            {"index", "time_s", "num_regions", "attention_mass", "entities": [{"name", "regions",
            "patches", "mean_score"}]}; entities ordered by patches, then entity index.
        """
        ent = self.region_entity_ids()[t]  # [R]
        score = self.region_scores()[t]  # [R]
        sizes = self.region_sizes[t]  # [R]
        rows = []
        for e in np.unique(ent):
            regs = ent == e
            rows.append((-int(sizes[regs].sum()), int(e), int(regs.sum()), float(score[regs].mean())))
        rows.sort()
        return {
            "index": int(t),
            "time_s": float(self.timestamps[t]),
            "num_regions": int(np.unique(self.region_ids[t]).size),
            "attention_mass": float(self.attention[t].sum()),
            "entities": [{"name": self.entity_names[e], "regions": n, "patches": -neg, "mean_score": round(m, 4)}
                         for neg, e, n, m in rows[:k]],
        }

    def summary(self, k: int = 10) -> dict[str, Any]:
        """The compact JSON answer shared by the `/explain` API and the CLI: predictions of ALT and of the
        baseline, and per frame the k largest entities, with timings. (`to_dict` has everything.)"""
        return {
            "model": self.model_name,
            "adapter_trained": bool(self.adapter_trained),
            "class_names": list(self.class_names),
            "probs": {n: float(p) for n, p in zip(self.class_names, self.probs)},
            "baseline_probs": {n: float(p) for n, p in zip(self.class_names, self.baseline_probs)},
            "prediction": self.top_classes(1)[0][0],
            "baseline_prediction": self.top_classes(1, baseline=True)[0][0],
            "num_frames": self.num_frames,
            "r": int(self.r),
            "frames": [self.frame_summary(t, k) for t in range(self.num_frames)],
            "timings": {name: float(v) for name, v in (self.timings or {}).items()},
        }

    # ---- serialisation -------------------------------------------------------------------------
    def to_dict(self, include_frames: bool = True) -> dict[str, Any]:
        """Everything as JSON-able Python values (arrays become nested lists).

        Args:
            include_frames: set False to leave out the pixels (the largest field).
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "frames" and not include_frames:
                continue
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif f.name == "region_entities":
                value = [[[int(e), float(s)] for e, s in frame] for frame in value]
            out[f.name] = value
        out["predictions"] = {n: float(p) for n, p in zip(self.class_names, self.probs)}
        out["baseline_predictions"] = {n: float(p) for n, p in zip(self.class_names, self.baseline_probs)}
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
