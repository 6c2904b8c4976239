"""One short script for a GPU machine: the model on CUDA with autocast, checked and timed.

    python bench/device_check.py [--device cuda] [--arch ViT-B-16] [--frames 8]

Checks, on the device: explain() runs under autocast (bf16, or fp16 without bf16), outputs are finite,
an untrained ALT still equals its CLIP baseline (within autocast tolerance), region maps partition the
patches, attention sums to 1, a training step runs; then prints the GPU column of bench_model.py (plain
CLIP vs ALT at r in {0, 8}, median of 5). Random weights: no download needed. Exit code 1 on a failed check.
Runs on the CPU too (autocast is then off), which is how it was tried on a machine without a GPU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alt import ALTModel  # noqa: E402
from alt.model.precision import autocast  # noqa: E402
from alt.model.preprocess import preprocess  # noqa: E402
from bench.timing import median_seconds  # noqa: E402

CLASSES = ["riding a bike", "swimming", "playing guitar"]


def check(name: str, ok: bool, failures: list[str]) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if not ok:
        failures.append(name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--arch", default="ViT-B-16")
    ap.add_argument("--frames", type=int, default=8)
    args = ap.parse_args()
    device = torch.device(args.device)
    failures: list[str] = []
    torch.manual_seed(0)
    model = ALTModel.from_clip(args.arch, pretrained=None).to(device).eval()
    frames = np.random.default_rng(0).integers(0, 255, (args.frames, 240, 320, 3), dtype=np.uint8)
    exp = model.explain(frames, CLASSES, r=8)
    print(f"device {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}), "
          f"timings {', '.join(f'{k} {v:.3f}s' for k, v in exp.timings.items())}")
    check("probs finite", bool(np.isfinite(exp.probs).all() and np.isfinite(exp.attention).all()), failures)
    check("untrained ALT == CLIP baseline (atol 1e-3)", bool(np.allclose(exp.probs, exp.baseline_probs, atol=1e-3)), failures)
    sizes_ok = all(sorted(np.unique(ids)) == list(range(exp.num_regions)) for ids in exp.region_ids)
    check("regions partition the patches", sizes_ok and int(exp.region_sizes.sum()) == exp.region_ids.size, failures)
    check("attention sums to 1", abs(float(exp.attention.sum()) - 1) < 1e-3, failures)

    _, x = preprocess(model.transform, frames)
    x = x[None].to(device)
    class_emb = model.text.classes(CLASSES, model.config.prompt_templates).to(device)
    entity_emb = model.text.entities(model.corpus.texts(), model.corpus.content_hash()).to(device)
    model.train()
    opt = torch.optim.AdamW(model.adapter.parameters(), lr=1e-3)
    with autocast(device):
        out = model(x, class_emb, entity_emb, r=8)
        loss = F.cross_entropy(out.logits.float(), torch.tensor([1], device=device))
    loss.backward()
    opt.step()
    model.eval()
    check("a training step under autocast", bool(torch.isfinite(loss)), failures)

    with torch.inference_mode(), autocast(device):
        def sync(fn):
            def run():
                fn()
                if device.type == "cuda":
                    torch.cuda.synchronize()
            return run

        plain = median_seconds(sync(lambda: model.clip.encode_image(x[0])), 5)
        print(f"\n| {args.arch}, {args.frames} frames, {device} | seconds | x CLIP |\n|---|---|---|")
        print(f"| plain CLIP encode_image | {plain:.4f} | 1.00 |")
        for r in (0, 8):
            t = median_seconds(sync(lambda r=r: model(x, class_emb, entity_emb, r=r, stochastic=False)), 5)
            print(f"| ALT forward r={r} | {t:.4f} | {t / plain:.2f} |")
    print("\nall checks passed" if not failures else f"\nFAILED: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
