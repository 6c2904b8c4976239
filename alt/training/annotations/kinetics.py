"""Kinetics-400/600 annotation csv files, and class splits for the Kinetics-600 zero-shot protocol.

The csv (`train.csv`, `validate.csv`, `val.csv`, ...) has the header `label,youtube_id,time_start,
time_end,split[,is_cc]`. A row's video is `root/<label>/<youtube_id>_<start:06d>_<end:06d>.mp4`
(the official downloader's layout), the same file directly in `root`, or any file in `root` or
`root/<label>/` whose name starts with the YouTube id (other trimming or extensions).

Kinetics-600 zero-shot (ER-ZSAR, Chen & Huang, ICCV 2021): a model trained on Kinetics-400 is
tested on the 220 Kinetics-600 classes that Kinetics-400 lacks, as 3 splits of 160 classes drawn
from them, mean and std over the splits. A class split is a file of class names: an `id,name` csv
(the `ZS_split<N>_K600.csv` files that ViFi-CLIP publishes), `N name` lines or one name per line.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from alt.errors import DatasetError
from alt.training.annotations.lists import PROBE, benchmark_of, find_root, read_labels, resolve
from alt.training.annotations.videolist import VideoList

logger = logging.getLogger(__name__)

HEADER = "label,youtube_id"
HINTS = ("videos", "val", "validate", "test", "train")


def is_csv(path: Path) -> bool:
    """A Kinetics annotation csv, by its header."""
    if not path.is_file():
        return False
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.readline().strip().lower().startswith(HEADER)


def open_kinetics(path: Path, root: str | Path | None) -> VideoList:
    """The videos of a Kinetics csv, classes sorted by name; `root` defaults to the csv's folder
    (or a folder found beside it)."""
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for no, row in enumerate(csv.DictReader(fh), 2):
            label, yid = (row.get("label") or "").strip(), (row.get("youtube_id") or "").strip()
            if not label or not yid:
                raise DatasetError(f"{path}:{no}: a row without label or youtube_id: {row}")
            try:
                start, end = int(float(row.get("time_start") or 0)), int(float(row.get("time_end") or 0))
            except ValueError:
                raise DatasetError(f"{path}:{no}: time_start / time_end must be numbers: {row}") from None
            rows.append((label, yid, f"{yid}_{start:06d}_{end:06d}.mp4"))
    if not rows:
        raise DatasetError(f"{path} names no videos")
    probe = rows[:: max(1, len(rows) // PROBE)][:PROBE]
    base = Path(root).expanduser() if root else find_root(
        path.parent, lambda d: sum((d / lab / n).is_file() or (d / n).is_file() for lab, _, n in probe), HINTS)
    index: dict[str, Path] | None = None
    names = sorted({lab for lab, _, _ in rows})
    lookup = {n: a for a, n in enumerate(names)}
    targets = []
    for label, yid, name in rows:
        p = base / label / name
        if not p.is_file() and (base / name).is_file():
            p = base / name
        if not p.is_file():
            index = _index(base) if index is None else index
            p = index.get(yid, p)
        targets.append((p.relative_to(base), lookup[label]))
    data = resolve(targets, base, names, str(path))
    data.benchmark = benchmark_of(names, among=("Kinetics-400", "Kinetics-600")) or "Kinetics"
    return data


def _index(root: Path) -> dict[str, Path]:
    """YouTube id (first 11 characters of the file name) -> file, in `root` and its sub-folders (built once)."""
    out: dict[str, Path] = {}
    for p in sorted(root.glob("*")) + sorted(root.glob("*/*")):
        if p.is_file() and len(p.stem) >= 11:
            out.setdefault(p.stem[:11], p)
    return out


def read_class_split(path: str | Path) -> list[str]:
    """The class names of one class split (`id,name` csv, `N name` lines or one name per line).

    Warns when a class is a Kinetics-400 class: then the split is not zero-shot for a Kinetics-400 model.
    """
    path = Path(path)
    names, _ = read_labels(path)
    if len(set(names)) != len(names):
        raise DatasetError(f"class split {path} names a class twice")
    seen = [n for n in names if benchmark_of([n], among=("Kinetics-400",))]
    if seen:
        logger.warning("class split %s: %d of its %d classes are Kinetics-400 classes (e.g. %r), so they are not "
                       "unseen for a model trained on Kinetics-400", path, len(seen), len(names), seen[0])
    return names
