"""Action label lists: the files in ``alt/corpus/data/labels/`` (package data) and turning raw names into plain English.

The files keep each dataset's official spelling (UCF-101 ``ApplyEyeMakeup``, HMDB-51
``brush_hair``, Kinetics ``passing American football (in game)``); :func:`humanize_label`
makes the text that prompts and the corpus builder use ("apply eye makeup").
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from alt.errors import InputError

#: Folder of the shipped label lists (one class name per line).
LABELS_DIR = Path(str(resources.files("alt.corpus").joinpath("data", "labels")))
#: Shipped lists and their exact sizes.
BUILTIN_LABELS = {"kinetics400": 400, "kinetics600": 600, "hmdb51": 51, "ucf101": 101, "ssv2": 174}

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def humanize_label(name: str) -> str:
    """Plain lower-case English for a raw class name.

    ``"ApplyEyeMakeup"`` -> ``"apply eye makeup"``, ``"brush_hair"`` -> ``"brush hair"``,
    ``"YoYo"`` -> ``"yo yo"``; already readable names only lose extra spaces and capitals
    (``"passing American football (in game)"`` -> ``"passing american football (in game)"``).

    Args:
        name: a class name as written in a label file.

    Returns:
        The humanised name.
    """
    text = name.strip().replace("_", " ")
    if " " not in text and any(c.isupper() for c in text[1:]):
        text = _CAMEL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def read_label_file(path: str | Path) -> list[str]:
    """Class names of a label file: one per line, blank lines and ``#`` comments skipped.

    Args:
        path: a text file (UTF-8).

    Returns:
        The names as written, in file order.

    Raises:
        InputError: no such file, an empty file, or a class named twice (names the file and line).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such label file (give a file with one class name per line, or a shipped "
                         f"list: {', '.join(BUILTIN_LABELS)})")
    names: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        if name in seen:
            raise InputError(f"{path}:{number}: duplicate class name {name!r} (first on line {seen[name]})")
        seen[name] = number
        names.append(name)
    if not names:
        raise InputError(f"{path}: no class names (one per line expected)")
    return names


def load_labels(name_or_path: str | Path, *, humanize: bool = True) -> list[str]:
    """Class names of a shipped list (``"kinetics400"``, ``"ucf101"``, ...) or of a file.

    Args:
        name_or_path: a key of :data:`BUILTIN_LABELS` or a path to a label file.
        humanize: apply :func:`humanize_label` to every name.

    Returns:
        The class names, in file order.
    """
    key = str(name_or_path)
    path = LABELS_DIR / f"{key}.txt" if key in BUILTIN_LABELS else Path(name_or_path)
    names = read_label_file(path)
    return [humanize_label(n) for n in names] if humanize else names
