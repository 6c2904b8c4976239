"""Evaluation protocols: a model on one or several test lists (the official splits), optionally after
few-shot training on K videos per class. `alt eval` (alt/cli/evaluate.py) is the command around it."""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path
from typing import Any

from alt.training.data import open_dataset
from alt.training.distributed import DistInfo, broadcast_object
from alt.training.evaluate import evaluate, summarise_splits

logger = logging.getLogger(__name__)


def run_protocol(args: argparse.Namespace) -> dict[str, Any] | None:
    """Evaluate as `alt eval`'s options say (optionally few-shot training first).

    Returns:
        the summary (rank 0; None on other ranks): metrics, or their mean and std over --splits.
    """
    from alt.hub.specs import load_model
    from alt.training.distributed import cleanup, init_distributed

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
        if tmp is not None:
            tmp.cleanup()
        return summary if info.is_main else None
    finally:
        cleanup()



def _few_shot_train(args: argparse.Namespace, spec: str, info: DistInfo) -> tuple[str, Any]:
    """Train `spec` on K videos per class of --train-data; returns the trained folder (and its temp dir)."""
    from alt.training.train import TrainSettings, train

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
