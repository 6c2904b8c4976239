"""Cost of ALT vs plain CLIP and X-CLIP-B/16: GMACs and wall time, ViT-B/16, 8 frames x 224 px.

    python bench/bench_model.py [--repeats 5] [--arch ViT-B-16] [--frames 8] [--device cpu] [--no-split]
    python bench/bench_model.py --clock cpu --threads 1 --rs 8   # CPU time: ratios a busy machine moves far less

Prints two markdown tables: every model side by side, and where the time of ALT's `explain()` at r=8 goes.
Weights are random (the cost does not depend on their values). Entity and class-name embeddings are
computed once before timing (they are cached in normal use). All timed calls run interleaved: each repeat
calls every row once, in turn, so a load change on a shared machine hits every row alike; the median of
the repeats is reported. Before timing, every living object (imports, weights) is frozen out of the garbage
collector's walks, as app.py does (alt/heap.py), so no call pays for a full collection of the import heap
(0.27 s here).
Rows:
- plain CLIP: open_clip `encode_image` on the preprocessed frames (+ zero-shot cosine).
- X-CLIP-B/16: Hugging Face `transformers` XCLIPModel built from a config (B/16 vision tower, 8 frames,
  random weights, no download), one forward with the class prompts (its text side depends on the video);
  `pip install -r requirements-bench.txt` (`make bench` does). Left out, with a note, when missing.
- ALT forward: `ALTModel.forward` (merging encoder, alignment, adapter, classification).
- ALT explain: the whole `explain()` call (preprocessing, forward, per-layer region maps, collecting).
FLOPs are counted with torch.utils.flop_counter.FlopCounterMode with PyTorch's fused attention fast path
off and scaled_dot_product_attention on its math backend (otherwise both are invisible to the counter),
and reported as GMACs = FLOPs / 2, as papers do.
"""

from __future__ import annotations

import argparse
import logging
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alt import ALTModel  # noqa: E402
from alt.explain import TOP_K  # noqa: E402
from alt.heap import freeze_long_lived  # noqa: E402
from alt.model.preprocess import preprocess  # noqa: E402

CLASSES = ["riding a bike", "swimming", "playing guitar", "juggling balls", "walking the dog"]
log = logging.getLogger("bench_model")


def gmacs(fn: Callable[[], object]) -> float:
    """Multiply-accumulates of one call of `fn`, attention included, in billions."""
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with sdpa_kernel([SDPBackend.MATH]), FlopCounterMode(display=False) as counter:
            fn()
        return counter.get_total_flops() / 2e9
    finally:
        torch.backends.mha.set_fastpath_enabled(True)


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]  # --clock cpu: the process' CPU time (all its threads), which a busy machine moves far less


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Median seconds of each callable (by `clock`), and every repeat's seconds.

    One warm-up call each, then `repeats` rounds calling each once; every other round runs the callables in
    reverse order, so no row always follows the same one (a row that leaves the caches or the allocator in a
    given state would otherwise always hand it to the same neighbour).
    """
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for i in range(max(1, repeats)):
        for name in names if i % 2 == 0 else names[::-1]:
            start = clock()
            fns[name]()
            times[name].append(clock() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}, times


def page_faults(fn: Callable[[], object]) -> int:
    """Minor page faults of one call of `fn` (memory the allocator took fresh from the kernel and touched)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fn()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def paired_ratio(times: dict[str, list[float]], num: str, den: str) -> float:
    """Median over rounds of num's time / den's time in the same round: a slow spell of a shared machine hits both
    calls of a round alike, so this moves less between runs than the ratio of the two medians."""
    return statistics.median(a / b for a, b in zip(times[num], times[den], strict=True))


def build_xclip(frames: int, image_size: int, device: str):
    """X-CLIP with a ViT-B/16 vision tower (random weights, from a config), or None without transformers."""
    try:
        from transformers import XCLIPConfig, XCLIPModel
    except ImportError:
        log.warning("transformers is not installed: no X-CLIP row (pip install -r requirements-bench.txt)")
        return None
    cfg = XCLIPConfig(vision_config=dict(patch_size=16, image_size=image_size, num_frames=frames))
    torch.manual_seed(0)
    return XCLIPModel(cfg).to(device).eval()


def xclip_call(model: ALTModel, xclip, x: torch.Tensor) -> Callable[[], torch.Tensor]:
    """One X-CLIP forward on frames x [T, 3, S, S] with the prompts of CLASSES (CLIP's BPE, as X-CLIP's)."""
    tpl = model.config.prompt_templates[0]
    ids = model.tokenizer([tpl.format(c) for c in CLASSES])  # [A, 77], zero padded
    length = int((ids != 0).sum(1).max())
    ids = ids[:, :length].to(x.device)  # [A, L] padded to the longest prompt, as XCLIPProcessor does
    mask = (ids != 0).long()
    pixels = x[None]  # [1, T, 3, S, S]
    return lambda: xclip(input_ids=ids, attention_mask=mask, pixel_values=pixels).logits_per_video


def explain_split(model: ALTModel, frames: np.ndarray, x: torch.Tensor, class_emb, entity_emb, r: int,
                  repeats: int) -> list[tuple[str, float]]:
    """Seconds per stage of explain at r: preprocessing, encoder, layer maps, alignment, adapter, collecting."""
    t = x.shape[0]
    tokens = model.encode_frames(x, r, True)
    region_emb = tokens.region_emb.unflatten(0, (1, t))  # [1, T, R, D]
    stages = {
        "preprocess": lambda: preprocess(model.transform, frames),
        "encoder": lambda: model.encode_frames(x, r, False),
        "encoder + layer maps": lambda: model.encode_frames(x, r, True),
        "alignment": lambda: model.aligner(region_emb, entity_emb, False, TOP_K),
        "after encoder": lambda: model.forward_tokens(tokens, 1, class_emb, entity_emb, False, TOP_K),
        "explain": lambda: model.explain(frames, CLASSES, r=r, num_frames=t, record_layers=True),
    }
    times, _ = interleaved(stages, repeats)
    timings = model.explain(frames, CLASSES, r=r, num_frames=t, record_layers=True).timings
    rows = [
        ("preprocessing (open_clip transform)", times["preprocess"]),
        ("encoder with token merging", times["encoder"]),
        ("per-layer region maps", times["encoder + layer maps"] - times["encoder"]),
        (f"alignment against {entity_emb.shape[0]} entities (+ top-{TOP_K})", times["alignment"]),
        ("queries, adapter, class head", times["after encoder"] - times["alignment"]),
        ("collecting results (Explanation, logit split)", timings.get("collect", float("nan"))),
    ]
    rows.append(("other (validation, text-cache lookups)", times["explain"] - sum(s for _, s in rows)))
    rows.append(("explain (whole call)", times["explain"]))
    return rows


def print_split(rows: list[tuple[str, float]], plain: float) -> None:
    total = rows[-1][1]
    print("\n| stage of explain at r=8 | s | share of explain | x plain CLIP |")
    print("| --- | --- | --- | --- |")
    for name, s in rows:
        print(f"| {name} | {s:.3f} | {s / total:.0%} | {s / plain:.3f} |")


@torch.inference_mode()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="ViT-B-16")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rs", default="0,4,8,12")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--no-xclip", action="store_true", help="leave the X-CLIP row out")
    parser.add_argument("--no-split", action="store_true", help="leave the per-stage table out")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall: elapsed time; cpu: the process' CPU time (use with --threads 1 on a busy machine)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    if args.threads:
        torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    torch.manual_seed(0)
    model = ALTModel.from_clip(args.arch, pretrained=None).to(args.device).eval()
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (args.frames, 256, 340, 3), dtype=np.uint8)
    _, x = preprocess(model.transform, frames)
    x = x.to(args.device)
    class_emb = model.text.classes(CLASSES, model.config.prompt_templates).to(args.device)
    corpus = model.corpus
    entity_emb = model.text.entities(corpus.texts(), corpus.content_hash()).to(args.device)
    xclip = None if args.no_xclip else build_xclip(args.frames, model.config.image_size, args.device)

    def plain():
        emb = torch.nn.functional.normalize(model.clip.encode_image(x), dim=-1).mean(0)
        return emb @ class_emb.T

    freeze_long_lived()  # imports and weights out of the garbage collector's walks, as app.py does (every row alike)
    rs = [int(v) for v in args.rs.split(",")]
    fns: dict[str, Callable[[], object]] = {"plain": plain}
    if xclip is not None:
        fns["xclip"] = xclip_call(model, xclip, x)
    for r in rs:
        fns[f"fwd{r}"] = lambda r=r: model(x[None], class_emb, entity_emb, r=r, stochastic=False)
        fns[f"exp{r}"] = lambda r=r: model.explain(frames, CLASSES, r=r, num_frames=args.frames, record_layers=True)
    flops = {name: gmacs(fn) for name, fn in fns.items() if not name.startswith("exp")}
    times, samples = interleaved(fns, args.repeats)

    base, peer = times["plain"], times.get("xclip")
    rows = [("plain CLIP encode_image", "-", model.num_regions(0) + 1, flops["plain"], base, base)]
    if peer is not None:
        rows.append(("X-CLIP-B/16 (transformers)", "-", model.num_regions(0) + 1 + 1, flops["xclip"], peer, peer))
    rows += [(f"ALT r={r}", r, model.num_regions(r) + 1, flops[f"fwd{r}"], times[f"fwd{r}"], times[f"exp{r}"])
             for r in rs]

    cuda = args.device.startswith("cuda")
    device = torch.cuda.get_device_name() if cuda else platform.processor() or platform.machine()
    print(f"\n{args.arch}, {args.frames} frames x {model.config.image_size} px, {len(corpus)} entities, "
          f"{len(CLASSES)} classes, device {args.device} ({device}, {torch.get_num_threads()} threads), "
          f"{args.clock} time, median of {args.repeats} interleaved repeats\n")
    peer_head = " x X-CLIP |" if peer is not None else ""
    print(f"| model | r | tokens/frame | GMACs | x CLIP | forward s | x CLIP | explain s | x CLIP |{peer_head}")
    print("| --- " * (9 + (peer is not None)) + "|")
    for name, r, tokens, fl, t_fwd, t_exp in rows:
        line = (f"| {name} | {r} | {tokens} | {fl:.1f} | {fl / flops['plain']:.2f} | {t_fwd:.3f} | "
                f"{t_fwd / base:.2f} | {t_exp:.3f} | {t_exp / base:.2f} |")
        print(line + (f" {t_exp / peer:.2f} |" if peer is not None else ""))
    if 8 in rs and args.repeats > 1:
        paired = [f"{paired_ratio(samples, 'exp8', 'plain'):.2f}x plain CLIP"]
        if peer is not None:
            paired.append(f"{paired_ratio(samples, 'exp8', 'xclip'):.2f}x X-CLIP")
        print(f"\nALT explain at r=8, median of the per-round ratios (each repeat's calls side by side): "
              f"{' and '.join(paired)}")
    faults = {name: page_faults(fns[key]) for name, key in
              (("plain CLIP", "plain"), ("X-CLIP", "xclip"), ("ALT explain r=8", "exp8")) if key in fns}
    print("minor page faults per call: " + ", ".join(f"{name} {n:,}" for name, n in faults.items()))
    if not args.no_split and 8 <= model.max_r:
        print_split(explain_split(model, frames, x, class_emb, entity_emb, 8, args.repeats), base)


if __name__ == "__main__":
    main()
