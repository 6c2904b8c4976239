"""VideoList: the videos of one dataset split and their classes (metadata only), and K-shot subsets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from alt.corpus.labels import humanize_label
from alt.errors import DatasetError


@dataclass
class VideoList:
    """The videos of a dataset and their classes; metadata only, nothing decoded.

    Attributes:
        paths: video files. [N]
        labels: class index of every video. [N]
        raw_names: class names as written (folder names, label file, SSv2 templates without brackets). [A]
        class_names: humanised names used in prompts. [A]
        source: the folder or annotation file it came from.
        missing: listed videos whose file does not exist (already excluded from `paths`).
        benchmark: the dataset as the readers recognised it ("HMDB-51", "UCF-101", "Kinetics-400",
            "Kinetics-600", "Something-Something v2"), else the folder or file name.
        split: the official split number (1, 2, 3) when the benchmark has numbered splits, else None.
        part: "train" or "test" side of that split, or None when the source is a single list.
    """

    paths: list[Path]
    labels: list[int]
    raw_names: list[str]
    class_names: list[str]
    source: str
    missing: list[str] = field(default_factory=list)
    benchmark: str = ""
    split: int | None = None
    part: str | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def counts(self) -> list[int]:
        """Videos per class. [A]"""
        return np.bincount(np.asarray(self.labels, dtype=np.int64), minlength=len(self.class_names)).tolist()

    def few_shot(self, shots: int, seed: int = 0) -> VideoList:
        """K videos per class, drawn with a seeded generator (same seed, same subset).

        Raises:
            DatasetError: K < 1, or a class with fewer than K videos (named, with its count).
        """
        if shots < 1:
            raise DatasetError(f"--shots must be at least 1, got {shots}")
        counts = self.counts()
        short = [(self.raw_names[a], n) for a, n in enumerate(counts) if n < shots]
        if short:
            listed = ", ".join(f"{name!r} has {n}" for name, n in short[:5])
            raise DatasetError(f"{shots}-shot sampling needs {shots} videos in every class of {self.source}, but "
                               f"{listed}{' ...' if len(short) > 5 else ''}; lower --shots or add videos")
        rng = np.random.default_rng(seed)
        labels = np.asarray(self.labels)
        keep = sorted(int(i) for a in range(len(counts))
                      for i in rng.choice(np.flatnonzero(labels == a), shots, replace=False))
        return replace(self, paths=[self.paths[i] for i in keep], labels=[self.labels[i] for i in keep])

    def restrict(self, names: Sequence[str], source: str) -> VideoList:
        """Only the videos of `names`, with exactly those candidate classes in that order (a class split).

        Names match raw or humanised class names. A name without videos here stays a candidate.

        Raises:
            DatasetError: none of the names is a class of this dataset.
        """
        index = {n: a for a, n in enumerate(self.raw_names)} | {n: a for a, n in enumerate(self.class_names)}
        found = [index.get(n, index.get(humanize_label(n), -1)) for n in names]
        if all(a < 0 for a in found):
            raise DatasetError(f"{source}: none of its {len(names)} classes (e.g. {names[0]!r}) is a class of "
                               f"{self.source}; is it the class split of this dataset?")
        new = {old: i for i, old in enumerate(found) if old >= 0}
        keep = [i for i, lab in enumerate(self.labels) if lab in new]
        raw = list(names)
        return replace(self, paths=[self.paths[i] for i in keep], labels=[new[self.labels[i]] for i in keep],
                       raw_names=raw, class_names=humanise_all(raw, source), source=f"{self.source} [{source}]")

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly summary for model cards and metric files."""
        return {"source": self.source, "benchmark": self.benchmark, "split": self.split, "part": self.part,
                "num_videos": len(self), "num_classes": len(self.class_names), "num_missing": len(self.missing),
                "classes": list(self.class_names)}


def humanise_all(raw: Sequence[str], source: str) -> list[str]:
    """Humanised class names ("brush_hair" -> "brush hair"); two raw names that read the same are an error."""
    names = [humanize_label(n) for n in raw]
    seen: dict[str, str] = {}
    for r, n in zip(raw, names):
        if not n:
            raise DatasetError(f"{source}: class name {r!r} is empty once humanised")
        if n in seen:
            raise DatasetError(f"{source}: classes {seen[n]!r} and {r!r} both read as {n!r}")
        seen[n] = r
    return names
