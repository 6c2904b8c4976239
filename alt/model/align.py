"""Entity-to-region alignment and query grouping (PAPER.md, step 3).

Every region picks its single best entity: in training with a straight-through Gumbel-Softmax (hard
one-hot forward, soft gradients backward), in evaluation with a plain argmax, so explanations are
deterministic. Regions of one frame that picked the same entity then share one adapter query (the
mean of their picked entity embeddings), which keeps the adapter cheap.

Letters: B clips, T frames, R regions, E entities, D joint dim, Q queries (padded per batch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class Alignment:
    """Result of aligning regions to entities.

    Attributes:
        entity_ids: entity picked by every region. int64 [B, T, R]
        scores: cosine similarity of every region to its picked entity. [B, T, R]
        picked: embedding of the picked entity (carries Gumbel gradients in training). [B, T, R, D]
        topk_ids, topk_scores: every region's k most similar entities and their cosines, best first
            (evaluation only; the first column is the pick). [B, T, R, k]
        agree: training only: fraction of regions whose sampled entity is their argmax, the entity
            evaluation picks. scalar
    """

    entity_ids: torch.Tensor
    scores: torch.Tensor
    picked: torch.Tensor
    topk_ids: torch.Tensor | None = None
    topk_scores: torch.Tensor | None = None
    agree: torch.Tensor | None = None


@dataclass
class Queries:
    """Adapter queries: one per (clip, frame, entity) that some region of that frame aligned to.

    Attributes:
        emb: mean picked entity embedding of the group, zero where padded. [B, Q, D]
        mask: True for real queries. bool [B, Q]
        frame: frame of each query (0 where padded). int64 [B, Q]
        entity: entity of each query (-1 where padded). int64 [B, Q]
    """

    emb: torch.Tensor
    mask: torch.Tensor
    frame: torch.Tensor
    entity: torch.Tensor


class EntityAligner(nn.Module):
    """Cosine similarity times a learnable scale, then a hard pick per region."""

    def __init__(self, logit_scale: float, gumbel_tau: float = 1.0, gumbel_noise: float = 1.0) -> None:
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor(math.log(logit_scale)))
        self.gumbel_tau = gumbel_tau
        # multiplier of the Gumbel noise in training picks: 1 is the paper's Gumbel-Softmax, 0 picks the
        # argmax as evaluation does (straight-through softmax gradient); `alt train` anneals it per step
        self.gumbel_noise = gumbel_noise

    def forward(self, region_emb: torch.Tensor, entity_emb: torch.Tensor, stochastic: bool,
                top_k: int = 0) -> Alignment:
        """Align regions to entities.

        Args:
            region_emb: region embeddings. [B, T, R, D]
            entity_emb: L2-normalised entity embeddings. [E, D]
            stochastic: Gumbel-Softmax straight-through (training) instead of argmax.
            top_k: also return each region's k most similar entities (evaluation only).
        """
        with torch.autocast(device_type=region_emb.device.type, enabled=False):  # the picks: float32, never bf16
            region_n = F.normalize(region_emb.float(), dim=-1)
            cos = region_n @ entity_emb.float().T  # [B, T, R, E] float32
        top_ids = top_scores = None  # [B, T, R, k], evaluation with top_k only
        agree = None
        if stochastic and self.gumbel_noise == 0 and not region_emb.requires_grad:
            # noise-free picks are the argmax, and with a frozen image tower the straight-through gradient
            # would reach only log_scale, which then changes nothing: skip the dense [B, T, R, E] sample
            ids = cos.argmax(dim=-1)  # [B, T, R]
            agree = torch.ones((), device=cos.device)
            picked = entity_emb[ids].to(region_emb.dtype)  # [B, T, R, D]
        elif stochastic:
            onehot, ids = self._sample(cos)  # [B, T, R, E], [B, T, R]
            agree = (ids == cos.argmax(dim=-1)).float().mean().detach()  # how often the pick is eval's pick
            picked = onehot @ entity_emb.to(onehot.dtype)  # [B, T, R, D], gradient through the soft sample
        elif top_k:
            # one ranking gives the top-k and the pick (its column 0, by construction); the stable sort
            # breaks exact ties by the lower entity index on every device, like argmax below
            top_scores, top_ids = stable_topk(cos, top_k)  # [B, T, R, k]
            ids = top_ids[..., 0]  # [B, T, R]
            picked = entity_emb[ids].to(region_emb.dtype)  # [B, T, R, D]
        else:
            ids = cos.argmax(dim=-1)  # [B, T, R], the first maximum on ties (documented torch rule)
            picked = entity_emb[ids].to(region_emb.dtype)  # [B, T, R, D]
        scores = cos.gather(-1, ids[..., None])[..., 0]  # [B, T, R]
        return Alignment(entity_ids=ids, scores=scores, picked=picked, topk_ids=top_ids, topk_scores=top_scores,
                         agree=agree)

    def _sample(self, cos: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Straight-through Gumbel pick: hard one-hot of argmax(scale * cos + noise * g) forward, the
        gradient of softmax((scale * cos + noise * g) / tau) backward; g ~ Gumbel(0, 1).

        With noise 1 this is `F.gumbel_softmax(scale * cos, tau, hard=True)` (the paper); with noise 0 the
        pick is the argmax that evaluation uses.

        Args:
            cos: region-entity cosines, float32. [B, T, R, E]
        Returns:
            one-hot picks carrying the soft gradient [B, T, R, E] and the picked ids [B, T, R].
        """
        logits = cos * self.log_scale.exp()  # [B, T, R, E]
        if self.gumbel_noise > 0:
            gumbel = -torch.empty_like(logits).exponential_().log()  # Gumbel(0, 1)
            logits = logits + self.gumbel_noise * gumbel
        soft = (logits / self.gumbel_tau).softmax(dim=-1)  # [B, T, R, E]
        ids = logits.argmax(dim=-1)  # [B, T, R]
        hard = F.one_hot(ids, cos.shape[-1]).to(soft.dtype)
        return hard - soft.detach() + soft, ids


def stable_topk(values: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first k columns of `values.sort(dim=-1, descending=True, stable=True)` (ties: lower index first),
    without sorting whole rows: `topk(k + 1)`, then a full stable sort only for the rows where a tie among
    those k + 1 could make topk's choice or order differ (rare; NaNs count as ties). [..., E] -> [..., k] each
    """
    if k + 1 > values.shape[-1]:
        top_v, top_i = values.sort(dim=-1, descending=True, stable=True)
        return top_v[..., :k], top_i[..., :k]
    top_v, top_i = values.topk(k + 1, dim=-1)  # [..., k+1], sorted, largest first
    clear = (top_v[..., :-1] > top_v[..., 1:]).all(dim=-1)  # strictly decreasing: the first k are unique
    top_v, top_i = top_v[..., :k], top_i[..., :k]
    if not bool(clear.all()):
        tied = ~clear
        sorted_v, sorted_i = values[tied].sort(dim=-1, descending=True, stable=True)  # [n, E]
        top_v[tied], top_i[tied] = sorted_v[..., :k], sorted_i[..., :k]
    return top_v, top_i


def group_queries(alignment: Alignment) -> Queries:
    """One query per (clip, frame, entity): the mean of the picked embeddings of its regions.

    Args:
        alignment: from EntityAligner.
    Returns:
        Queries padded to the largest count in the batch, ordered by frame then entity.
    """
    ids, picked = alignment.entity_ids, alignment.picked
    b, t, r = ids.shape
    d = picked.shape[-1]
    frame_of = torch.arange(t, device=ids.device).view(1, t, 1).expand(b, t, r)  # [B, T, R]
    big = int(ids.max().item()) + 1 if ids.numel() else 1
    key = (frame_of * big + ids).reshape(b, t * r)  # [B, T*R] unique per (frame, entity)
    groups = []
    for i in range(b):
        uniq, inverse = torch.unique(key[i], return_inverse=True)  # [q], [T*R]
        emb = picked.new_zeros(uniq.shape[0], d).index_add(0, inverse, picked[i].reshape(t * r, d))  # [q, D]
        count = torch.bincount(inverse, minlength=uniq.shape[0]).to(emb.dtype)  # [q]
        groups.append((uniq, emb / count[:, None]))
    q_max = max(u.shape[0] for u, _ in groups)
    emb = picked.new_zeros(b, q_max, d)
    mask = torch.zeros(b, q_max, dtype=torch.bool, device=ids.device)
    frame = torch.zeros(b, q_max, dtype=torch.long, device=ids.device)
    entity = torch.full((b, q_max), -1, dtype=torch.long, device=ids.device)
    for i, (uniq, e) in enumerate(groups):
        q = uniq.shape[0]
        emb[i, :q], mask[i, :q] = e, True
        frame[i, :q], entity[i, :q] = uniq // big, uniq % big
    return Queries(emb=emb, mask=mask, frame=frame, entity=entity)
