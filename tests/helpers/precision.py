"""Helpers for the precision tests: a low-precision context per device, and how two explanations differ."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

from alt.model.precision import autocast

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(
        not torch.cuda.is_available(), reason="no CUDA GPU on this machine (bench/device_check.py runs these on one)")),
]


def low_precision(device: str) -> contextlib.AbstractContextManager:
    """bf16 autocast on the CPU; on CUDA the app's own autocast (bf16, or fp16 where bf16 is unsupported)."""
    if device == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return autocast(torch.device(device))


def same_partition(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per patch: does its region hold exactly the same patches in both maps (region ids may differ)?

    Args:
        a, b: region id of every patch. int [T, Hp, Wp] (or [..., T, Hp, Wp])
    Returns:
        bool [T, Hp * Wp]
    """
    a = a.reshape(-1, a.shape[-2] * a.shape[-1])
    b = b.reshape(-1, b.shape[-2] * b.shape[-1])
    together_a = a[:, :, None] == a[:, None, :]  # [T, P, P] same region in a
    together_b = b[:, :, None] == b[:, None, :]
    return (together_a == together_b).all(-1)


def compare_explanations(ref, test) -> dict[str, float]:
    """How far `test` (low precision) is from `ref` (float32): the figures the README reports.

    Returns:
        same_ranking (1.0 when the full class order matches), max_prob_diff (ALT probabilities),
        entity_per_patch (share of patches showing the same entity), same_regions (share of patches
        whose final region holds the same patches), layer_maps_identical (share of (layer, frame) region
        maps that are the same partition), first_diverging_layer (1-based, 0 when none diverge).
    """
    out = {
        "same_ranking": float((np.argsort(-ref.probs, kind="stable") == np.argsort(-test.probs, kind="stable")).all()),
        "max_prob_diff": float(np.abs(ref.probs - test.probs).max()),
        "entity_per_patch": float((ref.patch_entity_ids() == test.patch_entity_ids()).mean()),
        "same_regions": float(same_partition(ref.region_ids, test.region_ids).mean()),
    }
    if ref.layer_region_ids is not None and test.layer_region_ids is not None:
        lay_a, lay_b = ref.layer_region_ids, test.layer_region_ids  # [L, T, Hp, Wp]
        per_map = same_partition(lay_a, lay_b).all(-1).reshape(lay_a.shape[:2])  # [L, T]
        out["layer_maps_identical"] = float(per_map.mean())
        diverged = np.flatnonzero(~per_map.all(-1))
        out["first_diverging_layer"] = float(diverged[0] + 1) if diverged.size else 0.0
    return out
