"""Deletion and insertion curves of one explanation, fast or pixel.

- fast: regions are masked out of (deletion) or let back into (insertion) the adapter's keys and
  values, in order; the encoder output is reused (alt/evidence/counterfactual.py). Cheap: one adapter
  query pass per point.
- pixel: the same regions (the explanation's final merged-token regions, on the patch grid) are blurred
  in (deletion) or revealed from a blurred clip (insertion) in the input frames, and the clip is
  re-encoded: regions, alignment and queries are formed again. One full forward pass per point.

Orders (alt/evidence/views.py `region_order`): by contribution, by attention, at random.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from alt.errors import InputError
from alt.evidence.counterfactual import counterfactual_batch, require_cache
from alt.evidence.curves_data import ORDERS, EvidenceCurves
from alt.evidence.views import class_index, region_order, require_contributions
from alt.model.precision import autocast

if TYPE_CHECKING:
    from alt.explanation import Explanation
    from alt.model.alt_model import ALTModel

Progress = Callable[[float, str], None]


def _steps(n_regions: int, steps: int, lo: int, hi: int) -> np.ndarray:
    """Regions removed at each point: 0 .. n_regions in `steps` (about) equal steps. int64 [<= steps + 1]"""
    if not lo <= int(steps) <= hi:
        raise InputError(f"steps={steps} is outside {lo}..{hi}")
    return np.unique(np.round(np.linspace(0, n_regions, int(steps) + 1)).astype(np.int64))


def _check_orders(orders: Sequence[str]) -> list[str]:
    orders = list(dict.fromkeys(orders))
    bad = [o for o in orders if o not in ORDERS]
    if bad or not orders:
        raise InputError(f"unknown region orders {bad}; choose from {ORDERS}")
    return orders


def _removed_sets(exp: Explanation, a: int, orders: list[str], ks: np.ndarray, seed: int):
    """Every curve point as the set of regions taken away: {(kind, order): [bool [T*R] per k]}."""
    n = exp.num_frames * exp.num_regions
    sets = {}
    for order in orders:
        rank = region_order(exp, order, a, seed)
        for kind in ("deletion", "insertion"):
            rows = []
            for k in ks:
                removed = np.zeros(n, bool)
                removed[rank[:k]] = True
                rows.append(removed if kind == "deletion" else ~removed)
            sets[(kind, order)] = rows
    return sets


def _unique_rows(sets: dict) -> tuple[np.ndarray, dict]:
    """Distinct removal sets (curve ends are shared between orders) and each curve's row indices."""
    index: dict[bytes, int] = {}
    rows, where = [], {}
    for key, masks in sets.items():
        ids = []
        for m in masks:
            b = np.packbits(m).tobytes()
            if b not in index:
                index[b] = len(rows)
                rows.append(m)
            ids.append(index[b])
        where[key] = ids
    return np.stack(rows), where


def _assemble(mode: str, exp: Explanation, a: int, ks: np.ndarray, probs: np.ndarray, where: dict,
              sigma: float, seed: int) -> EvidenceCurves:
    n = exp.num_frames * exp.num_regions
    curves = EvidenceCurves(mode=mode, class_index=a, class_name=exp.class_names[a], fractions=ks / n,
                            regions_per_step=ks, blur_sigma=sigma, seed=seed)
    for (kind, order), ids in where.items():
        getattr(curves, kind)[order] = probs[ids].astype(np.float64)
    return curves


def fast_curves(model: ALTModel, exp: Explanation, cls: int | str | None = None, *, steps: int = 20,
                orders: Sequence[str] = ORDERS, seed: int = 0, progress: Progress | None = None) -> EvidenceCurves:
    """Deletion and insertion curves with regions masked in the adapter's keys (no re-encoding).

    Args:
        model: the model that made `exp`.
        exp: an Explanation carrying its AdapterCache and logit split.
        cls: class tracked (index or name; default ALT's prediction).
        steps: points after the first (2..200); the clip's T*R regions are split evenly.
        orders: any of "contribution", "attention", "random".
        seed: seed of the random order.
        progress: called with (fraction done, message).
    Returns:
        EvidenceCurves with mode "fast".
    """
    require_contributions(exp)
    require_cache(exp, model)
    a = class_index(exp, cls)
    ks = _steps(exp.num_frames * exp.num_regions, steps, 2, 200)
    rows, where = _unique_rows(_removed_sets(exp, a, _check_orders(orders), ks, seed))
    keep_q = np.ones((rows.shape[0], len(exp.query_entities)), bool)
    probs = np.empty(rows.shape[0], np.float64)
    chunk = 16
    for s in range(0, rows.shape[0], chunk):
        probs[s:s + chunk] = counterfactual_batch(model, exp, keep_q[s:s + chunk], ~rows[s:s + chunk], chunk)[:, a]
        if progress:
            progress(min(1.0, (s + chunk) / rows.shape[0]), "fast curves")
    return _assemble("fast", exp, a, ks, probs, where, 0.0, seed)


def _blurred(frames: np.ndarray, sigma: float) -> np.ndarray:
    import cv2

    return np.stack([cv2.GaussianBlur(f, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT) for f in frames])


def _to_input(model: ALTModel, clips: np.ndarray) -> torch.Tensor:
    """uint8 [B, T, S, S, 3] at the model's size -> normalised input [B, T, 3, S, S] (the transform's
    conversion and normalisation steps, as `preprocess` applied them to the original pixels)."""
    from PIL import Image

    steps = model.transform.transforms[2:]
    out = []
    for frame in clips.reshape(-1, *clips.shape[2:]):
        img = Image.fromarray(np.ascontiguousarray(frame))
        for step in steps:
            img = step(img)
        out.append(img)
    return torch.stack(out).view(*clips.shape[:2], *out[0].shape)


def pixel_curves(model: ALTModel, exp: Explanation, cls: int | str | None = None, *, steps: int = 12,
                 orders: Sequence[str] = ORDERS, seed: int = 0, blur_sigma: float | None = None, batch: int = 2,
                 progress: Progress | None = None) -> EvidenceCurves:
    """Deletion and insertion curves with regions blurred or revealed in the frames, re-encoded.

    Args:
        model, exp, cls, orders, seed: as in `fast_curves`.
        steps: points after the first (2..50; 10 to 20 is the usual range).
        blur_sigma: Gaussian blur in pixels (default: 2 patches, which wipes out a region's detail).
        batch: clips per forward pass.
        progress: called with (fraction done, message) after every batch.
    Returns:
        EvidenceCurves with mode "pixel". Costs about 2 * len(orders) * (steps - 1) + 2 forward passes.
    """
    require_contributions(exp)
    cache = require_cache(exp, model)
    if exp.frames.shape[1] != model.config.image_size:
        raise InputError(f"the explanation's frames are {exp.frames.shape[1]} px, the model wants "
                         f"{model.config.image_size}; use the model that explained it")
    a = class_index(exp, cls)
    ks = _steps(exp.num_frames * exp.num_regions, steps, 2, 50)
    rows, where = _unique_rows(_removed_sets(exp, a, _check_orders(orders), ks, seed))
    ps = exp.patch_size
    sigma = float(blur_sigma if blur_sigma is not None else 2 * ps)
    blurred = _blurred(exp.frames, sigma)  # [T, S, S, 3]
    r = exp.num_regions
    pix = np.repeat(np.repeat(exp.region_ids, ps, axis=1), ps, axis=2)  # [T, S, S] region of every pixel
    flat = pix + (np.arange(exp.num_frames) * r)[:, None, None]  # [T, S, S] index t * R + r
    dev = model.device
    probs = np.empty(rows.shape[0], np.float64)
    for s in range(0, rows.shape[0], batch):
        masks = rows[s:s + batch][:, flat]  # [b, T, S, S] True where blurred
        clips = np.where(masks[..., None], blurred[None], exp.frames[None])  # [b, T, S, S, 3]
        with torch.inference_mode(), autocast(dev):
            out = model(_to_input(model, clips).to(dev, model.dtype), cache.class_emb.to(dev),
                        cache.entity_emb.to(dev), r=exp.r, stochastic=False)
        probs[s:s + batch] = out.logits.float().softmax(-1)[:, a].cpu().numpy()
        if progress:
            done = min(rows.shape[0], s + batch)
            progress(done / rows.shape[0], f"pixel curves: {done}/{rows.shape[0]} clips re-encoded")
    return _assemble("pixel", exp, a, ks, probs, where, sigma, seed)


def evidence_curves(model: ALTModel, exp: Explanation, mode: str = "fast", **kwargs) -> EvidenceCurves:
    """`fast_curves` or `pixel_curves` by name (keyword arguments as theirs)."""
    if mode == "fast":
        return fast_curves(model, exp, **kwargs)
    if mode == "pixel":
        return pixel_curves(model, exp, **kwargs)
    raise InputError(f"unknown curve mode {mode!r}; choose 'fast' or 'pixel'")
