"""Rendering: `render_clip` (a labelled clip with masks and captions) and `frame_caption_pairs`.

Determinism: a clip of action a with seed s draws everything from
`numpy.random.default_rng([s, crc32(base(a))])`, where base(a) is the scripted action (for "walking
left" it is "walking right"); caption templates read row t of uniforms drawn by
`default_rng([s, crc32(base(a)), 1])`.
So the same (action, seed, num_frames, size) gives byte-identical frames, masks and captions, and a
temporal class with seed s is exactly its partner with seed s played backwards.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from alt.world import scripts_people as people
from alt.world import scripts_things as things
from alt.world.canvas import Instance, Registry
from alt.world.captions import Draws, caption
from alt.world.catalog import ACTION_SPECS, ACTIONS, ENTITY_INDEX, WorldError, base_action
from alt.world.scenes import add_birds, add_scenery, paint_backdrop
from alt.world.stage import Ctx, Script, Stage

FPS = 8.0  # nominal frame rate: 16 frames = 2 seconds
MIN_SIZE, MAX_SIZE, MAX_FRAMES = 32, 1024, 4096
SCRIPTS: dict[str, Callable[[Ctx], Script]] = {
    "walking right": people.walking_right, "a person appearing": people.appearing,
    "waving a hand": people.waving, "bouncing a ball": people.bouncing, "swimming": people.swimming,
    "playing guitar": people.playing_guitar, "walking the dog": people.walking_the_dog,
    "a ball falling": things.ball_falling, "riding a bike": things.riding_a_bike,
    "driving a car": things.driving_a_car,
}


@dataclass
class WorldClip:
    """One rendered clip with its ground truth.

    Attributes:
        frames: uint8 [T, H, W, 3] RGB.
        masks: int32 [T, H, W] instance id of every pixel (ids >= 1; every id is in `instances`).
        instances: every instance of the clip (ids are stable across frames; some may be hidden in
            some frames, e.g. a person not yet arrived).
        captions: one caption per frame (never states a direction of motion or time).
        action: the class name; scene: a key of `SCENES`; fps: nominal frame rate; seed: the seed.
    """

    frames: np.ndarray
    masks: np.ndarray
    instances: list[Instance]
    captions: list[str]
    action: str
    scene: str
    fps: float
    seed: int

    def entity_lut(self) -> np.ndarray:
        """int32 [max id + 1]: index into `ENTITIES` of each instance id (-1 for unused ids)."""
        lut = np.full(max(i.id for i in self.instances) + 1, -1, np.int32)
        for inst in self.instances:
            lut[inst.id] = ENTITY_INDEX[inst.entity]
        return lut

    def entity_map(self, t: int) -> np.ndarray:
        """int32 [H, W]: index into `ENTITIES` of the entity each pixel of frame t shows (parts as parts)."""
        return self.entity_lut()[self.masks[t]]

    def metadata(self) -> dict:
        """JSON-ready description of the clip (everything but the pixel arrays)."""
        return {"action": self.action, "scene": self.scene, "seed": self.seed, "fps": self.fps,
                "num_frames": int(self.frames.shape[0]), "size": int(self.frames.shape[1]),
                "instances": [i.to_dict() for i in self.instances], "captions": list(self.captions)}


def _check(seed: int, num_frames: int, size: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise WorldError(f"seed must be a non-negative integer, got {seed!r}")
    if not 1 <= num_frames <= MAX_FRAMES:
        raise WorldError(f"num_frames must be in 1..{MAX_FRAMES}, got {num_frames}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise WorldError(f"size must be in {MIN_SIZE}..{MAX_SIZE} pixels, got {size}")


def _key(base: str) -> int:
    return zlib.crc32(base.encode("utf-8"))


def build_stage(base: str, seed: int, num_frames: int, size: int) -> Stage:
    """Draw the scene, scenery and script of one clip of the scripted action `base`."""
    rng = np.random.default_rng([int(seed), _key(base)])
    scenes = ACTION_SPECS[base].scenes
    scene = scenes[int(rng.integers(len(scenes)))]
    reg = Registry()
    back = paint_backdrop(scene, rng, size, reg)
    add_scenery(back, rng, reg)
    birds = add_birds(back, rng, reg)
    script = SCRIPTS[base](Ctx(rng, size, back, reg))
    draws = np.random.default_rng([int(seed), _key(base), 1]).random((num_frames, 16))  # [T, 16]
    return Stage(base, scene, size, num_frames, back, reg, birds, script, draws)


def _caption(stage: Stage, ids: np.ndarray, t: int) -> str:
    return caption(stage, ids, t, Draws(stage.caption_draws[t]))


def render_clip(action: str, seed: int, num_frames: int = 16, size: int = 96) -> WorldClip:
    """Render one clip of `action` (a name of `ACTIONS`) at `size` x `size` pixels.

    Raises:
        WorldError: unknown action, negative seed, or a size / frame count out of range.
    """
    base, backwards = base_action(action)
    _check(seed, num_frames, size)
    stage = build_stage(base, seed, num_frames, size)
    frames = np.empty((num_frames, size, size, 3), np.uint8)  # [T, H, W, 3]
    masks = np.empty((num_frames, size, size), np.int32)      # [T, H, W]
    captions = []
    for t in range(num_frames):
        frames[t], masks[t] = stage.render(t)
        captions.append(_caption(stage, masks[t], t))
    if backwards:
        frames, masks, captions = frames[::-1].copy(), masks[::-1].copy(), captions[::-1]
    return WorldClip(frames, masks, list(stage.instances), captions, action, stage.scene, FPS, int(seed))


class WorldFrame(NamedTuple):
    """One frame for image-text pretraining (unpacks as a 4-tuple)."""

    frame: np.ndarray            # uint8 [H, W, 3] RGB
    caption: str
    mask: np.ndarray             # int32 [H, W] instance ids
    instances: list[Instance]    # the instances visible in the frame, and the wholes of visible parts


def frame_caption_pairs(n: int, seed: int, size: int = 96, num_frames: int = 16) -> Iterator[WorldFrame]:
    """`n` single frames of random actions at random times, with captions and ground truth.

    Each frame is frame t (uniform in 0..num_frames-1) of `render_clip(action, clip_seed, num_frames,
    size)` for a uniform action, and is byte-identical to it; only that frame is rendered.
    """
    _check(seed, num_frames, size)
    rng = np.random.default_rng([int(seed), 0x5EED])
    for _ in range(int(n)):
        action = ACTIONS[int(rng.integers(len(ACTIONS)))]
        clip_seed, t = int(rng.integers(2 ** 31)), int(rng.integers(num_frames))
        base, backwards = base_action(action)
        stage = build_stage(base, clip_seed, num_frames, size)
        t_base = num_frames - 1 - t if backwards else t
        rgb, ids = stage.render(t_base)
        present = set(np.unique(ids).tolist())
        present |= {i.parent for i in stage.instances if i.id in present and i.parent is not None}
        yield WorldFrame(rgb, _caption(stage, ids, t_base), ids,
                         [i for i in stage.instances if i.id in present])
