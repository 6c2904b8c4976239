"""A synthetic motion dataset: classes differ only in the direction a square moves.

Every clip shows one square of a random colour on a random dark background, crossing the frame at a
random offset and speed. The class is the direction (right, left, down, up). Any single frame is a
square somewhere, and a clip and its time-reversal belong to opposite classes with the same set of
frames, so a frame-mean classifier cannot tell "right" from "left" (nor "down" from "up"): only
temporal order separates the classes.

    from tests.helpers.motion_data import make_motion_dataset
    info = make_motion_dataset(tmp_path / "train", per_class=48, seed=0)   # root/<class>/<i>.mp4
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}


def motion_frames(direction: str, rng: np.random.Generator, num_frames: int = 16, size: int = 64,
                  side: int = 14) -> np.ndarray:
    """One clip of a square moving in `direction`.

    Args:
        direction: a key of DIRECTIONS.
        rng: random generator (colours, offset, speed, start).
        num_frames: T.
        size: frame side in pixels (square frames).
        side: square side in pixels.
    Returns:
        uint8 RGB frames [T, size, size, 3].
    """
    dx, dy = DIRECTIONS[direction]
    span = size - side
    travel = rng.uniform(0.7, 1.0) * span  # pixels covered over the clip
    start = rng.uniform(0, span - travel)
    pos = start + np.linspace(0.0, travel, num_frames)  # [T] along the motion axis, increasing
    if dx < 0 or dy < 0:
        pos = pos[::-1]
    across = int(rng.integers(0, span + 1))
    bg = rng.integers(0, 90, 3)
    colour = rng.integers(150, 256, 3)
    frames = np.empty((num_frames, size, size, 3), np.uint8)  # [T, H, W, 3]
    frames[:] = bg.astype(np.uint8)
    for t, p in enumerate(np.round(pos).astype(int)):
        x, y = (p, across) if dx else (across, p)
        frames[t, y:y + side, x:x + side] = colour.astype(np.uint8)
    return frames


def write_video(path: Path, frames: np.ndarray, fps: float = 8.0) -> Path:
    """Write RGB frames [T, H, W, 3] with OpenCV (mp4v for .mp4, MJPG for .avi)."""
    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if path.suffix == ".avi" else "mp4v"))
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(str(path), fourcc, fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def make_motion_dataset(root: str | Path, per_class: int, seed: int = 0, num_frames: int = 16, size: int = 64,
                        classes: dict[str, str] | None = None, ext: str = ".mp4") -> dict[str, list[Path]]:
    """Write root/<class folder>/<i><ext> for every direction.

    Args:
        root: output folder.
        per_class: videos per class.
        seed: random seed (different seeds give disjoint-looking clips for train and test).
        classes: direction -> folder name (default: the direction itself).
    Returns:
        folder name -> written paths.
    """
    root = Path(root)
    classes = classes or {d: d for d in DIRECTIONS}
    rng = np.random.default_rng(seed)
    out: dict[str, list[Path]] = {}
    for direction, folder in classes.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        out[folder] = [write_video(root / folder / f"{i:03d}{ext}", motion_frames(direction, rng, num_frames, size))
                       for i in range(per_class)]
    return out
