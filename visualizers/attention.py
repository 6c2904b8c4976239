"""Adapter attention heatmaps: colormap overlays of `exp.attention` or one entity's attention.

Display scale: ONE scale for the whole clip, 0 .. the clip's maximum patch value, so a frame that looks
brighter really received more attention than a darker one. Titles and colorbars say so
(`attention_title`, `colorbar_strip`). Patch values map to pixels by nearest upscaling: the attention is
a per-region mass spread evenly over the region's patches, so nothing is interpolated or invented.
The default colormap 'inferno' has monotone luminance: a brighter pixel always means more attention.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from visualizers.colors import colormap_lut
from visualizers.draw import blend, font_scale, put_text, upscale_patches_rgb

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

DEFAULT_CMAP = "inferno"


def attention_maps(exp: Explanation, entity: int | str | None = None) -> np.ndarray:
    """Attention per patch: averaged over queries (None) or of one entity's queries.

    Returns:
        float32 [T, Hp, Wp]; the averaged map sums to 1 - attention_global, an entity's map to 1
        (all zeros when no query carries that entity).
    """
    if entity is None:
        return np.asarray(exp.attention, dtype=np.float32)
    return exp.entity_attention(entity)


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
) -> tuple[np.ndarray, float]:
    """Heatmap overlays of every frame on one clip-wide scale.

    Args:
        entity: None for the averaged attention (`exp.attention`), else an entity index or name.
        alpha: opacity of the heatmap (0 shows the frame, 1 only the heatmap).
        vmax: display maximum; None uses the clip's maximum (`clip_scale`).
    Returns:
        (uint8 [T, S, S, 3], the vmax used)
    """
    maps = attention_maps(exp, entity)  # [T, Hp, Wp]
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
) -> np.ndarray:
    """Heatmap overlay of frame `t`, scaled by the whole clip's maximum (frames stay comparable).

    Args:
        colorbar: append a vertical colorbar strip stating the clip-wide scale.
    Returns:
        uint8 [S, S, 3], or [S, S + bar width, 3] with the colorbar.
    """
    maps = attention_maps(exp, entity)  # [T, Hp, Wp]
    vmax = clip_scale(maps) if vmax is None else float(vmax)
    heat = upscale_patches_rgb(colorize(maps[t], vmax, cmap), exp.patch_size)  # [S, S, 3]
    out = blend(exp.frames[t], heat, alpha)
    if colorbar:
        out = np.concatenate([out, colorbar_strip(out.shape[0], vmax, cmap)], axis=1)
    return out


def frame_mass(exp: Explanation, entity: int | str | None = None) -> np.ndarray:
    """Attention mass of each frame (sum over its patches). float32 [T]"""
    return attention_maps(exp, entity).sum(axis=(1, 2))


def attention_title(exp: Explanation, entity: int | str | None, vmax: float) -> str:
    """A title that states what is shown and the shared scale."""
    if entity is None:
        what = "adapter attention (mean of all queries)"
    else:
        name = entity if isinstance(entity, str) else exp.entity_names[int(entity)]
        what = f"attention of '{name}' queries"
    return f"{what}; one scale for all {exp.num_frames} frames: 0 to {vmax:.2e} per patch"


def colorbar_strip(height: int, vmax: float, cmap: str = DEFAULT_CMAP, width: int | None = None) -> np.ndarray:
    """A vertical colorbar (top = vmax) labelled with the clip-wide scale. uint8 [height, width, 3]"""
    scale = font_scale(height) * 0.9
    width = width or max(44, int(height * 0.26))
    strip = np.full((height, width, 3), 28, np.uint8)
    top, bottom = 14, height - 14
    ramp = np.linspace(1.0, 0.0, bottom - top)[:, None]  # [h, 1] top is the maximum
    bar_w = max(6, width // 5)
    strip[top:bottom, 3 : 3 + bar_w] = colorize(ramp, 1.0, cmap)
    put_text(strip, f"{vmax:.1e}", (bar_w + 5, top + 8), scale, box=None)
    put_text(strip, "0", (bar_w + 5, bottom), scale, box=None)
    put_text(strip, "clip", (bar_w + 5, height // 2 - 4), scale, box=None)
    put_text(strip, "scale", (bar_w + 5, height // 2 + 10), scale, box=None)
    return strip
