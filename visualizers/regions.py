"""Merged-token region maps: which patches ToMe merged into one token, per frame (and per layer).

A region map paints every region in one colour (the mean colour of its pixels, like ToMe's own
visualisation, or a distinct palette colour) and draws the region boundaries. Patches map to pixels by
nearest upscaling (`np.repeat` by the patch size), which is exact: a boundary pixel is one whose
region id differs from its right or bottom neighbour, so boundaries follow `region_ids` to the pixel.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import numpy as np

from visualizers.colors import region_palette
from visualizers.draw import blend, boundary_mask, upscale_patches, upscale_patches_rgb

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

RegionMode = Literal["mean", "distinct"]
REGION_ALPHA = 0.55  # default opacity of the palette colours in 'distinct' mode
BOUNDARY_WHITE = (255, 255, 255)  # default boundary colour


def region_ids_at(exp: Explanation, layer: int | None = None) -> np.ndarray:
    """Region id of every patch after encoder layer `layer` (None: the final regions).

    Args:
        layer: index into `exp.layer_region_ids` (negative counts from the end), or None.
    Returns:
        int32 [T, Hp, Wp]
    Raises:
        ValueError: a layer is asked for but the explanation has no per-layer regions, or it is out
            of range.
    """
    if layer is None:
        return exp.region_ids
    if exp.layer_region_ids is None:
        raise ValueError("this explanation has no per-layer regions (layer_region_ids is None)")
    n_layers = exp.layer_region_ids.shape[0]
    if not -n_layers <= layer < n_layers:
        raise ValueError(f"layer {layer} out of range: the explanation has {n_layers} layers")
    return exp.layer_region_ids[layer]  # [T, Hp, Wp]


def num_layers(exp: Explanation) -> int:
    """Number of layers with a region map (0 when `layer_region_ids` is None)."""
    return 0 if exp.layer_region_ids is None else int(exp.layer_region_ids.shape[0])


def region_counts(exp: Explanation, layer: int | None = None) -> np.ndarray:
    """Number of distinct regions in each frame. int64 [T]"""
    ids = region_ids_at(exp, layer)  # [T, Hp, Wp]
    return np.array([np.unique(f).size for f in ids], dtype=np.int64)


def region_mean_colors(frames: np.ndarray, ids: np.ndarray, patch_size: int) -> np.ndarray:
    """Mean RGB of every region, per frame.

    Computed from per-patch means weighted by patch count, which equals the pixel mean exactly
    because every patch has patch_size**2 pixels.

    Args:
        frames: uint8 [T, S, S, 3]
        ids: int [T, Hp, Wp], ids >= 0.
    Returns:
        float32 [T, K, 3] with K = ids.max() + 1 (ids absent in a frame get 0).
    """
    t, hp, wp = ids.shape
    p = patch_size
    patch_mean = frames.reshape(t, hp, p, wp, p, 3).mean(axis=(2, 4), dtype=np.float32)  # [T, Hp, Wp, 3]
    k = int(ids.max()) + 1
    flat = (ids + np.arange(t)[:, None, None] * k).ravel()  # [T*Hp*Wp] ids unique across frames
    counts = np.bincount(flat, minlength=t * k).astype(np.float32)  # [T*K]
    sums = np.stack(
        [np.bincount(flat, weights=patch_mean[..., c].ravel(), minlength=t * k) for c in range(3)], axis=-1
    )  # [T*K, 3]
    means = sums / np.maximum(counts, 1.0)[:, None]
    return means.reshape(t, k, 3).astype(np.float32)


def _draw_regions(
    frames: np.ndarray,
    ids: np.ndarray,
    patch_size: int,
    mode: RegionMode,
    alpha: float,
    boundary_color: tuple[int, int, int] | None,
    scale: int = 1,
) -> np.ndarray:
    """Core of the region map for a stack of frames. frames uint8 [T, S, S, 3], ids [T, Hp, Wp] -> [T, kS, kS, 3]
    (boundaries are drawn after the enlargement, so they stay one pixel wide)."""
    t = ids.shape[0]
    if frames.shape[1] != ids.shape[1] * patch_size or frames.shape[2] != ids.shape[2] * patch_size:
        raise ValueError(f"frames {frames.shape} do not match grid {ids.shape[1:]} x patch {patch_size}")
    if mode == "mean":
        means = region_mean_colors(frames, ids, patch_size)  # [T, K, 3]
        patch_rgb = means[np.arange(t)[:, None, None], ids]  # [T, Hp, Wp, 3]
        out = np.rint(upscale_patches_rgb(patch_rgb, patch_size)).astype(np.uint8)  # [T, S, S, 3]
    elif mode == "distinct":
        colors = region_palette(int(ids.max()) + 1)  # [K, 3]
        out = blend(frames, upscale_patches_rgb(colors[ids], patch_size), alpha)  # [T, S, S, 3]
    else:
        raise ValueError(f"unknown region mode {mode!r}: use 'mean' or 'distinct'")
    if scale > 1:
        out = np.repeat(np.repeat(out, scale, axis=1), scale, axis=2)  # [T, kS, kS, 3]
    if boundary_color is not None:
        edges = boundary_mask(upscale_patches(ids, patch_size * scale))  # bool [T, kS, kS]
        out[edges] = boundary_color
    return out


def region_maps(
    exp: Explanation,
    layer: int | None = None,
    mode: RegionMode = "mean",
    alpha: float = REGION_ALPHA,
    boundary_color: tuple[int, int, int] | None = BOUNDARY_WHITE,
    scale: int = 1,
) -> np.ndarray:
    """Region maps of every frame.

    Args:
        layer: encoder layer (needs `exp.layer_region_ids`), None for the final regions.
        mode: 'mean' paints each region with its mean colour; 'distinct' blends a palette colour per
            region id over the frame with opacity `alpha`.
        boundary_color: RGB of boundary pixels, None for no boundaries.
        scale: whole enlargement factor k (nearest), boundaries stay 1 px.
    Returns:
        uint8 [T, kS, kS, 3] RGB
    """
    ids = region_ids_at(exp, layer)
    return _draw_regions(exp.frames, ids, exp.patch_size, mode, alpha, boundary_color, scale)


def region_map(
    exp: Explanation,
    t: int,
    layer: int | None = None,
    mode: RegionMode = "mean",
    alpha: float = REGION_ALPHA,
    boundary_color: tuple[int, int, int] | None = BOUNDARY_WHITE,
    scale: int = 1,
) -> np.ndarray:
    """Region map of frame `t` (see `region_maps`). uint8 [kS, kS, 3] RGB"""
    ids = region_ids_at(exp, layer)[t : t + 1]  # [1, Hp, Wp]
    return _draw_regions(exp.frames[t : t + 1], ids, exp.patch_size, mode, alpha, boundary_color, scale)[0]


def layer_number(exp: Explanation, layer: int | None) -> int | None:
    """1-based encoder layer whose output `layer` (an index into `layer_region_ids`, negative from the end;
    None for the final regions) shows: index 0 is the regions after encoder layer 1."""
    n = num_layers(exp)
    if layer is None:
        return n or None
    return (layer % n) + 1 if n else None


def region_caption(exp: Explanation, t: int, layer: int | None = None) -> str:
    """One-line caption: frame (0-based), time, region count and the encoder layer they come after.

    Args:
        layer: index into `exp.layer_region_ids` (0 = after encoder layer 1), None for the final regions.
    """
    n = int(np.unique(region_ids_at(exp, layer)[t]).size)
    number, total = layer_number(exp, layer), num_layers(exp)
    if number is None:
        where = "final regions"
    elif layer is None or number == total:
        where = f"after encoder layer {number} of {total}: the regions the model used"
    else:
        where = f"after encoder layer {number} of {total}"
    return f"frame {t} · {float(exp.timestamps[t]):.2f} s · {n} merged-token regions ({where}, r={exp.r})"
