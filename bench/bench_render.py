"""Rendering time of every visualizer panel for one clip, as a markdown table.

    python bench/bench_render.py                       # 8 frames, 224 px, 14x14 grid, R=100, E=2000
    python bench/bench_render.py --out bench/render.md --no-exports
    python bench/bench_render.py --model clip:ViT-B-16        # a real explanation + the model's own time

By default it uses a synthetic Explanation of realistic size (tests/fake_explanation.py), so it needs no
model; with --model it explains a generated clip first and prints the model's time beside. The
live panels are what the app redraws when a user changes frame, opacity or entity; exports (figure
PNG/PDF, MP4, JSON, ZIP) are timed separately. `render_all_panels` and `render_exports` return
{panel: seconds} so other benchmarks (e.g. one that adds the model's time) can reuse them.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

import visualizers as vis  # noqa: E402
from bench.timing import median_seconds  # noqa: E402

logger = logging.getLogger("bench_render")


def live_panels(exp: Any, frame: int = 0) -> dict[str, Callable[[], Any]]:
    """The panels a live view renders, each as a zero-argument callable (all frames where per-frame)."""
    entity = int(exp.query_entities[0]) if len(exp.query_entities) else None
    return {
        "region maps, all frames (mean colour + boundaries)": lambda: vis.region_maps(exp),
        "entity-region overlays, all frames (labels)": lambda: vis.alignment_overlays(exp),
        "AnnotatedImage values, all frames": lambda: [vis.alignment_annotations(exp, t) for t in range(exp.num_frames)],
        "attention heatmaps, all frames (mean)": lambda: vis.attention_overlays(exp),
        "attention heatmaps, all frames (one entity)": lambda: vis.attention_overlays(exp, entity=entity),
        "plotly: ALT vs CLIP top-5 (+ to_json)": lambda: vis.probs_figure(exp).to_json(),
        "plotly: attention mass over time (+ to_json)": lambda: vis.attention_time_figure(exp).to_json(),
        "plotly: entity x frame heatmap (+ to_json)": lambda: vis.entity_frame_figure(exp).to_json(),
        "plotly: region -> entity cosine, one frame (+ to_json)": lambda: vis.alignment_figure(exp, frame).to_json(),
    }


def render_all_panels(exp: Any, repeats: int = 3) -> dict[str, float]:
    """Median seconds of every live panel for this explanation (after one warm-up call each)."""
    timings = {}
    for name, fn in live_panels(exp).items():
        fn()  # warm-up: lazy imports, colormap tables, caches
        timings[name] = median_seconds(fn, repeats, warmup=False)
    return timings


def render_exports(exp: Any, out_dir: str | Path, repeats: int = 1) -> dict[str, float]:
    """Seconds of each export format, written under out_dir."""
    out = Path(out_dir)
    return {
        f"export {fmt}": median_seconds(
            lambda f=fmt: vis.export_explanation(exp, out / f, formats=(f,)), repeats, warmup=False)
        for fmt in ("json", "png", "pdf", "mp4")
    } | {"export all five (json, png, pdf, mp4, zip)": median_seconds(
        lambda: vis.export_explanation(exp, out / "all"), repeats, warmup=False)}


def markdown_table(live: dict[str, float], exports: dict[str, float] | None = None) -> str:
    """Timings as a markdown table (milliseconds), live panels first with their total."""
    total = sum(live.values())
    lines = ["| panel | time (ms) | share of live total |", "|---|---:|---:|"]
    lines += [f"| {k} | {v * 1e3:.1f} | {v / total:.0%} |" for k, v in live.items()]
    lines.append(f"| **live panels, total** | **{total * 1e3:.1f}** | 100% |")
    for k, v in (exports or {}).items():
        lines.append(f"| {k} | {v * 1e3:.1f} | (export) |")
    return "\n".join(lines)


def model_explanation(spec: str, frames: int, classes: int, repeats: int) -> tuple[Any, float, str]:
    """Explain a generated clip (a square moving over a gradient, 320x240) with `spec`; `clip:NAME`
    without a tag means random weights (the cost does not depend on them). Returns (exp, seconds, label)."""
    import numpy as np

    from alt import ALTModel, load_model

    name = spec.removeprefix("clip:")
    plain_arch = spec.startswith("clip:") and "/" not in spec  # an architecture without weights: random
    model = ALTModel.from_clip(name, pretrained=None) if plain_arch else load_model(spec)
    t, h, w = frames, 240, 320
    clip = np.zeros((t, h, w, 3), np.uint8)
    clip[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, None, :]
    for i in range(t):
        clip[i, 80:140, 20 + 30 * i:80 + 30 * i] = (240, 220, 40)
    names = [f"action {i}" for i in range(classes)]
    model.explain(clip, names)  # warm-up: entity and class embeddings are cached after this
    seconds = median_seconds(lambda: model.explain(clip, names), repeats, warmup=False)
    return model.explain(clip, names), seconds, f"explanation of a generated clip by {spec}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--grid", type=int, default=14, help="patches per side (224 px / 16)")
    ap.add_argument("--patch", type=int, default=16)
    ap.add_argument("--regions", type=int, default=100)
    ap.add_argument("--entities", type=int, default=2000)
    ap.add_argument("--classes", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-exports", action="store_true")
    ap.add_argument("--out", type=Path, help="also write the table to this file")
    ap.add_argument("--model", default=None,
                    help="explain a generated clip with this model spec first (e.g. clip:ViT-B-16 for random "
                         "ViT-B/16 weights) and render that explanation, next to the model's own time")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    model_s = None
    if args.model:
        exp, model_s, what = model_explanation(args.model, args.frames, args.classes, args.repeats)
    else:
        from tests.helpers.fake_explanation import make_explanation

        exp = make_explanation(
            T=args.frames, grid=(args.grid, args.grid), patch=args.patch, R=args.regions, E=args.entities,
            A=args.classes, seed=0,
        )  # fmt: skip
        what = "synthetic explanation"
    side = exp.frames.shape[1]
    header = (
        f"Rendering, {what}: T={exp.num_frames}, {side} px, {exp.grid[0]}x{exp.grid[1]} grid, "
        f"R={exp.num_regions}, E={len(exp.entity_names)}, Q={len(exp.query_entities)}, A={len(exp.class_names)}; "
        f"median of {args.repeats}."
    )
    live = render_all_panels(exp, args.repeats)
    exports = None
    if not args.no_exports:
        with tempfile.TemporaryDirectory() as tmp:
            exports = render_exports(exp, tmp)
    text = header + "\n\n" + markdown_table(live, exports) + "\n"
    if model_s is not None:
        text += (f"\nModel time for the same clip (`explain`, median of {args.repeats}): {model_s * 1e3:.0f} ms; "
                 f"live panels = {sum(live.values()) / model_s:.0%} of it.\n")
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
