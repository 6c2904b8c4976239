"""TrainSettings: everything one `alt train` run depends on, checked; and which parameters train.

What trains (`train`): `adapter` (video adapter + alignment scale), `adapter+last:N` (also the last N
image-tower blocks, ln_post and the projection), or `visual` (the whole image tower). The text tower is
always frozen: entity and class-name embeddings are computed once and cached.

Recipes (`--recipe`) fill every setting left unset (None): `default` is what measurements on small
motion datasets support (README.md, Training); `paper` is the method as first implemented from the
paper (Gumbel noise 1 on the alignment, the model's own logit scales, temporal jitter, lr 1e-3, 10 epochs).
An explicit option always wins over the recipe.
"""


from __future__ import annotations

import argparse
import logging
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from torch import nn

from alt.validate import InputError

logger = logging.getLogger(__name__)

# setting -> value, for every setting a recipe decides (None in a recipe: keep the model's own value)
RECIPES: dict[str, dict[str, Any]] = {
    "default": {"epochs": None, "lr": 1.5e-3, "jitter": True, "gumbel_noise": 0.0, "gumbel_noise_end": 0.0,
                "gumbel_tau": 1.0, "align_scale": 100.0, "class_scale": 100.0, "init_std": None,
                "temporal_init": 0.1},
    "paper": {"epochs": 10, "lr": 1e-3, "jitter": True, "gumbel_noise": 1.0, "gumbel_noise_end": 1.0,
              "gumbel_tau": None, "align_scale": None, "class_scale": None, "init_std": None,
              "temporal_init": None},
}


@dataclass
class TrainSettings:
    """Everything one training run depends on (recorded in the model card and the resume state)."""

    data: str  # training folder or list file
    out: str  # output folder (the trained checkpoint, metrics.jsonl, resume/)
    model: str | None = "clip:ViT-B-16/openai"  # starting model spec (None: the --resume checkpoint's)
    labels: str | None = None  # label file for `path label_index` lists
    root: str | None = None  # folder the list's paths are relative to
    val: str | None = None  # validation folder or list file
    val_labels: str | None = None
    val_root: str | None = None
    recipe: str = "default"  # fills the settings below left at None: "default" or "paper" (RECIPES)
    epochs: int | None = None  # None: AUTO (10 epochs, at least 400 optimizer steps; schedule.auto_steps)
    max_minutes: float | None = None  # wall-clock budget of this run; warm-up and cosine are sized to fit
    shots: int | None = None  # K videos per class (few-shot), seeded
    split: int | None = None  # official split (HMDB-51, UCF-101): its train part trains, its test part validates
    seed: int = 0
    train: str = "adapter"  # adapter | adapter+last:N | visual
    lr: float | None = None  # peak learning rate of the adapter
    backbone_lr_scale: float = 0.1  # image-tower learning rate = lr * this
    weight_decay: float = 0.05
    warmup: float = 0.1  # warm-up length, as a fraction of all optimizer steps
    batch_size: int = 8  # clips per process and micro-step
    accum: int = 1  # micro-steps per optimizer step
    clip_grad: float = 1.0  # max gradient norm (0: off)
    frames: int = 8  # T per clip
    jitter: bool | None = None  # random frame inside each segment (off: segment centres, as in evaluation)
    r: int | None = None  # tokens merged per layer (default: the model's)
    gumbel_noise: float | None = None  # Gumbel noise multiplier of training picks at the start (1: paper, 0: argmax)
    gumbel_noise_end: float | None = None  # ... at the end of the schedule (cosine in between)
    gumbel_tau: float | None = None  # Gumbel-Softmax temperature of the soft gradient
    align_scale: float | None = None  # alignment logit scale set before training
    class_scale: float | None = None  # class logit scale (CLIP's logit_scale) set before training, saved
    init_std: float | None = None  # std of random weights put into the untrained adapter's zero layers
    temporal_init: float | None = None  # amplitude of the sinusoid put into untrained temporal positions
    threads: int | None = None  # CPU threads per process (None: measured, torch's default or 1, see threads.py)
    templates: list[str] | None = None  # prompt templates (default: the model's); saved in the config
    num_workers: int = 4  # DataLoader decoding processes per training process
    device: str | None = None
    amp: str = "auto"  # auto (bf16/fp16 on CUDA, off on CPU) | bf16 | fp16 | off
    resume: str | None = None  # output folder (or its resume/) of an interrupted run
    val_every: int = 1  # validate every N epochs (and at the end)
    val_views: int = 1
    log_every: int = 10  # optimizer steps between metrics.jsonl lines
    max_skipped: float = 0.2  # fraction of unreadable videos tolerated
    cache_gb: float = 2.0  # memory the frozen tower's token cache may use (0: no cache)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TrainSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in vars(args).items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def resolved(self) -> TrainSettings:
        """A copy with every setting left at None filled from `self.recipe` (see RECIPES).

        Raises:
            InputError: an unknown recipe.
        """
        if self.recipe not in RECIPES:
            raise InputError(f"--recipe {self.recipe!r}: use one of {', '.join(RECIPES)}")
        return replace(self, **{k: v for k, v in RECIPES[self.recipe].items() if getattr(self, k) is None})


def check_settings(s: TrainSettings) -> None:
    """Clear errors for settings that cannot work (call on `s.resolved()`)."""
    for name in ("epochs", "batch_size", "accum", "frames", "val_every", "val_views", "log_every", "threads"):
        if getattr(s, name) is not None and getattr(s, name) < 1:
            raise InputError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(s, name)}")
    if s.num_workers < 0:
        raise InputError("--num-workers must be >= 0")
    if any(v is not None and v < 0 for v in (s.init_std, s.temporal_init)):
        raise InputError("--init-std and --temporal-init must be >= 0")
    for name in ("align_scale", "class_scale", "gumbel_tau"):
        if getattr(s, name) is not None and not 0 < getattr(s, name) <= 1000:
            raise InputError(f"--{name.replace('_', '-')} must be in (0, 1000], got {getattr(s, name)}")
    if any(v is not None and v < 0 for v in (s.gumbel_noise, s.gumbel_noise_end)):
        raise InputError("--gumbel-noise must be >= 0 (0: the argmax pick, 1: the paper's Gumbel-Softmax)")
    if s.lr is None or not s.lr > 0 or s.weight_decay < 0 or not 0 <= s.warmup < 1 or s.backbone_lr_scale < 0:
        raise InputError("need --lr > 0, --weight-decay >= 0, 0 <= --warmup < 1, --backbone-lr-scale >= 0")
    if s.max_minutes is not None and s.max_minutes <= 0:
        raise InputError(f"--max-minutes must be positive, got {s.max_minutes}")
    if not 0 <= s.cache_gb <= 1024:
        raise InputError(f"--cache-gb must be in [0, 1024] (GiB of memory), got {s.cache_gb}")
    if not 0 <= s.max_skipped < 1:
        raise InputError("--max-skipped must be in [0, 1)")
    if s.templates is not None and (not s.templates or any("{}" not in t for t in s.templates)):
        raise InputError("--templates: give one or more templates separated by '|', each containing '{}'")
    parse_train_mode(s.train)


def parse_train_mode(mode: str) -> tuple[str, int]:
    """'adapter' -> ('adapter', 0); 'adapter+last:2' -> ('adapter', 2); 'visual' -> ('visual', 0)."""
    mode = mode.strip().lower()
    if mode in ("adapter", "visual"):
        return mode, 0
    m = re.fullmatch(r"adapter\+last:(\d+)", mode)
    if m and int(m.group(1)) >= 1:
        return "adapter", int(m.group(1))
    raise InputError(f"--train {mode!r}: use 'adapter', 'adapter+last:N' (N >= 1) or 'visual'")


def select_trainable(model: nn.Module, mode: str) -> dict[str, list[tuple[str, nn.Parameter]]]:
    """Freeze everything, then unfreeze what `mode` trains.

    Returns:
        {"adapter": [(name, param)], "backbone": [(name, param)]}; the text tower is never included.
    Raises:
        InputError: an unknown mode, or more blocks than the image tower has.
    """
    kind, last = parse_train_mode(mode)
    blocks = len(model.clip.visual.transformer.resblocks)
    if last > blocks:
        raise InputError(f"--train {mode}: the image tower has only {blocks} blocks")
    backbone_prefixes: tuple[str, ...] = ()
    if kind == "visual":
        backbone_prefixes = ("clip.visual.",)
    elif last:
        backbone_prefixes = tuple(f"clip.visual.transformer.resblocks.{i}." for i in range(blocks - last, blocks))
        backbone_prefixes += ("clip.visual.ln_post.", "clip.visual.proj")
    groups: dict[str, list[tuple[str, nn.Parameter]]] = {"adapter": [], "backbone": []}
    for name, p in model.named_parameters():
        if name.startswith(("adapter.", "aligner.")):
            groups["adapter"].append((name, p))
        elif backbone_prefixes and name.startswith(backbone_prefixes):
            groups["backbone"].append((name, p))
        p.requires_grad_(False)
    for _, p in groups["adapter"] + groups["backbone"]:
        p.requires_grad_(True)
    return groups


def param_groups(groups: dict[str, list[tuple[str, nn.Parameter]]], s: TrainSettings) -> list[dict[str, Any]]:
    """AdamW groups: adapter / backbone learning rates; no weight decay on 1-d tensors, biases,
    position tables and logit scales."""
    out = []
    for kind, lr in (("adapter", s.lr), ("backbone", s.lr * s.backbone_lr_scale)):
        decay = [p for n, p in groups[kind] if p.ndim >= 2 and not _no_decay(n)]
        rest = [p for n, p in groups[kind] if not (p.ndim >= 2 and not _no_decay(n))]
        for params, wd, tag in ((decay, s.weight_decay, "decay"), (rest, 0.0, "no_decay")):
            if params:
                out.append({"params": params, "lr": lr, "base_lr": lr, "weight_decay": wd, "name": f"{kind}.{tag}"})
    return out


def _no_decay(name: str) -> bool:
    return any(k in name for k in ("temporal_pos", "positional_embedding", "class_embedding", "log_scale"))
