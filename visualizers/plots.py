"""Interactive plotly figures: predictions, attention over time, entity x frame attention, alignment scores.

Entities are the clip's legend (`ClipColors`: the first entities of `Explanation.entity_ranking()`), with the
same numbers and colours as the raster panels; entities beyond the legend are grey. Frames are numbered
from 0.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from visualizers.attention import frame_mass, region_mass
from visualizers.colors import OTHER_HEX, ClipColors, clip_colors

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

ALT_COLOR = "#e15759"
CLIP_COLOR = "#4e79a7"
PLAIN_COLOR = "#59a14f"
# A light look set directly: a named template (e.g. "plotly_white") is deep-copied into every figure,
# which costs more than building the figure itself.
_LAYOUT = dict(
    margin=dict(l=10, r=10, t=50, b=10), font=dict(size=12), plot_bgcolor="white", paper_bgcolor="white"
)
_AXIS = dict(gridcolor="#e5e5e5", zerolinecolor="#cccccc", automargin=True)


def _frame_labels(exp: Explanation) -> list[str]:
    return [f"{i}: {float(s):.2f} s" for i, s in enumerate(exp.timestamps)]


def _legend_name(colors: ClipColors, entity: int, name: str) -> str:
    """'3 hand' for legend entity number 3, else the bare name."""
    n = colors.number(entity)
    return name if n is None else f"{n} {name}"


def probs_figure(exp: Explanation, k: int = 5) -> go.Figure:
    """ALT vs the CLIP frame-mean baseline (and plain CLIP when it was run) class probabilities, side by side,
    each model's own top-k. Hover shows ALT's and the baseline's probability of the class."""
    from alt.explanation import BASELINE_NAME, PLAIN_CLIP_NAME  # numpy-only module, no torch

    k = max(1, min(k, len(exp.class_names)))
    panels = [("ALT", exp.probs, exp.baseline_probs, ALT_COLOR),
              (BASELINE_NAME, exp.baseline_probs, exp.probs, CLIP_COLOR)]
    if exp.plain_clip_probs is not None:
        panels.append((PLAIN_CLIP_NAME, np.asarray(exp.plain_clip_probs), exp.probs, PLAIN_COLOR))
    fig = go.Figure()
    n = len(panels)
    width = (1.0 - 0.2 * (n - 1)) / n
    axes: dict = {}
    for col, (title, probs, other, color) in enumerate(panels, start=1):
        order = np.argsort(-probs, kind="stable")[:k][::-1]  # best at the top of a horizontal bar chart
        suffix = "" if col == 1 else str(col)
        fig.add_trace(go.Bar(
            x=probs[order], y=[exp.class_names[i] for i in order], orientation="h", marker_color=color,
            text=[f"{p:.1%}" for p in probs[order]], textposition="auto", customdata=other[order],
            hovertemplate="%{y}<br>" + title + " %{x:.2%}<br>" + ("ALT" if col > 1 else BASELINE_NAME)
            + " %{customdata:.2%}<extra></extra>",
            showlegend=False, xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
        start = (col - 1) * (width + 0.2)
        axes[f"xaxis{suffix}"] = dict(domain=[start, start + width], title=title, range=[0, 1], tickformat=".0%",
                                      anchor=f"y{suffix}", **_AXIS)
        axes[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}", automargin=True)
    note = "" if exp.adapter_trained else " (adapter untrained: ALT equals the frame-mean baseline)"
    fig.update_layout(title=f"Top-{k} classes{note}", height=140 + 40 * k, **axes, **_LAYOUT)
    return fig


def attention_time_figure(exp: Explanation, entities: int = 5, colors: ClipColors | None = None) -> go.Figure:
    """Attention mass per frame over time: all queries' mean, plus the queries of the top entities.

    Args:
        entities: also plot the first this many entities of the clip's legend, each in its colour.
        colors: the clip's colours and legend (default `clip_colors(exp)`).
    """
    colors = colors or clip_colors(exp)
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
    for e in colors.legend[:entities]:
        idx, name = e.index, e.name
        fig.add_trace(
            go.Scatter(
                x=x, y=frame_mass(exp, idx), mode="lines+markers", name=f"{_legend_name(colors, idx, name)} queries",
                line=dict(color=colors.hex(idx), width=1.5, dash="dot"), customdata=labels,
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
    mass_tr = region_mass(exp)  # [T, R]: exact inverse of spread_to_patches
    ent = exp.region_entity_ids()  # [T, R]
    uniq, inv = np.unique(ent, return_inverse=True)
    flat = (inv.reshape(ent.shape) + np.arange(t)[:, None] * uniq.size).ravel()  # [T*R] unique across frames
    mass = np.bincount(flat, weights=mass_tr.ravel(), minlength=t * uniq.size)  # [T*U]
    return uniq, mass.reshape(t, uniq.size).T.astype(np.float32)  # [U, T]


def entity_frame_figure(exp: Explanation, k: int = 20, by: str = "region",
                        colors: ClipColors | None = None) -> go.Figure:
    """Heatmap entity x frame: which entities the adapter attends to, in which frames.

    Args:
        k: rows shown: the first k entities of the clip's ranking (the legend's order and numbers), top down.
        by: 'region' (attention landing on each entity's regions) or 'query' (where each entity's
            queries look); see `entity_frame_matrix`.
    """
    from alt.explanation import RANKING_DESCRIPTION  # numpy-only module, no torch

    colors = colors or clip_colors(exp)
    uniq, mass = entity_frame_matrix(exp, by)  # [U], [U, T]
    row_of = {int(e): i for i, e in enumerate(uniq)}
    ranked = [e for e in exp.entity_ranking(k) if e.index in row_of][::-1]  # best last = top row
    names = [_legend_name(colors, e.index, e.name) for e in ranked]
    z = mass[[row_of[e.index] for e in ranked]] if ranked else np.zeros((0, exp.num_frames))  # [k, T]
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
        title=title + f" (one colour scale; {RANKING_DESCRIPTION})",
        xaxis_title="frame: time", height=160 + 22 * len(names), **_LAYOUT,
    )
    return fig


def alignment_figure(exp: Explanation, t: int, colors: ClipColors | None = None) -> go.Figure:
    """Frame t's regions and the entity each aligned to: bar height = region->entity cosine.

    Bars are grouped by entity in legend order (one legend entry per legend entity, in its clip colour);
    regions of entities beyond the legend form one grey group. Hover names region, size, entity, kind, cosine.
    """
    colors = colors or clip_colors(exp)
    ent = exp.region_entity_ids()[t]  # [R]
    score = exp.region_scores()[t]  # [R]
    sizes = exp.region_sizes[t]  # [R]
    rank = {e.index: i for i, e in enumerate(colors.ranking)}
    group = np.array([rank[e] if colors.in_legend(e) else len(colors.legend) for e in ent])  # [R]
    order = np.lexsort((-score, group))  # by legend number, best region first
    fig = go.Figure()
    for g in dict.fromkeys(group[order].tolist()):
        regs = order[group[order] == g]
        names = [exp.entity_names[e] for e in ent[regs]]
        first = int(ent[regs[0]])
        label = _legend_name(colors, first, names[0]) if g < len(colors.legend) else "other entities"
        fig.add_trace(go.Bar(
            x=[f"region {r}" for r in regs], y=score[regs], name=label,
            marker_color=colors.hex(first) if g < len(colors.legend) else OTHER_HEX,
            customdata=np.stack([sizes[regs], names, [exp.entity_kinds[e] for e in ent[regs]]], axis=-1),
            hovertemplate=("%{x} (%{customdata[0]} patches)<br>entity: %{customdata[1]} (%{customdata[2]})"
                           "<br>cosine %{y:.3f}<extra></extra>")))
    fig.update_layout(
        title=f"Frame {t} ({float(exp.timestamps[t]):.2f} s): region -> entity cosine",
        xaxis=dict(title="region (grouped by entity, legend order)", showticklabels=False),
        yaxis=dict(title="cosine similarity", **_AXIS), bargap=0.1, height=380,
        legend=dict(font=dict(size=12)), **_LAYOUT,
    )
    return fig
