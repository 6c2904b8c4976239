"""Cost of the evidence views: the logit split, counterfactuals (no re-encoding) and deletion/insertion curves.

    python bench/bench_evidence.py [--arch ViT-B-16] [--frames 8] [--r 8] [--repeats 10] [--pixel-steps 0]

Prints a markdown table. Weights are random, with the adapter's weights moved to random nonzero values
so it is "trained" (the cost does not depend on their values, only on Q, the number of queries, which
the printed header states). Entity and class embeddings are computed once before timing (cached in
normal use). Rows:
- logit split: `alt.evidence.contrib.logit_parts` on the forward pass's tensors (part of explain's collect).
- adapter keys: the key side of the adapter, computed on the first counterfactual of an explanation.
- counterfactual (...): `model.counterfactual`, keys cached (every later click).
- fast curves: 3 orders x deletion/insertion, 20 steps.
- pixel curves (optional, --pixel-steps N): 3 orders x deletion/insertion, N steps, re-encoding.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alt import ALTModel
from alt.evidence.contrib import logit_parts
from alt.evidence.counterfactual import adapter_keys
from alt.evidence.views import entity_contributions
from alt.model.preprocess import preprocess
from bench.timing import median_seconds

CLASSES = ["riding a bike", "swimming", "playing guitar", "juggling balls", "walking the dog"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="ViT-B-16")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--pixel-steps", type=int, default=0, help="also time pixel curves with this many steps")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    return parser.parse_args()


def explained_random_clip(args: argparse.Namespace):
    """A random-weight model with a "trained" (random nonzero) adapter, its Explanation of a random clip, and
    the forward pass's outputs on that clip."""
    torch.manual_seed(0)
    model = ALTModel.from_clip(args.arch, pretrained=None).eval()
    with torch.no_grad():
        for p in model.adapter.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (args.frames, 256, 340, 3), dtype=np.uint8)
    exp = model.explain(frames, CLASSES, r=args.r, num_frames=args.frames)
    cache = exp.adapter_cache
    _, x = preprocess(model.transform, frames)
    with torch.inference_mode():
        out = model(x[None], cache.class_emb, cache.entity_emb, r=args.r, stochastic=False)
    return model, exp, out


def counterfactual_rows(model, exp, out, ten: list[tuple[int, int]], repeats: int) -> list[tuple[str, float]]:
    """(step, median seconds) of the logit split, the adapter keys and counterfactuals of growing size."""
    cache = exp.adapter_cache
    top = exp.entity_names[int(entity_contributions(exp)[0][0])]
    half = [(t, r) for t in range(exp.num_frames) for r in range(0, exp.num_regions, 2)]

    def fresh_keys():
        cache.derived.clear()
        adapter_keys(model, cache)

    def timed(fn):
        return median_seconds(fn, repeats)

    return [
        ("logit split (in explain's collect)", timed(lambda: logit_parts(model, out, cache.class_emb))),
        ("adapter keys (first counterfactual only)", timed(fresh_keys)),
        ("counterfactual: drop nothing", timed(lambda: model.counterfactual(exp))),
        (f"counterfactual: drop entity '{top}'", timed(lambda: model.counterfactual(exp, [top]))),
        ("counterfactual: drop 10 regions", timed(lambda: model.counterfactual(exp, drop_regions=ten))),
        (f"counterfactual: drop {len(half)} regions (half)",
         timed(lambda: model.counterfactual(exp, drop_regions=half))),
    ]


def query_scale_rows(model, cache, repeats: int) -> list[tuple[str, float]]:
    """The cost grows with Q: the adapter's query pass on the first n queries, for n below Q."""
    keys = adapter_keys(model, cache)
    rows = []
    for n in (50, 100, 200):
        if n < cache.num_queries:
            emb, frame = cache.query_emb[None, :n], cache.query_frame[None, :n]
            mask = torch.ones(1, n, dtype=torch.bool)
            with torch.inference_mode():
                sec = median_seconds(lambda: model.adapter.query_outputs(emb, mask, frame, keys), repeats)  # noqa: B023
            rows.append((f"adapter query pass with Q={n} (for scale)", sec))
    return rows


def curve_rows(model, exp, pixel_steps: int) -> list[tuple[str, float]]:
    """Seconds of one run of the fast curves (20 steps) and, if pixel_steps, of the pixel curves."""
    start = time.perf_counter()
    fast = model.evidence_curves(exp, "fast", steps=20)
    rows = [(f"fast curves (3 orders x 2, {len(fast.fractions) - 1} steps)", time.perf_counter() - start)]
    if pixel_steps:
        start = time.perf_counter()
        model.evidence_curves(exp, "pixel", steps=pixel_steps)
        rows.append((f"pixel curves (3 orders x 2, {pixel_steps} steps)", time.perf_counter() - start))
    return rows


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model, exp, out = explained_random_clip(args)
    ten = [(t, r) for t in range(exp.num_frames) for r in range(10)][:10]
    rows = counterfactual_rows(model, exp, out, ten, args.repeats)
    rows += query_scale_rows(model, exp.adapter_cache, args.repeats)
    rows += curve_rows(model, exp, args.pixel_steps)
    identical = np.array_equal(model.counterfactual(exp), exp.probs)
    with FlopCounterMode(display=False) as counter:
        model.counterfactual(exp, drop_regions=ten)
    gmacs = counter.get_total_flops() / 2e9

    cpu = platform.processor() or platform.machine()
    print(f"{args.arch}, {args.frames} frames x {model.config.image_size} px, r={args.r}: "
          f"{exp.num_regions} regions/frame (K={exp.num_frames * exp.num_regions} keys), "
          f"Q={len(exp.query_entities)} queries, {len(exp.entity_names)} entities, {len(CLASSES)} classes; "
          f"CPU {cpu}, {torch.get_num_threads()} threads; median of {args.repeats} (curves: one run); "
          f"drop-nothing reproduces probs exactly: {identical}; one counterfactual = {gmacs:.2f} GMACs\n")
    print("| step | ms |")
    print("| --- | --- |")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.1f} |")


if __name__ == "__main__":
    main()
