"""`alt world pretrain`: train the ALT World CLIP from scratch on rendered frames and their captions.

Objective, per step of B frames (batch `make_batch(seed, step)`, alt/world/pretrain_data.py):

    loss = ClipLoss(cls_emb, caption_emb, exp(logit_scale))          # open_clip's own contrastive loss
         + dense_weight * dense region-text loss
         + position_weight * region-position read-out loss
         + uniformity_weight * uniformity of random token texts' embeddings

The image side is ALT's own region-aware encoder (`alt.model.encoder.encode_frames`, token merging with
r drawn from `merge_r` in turn, so the tower is trained as ALT runs it at every r it offers); `cls_emb`
is its class token in the joint space. **Extra supervision (documented):** the dense loss classifies
every region token's joint-space embedding (ln_post + proj, exactly what ALT aligns) among the text
embeddings of the 26 world entities ("{unit}: {description}", the model's corpus texts, encoded by the
text tower in the same step, with gradient), with the CLIP logit scale; the target of a region is the
distribution of its patches' labels (`patch_labels`: the entity under most of the patch, things
weighted 3x), and a patch of a thing (object or body part) weighs `THING_LOSS` times a scene patch in the
mean, since things hold about a tenth of the patches. This is what makes the entity-to-region alignment
point at the right things; captions alone only teach the class token. **Second extra supervision:**
a linear read-out (D -> 2, trained alongside and thrown away) must recover every region's centre (x, y)
from its normalised joint-space embedding. A web-trained CLIP's tokens keep where they are; without this,
captions and entity labels (and the flips) teach the world CLIP to forget it, and ALT's adapter, which sees
regions only through their embeddings, could not tell "walking left" from "walking right".
**Third:** a uniformity term (Wang and Isola 2020) spreads the text embeddings of random BPE token
sequences over the sphere, so that words the world's captions never use ("left", "rising", "leaving")
still move a class name's embedding, as they do in a web-trained text tower; without it "a ball rising" and
"a ball falling" embed almost identically (cosine 0.99), which leaves the adapter's class head no margin.
Half of the captions are also cut to random spans (alt/world/pretrain_data.py).

Deterministic: a fixed torch seed, numpy-seeded batches, `torch.use_deterministic_algorithms(True)` and a
fixed thread count give the same weights for the same settings on the same machine (float sums may differ
across CPU types or thread counts). The result is an ALT checkpoint folder (config, float16 safetensors,
the world corpus, README) with an untrained adapter, plus `pretrain_log.jsonl` and `pretrain.json`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from open_clip.loss import ClipLoss

from alt.model.encoder import encode_frames
from alt.world.catalog import ENTITIES, ENTITY_SPECS, WorldError
from alt.world.model import IMAGE_SIZE, new_world_model
from alt.world.pretrain_data import make_batch, random_token_texts

logger = logging.getLogger(__name__)

LOG_FILE = "pretrain_log.jsonl"
THING_LOSS = 4.0  # dense-loss weight of a thing's patch (objects, body parts) against a scene region's 1
THING_LOSS_WEIGHTS = torch.tensor([1.0 if ENTITY_SPECS[e].kind == "scene" else THING_LOSS for e in ENTITIES])  # [E]
SUMMARY_FILE = "pretrain.json"


@dataclass
class PretrainSettings:
    """Everything a pretraining run depends on (saved in pretrain.json and the model card)."""

    out: str  # output folder (the checkpoint, pretrain_log.jsonl, pretrain.json)
    steps: int = 800  # optimizer steps
    batch_size: int = 64  # frames (and captions) per step
    lr: float = 2e-3  # peak AdamW learning rate (linear warm-up, then cosine to 0)
    warmup: float = 0.05  # warm-up, fraction of the steps
    weight_decay: float = 0.1  # on matrices only (not on norms, biases, embeddings' gains, logit scale)
    dense_weight: float = 1.0  # weight of the dense region-text loss
    position_weight: float = 1.0  # weight of the region-position read-out loss
    uniformity_weight: float = 0.1  # weight of the text tower's uniformity term on random token texts
    merge_r: list[int] = field(default_factory=lambda: [0, 4, 8, 12])  # r of step s: merge_r[s % len]
    seed: int = 0  # weights and batches
    threads: int = 2  # torch CPU threads (part of what makes the run reproducible)
    log_every: int = 10  # steps between log lines

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(s: PretrainSettings) -> None:
    if s.steps < 1 or s.batch_size < 2 or s.threads < 1 or s.log_every < 1:
        raise WorldError("need steps >= 1, batch_size >= 2 (contrastive pairs), threads >= 1, log_every >= 1")
    if not s.lr > 0 or not 0 <= s.warmup < 1 or min(s.weight_decay, s.dense_weight, s.position_weight,
                                                      s.uniformity_weight) < 0:
        raise WorldError("need lr > 0, 0 <= warmup < 1, and non-negative weight decay and loss weights")
    if not s.merge_r or min(s.merge_r) < 0:
        raise WorldError(f"merge_r must list tokens merged per layer (>= 0), got {s.merge_r}")


def lr_at(step: int, s: PretrainSettings) -> float:
    """Linear warm-up, then cosine decay to zero."""
    warm = max(1, int(s.warmup * s.steps))
    if step < warm:
        return s.lr * (step + 1) / warm
    return 0.5 * s.lr * (1 + math.cos(math.pi * (step - warm) / max(1, s.steps - warm)))


def _param_groups(clip: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """open_clip's convention: no weight decay on 1-d tensors (norms, biases, gains) and the logit scale."""
    decay, rest = [], []
    for name, p in clip.named_parameters():
        (rest if p.ndim < 2 or "logit_scale" in name else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


def dense_loss(region_emb: torch.Tensor, source: torch.Tensor, labels: torch.Tensor, entity_emb: torch.Tensor,
               scale: torch.Tensor, weights: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Region-text cross-entropy against each region's patch-label distribution, per patch.

    Args:
        region_emb: joint-space region embeddings. [B, R, D]
        source: which patches each region holds (0/1). [B, R, P]
        labels: entity of every patch. int64 [B, P]
        entity_emb: normalised entity text embeddings. [E, D]
        scale: logit scale (scalar).
        weights: weight of every entity's patches (default: all 1). [E]
    Returns:
        the loss (weighted mean over patches) and the patch accuracy of the regions' argmax entity (scalar).
    """
    logits = scale * F.normalize(region_emb, dim=-1) @ entity_emb.T  # [B, R, E]
    onehot = F.one_hot(labels, entity_emb.shape[0]).to(logits.dtype)  # [B, P, E]
    if weights is not None:
        onehot = onehot * weights.to(onehot.dtype)  # each patch carries its label's weight
    counts = source @ onehot  # [B, R, E] (weighted) patches of each label in each region
    loss = -(counts * logits.log_softmax(-1)).sum() / onehot.sum()  # weighted mean over patches
    region_of = source.argmax(1)  # [B, P] the region holding each patch
    pred = logits.argmax(-1).gather(1, region_of)  # [B, P]
    return loss, (pred == labels).float().mean()


def position_loss(region_emb: torch.Tensor, source: torch.Tensor, head: torch.nn.Linear) -> torch.Tensor:
    """Mean squared error of a linear read-out of every region's (x, y) centre, per patch.

    Args:
        region_emb: joint-space region embeddings. [B, R, D]
        source: which patches each region holds (0/1), patches row-major on a square grid. [B, R, P]
        head: D -> 2 linear read-out (trained with the model, never saved).
    Returns:
        the loss (scalar); a constant guess scores about 0.67 (x and y uniform in [-1, 1]).
    """
    g = math.isqrt(source.shape[-1])
    centre = (torch.arange(g, dtype=source.dtype) + 0.5) / g * 2 - 1  # [G]
    coords = torch.stack(torch.meshgrid(centre, centre, indexing="xy"), -1).reshape(-1, 2)  # [P, 2] (x, y)
    size = source.sum(-1, keepdim=True)  # [B, R, 1]
    target = (source @ coords) / size.clamp_min(1)  # [B, R, 2] centroid of each region's patches
    err = (head(F.normalize(region_emb, dim=-1)) - target).pow(2).sum(-1, keepdim=True)  # [B, R, 1]
    return (err * size).sum() / size.sum()


def _step(model, batch, entity_tokens: torch.Tensor, random_texts: torch.Tensor, r: int, s: PretrainSettings,
          closs: ClipLoss, head: torch.nn.Linear) -> dict[str, Any]:
    """Forward and backward of one batch; returns float metrics."""
    cfg = model.config
    x = batch.pixels(cfg.image_mean, cfg.image_std)  # [B, 3, S, S]
    tokens = encode_frames(model.clip.visual, x, r, cfg.proportional_attention)  # FrameTokens over [B, ...]
    caption_emb = F.normalize(model.clip.encode_text(model.tokenizer(batch.captions)), dim=-1)  # [B, D]
    entity_emb = F.normalize(model.clip.encode_text(entity_tokens), dim=-1)  # [E, D]
    scale = model.clip.logit_scale.exp()
    contrastive = closs(F.normalize(tokens.cls_emb, dim=-1), caption_emb, scale)
    dense, acc = dense_loss(tokens.region_emb, tokens.source, torch.from_numpy(batch.labels), entity_emb, scale,
                            THING_LOSS_WEIGHTS)
    pos = position_loss(tokens.region_emb, tokens.source, head)
    loss = contrastive + s.dense_weight * dense + s.position_weight * pos
    rec = {"clip_loss": contrastive.item(), "dense_loss": dense.item(), "dense_acc": acc.item(),
           "position_loss": pos.item(), "logit_scale": scale.item(), "r": r}
    if s.uniformity_weight > 0:
        random_emb = F.normalize(model.clip.encode_text(random_texts), dim=-1)  # [K, D]
        unif = uniformity(random_emb)
        loss = loss + s.uniformity_weight * unif
        rec["uniformity"] = unif.item()
    loss.backward()
    return {"loss": loss.item(), **rec}


def uniformity(emb: torch.Tensor, t: float = 2.0) -> torch.Tensor:
    """Wang and Isola's uniformity: log of the mean of exp(-t * squared distance) over distinct pairs.

    Args:
        emb: L2-normalised embeddings. [K, D]
    """
    sq = (2 - 2 * emb @ emb.T).clamp_min(0)  # [K, K] squared distances of unit vectors
    off = ~torch.eye(emb.shape[0], dtype=torch.bool)
    return torch.logsumexp(-t * sq[off], dim=0) - math.log(int(off.sum()))


def pretrain(s: PretrainSettings, progress: Callable[[int, dict], None] | None = None) -> dict[str, Any]:
    """Run the pretraining `s` describes and save the checkpoint into `s.out`. Returns the summary.

    Raises:
        WorldError: settings that cannot work.
    """
    _check(s)
    out = Path(s.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(s.threads)
    torch.use_deterministic_algorithms(True)
    try:
        with torch.random.fork_rng(devices=[]):
            return _run(s, out, progress)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(det)


def _run(s: PretrainSettings, out: Path, progress: Callable[[int, dict], None] | None) -> dict[str, Any]:
    model = new_world_model(s.seed)
    model.train()
    torch.manual_seed(s.seed)
    clip = model.clip
    head = torch.nn.Linear(model.config.embed_dim, 2)  # the position read-out: trained here, never saved
    groups = _param_groups(clip, s.weight_decay)
    groups[0]["params"].append(head.weight)
    groups[1]["params"].append(head.bias)
    opt = torch.optim.AdamW(groups, lr=s.lr, betas=(0.9, 0.98), eps=1e-6)
    closs = ClipLoss()
    entity_tokens = model.tokenizer(model.corpus.texts())  # [E, ctx]
    log_path = out / LOG_FILE
    load0 = os.getloadavg()
    header = {"event": "start", "settings": s.to_dict(), "config": model.config.to_dict(), "load_avg": load0,
              "torch": torch.__version__, "cpu_count": os.cpu_count()}
    lines = [json.dumps(header)]
    t0, cpu0 = time.perf_counter(), time.process_time()
    data_s = 0.0
    first = last = None
    for step in range(s.steps):
        tick = time.perf_counter()
        batch = make_batch(s.seed, step, s.batch_size, size=IMAGE_SIZE)
        data_s += time.perf_counter() - tick
        for group in opt.param_groups:
            group["lr"] = lr_at(step, s)
        opt.zero_grad(set_to_none=True)
        texts = random_token_texts(s.seed, step, s.batch_size // 2, entity_tokens.shape[1])  # [B/2, ctx]
        rec = _step(model, batch, entity_tokens, texts, s.merge_r[step % len(s.merge_r)], s, closs, head)
        opt.step()
        with torch.no_grad():
            clip.logit_scale.clamp_(0, math.log(100))  # as open_clip's training does
        first = first or rec
        last = rec
        if step % s.log_every == 0 or step == s.steps - 1:
            rec = {"event": "step", "step": step, **{k: round(v, 5) for k, v in rec.items()}, "lr": lr_at(step, s),
                   "elapsed_s": round(time.perf_counter() - t0, 2)}
            lines.append(json.dumps(rec))
            log_path.write_text("\n".join(lines) + "\n")
            logger.info("step %d/%d loss %.4f (clip %.4f, dense %.4f, dense acc %.3f)", step, s.steps,
                        rec["loss"], rec["clip_loss"], rec["dense_loss"], rec["dense_acc"])
            if progress is not None:
                progress(step, rec)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    summary = {"steps": s.steps, "frames_seen": s.steps * s.batch_size, "wall_s": round(wall, 1),
               "cpu_s": round(cpu, 1), "data_s": round(data_s, 1), "load_avg_start": load0,
               "load_avg_end": os.getloadavg(), "first": first, "last": last, "settings": s.to_dict()}
    lines.append(json.dumps({"event": "end", **summary}))
    log_path.write_text("\n".join(lines) + "\n")
    _save(model, out, summary)
    return summary


def _save(model, out: Path, summary: dict[str, Any]) -> None:
    """float16 weights (half the bytes; loading casts back), the world corpus and a short card."""
    from alt.world.card import pretrain_card

    model.eval()
    model.half()
    model.save_pretrained(out)
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    (out / "README.md").write_text(pretrain_card(model.config, summary))
    logger.info("saved the pretrained ALT World CLIP to %s (%.1f min)", out, summary["wall_s"] / 60)
