"""Region x entity alignment scores for one frame, from the aligner's own top-k cosines.

`exp.region_topk_ids` / `exp.region_topk_scores` hold, for every region, the k entities the aligner
found most similar (the first is the one it picked). The heatmap shows those cosines: rows are the
frame's regions (largest first), columns the entities that appear in any region's top-k (most
frequent first); a blank cell means that entity was not in that region's top-k.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from visualizers.plots import _AXIS, _LAYOUT

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation


def alignment_matrix(exp: Explanation, t: int, max_entities: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k cosines of frame t as a dense matrix.

    Returns:
        region order (largest first) [R], entity ids of the columns [U], cosines with NaN where an
        entity is not in a region's top-k [R, U].
    Raises:
        ValueError: the explanation has no top-k data (made by an older version).
    """
    if exp.region_topk_ids is None or exp.region_topk_scores is None:
        raise ValueError("this explanation has no per-region top-k entities; re-run explain()")
    ids, scores = exp.region_topk_ids[t], exp.region_topk_scores[t]  # [R, k]
    regions = np.argsort(-exp.region_sizes[t], kind="stable")  # [R]
    uniq, counts = np.unique(ids, return_counts=True)
    cols = uniq[np.argsort(-counts, kind="stable")][:max_entities]  # [U]
    matrix = np.full((len(regions), len(cols)), np.nan, np.float32)
    col_of = {int(e): j for j, e in enumerate(cols)}
    for i, reg in enumerate(regions):
        for e, s in zip(ids[reg], scores[reg]):
            if int(e) in col_of:
                matrix[i, col_of[int(e)]] = s
    return regions, cols, matrix


def alignment_matrix_figure(exp: Explanation, t: int, max_entities: int = 20) -> go.Figure:
    """Heatmap of frame t's region x entity cosines, with hover text (region, size, entity, kind, rank)."""
    regions, cols, matrix = alignment_matrix(exp, t, max_entities)
    names = [exp.entity_names[int(e)] for e in cols]
    picked = exp.region_entity_ids()[t]
    hover = []
    for i, reg in enumerate(regions):
        row = []
        for j, e in enumerate(cols):
            v = matrix[i, j]
            mark = " (picked)" if picked[reg] == e else ""
            row.append(f"region {reg} ({exp.region_sizes[t, reg]} patches)<br>{names[j]} "
                       f"({exp.entity_kinds[int(e)]}){mark}<br>" + ("cosine %.3f" % v if np.isfinite(v) else "not in top-k"))
        hover.append(row)
    fig = go.Figure(go.Heatmap(
        z=matrix, x=names, y=[f"region {r}" for r in regions], text=hover, hoverinfo="text",
        colorscale="Viridis", colorbar=dict(title="cosine"), hoverongaps=False))
    fig.update_layout(
        title=f"Frame {t} ({float(exp.timestamps[t]):.2f} s): each region's top-{exp.region_topk_ids.shape[-1]} entities",
        xaxis=dict(title="entity", tickangle=-45, **_AXIS), yaxis=dict(title="region (largest first)", autorange="reversed", **_AXIS),
        height=max(360, 14 * len(regions) + 120), **_LAYOUT)
    return fig
