"""Views of one Explanation for the app, composed from `visualizers` (no model calls, no new maths).

Everything here re-renders from an Explanation kept in session state, so moving the frame slider,
picking an entity or changing the opacity never re-runs the model.
"""

from __future__ import annotations

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
def alignment_choices(exp: Explanation, k: int) -> list[tuple[str, int]]:
    """Entities aligned anywhere in the clip (most patches first, at most k), for the alignment tab."""
    ents = V.clip_entities(exp, k)
    return [("all entities", ALL)] + [(f"{name} ({share:.0%} of patches)", idx) for idx, name, share in ents]


def attention_choices(exp: Explanation, k: int) -> list[tuple[str, int]]:
    """Entities that own adapter queries (most patches first, at most k), for the attention tab."""
    with_queries = set(np.asarray(exp.query_entities).tolist())
    ents = [(i, n) for i, n, _ in V.clip_entities(exp, max(k, 1) * 4) if i in with_queries][:k]
    return [("mean of all queries", ALL)] + [(f"'{name}' queries", idx) for idx, name in ents]


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
    side = exp.frames.shape[1]
    return V.enlarge(V.region_map(exp, t, layer=idx), side), V.region_caption(exp, t, idx)


def annotated_view(exp: Explanation, t: int, entity: Any, k: int) -> tuple[tuple, dict[str, str]]:
    """(gr.AnnotatedImage value, colour map) for frame t: every entity's mask, or just the chosen one."""
    frame, pairs = V.alignment_annotations(exp, t, max_entities=None)
    e = _entity(entity)
    if e is None:
        pairs = pairs[:k]
    else:
        name = exp.entity_names[e]
        pairs = [p for p in pairs if p[1] == name] or [(np.zeros(frame.shape[:2], np.float32), f"{name} (not in this frame)")]
    colors = V.alignment_color_map(exp, t)
    colors.update({label: V.entity_hex(label.split(" (")[0]) for _, label in pairs if label not in colors})
    side = frame.shape[0]
    return (V.enlarge(frame, side), [(V.enlarge(m, side), label) for m, label in pairs]), colors


def entity_highlights(exp: Explanation, entity: Any, alpha: float = 0.6) -> list[tuple[np.ndarray, str]]:
    """Every frame with one entity's regions highlighted (others dimmed); all entities when None.

    Returns:
        [(uint8 [S, S, 3], caption)] for gr.Gallery, one per frame.
    """
    e = _entity(entity)
    if e is None:
        imgs = V.alignment_overlays(exp, alpha=alpha)  # [T, S, S, 3]
        return [(imgs[t], f"frame {t} · {exp.timestamps[t]:.2f} s") for t in range(exp.num_frames)]
    out = V.entity_highlight_overlays(exp, e, alpha=alpha)  # [T, S, S, 3]
    counts = [int(np.sum(exp.region_entity_ids()[t] == e)) for t in range(exp.num_frames)]
    return [(out[t], f"frame {t} · {exp.timestamps[t]:.2f} s · {counts[t]} regions") for t in range(exp.num_frames)]


def attention_view(exp: Explanation, t: int, entity: Any, alpha: float) -> tuple[np.ndarray, str]:
    """Attention heatmap of frame t (mean or one entity's queries) on the clip-wide scale, with title."""
    e = _entity(entity)
    vmax = V.clip_scale(V.attention_maps(exp, e))
    img = V.enlarge(V.attention_overlay(exp, t, entity=e, alpha=float(alpha), vmax=vmax), exp.frames.shape[1])
    img = np.concatenate([img, V.colorbar_strip(img.shape[0], vmax)], axis=1)  # bar drawn at display size
    return img, V.attention_title(exp, e, vmax)


def top_labels(exp: Explanation) -> tuple[dict[str, float], dict[str, float]]:
    """{class: probability} for ALT and for the CLIP baseline (values for gr.Label)."""
    alt = {n: float(p) for n, p in zip(exp.class_names, exp.probs)}
    base = {n: float(p) for n, p in zip(exp.class_names, exp.baseline_probs)}
    return alt, base


def summary_markdown(exp: Explanation) -> str:
    """One paragraph: top classes of both models, frames, r, regions, timings."""
    (alt_name, alt_p), (base_name, base_p) = exp.top_classes(1)[0], exp.top_classes(1, baseline=True)[0]
    t = exp.timings or {}
    timing = " · ".join(f"{k} {v:.2f}s" for k, v in t.items())
    note = "" if exp.adapter_trained else " (untrained adapter: the two columns are equal by design)"
    return (f"**ALT:** {alt_name} ({alt_p:.1%}) · **CLIP baseline:** {base_name} ({base_p:.1%}){note}  \n"
            f"{exp.num_frames} frames · r={exp.r} · {exp.num_regions} regions per frame · "
            f"{len(exp.entity_names)} entities · timings: {timing}")
