"""Synthetic motion datasets whose classes only temporal order separates.

Two tasks, every clip one object over a background:
- `direction`: the object crosses the frame to the right, left, down or up. A clip and its
  time-reversal belong to opposite classes with the same set of frames.
- `appearing`: the object appears, disappears, briefly appears or briefly disappears. The fraction
  of frames that show the object is drawn from the same range in every class, so the frame mean
  (background plus that fraction of the object) has the same distribution in all four classes.

Either way a frame-mean classifier stays at chance (0.25); only temporal order separates the classes.
`MotionSpec` varies resolution, frames per clip, object size, shape and speed, and the background
texture (flat, noise, stripes, checker).

    from tests.helpers.motion_data import make_motion_dataset, make_task_dataset, MotionSpec
    make_motion_dataset(tmp_path / "train", per_class=48, seed=0)   # squares, flat background, .mp4
    spec = MotionSpec(task="appearing", size=96, num_frames=24, obj_frac=0.25, texture="checker")
    make_task_dataset(tmp_path / "train", spec, per_class=24, seed=0)  # root/<class>/<i>.avi
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}
# appearing task: class -> (object shown at the start, object shown at the end, one switch or two)
APPEARING = {"appearing": (False, True), "disappearing": (True, False),
             "briefly_appearing": (False, False), "briefly_disappearing": (True, True)}
# there-and-back task: class -> the direction of the first half (the second half goes back)
RETURNS = {"right_then_left": "right", "left_then_right": "left", "down_then_up": "down", "up_then_down": "up"}
TASKS = {"direction": tuple(DIRECTIONS), "appearing": tuple(APPEARING), "return": tuple(RETURNS)}
TEXTURES = ("flat", "noise", "stripes", "checker")


@dataclass(frozen=True)
class MotionSpec:
    """How one synthetic dataset looks.

    Attributes:
        task: "direction" or "appearing".
        size: frame side in pixels (square frames).
        num_frames: T per clip.
        obj_frac: object side (or diameter) as a fraction of the frame side.
        speed: (low, high) fraction of the free span the object travels over a clip (direction task);
            in the appearing task a slow drift of up to `high` / 4 of the span.
        shape: "square" or "disc".
        texture: background, one of TEXTURES.
        reveal: how the object appears and disappears (appearing task): "pop" (from one frame to the
            next), "grow" (its size ramps from nothing, around its centre) or "fade" (its opacity ramps).
        ramp: length of a grow or fade ramp, as a fraction of the clip.
        ext: video file extension (.avi: MJPG, .mp4: mp4v).
        sampled: frames the model samples from a clip (`alt train --frames`, 8 by default). In the
            appearing task every run of frames with the object shown, or hidden, lasts at least one
            sampling segment (num_frames / sampled frames, rounded up), so the class can be seen in the
            sampled frames, with or without jitter.
    """

    task: str = "direction"
    size: int = 64
    num_frames: int = 16
    obj_frac: float = 0.22
    speed: tuple[float, float] = (0.7, 1.0)
    shape: str = "square"
    texture: str = "flat"
    reveal: str = "pop"
    ramp: float = 0.25
    ext: str = ".mp4"
    sampled: int = 8

    @property
    def classes(self) -> tuple[str, ...]:
        return TASKS[self.task]


def background(rng: np.random.Generator, size: int, texture: str = "flat") -> np.ndarray:
    """A dark background of `texture` (random colours, phase and scale). uint8 [size, size, 3]"""
    if texture not in TEXTURES:
        raise ValueError(f"unknown texture {texture!r}; use one of {TEXTURES}")
    a, b = rng.integers(0, 60, 3), rng.integers(30, 100, 3)
    if texture == "flat":
        return np.broadcast_to(a.astype(np.uint8), (size, size, 3)).copy()
    yy, xx = np.mgrid[0:size, 0:size]
    if texture == "noise":
        cell = max(2, size // int(rng.integers(8, 17)))
        coarse = rng.random((size // cell + 1, size // cell + 1))
        mix = np.kron(coarse, np.ones((cell, cell)))[:size, :size]  # [S, S] blocky value noise
    elif texture == "stripes":
        period, angle = rng.uniform(size / 10, size / 4), rng.uniform(0, np.pi)
        mix = 0.5 + 0.5 * np.sin(2 * np.pi * (xx * np.cos(angle) + yy * np.sin(angle)) / period)
    else:
        cell = int(rng.integers(max(2, size // 12), max(3, size // 5)))
        mix = ((xx // cell + yy // cell) % 2).astype(float)
    return (a + mix[..., None] * (b - a)).astype(np.uint8)


def _draw(frame: np.ndarray, x: int, y: int, side: int, colour: np.ndarray, shape: str, alpha: float = 1.0) -> None:
    """Draw the object with its top-left corner at (x, y), in place, with opacity `alpha`."""
    if side < 1 or alpha <= 0:
        return
    layer = frame.copy()
    if shape == "disc":
        r = side / 2
        cv2.circle(layer, (round(x + r), round(y + r)), max(1, round(r)), tuple(int(c) for c in colour), -1,
                   lineType=cv2.LINE_AA)
    else:
        layer[y:y + side, x:x + side] = colour.astype(np.uint8)
    frame[:] = layer if alpha >= 1 else (alpha * layer + (1 - alpha) * frame).round().astype(np.uint8)


def direction_frames(direction: str, rng: np.random.Generator, spec: MotionSpec) -> np.ndarray:
    """One clip of the object crossing in `direction`. uint8 RGB [T, S, S, 3]"""
    dx, dy = DIRECTIONS[direction]
    side, span, travel, start = _stretch(rng, spec)
    pos = start + np.linspace(0.0, travel, spec.num_frames)  # [T] along the motion axis, increasing
    if dx < 0 or dy < 0:
        pos = pos[::-1]
    return _moving_object(pos, bool(dx), side, span, rng, spec)


def return_frames(kind: str, rng: np.random.Generator, spec: MotionSpec) -> np.ndarray:
    """One clip of the object going one way and coming back (`kind`, a key of RETURNS). uint8 [T, S, S, 3]

    Both halves cover the same stretch, so every class visits the same positions moving both ways;
    only the order of the two motions tells "right then left" from "left then right".
    """
    dx, dy = DIRECTIONS[RETURNS[kind]]
    side, span, travel, start = _stretch(rng, spec)
    turn = rng.uniform(0.4, 0.6)  # where in the clip it turns back
    phase = np.linspace(0.0, 1.0, spec.num_frames)
    out = np.where(phase < turn, phase / turn, (1 - phase) / (1 - turn))  # [T] 0 -> 1 -> 0
    pos = start + out * travel if dx > 0 or dy > 0 else start + (1 - out) * travel
    return _moving_object(pos, bool(dx), side, span, rng, spec)


def _stretch(rng: np.random.Generator, spec: MotionSpec) -> tuple[int, int, float, float]:
    """The object's side, the span its corner can move in, and a random stretch of that span: (side, span,
    travel, start), pixels; travel is `spec.speed` x span."""
    side = max(2, round(spec.obj_frac * spec.size))
    span = spec.size - side
    travel = rng.uniform(*spec.speed) * span  # pixels covered over the clip
    start = rng.uniform(0, span - travel)
    return side, span, travel, start


def _moving_object(pos: np.ndarray, horizontal: bool, side: int, span: int, rng: np.random.Generator,
                   spec: MotionSpec) -> np.ndarray:
    """The object at position pos[i] along the motion axis in frame i, at a random place across it, in a
    random colour, over a random background. pos [T] pixels -> uint8 RGB [T, S, S, 3]"""
    across = int(rng.integers(0, span + 1))
    bg = background(rng, spec.size, spec.texture)
    colour = rng.integers(150, 256, 3)
    frames = np.repeat(bg[None], len(pos), axis=0)  # [T, S, S, 3]
    for i, p in enumerate(np.round(pos).astype(int)):
        x, y = (p, across) if horizontal else (across, p)
        _draw(frames[i], x, y, side, colour, spec.shape)
    return frames


def appearing_frames(kind: str, rng: np.random.Generator, spec: MotionSpec) -> np.ndarray:
    """One clip of the object appearing / disappearing (`kind`, a key of APPEARING). uint8 [T, S, S, 3]

    The object is shown in a fraction U(0.35, 0.65) of the frames in every class: one contiguous run at
    the end (appearing) or start (disappearing), in the middle (briefly appearing), or split between
    start and end (briefly disappearing). The runs at the start and end last at least one sampling segment
    (`spec.sampled`): a one-frame run could fall between the sampled frames, and the clip would then
    look like another class to the model. With `spec.reveal` "grow" or "fade", the on/off switches
    become ramps (a box filter over time, symmetric, so time-reversed classes keep mirrored clips).
    """
    first, last = APPEARING[kind]
    size, t = spec.size, spec.num_frames
    side = max(2, round(spec.obj_frac * size))
    span = size - side
    shown = round(rng.uniform(0.35, 0.65) * t)
    if first != last:  # one switch
        on = np.arange(t) >= t - shown if last else np.arange(t) < shown
    else:  # two switches: a middle run of `shown` frames, or of t - shown hidden frames
        run = shown if not first else t - shown
        edge = max(-(-t // spec.sampled), (t - run) // 4)  # the shortest run at either end
        begin = int(rng.integers(edge, t - run - edge + 1))
        middle = (np.arange(t) >= begin) & (np.arange(t) < begin + run)
        on = middle if not first else ~middle
    drift = rng.uniform(-1, 1, 2) * spec.speed[1] / 4 * span  # a slow drift, same in every class
    x0, y0 = rng.uniform(0, span, 2)
    xs = np.clip(x0 + np.linspace(0, 1, t) * drift[0], 0, span).round().astype(int)
    ys = np.clip(y0 + np.linspace(0, 1, t) * drift[1], 0, span).round().astype(int)
    bg = background(rng, size, spec.texture)
    colour = rng.integers(150, 256, 3)
    frames = np.repeat(bg[None], t, axis=0)  # [T, S, S, 3]
    vis = _visibility(on, spec)  # [T] in [0, 1]
    for i in np.flatnonzero(vis > 0):
        if spec.reveal == "grow":  # grows from (shrinks to) its centre
            s = max(1, round(side * vis[i]))
            _draw(frames[i], xs[i] + (side - s) // 2, ys[i] + (side - s) // 2, s, colour, spec.shape)
        else:
            _draw(frames[i], xs[i], ys[i], side, colour, spec.shape, alpha=vis[i] if spec.reveal == "fade" else 1.0)
    return frames


def _visibility(on: np.ndarray, spec: MotionSpec) -> np.ndarray:
    """Per-frame visibility in [0, 1]: the on/off mask [T], smoothed into ramps unless `reveal` is "pop"."""
    if spec.reveal not in ("pop", "grow", "fade"):
        raise ValueError(f"unknown reveal {spec.reveal!r}; use pop, grow or fade")
    width = round(spec.ramp * len(on))
    if spec.reveal == "pop" or width < 2:
        return on.astype(float)
    padded = np.pad(on.astype(float), width, mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="same")[width:-width]


def motion_frames(direction: str, rng: np.random.Generator, num_frames: int = 16, size: int = 64,
                  side: int = 14) -> np.ndarray:
    """One clip of a square moving in `direction` over a flat background (the original generator).

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


def clip_frames(cls: str, rng: np.random.Generator, spec: MotionSpec) -> np.ndarray:
    """One clip of class `cls` of `spec.task`. uint8 RGB [T, S, S, 3]"""
    if spec.task == "direction":
        return direction_frames(cls, rng, spec)
    if spec.task == "appearing":
        return appearing_frames(cls, rng, spec)
    if spec.task == "return":
        return return_frames(cls, rng, spec)
    raise ValueError(f"unknown task {spec.task!r}; use one of {tuple(TASKS)}")


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


def make_task_dataset(root: str | Path, spec: MotionSpec, per_class: int, seed: int = 0) -> dict[str, list[Path]]:
    """Write root/<class>/<i><spec.ext> for every class of `spec.task`.

    Args:
        root: output folder.
        spec: what the clips look like.
        per_class: videos per class.
        seed: random seed (use different seeds for training and held-out data).
    Returns:
        class folder name -> written paths.
    """
    root = Path(root)
    rng = np.random.default_rng(seed)
    out: dict[str, list[Path]] = {}
    for cls in spec.classes:
        (root / cls).mkdir(parents=True, exist_ok=True)
        out[cls] = [write_video(root / cls / f"{i:03d}{spec.ext}", clip_frames(cls, rng, spec))
                    for i in range(per_class)]
    return out


def make_motion_dataset(root: str | Path, per_class: int, seed: int = 0, num_frames: int = 16, size: int = 64,
                        classes: dict[str, str] | None = None, ext: str = ".mp4") -> dict[str, list[Path]]:
    """Write root/<class folder>/<i><ext> for every direction (squares of side 14 on a flat background).

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
