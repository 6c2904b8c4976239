"""Deletion and insertion curves of one world clip, in three orders: attention, random, truth.

Two modes, each removing the unit the explanation is about:

- fast (units: the adapter's keys, i.e. the clip's T*R regions): a region is taken out of the adapter's
  keys and values, every query stays and the encoder output is reused. This is the project's evidence
  machinery (alt/evidence/): `counterfactual_batch`, with `region_order`'s attention order (a region's
  attention mass) and random order, and `auc`.
- pixel (units: the clip's T*Hp*Wp patches, i.e. the attention heatmap `Explanation.attention`): a patch's
  pixels are blurred (Gaussian, sigma = 2 patches, as alt/evidence's pixel curves) and the clip is
  re-encoded, so the frame-mean class tokens, the regions, the alignment and the queries all change: the
  classic deletion / insertion test of a heatmap (RISE, Petsiuk et al. 2018). The attention order is the
  heatmap's (hottest patch first).

The truth order (added here) ranks units by the share of their pixels on the action's objects
(`ACTION_OBJECTS`), ties in a seeded random order. Deletion removes the first k units of an order;
insertion starts with every unit removed and brings back the first k. The curve is the probability of the
clip's true class (softmax over all classes) at `steps + 1` evenly spaced k from 0 to all units; the AUC
is the trapezoid area over the fraction removed or restored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import torch

from alt.evidence.counterfactual import counterfactual_batch
from alt.evidence.curves_data import auc
from alt.evidence.views import region_order
from alt.model.precision import autocast
from alt.world.truth import truth_region_order

if TYPE_CHECKING:
    from alt.explanation import Explanation
    from alt.model.alt_model import ALTModel

ORDERS = ("attention", "random", "truth")
MODES = ("fast", "pixel")


def _removed(ranks: dict[str, np.ndarray], ks: np.ndarray, n: int) -> tuple[np.ndarray, dict[tuple[str, str], list]]:
    """Distinct removal masks bool [M, n] and, per (kind, order), the row of each curve point."""
    rows: list[np.ndarray] = []
    index: dict[bytes, int] = {}
    where: dict[tuple[str, str], list[int]] = {}
    for order, rank in ranks.items():
        for kind in ("deletion", "insertion"):
            ids = []
            for k in ks:
                mask = np.zeros(n, bool)
                mask[rank[:k]] = True
                mask = mask if kind == "deletion" else ~mask
                key = np.packbits(mask).tobytes()
                if key not in index:
                    index[key] = len(rows)
                    rows.append(mask)
                ids.append(index[key])
            where[(kind, order)] = ids
    return np.stack(rows), where


def _pixel_probs(model: ALTModel, exp: Explanation, removed: np.ndarray, cls: int, batch: int = 4) -> np.ndarray:
    """True-class probability of each patch removal mask [M, T*Hp*Wp], re-encoding the blurred clips. float64 [M]"""
    cache = exp.adapter_cache
    p, t = exp.patch_size, exp.num_frames
    hp, wp = exp.grid
    sigma = 2.0 * p
    blurred = np.stack([cv2.GaussianBlur(f, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT) for f in exp.frames])
    mean = torch.tensor(model.config.image_mean).view(1, 1, 3, 1, 1)
    std = torch.tensor(model.config.image_std).view(1, 1, 3, 1, 1)
    dev = model.device
    out = np.empty(removed.shape[0], np.float64)
    for s in range(0, removed.shape[0], batch):
        masks = removed[s:s + batch].reshape(-1, t, hp, 1, wp, 1)  # [b, T, Hp, 1, Wp, 1]
        masks = np.broadcast_to(masks, (masks.shape[0], t, hp, p, wp, p)).reshape(-1, t, hp * p, wp * p)  # [b, T, S, S]
        clips = np.where(masks[..., None], blurred[None], exp.frames[None])  # [b, T, S, S, 3]
        x = (torch.from_numpy(clips).permute(0, 1, 4, 2, 3).float() / 255.0 - mean) / std  # [b, T, 3, S, S]
        with torch.inference_mode(), autocast(dev):
            res = model(x.to(dev, model.dtype), cache.class_emb.to(dev), cache.entity_emb.to(dev), r=exp.r,
                        stochastic=False)
        out[s:s + batch] = res.logits.float().softmax(-1)[:, cls].cpu().numpy()
    return out


def _ranks(exp: Explanation, objects: np.ndarray, mode: str, seed: int) -> dict[str, np.ndarray]:
    """Each order as unit indices, most important first: regions t*R+r (fast) or patches t*P+p (pixel)."""
    if mode == "fast":
        return {"attention": region_order(exp, "attention"), "random": region_order(exp, "random", seed=seed),
                "truth": truth_region_order(exp, objects, exp.patch_size, seed)}
    p, n = exp.patch_size, exp.attention.size
    t, s = objects.shape[:2]
    share = objects.reshape(t, s // p, p, s // p, p).mean(axis=(2, 4)).ravel()  # [T*P] object share per patch
    tie = np.random.default_rng(seed).permutation(n)
    return {"attention": np.lexsort((np.arange(n), -exp.attention.ravel().astype(np.float64))),
            "random": np.random.default_rng(seed).permutation(n), "truth": np.lexsort((tie, -share))}


def clip_curves(model: ALTModel, exp: Explanation, objects: np.ndarray, cls: int, *, mode: str = "fast",
                steps: int = 10, seed: int = 0) -> dict[str, Any]:
    """Deletion and insertion curves of one explained world clip.

    Args:
        model: the model that made `exp` (exp must carry its AdapterCache: a fresh `model.explain`).
        exp: the explanation.
        objects: the action's object pixels, `action_object_mask(clip)`. bool [T, S, S]
        cls: index of the clip's true class in `exp.class_names`.
        mode: "fast" or "pixel" (module docstring).
        steps: points after the first.
        seed: seed of the random order and of the truth order's ties.
    Returns:
        {"fractions": [N], "deletion": {order: [N]}, "insertion": {order: [N]},
         "auc": {"deletion": {order: float}, "insertion": {order: float}}}
    """
    if mode not in MODES:
        raise ValueError(f"unknown curve mode {mode!r}; choose from {MODES}")
    ranks = _ranks(exp, objects, mode, seed)
    n = len(ranks["random"])
    ks = np.unique(np.round(np.linspace(0, n, steps + 1)).astype(np.int64))
    removed, where = _removed(ranks, ks, n)
    if mode == "fast":
        keep_q = np.ones((removed.shape[0], len(exp.query_entities)), bool)
        probs = counterfactual_batch(model, exp, keep_q, ~removed, chunk=16)[:, cls].astype(np.float64)
    else:
        probs = _pixel_probs(model, exp, removed, cls)
    fractions = ks / n
    result: dict[str, Any] = {"fractions": fractions, "deletion": {}, "insertion": {}, "auc": {}}
    for (kind, order), ids in where.items():
        result[kind][order] = probs[ids]
    result["auc"] = {kind: {o: auc(fractions, c) for o, c in result[kind].items()} for kind in ("deletion", "insertion")}
    return result
