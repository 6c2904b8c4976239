"""Counterfactuals without re-encoding: take entities (all their queries) or regions (out of the
adapter's keys and values) away and re-run only the adapter and the head on the cached encoder output.

    probs = model.counterfactual(exp, drop_entities=["ball"], drop_regions=[(3, 17)])

What stays fixed: the encoder output, the alignment (so the remaining queries are the same entity
embeddings), and each remaining region's key token (its temporal-convolution feature is computed once
from every region's embedding, dropped ones included). Dropping nothing gives exactly `exp.probs`;
dropping every query gives exactly the CLIP frame-mean baseline (no query, no adapter term).

Cost: the adapter's key side does not depend on the queries, so it is computed once per explanation and
model and kept in `exp.adapter_cache.derived`; a counterfactual runs the query side only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from alt.errors import InputError
from alt.evidence.views import entity_index
from alt.model.precision import autocast

if TYPE_CHECKING:
    from alt.evidence.cache import AdapterCache
    from alt.explanation import Explanation
    from alt.model.alt_model import ALTModel

Keys = list[tuple[torch.Tensor, torch.Tensor]]


def require_cache(exp: Explanation, model: ALTModel) -> AdapterCache:
    """The Explanation's AdapterCache, checked against the model (InputError when missing or foreign)."""
    cache = exp.adapter_cache
    if cache is None:
        raise InputError("this Explanation carries no encoder output (it was loaded from JSON or stripped); "
                         "run model.explain(...) again to compute counterfactuals")
    if cache.region_emb.shape[-1] != model.config.embed_dim:
        raise InputError(f"this Explanation was made by a model of width {cache.region_emb.shape[-1]}, "
                         f"not this one ({model.config.embed_dim}); use the model that explained it")
    return cache


def _fingerprint(model: ALTModel) -> tuple:
    """Changes whenever the adapter's weights change in place (training, load_state_dict) or move."""
    params = list(model.adapter.parameters())
    return id(model.adapter), str(params[0].device), str(params[0].dtype), tuple(p._version for p in params)


def adapter_keys(model: ALTModel, cache: AdapterCache) -> Keys:
    """Every adapter block's cross-attention keys and values for the cached regions ([1, H, T*R, D/H]
    each), computed on first use and kept in `cache.derived` (only for the latest model)."""
    fp = _fingerprint(model)
    keys = cache.derived.get(fp)
    if keys is None:
        dev = model.device
        with torch.inference_mode(), autocast(dev):
            kv = model.adapter.key_tokens(cache.region_emb[None].to(dev), cache.region_ids[None].to(dev),
                                          cache.region_size[None].to(dev))  # [1, K, D]
            keys = model.adapter.cross_keys(kv)
        cache.derived.clear()
        cache.derived[fp] = keys
    return keys


def region_keep(exp: Explanation, drop_regions: Iterable[tuple[int, int]]) -> np.ndarray:
    """Key mask from (frame, region) pairs: False for the dropped regions. bool [T * R]"""
    t, r = exp.num_frames, exp.num_regions
    keep = np.ones(t * r, bool)
    for pair in drop_regions:
        try:
            ti, ri = (int(v) for v in pair)
        except (TypeError, ValueError):
            raise InputError(f"a region is a (frame, region) pair of integers, got {pair!r}") from None
        if not (0 <= ti < t and 0 <= ri < r):
            raise InputError(f"region ({ti}, {ri}) is outside frames 0..{t - 1} x regions 0..{r - 1}")
        keep[ti * r + ri] = False
    return keep


def counterfactual(model: ALTModel, exp: Explanation, drop_entities: Sequence[int | str] = (),
                   drop_regions: Iterable[tuple[int, int]] = (), *, return_logits: bool = False) -> np.ndarray:
    """Class probabilities with entities and/or regions taken away (encoder output reused).

    Args:
        model: the model that made `exp` (not modified).
        exp: an Explanation from `model.explain` (it carries the AdapterCache).
        drop_entities: entity names or indices; all their queries (every frame) are removed.
        drop_regions: (frame, region) pairs masked out of the adapter's keys and values.
        return_logits: return the class logits instead of probabilities.
    Returns:
        float32 [A], in the order of `exp.class_names`.
    Raises:
        InputError: no cache, an unknown entity or class, a region out of range.
    """
    cache = require_cache(exp, model)
    dropped = [entity_index(exp, e) for e in drop_entities]
    keep_q = ~np.isin(np.asarray(exp.query_entities), dropped)  # [Q]
    keep_k = region_keep(exp, drop_regions)  # [K]
    logits = _logits(model, cache, keep_q, keep_k)
    out = logits if return_logits else logits.softmax(-1)
    return out.cpu().numpy()


def _logits(model: ALTModel, cache: AdapterCache, keep_q: np.ndarray, keep_k: np.ndarray) -> torch.Tensor:
    """One counterfactual: the kept queries only (gathered), keys masked where keep_k is False. float32 [A]"""
    dev = model.device
    keys = adapter_keys(model, cache)
    with torch.inference_mode(), autocast(dev):
        cls_emb = cache.cls_emb[None].to(dev)  # [1, T, D]
        if not keep_q.any():
            term = torch.zeros(1, cls_emb.shape[-1], device=dev)  # no query: no adapter term
        else:
            idx = torch.from_numpy(np.flatnonzero(keep_q))
            emb = cache.query_emb if keep_q.all() else cache.query_emb[idx]  # [Q', D]
            frame = cache.query_frame if keep_q.all() else cache.query_frame[idx]  # [Q']
            mask = torch.ones(1, emb.shape[0], dtype=torch.bool, device=dev)
            key_mask = None if keep_k.all() else torch.from_numpy(keep_k)[None].to(dev)
            out, _ = model.adapter.query_outputs(emb[None].to(dev), mask, frame[None].to(dev), keys, key_mask)
            term = model.adapter.pool(out, mask)  # [1, D]
        logits, _ = model.head(cls_emb, term, cache.class_emb.to(dev))
    return logits[0].float()


def counterfactual_batch(model: ALTModel, exp: Explanation, keep_queries: np.ndarray, keep_regions: np.ndarray,
                         chunk: int = 8) -> np.ndarray:
    """Many counterfactuals at once, by masks (for curves).

    Args:
        keep_queries: True for the queries kept in each counterfactual. bool [N, Q]
        keep_regions: True for the regions (keys) kept. bool [N, T * R]
        chunk: counterfactuals per adapter call.
    Returns:
        class probabilities. float32 [N, A]
    """
    cache = require_cache(exp, model)
    keep_queries, keep_regions = np.asarray(keep_queries, bool), np.asarray(keep_regions, bool)
    n, dev = keep_queries.shape[0], model.device
    if keep_queries.shape != (n, cache.num_queries) or keep_regions.shape != (n, cache.num_frames * cache.num_regions):
        raise InputError(f"masks must be [N, {cache.num_queries}] and [N, {cache.num_frames * cache.num_regions}], "
                         f"got {keep_queries.shape} and {keep_regions.shape}")
    keys = adapter_keys(model, cache)
    out = []
    with torch.inference_mode(), autocast(dev):
        for s in range(0, n, chunk):
            qm = torch.from_numpy(keep_queries[s:s + chunk]).to(dev)  # [n', Q]
            km = torch.from_numpy(keep_regions[s:s + chunk]).to(dev)  # [n', K]
            b = qm.shape[0]
            big = [(k.expand(b, *k.shape[1:]), v.expand(b, *v.shape[1:])) for k, v in keys]
            emb = cache.query_emb[None].to(dev).expand(b, -1, -1)
            frame = cache.query_frame[None].to(dev).expand(b, -1)
            q_out, _ = model.adapter.query_outputs(emb, qm, frame, big, km)
            term = model.adapter.pool(q_out, qm) * qm.any(1, keepdim=True)  # no query: no adapter term
            logits, _ = model.head(cache.cls_emb[None].to(dev).expand(b, -1, -1), term, cache.class_emb.to(dev))
            out.append(logits.float().softmax(-1).cpu())
    return torch.cat(out).numpy()
