"""Files: `write_dataset` (videos + masks + metadata on disk) and `world_corpus_entries` (the entity corpus).

Layout written by `write_dataset(root, ...)`:

    root/world.json                  what the dataset is: actions, entities, scenes, arguments, clip list
    root/<action>/<i>.avi            the clip (MJPG, quality 100; or .mp4 with fmt="mp4")
    root/<action>/<i>.npz            masks int32 [T, H, W] (compressed) and entity_lut int32 [max id + 1]
    root/<action>/<i>.json           instances, captions, scene, seed (`WorldClip.metadata`)

<i> is zero-padded to 4 digits. The class folder name is the class name, as the project's dataset
loader expects; it reads only the video files. Every file is byte-identical for the same arguments.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from alt.world.catalog import (
    ACTIONS,
    ENTITIES,
    ENTITY_SPECS,
    SCENES,
    TEMPORAL_ACTIONS,
    TEMPORAL_PAIRS,
    WorldError,
    action_entities,
)
from alt.world.clip import FPS, WorldClip, render_clip

logger = logging.getLogger(__name__)
WORLD_VERSION = 1
_FORMATS = {"avi": ("MJPG", cv2.CAP_OPENCV_MJPEG), "mp4": ("mp4v", cv2.CAP_ANY)}


def clip_seed(seed: int, action: str, index: int) -> int:
    """The render seed of clip `index` of `action` in a dataset made with `seed` (uint32)."""
    state = np.random.SeedSequence([int(seed), zlib.crc32(action.encode("utf-8")), int(index)]).generate_state(1)
    return int(state[0])


def _write_video(path: Path, frames: np.ndarray, fmt: str) -> None:
    """Write uint8 [T, H, W, 3] RGB frames; MJPG AVIs use OpenCV's own encoder at quality 100."""
    fourcc, api = _FORMATS[fmt]
    size = (frames.shape[2], frames.shape[1])
    writer = cv2.VideoWriter(str(path), api, cv2.VideoWriter_fourcc(*fourcc), FPS, size,
                             [cv2.VIDEOWRITER_PROP_QUALITY, 100] if fmt == "avi" else [])
    if not writer.isOpened():
        raise WorldError(f"OpenCV cannot write {fmt} files here ({path})")
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """`np.savez_compressed` with fixed zip timestamps, so the bytes depend only on the arrays."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())


def _dump(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_truth(stem: Path, clip: WorldClip) -> None:
    """A clip's ground truth beside its video: stem.npz (masks int32 [T, H, W], entity_lut) and stem.json
    (`WorldClip.metadata`: action, scene, seed, instances, captions); byte-identical for the same clip."""
    _write_npz(stem.with_suffix(".npz"), {"masks": clip.masks, "entity_lut": clip.entity_lut()})
    _dump(stem.with_suffix(".json"), clip.metadata())


def write_dataset(root: str | Path, per_class: int, seed: int, num_frames: int = 16, size: int = 96,
                  actions: Sequence[str] | None = None, fmt: str = "avi") -> Path:
    """Render `per_class` clips of every action (or of `actions`) into `root` (see module docstring).

    Returns:
        The root folder.

    Raises:
        WorldError: unknown action or format, per_class < 1, or arguments `render_clip` refuses.
    """
    actions = list(ACTIONS if actions is None else actions)
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown or not actions or len(set(actions)) != len(actions):
        raise WorldError(f"actions must be distinct names of ALT World actions; bad: {unknown or actions}")
    if fmt not in _FORMATS:
        raise WorldError(f"fmt must be one of {', '.join(_FORMATS)}, got {fmt!r}")
    if per_class < 1:
        raise WorldError(f"per_class must be at least 1, got {per_class}")
    root = Path(root)
    clips = []
    for action in actions:
        folder = root / action
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            clip = render_clip(action, clip_seed(seed, action, i), num_frames, size)
            stem = folder / f"{i:04d}"
            _write_video(stem.with_suffix(f".{fmt}"), clip.frames, fmt)
            write_truth(stem, clip)
            clips.append({"action": action, "index": i, "seed": clip.seed, "scene": clip.scene,
                          "video": f"{action}/{stem.name}.{fmt}"})
        logger.info("ALT World: wrote %d clips of %r to %s", per_class, action, folder)
    _dump(root / "world.json", {
        "name": "ALT World", "version": WORLD_VERSION, "seed": int(seed), "per_class": int(per_class),
        "num_frames": int(num_frames), "size": int(size), "fps": FPS, "format": fmt, "actions": actions,
        "temporal_actions": sorted(TEMPORAL_ACTIONS & set(actions)), "temporal_pairs": dict(TEMPORAL_PAIRS),
        "entities": [{"name": e, "kind": ENTITY_SPECS[e].kind} for e in ENTITIES], "scenes": dict(SCENES),
        "clips": clips})
    return root


def world_corpus_entries() -> list[dict]:
    """One corpus entry per world entity, in the project's corpus JSONL format.

    Each is {"unit", "kind" ("object" | "body_part" | "scene"), "description", "source": "alt-world",
    "actions": the actions whose clips may show it}, in `ENTITIES` order.
    """
    return [{"unit": name, "kind": spec.kind, "description": spec.description, "source": "alt-world",
             "actions": [a for a in ACTIONS if name in action_entities(a)]}
            for name, spec in ENTITY_SPECS.items()]
