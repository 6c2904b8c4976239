"""Cost of ALT vs plain CLIP frame encoding: GMACs and wall time, ViT-B/16, 8 frames x 224 px.

    python bench/bench_model.py [--repeats 5] [--arch ViT-B-16] [--frames 8] [--device cpu]

Prints a markdown table. Weights are random (the cost does not depend on their values). Entity and
class-name embeddings are computed once before timing (they are cached in normal use).
Columns:
- plain CLIP: open_clip `encode_image` on the preprocessed frames (+ zero-shot cosine).
- ALT forward: `ALTModel.forward` (merging encoder, alignment, adapter, classification).
- ALT explain: the whole `explain()` call (preprocessing, forward, copying results to numpy).
FLOPs are counted with torch.utils.flop_counter.FlopCounterMode with PyTorch's fused attention fast
path turned off (it is invisible to the counter), and reported as GMACs = FLOPs / 2, as papers do.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alt import ALTModel  # noqa: E402
from alt.model.preprocess import preprocess  # noqa: E402
from bench.timing import median_seconds  # noqa: E402

CLASSES = ["riding a bike", "swimming", "playing guitar", "juggling balls", "walking the dog"]


def gmacs(fn) -> float:
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with FlopCounterMode(display=False) as counter:
            fn()
        return counter.get_total_flops() / 2e9
    finally:
        torch.backends.mha.set_fastpath_enabled(True)


@torch.inference_mode()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="ViT-B-16")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rs", default="0,4,8,12")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()

    torch.manual_seed(0)
    model = ALTModel.from_clip(args.arch, pretrained=None).to(args.device).eval()
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (args.frames, 256, 340, 3), dtype=np.uint8)
    _, x = preprocess(model.transform, frames)
    x = x.to(args.device)
    class_emb = model.text.classes(CLASSES, model.config.prompt_templates).to(args.device)
    corpus = model.corpus
    entity_emb = model.text.entities(corpus.texts(), corpus.content_hash()).to(args.device)

    def plain():
        emb = torch.nn.functional.normalize(model.clip.encode_image(x), dim=-1).mean(0)
        return emb @ class_emb.T

    rows = []
    base_flops, base_time = gmacs(plain), median_seconds(plain, args.repeats)
    rows.append(("plain CLIP encode_image", "-", model.num_regions(0) + 1, base_flops, base_time, base_time))
    for r in [int(v) for v in args.rs.split(",")]:
        def fwd(r=r):
            return model(x[None], class_emb, entity_emb, r=r, stochastic=False)

        def exp(r=r):
            return model.explain(frames, CLASSES, r=r, num_frames=args.frames, record_layers=True)

        rows.append((f"ALT r={r}", r, model.num_regions(r) + 1, gmacs(fwd), median_seconds(fwd, args.repeats),
                     median_seconds(exp, args.repeats)))

    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else platform.processor() or platform.machine()
    print(f"{args.arch}, {args.frames} frames x {model.config.image_size} px, {len(corpus)} entities, "
          f"{len(CLASSES)} classes, device {args.device} ({device}, {torch.get_num_threads()} threads), "
          f"median of {args.repeats}\n")
    print("| model | r | tokens/frame | GMACs | x CLIP | forward s | x CLIP | explain s | x CLIP |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r, tokens, fl, t_fwd, t_exp in rows:
        print(f"| {name} | {r} | {tokens} | {fl:.1f} | {fl / base_flops:.2f} | {t_fwd:.3f} | "
              f"{t_fwd / base_time:.2f} | {t_exp:.3f} | {t_exp / base_time:.2f} |")


if __name__ == "__main__":
    main()
