"""The timeline of a long video explained window by window (alt/windows.py), as a plotly figure.

Drawn from the Timeline's JSON dict (`Timeline.to_dict()`, or the timeline.json file), so this module
needs neither torch nor the model:
- top: one bar per window from its start to its end, coloured by ALT's top class, and under it the same
  for the CLIP frame-mean baseline; hovering shows the window's span, both top classes with their
  probabilities and the window's top entities (share of its patches);
- bottom: the probability of the leading classes over time, ALT solid, the baseline dotted.
Every trace point carries its window index as `customdata`, so a client can open that window.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac"]  # Tableau 10: one colour per class, in the order of `leading_classes`
OTHER = "#d0d0d0"  # classes beyond the palette


def _as_dict(timeline: Any) -> dict[str, Any]:
    return timeline.to_dict() if hasattr(timeline, "to_dict") else dict(timeline)


def leading_classes(data: dict[str, Any], k: int = 5) -> list[str]:
    """The k classes with the highest ALT probability in any window, best first (ties: class order)."""
    names = list(data["class_names"])
    best = {n: max((w["probs"][n] for w in data["windows"]), default=0.0) for n in names}
    return sorted(names, key=lambda n: (-best[n], names.index(n)))[: max(1, k)]


def class_colors(data: dict[str, Any]) -> dict[str, str]:
    """A colour for every class: the palette for the top classes of the timeline (the leading classes first,
    then the other windows' top classes), grey beyond."""
    order = leading_classes(data, len(PALETTE))
    for w in data["windows"]:
        for key in ("top_class", "baseline_top_class"):
            if w[key] not in order:
                order.append(w[key])
    return {n: PALETTE[i] if i < len(PALETTE) else OTHER for i, n in enumerate(order)}


def window_hover(w: dict[str, Any], entities: int = 5) -> str:
    """Hover text of one window: span, ALT and baseline top classes, top entities."""
    ents = ", ".join(f"{html.escape(e['name'])} {e['patch_share']:.0%}" for e in w["entities"][:entities]) or "none"
    return (f"window {w['index']}: {w['start']:.1f}-{w['end']:.1f} s<br>"
            f"ALT: {html.escape(w['top_class'])} ({w['top_prob']:.2f})<br>"
            f"CLIP frame-mean: {html.escape(w['baseline_top_class'])} ({w['baseline_top_prob']:.2f})<br>"
            f"entities: {ents}")


def timeline_figure(timeline: Any, k: int = 5, height: int = 460) -> go.Figure:
    """ALT's and the baseline's top class per window, and the leading classes' probabilities over time.

    Args:
        timeline: an alt.timeline.Timeline or its `to_dict()`.
        k: classes drawn as probability curves.
        height: figure height in px.
    Returns:
        a plotly Figure with two rows sharing the time axis (seconds).
    """
    data = _as_dict(timeline)
    wins = data["windows"]
    colors = class_colors(data)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.3, 0.7], vertical_spacing=0.06)
    hover = [window_hover(w) for w in wins]
    for label, key in (("ALT", "top_class"), ("CLIP frame-mean", "baseline_top_class")):
        for name in dict.fromkeys(w[key] for w in wins):  # one trace per class: few traces for long videos
            mine = [i for i, w in enumerate(wins) if w[key] == name]
            fig.add_trace(go.Bar(
                x=[wins[i]["end"] - wins[i]["start"] for i in mine], base=[wins[i]["start"] for i in mine],
                y=[label] * len(mine), orientation="h", width=0.8, marker_color=colors.get(name, OTHER), name=name,
                legendgroup=name, showlegend=False, customdata=[wins[i]["index"] for i in mine],
                hovertext=[hover[i] for i in mine], hoverinfo="text"), row=1, col=1)
    centres = [(w["start"] + w["end"]) / 2 for w in wins]
    for name in leading_classes(data, k):
        colour = colors.get(name, OTHER)
        for baseline, dash in ((False, "solid"), (True, "dot")):
            key = "baseline_probs" if baseline else "probs"
            fig.add_trace(go.Scatter(
                x=centres, y=[w[key][name] for w in wins], mode="lines+markers" if len(wins) < 60 else "lines",
                line=dict(color=colour, dash=dash, shape="hv" if len(wins) > 1 else "linear", width=2 - baseline),
                name=name if not baseline else f"{name} (CLIP frame-mean)", legendgroup=name, showlegend=not baseline,
                customdata=[w["index"] for w in wins], hovertext=hover, hoverinfo="text+y"), row=2, col=1)
    done = "" if data.get("complete", True) else f" (stopped after {len(wins)} of {data.get('num_planned')} windows)"
    fig.update_layout(
        title=f"{len(wins)} windows of {data['window_s']:g} s, {data['num_frames']} frames each{done}",
        height=height, barmode="overlay", bargap=0.1, hovermode="closest", plot_bgcolor="white",
        paper_bgcolor="white", margin=dict(l=10, r=10, t=50, b=10), font=dict(size=12),
        legend=dict(orientation="h", y=-0.15))
    fig.update_xaxes(title_text="time (s)", row=2, col=1, range=[0, data["duration"]], gridcolor="#e5e5e5")
    fig.update_yaxes(title_text="probability", row=2, col=1, range=[0, 1], gridcolor="#e5e5e5")
    fig.update_yaxes(row=1, col=1, categoryorder="array", categoryarray=["CLIP frame-mean", "ALT"])
    return fig


def write_timeline(timeline: Any, out_dir: str | Path, formats: tuple[str, ...] = ("json", "html"),
                   stem: str = "timeline") -> dict[str, Path]:
    """Write the timeline's JSON and/or its figure as a self-contained HTML page (plotly.js inlined).

    Returns:
        {format: path} of the files written.
    """
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = _as_dict(timeline)
    paths: dict[str, Path] = {}
    if "json" in formats:
        paths["json"] = out / f"{stem}.json"
        paths["json"].write_text(json.dumps(data, indent=1))
    if "html" in formats:
        paths["html"] = out / f"{stem}.html"
        timeline_figure(data).write_html(paths["html"], include_plotlyjs=True, full_html=True)
    return paths
