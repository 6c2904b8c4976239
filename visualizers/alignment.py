"""Entity-to-region alignment pictures: every patch coloured by the entity its region aligned to.

Colours come from the clip's `ClipColors` (colors.py): the first `legend_size` entities of
`Explanation.entity_ranking()` have distinct colours and legend numbers, every other entity is grey, and
the same assignment serves every frame, panel and export of the clip. Outputs:
- `alignment_overlays` / `entity_highlight_overlays`: colour only (no text), every frame, for galleries;
- `alignment_picture`: one frame at display size with numbered markers (placed without overlaps) and a
  legend beside it, returned as a `Picture` that reports every label box it drew;
- `frame_entities`: the facts behind them (entities of a frame, their sizes, cosines, marker spots);
- `alignment_annotations` / `alignment_color_map`: values for `gr.AnnotatedImage`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from visualizers.colors import OTHER_HEX, ClipColors, clip_colors, hex_to_rgb
from visualizers.draw import (
    DISPLAY_SIDE,
    TEXT_PX,
    blend,
    boundary_mask,
    display_factor,
    upscale_patches,
    upscale_patches_rgb,
)
from visualizers.labels import LabelBox, LegendRow, Picture, beside, draw_markers, legend_panel, place_markers

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameEntity:
    """One entity as it appears in one frame."""

    entity: int  # index into exp.entity_names
    name: str
    num_regions: int
    num_patches: int
    mean_score: float  # mean cosine of its regions in this frame
    max_score: float
    spots: tuple[tuple[float, float], ...]  # centres (x, y) of its patches in frame pixels, best marker spot first

    @property
    def anchor_xy(self) -> tuple[float, float]:
        """The preferred marker spot: the patch nearest the middle of its largest region."""
        return self.spots[0]


def entity_label(name: str, score: float | None = None) -> str:
    """The label shown for an entity: 'name' or 'name 0.31'."""
    return name if score is None else f"{name} {score:.2f}"


def frame_entities(exp: Explanation, t: int) -> list[FrameEntity]:
    """Entities aligned to the regions of frame `t`, largest area first (ties: entity index)."""
    ids = exp.region_ids[t]  # [Hp, Wp]
    ent = exp.region_entity_ids()[t]  # [R]
    score = exp.region_scores()[t]  # [R]
    sizes = exp.region_sizes[t]  # [R]
    p = exp.patch_size
    yy, xx = np.mgrid[0 : ids.shape[0], 0 : ids.shape[1]]  # [Hp, Wp]
    out: list[FrameEntity] = []
    for e in np.unique(ent):
        regs = np.flatnonzero(ent == e)  # regions aligned to e
        big = regs[np.argmax(sizes[regs])]
        mine = ent[ids] == e  # [Hp, Wp] patches of this entity
        cy, cx = yy[ids == big].mean(), xx[ids == big].mean()
        py, px = yy[mine], xx[mine]
        order = np.lexsort(((py - cy) ** 2 + (px - cx) ** 2, ids[mine] != big))  # largest region, then nearest
        spots = tuple(((float(px[i]) + 0.5) * p, (float(py[i]) + 0.5) * p) for i in order)
        out.append(FrameEntity(int(e), exp.entity_names[int(e)], int(regs.size), int(sizes[regs].sum()),
                               float(score[regs].mean()), float(score[regs].max()), spots))
    out.sort(key=lambda f: (-f.num_patches, f.entity))
    return out


def _colour_patches(exp: Explanation, frames: np.ndarray, ent: np.ndarray, colors: ClipColors, alpha: float,
                    boundaries: bool, scale: int) -> np.ndarray:
    """Blend entity colours over frames at `scale` x. frames [N, S, S, 3], ent [N, Hp, Wp] -> [N, kS, kS, 3]"""
    inv, lut = colors.lut(ent)
    step = exp.patch_size * scale
    big = frames if scale == 1 else np.repeat(np.repeat(frames, scale, axis=1), scale, axis=2)
    out = blend(np.ascontiguousarray(big), upscale_patches_rgb(lut[inv], step), alpha)
    if boundaries:
        out[boundary_mask(upscale_patches(ent, step))] = (255, 255, 255)
    return out


def alignment_overlays(exp: Explanation, alpha: float = 0.6, boundaries: bool = True,
                       colors: ClipColors | None = None, scale: int = 1) -> np.ndarray:
    """Every frame with each patch coloured by its region's entity (no text). uint8 [T, kS, kS, 3]

    Args:
        alpha: opacity of the entity colours over the frame.
        boundaries: white lines where the aligned entity changes between neighbouring patches.
        colors: the clip's colours (default `clip_colors(exp)`); entities beyond its legend are grey.
        scale: whole enlargement factor k (nearest: each patch stays a sharp square).
    """
    colors = colors or clip_colors(exp)
    return _colour_patches(exp, exp.frames, exp.patch_entity_ids(), colors, alpha, boundaries, scale)


def alignment_overlay(exp: Explanation, t: int, alpha: float = 0.6, boundaries: bool = True,
                      colors: ClipColors | None = None, scale: int = 1) -> np.ndarray:
    """Frame t of `alignment_overlays`. uint8 [kS, kS, 3]"""
    colors = colors or clip_colors(exp)
    ent = exp.patch_entity_ids()[t : t + 1]  # [1, Hp, Wp]
    return _colour_patches(exp, exp.frames[t : t + 1], ent, colors, alpha, boundaries, scale)[0]


def entity_highlight_overlays(exp: Explanation, entity: int, alpha: float = 0.6, dim: float = 0.65,
                              colors: ClipColors | None = None, scale: int = 1,
                              frames: slice | None = None) -> np.ndarray:
    """Frames with the regions aligned to one entity lit in its clip colour and the rest dimmed.

    Args:
        entity: entity index.
        alpha: strength of the entity colour on its regions.
        dim: how far the other pixels are darkened (0 none, 1 black).
        scale: whole enlargement factor; frames: which frames (default all).
    Returns:
        uint8 [T', kS, kS, 3]; white outlines around the entity's regions.
    """
    colors = colors or clip_colors(exp)
    sel = frames or slice(None)
    img = exp.frames[sel]
    if scale > 1:
        img = np.repeat(np.repeat(img, scale, axis=1), scale, axis=2)
    mask = upscale_patches(exp.patch_entity_ids()[sel] == entity, exp.patch_size * scale)  # bool [T', kS, kS]
    darker = blend(img, np.zeros_like(img), dim)
    lit = blend(img, np.ascontiguousarray(np.broadcast_to(np.array(colors.rgb(entity), np.uint8), img.shape)), alpha)
    out = np.where(mask[..., None], lit, darker)
    out[boundary_mask(mask.astype(np.int8))] = 255
    return out


def frame_markers(exp: Explanation, t: int, colors: ClipColors, scale: int, size: tuple[int, int] | None = None,
                  px: int = TEXT_PX) -> list[LabelBox]:
    """Numbered markers of frame t's legend entities, placed without overlaps at `scale` x.

    Args:
        size: (width, height) of the picture the markers must stay inside (default: the enlarged frame).
        px: font size of the numbers, which sets the marker size.
    Returns:
        [LabelBox] (kind "marker", text = legend number), in legend order.
    """
    side = exp.frames.shape[1] * scale
    w, h = size or (exp.frames.shape[2] * scale, side)
    ents = {f.entity: f for f in frame_entities(exp, t)}
    requests = [(e.index, str(i + 1), [(x * scale, y * scale) for x, y in ents[e.index].spots])
                for i, e in enumerate(colors.legend) if e.index in ents]
    return place_markers(requests, w, h, px)


def alignment_picture(exp: Explanation, t: int, colors: ClipColors | None = None, entity: int | None = None,
                      alpha: float = 0.6, target: int = DISPLAY_SIDE, legend: bool = True) -> Picture:
    """Frame t at display size (>= `target` px): entity colours, numbered markers, and a legend beside it.

    Args:
        entity: highlight this entity (others dimmed; its legend row marked), None for all.
        legend: append the legend: this frame's legend entities by number, each with its mean cosine in
            this frame, then one grey row for the entities beyond the clip's legend.
    Returns:
        Picture whose `labels` are every marker and legend row drawn (no two overlap, none is cut).
    """
    colors = colors or clip_colors(exp)
    k = display_factor(exp.frames.shape[1], target)
    if entity is None:
        img = alignment_overlay(exp, t, alpha, colors=colors, scale=k)
    else:
        img = entity_highlight_overlays(exp, int(entity), alpha, colors=colors, scale=k, frames=slice(t, t + 1))[0]
    markers = frame_markers(exp, t, colors, k, (img.shape[1], img.shape[0]))
    draw_markers(img, markers, {m.entity: colors.rgb(m.entity) for m in markers})
    pic = Picture(img, list(markers))
    if not legend:
        return pic
    return beside(pic, legend_panel(frame_legend_rows(exp, t, colors, entity), img.shape[0],
                                    title=f"frame {t}: entity, cosine"))


def frame_legend_rows(exp: Explanation, t: int, colors: ClipColors, entity: int | None = None) -> list[LegendRow]:
    """Legend rows of frame t: its legend entities in number order, then the rest as one grey row."""
    ents = {f.entity: f for f in frame_entities(exp, t)}
    rows = [LegendRow(e.index, str(i + 1), entity_label(e.name, ents[e.index].mean_score), colors.rgb(e.index),
                      selected=e.index == entity)
            for i, e in enumerate(colors.legend) if e.index in ents]
    others = [f for f in ents.values() if not colors.in_legend(f.entity)]
    grey = hex_to_rgb(OTHER_HEX)
    if entity is not None and not colors.in_legend(entity):
        name = exp.entity_names[int(entity)]
        text = entity_label(name, ents[entity].mean_score) if entity in ents else f"{name}: not in this frame"
        rows.append(LegendRow(int(entity), "", text, grey, selected=True))
        others = [f for f in others if f.entity != entity]
    if others:
        rows.append(LegendRow(-1, "", f"other: {len(others)} entities", grey))
    return rows


def alignment_annotations(exp: Explanation, t: int, with_scores: bool = False, max_entities: int | None = None
                          ) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """Value for `gr.AnnotatedImage`: (frame, [(mask, label), ...]), one mask per entity in frame t.

    Returns:
        (uint8 [S, S, 3] frame, [(float32 [S, S] mask in {0, 1}, 'name' or 'name 0.31')]), largest first.
    """
    pix = upscale_patches(exp.patch_entity_ids()[t], exp.patch_size)  # [S, S]
    ents = frame_entities(exp, t)[:max_entities]
    return exp.frames[t], [((pix == f.entity).astype(np.float32), entity_label(f.name, f.mean_score if with_scores
                                                                                  else None)) for f in ents]


def alignment_color_map(exp: Explanation, t: int | None = None, with_scores: bool = False,
                        colors: ClipColors | None = None) -> dict[str, str]:
    """{label: '#rrggbb'} matching `alignment_annotations`, in the clip's colours (t None: every entity of the
    clip, names only)."""
    colors = colors or clip_colors(exp)
    if t is None:
        if with_scores:
            raise ValueError("labels with scores differ per frame: pass t")
        return {e.name: colors.hex(e.index) for e in colors.ranking}
    return {entity_label(f.name, f.mean_score if with_scores else None): colors.hex(f.entity)
            for f in frame_entities(exp, t)}


def clip_entities(exp: Explanation, k: int = 12) -> list[tuple[int, str, float]]:
    """The first k entities of the clip's ranking (`Explanation.entity_ranking`): (index, name, patch share)."""
    return [(e.index, e.name, e.patch_share) for e in exp.entity_ranking(k)]
