"""Encoder outputs kept in memory while the image tower is frozen.

With `--train adapter` and no temporal jitter, a training clip gives the same frames, hence the same
region-aware encoder output, in every epoch. `TokenCache` keeps that output (per video, on the CPU) after
the first epoch, so later epochs skip decoding and the image tower: on the tiny model this halves the
step time (README.md, Training). It turns itself off when the dataset's tokens would not fit in
`max_bytes`, and is never used under torchrun (DistributedDataParallel must run the whole forward).
"""

from __future__ import annotations

import logging

import torch

from alt.model.encoder import FrameTokens

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 ** 3  # at most 2 GiB of cached encoder output


class TokenCache:
    """Per-video encoder output of a training set.

    Args:
        num_videos: N, the dataset's size.
        enabled: whether caching is allowed at all (frozen tower, no jitter, one process).
        max_bytes: the most memory the cache may use; checked on the first batch.
    """

    def __init__(self, num_videos: int, enabled: bool, max_bytes: int = MAX_BYTES) -> None:
        self.num_videos, self.enabled, self.max_bytes = num_videos, enabled, max_bytes
        self.items: dict[int, tuple[torch.Tensor, ...]] = {}

    def __contains__(self, index: int) -> bool:
        return index in self.items

    def covers(self, indices: list[int]) -> bool:
        """Whether every video in `indices` is cached (then an epoch needs no decoding)."""
        return self.enabled and all(i in self.items for i in indices)

    def put(self, indices: list[int], tokens: FrameTokens) -> None:
        """Store the output of a batch.

        Args:
            indices: dataset index of every clip. [B]
            tokens: the encoder output of the batch, frames flattened. FrameTokens over [B*T, ...]
        """
        if not self.enabled:
            return
        b = len(indices)
        parts = [t.detach().unflatten(0, (b, -1)).cpu() for t in  # each [B, T, ...]
                 (tokens.cls_emb, tokens.region_emb, tokens.size, tokens.source.to(torch.uint8))]
        per_clip = sum(p[0].nbytes for p in parts)
        if per_clip * self.num_videos > self.max_bytes:
            logger.info("not caching encoder outputs: %d videos x %.1f MB exceed %.1f GB", self.num_videos,
                        per_clip / 1e6, self.max_bytes / 1e9)
            self.enabled = False
            self.items.clear()
            return
        for j, i in enumerate(indices):
            self.items[int(i)] = tuple(p[j].clone() for p in parts)

    def get(self, indices: list[int], device: torch.device) -> FrameTokens:
        """The cached output of `indices`, on `device`. FrameTokens over [B*T, ...]"""
        cls_emb, region_emb, size, source = (torch.cat([self.items[int(i)][k] for i in indices]).to(device)
                                             for k in range(4))
        return FrameTokens(cls_emb=cls_emb, region_emb=region_emb, size=size, source=source)
