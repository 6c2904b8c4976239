"""One short script for a GPU machine: the model on CUDA with autocast, checked and timed.

    python bench/device_check.py [--device cuda] [--arch ViT-B-16] [--frames 8] [--skip-tests]

Checks, on the device: explain() runs under autocast (bf16, or fp16 without bf16), outputs are finite,
an untrained ALT equals its CLIP baseline exactly (float32 head, zero adapter output), region maps
partition the patches, every region's top-k column 0 is its pick, attention sums to 1 within 1e-5, a
model cast to bf16 explains at r = 0, 4 and 8, a training step runs; then prints the GPU column of
bench_model.py (plain CLIP vs ALT at r in {0, 8}, median of 5); then runs tests/unit/test_precision.py
on this device (slow ones included, unless --skip-tests), which prints the bf16-vs-float32 figures.
Random weights: no download needed. Exit code 1 on a failed check.
Runs on the CPU too (autocast is then off), which is how it was tried on a machine without a GPU.
"""

from __future__ import annotations

import argparse
import subprocess
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


def check_explain(model: ALTModel, frames: np.ndarray, failures: list[str]) -> None:
    """explain() at r=8 on the model's device, then a bf16 copy at r = 0, 4 and 8."""
    device = model.device
    exp = model.explain(frames, CLASSES, r=8)
    print(f"device {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}), "
          f"timings {', '.join(f'{k} {v:.3f}s' for k, v in exp.timings.items())}")
    check("probs finite", bool(np.isfinite(exp.probs).all() and np.isfinite(exp.attention).all()), failures)
    check("untrained ALT == CLIP baseline exactly", bool(np.array_equal(exp.probs, exp.baseline_probs)), failures)
    sizes_ok = all(sorted(np.unique(ids)) == list(range(exp.num_regions)) for ids in exp.region_ids)
    check("regions partition the patches", sizes_ok and int(exp.region_sizes.sum()) == exp.region_ids.size, failures)
    check("top-k column 0 is the pick for every region",
          bool(np.array_equal(exp.region_topk_ids[..., 0], exp.region_entity_ids())), failures)
    check("attention sums to 1 (1e-5)", abs(float(exp.attention.sum()) - 1) < 1e-5, failures)
    half = ALTModel(model.config, corpus=model.corpus)  # same weights, cast to bf16 (a deepcopy would copy caches)
    half.load_state_dict(model.state_dict())
    half = half.to(device, torch.bfloat16).eval()
    for r in (0, 4, 8):
        e = half.explain(frames, CLASSES, r=r)
        ok = bool(np.isfinite(e.probs).all()) and e.num_regions == model.num_regions(r)
        check(f"a bf16 model explains at r={r}", ok, failures)


def check_training_and_time(model: ALTModel, frames: np.ndarray, arch: str, failures: list[str]) -> None:
    """One training step under autocast, then plain CLIP vs ALT forward times (median of 5)."""
    device = model.device
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
        print(f"\n| {arch}, {x.shape[1]} frames, {device} | seconds | x CLIP |\n|---|---|---|")
        print(f"| plain CLIP encode_image | {plain:.4f} | 1.00 |")
        for r in (0, 8):
            t = median_seconds(sync(lambda r=r: model(x, class_emb, entity_emb, r=r, stochastic=False)), 5)
            print(f"| ALT forward r={r} | {t:.4f} | {t / plain:.2f} |")


def check_precision_tests(device: torch.device, failures: list[str]) -> None:
    """tests/unit/test_precision.py for this device type, slow tests included; prints the bf16 figures."""
    root = Path(__file__).resolve().parents[1]
    print(f"\nprecision tests on {device.type}:", flush=True)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-rs", "-p", "no:cacheprovider",
                            "tests/unit/test_precision.py", "-k", device.type], check=False, cwd=root)
    check(f"precision tests on {device.type} (tests/unit/test_precision.py)", tests.returncode == 0, failures)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--arch", default="ViT-B-16")
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--skip-tests", action="store_true", help="skip tests/unit/test_precision.py")
    args = ap.parse_args()
    device = torch.device(args.device)
    failures: list[str] = []
    torch.manual_seed(0)
    model = ALTModel.from_clip(args.arch, pretrained=None).to(device).eval()
    frames = np.random.default_rng(0).integers(0, 255, (args.frames, 240, 320, 3), dtype=np.uint8)
    check_explain(model, frames, failures)
    check_training_and_time(model, frames, args.arch, failures)
    del model
    if not args.skip_tests:
        check_precision_tests(device, failures)
    print("\nall checks passed" if not failures else f"\nFAILED: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
