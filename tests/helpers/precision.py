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


# The figures the README's precision table reports: bf16 autocast against float32 on the CPU (the
# synthetic 6-frame clip of tests/conftest.py, the 20-entity test corpus). tests/unit/test_precision.py
# measures them and holds the CPU to them within TOLERANCE; its README test checks every row is in the
# README as `readme_row` writes it. Keys: (model, r).
REPORTED: dict[tuple[str, int], dict[str, float]] = {
    ("tiny", 0): {"max_prob_diff": 9.0e-4, "entity_per_patch": 0.990, "same_regions": 1.0,
                  "layer_maps_identical": 1.0},
    ("tiny", 4): {"max_prob_diff": 9.4e-4, "entity_per_patch": 0.995, "same_regions": 0.974,
                  "layer_maps_identical": 0.917},
    ("tiny", 8): {"max_prob_diff": 7.3e-4, "entity_per_patch": 0.997, "same_regions": 0.875,
                  "layer_maps_identical": 0.75},
    ("ViT-B/16", 0): {"max_prob_diff": 1.8e-4, "entity_per_patch": 0.984, "same_regions": 1.0,
                      "layer_maps_identical": 1.0},
    ("ViT-B/16", 8): {"max_prob_diff": 1.3e-4, "entity_per_patch": 0.965, "same_regions": 0.501,
                      "layer_maps_identical": 0.097},
}
# How far a CPU may be from the reported figures (bf16 kernels differ between CPU generations): a factor
# of 2 for the probability difference, absolute shares for the rest.
TOLERANCE = {"entity_per_patch": 0.03, "same_regions": 0.1, "layer_maps_identical": 0.1}
_MODEL_NAMES = {"tiny": "tiny", "ViT-B/16": "ViT-B/16 (random weights)"}


def off_reported(key: tuple[str, int], diff: dict[str, float]) -> list[str]:
    """The measured figures (from `compare_explanations`) that are not within TOLERANCE of REPORTED[key]."""
    want = REPORTED[key]
    off = [] if diff["same_ranking"] == 1.0 else ["same_ranking"]
    if not want["max_prob_diff"] / 2 <= diff["max_prob_diff"] <= want["max_prob_diff"] * 2:
        off.append("max_prob_diff")
    off += [k for k, tol in TOLERANCE.items() if abs(diff[k] - want[k]) > tol]
    return off


def readme_row(key: tuple[str, int]) -> str:
    """The README table row of REPORTED[key]: model and r, class ranking, max probability difference, same
    entity per patch, same final regions, (layer, frame) maps identical."""
    f = REPORTED[key]
    sci = f"{f['max_prob_diff']:.1e}".replace("e-0", "e-")
    cells = [f"{_MODEL_NAMES[key[0]]}, r = {key[1]}", "same", sci,
             *(_percent(f[k]) for k in ("entity_per_patch", "same_regions", "layer_maps_identical"))]
    return "| " + " | ".join(cells) + " |"


def _percent(share: float) -> str:
    return "100%" if share == 1.0 else f"{share:.1%}"
