"""Adapter attention heatmaps: colormap overlays of the adapter's cross-attention, in two views.

- "density" (`exp.attention`, or `exp.entity_attention(e)`): each region's share of the attention divided
  evenly over its patches; the clip sums to 1, and a big region looks dimmer than a small one holding the
  same share.
- "region": each region painted with its whole share (every patch of a region shows the region's total),
  so regions compare directly; the picture no longer sums to 1.

Both come from `exp.query_attention` (the cross-attention softmax, float32, mean over the adapter's
layers and heads) averaged over queries. Display scale: ONE scale for the whole clip, 0 .. the clip's
maximum, so a brighter frame really received more attention. Patch values map to pixels by nearest
upscaling: nothing is interpolated. The colormap 'inferno' has monotone luminance: brighter = more.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import numpy as np

from visualizers.colors import colormap_lut
from visualizers.draw import TEXT_PX, blend, draw_text, text_extent, upscale_patches_rgb

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

DEFAULT_CMAP = "inferno"
AttentionView = Literal["density", "region"]
VIEWS: tuple[str, ...] = ("density", "region")


def region_mass(exp: Explanation, entity: int | str | None = None) -> np.ndarray:
    """Attention mass of every region of every frame: mean over all queries (None) or one entity's queries.

    Returns:
        float32 [T, R]; sums to 1 - attention_global (all queries) or 1 (one entity).
    Raises:
        InputError: the entity was not aligned in this clip (`Explanation.entity_region_attention`).
    """
    if entity is not None:
        return exp.entity_region_attention(entity)
    t, k = exp.num_frames, exp.num_regions
    flat = (exp.region_ids + np.arange(t)[:, None, None] * k).ravel()  # [T*Hp*Wp] unique across frames
    mass = np.bincount(flat, weights=exp.attention.ravel().astype(np.float64), minlength=t * k)  # [T*R]
    return mass.reshape(t, k).astype(np.float32)  # exact inverse of spreading over patches


def attention_maps(exp: Explanation, entity: int | str | None = None, view: AttentionView = "density") -> np.ndarray:
    """Attention per patch: averaged over queries (None) or of one entity's queries, in one of the two views.

    Returns:
        float32 [T, Hp, Wp]. "density" sums to 1 - attention_global (or 1 for an entity); "region" paints
        every patch with its region's whole mass.
    Raises:
        ValueError: an unknown view. InputError: an entity not aligned in this clip.
    """
    if view == "density":
        return np.asarray(exp.attention if entity is None else exp.entity_attention(entity), dtype=np.float32)
    if view != "region":
        raise ValueError(f"unknown attention view {view!r}: use one of {VIEWS}")
    mass = region_mass(exp, entity)  # [T, R]
    return mass[np.arange(exp.num_frames)[:, None, None], exp.region_ids]  # [T, Hp, Wp]


def clip_scale(maps: np.ndarray) -> float:
    """The display maximum shared by all frames: the largest value in the clip (1.0 if all zero)."""
    vmax = float(np.max(maps)) if maps.size else 0.0
    return vmax if vmax > 0 else 1.0


def colorize(values: np.ndarray, vmax: float, cmap: str = DEFAULT_CMAP) -> np.ndarray:
    """Map values in [0, vmax] to colormap colours (monotone index: larger value, later colour).

    Args:
        values: float [...]
    Returns:
        uint8 [..., 3]
    """
    index = np.clip(np.rint(values / vmax * 255.0), 0, 255).astype(np.int64)  # [...] in 0..255
    return colormap_lut(cmap)[index]


def attention_overlays(
    exp: Explanation,
    entity: int | str | None = None,
    alpha: float = 0.6,
    cmap: str = DEFAULT_CMAP,
    vmax: float | None = None,
    view: AttentionView = "density",
) -> tuple[np.ndarray, float]:
    """Heatmap overlays of every frame on one clip-wide scale.

    Args:
        entity: None for the averaged attention (`exp.attention`), else an entity index or name.
        alpha: opacity of the heatmap (0 shows the frame, 1 only the heatmap).
        vmax: display maximum; None uses the clip's maximum (`clip_scale`).
        view: "density" or "region" (module docstring).
    Returns:
        (uint8 [T, S, S, 3], the vmax used)
    """
    maps = attention_maps(exp, entity, view)  # [T, Hp, Wp]
    vmax = clip_scale(maps) if vmax is None else float(vmax)
    heat = upscale_patches_rgb(colorize(maps, vmax, cmap), exp.patch_size)  # [T, S, S, 3]
    return blend(exp.frames, heat, alpha), vmax


def attention_overlay(
    exp: Explanation,
    t: int,
    entity: int | str | None = None,
    alpha: float = 0.6,
    cmap: str = DEFAULT_CMAP,
    vmax: float | None = None,
    colorbar: bool = False,
    view: AttentionView = "density",
    scale: int = 1,
) -> np.ndarray:
    """Heatmap overlay of frame `t`, scaled by the whole clip's maximum (frames stay comparable).

    Args:
        colorbar: append a vertical colorbar strip stating the clip-wide scale.
        view: "density" or "region"; scale: whole enlargement factor k (nearest).
    Returns:
        uint8 [kS, kS, 3], or [kS, kS + bar width, 3] with the colorbar.
    """
    maps = attention_maps(exp, entity, view)  # [T, Hp, Wp]
    vmax = clip_scale(maps) if vmax is None else float(vmax)
    heat = upscale_patches_rgb(colorize(maps[t], vmax, cmap), exp.patch_size * scale)  # [kS, kS, 3]
    frame = exp.frames[t] if scale == 1 else np.repeat(np.repeat(exp.frames[t], scale, axis=0), scale, axis=1)
    out = blend(frame, heat, alpha)
    if colorbar:
        out = np.concatenate([out, colorbar_strip(out.shape[0], vmax, cmap, unit=_UNITS[view])], axis=1)
    return out


def frame_mass(exp: Explanation, entity: int | str | None = None) -> np.ndarray:
    """Attention mass of each frame (sum over its regions). float32 [T]"""
    return region_mass(exp, entity).sum(axis=1)


_UNITS = {"density": "per patch", "region": "per region"}


def attention_title(exp: Explanation, entity: int | str | None, vmax: float, view: AttentionView = "density") -> str:
    """A one-line title: what is shown, the view and the shared scale."""
    if entity is None:
        what = "adapter attention (mean of all queries)"
    else:
        name = entity if isinstance(entity, str) else exp.entity_names[int(entity)]
        what = f"attention of '{name}' queries"
    return f"{what}, {view}; one scale for all {exp.num_frames} frames: 0 to {vmax:.2e} {_UNITS[view]}"


def averaging_text(exp: Explanation, entity: int | str | None = None) -> str:
    """How the map was averaged: the adapter's layers x heads x queries (from the explanation's config)."""
    layers = exp.config.get("adapter_layers", "?") if exp.config else "?"
    heads = exp.config.get("adapter_heads", "?") if exp.config else "?"
    if entity is None:
        queries = f"{len(exp.query_entities)} queries (one per frame and aligned entity)"
    else:
        idx = exp.entity_index(entity)
        n = int(np.sum(np.asarray(exp.query_entities) == idx))
        queries = f"the {n} queries of '{exp.entity_names[idx]}'"
    return f"mean over {layers} layers x {heads} heads x {queries}"


def adapter_effect_text(exp: Explanation) -> str:
    """Whether this attention affects the prediction (it does only once the adapter is trained)."""
    if exp.adapter_trained:
        return ("The adapter is trained: what it reads through this attention is added to CLIP's frame mean, "
                "so this attention shapes ALT's prediction.")
    return ("The adapter is untrained: its output projection is zero by construction, so this attention does "
            "not affect the prediction yet (ALT equals the CLIP frame-mean baseline).")


def attention_caption(exp: Explanation, entity: int | str | None, vmax: float, view: AttentionView = "density") -> str:
    """The full caption (plain text, one paragraph): view, source tensor, averaging, precision, scale, effect."""
    if view == "region":
        shown = ("Per region: every region is painted with its whole share of the attention, so big and small "
                 "regions holding the same share look equally bright (the picture does not sum to 1).")
    else:
        shown = ("Density: every region's share of the attention is divided evenly over its patches, so the "
                 "clip sums to 1 and a big region looks dimmer than a small one holding the same share.")
    source = (f"Source: the adapter's cross-attention weights (softmax in float32), {averaging_text(exp, entity)}. "
              f"One colour scale for all {exp.num_frames} frames: 0 to {vmax:.2e} {_UNITS[view]}.")
    return f"{shown} {source} {adapter_effect_text(exp)}"


def colorbar_strip(height: int, vmax: float, cmap: str = DEFAULT_CMAP, width: int | None = None,
                   unit: str = "per patch") -> np.ndarray:
    """A vertical colorbar (top = vmax) labelled with the clip-wide scale. uint8 [height, width, 3]"""
    px = TEXT_PX if height >= 200 else max(9, height // 14)
    top_text = f"{vmax:.1e}"
    label_w = max(text_extent(s, px)[0] for s in (top_text, "clip", "scale", unit))
    bar_w = max(10, px)
    width = width or bar_w + label_w + 14
    _, line = text_extent("Ag", px)
    strip = np.full((height, width, 3), 28, np.uint8)
    top, bottom = line // 2 + 4, height - line // 2 - 4
    ramp = np.linspace(1.0, 0.0, max(1, bottom - top))[:, None]  # [h, 1] top is the maximum
    strip[top:bottom, 4 : 4 + bar_w] = colorize(ramp, 1.0, cmap)
    x = bar_w + 9
    draw_text(strip, top_text, (x, top - line // 2), px)
    draw_text(strip, "0", (x, bottom - line // 2), px)
    mid = height // 2 - (3 * line) // 2
    for i, word in enumerate(("clip", "scale", unit)):
        draw_text(strip, word, (x, mid + i * line), px)
    return strip
