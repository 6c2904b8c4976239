"""Encoder outputs kept in memory while the image tower is frozen.

The region-aware encoder treats every frame on its own (token merging never crosses frames), so with
`--train adapter` a frame gives the same encoder output in every epoch. `TokenCache` keeps it on the CPU:

- without temporal jitter, a clip's T frames are the same in every epoch: the cache keeps each clip's output
  after the first epoch, and later epochs skip decoding and the image tower (on the tiny model this halves
  the step time; README.md, Training);
- with jitter (the default), each epoch draws a frame inside each of T segments: `fill_every_frame` encodes
  every frame of every training video once, before the first epoch, and each epoch then gathers its draws
  from the cache (`sample_indices` with the seed the decoding path uses, so the draws are the same). It is
  used only when the videos have at most about `EVERY_FRAME_EPOCHS` epochs' worth of frames in all.

It turns itself off when the dataset's tokens would not fit in `max_bytes`, and is never used under
torchrun (DistributedDataParallel must run the whole forward).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from alt.model.encoder import FrameTokens
from alt.video.sampling import sample_indices

if TYPE_CHECKING:
    from alt.training.annotations.videolist import VideoList

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 ** 3  # at most 2 GiB of cached encoder output
EVERY_FRAME_EPOCHS = 0.5  # encode every frame only if that costs at most this share of the run's planned frames


class TokenCache:
    """Per-video encoder output of a training set.

    Args:
        num_videos: N, the dataset's size.
        enabled: whether caching is allowed at all (frozen tower, no jitter, one process).
        max_bytes: the most memory the cache may use; checked on the first batch.
    """

    def __init__(self, num_videos: int, enabled: bool, max_bytes: int = MAX_BYTES) -> None:
        self.num_videos, self.enabled, self.max_bytes = num_videos, enabled, max_bytes
        self.items: dict[int, tuple[torch.Tensor, ...]] = {}  # index -> (cls, regions, size, source), each [F, ...]
        self.draw: tuple[int, int] | None = None  # (T, seed) when items hold every frame and epochs draw T

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

    def get(self, indices: list[int], device: torch.device, epoch: int = 0) -> FrameTokens:
        """The cached output of `indices`, on `device` (with every frame cached: epoch `epoch`'s jittered
        draw of T frames per clip). FrameTokens over [B*T, ...]"""
        picks = [self._frames(int(i), epoch) for i in indices]
        cls_emb, region_emb, size, source = (torch.cat([self.items[int(i)][k][f] for i, f in zip(indices, picks)])
                                             .to(device) for k in range(4))
        return FrameTokens(cls_emb=cls_emb, region_emb=region_emb, size=size, source=source)

    def _frames(self, index: int, epoch: int) -> slice | torch.Tensor:
        """Which cached frames a clip gives in `epoch`: all of them, or the jittered draw the decoding path
        would make (`load_video(..., jitter=True, seed=[seed, epoch, index])`)."""
        if self.draw is None:
            return slice(None)
        num_frames, seed = self.draw
        total = len(self.items[index][0])
        return torch.from_numpy(sample_indices(total, num_frames, jitter=True, rng=np.random.default_rng(
            [seed, epoch, index])))

    def fill_every_frame(self, videos: VideoList, model: Any, r: int, num_frames: int, seed: int,
                         planned_epochs: float, device: torch.device, num_workers: int = 0) -> list[tuple[int, str]]:
        """Encode every frame of every training video once, so that jittered epochs read the cache.

        Skipped (the cache stays off) when the videos hold more frames than EVERY_FRAME_EPOCHS x the
        frames the run would decode (`planned_epochs` x videos x T), or when they would not fit in
        `max_bytes`. Returns the videos that could not be read, as (index, message).
        """
        from tqdm.auto import tqdm

        from alt.errors import VideoError
        from alt.training.data import worker_count
        from alt.video.load import frame_count

        counts = {}
        for i, path in enumerate(videos.paths):
            try:
                counts[i] = frame_count(path)
            except (VideoError, OSError):
                counts[i] = num_frames  # read (and reported) below
        wanted, budget = sum(counts.values()), EVERY_FRAME_EPOCHS * planned_epochs * len(videos) * num_frames
        if min(counts.values(), default=0) < 1 or wanted > budget:
            logger.info("not caching every frame: %d frames to encode, more than %.0f (%.1f epochs' worth)",
                        wanted, budget, EVERY_FRAME_EPOCHS * planned_epochs)
            return []
        loader = torch.utils.data.DataLoader(_EveryFrame(videos, model.transform, counts), batch_size=None,
                                             num_workers=worker_count(num_workers, len(videos)))
        failed = []
        with torch.no_grad():
            for item in tqdm(loader, desc="encoding every frame once", total=len(videos), disable=None):
                if item["x"] is None:
                    failed.append((item["index"], item["error"]))
                    continue
                tokens = model.encode_frames(item["x"].to(device), r)  # FrameTokens over [F, ...]
                parts = [t.detach().cpu() for t in (tokens.cls_emb, tokens.region_emb, tokens.size,
                                                      tokens.source.to(torch.uint8))]
                if sum(p.nbytes for p in parts) * len(videos) > self.max_bytes:
                    logger.info("not caching every frame: it would take more than %.1f GiB (--cache-gb)", self.max_bytes / 1024 ** 3)
                    self.items.clear()
                    return []
                self.items[int(item["index"])] = tuple(parts)
        self.enabled, self.draw = True, (num_frames, seed)
        logger.info("encoded every frame of %d videos once (%d frames): epochs draw their jittered frames from "
                    "the cache", len(self.items), wanted)
        return failed


class _EveryFrame(torch.utils.data.Dataset):
    """Every frame of each video, preprocessed for the encoder: items {x [F, 3, S, S] or None, index, error}."""

    def __init__(self, videos: VideoList, transform: Any, counts: dict[int, int]) -> None:
        self.videos, self.transform, self.counts = videos, transform, counts

    def __len__(self) -> int:
        return len(self.videos)

    def __getitem__(self, i: int) -> dict[str, Any]:
        from alt.errors import VideoError
        from alt.model.preprocess import preprocess
        from alt.video.load import load_video

        path = self.videos.paths[i]
        try:  # segment centres with T = F: frame k of the file is frame k of the clip
            clip = load_video(path, self.counts[i])
            return {"x": preprocess(self.transform, clip.frames)[1], "index": i, "error": None}
        except (VideoError, OSError, ValueError) as exc:
            return {"x": None, "index": i, "error": f"{path}: {exc}"}
