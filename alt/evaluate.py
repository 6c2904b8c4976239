"""`alt eval`: top-1 / top-5 of ALT and of the CLIP frame-mean baseline on a labelled video dataset.

Protocol: every video gives V temporal views x 1 centre crop (open_clip's eval transform); the
softmax over the dataset's classes is averaged over the views. The baseline is CLIP's zero-shot
frame-mean prediction computed in the same forward pass, on the same frames.

    alt eval --data hmdb51 --model runs/k400 --views 3                       # zero-shot: unseen classes
    alt eval --data ucf/classInd.txt ... --splits testlist01.txt testlist02.txt testlist03.txt
    alt eval --data hmdb/testlist01.txt --labels hmdb/labels.txt --model runs/k400 \\
             --train-data hmdb/trainlist01.txt --shots 2                     # few-shot: train, then test

Zero-shot simply means the dataset's classes were never trained on: the class names come from its
folders or label file. With `--splits`, each list file is evaluated and the JSON reports the mean and
standard deviation (population, ddof=0) of every metric over the splits. Runs under torchrun too:
each process evaluates a shard and the counts are summed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from tqdm import tqdm

from .data import ClipDataset, SkippedVideos, VideoList, make_loader, open_dataset
from .distributed import DistInfo, ListSampler, all_reduce, broadcast_object, shard
from .validate import InputError, check_num_frames

if TYPE_CHECKING:
    from .model import ALTModel

logger = logging.getLogger(__name__)

METRICS = ("top1", "top5", "baseline_top1", "baseline_top5", "mean_class_top1", "baseline_mean_class_top1")


def autocast(device: torch.device, amp: str = "auto") -> contextlib.AbstractContextManager:
    """bf16 (or fp16 where bf16 is unsupported) autocast on CUDA; nothing on CPU or with amp='off'."""
    if device.type != "cuda" or amp == "off":
        return contextlib.nullcontext()
    if amp == "fp16" or (amp == "auto" and not torch.cuda.is_bf16_supported()):
        return torch.autocast("cuda", dtype=torch.float16)
    return torch.autocast("cuda", dtype=torch.bfloat16)


def text_embeddings(model: "ALTModel", class_names: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Class embeddings [A, D] (model's prompt templates) and corpus entity embeddings [E, D], on the model's device."""
    device = model.device
    class_emb = model.text.classes(list(class_names), list(model.config.prompt_templates)).to(device)
    corpus = model.corpus
    entity_emb = model.text.entities(corpus.texts(), corpus.content_hash()).to(device)
    return class_emb, entity_emb


@torch.no_grad()
def evaluate(model: "ALTModel", videos: VideoList, *, views: int = 3, num_frames: int = 8, batch_size: int = 8,
             num_workers: int = 4, r: int | None = None, info: DistInfo | None = None, amp: str = "auto",
             max_skipped: float = 0.2, desc: str = "eval") -> dict[str, Any]:
    """Top-1/top-5 (and mean class accuracy) of ALT and the frame-mean baseline, V views x 1 crop.

    Args:
        model: the model (its train/eval mode is restored afterwards).
        videos: the dataset; its class names are the candidates.
        views: V temporal views per video; softmax averaged over them.
        info: the torchrun process group (each process evaluates a shard; counts are summed).
    Returns:
        dict with top1, top5, baseline_top1, baseline_top5, mean_class_top1, baseline_mean_class_top1
        (fractions), num_videos (evaluated), skipped (unreadable), num_classes, views, frames.
    Raises:
        DatasetError: more than `max_skipped` of the videos could not be read.
    """
    info = info or DistInfo(device=model.device)
    check_num_frames(num_frames)
    if views < 1:
        raise InputError(f"--views must be at least 1, got {views}")
    a = len(videos.class_names)
    class_emb, entity_emb = text_embeddings(model, videos.class_names)
    ds = ClipDataset(videos, model.transform, num_frames, views=views)
    loader = make_loader(ds, batch_size, num_workers=num_workers, sampler=ListSampler(shard(len(videos), info)))
    skipped = SkippedVideos(len(videos), max_skipped)
    k = min(5, a)
    # counts: [correct1, correct5, base1, base5, n] and per-class [A] correct / totals for both heads
    totals = np.zeros(5)
    per_class = np.zeros((3, a))  # rows: ALT correct, baseline correct, videos
    was_training = model.training
    model.eval()
    try:
        for batch in tqdm(loader, desc=desc, disable=None if info.is_main else True, leave=False):
            skipped.add(batch["failed"])
            if batch["x"] is None:
                continue
            x = batch["x"].to(model.device, non_blocking=True)
            x = x if views > 1 else x[:, None]  # [B, V, T, 3, S, S]
            b = x.shape[0]
            with autocast(model.device, amp):
                out = model(x.flatten(0, 1), class_emb, entity_emb, r=r, stochastic=False)
            probs = out.logits.float().softmax(-1).view(b, views, a).mean(1)  # [B, A]
            base = out.baseline_logits.float().softmax(-1).view(b, views, a).mean(1)  # [B, A]
            y = batch["labels"].to(model.device)[:, None]  # [B, 1]
            hits = [(p.topk(k, dim=-1).indices == y) for p in (probs, base)]  # [B, k] each
            totals += [hits[0][:, 0].sum().item(), hits[0].any(-1).sum().item(),
                       hits[1][:, 0].sum().item(), hits[1].any(-1).sum().item(), b]
            ys = batch["labels"].numpy()
            np.add.at(per_class[0], ys, hits[0][:, 0].cpu().numpy())
            np.add.at(per_class[1], ys, hits[1][:, 0].cpu().numpy())
            np.add.at(per_class[2], ys, 1)
    finally:
        model.train(was_training)
    summed = all_reduce(list(totals) + per_class.ravel().tolist() + [len(skipped)], info)
    totals, per_class, n_skipped = np.array(summed[:5]), np.array(summed[5:-1]).reshape(3, a), int(summed[-1])
    skipped.check(n_skipped, len(videos))
    n = max(totals[4], 1)
    seen = per_class[2] > 0
    return {
        "top1": totals[0] / n, "top5": totals[1] / n, "baseline_top1": totals[2] / n, "baseline_top5": totals[3] / n,
        "mean_class_top1": float((per_class[0][seen] / per_class[2][seen]).mean()) if seen.any() else 0.0,
        "baseline_mean_class_top1": float((per_class[1][seen] / per_class[2][seen]).mean()) if seen.any() else 0.0,
        "num_videos": int(totals[4]), "skipped": n_skipped, "num_classes": a, "views": views, "frames": num_frames,
    }


def summarise_splits(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean (as the metric) and population standard deviation (`<metric>_std`) over splits."""
    out: dict[str, Any] = {}
    for m in METRICS:
        vals = np.array([r[m] for r in results], dtype=np.float64)
        out[m], out[f"{m}_std"] = float(vals.mean()), float(vals.std())
    out["num_videos"] = int(sum(r["num_videos"] for r in results))
    out["skipped"] = int(sum(r["skipped"] for r in results))
    return out


def add_eval_arguments(p: argparse.ArgumentParser) -> None:
    """The `alt eval` options."""
    from .specs import DEFAULT_SPEC

    p.add_argument("--data", required=True, help="test data: a folder of class sub-folders or a list file")
    p.add_argument("--model", default=DEFAULT_SPEC, help=f"model spec (default {DEFAULT_SPEC})")
    p.add_argument("--labels", default=None, help="label file for lists that give class numbers")
    p.add_argument("--root", default=None, help="folder that list-file paths are relative to")
    p.add_argument("--splits", nargs="+", default=None, help="several list files (e.g. the three official test "
                   "splits): each is evaluated; mean and std are reported. --data then only sets the default --root")
    p.add_argument("--views", type=int, default=3, help="temporal views per video, softmax averaged (default 3)")
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--batch-size", type=int, default=8, help="videos per batch (each V views x T frames)")
    p.add_argument("--num-workers", type=int, default=4)
    p.add_argument("--device", default=None)
    p.add_argument("--amp", default="auto", choices=["auto", "bf16", "fp16", "off"])
    p.add_argument("--max-skipped", type=float, default=0.2, help="fraction of unreadable videos tolerated")
    p.add_argument("--out", default=None, help="write the JSON result here too")
    few = p.add_argument_group("few-shot protocol: train on K videos per class first, then evaluate")
    few.add_argument("--train-data", default=None, help="training folder or list (e.g. trainlist01.txt)")
    few.add_argument("--shots", type=int, default=None, help="K videos per class drawn from --train-data")
    few.add_argument("--train-epochs", type=int, default=10)
    few.add_argument("--train-out", default=None, help="where the few-shot model is saved (default: a temp folder)")
    few.add_argument("--seed", type=int, default=0)


def run_eval(args: argparse.Namespace) -> int:
    """`alt eval`: print (and optionally write) the JSON result."""
    from .distributed import cleanup, init_distributed
    from .specs import load_model

    info = init_distributed(args.device)
    try:
        spec = args.model
        tmp = None
        if args.train_data:
            spec, tmp = _few_shot_train(args, spec, info)
        model = load_model(spec, str(info.device))
        r = model.config.r if args.r is None else args.r
        sources = args.splits or [args.data]
        root = args.root or (args.data if args.splits and Path(args.data).is_dir() else None)
        results = []
        for src in sources:
            videos = open_dataset(src, labels=args.labels, root=root, max_missing=args.max_skipped)
            res = evaluate(model, videos, views=args.views, num_frames=args.frames, batch_size=args.batch_size,
                           num_workers=args.num_workers, r=r, info=info, amp=args.amp, max_skipped=args.max_skipped,
                           desc=Path(src).name)
            res["data"] = src
            results.append(res)
            logger.info("%s: top1 %.4f (baseline %.4f) on %d videos", src, res["top1"], res["baseline_top1"],
                        res["num_videos"])
        summary = summarise_splits(results) if len(results) > 1 else dict(results[0])
        summary.update({"model": spec, "views": args.views, "frames": args.frames, "r": r,
                        "adapter_trained": bool(model.config.adapter_trained)})
        if len(results) > 1:
            summary["splits"] = results
        if args.train_data:
            summary["few_shot"] = {"train_data": args.train_data, "shots": args.shots, "seed": args.seed,
                                   "epochs": args.train_epochs}
        if info.is_main:
            text = json.dumps(summary, indent=2)
            if args.out:
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                Path(args.out).write_text(text + "\n")
            from .cli import emit

            emit(text)
        if tmp is not None:
            tmp.cleanup()
        return 0
    finally:
        cleanup()


def _few_shot_train(args: argparse.Namespace, spec: str, info: DistInfo) -> tuple[str, Any]:
    """Train `spec` on K videos per class of --train-data; returns the trained folder (and its temp dir)."""
    from .train import TrainSettings, train

    tmp = None
    out = args.train_out
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="alt-fewshot-")
        out = tmp.name
    out = broadcast_object(out, info)  # under torchrun every process reads what rank 0 wrote
    settings = TrainSettings(data=args.train_data, out=out, model=spec, labels=args.labels, root=args.root,
                             epochs=args.train_epochs, shots=args.shots, seed=args.seed, frames=args.frames,
                             num_workers=args.num_workers, device=args.device, amp=args.amp,
                             max_skipped=args.max_skipped)
    train(settings, keep_process_group=True)
    return out, tmp
