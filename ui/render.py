"""Views of one Explanation for the app, composed from `visualizers` (no model calls, no new maths).

Everything here re-renders from an Explanation kept in session state, so moving the frame slider,
picking an entity or changing the opacity never re-runs the model.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

import visualizers as V

if TYPE_CHECKING:
    from alt.explanation import Explanation

ALL = -1  # dropdown value for "all entities" / "mean of all queries"
def clamp_frame(exp: Explanation, t: Any) -> int:
    """A valid frame index from a slider value (None or out of range are clamped)."""
    try:
        t = int(t)
    except (TypeError, ValueError):
        t = 0
    return max(0, min(exp.num_frames - 1, t))


def frame_at_time(exp: Explanation, seconds: Any) -> int:
    """The frame whose timestamp is nearest to `seconds` (a video player's current time)."""
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        return 0
    return int(np.argmin(np.abs(np.asarray(exp.timestamps, dtype=float) - s)))


# ---- dropdown choices -----------------------------------------------------------------------------
def entity_choices(exp: Explanation, top_k: int, all_label: str = "all entities") -> list[tuple[str, int]]:
    """Every entity aligned in the clip, in the clip's one ranking (share of patches): the legend entities
    first with their legend numbers, then the rest (grey in the pictures). Any entity shown anywhere (a
    legend, a timeline row, a hover) is in this list, so it can be picked."""
    colors = V.clip_colors(exp, top_k)
    out = [(all_label, ALL)]
    for i, e in enumerate(colors.ranking):
        tag = f"{i + 1} · {e.name}" if i < colors.legend_size else f"{e.name} (grey)"
        out.append((f"{tag}: {e.patch_share:.1%} of patches", e.index))
    return out


def alignment_choices(exp: Explanation, k: int) -> list[tuple[str, int]]:
    """The Alignment tab's entity list (`entity_choices`)."""
    return entity_choices(exp, k)


def attention_choices(exp: Explanation, k: int) -> list[tuple[str, int]]:
    """The Attention tab's list: the mean of all queries, then every entity (each owns queries)."""
    return entity_choices(exp, k, "mean of all queries")


def _entity(value: Any) -> int | None:
    """Dropdown value -> entity index, or None for 'all'."""
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    return None if v < 0 else v


# ---- per-tab views --------------------------------------------------------------------------------
def region_view(exp: Explanation, t: int, layer: Any = None) -> tuple[np.ndarray, str]:
    """Merged-token region map of frame t after encoder layer `layer` (1-based; None/last: final)."""
    n = V.num_layers(exp)
    idx = None
    if layer is not None and n and 1 <= int(layer) < n:
        idx = int(layer) - 1
    k = V.display_factor(exp.frames.shape[1])
    return V.region_map(exp, t, layer=idx, scale=k), V.region_caption(exp, t, idx)


def alignment_view(exp: Explanation, t: int, entity: Any, top_k: int, alpha: float = 0.6) -> tuple[np.ndarray, str]:
    """Frame t's alignment picture (numbered markers, legend beside) and the JSON of its label boxes.

    Returns:
        (uint8 [H, W, 3] at >= 448 px per side, JSON text {"frame", "entity", "width", "height", "labels"}).
    """
    pic = V.alignment_picture(exp, t, V.clip_colors(exp, top_k), entity=_entity(entity), alpha=float(alpha))
    info = {"frame": int(t), "entity": _entity(entity), **pic.to_json()}
    return pic.image, json.dumps(info)


def entity_at(exp: Explanation, t: int, entity: Any, top_k: int, x: Any, y: Any) -> int | None:
    """The entity under a click on the alignment picture at pixel (x, y): a legend row's entity, or the
    entity of the region under the pointer. None when the click hit neither."""
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        return None
    pic = V.alignment_picture(exp, t, V.clip_colors(exp, top_k), entity=_entity(entity))
    for box in pic.labels:
        x0, y0, x1, y1 = box.box
        if box.entity >= 0 and x0 <= x < x1 and y0 <= y < y1:
            return box.entity
    k = V.display_factor(exp.frames.shape[1])
    side, step = exp.frames.shape[1] * k, exp.patch_size * k
    if 0 <= x < exp.frames.shape[2] * k and 0 <= y < side:
        return int(exp.patch_entity_ids()[t, int(y // step), int(x // step)])
    return None


def entity_highlights(exp: Explanation, entity: Any, alpha: float = 0.6, top_k: int = V.LEGEND_SIZE
                      ) -> list[tuple[np.ndarray, str]]:
    """Every frame in the clip's colours (or one entity lit, the rest dimmed), no text in the images:
    the caption under each thumbnail names the frame (0-based) and time.

    Returns:
        [(uint8 [S, S, 3], caption)] for gr.Gallery, one per frame.
    """
    e = _entity(entity)
    colors = V.clip_colors(exp, top_k)
    times = [f"frame {t} · {exp.timestamps[t]:.2f} s" for t in range(exp.num_frames)]
    if e is None:
        imgs = V.alignment_overlays(exp, alpha=alpha, colors=colors)  # [T, S, S, 3]
        return [(imgs[t], times[t]) for t in range(exp.num_frames)]
    out = V.entity_highlight_overlays(exp, e, alpha=alpha, colors=colors)  # [T, S, S, 3]
    counts = (exp.region_entity_ids() == e).sum(axis=1)  # [T]
    return [(out[t], f"{times[t]} · {int(counts[t])} regions") for t in range(exp.num_frames)]


ATTENTION_VIEWS = {"density (per patch)": "density", "per region": "region"}  # radio label -> view


def attention_view(exp: Explanation, t: int, entity: Any, alpha: float, view: Any = "density"
                   ) -> tuple[np.ndarray, str]:
    """Attention heatmap of frame t (mean or one entity's queries) on the clip-wide scale, with its caption
    (what the view shows, the averaging, the precision, and whether it affects the prediction)."""
    e = _entity(entity)
    v = ATTENTION_VIEWS.get(view, view if view in V.VIEWS else "density")
    vmax = V.clip_scale(V.attention_maps(exp, e, v))
    k = V.display_factor(exp.frames.shape[1])
    img = V.attention_overlay(exp, t, entity=e, alpha=float(alpha), vmax=vmax, view=v, scale=k)
    unit = "per patch" if v == "density" else "per region"
    img = np.concatenate([img, V.colorbar_strip(img.shape[0], vmax, unit=unit)], axis=1)  # drawn at display size
    caption = V.attention_caption(exp, e, vmax, v)
    head, _, rest = caption.partition(": ")
    return img, f"**{head}:** {rest}"


def top_labels(exp: Explanation) -> tuple[dict[str, float], dict[str, float], dict[str, float] | None]:
    """{class: probability} for ALT, the CLIP frame-mean baseline and plain CLIP (None when not run)."""
    alt = {n: float(p) for n, p in zip(exp.class_names, exp.probs)}
    base = {n: float(p) for n, p in zip(exp.class_names, exp.baseline_probs)}
    plain = (None if exp.plain_clip_probs is None
             else {n: float(p) for n, p in zip(exp.class_names, exp.plain_clip_probs)})
    return alt, base, plain


def summary_markdown(exp: Explanation, clip_name: str = "") -> str:
    """One paragraph: which clip, top classes of ALT, the frame-mean baseline (and plain CLIP), frames, r,
    regions, timings."""
    from alt.explanation import BASELINE_NAME, PLAIN_CLIP_NAME

    (alt_name, alt_p), (base_name, base_p) = exp.top_classes(1)[0], exp.top_classes(1, baseline=True)[0]
    t = exp.timings or {}
    timing = " · ".join(f"{k} {v:.2f}s" for k, v in t.items())
    note = "" if exp.adapter_trained else " (untrained adapter: ALT equals this baseline by design)"
    plain = ""
    if exp.plain_clip_probs is not None:
        i = int(np.argmax(exp.plain_clip_probs))
        plain = f" · **{PLAIN_CLIP_NAME}:** {exp.class_names[i]} ({float(exp.plain_clip_probs[i]):.1%})"
    clip = f"**Clip:** `{clip_name}` · " if clip_name else ""
    return (f"{clip}**ALT:** {alt_name} ({alt_p:.1%}) · **{BASELINE_NAME}:** {base_name} ({base_p:.1%}){note}"
            f"{plain}  \n{exp.num_frames} frames (numbered 0-{exp.num_frames - 1}) · r={exp.r} · "
            f"{exp.num_regions} regions per frame · {len(exp.entity_names)} entities · timings: {timing}"
            f"{_known_extras(exp)}")


def _known_extras(exp: Explanation) -> str:
    """A note naming the call's extra entities that the corpus already had (they add nothing)."""
    known = getattr(exp, "extras_in_corpus", None) or []
    return f"  \nalready in the corpus, not added again: {', '.join(known)}" if known else ""


def gallery_columns(num_frames: int) -> int:
    """Gallery columns so that every frame shows without an inner scroll box: 4 up to 8 frames, 6 up to 18,
    8 beyond (32 frames: 4 rows of 8)."""
    return 4 if num_frames <= 8 else 6 if num_frames <= 18 else 8
