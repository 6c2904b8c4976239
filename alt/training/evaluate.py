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

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from tqdm import tqdm

from alt.model.precision import autocast
from alt.training.data import ClipDataset, SkippedVideos, VideoList, make_loader
from alt.training.distributed import DistInfo, ListSampler, all_reduce, shard
from alt.validate import InputError, check_num_frames, frame_limit

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel

logger = logging.getLogger(__name__)

METRICS = ("top1", "top5", "baseline_top1", "baseline_top5", "mean_class_top1", "baseline_mean_class_top1")


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
    check_num_frames(num_frames, hi=frame_limit(model.config.max_frames))
    if views < 1:
        raise InputError(f"--views must be at least 1, got {views}")
    a = len(videos.class_names)
    class_emb, entity_emb = text_embeddings(model, videos.class_names)
    ds = ClipDataset(videos, model.transform, num_frames, views=views)
    loader = make_loader(ds, batch_size, num_workers=num_workers, sampler=ListSampler(shard(len(videos), info)))
    skipped = SkippedVideos(len(videos), max_skipped)
    # counts: [correct1, correct5, base1, base5, n] and per-class [A] correct / totals for both heads
    totals = np.zeros(5)
    per_class = np.zeros((3, a))  # rows: ALT correct, baseline correct, videos
    was_training = model.training
    model.eval()
    try:
        for batch in tqdm(loader, desc=desc, disable=None if info.is_main else True, leave=False):
            skipped.add(batch["failed"])
            if batch["x"] is not None:
                _count_batch(model, batch, class_emb, entity_emb, views, r, amp, totals, per_class)
    finally:
        model.train(was_training)
    summed = all_reduce(list(totals) + per_class.ravel().tolist() + [len(skipped)], info)
    totals, per_class, n_skipped = np.array(summed[:5]), np.array(summed[5:-1]).reshape(3, a), int(summed[-1])
    skipped.check(n_skipped, len(videos))
    return {**_accuracies(totals, per_class),
            "num_videos": int(totals[4]), "skipped": n_skipped, "num_classes": a, "views": views, "frames": num_frames}


def _count_batch(model: "ALTModel", batch: dict[str, Any], class_emb: torch.Tensor, entity_emb: torch.Tensor,
                 views: int, r: int | None, amp: str, totals: np.ndarray, per_class: np.ndarray) -> None:
    """Score one batch of B videos x V views and add its hits, in place, to `totals` [5] (correct1,
    correct5, base1, base5, n) and `per_class` [3, A] (ALT correct, baseline correct, videos)."""
    a = per_class.shape[1]
    k = min(5, a)
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


def _accuracies(totals: np.ndarray, per_class: np.ndarray) -> dict[str, float]:
    """The six METRICS (fractions) from the summed counts: totals [5], per_class [3, A]."""
    n = max(totals[4], 1)
    seen = per_class[2] > 0
    return {
        "top1": totals[0] / n, "top5": totals[1] / n, "baseline_top1": totals[2] / n, "baseline_top5": totals[3] / n,
        "mean_class_top1": float((per_class[0][seen] / per_class[2][seen]).mean()) if seen.any() else 0.0,
        "baseline_mean_class_top1": float((per_class[1][seen] / per_class[2][seen]).mean()) if seen.any() else 0.0,
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
