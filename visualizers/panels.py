"""All raster panels of a clip at once, and the per-frame strip used for the overlay video.

`render_panels` is what a live view needs (one call, every frame, shared scales); `overlay_strips` lays
the panels of each frame side by side under a caption bar: input | regions | alignment | attention.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from visualizers.alignment import alignment_overlays
from visualizers.attention import DEFAULT_CMAP, attention_overlays, colorbar_strip
from visualizers.draw import font_scale, header_bar, put_text
from visualizers.regions import region_counts, region_maps

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

PANEL_NAMES: tuple[str, ...] = ("input", "regions", "alignment", "attention")


@dataclass
class Panels:
    """Raster panels of every frame. Each image stack is uint8 [T, S, S, 3] RGB."""

    input: np.ndarray
    regions: np.ndarray
    alignment: np.ndarray
    attention: np.ndarray
    attention_vmax: float  # the clip-wide display maximum of `attention`
    region_counts: np.ndarray  # int64 [T]


def render_panels(
    exp: Explanation,
    layer: int | None = None,
    entity: int | str | None = None,
    alpha: float = 0.6,
    cmap: str = DEFAULT_CMAP,
    labels: bool = True,
) -> Panels:
    """Render the four raster panels for every frame (see the panel modules for each one's meaning)."""
    attention, vmax = attention_overlays(exp, entity=entity, alpha=alpha, cmap=cmap)
    return Panels(
        input=exp.frames,
        regions=region_maps(exp, layer=layer),
        alignment=alignment_overlays(exp, alpha=alpha, labels=labels),
        attention=attention,
        attention_vmax=vmax,
        region_counts=region_counts(exp, layer),
    )


def overlay_strips(exp: Explanation, panels: Panels | None = None, cmap: str = DEFAULT_CMAP) -> np.ndarray:
    """One image per frame: caption bar over input | regions | alignment | attention | colorbar.

    Returns:
        uint8 [T, bar + S, 4 * S + colorbar width, 3] RGB
    """
    p = panels or render_panels(exp, cmap=cmap)
    t, s = exp.num_frames, exp.frames.shape[1]
    bar_h = max(20, s // 9)
    cbar = colorbar_strip(s, p.attention_vmax, cmap)  # [S, w, 3], same for every frame
    top = ", ".join(f"{n} {q:.0%}" for n, q in exp.top_classes(2))
    out = []
    for i in range(t):
        row = np.concatenate([p.input[i], p.regions[i], p.alignment[i], p.attention[i], cbar], axis=1)
        row = row.copy()
        scale = font_scale(s) * 0.9
        for j, name in enumerate(PANEL_NAMES):
            put_text(row, name, (j * s + 3, s - 4), scale)
        put_text(row, f"{int(p.region_counts[i])} regions", (s + 3, 12), scale)
        text = f"frame {i + 1}/{t} | {float(exp.timestamps[i]):.2f} s | ALT: {top}"  # Hershey fonts: ASCII only
        out.append(np.concatenate([header_bar(row.shape[1], bar_h, text), row], axis=0))
    return np.stack(out)  # [T, bar + S, W, 3]
