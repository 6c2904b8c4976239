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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alt import ALTModel
from alt.evidence.contrib import logit_parts
from alt.evidence.counterfactual import adapter_keys
from alt.evidence.views import entity_contributions
from alt.model.preprocess import preprocess
from bench.timing import median_seconds

CLASSES = ["riding a bike", "swimming", "playing guitar", "juggling balls", "walking the dog"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="ViT-B-16")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--pixel-steps", type=int, default=0, help="also time pixel curves with this many steps")
    args = parser.parse_args()

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
    top = exp.entity_names[int(entity_contributions(exp)[0][0])]
    ten = [(t, r) for t in range(exp.num_frames) for r in range(10)][:10]
    half = [(t, r) for t in range(exp.num_frames) for r in range(0, exp.num_regions, 2)]

    def fresh_keys():
        cache.derived.clear()
        adapter_keys(model, cache)

    rows = [
        ("logit split (in explain's collect)", median_seconds(lambda: logit_parts(model, out, cache.class_emb), args.repeats)),
        ("adapter keys (first counterfactual only)", median_seconds(fresh_keys, args.repeats)),
        ("counterfactual: drop nothing", median_seconds(lambda: model.counterfactual(exp), args.repeats)),
        (f"counterfactual: drop entity '{top}'", median_seconds(lambda: model.counterfactual(exp, [top]), args.repeats)),
        ("counterfactual: drop 10 regions", median_seconds(lambda: model.counterfactual(exp, drop_regions=ten), args.repeats)),
        (f"counterfactual: drop {len(half)} regions (half)", median_seconds(
            lambda: model.counterfactual(exp, drop_regions=half), args.repeats)),
    ]
    start = time.perf_counter()
    fast = model.evidence_curves(exp, "fast", steps=20)
    rows.append((f"fast curves (3 orders x 2, {len(fast.fractions) - 1} steps)", time.perf_counter() - start))
    if args.pixel_steps:
        start = time.perf_counter()
        model.evidence_curves(exp, "pixel", steps=args.pixel_steps)
        rows.append((f"pixel curves (3 orders x 2, {args.pixel_steps} steps)", time.perf_counter() - start))
    identical = np.array_equal(model.counterfactual(exp), exp.probs)

    print(f"{args.arch}, {args.frames} frames x {model.config.image_size} px, r={args.r}: "
          f"{exp.num_regions} regions/frame (K={exp.num_frames * exp.num_regions} keys), Q={len(exp.query_entities)} "
          f"queries, {len(exp.entity_names)} entities, {len(CLASSES)} classes; CPU {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads; median of {args.repeats} (curves: one run); "
          f"drop-nothing reproduces probs exactly: {identical}\n")
    print("| step | ms |")
    print("| --- | --- |")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.1f} |")


if __name__ == "__main__":
    main()
