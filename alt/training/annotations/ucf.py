"""UCF-101 as it ships: `UCF-101/<Class>/v_<Class>_gXX_cYY.avi` and `ucfTrainTestlist/`.

`ucfTrainTestlist/` holds `classInd.txt` ("1 ApplyEyeMakeup" ... "101 YoYo"), `trainlist0N.txt`
(lines `ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1`, the class number of classInd) and
`testlist0N.txt` (lines `ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi`, the class is the folder) for
the three splits N = 1, 2, 3. A list file beside `classInd.txt` uses it without `--labels`, so every
split has the 101 classes in classInd's order.
"""

from __future__ import annotations

import re
from pathlib import Path

from alt.errors import DatasetError
from alt.training.annotations.lists import from_list
from alt.training.annotations.videolist import VideoList

NAME = "UCF-101"
LIST_FILE = re.compile(r"^(?P<part>train|test)list(?P<n>\d+)\.txt$", re.IGNORECASE)
CLASS_IND = "classInd.txt"
HINTS = ("UCF-101", "UCF101", "videos")


def is_list_file(path: Path) -> bool:
    """`trainlist0N.txt` or `testlist0N.txt` (by name)."""
    return path.is_file() and LIST_FILE.match(path.name) is not None


def _lists(folder: Path) -> list[tuple[Path, str, int]]:
    """(file, "train" / "test", split number) of the list files in `folder`."""
    out = []
    for p in sorted(folder.iterdir()):
        m = LIST_FILE.match(p.name)
        if m and p.is_file():
            out.append((p, m.group("part").lower(), int(m.group("n"))))
    return out


def is_folder(path: Path) -> bool:
    """A folder with `classInd.txt` and train/test lists (`ucfTrainTestlist/`)."""
    return path.is_dir() and (path / CLASS_IND).is_file() and bool(_lists(path))


def split_numbers(path: Path) -> list[int]:
    """The split number of a list file, or the test splits of the folder."""
    if path.is_file():
        return [int(LIST_FILE.match(path.name).group("n"))]  # type: ignore[union-attr]
    return sorted({n for _, part, n in _lists(path) if part == "test"}) or sorted({n for _, _, n in _lists(path)})


def open_ucf(source: Path, *, split: int | None, part: str, labels: str | Path | None,
             root: str | Path | None) -> VideoList:
    """The `part` list of UCF-101 split `split` (from the folder), or one list file.

    Args:
        source: `ucfTrainTestlist/` or one of its list files.
        split: which split (1-3): needed for the folder when it holds several; must match a file's own.
        part: "train" (`trainlist0N.txt`) or "test" (`testlist0N.txt`); a single file is read as it is.
        labels: the label file (default: `classInd.txt` beside the lists).
        root: the folder of class sub-folders (default: found beside the lists, e.g. `../UCF-101`).
    """
    if source.is_file():
        m = LIST_FILE.match(source.name)
        own = int(m.group("n"))  # type: ignore[union-attr]
        if split is not None and split != own:
            raise DatasetError(f"{source} is UCF-101 split {own}, but --split {split} was asked for")
        path, split, part = source, own, m.group("part").lower()  # type: ignore[union-attr]
    else:
        lists = _lists(source)
        numbers = sorted({n for _, _, n in lists})
        if split is None and len(numbers) > 1:
            raise DatasetError(f"{source} holds UCF-101 splits {', '.join(map(str, numbers))}: "
                               "choose one with --split N")
        split = numbers[0] if split is None else split
        found = [p for p, kind, n in lists if kind == part and n == split]
        if not found:
            raise DatasetError(f"{source} has no {part}list{split:02d}.txt (it holds splits "
                               f"{', '.join(map(str, numbers))})")
        path = found[0]
    if labels is None and (path.parent / CLASS_IND).is_file():
        labels = path.parent / CLASS_IND
    data = from_list(path, labels, root, hints=HINTS)
    data.benchmark, data.split, data.part = NAME, split, part
    return data
