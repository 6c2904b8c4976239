"""The optimisation loop of `alt train` (settings and arguments: alt/training/settings.py).

Per micro-step: a batch of clips [B, T, 3, S, S] -> ALTModel in train mode (straight-through alignment,
Gumbel noise as the recipe says) -> cross-entropy on the ALT logits over the training classes. AdamW
with linear warm-up then cosine decay (alt/training/schedule.py, sized to --max-minutes from measured
step times), optional bf16/fp16 autocast on CUDA, gradient accumulation, gradient clipping, CPU threads
chosen by measurement (threads.py), encoder outputs cached while the image tower is frozen
(feature_cache.py), and a resumable state written at epoch ends (at most every RESUME_EVERY_S seconds)
and when the run ends or the budget runs out.
Under torchrun the model is wrapped in DistributedDataParallel; every process decodes its own shard;
only rank 0 writes files. The run ends with a warning when it learned nothing (verdict.py).
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from tqdm import tqdm

from alt.model.precision import autocast
from alt.training.data import ClipDataset, DatasetError, make_loader, open_dataset
from alt.training.distributed import DistInfo, ListSampler, all_reduce, barrier, epoch_order
from alt.training.evaluate import evaluate
from alt.training.schedule import auto_steps
from alt.training.schedule import lr_factor  # noqa: F401  (re-exported: tests and callers import it from here)
from alt.training.settings import TrainSettings
from alt.training.setup import MetricsLog, Run, setup_run  # noqa: F401  (MetricsLog: re-exported)
from alt.training.state import RESUME_DIR, save_state
from alt.training.verdict import RunningStats, learning_warnings

logger = logging.getLogger(__name__)

RESUME_EVERY_S = 30.0  # the resumable state is written at an epoch end at most this often, and at the last one


def _batches(run: Run, dataset: ClipDataset, order: list[int]):
    """An epoch's batches: dicts with x [B, T, 3, S, S] (None when cached or unreadable), labels [B],
    indices [B], failed [(index, message)] and tokens (the cached encoder output, or None)."""
    if not run.cache.covers([i for i in order if i not in run.skipped.failed]):
        loader = make_loader(dataset, run.s.batch_size, num_workers=run.s.num_workers, sampler=ListSampler(order))
        for batch in loader:
            yield batch | {"tokens": None}
        return
    labels = dataset.videos.labels
    for start in range(0, len(order), run.s.batch_size):
        idx = [i for i in order[start:start + run.s.batch_size] if i in run.cache]
        yield {"x": None, "labels": torch.tensor([labels[i] for i in idx], dtype=torch.long), "indices": idx,
               "failed": [], "tokens": run.cache.get(idx, run.info.device, dataset.epoch) if idx else None}


def _forward(run: Run, batch: dict[str, Any]):
    """ALT's output on one batch (with its labels and loss weight), filling or reading the token cache."""
    s, info, model = run.s, run.info, run.model
    x, y, tokens, weight = batch["x"], batch["labels"], batch["tokens"], 1.0
    if x is None and tokens is None:  # every clip of this batch failed: a zero-weight step keeps DDP in lockstep
        x, y, tokens = run.dummy or (torch.zeros(1, s.frames, 3, model.config.image_size, model.config.image_size),
                                     torch.zeros(1, dtype=torch.long), None)
        weight = 0.0
    elif x is not None:
        run.dummy = (x[:1], y[:1], None)
    y = y.to(info.device)
    with autocast(info.device, s.amp):
        if tokens is None and run.cache.enabled:
            with torch.no_grad():  # the image tower is frozen while caching
                tokens = model.encode_frames(x.to(info.device, non_blocking=True).flatten(0, 1), run.r)
            if weight:
                run.cache.put([int(i) for i in batch["indices"]], tokens)
        if tokens is not None:
            out = model.forward_tokens(tokens, len(y), run.class_emb, run.entity_emb)
        else:
            out = run.net(x.to(info.device, non_blocking=True), run.class_emb, run.entity_emb, r=run.r)
    return out, y, weight


def _optimizer_step(run: Run) -> float:
    """Clip, step and zero the gradients at the scheduled learning rate. Returns the lr factor."""
    factor = run.schedule.lr_factor(run.prog["step"])
    for g in run.optimizer.param_groups:
        g["lr"] = g["base_lr"] * factor
    run.scaler.unscale_(run.optimizer)
    if run.s.clip_grad > 0:
        torch.nn.utils.clip_grad_norm_([p for _, p in run.named], run.s.clip_grad)
    run.scaler.step(run.optimizer)
    run.scaler.update()
    run.optimizer.zero_grad(set_to_none=True)
    run.prog["step"] += 1
    run.steps_run += 1
    run.threads.step_done()
    return factor


def _after_step(run: Run, factor: float, since_log: RunningStats, epoch: int, bar, steady: bool) -> None:
    """Budget, unreadable-video check and the metrics line of an optimizer step.

    `steady`: the step ran at the pace later steps will have (not one that fills the encoder cache).
    """
    s, prog = run.s, run.prog
    elapsed, too_many = all_reduce([time.monotonic() - run.t0, float(run.skipped.too_many())], run.info, op="max")
    if too_many:  # every process stops together
        run.skipped.check()
        raise DatasetError(f"more than {s.max_skipped:.0%} of the videos of another process could not be read; "
                           "see its warnings")
    if steady and not run.threads.measuring:  # plan on settled step times (same numbers on every rank)
        run.schedule.fit(prog["step"], elapsed, reserve_s=run.schedule.reserve_s)
    if prog["step"] % s.log_every == 0:
        rec = {"event": "step", "epoch": epoch, "step": prog["step"], "steps_planned": run.schedule.total,
               **{k.replace("train_loss", "loss"): v for k, v in since_log.summary().items() if k != "clips"},
               "lr": s.lr * factor, "gumbel_noise": run.model.aligner.gumbel_noise,
               "align_scale": run.model.aligner.log_scale.exp().item(), "elapsed_s": round(elapsed, 2)}
        run.log.write(rec)
        since_log.reset()
        bar.set_postfix(loss=f"{rec['loss']:.3f}", lr=f"{rec['lr']:.2e}")
    schedule_done = prog["step"] >= run.schedule.total and run.schedule.shrunk
    if s.max_minutes and (elapsed >= s.max_minutes * 60 or schedule_done):
        run.stop_reason = (f"time budget of {s.max_minutes:g} min reached after {prog['step']} of "
                           f"{run.schedule.planned} planned steps")


def _train_epoch(run: Run, dataset: ClipDataset, epoch: int) -> dict[str, float]:
    """One epoch (or its remainder, when resumed). Returns the epoch's training statistics."""
    s, info, prog = run.s, run.info, run.prog
    order = epoch_order(len(dataset), epoch, s.seed, info)
    dataset.epoch = epoch
    stats, since_log = RunningStats(), RunningStats()
    bar = tqdm(_batches(run, dataset, order[prog["micro"] * s.batch_size:]), desc=f"epoch {epoch + 1}",
               disable=None if info.is_main else True, initial=prog["micro"], total=run.micro_per_epoch)
    for batch in bar:
        run.skipped.add(batch["failed"])
        run.model.aligner.gumbel_noise = run.schedule.noise(prog["step"])
        boundary = (prog["micro"] + 1) % s.accum == 0 or prog["micro"] + 1 == run.micro_per_epoch
        sync = contextlib.nullcontext() if boundary or not info.enabled else run.net.no_sync()
        with sync:
            out, y, weight = _forward(run, batch)
            loss = F.cross_entropy(out.logits.float(), y)
            run.scaler.scale(loss * weight / s.accum).backward()
        if weight:
            agree = out.alignment.agree
            row = (loss.item(), (out.logits.argmax(-1) == y).sum().item(),
                   (out.baseline_logits.argmax(-1) == y).sum().item(), len(y), None if agree is None else agree.item())
            for acc in (stats, since_log, run.recent):
                acc.add(*row)
        prog["micro"] += 1
        if not boundary:
            continue
        steady = not run.cache.enabled or batch["tokens"] is not None
        _after_step(run, _optimizer_step(run), since_log, epoch, bar, steady)
        if run.stop_reason or prog["step"] >= run.schedule.total:
            break
    bar.close()
    return stats.summary(all_reduce(stats.total.tolist(), info))


def _end_epoch(run: Run, epoch: int, epoch_stats: dict[str, float], val_list, val_metrics: dict[str, Any],
               out_dir: Path) -> dict[str, Any]:
    """Validate when due, log the epoch and save the resumable state. Returns the latest validation metrics."""
    from alt.hub.checkpoint import save_checkpoint

    s, info, prog = run.s, run.info, run.prog
    if run.stop_reason is None:  # the epoch (or the plan) finished; a budget stop resumes mid-epoch
        prog["epoch"], prog["micro"] = epoch + 1, 0
    last = prog["step"] >= run.schedule.total or run.stop_reason is not None
    t_val = time.monotonic()
    if val_list is not None and (last or prog["epoch"] % s.val_every == 0):
        val_metrics = evaluate(run.model, val_list, views=s.val_views, num_frames=s.frames, batch_size=s.batch_size,
                               num_workers=s.num_workers, r=run.r, info=info, amp=s.amp, max_skipped=s.max_skipped,
                               desc="validation")
        run.model.train()
    record = {"event": "epoch", "epoch": epoch, "step": prog["step"], **epoch_stats,
              **{f"val_{k}": v for k, v in val_metrics.items()}, "elapsed_s": round(time.monotonic() - run.t0, 2)}
    run.log.write(record)
    logger.info("epoch %d: %s", epoch + 1, ", ".join(f"{k} {v:.4f}" for k, v in record.items() if isinstance(v, float)))
    due = last or time.monotonic() - run.saved_at >= RESUME_EVERY_S  # small datasets: epochs of a second or less
    if info.is_main and due:
        run.model.config.adapter_trained = True
        save_checkpoint(run.model, out_dir / RESUME_DIR)
        save_state(out_dir / RESUME_DIR, run.optimizer, run.named, prog, run.fp, run.scaler)
    if due:
        run.saved_at = time.monotonic()
    barrier(info)
    if due:  # keep room for one more validation and save (measured on an epoch end that saved)
        run.schedule.reserve_s = time.monotonic() - t_val
    return val_metrics


def _class_cosine_max(class_emb: torch.Tensor) -> float | None:
    """Largest cosine between two different class embeddings [A, D] (None for one class)."""
    if class_emb.shape[0] < 2:
        return None
    sim = class_emb.float() @ class_emb.float().T  # [A, A]
    return (sim - 3 * torch.eye(len(sim), device=sim.device)).max().item()


def run(s: TrainSettings, info: DistInfo) -> dict[str, Any]:
    """Train as `s` (resolved) says on this process; rank 0 saves the result into s.out. Returns a summary."""
    from alt.hub.checkpoint import save_checkpoint

    out_dir = Path(s.out).expanduser()
    train_list = open_dataset(s.data, labels=s.labels, root=s.root, shots=s.shots, seed=s.seed,
                              max_missing=s.max_skipped, split=s.split, part="train")
    val_list = open_dataset(s.val, labels=s.val_labels, root=s.val_root, max_missing=s.max_skipped,
                            split=s.split, part="test") if s.val else None
    run, dataset, _ = setup_run(s, info, train_list, out_dir / "metrics.jsonl")
    named, prog = run.named, run.prog
    if s.train == "adapter" and s.jitter and not info.enabled:  # frozen tower, jittered frames: encode each once
        steps_per_epoch = math.ceil(run.micro_per_epoch / s.accum)
        with autocast(info.device, s.amp):
            run.skipped.add(run.cache.fill_every_frame(
                train_list, run.model, run.r, s.frames, s.seed, run.schedule.planned / steps_per_epoch, info.device,
                num_workers=s.num_workers))
        if run.cache.draw and not s.epochs:  # steps now cost the adapter only (a resumed run plans the same)
            run.schedule.replan(auto_steps(steps_per_epoch, cached=True))
    run.log.write({"event": "start", "settings": s.to_dict(), "data": train_list.describe(),
                   "world_size": info.world_size, "device": str(info.device), "trainable_tensors": len(named),
                   "trainable_params": sum(p.numel() for _, p in named), "steps_planned": run.schedule.total})
    logger.info("training %s (%d tensors, %d parameters) on %d videos of %d classes, %d steps planned (recipe %s)",
                s.train, len(named), sum(p.numel() for _, p in named), len(train_list),
                len(train_list.class_names), run.schedule.total, s.recipe)
    epoch_stats: dict[str, float] = {}
    val_metrics: dict[str, Any] = {}
    try:
        while prog["step"] < run.schedule.total and run.stop_reason is None:
            epoch = prog["epoch"]
            epoch_stats = _train_epoch(run, dataset, epoch)
            val_metrics = _end_epoch(run, epoch, epoch_stats, val_list, val_metrics, out_dir)
    finally:
        run.threads.restore()
    n_skipped = int(all_reduce([len(run.skipped)], info)[0])
    run.skipped.check(n_skipped, len(train_list))

    elapsed = time.monotonic() - run.t0
    recent = run.recent.summary(all_reduce(run.recent.total.tolist(), info))
    stopped = run.stop_reason or "completed"
    warnings = learning_warnings(recent, val_metrics or None, len(train_list.class_names), steps=prog["step"],
                                 epochs_done=prog["epoch"], stopped=stopped, lr=s.lr, jitter=bool(s.jitter),
                                 class_cosine_max=_class_cosine_max(run.class_emb))
    metrics = {**{k: v for k, v in epoch_stats.items() if k != "clips"},
               "last_epoch_train_top1": recent["train_top1"],
               "last_epoch_train_baseline_top1": recent["train_baseline_top1"],
               **{f"val_{k}": v for k, v in val_metrics.items() if isinstance(v, (int, float))}}
    training = {"data": train_list.describe() | {"shots": s.shots, "seed": s.seed},
                "validation": val_list.describe() if val_list else None, "start_model": run.spec,
                "settings": {k: v for k, v in s.to_dict().items() if k not in ("data", "val", "out", "resume")},
                "world_size": info.world_size, "device": str(info.device), "epochs_done": prog["epoch"],
                "steps": prog["step"], "minutes_this_run": round(elapsed / 60, 2), "stopped": stopped,
                "skipped_videos": n_skipped, "text_tower": "frozen (cached entity and class embeddings)",
                "warnings": warnings}
    run.model.config.adapter_trained = True
    for w in warnings:
        logger.warning(w)
    if info.is_main:
        save_checkpoint(run.model, out_dir, card_extra={"training": training, "metrics": metrics})
        run.log.write({"event": "end", "metrics": metrics, "stopped": stopped, "warnings": warnings,
                       "elapsed_s": round(elapsed, 2)})
        logger.info("saved the trained model to %s (%s)", out_dir, stopped)
    barrier(info)
    run.model.eval()
    return {"out": str(out_dir), "rank": info.rank, "world_size": info.world_size, "epochs_done": prog["epoch"],
            "steps": prog["step"], "stopped": stopped, "minutes": round(elapsed / 60, 2),
            "num_videos": len(train_list), "num_classes": len(train_list.class_names), "skipped": n_skipped,
            **metrics, "learned": not warnings, "warnings": warnings}
