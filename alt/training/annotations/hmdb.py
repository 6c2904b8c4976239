"""HMDB-51 as it ships: `hmdb51/<class>/<video>.avi` and `testTrainMulti_7030_splits/<class>_test_split<N>.txt`.

Every split file lists one class's videos for split N (1, 2, 3), one per line: `<video>.avi <flag>`
with flag 1 = train, 2 = test, 0 = not used in that split (70/30 split: 70 train and 30 test videos
per class). The class is the file name's prefix (`brush_hair_test_split1.txt` -> "brush_hair").

- The folder of split files: split N of all classes it names (the classes are those 51 names).
- One split file: that class's videos of split N; the candidate classes are the class sub-folders of
  the video root (all 51 with the official layout), so a single class is scored among all of them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from alt.errors import DatasetError
from alt.training.annotations.lists import PROBE, find_root, resolve
from alt.training.annotations.videolist import VideoList

logger = logging.getLogger(__name__)

NAME = "HMDB-51"
SPLIT_FILE = re.compile(r"^(?P<cls>.+)_test_split(?P<n>\d+)\.txt$")
FLAGS = {"1": "train", "2": "test", "0": None}


def is_split_file(path: Path) -> bool:
    """An HMDB-51 split file, recognised by its official name `<class>_test_split<N>.txt`."""
    return path.is_file() and SPLIT_FILE.match(path.name) is not None


def _files(folder: Path) -> list[tuple[Path, str, int]]:
    """(file, class, split number) of the split files in `folder`, sorted."""
    out = []
    for p in sorted(folder.iterdir()):
        m = SPLIT_FILE.match(p.name)
        if m and p.is_file():
            out.append((p, m.group("cls"), int(m.group("n"))))
    return out


def is_split_folder(path: Path) -> bool:
    """A folder holding HMDB-51 split files (`testTrainMulti_7030_splits/`)."""
    return path.is_dir() and bool(_files(path))


def split_numbers(path: Path) -> list[int]:
    """The split numbers a split file (its own) or folder (all present) holds."""
    if path.is_file():
        return [int(SPLIT_FILE.match(path.name).group("n"))]  # type: ignore[union-attr]
    return sorted({n for _, _, n in _files(path)})


def read_split_file(path: Path) -> list[tuple[str, str | None, int]]:
    """(video file name, "train" / "test" / None, line number) of every line of one split file.

    Raises:
        DatasetError: a line that is not `<video> <flag>`, or a flag other than 0, 1, 2 (file:line).
    """
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise DatasetError(f"{path}:{no}: expected '<video>.avi <0|1|2>', got {line.strip()!r}")
        video, flag = parts
        if flag not in FLAGS:
            raise DatasetError(f"{path}:{no}: flag {flag!r} for {video}: HMDB-51 split files use 1 (train), "
                               "2 (test) or 0 (not used)")
        out.append((video, FLAGS[flag], no))
    return out


def open_hmdb(source: Path, *, split: int | None, part: str, root: str | Path | None) -> VideoList:
    """The `part` ("train" / "test") videos of HMDB-51 split `split`, from a split file or their folder.

    Args:
        source: one split file, or the folder of split files.
        split: which split (1-3); a single file's own number when None; needed for a folder holding several.
        part: "train" (flag 1) or "test" (flag 2).
        root: the folder of class sub-folders (default: found next to the split files, e.g. `../hmdb51`).
    Raises:
        DatasetError: no such split, a file of another split than --split, a bad line or flag, no videos of `part`.
    """
    if source.is_file():
        m = SPLIT_FILE.match(source.name)
        own = int(m.group("n"))  # type: ignore[union-attr]
        if split is not None and split != own:
            raise DatasetError(f"{source} is HMDB-51 split {own}, but --split {split} was asked for")
        files, split = [(source, m.group("cls"), own)], own  # type: ignore[union-attr]
    else:
        numbers = split_numbers(source)
        if split is None and len(numbers) > 1:
            raise DatasetError(f"{source} holds HMDB-51 splits {', '.join(map(str, numbers))}: "
                               "choose one with --split N")
        split = numbers[0] if split is None else split
        files = [f for f in _files(source) if f[2] == split]
        if not files:
            raise DatasetError(f"{source} has no HMDB-51 files for split {split} (*_test_split{split}.txt); it holds "
                               f"splits {', '.join(map(str, numbers))}")
    rows = [(cls, video) for path, cls, _ in files for video, p, _ in read_split_file(path) if p == part]
    if not rows:
        flag = "1" if part == "train" else "2"
        raise DatasetError(f"{source}: no {part} videos (flag {flag}) in split {split}")
    anchor = source.parent if source.is_file() else source
    probe = rows[:: max(1, len(rows) // PROBE)][:PROBE]
    base = Path(root).expanduser() if root else find_root(
        anchor, lambda d: sum((d / c / v).is_file() or (d / v).is_file() for c, v in probe), hints=("hmdb51", "videos"))
    names = sorted({cls for _, cls, _ in files}) if source.is_dir() else _vocabulary(source, files[0][1], split, base)
    index = {n: a for a, n in enumerate(names)}
    # <root>/<class>/<video> as the archive unpacks; <root>/<video> when the videos were put in one folder
    targets = [(Path(v) if not (base / c / v).is_file() and (base / v).is_file() else Path(c) / v, index[c])
               for c, v in rows]
    data = resolve(targets, base, names, str(source), warn_empty=source.is_dir())
    if source.is_file():
        logger.info("%s: %s videos of class %r, split %d, scored among %d classes", source, part, files[0][1],
                    split, len(names))
    data.benchmark, data.split, data.part = NAME, split, part
    return data


def _vocabulary(source: Path, cls: str, split: int, root: Path) -> list[str]:
    """Candidate classes for a single split file: the root's class folders, else the sibling split files."""
    folders = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")) \
        if root.is_dir() else []
    if cls in folders:
        return folders
    siblings = sorted({c for _, c, n in _files(source.parent) if n == split})
    if len(siblings) > 1:
        return siblings
    logger.warning("%s: only class %r is known (no class folders under %s); top-1 over one class is trivial",
                   source, cls, root)
    return [cls]
