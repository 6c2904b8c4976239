"""The optimisation loop of `alt train` (settings and arguments: alt/train.py).

Per micro-step: a batch of jittered clips [B, T, 3, S, S] -> ALTModel in train mode (straight-through
Gumbel alignment) -> cross-entropy on the ALT logits over the training classes. AdamW with linear
warm-up then cosine decay, optional bf16/fp16 autocast on CUDA, gradient accumulation, gradient
clipping, a wall-clock budget (the cosine is shortened to end inside it), and a resumable state
written at every epoch end and when the budget runs out. Under torchrun the model is wrapped in
DistributedDataParallel; every process decodes its own shard; only rank 0 writes files.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from tqdm import tqdm

from alt.model.precision import autocast
from alt.training.data import ClipDataset, DatasetError, SkippedVideos, make_loader, open_dataset
from alt.training.distributed import DistInfo, ListSampler, all_reduce, barrier, epoch_order
from alt.training.evaluate import evaluate, text_embeddings
from alt.training.settings import TrainSettings, param_groups, select_trainable
from alt.training.state import (
    RESUME_DIR,
    ResumeError,
    check_fingerprint,
    fingerprint,
    load_state,
    read_state,
    resume_folder,
    save_state,
)
from alt.validate import check_r

logger = logging.getLogger(__name__)


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up over `warmup` steps, then cosine decay to 0 at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


class MetricsLog:
    """Appends JSON lines to out/metrics.jsonl (rank 0 only)."""

    def __init__(self, path: Path, enabled: bool, fresh: bool) -> None:
        self.path, self.enabled = path, enabled
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            if fresh:
                path.write_text("")

    def write(self, record: dict[str, Any]) -> None:
        if self.enabled:
            with open(self.path, "a") as fh:
                fh.write(json.dumps(record) + "\n")


def _load(s: TrainSettings, info: DistInfo):
    """The starting model (or the resumed one), its spec and the resume state (or None)."""
    from alt.hub.specs import DEFAULT_SPEC, load_model
    from alt.model.alt_model import ALTModel

    if not s.resume:
        spec = s.model or DEFAULT_SPEC
        return load_model(spec, str(info.device)), spec, None
    folder = resume_folder(s.resume)
    meta, tensors = read_state(folder)
    spec = meta["fingerprint"].get("model")
    if s.model and s.model != spec:
        raise ResumeError(f"{folder} continues a run that started from {spec!r}, not --model {s.model!r}")
    model = ALTModel.from_pretrained(folder, device=info.device)
    model.config.spec = spec
    logger.info("resuming %s at epoch %d, step %d", folder, meta["progress"]["epoch"], meta["progress"]["step"])
    return model, spec, (meta, tensors)


def run(s: TrainSettings, info: DistInfo) -> dict[str, Any]:
    """Train as `s` says on this process; rank 0 saves the result into s.out. Returns a summary."""
    from alt.hub.checkpoint import save_checkpoint

    out_dir = Path(s.out).expanduser()
    train_list = open_dataset(s.data, labels=s.labels, root=s.root, shots=s.shots, seed=s.seed,
                              max_missing=s.max_skipped)
    val_list = open_dataset(s.val, labels=s.val_labels, root=s.val_root, max_missing=s.max_skipped) if s.val else None
    model, spec, resumed = _load(s, info)
    if s.templates:
        model.config.prompt_templates = list(s.templates)
    r = check_r(model.config.r if s.r is None else s.r, model.max_r)
    groups = select_trainable(model, s.train)
    named = groups["adapter"] + groups["backbone"]
    fp = fingerprint(model, spec, s.train, train_list.class_names, named)
    if resumed:
        check_fingerprint(resumed[0]["fingerprint"], fp, Path(s.resume))
    class_emb, entity_emb = text_embeddings(model, train_list.class_names)  # frozen text tower: computed once

    torch.manual_seed(s.seed + info.rank)  # Gumbel noise: reproducible runs for a given --seed
    model.train()
    net = model
    if info.enabled:
        ids = [info.device.index] if info.device.type == "cuda" else None
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    optimizer = torch.optim.AdamW(param_groups(groups, s), betas=(0.9, 0.999))
    fp16 = info.device.type == "cuda" and (s.amp == "fp16" or (s.amp == "auto" and not torch.cuda.is_bf16_supported()))
    scaler = torch.amp.GradScaler("cuda", enabled=fp16)

    dataset = ClipDataset(train_list, model.transform, s.frames, train=True, jitter=s.jitter, seed=s.seed)
    per_rank = len(epoch_order(len(train_list), 0, s.seed, info))
    micro_per_epoch = math.ceil(per_rank / s.batch_size)
    steps_per_epoch = math.ceil(micro_per_epoch / s.accum)
    total_steps = s.epochs * steps_per_epoch
    warmup_steps = int(s.warmup * total_steps)
    prog = {"epoch": 0, "step": 0, "micro": 0, "batch_size": s.batch_size, "world_size": info.world_size}
    if resumed:
        load_state(resumed[0], resumed[1], optimizer, named, scaler)
        prog.update({k: resumed[0]["progress"][k] for k in ("epoch", "step", "micro")})
        if (resumed[0]["progress"].get("batch_size"), resumed[0]["progress"].get("world_size")) != (s.batch_size, info.world_size):
            logger.warning("batch size or process count changed: the interrupted epoch restarts from its beginning")
            prog["micro"] = 0
    log = MetricsLog(out_dir / "metrics.jsonl", info.is_main, fresh=not resumed)
    log.write({"event": "start", "settings": s.to_dict(), "data": train_list.describe(), "world_size": info.world_size,
               "device": str(info.device), "trainable_tensors": len(named),
               "trainable_params": sum(p.numel() for _, p in named), "steps_planned": total_steps})
    logger.info("training %s (%d tensors, %d parameters) on %d videos of %d classes, %d steps",
                s.train, len(named), sum(p.numel() for _, p in named), len(train_list),
                len(train_list.class_names), total_steps)

    skipped = SkippedVideos(per_rank, s.max_skipped)
    budget = s.max_minutes * 60 if s.max_minutes else None
    t0, steps_run, stop_reason = time.monotonic(), 0, None
    epoch_stats: dict[str, float] = {}
    val_metrics: dict[str, Any] = {}
    dummy = None
    while prog["epoch"] < s.epochs and stop_reason is None:
        epoch = prog["epoch"]
        order = epoch_order(len(train_list), epoch, s.seed, info)
        dataset.epoch = epoch
        loader = make_loader(dataset, s.batch_size, num_workers=s.num_workers,
                             sampler=ListSampler(order[prog["micro"] * s.batch_size:]))
        sums = torch.zeros(3, dtype=torch.float64)  # loss * n, correct, n
        bar = tqdm(loader, desc=f"epoch {epoch + 1}/{s.epochs}", disable=None if info.is_main else True,
                   initial=prog["micro"], total=micro_per_epoch)
        for batch in bar:
            skipped.add(batch["failed"])
            micro = prog["micro"]
            weight = 1.0
            if batch["x"] is None:  # every clip of this batch failed: a zero-weight step keeps DDP in lockstep
                x, y, weight = dummy if dummy is not None else (None, None, 0.0)
                if x is None:
                    s_ = model.config.image_size
                    x, y = torch.zeros(1, s.frames, 3, s_, s_), torch.zeros(1, dtype=torch.long)
                weight = 0.0
            else:
                x, y = batch["x"], batch["labels"]
                dummy = (x[:1], y[:1], 0.0)
            x, y = x.to(info.device, non_blocking=True), y.to(info.device)
            boundary = (micro + 1) % s.accum == 0 or micro + 1 == micro_per_epoch
            sync = contextlib.nullcontext() if boundary or not info.enabled else net.no_sync()
            with sync:
                with autocast(info.device, s.amp):
                    out = net(x, class_emb, entity_emb, r=r)  # Gumbel alignment (train mode)
                loss = F.cross_entropy(out.logits.float(), y)
                scaler.scale(loss * weight / s.accum).backward()
            if weight:
                sums += torch.tensor([loss.item() * len(y), (out.logits.argmax(-1) == y).sum().item(), len(y)],
                                     dtype=torch.float64)
            prog["micro"] = micro + 1
            if not boundary:
                continue
            step = prog["step"]
            factor = lr_factor(step, total_steps, warmup_steps)
            for g in optimizer.param_groups:
                g["lr"] = g["base_lr"] * factor
            scaler.unscale_(optimizer)
            if s.clip_grad > 0:
                torch.nn.utils.clip_grad_norm_([p for _, p in named], s.clip_grad)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            prog["step"] = step + 1
            steps_run += 1
            elapsed, too_many = all_reduce([time.monotonic() - t0, float(skipped.too_many())], info, op="max")
            if too_many:  # every process stops together
                skipped.check()
                raise DatasetError(f"more than {s.max_skipped:.0%} of the videos of another process could not be "
                                   "read; see its warnings")
            if budget:  # shorten the cosine so that it ends inside the budget (same numbers on every rank)
                fit = prog["step"] + int((budget - elapsed) / (elapsed / steps_run))
                total_steps = max(prog["step"] + 1, min(total_steps, fit)) if steps_run >= 3 else total_steps
            if prog["step"] % s.log_every == 0:
                n = max(sums[2].item(), 1)
                rec = {"event": "step", "epoch": epoch, "step": prog["step"], "loss": sums[0].item() / n,
                       "train_top1": sums[1].item() / n, "lr": s.lr * factor, "elapsed_s": round(elapsed, 2)}
                log.write(rec)
                bar.set_postfix(loss=f"{rec['loss']:.3f}", lr=f"{rec['lr']:.2e}")
            if budget and elapsed >= budget:
                stop_reason = f"time budget of {s.max_minutes:g} min reached"
                break
        bar.close()
        sums = torch.tensor(all_reduce(sums.tolist(), info), dtype=torch.float64)
        n = max(sums[2].item(), 1)
        epoch_stats = {"train_loss": sums[0].item() / n, "train_top1": sums[1].item() / n}
        if stop_reason is None:
            prog["epoch"], prog["micro"] = epoch + 1, 0
        last = prog["epoch"] >= s.epochs or stop_reason is not None
        if val_list is not None and (last or prog["epoch"] % s.val_every == 0):
            val_metrics = evaluate(model, val_list, views=s.val_views, num_frames=s.frames, batch_size=s.batch_size,
                                   num_workers=s.num_workers, r=r, info=info, amp=s.amp, max_skipped=s.max_skipped,
                                   desc="validation")
        record = {"event": "epoch", "epoch": epoch, "step": prog["step"], **epoch_stats,
                  **{f"val_{k}": v for k, v in val_metrics.items()}, "elapsed_s": round(time.monotonic() - t0, 2)}
        log.write(record)
        logger.info("epoch %d: %s", epoch + 1, ", ".join(f"{k} {v:.4f}" for k, v in record.items()
                                                          if isinstance(v, float)))
        if info.is_main:
            model.config.adapter_trained = True
            save_checkpoint(model, out_dir / RESUME_DIR)
            save_state(out_dir / RESUME_DIR, optimizer, named, prog, fp, scaler)
        barrier(info)
    n_skipped = int(all_reduce([len(skipped)], info)[0])
    skipped.check(n_skipped, len(train_list))

    elapsed = time.monotonic() - t0
    metrics = {**epoch_stats, **{f"val_{k}": v for k, v in val_metrics.items() if isinstance(v, (int, float))}}
    training = {"data": train_list.describe() | {"shots": s.shots, "seed": s.seed},
                "validation": val_list.describe() if val_list else None, "start_model": spec,
                "settings": {k: v for k, v in s.to_dict().items() if k not in ("data", "val", "out", "resume")},
                "world_size": info.world_size, "device": str(info.device), "epochs_done": prog["epoch"],
                "steps": prog["step"], "minutes_this_run": round(elapsed / 60, 2), "stopped": stop_reason or "completed",
                "skipped_videos": n_skipped, "text_tower": "frozen (cached entity and class embeddings)"}
    model.config.adapter_trained = True
    if info.is_main:
        save_checkpoint(model, out_dir, card_extra={"training": training, "metrics": metrics})
        log.write({"event": "end", "metrics": metrics, "stopped": training["stopped"], "elapsed_s": round(elapsed, 2)})
        logger.info("saved the trained model to %s (%s)", out_dir, training["stopped"])
    barrier(info)
    model.eval()
    return {"out": str(out_dir), "rank": info.rank, "world_size": info.world_size, "epochs_done": prog["epoch"],
            "steps": prog["step"], "stopped": training["stopped"], "minutes": round(elapsed / 60, 2),
            "num_videos": len(train_list), "num_classes": len(train_list.class_names), "skipped": n_skipped,
            **metrics}
