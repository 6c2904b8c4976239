"""Class folders, plain list files and label files; where listed videos are; the formats message.

Plain lists, one video per line, relative to a root folder:
    `path label_index`  with a label file (one name per line, 0-based; UCF-101's `classInd.txt`
                        "1 ApplyEyeMakeup"; an `id,name` csv as X-CLIP / ViFi-CLIP ship; SSv2 `labels.json`);
    `path label name`   a class name after the path (a tab separates them when the path has spaces);
    `path`              the class is the path's parent folder (UCF-101's `testlist01.txt`).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from alt.corpus.labels import humanize_label, load_labels
from alt.errors import DatasetError
from alt.training.annotations.videolist import VideoList, humanise_all
from alt.video.decode import IMAGE_EXTS, VIDEO_EXTS

logger = logging.getLogger(__name__)

#: What `open_dataset` reads, for error messages.
FORMATS = (
    "class folders (root/<class>/<video>)",
    ("HMDB-51 split files (<class>_test_split<N>.txt, lines '<video>.avi 0|1|2', or their folder "
     "testTrainMulti_7030_splits/)"),
    "UCF-101 lists (classInd.txt with trainlist0N.txt / testlist0N.txt, or their folder)",
    "Kinetics csv (label,youtube_id,time_start,time_end,...)",
    "Something-Something v2 JSON (labels.json with train.json / validation.json, or their folder)",
    "plain lists ('path', 'path class name', 'path index' with --labels)",
)
MEDIA_EXTS = VIDEO_EXTS | IMAGE_EXTS
PROBE = 12  # listed videos looked for when guessing the root folder
_EXT_ALT = "|".join(re.escape(e) for e in sorted(MEDIA_EXTS))
_PATH_THEN_LABEL = re.compile(rf"^(.+?(?:{_EXT_ALT}))(?:\s+(.*))?$", re.IGNORECASE)


#: Shipped label lists (alt/corpus/data/labels/) and the benchmark each names.
SHIPPED = {"kinetics400": "Kinetics-400", "kinetics600": "Kinetics-600", "hmdb51": "HMDB-51", "ucf101": "UCF-101",
           "ssv2": "Something-Something v2"}


@lru_cache(maxsize=1)
def _shipped_names() -> dict[str, frozenset[str]]:
    return {name: frozenset(load_labels(key)) for key, name in SHIPPED.items()}


def benchmark_of(raw_names: Sequence[str], among: Sequence[str] = tuple(SHIPPED.values())) -> str | None:
    """The benchmark (of `among`) whose shipped label list holds every class (humanised names), smallest
    list first ("Kinetics-400" before "Kinetics-600"), or None."""
    names = {humanize_label(n) for n in raw_names}
    for bench, known in sorted(_shipped_names().items(), key=lambda kv: len(kv[1])):
        if bench in among and names <= known:
            return bench
    return None


def unknown_format(path: Path, detail: str) -> DatasetError:
    """The error for an annotation file that no reader recognises; names every format read."""
    return DatasetError(f"{path}: unknown annotation format ({detail}). Formats read: " + "; ".join(FORMATS))


def is_media(p: Path) -> bool:
    """A visible file with a video or image extension."""
    return p.is_file() and not p.name.startswith(".") and p.suffix.lower() in MEDIA_EXTS


def from_folder(root: Path) -> VideoList:
    """root/<class>/<video> (recursively): folder names are the classes, sorted."""
    classes = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise DatasetError(f"{root} has no class sub-folders: put each class's videos in root/<class name>/, or "
                           "pass an annotation file. Formats read: " + "; ".join(FORMATS))
    paths, labels = [], []
    for a, d in enumerate(classes):
        files = sorted(p for p in d.rglob("*") if is_media(p))
        if not files:
            raise DatasetError(f"class folder {d} holds no video files ({', '.join(sorted(VIDEO_EXTS))}); "
                               "remove it or add videos")
        paths += files
        labels += [a] * len(files)
    raw = [d.name for d in classes]
    return VideoList(paths, labels, raw, humanise_all(raw, str(root)), str(root), benchmark=root.name)


def find_root(anchor: Path, found: Callable[[Path], int], hints: Sequence[str] = ()) -> Path:
    """The folder that listed videos are relative to.

    Tries `anchor` (usually the annotation file's folder) first; when none of the probed videos is
    there, `anchor/<hint>`, `anchor.parent/<hint>`, `anchor.parent`, then the other sub-folders of
    `anchor.parent`, and keeps the one where `found(folder)` (how many probed videos exist under it)
    is largest.
    """
    if found(anchor) > 0:
        return anchor
    parent = anchor.parent
    cands = [anchor / h for h in hints] + [parent / h for h in hints] + [parent]
    try:
        cands += sorted(d for d in parent.iterdir() if d.is_dir() and not d.name.startswith("."))[:64]
    except OSError:
        pass
    best, score = anchor, 0
    for c in dict.fromkeys(cands):
        n = found(c) if c.is_dir() else 0
        if n > score:
            best, score = c, n
    if best != anchor:
        logger.info("videos listed in the annotations of %s found under %s", anchor, best)
    return best


def read_labels(path: str | Path) -> tuple[list[str], int]:
    """Class names of a label file and the first index a list uses for them.

    One name per line (base 0); "<number> <name>" lines as UCF-101's classInd.txt (base = smallest
    number, usually 1); an `id,name` csv (X-CLIP / ViFi-CLIP label files); or a JSON object
    {name: index} (Something-Something v2 `labels.json`).
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"label file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return _json_labels(path, text)
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise DatasetError(f"label file {path} is empty")
    if lines[0].replace(" ", "").lower() == "id,name":
        rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
        bad = [r for r in rows if len(r) < 2 or not r[0].strip().isdigit()]
        if bad:
            raise DatasetError(f"label file {path}: an 'id,name' csv needs a number and a name on every row, "
                               f"got {bad[0]}")
        pairs = sorted((int(r[0]), ",".join(r[1:]).strip()) for r in rows)
    else:
        numbered = [re.match(r"^(\d+)[\s,]+(.+)$", ln) for ln in lines]
        if not all(numbered):
            return lines, 0
        pairs = sorted((int(m.group(1)), m.group(2).strip()) for m in numbered)  # type: ignore[union-attr]
    base = pairs[0][0]
    if [i for i, _ in pairs] != list(range(base, base + len(pairs))):
        raise DatasetError(f"label file {path}: numbers must run {base}, {base + 1}, ... without gaps")
    return [n for _, n in pairs], base


def _json_labels(path: Path, text: str) -> tuple[list[str], int]:
    try:
        obj = json.loads(text)
        pairs = sorted((int(v), str(k)) for k, v in obj.items())
    except (ValueError, TypeError, AttributeError) as exc:
        raise DatasetError(f"label file {path}: a JSON label file must map class name -> index "
                           f"(as SSv2's labels.json): {exc}") from None
    if [i for i, _ in pairs] != list(range(len(pairs))):
        raise DatasetError(f"label file {path}: indices must run 0, 1, ... without gaps")
    return [n for _, n in pairs], 0


def parse_lines(list_path: Path) -> list[tuple[Path, int | str, int]]:
    """(path, label index or class name, line number) of a plain list.

    Raises:
        DatasetError: the file is not a plain list (unknown format, naming the formats read), or a line
            names a path that is not a video (file:line).
    """
    text = list_path.read_text(encoding="utf-8", errors="replace")
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = None if "\t" in line else _PATH_THEN_LABEL.match(line)
        if "\t" in line:
            rel, lab = (s.strip() for s in line.split("\t", 1))
        elif m:  # the path ends at its media extension, so it may hold spaces ("val/acting in play/x.mp4 3")
            rel, lab = m.group(1), (m.group(2) or "").strip()
        else:
            parts = line.split(None, 1)
            rel, lab = parts[0], (parts[1].strip() if len(parts) > 1 else "")
        if Path(rel).suffix.lower() not in MEDIA_EXTS:
            if not out:
                raise unknown_format(list_path, f"line {no} {line[:80]!r} does not start with a video path")
            raise DatasetError(f"{list_path}:{no}: {rel!r} is not a video file name ({', '.join(sorted(VIDEO_EXTS))})")
        if not lab:
            parent = Path(rel).parent.name
            if not parent:
                raise DatasetError(f"{list_path}:{no}: {rel!r} has no class: write 'path label' or put it in a "
                                   "class folder")
            lab = parent
        out.append((Path(rel), int(lab) if re.fullmatch(r"-?\d+", lab) else lab, no))
    if not out:
        raise DatasetError(f"list file {list_path} names no videos")
    return out


def from_list(list_path: Path, labels: str | Path | None, root: str | Path | None,
              hints: Sequence[str] = ()) -> VideoList:
    """A plain list (see the module docstring), videos relative to `root` (default: found near the list,
    see `find_root`; `hints` are folder names tried first beside the list's folder)."""
    entries = parse_lines(list_path)
    names, index_base = read_labels(labels) if labels else (None, 0)
    if names is None:
        if any(isinstance(lab, int) for _, lab, _ in entries):
            hint = ""
            if all(isinstance(lab, int) and 0 <= lab <= 2 for _, lab, _ in entries) and not any(
                    p.parent.name for p, _, _ in entries):
                hint = (" If this is an HMDB-51 split file (flags 0/1/2), keep its official name "
                        "<class>_test_split<N>.txt so it is read as one.")
            raise DatasetError(f"{list_path} gives class numbers; pass the label file that names them "
                               f"(--labels).{hint}")
        names = sorted({str(lab) for _, lab, _ in entries})
    lookup = {n: i for i, n in enumerate(names)}
    lookup_h = {humanize_label(n): i for i, n in enumerate(names)}
    targets = []
    for rel, lab, no in entries:
        if isinstance(lab, int):
            a = lab - index_base
            if not 0 <= a < len(names):
                raise DatasetError(f"{list_path}:{no}: class number {lab} is outside the {len(names)} classes "
                                   f"of {labels}")
        else:
            a = lookup.get(lab, lookup_h.get(humanize_label(lab), -1))
            if a < 0:
                raise DatasetError(f"{list_path}:{no}: class {lab!r} is not in the label file {labels}")
        targets.append((rel, a))
    probe = [rel for rel, _ in targets[:: max(1, len(targets) // PROBE)][:PROBE]]
    base_dir = Path(root).expanduser() if root else find_root(
        list_path.parent, lambda d: sum((d / r).is_file() for r in probe), hints)
    return resolve(targets, base_dir, names, str(list_path), require_all=not labels)


def resolve(targets: Sequence[tuple[Path, int]], base_dir: Path, names: Sequence[str], source: str,
            require_all: bool = False, warn_empty: bool = True) -> VideoList:
    """VideoList of (relative path, class index) pairs under `base_dir`; absent files go to `missing`.

    Args:
        require_all: every class must keep a video (classes came from the list itself); otherwise a
            class without videos stays a candidate, with a warning (unless not `warn_empty`).
    """
    paths, out_labels, missing = [], [], []
    for rel, a in targets:
        p = rel if rel.is_absolute() else base_dir / rel
        if p.is_file():
            paths.append(p)
            out_labels.append(a)
        else:
            missing.append(str(p))
    counts = np.bincount(np.asarray(out_labels, dtype=np.int64), minlength=len(names))
    empty = [names[a] for a in np.flatnonzero(counts == 0)]
    if empty and require_all and paths:
        raise DatasetError(f"{source}: no readable video for class(es) {', '.join(map(repr, empty[:5]))}")
    if empty and paths and warn_empty:
        logger.warning("%s: %d of %d classes have no video here (kept as candidates, e.g. %r)",
                       source, len(empty), len(names), empty[0])
    return VideoList(paths, out_labels, list(names), humanise_all(names, source), source, missing)
