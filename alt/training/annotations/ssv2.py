"""Something-Something v2 as it ships: `labels.json`, `train.json`, `validation.json` and `<id>.webm` videos.

`labels.json` maps the 174 class names to indices ({"Approaching something with your camera": "0", ...});
`train.json` / `validation.json` are lists of {"id": "78687", "label": "holding potato next to ...",
"template": "Holding [something] next to [something]", "placeholders": [...]}. The class of a video is
its template with the brackets removed, as the field does ("Pushing [something] from left to right" ->
"Pushing something from left to right"), looked up in `labels.json`. The protocol trains on
`train.json` and reports on `validation.json` (`test.json` has no labels). Videos are
`20bn-something-something-v2/<id>.webm` (`.mp4` is accepted too, for re-encoded copies).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from alt.errors import DatasetError
from alt.training.annotations.lists import PROBE, find_root, read_labels, resolve
from alt.training.annotations.videolist import VideoList

logger = logging.getLogger(__name__)

NAME = "Something-Something v2"
LABELS, TRAIN, VAL = "labels.json", "train.json", "validation.json"
HINTS = ("20bn-something-something-v2", "videos")
EXTS = (".webm", ".mp4")


def template_class(template: str) -> str:
    """The class name of an SSv2 template: brackets removed, spaces tidied.

    "Pushing [something] from left to right" -> "Pushing something from left to right".
    """
    return re.sub(r"\s+", " ", re.sub(r"[\[\]]", "", template)).strip()


def is_annotations(path: Path) -> bool:
    """A JSON list of {"id": ..., ...} entries (train.json, validation.json, test.json), by its first bytes."""
    if not (path.is_file() and path.suffix.lower() == ".json"):
        return False
    with open(path, encoding="utf-8", errors="replace") as fh:
        head = fh.read(4096).lstrip()
    return head.startswith("[") and '"id"' in head


def is_folder(path: Path) -> bool:
    """A folder with `labels.json` and `train.json` or `validation.json`."""
    return path.is_dir() and (path / LABELS).is_file() and ((path / TRAIN).is_file() or (path / VAL).is_file())


def open_ssv2(source: Path, *, part: str, labels: str | Path | None, root: str | Path | None) -> VideoList:
    """SSv2 train ("train", `train.json`) or validation ("test", `validation.json`) videos.

    Args:
        source: the annotation folder, or one annotation file (read as it is, whatever `part` says).
        labels: the class list (default: `labels.json` beside the annotations).
        root: the folder of `<id>.webm` videos (default: found beside the annotations).
    Raises:
        DatasetError: not an SSv2 list, entries without a template (test.json), a class not in labels.json.
    """
    path = source if source.is_file() else source / (TRAIN if part == "train" else VAL)
    if not path.is_file():
        raise DatasetError(f"{source} has no {path.name} (the SSv2 {part} annotations)")
    part = "train" if path.name == TRAIN else "test" if path.name == VAL else part
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) and "id" in e for e in entries):
        raise DatasetError(f"{path}: an SSv2 annotation file is a JSON list of {{\"id\", \"template\", ...}} entries")
    no_template = [e["id"] for e in entries if "template" not in e]
    if no_template:
        raise DatasetError(f"{path}: {len(no_template)} entries have no 'template' (e.g. id {no_template[0]}), so no "
                           f"class: SSv2's test.json is unlabelled; evaluate on {VAL}")
    labels = labels or (path.parent / LABELS if (path.parent / LABELS).is_file() else None)
    if labels:
        names, _ = read_labels(labels)
    else:
        names = sorted({template_class(e["template"]) for e in entries})
        logger.warning("%s: no %s beside it; the classes are the %d templates it uses", path, LABELS, len(names))
    lookup = {n: i for i, n in enumerate(names)}
    lookup_lower = {n.lower(): i for i, n in enumerate(names)}
    rows = []
    for e in entries:
        name = template_class(str(e["template"]))
        a = lookup.get(name, lookup_lower.get(name.lower(), -1))
        if a < 0:
            raise DatasetError(f"{path}: video {e['id']}: class {name!r} (template {e['template']!r}) "
                               f"is not in {labels}")
        rows.append((str(e["id"]), a))
    anchor = path.parent
    probe = [vid for vid, _ in rows[:: max(1, len(rows) // PROBE)][:PROBE]]
    base_dir = Path(root).expanduser() if root else find_root(
        anchor, lambda d: sum(any((d / f"{v}{x}").is_file() for x in EXTS) for v in probe), hints=HINTS)
    targets = [(Path(f"{vid}{next((x for x in EXTS if (base_dir / f'{vid}{x}').is_file()), EXTS[0])}"), a)
               for vid, a in rows]
    data = resolve(targets, base_dir, names, str(path))
    data.benchmark, data.part = NAME, part
    return data
