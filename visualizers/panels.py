"""All raster panels of a clip at once, and the per-frame strip used for the overlay video.

`render_panels` is what a live view needs (one call, every frame, shared scales, the model's input size);
`strip_picture` lays one frame's panels side by side at display size (>= 448 px per panel, text >= 12 px):
a caption bar, a row of panel titles, then input | regions | alignment | attention | colorbar | legend.
Frames are numbered from 0, as in the app and the JSON.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from visualizers.alignment import alignment_overlay, alignment_overlays, frame_markers
from visualizers.attention import (
    DEFAULT_CMAP,
    AttentionView,
    attention_maps,
    attention_overlay,
    attention_overlays,
    clip_scale,
    colorbar_strip,
)
from visualizers.colors import OTHER_HEX, ClipColors, clip_colors, hex_to_rgb
from visualizers.draw import DISPLAY_SIDE, TEXT_PX, display_factor, draw_text, text_bar, text_extent
from visualizers.labels import LabelBox, LegendRow, Picture, draw_markers, legend_panel, shifted
from visualizers.regions import layer_number, region_counts, region_map, region_maps

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


def render_panels(exp: Explanation, layer: int | None = None, entity: int | str | None = None, alpha: float = 0.6,
                  cmap: str = DEFAULT_CMAP, colors: ClipColors | None = None,
                  view: AttentionView = "density") -> Panels:
    """Render the four raster panels for every frame at the model's input size (no text)."""
    attention, vmax = attention_overlays(exp, entity=entity, alpha=alpha, cmap=cmap, view=view)
    return Panels(input=exp.frames, regions=region_maps(exp, layer=layer),
                  alignment=alignment_overlays(exp, alpha=alpha, colors=colors or clip_colors(exp)),
                  attention=attention, attention_vmax=vmax, region_counts=region_counts(exp, layer))


def clip_legend_rows(exp: Explanation, colors: ClipColors) -> list[LegendRow]:
    """The clip's legend: every legend entity with its share of the clip's patches, then the grey rest."""
    rows = [LegendRow(e.index, str(i + 1), f"{e.name} {e.patch_share:.0%}", colors.rgb(e.index))
            for i, e in enumerate(colors.legend)]
    rest = len(colors.ranking) - len(colors.legend)
    if rest:
        rows.append(LegendRow(-1, "", f"other: {rest} entities", hex_to_rgb(OTHER_HEX)))
    return rows


def frame_header(exp: Explanation, t: int) -> str:
    """The caption of frame t in exports: 0-based number, time, and both predictions."""
    from alt.explanation import BASELINE_NAME  # numpy-only module, no torch

    alt = ", ".join(f"{n} {q:.0%}" for n, q in exp.top_classes(2))
    base = ", ".join(f"{n} {q:.0%}" for n, q in exp.top_classes(1, baseline=True))
    return (f"frame {t} (frames 0-{exp.num_frames - 1}) · {float(exp.timestamps[t]):.2f} s · ALT: {alt} · "
            f"{BASELINE_NAME}: {base}")


def strip_picture(exp: Explanation, t: int, colors: ClipColors | None = None, layer: int | None = None,
                  view: AttentionView = "density", cmap: str = DEFAULT_CMAP, alpha: float = 0.6,
                  target: int = DISPLAY_SIDE, vmax: float | None = None) -> Picture:
    """Frame t's panels side by side at >= `target` px per panel, with every label box it drew.

    Returns:
        Picture: uint8 [bar + titles + kS, 4 kS + colorbar + legend, 3] and its LabelBoxes (header, titles,
        markers and legend rows; none overlap).
    """
    colors = colors or clip_colors(exp)
    k = display_factor(exp.frames.shape[1], target)
    side = exp.frames.shape[1] * k
    vmax = clip_scale(attention_maps(exp, None, view)) if vmax is None else vmax
    align = alignment_overlay(exp, t, alpha, colors=colors, scale=k)
    markers = frame_markers(exp, t, colors, k)
    draw_markers(align, markers, {m.entity: colors.rgb(m.entity) for m in markers})
    panels = [np.repeat(np.repeat(exp.frames[t], k, axis=0), k, axis=1), region_map(exp, t, layer=layer, scale=k)]
    panels += [align, attention_overlay(exp, t, alpha=alpha, cmap=cmap, vmax=vmax, view=view, scale=k)]
    bar = colorbar_strip(side, vmax, cmap, unit="per patch" if view == "density" else "per region")
    legend = legend_panel(clip_legend_rows(exp, colors), side, title="entities (share)")
    height = max(side, legend.image.shape[0])
    row = [np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0))) for p in (*panels, bar)] + [legend.image]
    body = np.concatenate(row, axis=1)  # [height, W, 3]
    n_regions = int(region_counts(exp, layer)[t])
    titles = ["input", f"regions: {n_regions} (after layer {layer_number(exp, layer)})",
              "alignment (numbers: legend)", f"attention, {view}"]
    title_row = np.full((text_extent("Ag")[1] + 8, body.shape[1], 3), 40, np.uint8)
    title_labels = [LabelBox("title", -1, s, draw_text(title_row, s, (i * side + 6, 4)))
                    for i, s in enumerate(titles) if text_extent(s)[0] < side - 8]  # never cut at a panel edge
    text = frame_header(exp, t)
    header = text_bar(body.shape[1], text)
    top, mid = header.shape[0], header.shape[0] + title_row.shape[0]
    labels = [LabelBox("title", -1, text, (8, 5, 8 + text_extent(text, TEXT_PX + 2)[0], top - 5))]
    labels += shifted(title_labels, 0, top) + shifted(markers, 2 * side, mid)
    labels += shifted(legend.labels, 4 * side + bar.shape[1], mid)
    return Picture(np.concatenate([header, title_row, body], axis=0), labels)


def overlay_strips(exp: Explanation, colors: ClipColors | None = None, cmap: str = DEFAULT_CMAP,
                   view: AttentionView = "density", target: int = DISPLAY_SIDE) -> np.ndarray:
    """`strip_picture` of every frame, stacked (one attention scale for the clip). uint8 [T, H, W, 3]"""
    colors = colors or clip_colors(exp)
    vmax = clip_scale(attention_maps(exp, None, view))
    return np.stack([strip_picture(exp, t, colors, view=view, cmap=cmap, target=target, vmax=vmax).image
                     for t in range(exp.num_frames)])
