"""`open_dataset`: recognise a dataset's annotation format from its files and read it.

Recognised, in this order (a folder by what it holds, a file by its name or first bytes):
- HMDB-51: a `<class>_test_split<N>.txt` file, or a folder of them (`testTrainMulti_7030_splits/`);
- UCF-101: `trainlist0N.txt` / `testlist0N.txt`, or a folder with them and `classInd.txt`;
- Something-Something v2: `train.json` / `validation.json`, or a folder with them and `labels.json`;
- Kinetics: a csv starting `label,youtube_id`;
- a folder of class sub-folders, or a plain list file (alt/training/annotations/lists.py).
Anything else is refused with an error naming these formats.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from alt.errors import DatasetError
from alt.training.annotations import hmdb, kinetics, ssv2, ucf
from alt.training.annotations.lists import benchmark_of, from_folder, from_list, unknown_format
from alt.training.annotations.videolist import VideoList

logger = logging.getLogger(__name__)

MAX_MISSING = 0.2  # default: more than this fraction of listed videos missing on disk is an error
PARTS = ("train", "test")
# (format, test) in the order of the module docstring: a folder by what it holds, a file by its name or bytes
FOLDER_FORMATS = (("hmdb", hmdb.is_split_folder), ("ucf", ucf.is_folder), ("ssv2", ssv2.is_folder))
FILE_FORMATS = (("hmdb", hmdb.is_split_file), ("ucf", ucf.is_list_file), ("ssv2", ssv2.is_annotations),
                ("kinetics", kinetics.is_csv))


def detect(path: Path) -> str:
    """The format of a dataset path: "hmdb", "ucf", "ssv2", "kinetics", "folder" or "list".

    Raises:
        DatasetError: a JSON or csv file that no reader knows (naming the formats read).
    """
    is_dir = path.is_dir()
    for kind, test in FOLDER_FORMATS if is_dir else FILE_FORMATS:
        if test(path):
            return kind
    if is_dir:
        return "folder"
    if path.suffix.lower() == ".json":
        raise unknown_format(path, "a JSON file that is not an SSv2 annotation list")
    if path.suffix.lower() == ".csv":
        raise unknown_format(path, "a csv file without the Kinetics header 'label,youtube_id,...'")
    return "list"


def split_numbers(source: str | Path) -> list[int | None]:
    """The official split numbers a source holds ([1, 2, 3] for the HMDB-51 or UCF-101 folders, [N] for
    one of their split files or a plain list named `...split<N>...`), or [None] when it has none."""
    path = _existing(source)
    kind = detect(path)
    if kind == "hmdb":
        return list(hmdb.split_numbers(path))
    if kind == "ucf":
        return list(ucf.split_numbers(path))
    return [list_split(path) if kind == "list" else None]


def list_split(path: Path) -> int | None:
    """The split number in a plain list's name (`testlist_split2.txt`, `ZS_split2_K600_eval.txt`), or None."""
    m = re.search(r"split[_\-]?(\d+)", path.stem, re.IGNORECASE)
    return int(m.group(1)) if m else None


def open_dataset(source: str | Path, *, labels: str | Path | None = None, root: str | Path | None = None,
                 split: int | None = None, part: str | None = None, shots: int | None = None, seed: int = 0,
                 max_missing: float = MAX_MISSING) -> VideoList:
    """Read a dataset in any format of the module docstring.

    Args:
        source: folder or annotation file.
        labels: label file giving class names (and their order) for `path label_index` lists; UCF-101
            and SSv2 find theirs (`classInd.txt`, `labels.json`) beside the lists.
        root: folder the listed videos are relative to (default: the annotation file's folder, or a
            folder beside it where the listed videos are found, e.g. `../hmdb51`, `../UCF-101`).
        split: official split number (HMDB-51, UCF-101); a sources without numbered splits refuses one.
        part: "train" or "test", for sources that hold both (HMDB-51 split files and their folder; the
            UCF-101 and SSv2 folders); a single UCF-101 or SSv2 list is the part it is.
        shots: keep K videos per class (few-shot), seeded by `seed`.
        max_missing: more than this fraction of listed videos missing on disk is an error.
    Raises:
        DatasetError: no such path, an unknown format, a malformed line (file:line), no videos, too many
            missing (with their count and first names), a split or part that the source does not have.
    """
    path = _existing(source)
    if part is not None and part not in PARTS:
        raise DatasetError(f"part must be 'train' or 'test', got {part!r}")
    kind = detect(path)
    if split is not None and kind not in ("hmdb", "ucf") and not (kind == "list" and list_split(path) == split):
        raise DatasetError(f"{path} has no numbered split {split} (HMDB-51 and UCF-101 have splits 1-3, a plain "
                           "list the number in its name); drop --split")
    if part is None and (kind == "hmdb" or (path.is_dir() and kind in ("ucf", "ssv2"))):
        raise DatasetError(f"{path} holds both training and test videos: say which part to read (train or test)")
    if kind == "hmdb":
        if labels:
            logger.warning("%s: HMDB-51 split files name their classes; --labels %s is not used", path, labels)
        data = hmdb.open_hmdb(path, split=split, part=part or "test", root=root)
    elif kind == "ucf":
        data = ucf.open_ucf(path, split=split, part=part or "test", labels=labels, root=root)
    elif kind == "ssv2":
        data = ssv2.open_ssv2(path, part=part or "test", labels=labels, root=root)
    elif kind == "kinetics":
        data = kinetics.open_kinetics(path, root)
    elif kind == "folder":
        data = from_folder(path)
        data.benchmark = benchmark_of(data.raw_names) or path.resolve().name
    else:
        data = from_list(path, labels, root)
        data.benchmark = benchmark_of(data.raw_names) or path.resolve().parent.name
        data.split = list_split(path)
    check_missing(data, path, max_missing)
    if not len(data):
        raise DatasetError(f"{path}: no videos found")
    return data.few_shot(shots, seed) if shots else data


def _existing(source: str | Path) -> Path:
    path = Path(source).expanduser()
    if not path.exists():
        raise DatasetError(f"no dataset at {path}: pass a folder of class sub-folders or an annotation file")
    return path


def check_missing(data: VideoList, path: Path, max_missing: float) -> None:
    """Warn about listed videos that are not on disk (count and first names); refuse too many."""
    if not data.missing:
        return
    total = len(data.missing) + len(data)
    first = ", ".join(Path(m).name for m in data.missing[:5]) + (" ..." if len(data.missing) > 5 else "")
    where = Path(data.missing[0]).parent
    if len(data.missing) > max_missing * total:
        raise DatasetError(f"{path}: {len(data.missing)} of {total} listed videos are not on disk (more than "
                           f"{max_missing:.0%}): {first}; looked for them in {where}. Is --root right?")
    logger.warning("%s: %d of %d listed videos are not on disk (%s); skipping them", path, len(data.missing),
                   total, first)
