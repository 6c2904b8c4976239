"""Video datasets for `alt train` and `alt eval`: class folders or split list files, few-shot subsets.

Two ways to name a dataset (`open_dataset(source, ...)`):
- a folder of class sub-folders, `root/<class>/<video>`; the folder names are the class names;
- a list file, one video per line, relative to `root` (default: the list file's folder):
    `path label_index`  with a label file (`--labels`: one name per line, 0-based, or UCF-101's
                        `classInd.txt` "1 ApplyEyeMakeup", whose numbers the list then uses);
    `path label name`   a class name after the path (a tab separates them when the path has spaces);
    `path`              the class is the path's parent folder (UCF-101's `testlist01.txt`);
    csv `label,youtube_id,time_start,time_end,...` (Kinetics annotations), videos found at
                        `root/<label>/<youtube_id>_<start:06d>_<end:06d>.mp4` or `root/[<label>/]<youtube_id>*`.
Raw class names are humanised for prompts ("brush_hair" -> "brush hair", "ApplyEyeMakeup" ->
"apply eye makeup"). Videos are decoded lazily by `ClipDataset` (in DataLoader workers); one that
cannot be read is skipped with a warning and counted, and too many of them stop the run
(`check_skipped`).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from alt.corpus.labels import humanize_label
from alt.errors import DatasetError
from alt.video.decode import IMAGE_EXTS, VIDEO_EXTS, VideoError

logger = logging.getLogger(__name__)

MAX_SKIPPED = 0.2  # default: more than this fraction of unreadable videos is an error, not a warning


@dataclass
class VideoList:
    """The videos of a dataset and their classes; metadata only, nothing decoded.

    Attributes:
        paths: video files. [N]
        labels: class index of every video. [N]
        raw_names: class names as written (folder names, label file). [A]
        class_names: humanised names used in prompts. [A]
        source: the folder or list file it came from.
        missing: listed videos whose file does not exist (already excluded from `paths`).
    """

    paths: list[Path]
    labels: list[int]
    raw_names: list[str]
    class_names: list[str]
    source: str
    missing: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.paths)

    def counts(self) -> list[int]:
        """Videos per class. [A]"""
        return np.bincount(np.asarray(self.labels, dtype=np.int64), minlength=len(self.class_names)).tolist()

    def few_shot(self, shots: int, seed: int = 0) -> "VideoList":
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
        keep = sorted(int(i) for a in range(len(counts)) for i in rng.choice(np.flatnonzero(labels == a), shots, replace=False))
        return replace(self, paths=[self.paths[i] for i in keep], labels=[self.labels[i] for i in keep])

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly summary for model cards and metric files."""
        return {"source": self.source, "num_videos": len(self), "num_classes": len(self.class_names),
                "num_missing": len(self.missing), "classes": list(self.class_names)}


# ---- reading a dataset ------------------------------------------------------------------------------
def open_dataset(source: str | Path, *, labels: str | Path | None = None, root: str | Path | None = None,
                 shots: int | None = None, seed: int = 0, max_missing: float = MAX_SKIPPED) -> VideoList:
    """Read a class-folder dataset or a list file.

    Args:
        source: a folder of class sub-folders, or a list file (see the module docstring).
        labels: label file giving class names (and their order) for `path label_index` lists.
        root: folder the list's paths are relative to (default: the list file's folder).
        shots: keep K videos per class (few-shot), seeded by `seed`.
        max_missing: a list naming more than this fraction of missing files is an error.
    Raises:
        DatasetError: no such path, no classes, an empty class, a malformed line, too many missing files.
    """
    path = Path(source).expanduser()
    if not path.exists():
        raise DatasetError(f"no dataset at {path}: pass a folder of class sub-folders or a list file")
    data = _from_folder(path) if path.is_dir() else _from_list(path, labels, root)
    if data.missing:
        frac = len(data.missing) / (len(data.missing) + len(data))
        logger.warning("%s: %d listed videos do not exist (e.g. %s); skipping them",
                       path, len(data.missing), data.missing[0])
        if frac > max_missing:
            raise DatasetError(f"{path}: {len(data.missing)} of {len(data.missing) + len(data)} listed videos are "
                               f"missing (more than {max_missing:.0%}); is --root right?")
    if not len(data):
        raise DatasetError(f"{path}: no videos found")
    if shots:
        data = data.few_shot(shots, seed)
    return data


def _is_video(p: Path) -> bool:
    return p.is_file() and not p.name.startswith(".") and p.suffix.lower() in VIDEO_EXTS | IMAGE_EXTS


def _from_folder(root: Path) -> VideoList:
    classes = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise DatasetError(f"{root} has no class sub-folders: put each class's videos in root/<class name>/")
    paths, labels = [], []
    for a, d in enumerate(classes):
        files = sorted(p for p in d.rglob("*") if _is_video(p))
        if not files:
            raise DatasetError(f"class folder {d} holds no video files ({', '.join(sorted(VIDEO_EXTS))}); "
                               "remove it or add videos")
        paths += files
        labels += [a] * len(files)
    raw = [d.name for d in classes]
    return VideoList(paths, labels, raw, _humanise_all(raw, str(root)), str(root))


def _humanise_all(raw: Sequence[str], source: str) -> list[str]:
    names = [humanize_label(n) for n in raw]
    seen: dict[str, str] = {}
    for r, n in zip(raw, names):
        if not n:
            raise DatasetError(f"{source}: class name {r!r} is empty once humanised")
        if n in seen:
            raise DatasetError(f"{source}: classes {seen[n]!r} and {r!r} both read as {n!r}")
        seen[n] = r
    return names


def read_labels(path: str | Path) -> tuple[list[str], int]:
    """Class names of a label file and the first index a list uses for them.

    One name per line (index base 0), or "<number> <name>" lines as in UCF-101's classInd.txt (base =
    the smallest number, usually 1).
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"label file {path} does not exist")
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise DatasetError(f"label file {path} is empty")
    numbered = [re.match(r"^(\d+)[\s,]+(.+)$", ln) for ln in lines]
    if all(numbered):
        pairs = sorted((int(m.group(1)), m.group(2).strip()) for m in numbered)  # type: ignore[union-attr]
        base = pairs[0][0]
        if [i for i, _ in pairs] != list(range(base, base + len(pairs))):
            raise DatasetError(f"label file {path}: numbers must run {base}, {base + 1}, ... without gaps")
        return [n for _, n in pairs], base
    return lines, 0


def _from_list(list_path: Path, labels: str | Path | None, root: str | Path | None) -> VideoList:
    base_dir = Path(root).expanduser() if root else list_path.parent
    text = list_path.read_text(encoding="utf-8", errors="replace")
    first = text.lstrip().split("\n", 1)[0].lower()
    if first.startswith("label,youtube_id"):
        entries = _kinetics_csv(list_path, base_dir)
    else:
        entries = [(ln, no) for no, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.startswith("#")]
        entries = [_parse_line(ln, no, list_path) for ln, no in entries]
    if not entries:
        raise DatasetError(f"list file {list_path} names no videos")
    names, index_base = read_labels(labels) if labels else (None, 0)
    if names is None:
        if any(isinstance(lab, int) for _, lab in entries):
            raise DatasetError(f"{list_path} gives class numbers; pass the label file that names them (--labels)")
        names = sorted({str(lab) for _, lab in entries})
    lookup = {n: i for i, n in enumerate(names)}
    lookup_h = {humanize_label(n): i for i, n in enumerate(names)}
    paths, out_labels, missing = [], [], []
    for rel, lab in entries:
        if isinstance(lab, int):
            a = lab - index_base
            if not 0 <= a < len(names):
                raise DatasetError(f"{list_path}: class number {lab} is outside the {len(names)} classes of {labels}")
        else:
            a = lookup.get(lab, lookup_h.get(humanize_label(lab), -1))
            if a < 0:
                raise DatasetError(f"{list_path}: class {lab!r} is not in the label file {labels}")
        p = rel if isinstance(rel, Path) and rel.is_absolute() else base_dir / rel
        if p.is_file():
            paths.append(p)
            out_labels.append(a)
        else:
            missing.append(str(p))
    counts = np.bincount(np.asarray(out_labels, dtype=np.int64), minlength=len(names))
    empty = [names[a] for a in np.flatnonzero(counts == 0)]
    if empty and not labels:
        raise DatasetError(f"{list_path}: no readable video for class(es) {', '.join(map(repr, empty[:5]))}")
    if empty:
        logger.warning("%s: %d classes of %s have no video here (kept as candidates, e.g. %r)",
                       list_path, len(empty), labels, empty[0])
    return VideoList(paths, out_labels, list(names), _humanise_all(names, str(list_path)), str(list_path), missing)


def _parse_line(line: str, number: int, list_path: Path) -> tuple[Path, int | str]:
    """`path label_index`, `path<TAB>label name`, `path label name` or `path` (class = parent folder)."""
    line = line.strip()
    if "\t" in line:
        rel, lab = (s.strip() for s in line.split("\t", 1))
    else:
        parts = line.split(None, 1)
        rel, lab = parts[0], (parts[1].strip() if len(parts) > 1 else "")
    if not lab:
        parent = Path(rel).parent.name
        if not parent:
            raise DatasetError(f"{list_path}:{number}: {rel!r} has no class: write 'path label' or put it in a class folder")
        return Path(rel), parent
    return Path(rel), int(lab) if re.fullmatch(r"-?\d+", lab) else lab


def _kinetics_csv(list_path: Path, base_dir: Path) -> list[tuple[Path, str]]:
    out = []
    with open(list_path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            label, yid = row.get("label", "").strip(), row.get("youtube_id", "").strip()
            if not label or not yid:
                raise DatasetError(f"{list_path}: a row without label or youtube_id: {row}")
            name = f"{yid}_{int(float(row.get('time_start') or 0)):06d}_{int(float(row.get('time_end') or 0)):06d}.mp4"
            cand = base_dir / label / name
            if not cand.is_file():
                found = sorted((base_dir / label).glob(f"{yid}*")) or sorted(base_dir.glob(f"{yid}*"))
                cand = found[0] if found else cand
            out.append((cand, label))
    return out


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


def make_loader(dataset: ClipDataset, batch_size: int, *, num_workers: int = 0, sampler=None,
                shuffle: bool = False, seed: int = 0) -> torch.utils.data.DataLoader:
    """A DataLoader that decodes in `num_workers` processes and tolerates unreadable videos."""
    gen = torch.Generator().manual_seed(seed) if shuffle and sampler is None else None
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle if sampler is None else False, sampler=sampler,
        num_workers=num_workers, collate_fn=collate_clips, generator=gen, pin_memory=torch.cuda.is_available(),
        persistent_workers=False, prefetch_factor=2 if num_workers else None)
