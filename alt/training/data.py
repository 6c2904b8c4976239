"""Video datasets for `alt train` and `alt eval`: reading them (re-exported from alt/training/annotations/)
and decoding their clips in DataLoader workers.

`open_dataset(source, ...)` reads class folders, plain lists and the benchmarks' official annotation
files (HMDB-51 split files, UCF-101 lists, Kinetics csv, Something-Something v2 JSON), recognised
from the files; see alt/training/annotations/. Videos are decoded lazily by `ClipDataset` (in
DataLoader workers); one that cannot be read is skipped with a warning and counted, and too many of
them stop the run (`SkippedVideos.check`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import torch

from alt.errors import DatasetError
from alt.training.annotations import VideoList, open_dataset, read_labels
from alt.video.decode import VideoError

__all__ = ["MAX_SKIPPED", "ClipDataset", "DatasetError", "SkippedVideos", "VideoList", "collate_clips",
           "make_loader", "open_dataset", "read_labels"]

logger = logging.getLogger(__name__)

MAX_SKIPPED = 0.2  # default: more than this fraction of unreadable videos is an error, not a warning


# ---- decoding in DataLoader workers -----------------------------------------------------------------
class ClipDataset(torch.utils.data.Dataset):
    """Decoded, preprocessed clips of a VideoList (run in DataLoader workers).

    Args:
        videos: the dataset.
        transform: open_clip's eval transform of the model (`model.transform`), picklable.
        num_frames: T.
        views: V temporal views per video (evaluation); 1 with `train`.
        train: training clips (one view).
        jitter: in training, a random frame inside each segment, reseeded per (seed, epoch, video);
            False samples segment centres, as evaluation does.
        seed: base seed for the jitter.
    Items are dicts: x [T, 3, S, S] (or [V, T, 3, S, S] when V > 1), label, index, error (str or None;
    x is None when the video could not be read).
    """

    def __init__(self, videos: VideoList, transform: Callable, num_frames: int = 8, *, views: int = 1,
                 train: bool = False, jitter: bool = True, seed: int = 0) -> None:
        self.videos = videos
        self.transform = transform
        self.num_frames, self.views, self.train, self.seed = num_frames, views, train, seed
        self.jitter = jitter
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.videos)

    def __getitem__(self, i: int) -> dict[str, Any]:
        from alt.model.preprocess import preprocess
        from alt.video.load import load_video, load_video_views

        path, label = self.videos.paths[i], self.videos.labels[i]
        try:
            if self.train:
                clips = [load_video(path, self.num_frames, jitter=self.jitter, seed=[self.seed, self.epoch, i])]
            else:
                clips = load_video_views(path, self.num_frames, self.views)
            x = torch.stack([preprocess(self.transform, c.frames)[1] for c in clips])  # [V, T, 3, S, S]
        except (VideoError, OSError, ValueError) as exc:
            return {"x": None, "label": label, "index": i, "error": f"{path}: {exc}"}
        return {"x": x if self.views > 1 else x[0], "label": label, "index": i, "error": None}


def collate_clips(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Stack the readable clips; keep the failures as (index, message) for counting."""
    good = [it for it in items if it["x"] is not None]
    return {
        "x": torch.stack([it["x"] for it in good]) if good else None,  # [B, (V,) T, 3, S, S]
        "labels": torch.tensor([it["label"] for it in good], dtype=torch.long),  # [B]
        "indices": torch.tensor([it["index"] for it in good], dtype=torch.long),  # [B]
        "failed": [(it["index"], it["error"]) for it in items if it["x"] is None],
    }


class SkippedVideos:
    """Counts unreadable videos (once each, with a warning) and says when there are too many."""

    def __init__(self, total: int, max_fraction: float = MAX_SKIPPED) -> None:
        self.total, self.max_fraction = total, max_fraction
        self.failed: dict[int, str] = {}

    def add(self, failed: list[tuple[int, str]]) -> None:
        for i, msg in failed:
            if i not in self.failed:
                logger.warning("skipping unreadable video %s", msg)
                self.failed[i] = msg

    def too_many(self, count: int | None = None, total: int | None = None) -> bool:
        """More than max_fraction of `total` videos failed (default: this process's own counts)."""
        count = len(self.failed) if count is None else count
        return count > self.max_fraction * (self.total if total is None else total)

    def check(self, count: int | None = None, total: int | None = None) -> None:
        """Raise DatasetError when `too_many`."""
        if self.too_many(count, total):
            n = len(self.failed) if count is None else count
            example = next(iter(self.failed.values()), "see the warnings of the other processes")
            raise DatasetError(f"{n} of {self.total if total is None else total} videos could not be read (more "
                               f"than {self.max_fraction:.0%}), e.g. {example}. Check the files or raise --max-skipped")

    def __len__(self) -> int:
        return len(self.failed)


def worker_count(num_workers: int, batches: int) -> int:
    """DataLoader workers to start: `num_workers`, but at most one per CPU core this process may use, and
    none without a batch to decode."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if num_workers > min(cores, batches):
        logger.info("decoding in %d DataLoader workers, not %d (%d CPU cores, %d batches)", min(cores, batches),
                    num_workers, cores, batches)
        return min(cores, batches)
    return num_workers


def make_loader(dataset: ClipDataset, batch_size: int, *, num_workers: int = 0, sampler=None,
                shuffle: bool = False, seed: int = 0) -> torch.utils.data.DataLoader:
    """A DataLoader that decodes in `num_workers` processes (at most one per CPU core this process may use)
    and tolerates unreadable videos."""
    num_workers = worker_count(num_workers, -(-len(sampler if sampler is not None else dataset) // batch_size))
    gen = torch.Generator().manual_seed(seed) if shuffle and sampler is None else None
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle if sampler is None else False, sampler=sampler,
        num_workers=num_workers, collate_fn=collate_clips, generator=gen, pin_memory=torch.cuda.is_available(),
        persistent_workers=False, prefetch_factor=2 if num_workers else None)
