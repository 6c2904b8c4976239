"""Interactive plotly figures: predictions, attention over time, entity x frame attention, alignment scores.

Entity colours come from `colors.entity_hex` (keyed by name), the same as in the raster panels.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from visualizers.alignment import clip_entities
from visualizers.attention import frame_mass
from visualizers.colors import entity_hex

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

ALT_COLOR = "#e15759"
CLIP_COLOR = "#4e79a7"
# A light look set directly: a named template (e.g. "plotly_white") is deep-copied into every figure,
# which costs more than building the figure itself.
_LAYOUT = dict(
    margin=dict(l=10, r=10, t=50, b=10), font=dict(size=12), plot_bgcolor="white", paper_bgcolor="white"
)
_AXIS = dict(gridcolor="#e5e5e5", zerolinecolor="#cccccc", automargin=True)


def _frame_labels(exp: Explanation) -> list[str]:
    return [f"{i}: {float(s):.2f} s" for i, s in enumerate(exp.timestamps)]


def probs_figure(exp: Explanation, k: int = 5) -> go.Figure:
    """ALT vs plain-CLIP class probabilities, side by side, each model's own top-k.

    Hover shows both models' probability of the class, so a class ranked by one model can be looked
    up in the other.
    """
    k = max(1, min(k, len(exp.class_names)))
    fig = go.Figure()
    panels = [
        ("ALT", exp.probs, exp.baseline_probs, ALT_COLOR),
        ("CLIP frame-mean", exp.baseline_probs, exp.probs, CLIP_COLOR),
    ]
    for col, (title, probs, other, color) in enumerate(panels, start=1):
        order = np.argsort(-probs, kind="stable")[:k][::-1]  # best at the top of a horizontal bar chart
        fig.add_trace(
            go.Bar(
                x=probs[order],
                y=[exp.class_names[i] for i in order],
                orientation="h",
                marker_color=color,
                text=[f"{p:.1%}" for p in probs[order]],
                textposition="auto",
                customdata=other[order],
                hovertemplate="%{y}<br>" + title + " %{x:.2%}<br>the other model %{customdata:.2%}<extra></extra>",
                showlegend=False,
                xaxis=f"x{col if col > 1 else ''}",
                yaxis=f"y{col if col > 1 else ''}",
            )
        )
    # Two panels side by side without make_subplots (which costs more than the figure).
    axis_x = dict(range=[0, 1], tickformat=".0%", **_AXIS)
    note = "" if exp.adapter_trained else " (adapter untrained: ALT equals CLIP)"
    fig.update_layout(
        title=f"Top-{k} classes: ALT vs CLIP{note}",
        xaxis=dict(domain=[0.0, 0.4], title="ALT", **axis_x),
        xaxis2=dict(domain=[0.6, 1.0], title="CLIP frame-mean (baseline)", anchor="y2", **axis_x),
        yaxis=dict(anchor="x", automargin=True),
        yaxis2=dict(anchor="x2", automargin=True),
        height=140 + 40 * k,
        **_LAYOUT,
    )
    return fig


def attention_time_figure(exp: Explanation, entities: int = 5) -> go.Figure:
    """Attention mass per frame over time: all queries' mean, plus the queries of the top entities.

    Args:
        entities: also plot this many entities (those covering most patches), each with its colour.
    """
    x = np.asarray(exp.timestamps, dtype=float)
    labels = _frame_labels(exp)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x, y=frame_mass(exp), mode="lines+markers", name="all queries (mean)",
            line=dict(color="#333333", width=3), customdata=labels,
            hovertemplate="frame %{customdata}<br>mass %{y:.3f}<extra>all queries</extra>",
        )
    )
    for idx, name, _ in clip_entities(exp, entities):
        if not np.any(exp.query_entities == idx):
            continue
        fig.add_trace(
            go.Scatter(
                x=x, y=frame_mass(exp, idx), mode="lines+markers", name=f"'{name}' queries",
                line=dict(color=entity_hex(name), width=1.5, dash="dot"), customdata=labels,
                hovertemplate="frame %{customdata}<br>mass %{y:.3f}<extra>" + name + "</extra>",
            )
        )
    if exp.attention_global > 0:
        logger.debug("attention_global=%.3f is not part of the per-frame mass", exp.attention_global)
    fig.update_layout(
        title=f"Adapter attention mass per frame (sums to {1 - exp.attention_global:.2f} over frames)",
        xaxis=dict(title="time (s)", **_AXIS), yaxis=dict(title="share of attention", rangemode="tozero", **_AXIS),
        height=360, **_LAYOUT,
    )
    return fig


def entity_frame_matrix(exp: Explanation, by: str = "region") -> tuple[np.ndarray, np.ndarray]:
    """Entity x frame attention.

    Args:
        by: 'region': the attention (mean over queries) landing on regions aligned to each entity in each
            frame, taken from `exp.attention`, so it matches the heatmaps and sums to 1 - attention_global;
            'query': where each entity's queries look, from `exp.query_attention` (mean over that
            entity's queries of the mass on each frame); each row sums to 1.
    Returns:
        (entity indices [U], float32 mass [U, T]).
    """
    t = exp.num_frames
    if by == "query":
        uniq = np.unique(exp.query_entities)  # [U]
        per_frame = exp.query_attention.sum(axis=2)  # [Q, T]
        rows = [per_frame[exp.query_entities == e].mean(axis=0) for e in uniq]  # each [T]
        mass = np.stack(rows) if rows else np.zeros((0, t))
        return uniq.astype(np.int64), mass.astype(np.float32)
    if by != "region":
        raise ValueError(f"by must be 'region' or 'query', not {by!r}")
    k = exp.num_regions
    offset = np.arange(t)[:, None, None] * k
    region_mass = np.bincount((exp.region_ids + offset).ravel(), weights=exp.attention.ravel(), minlength=t * k)
    region_mass = region_mass.reshape(t, k)  # [T, R]: exact inverse of spread_to_patches
    ent = exp.region_entity_ids()  # [T, R]
    uniq, inv = np.unique(ent, return_inverse=True)
    flat = (inv.reshape(ent.shape) + np.arange(t)[:, None] * uniq.size).ravel()  # [T*R] unique across frames
    mass = np.bincount(flat, weights=region_mass.ravel(), minlength=t * uniq.size)  # [T*U]
    return uniq, mass.reshape(t, uniq.size).T.astype(np.float32)  # [U, T]


def entity_frame_figure(exp: Explanation, k: int = 20, by: str = "region") -> go.Figure:
    """Heatmap entity x frame: which entities the adapter attends to, in which frames.

    Args:
        k: rows shown: the entities with the most attention over the clip, largest on top.
        by: 'region' (attention landing on each entity's regions) or 'query' (where each entity's
            queries look); see `entity_frame_matrix`.
    """
    uniq, mass = entity_frame_matrix(exp, by)  # [U], [U, T]
    order = np.lexsort((uniq, -mass.sum(axis=1)))[:k][::-1]  # largest last = top row
    names = [exp.entity_names[int(uniq[i])] for i in order]
    z = mass[order]  # [k, T]
    what = "share of attention on its regions" if by == "region" else "share of its queries' attention"
    fig = go.Figure(
        go.Heatmap(
            z=z, x=_frame_labels(exp), y=names, colorscale="Inferno", zmin=0.0,
            colorbar=dict(title="share"),
            hovertemplate="entity %{y}<br>frame %{x}<br>" + what + " %{z:.3f}<extra></extra>",
        )
    )
    title = (
        "Which entities the adapter attends to, per frame" if by == "region"
        else "Where each entity's queries look, per frame"
    )
    fig.update_layout(
        title=title + " (one colour scale for the clip)",
        xaxis_title="frame: time", height=160 + 22 * len(names), **_LAYOUT,
    )
    return fig


def alignment_figure(exp: Explanation, t: int) -> go.Figure:
    """Frame t's regions and the entity each aligned to: bar height = region->entity cosine.

    Bars are grouped by entity (one legend entry and one colour per entity, the overlay's colours);
    hover gives region id, size in patches, entity, kind and cosine.
    """
    ent = exp.region_entity_ids()[t]  # [R]
    score = exp.region_scores()[t]  # [R]
    sizes = exp.region_sizes[t]  # [R]
    order = np.lexsort((-score, ent))  # group by entity, best region first
    fig = go.Figure()
    for e in dict.fromkeys(ent[order].tolist()):  # entities in bar order, once each
        regs = order[ent[order] == e]
        name = exp.entity_names[e]
        fig.add_trace(
            go.Bar(
                x=[f"region {r}" for r in regs], y=score[regs], name=name, marker_color=entity_hex(name),
                customdata=np.stack([sizes[regs], np.full(regs.size, exp.entity_kinds[e])], axis=-1),
                hovertemplate=(
                    "%{x} (%{customdata[0]} patches)<br>entity: " + name
                    + " (%{customdata[1]})<br>cosine %{y:.3f}<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        title=f"Frame {t} ({float(exp.timestamps[t]):.2f} s): region -> entity cosine",
        xaxis=dict(title="region (grouped by entity)", showticklabels=False),
        yaxis=dict(title="cosine similarity", **_AXIS), bargap=0.1, height=380,
        legend=dict(font=dict(size=10)), **_LAYOUT,
    )
    return fig
