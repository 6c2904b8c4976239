"""Evidence views (torch-free): the exact logit split per entity and per frame, region contributions on the
frames, counterfactual probabilities, and deletion/insertion curves.

Matplotlib `Figure` + `FigureCanvasAgg` (never pyplot). Every figure has a caption function that says
exactly what is drawn; the split itself is computed by alt/evidence (views.py) from the Explanation.
Colours: blue pushes the class up, red pushes it down, grey is the CLIP frame-mean part.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from alt.evidence.views import (
    class_index,
    entity_contributions,
    frame_contributions,
    region_contributions,
    require_contributions,
)
from visualizers.draw import boundary_mask, upscale_patches

if TYPE_CHECKING:  # annotations only
    from matplotlib.figure import Figure

    from alt.evidence.curves_data import EvidenceCurves
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

FOR_COLOR, AGAINST_COLOR, BASE_COLOR = "#2166ac", "#b2182b", "#9e9e9e"
ORDER_COLORS = {"contribution": "#2166ac", "attention": "#e08214", "random": "#7f7f7f"}


def _figure(width: float, height: float) -> Figure:
    """An empty matplotlib Figure on the Agg canvas. matplotlib is imported here, at the first figure, so the
    app's page does not wait for it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _fmt(v: float) -> str:
    return f"{v:+.3f}"


def _entity_bars(ax, exp: Explanation, a: int, k: int) -> None:
    """Diverging bars: the k entities pushing most for and the k most against class a."""
    ids, values = entity_contributions(exp, a)
    pos = [i for i in range(ids.size) if values[i] > 0][:k]
    neg = [i for i in range(ids.size - 1, -1, -1) if values[i] < 0][:k]
    rows = pos + neg[::-1]  # largest at the top after the axis is inverted
    if not rows:
        ax.text(0.5, 0.5, "every query term is zero:\nthe adapter is untrained (out_proj = 0),\n"
                "so ALT's logit is the CLIP frame-mean part;\nsee the per-frame split",
                ha="center", va="center", fontsize=8, transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        vals = values[rows]
        ax.barh(range(len(rows)), vals, color=[FOR_COLOR if v > 0 else AGAINST_COLOR for v in vals])
        ax.set_yticks(range(len(rows)), [exp.entity_names[int(ids[i])] for i in rows], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        span = float(np.max(np.abs(vals))) or 1.0
        ax.set_xlim(-1.35 * span, 1.35 * span)
        for y, v in enumerate(vals):
            ax.text(v, y, " " + _fmt(v) + " ", va="center", ha="left" if v > 0 else "right", fontsize=6)
    ax.set_title(f"entities: sum of their query terms\n(top {k} for, top {k} against)", fontsize=8)
    ax.tick_params(axis="x", labelsize=6)


def _frame_bars(ax, exp: Explanation, a: int) -> None:
    """Per frame: the frame-mean part (grey) and the frame's query terms (blue/red), stacked from zero."""
    parts = frame_contributions(exp, a)
    t = np.arange(exp.num_frames)
    fm, q = parts["frame_mean"], parts["queries"]
    ax.bar(t, fm, color=BASE_COLOR, width=0.7, label="CLIP frame-mean part")
    ax.bar(t, q, bottom=np.where(q > 0, np.maximum(fm, 0), np.minimum(fm, 0)), width=0.7,
           color=[FOR_COLOR if v > 0 else AGAINST_COLOR for v in q], label="query terms of the frame")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(t, [str(i) for i in t], fontsize=6)
    ax.set_xlabel("frame", fontsize=7)
    ax.set_title("ALT logit per frame", fontsize=8)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.25 * (hi - lo))  # headroom: the legend sits above the tallest bar
    ax.legend(fontsize=6, loc="upper center", ncol=2, frameon=False)
    ax.tick_params(axis="y", labelsize=6)


def _baseline_bars(ax, exp: Explanation, a: int) -> None:
    parts = frame_contributions(exp, a)
    t = np.arange(exp.num_frames)
    ax.bar(t, parts["baseline"], color=BASE_COLOR, width=0.7)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(t, [str(i) for i in t], fontsize=6)
    ax.set_xlabel("frame", fontsize=7)
    ax.set_title("CLIP frame-mean baseline logit per frame", fontsize=8)
    ax.tick_params(axis="y", labelsize=6)


def contributions_caption(exp: Explanation, cls: int | str | None = None) -> str:
    """What `contributions_figure` shows, with the numbers of the split."""
    require_contributions(exp)
    a = class_index(exp, cls)
    p = frame_contributions(exp, a)
    zero = "" if np.any(exp.query_contrib) else (
        " The adapter is untrained, so every query term is exactly zero and ALT's logit is the frame-mean part.")
    return (f"Class '{exp.class_names[a]}': ALT logit {exp.logits[a]:.3f} = CLIP frame-mean part "
            f"{p['frame_mean'].sum():.3f} + adapter query terms {p['queries'].sum():.3f} (exact split, "
            f"1/||Z|| common to all parts). Left: each entity's query terms summed over frames (blue raises "
            f"the logit, red lowers it). Middle: per frame, the frame-mean part (grey) and that frame's "
            f"query terms. Right: the CLIP frame-mean baseline's logit {p['baseline'].sum():.3f} split per "
            f"frame. These are contributions to a logit, not causes: removing an entity also changes the others' terms "
            f"(use the counterfactual).{zero}")


def contributions_figure(exp: Explanation, cls: int | str | None = None, k: int = 8) -> Figure:
    """The logit split of one class (default ALT's prediction): entities, frames, baseline frames."""
    require_contributions(exp)
    a = class_index(exp, cls)
    fig = _figure(11, max(3.2, 0.22 * 2 * k + 1.2))
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.25, 1, 0.8], "wspace": 0.35})
    _entity_bars(axes[0], exp, a, k)
    _frame_bars(axes[1], exp, a)
    _baseline_bars(axes[2], exp, a)
    p = frame_contributions(exp, a)
    fig.suptitle(f"Evidence for '{exp.class_names[a]}' ({exp.model_name or 'ALT'}): logit {exp.logits[a]:.3f} = "
                 f"frame-mean {p['frame_mean'].sum():.3f} + adapter {p['queries'].sum():+.3f}", fontsize=9)
    fig.subplots_adjust(left=0.13, right=0.98, top=0.8, bottom=0.14)
    return fig


def region_contribution_map(exp: Explanation, t: int, cls: int | str | None = None,
                            dropped: Sequence[tuple[int, int]] = (), alpha: float = 0.6) -> np.ndarray:
    """Frame t with each region tinted by `region_contributions` (blue for, red against, one scale for the
    whole clip), region outlines, and dropped regions blacked out. uint8 [S, S, 3]"""
    a = class_index(exp, cls)
    values = region_contributions(exp, a)  # [T, R]
    vmax = float(np.max(np.abs(values))) or 1.0
    ps = exp.patch_size
    ids = upscale_patches(exp.region_ids[t], ps)  # [S, S]
    v = np.clip(values[t][ids] / vmax, -1, 1)[..., None]  # [S, S, 1]
    color = np.where(v > 0, np.array([33, 102, 172]), np.array([178, 24, 43])).astype(np.float32)
    out = exp.frames[t].astype(np.float32) * (1 - alpha * np.abs(v)) + color * alpha * np.abs(v)
    out = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    gone = np.zeros(exp.num_regions, bool)
    for ti, ri in dropped:
        if int(ti) == t:
            gone[int(ri)] = True
    out[gone[ids]] = (out[gone[ids]] * 0.15).astype(np.uint8)
    out[boundary_mask(ids)] = (255, 255, 255)
    return out


def region_at(exp: Explanation, t: int, x: float, y: float, shown_side: int | None = None) -> int:
    """The region under pixel (x, y) of frame t as shown at `shown_side` px (default: the model's side)."""
    side = exp.frames.shape[1]
    scale = side / float(shown_side or side)
    hp, wp = exp.grid
    col = int(np.clip(x * scale // exp.patch_size, 0, wp - 1))
    row = int(np.clip(y * scale // exp.patch_size, 0, hp - 1))
    return int(exp.region_ids[t, row, col])


def counterfactual_rows(exp: Explanation, new_probs: np.ndarray, k: int = 5) -> list[tuple[str, float, float]]:
    """(class, probability before, after) for the classes in the top k before or after, by probability before."""
    new_probs = np.asarray(new_probs, np.float64)
    top = set(np.argsort(-exp.probs)[:k].tolist()) | set(np.argsort(-new_probs)[:k].tolist())
    order = sorted(top, key=lambda i: (-float(exp.probs[i]), i))
    return [(exp.class_names[i], float(exp.probs[i]), float(new_probs[i])) for i in order]


def counterfactual_figure(exp: Explanation, new_probs: np.ndarray, what: str, k: int = 5) -> Figure:
    """Class probabilities before and after a counterfactual (`what` names what was removed)."""
    rows = counterfactual_rows(exp, new_probs, k)[::-1]
    fig = _figure(6, 0.45 * len(rows) + 1.2)
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.barh(y + 0.2, [b for _, b, _ in rows], height=0.38, color=BASE_COLOR, label="before")
    ax.barh(y - 0.2, [a for _, _, a in rows], height=0.38, color=FOR_COLOR, label=f"without {what}")
    for yi, (_, before, after) in zip(y, rows):
        ax.text(min(before, 0.8) + 0.01, yi + 0.2, f"{before:.1%}", va="center", fontsize=6)
        ax.text(min(after, 0.8) + 0.01, yi - 0.2, f"{after:.1%}", va="center", fontsize=6)
    ax.set_yticks(y, [n for n, _, _ in rows], fontsize=8)
    ax.set_xlabel("probability", fontsize=8)
    ax.set_xlim(0, 1)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.tick_params(labelsize=7)
    fig.suptitle(f"Counterfactual: without {what} (adapter and head re-run, encoder output reused)", fontsize=9)
    fig.subplots_adjust(left=0.25, right=0.97, top=0.86, bottom=0.5 / fig.get_figheight() + 0.08)
    return fig


def region_contribution_figure(exp: Explanation, cls: int | str | None = None,
                               frames: Sequence[int] | None = None) -> Figure:
    """Frames with their regions tinted by `region_contributions` (one scale for the clip)."""
    a = class_index(exp, cls)
    rows = list(range(exp.num_frames)) if frames is None else [int(t) for t in frames]
    vmax = float(np.max(np.abs(region_contributions(exp, a)))) or 1.0
    fig = _figure(1.8 * len(rows) + 0.6, 2.5)
    axes = fig.subplots(1, len(rows), squeeze=False)[0]
    for ax, t in zip(axes, rows):
        ax.imshow(region_contribution_map(exp, t, a), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"frame {t}", fontsize=7)
    fig.suptitle(f"Region contributions to '{exp.class_names[a]}' (query terms spread by attention; blue for, "
                 f"red against; full tint = {vmax:.3g})", fontsize=8)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.02, wspace=0.04)
    return fig


def deletion_summary_figure(curves: Sequence[EvidenceCurves], kind: str = "deletion") -> Figure:
    """Mean curve of each order over many explanations (e.g. held-out clips), with the mean AUC."""
    fig = _figure(5, 3.4)
    ax = fig.subplots()
    x = curves[0].fractions
    for order in getattr(curves[0], kind):
        ys = np.stack([c.curve(kind, order) for c in curves])  # [N, steps + 1]
        aucs = [c.auc(kind, order) for c in curves]
        ax.plot(x, ys.mean(0), color=ORDER_COLORS.get(order, "black"), linewidth=1.6,
                label=f"{order} (mean AUC {np.mean(aucs):.3f})")
        ax.fill_between(x, np.percentile(ys, 25, 0), np.percentile(ys, 75, 0), alpha=0.15,
                        color=ORDER_COLORS.get(order, "black"), linewidth=0)
    ax.set_xlabel(f"fraction of regions {'removed' if kind == 'deletion' else 'restored'}", fontsize=8)
    ax.set_ylabel("P(class) (the class each clip's explanation predicted)", fontsize=7)
    ax.set_xlim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False)
    ax.tick_params(labelsize=7)
    ax.set_title(f"{kind.capitalize()}, {curves[0].mode} mode, mean of {len(curves)} clips (band: 25-75%)", fontsize=8)
    fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.14)
    return fig


def curves_caption(curves: EvidenceCurves) -> str:
    """What `curves_figure` shows."""
    how = ("regions masked out of the adapter's keys and values, encoder output reused" if curves.mode == "fast"
           else f"regions blurred (Gaussian, sigma {curves.blur_sigma:g} px) in the frames and the clip re-encoded")
    return (f"P('{curves.class_name}') as the clip's regions are removed (deletion, left) or restored to an emptied "
            f"clip (insertion, right), {int(curves.regions_per_step[-1])} regions in {len(curves.fractions) - 1} "
            f"steps; {how}. Orders: by region contribution (query terms spread by attention), by mean attention, "
            f"at random (seed {curves.seed}). AUC in the legend: lower is better for deletion, higher for "
            f"insertion. One clip, one class: evidence about this explanation, not a benchmark.")


def curves_figure(curves: EvidenceCurves) -> Figure:
    """Deletion and insertion curves with their AUCs."""
    fig = _figure(9, 3.4)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, kind in zip(axes, ("deletion", "insertion")):
        for order, probs in getattr(curves, kind).items():
            ax.plot(curves.fractions, probs, marker="o", markersize=2.5, linewidth=1.4,
                    color=ORDER_COLORS.get(order, "black"), label=f"{order} (AUC {curves.auc(kind, order):.3f})")
        ax.set_xlabel(f"fraction of regions {'removed' if kind == 'deletion' else 'restored'}", fontsize=8)
        ax.set_title(kind, fontsize=9)
        ax.set_xlim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel(f"P('{curves.class_name}')", fontsize=8)
    fig.suptitle(f"Deletion and insertion, {curves.mode} mode", fontsize=9)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.84, bottom=0.16, wspace=0.08)
    return fig


def export_evidence(exp: Explanation, out_dir: Path, formats: Sequence[str], stem: str,
                    curves: Sequence[EvidenceCurves] = (), dpi: int = 150) -> dict[str, Path]:
    """Write the evidence figures (png/pdf) and curve data (json) that `formats` asks for.

    Returns:
        {"evidence_png": path, "curves_fast_json": path, ...} for the files written.
    """
    from visualizers.figure import save_figure

    written: dict[str, Path] = {}
    figs = {}
    if exp.has_evidence:
        figs["evidence"] = contributions_figure(exp)
    for c in curves:
        figs[f"curves-{c.mode}"] = curves_figure(c)
        if "json" in formats:
            path = Path(out_dir) / f"{stem}-curves-{c.mode}.json"
            path.write_text(c.to_json(indent=1), encoding="utf-8")
            written[f"curves_{c.mode}_json"] = path
    for name, fig in figs.items():
        for fmt in ("png", "pdf"):
            if fmt in formats:
                key = f"{name.replace('-', '_')}_{fmt}"
                written[key] = save_figure(fig, Path(out_dir) / f"{stem}-{name}.{fmt}", dpi=dpi)
    return written
