"""A matplotlib figure grid for papers and teaching: frames x {input, regions, alignment, attention}.

Built with `matplotlib.figure.Figure` + `FigureCanvasAgg` (never pyplot, which keeps global state and
leaks in servers). Every panel is at least 448 px wide in the PNG (3.2 in pitch at 150 dpi) and holds the frame
enlarged by a whole factor (nearest), so small model inputs stay sharp; all text is matplotlib text of at
least 9 pt (>= 12 px at 100 %), so the PDF stays crisp. Alignment panels carry the numbered markers of the
app (same placement, same clip colours), the legend beside the grid spells them out, and the attention
column uses one scale for the whole clip, stated in the colorbar label. Frames are numbered from 0.
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
from matplotlib.patches import Patch, Rectangle

from visualizers.alignment import alignment_overlays, frame_markers
from visualizers.attention import DEFAULT_CMAP, AttentionView, adapter_effect_text, attention_overlays, averaging_text
from visualizers.colors import OTHER_HEX, ClipColors, clip_colors
from visualizers.draw import DISPLAY_SIDE, display_factor
from visualizers.regions import layer_number, region_ids_at, region_maps

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("input", "regions", "alignment", "attention")
MIN_PT = 9  # smallest font size in points: 12 px at 100 % in a PDF viewer, 18.75 px in the 150-dpi PNG


def _panels(exp: Explanation, columns: Sequence[str], layer: int | None, entity, alpha: float, cmap: str,
            colors: ClipColors, view: AttentionView, k: int) -> tuple[dict[str, np.ndarray], float]:
    """The image stacks of the chosen columns, enlarged k x. {column: uint8 [T, kS, kS, 3]}, attention vmax"""
    def big(stack: np.ndarray) -> np.ndarray:
        return stack if k == 1 else np.repeat(np.repeat(stack, k, axis=1), k, axis=2)

    panels: dict[str, np.ndarray] = {"input": big(exp.frames)}
    if "regions" in columns:
        panels["regions"] = region_maps(exp, layer=layer, scale=k)
    if "alignment" in columns:
        panels["alignment"] = alignment_overlays(exp, alpha=alpha, colors=colors, scale=k)
    vmax = 1.0
    if "attention" in columns:
        heat, vmax = attention_overlays(exp, entity=entity, alpha=alpha, cmap=cmap, view=view)
        panels["attention"] = big(heat)
    return panels, vmax


def explanation_figure(
    exp: Explanation,
    frames: Sequence[int] | None = None,
    columns: Sequence[str] = COLUMNS,
    layer: int | None = None,
    entity: int | str | None = None,
    alpha: float = 0.6,
    cmap: str = DEFAULT_CMAP,
    cell_inches: float = 3.2,
    colors: ClipColors | None = None,
    view: AttentionView = "density",
) -> Figure:
    """The grid figure: one row per frame, one column per panel.

    Args:
        frames: frame indices to show (default all).
        columns: any of 'input', 'regions', 'alignment', 'attention', in the order given.
        layer: index into `exp.layer_region_ids` for the regions column (None: final regions).
        entity: attention of one entity's queries instead of the mean (index or name).
        cell_inches: panel pitch; 3.2 in at the default 150 dpi leaves >= 448 px per panel after the gaps.
        colors: the clip's colours and legend (default `clip_colors(exp)`).
        view: attention view, "density" or "region".
    Returns:
        A Figure with an Agg canvas attached (`fig.savefig` works for PNG, PDF, SVG).
    """
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}; choose from {COLUMNS}")
    colors = colors or clip_colors(exp)
    rows = list(range(exp.num_frames)) if frames is None else [int(f) for f in frames]
    k = display_factor(exp.frames.shape[1], DISPLAY_SIDE)
    panels, vmax = _panels(exp, columns, layer, entity, alpha, cmap, colors, view, k)

    fig, axes, right = _grid(len(rows), len(columns), cell_inches)
    counts = [int(np.unique(f).size) for f in region_ids_at(exp, layer)]
    titles = _column_titles(exp, layer, entity, view)
    for i, t in enumerate(rows):
        for j, col in enumerate(columns):
            _panel(axes[i, j], exp, col, panels[col][t], t, counts[t], colors, k, titles[col] if i == 0 else None)
        axes[i, 0].set_ylabel(f"frame {t}\n{float(exp.timestamps[t]):.2f} s", fontsize=MIN_PT + 1)
    _legends(fig, exp, colors, columns, vmax, cmap, view, right)
    _titles(fig, exp, entity, columns)
    return fig


def _grid(n_rows: int, n_cols: int, cell_inches: float) -> tuple[Figure, np.ndarray, float]:
    """An Agg-backed figure with an [n_rows, n_cols] array of axes at `cell_inches` pitch, room left for
    the titles above and the legends right of the grid. Returns (figure, axes, the grid's right edge as a
    fraction of the figure width)."""
    fig = Figure(figsize=(cell_inches * n_cols + 3.6, cell_inches * n_rows + 2.0), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, squeeze=False, gridspec_kw={"wspace": 0.03, "hspace": 0.06})
    right = cell_inches * n_cols / fig.get_figwidth() + 0.06
    fig.subplots_adjust(left=0.06, right=right, top=1 - 1.1 / fig.get_figheight(), bottom=0.9 / fig.get_figheight())
    return fig, axes, right


def _column_titles(exp: Explanation, layer: int | None, entity, view: AttentionView) -> dict[str, str]:
    """{column: title over its first panel}."""
    return {
        "input": "input frame",
        "regions": f"merged-token regions\n(after encoder layer {layer_number(exp, layer)})",
        "alignment": "entity ↔ region alignment\n(numbers: legend)",
        "attention": f"adapter attention, {view}\n" + ("(mean of all queries)" if entity is None else f"of '{entity}'"),
    }


def _panel(ax, exp: Explanation, col: str, image: np.ndarray, t: int, count: int, colors: ClipColors, k: int,
           title: str | None) -> None:
    """One panel: frame t's image [kS, kS, 3] of column `col`, with its title (first row only), the region
    count (regions column) or the numbered markers (alignment column)."""
    ax.imshow(image, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=MIN_PT + 1)
    if col == "regions":
        ax.text(6, 6, f"{count} regions", fontsize=MIN_PT, color="white", va="top",
                bbox={"facecolor": "black", "alpha": 0.6, "pad": 1.5, "linewidth": 0})
    if col == "alignment":
        _markers(ax, exp, t, colors, k)


def _markers(ax, exp: Explanation, t: int, colors: ClipColors, k: int) -> None:
    """Numbered markers on an alignment panel: the raster renderer's placement (no overlaps), sized for
    MIN_PT text at 150 dpi, drawn as vector boxes exactly where they were placed."""
    px = int(np.ceil(MIN_PT / 72 * 150 * 1.05))  # MIN_PT in PNG pixels, with a little room
    for m in frame_markers(exp, t, colors, k, px=px):
        x0, y0, x1, y1 = m.box
        rgb = np.array(colors.rgb(m.entity), float)
        ink = "black" if rgb @ (0.299, 0.587, 0.114) > 140 else "white"
        ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, facecolor=colors.hex(m.entity),
                               edgecolor="#101010", linewidth=0.8))
        ax.text((x0 + x1) / 2 - 0.5, (y0 + y1) / 2 - 0.5, m.text, fontsize=MIN_PT, ha="center", va="center",
                color=ink, fontweight="bold")


def _legends(fig: Figure, exp: Explanation, colors: ClipColors, columns: Sequence[str], vmax: float, cmap: str,
             view: AttentionView, right: float) -> None:
    """The numbered entity legend (the clip's ranking) and the attention colorbar, right of the grid."""
    if "alignment" in columns:
        handles = [Patch(color=colors.hex(e.index), label=f"{i + 1}  {e.name} ({e.patch_share:.0%})")
                   for i, e in enumerate(colors.legend)]
        rest = len(colors.ranking) - len(colors.legend)
        if rest:
            handles.append(Patch(color=OTHER_HEX, label=f"other: {rest} entities"))
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(right + 0.01, 1 - 1.1 / fig.get_figheight()),
                   fontsize=MIN_PT + 1, frameon=False, title="entity (share of the\nclip's patches)",
                   title_fontsize=MIN_PT + 1)
    if "attention" in columns:
        height = min(0.3, 4.0 / fig.get_figheight())
        cax = fig.add_axes((right + 0.02, 0.9 / fig.get_figheight(), 0.012, height))
        bar = fig.colorbar(ScalarMappable(norm=Normalize(0.0, vmax), cmap=cmap), cax=cax)
        unit = "patch" if view == "density" else "region"
        bar.set_label(f"attention per {unit}\none scale for the whole clip", fontsize=MIN_PT)
        bar.ax.tick_params(labelsize=MIN_PT)


def _titles(fig: Figure, exp: Explanation, entity, columns: Sequence[str]) -> None:
    """Title: both predictions, the baseline named for what it is; footnote: what the attention is."""
    from alt.explanation import BASELINE_NAME  # numpy-only module, no torch

    alt = ", ".join(f"{n} {p:.0%}" for n, p in exp.top_classes(3))
    base = ", ".join(f"{n} {p:.0%}" for n, p in exp.top_classes(2, baseline=True))
    title = f"{exp.model_name or 'ALT'}, r={exp.r} · ALT: {alt}\n{BASELINE_NAME}: {base}"
    fig.suptitle(title, fontsize=MIN_PT + 3, y=1 - 0.1 / fig.get_figheight(), va="top")
    if "attention" in columns:
        note = f"Attention: adapter cross-attention, {averaging_text(exp, entity)}. {adapter_effect_text(exp)}"
        fig.text(0.06, 0.2 / fig.get_figheight(), note, fontsize=MIN_PT, va="bottom", wrap=True)


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save a Figure (format from the suffix: .png, .pdf, .svg) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    logger.info("wrote %s", path)
    return path
