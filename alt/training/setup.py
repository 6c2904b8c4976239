"""Building one `alt train` run: the model (fresh or resumed) with the recipe's logit scales, the
trainable parameters and optimizer, the schedule, the caches, the metrics log (see alt/training/loop.py).
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from alt.training.adapter_init import spread_init
from alt.training.data import ClipDataset, SkippedVideos, VideoList
from alt.training.distributed import DistInfo, epoch_order
from alt.training.evaluate import text_embeddings
from alt.training.feature_cache import TokenCache
from alt.training.schedule import Schedule, auto_steps
from alt.training.settings import TrainSettings, param_groups, select_trainable
from alt.training.state import ResumeError, check_fingerprint, fingerprint, load_state, read_state, resume_folder
from alt.training.threads import ThreadChooser
from alt.training.verdict import RunningStats
from alt.validate import check_r

logger = logging.getLogger(__name__)


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


@dataclass
class Run:
    """What one training run shares between its epochs and steps."""

    s: TrainSettings
    info: DistInfo
    model: Any  # ALTModel
    net: Any  # the model, or its DistributedDataParallel wrapper
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    named: list[tuple[str, torch.nn.Parameter]]
    class_emb: torch.Tensor  # [A, D]
    entity_emb: torch.Tensor  # [E, D]
    r: int
    schedule: Schedule
    cache: TokenCache
    threads: ThreadChooser
    log: MetricsLog
    skipped: SkippedVideos
    prog: dict[str, Any]
    micro_per_epoch: int
    t0: float = field(default_factory=time.monotonic)
    saved_at: float = field(default_factory=time.monotonic)  # when the resumable state was last written
    steps_run: int = 0
    stop_reason: str | None = None
    dummy: tuple[Any, ...] | None = None  # a readable (x, y, tokens) kept for zero-weight DDP steps
    recent: RunningStats = field(default_factory=RunningStats)  # the last epoch's worth of clips
    spec: str = ""  # the starting model's spec
    fp: dict[str, Any] = field(default_factory=dict)  # resume fingerprint


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


def _prepare_model(model, s: TrainSettings, resumed: bool) -> None:
    """Apply the recipe's starting point (a fresh run only: a resumed model keeps its own): adapter
    initialisation and logit scales; and the Gumbel temperature."""
    if s.templates:
        model.config.prompt_templates = list(s.templates)
    if not resumed:
        spread_init(model.adapter, s.init_std, s.temporal_init)
        if s.class_scale:
            model.config.class_logit_scale = float(s.class_scale)
        if s.align_scale:
            with torch.no_grad():
                model.aligner.log_scale.fill_(math.log(s.align_scale))
    if s.gumbel_tau:
        model.aligner.gumbel_tau = s.gumbel_tau


def setup_run(s: TrainSettings, info: DistInfo, train_list: VideoList, log_path: Path) -> tuple[Run, ClipDataset, Any]:
    """Model, optimizer, schedule, caches and log of a run.

    Returns:
        the Run, the training ClipDataset, and the resume state (meta, tensors) or None.
    """
    model, spec, resumed = _load(s, info)
    torch.manual_seed(s.seed + info.rank)  # the starting weights and Gumbel noise: reproducible for a --seed
    _prepare_model(model, s, resumed is not None)
    r = check_r(model.config.r if s.r is None else s.r, model.max_r)
    groups = select_trainable(model, s.train)
    named = groups["adapter"] + groups["backbone"]
    fp = fingerprint(model, spec, s.train, train_list.class_names, named)
    if resumed:
        check_fingerprint(resumed[0]["fingerprint"], fp, Path(s.resume))
    class_emb, entity_emb = text_embeddings(model, train_list.class_names)  # frozen text tower: computed once
    model.train()
    net = model
    if info.enabled:
        ids = [info.device.index] if info.device.type == "cuda" else None
        # noise-free picks with a frozen image tower skip the aligner's soft sample (alt/model/align.py), so
        # its log_scale gets no gradient on those steps: DDP must be told some parameters may go unused
        skips = not groups["backbone"] and min(s.gumbel_noise or 0.0, s.gumbel_noise_end or 0.0) == 0
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids, find_unused_parameters=skips)
    optimizer = torch.optim.AdamW(param_groups(groups, s), betas=(0.9, 0.999))
    fp16 = info.device.type == "cuda" and (s.amp == "fp16" or (s.amp == "auto" and not torch.cuda.is_bf16_supported()))
    scaler = torch.amp.GradScaler("cuda", enabled=fp16)
    per_rank = len(epoch_order(len(train_list), 0, s.seed, info))
    micro_per_epoch = math.ceil(per_rank / s.batch_size)
    steps_per_epoch = math.ceil(micro_per_epoch / s.accum)
    planned = s.epochs * steps_per_epoch if s.epochs else auto_steps(steps_per_epoch)
    schedule = Schedule(planned, s.warmup, s.max_minutes * 60 if s.max_minutes else None,
                        noise=(s.gumbel_noise, s.gumbel_noise_end))
    prog = {"epoch": 0, "step": 0, "micro": 0, "batch_size": s.batch_size, "world_size": info.world_size}
    if resumed:
        load_state(resumed[0], resumed[1], optimizer, named, scaler)
        prog.update({k: resumed[0]["progress"][k] for k in ("epoch", "step", "micro")})
        saved = resumed[0]["progress"]
        if (saved.get("batch_size"), saved.get("world_size")) != (s.batch_size, info.world_size):
            logger.warning("batch size or process count changed: the interrupted epoch restarts from its beginning")
            prog["micro"] = 0
    cache = TokenCache(len(train_list), enabled=s.train == "adapter" and not s.jitter and not info.enabled,
                       max_bytes=int(s.cache_gb * 1024 ** 3))
    run = Run(s=s, info=info, model=model, net=net, optimizer=optimizer, scaler=scaler, named=named,
              class_emb=class_emb, entity_emb=entity_emb, r=r, schedule=schedule, cache=cache,
              threads=ThreadChooser(info.device, s.threads), log=MetricsLog(log_path, info.is_main, not resumed),
              skipped=SkippedVideos(per_rank, s.max_skipped), prog=prog, micro_per_epoch=micro_per_epoch,
              recent=RunningStats(window=per_rank))
    run.spec, run.fp = spec, fp
    dataset = ClipDataset(train_list, model.transform, s.frames, train=True, jitter=s.jitter, seed=s.seed)
    return run, dataset, resumed

