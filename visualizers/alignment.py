"""Entity-to-region overlays: every region coloured by the entity it aligned to.

An entity's colour is keyed by its name (`colors.entity_rgb`), so one entity has one colour in every
frame and panel. Three outputs per frame:
- a flat RGB image (`alignment_overlay`), optionally labelled ("hand 0.31" = entity and its mean
  cosine over that frame's regions) and with a legend strip on the right;
- (mask, label) pairs for `gr.AnnotatedImage` (`alignment_annotations`) plus the matching
  `alignment_color_map` {label: '#rrggbb'};
- the facts behind both (`frame_entities`), for other renderers (matplotlib, plotly).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from visualizers.colors import entity_colors, entity_hex, entity_rgb
from visualizers.draw import blend, boundary_mask, font_scale, put_text, text_size, upscale_patches, upscale_patches_rgb

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
    anchor_xy: tuple[float, float]  # pixel centre of a patch inside its largest region, for a label


def entity_label(name: str, score: float | None = None) -> str:
    """The label shown for an entity: 'name' or 'name 0.31'."""
    return name if score is None else f"{name} {score:.2f}"


def frame_entities(exp: Explanation, t: int) -> list[FrameEntity]:
    """Entities aligned to the regions of frame `t`, largest area first (ties: entity index)."""
    ids = exp.region_ids[t]  # [Hp, Wp]
    ent = exp.region_entity_ids()[t]  # [R]
    score = exp.region_scores()[t]  # [R]
    sizes = exp.region_sizes[t]  # [R]
    hp, wp = ids.shape
    p = exp.patch_size
    yy, xx = np.mgrid[0:hp, 0:wp]  # [Hp, Wp]
    out: list[FrameEntity] = []
    for e in np.unique(ent):
        regs = np.flatnonzero(ent == e)  # regions aligned to e
        big = regs[np.argmax(sizes[regs])]
        inside = ids == big  # [Hp, Wp]
        cy, cx = yy[inside].mean(), xx[inside].mean()
        k = np.argmin((yy[inside] - cy) ** 2 + (xx[inside] - cx) ** 2)  # patch nearest the centroid
        anchor = ((xx[inside][k] + 0.5) * p, (yy[inside][k] + 0.5) * p)
        out.append(
            FrameEntity(
                entity=int(e),
                name=exp.entity_names[int(e)],
                num_regions=int(regs.size),
                num_patches=int(sizes[regs].sum()),
                mean_score=float(score[regs].mean()),
                max_score=float(score[regs].max()),
                anchor_xy=(float(anchor[0]), float(anchor[1])),
            )
        )
    out.sort(key=lambda f: (-f.num_patches, f.entity))
    return out


def entity_color_lut(exp: Explanation, entity_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Colours for the entities present in `entity_ids` (any shape).

    Returns:
        (index map with the shape of entity_ids into the LUT, uint8 LUT [U, 3])
    """
    uniq, inverse = np.unique(entity_ids, return_inverse=True)
    lut = entity_colors([exp.entity_names[int(e)] for e in uniq])  # [U, 3]
    return inverse.reshape(entity_ids.shape), lut


def alignment_overlays(
    exp: Explanation, alpha: float = 0.6, boundaries: bool = True, labels: bool = True, max_labels: int = 4
) -> np.ndarray:
    """Entity overlays of every frame (see `alignment_overlay`). uint8 [T, S, S, 3]"""
    ent = exp.patch_entity_ids()  # [T, Hp, Wp]
    inv, lut = entity_color_lut(exp, ent)
    color = upscale_patches_rgb(lut[inv], exp.patch_size)  # [T, S, S, 3]
    out = blend(exp.frames, color, alpha)  # [T, S, S, 3]
    if boundaries:
        out[boundary_mask(upscale_patches(ent, exp.patch_size))] = (255, 255, 255)
    if labels:
        for t in range(exp.num_frames):
            _draw_labels(out[t], frame_entities(exp, t)[:max_labels])
    return out


def alignment_overlay(
    exp: Explanation,
    t: int,
    alpha: float = 0.6,
    boundaries: bool = True,
    labels: bool = True,
    max_labels: int = 4,
    legend: bool = False,
    legend_width: int | None = None,
) -> np.ndarray:
    """Frame `t` with every patch coloured by its region's entity.

    Args:
        alpha: opacity of the entity colours over the frame.
        boundaries: draw white lines where the aligned entity changes between neighbouring patches.
        labels: write "entity score" on the largest `max_labels` entities (score = mean cosine).
        legend: append a legend strip listing this frame's entities (largest first).
    Returns:
        uint8 [S, S, 3], or [S, S + legend width, 3] with a legend.
    """
    ent = exp.patch_entity_ids()[t]  # [Hp, Wp]
    inv, lut = entity_color_lut(exp, ent)
    out = blend(exp.frames[t], upscale_patches_rgb(lut[inv], exp.patch_size), alpha)  # [S, S, 3]
    if boundaries:
        out[boundary_mask(upscale_patches(ent, exp.patch_size))] = (255, 255, 255)
    ents = frame_entities(exp, t) if (labels or legend) else []
    if labels:
        _draw_labels(out, ents[:max_labels])
    if legend:
        strip = legend_strip(ents, out.shape[0], legend_width)
        out = np.concatenate([out, strip], axis=1)
    return out


def _draw_labels(img: np.ndarray, ents: list[FrameEntity]) -> None:
    """Write 'name score' at each entity's anchor, in place; a label that would overlap an earlier
    (larger) entity's label is skipped, so text never garbles."""
    scale = font_scale(img.shape[0])
    placed: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1
    for f in ents:
        text = entity_label(f.name, f.mean_score)
        w, h = text_size(text, scale)
        x, y = f.anchor_xy
        box = (x - w / 2 - 3, y - h / 2 - 2, x + w / 2 + 3, y + h / 2 + 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        put_text(img, text, (int(x), int(y)), scale, center=True)


def legend_strip(ents: list[FrameEntity], height: int, width: int | None = None) -> np.ndarray:
    """A legend: colour swatch + 'name score' per entity, as many as fit, then '+N more'.

    Returns:
        uint8 [height, width, 3] on a dark background.
    """
    scale = font_scale(height) * 0.95
    _, line_h = text_size("Ag", scale)
    row = line_h + 4
    if width is None:
        longest = max((text_size(entity_label(f.name, f.mean_score), scale)[0] for f in ents), default=40)
        width = min(max(longest + row + 12, height // 2), 2 * height)
    strip = np.full((height, width, 3), 28, np.uint8)
    fits = max(1, (height - 4) // row)
    shown = ents if len(ents) <= fits else ents[: fits - 1]
    for i, f in enumerate(shown):
        y0 = 3 + i * row
        strip[y0 + 1 : y0 + row - 2, 4 : 4 + row - 4] = entity_rgb(f.name)
        put_text(strip, entity_label(f.name, f.mean_score), (row + 4, y0 + row - 5), scale, box=None)
    if len(shown) < len(ents):
        put_text(strip, f"+{len(ents) - len(shown)} more", (6, 3 + len(shown) * row + row - 5), scale, box=None)
    return strip


def alignment_annotations(
    exp: Explanation, t: int, with_scores: bool = False, max_entities: int | None = None
) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """Value for `gr.AnnotatedImage`: (frame, [(mask, label), ...]), one mask per entity in frame t.

    Args:
        with_scores: labels 'name 0.31' (then use `alignment_color_map(exp, t, with_scores=True)`);
            by default labels are entity names, so one colour map serves every frame.
        max_entities: keep only the largest entities.
    Returns:
        (uint8 [S, S, 3] frame, [(float32 [S, S] mask in {0, 1}, label)]), largest entity first.
    """
    pix = upscale_patches(exp.patch_entity_ids()[t], exp.patch_size)  # [S, S]
    ents = frame_entities(exp, t)[:max_entities]
    pairs = [
        ((pix == f.entity).astype(np.float32), entity_label(f.name, f.mean_score if with_scores else None))
        for f in ents
    ]
    return exp.frames[t], pairs


def alignment_color_map(exp: Explanation, t: int | None = None, with_scores: bool = False) -> dict[str, str]:
    """{label: '#rrggbb'} for `gr.AnnotatedImage(color_map=...)`, matching `alignment_annotations`.

    Args:
        t: one frame's labels; None for every entity aligned anywhere in the clip (names only).
        with_scores: labels with scores (needs `t`).
    """
    if t is None:
        if with_scores:
            raise ValueError("labels with scores differ per frame: pass t")
        ids = np.unique(exp.region_entity_ids())
        return {exp.entity_names[int(e)]: entity_hex(exp.entity_names[int(e)]) for e in ids}
    return {
        entity_label(f.name, f.mean_score if with_scores else None): entity_hex(f.name)
        for f in frame_entities(exp, t)
    }


def clip_entities(exp: Explanation, k: int = 12) -> list[tuple[int, str, float]]:
    """The k entities covering most patches over the clip: (index, name, share of patches)."""
    ent = exp.patch_entity_ids().ravel()
    uniq, counts = np.unique(ent, return_counts=True)
    order = np.lexsort((uniq, -counts))[:k]
    return [(int(uniq[i]), exp.entity_names[int(uniq[i])], float(counts[i] / ent.size)) for i in order]


def entity_highlight_overlays(exp: Explanation, entity: int, alpha: float = 0.6, dim: float = 0.65) -> np.ndarray:
    """Every frame with the regions aligned to one entity lit in its colour and the rest dimmed.

    Args:
        entity: entity index.
        alpha: strength of the entity colour on its regions.
        dim: how far the other pixels are darkened (0 none, 1 black).
    Returns:
        uint8 [T, S, S, 3]; white outlines around the entity's regions.
    """
    mask = upscale_patches(exp.patch_entity_ids() == entity, exp.patch_size)  # bool [T, S, S]
    darker = blend(exp.frames, np.zeros_like(exp.frames), dim)  # [T, S, S, 3]
    color = np.broadcast_to(np.array(entity_rgb(exp.entity_names[entity]), np.uint8), exp.frames.shape)
    lit = blend(exp.frames, np.ascontiguousarray(color), alpha)
    out = np.where(mask[..., None], lit, darker)
    out[boundary_mask(mask.astype(np.int8))] = 255
    return out
