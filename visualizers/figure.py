"""A matplotlib figure grid for papers and teaching: frames x {input, regions, alignment, attention}.

Built with `matplotlib.figure.Figure` + `FigureCanvasAgg` (never pyplot, which keeps global state and
leaks in servers). Labels, legend and colorbar are matplotlib text, so the PDF stays crisp. The
attention column uses one scale for the whole clip, stated in the colorbar label.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from visualizers.alignment import alignment_overlays, clip_entities, entity_label, frame_entities
from visualizers.attention import DEFAULT_CMAP, attention_overlays
from visualizers.colors import entity_hex
from visualizers.regions import region_ids_at, region_maps

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("input", "regions", "alignment", "attention")


def explanation_figure(
    exp: Explanation,
    frames: Sequence[int] | None = None,
    columns: Sequence[str] = COLUMNS,
    layer: int | None = None,
    entity: int | str | None = None,
    alpha: float = 0.6,
    cmap: str = DEFAULT_CMAP,
    cell_inches: float = 1.9,
    max_labels: int = 3,
    legend_entities: int = 12,
) -> Figure:
    """The grid figure: one row per frame, one column per panel.

    Args:
        frames: frame indices to show (default all).
        columns: any of 'input', 'regions', 'alignment', 'attention', in the order given.
        layer: encoder layer for the regions column (None: final regions).
        entity: attention of one entity's queries instead of the mean (index or name).
        max_labels: entity labels written on each alignment panel.
        legend_entities: entities in the shared legend (those covering most patches).
    Returns:
        A Figure with an Agg canvas attached (`fig.savefig` works for PNG, PDF, SVG).
    """
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}; choose from {COLUMNS}")
    rows = list(range(exp.num_frames)) if frames is None else [int(f) for f in frames]
    panels: dict[str, np.ndarray] = {"input": exp.frames}
    if "regions" in columns:
        panels["regions"] = region_maps(exp, layer=layer)  # [T, S, S, 3]
    if "alignment" in columns:
        panels["alignment"] = alignment_overlays(exp, alpha=alpha, labels=False)  # [T, S, S, 3]
    vmax = 1.0
    if "attention" in columns:
        panels["attention"], vmax = attention_overlays(exp, entity=entity, alpha=alpha, cmap=cmap)

    n_rows, n_cols = len(rows), len(columns)
    fig = Figure(figsize=(cell_inches * n_cols + 2.6, cell_inches * n_rows + 0.9), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, squeeze=False, gridspec_kw=dict(wspace=0.03, hspace=0.12))
    fig.subplots_adjust(left=0.06, right=0.76, top=1 - 0.75 / fig.get_figheight(), bottom=0.02)
    counts = [int(np.unique(f).size) for f in region_ids_at(exp, layer)]
    where = "final" if layer is None else f"layer {layer}"
    titles = {
        "input": "input frame",
        "regions": f"merged-token\nregions ({where})",
        "alignment": "entity ↔ region\nalignment (cosine)",
        "attention": "adapter attention\n" + ("(mean of queries)" if entity is None else f"of '{entity}'"),
    }
    for i, t in enumerate(rows):
        for j, col in enumerate(columns):
            ax = axes[i, j]
            ax.imshow(panels[col][t], interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(titles[col], fontsize=9)
            if col == "regions":
                ax.text(3, 3, f"{counts[t]} regions", fontsize=6, color="white", va="top",
                        bbox=dict(facecolor="black", alpha=0.6, pad=1, linewidth=0))
            if col == "alignment":
                _label_entities(ax, exp, t, max_labels)
        axes[i, 0].set_ylabel(f"frame {t}\n{float(exp.timestamps[t]):.2f} s", fontsize=8)

    if "alignment" in columns:
        top = clip_entities(exp, legend_entities)
        handles = [Patch(color=entity_hex(n), label=f"{n} ({s:.0%})") for _, n, s in top]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.775, 0.98), fontsize=7, frameon=False,
                   title="entity (share of patches)", title_fontsize=8)
    if "attention" in columns:
        cax = fig.add_axes((0.80, 0.05, 0.015, 0.3))
        bar = fig.colorbar(ScalarMappable(norm=Normalize(0.0, vmax), cmap=cmap), cax=cax)
        bar.set_label("attention per patch\none scale for the whole clip", fontsize=7)
        bar.ax.tick_params(labelsize=6)
    title = f"{exp.model_name or 'ALT'} · top: " + ", ".join(f"{n} {p:.0%}" for n, p in exp.top_classes(3))
    fig.suptitle(title, fontsize=10, y=1 - 0.12 / fig.get_figheight(), va="top")
    return fig


def _label_entities(ax, exp: Explanation, t: int, max_labels: int) -> None:
    """Write the largest entities' 'name score' on an alignment panel (vector text)."""
    side = exp.frames.shape[2]
    for f in frame_entities(exp, t)[:max_labels]:
        x, y = f.anchor_xy
        ha = "left" if x < 0.3 * side else "right" if x > 0.7 * side else "center"  # keep text inside
        ax.text(x, y, entity_label(f.name, f.mean_score), fontsize=5.5, ha=ha, va="center", color="white",
                clip_on=True, bbox=dict(facecolor="black", alpha=0.55, pad=0.8, linewidth=0))


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save a Figure (format from the suffix: .png, .pdf, .svg) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    logger.info("wrote %s", path)
    return path
