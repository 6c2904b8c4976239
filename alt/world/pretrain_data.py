"""Batches for pretraining the ALT World CLIP: frames, caption tokens and per-patch entity labels.

Every batch is a pure function of (seed, step): `frame_caption_pairs` renders the frames, then a
seeded augmentation flips some horizontally (captions never name a side, so a flip keeps them true)
and JPEG-compresses some (so the model also reads the compressed clips `alt train` decodes and the
H.264 examples the app plays). Half of the captions are cut to a random span of at least
`MIN_SPAN_WORDS` words ("riding a blue bike on the road"): short texts like class names are then no
stranger to the text tower than full captions, and the class token must carry the subject on its own.

Patch labels (the dense region-text supervision): each 8 x 8 patch is labelled with one entity of
`ENTITIES`, the one with the largest *weighted* pixel count in the patch, where things (objects and
body parts) weigh `THING_WEIGHT` times more than scene regions. So a patch is "hand" as soon as a hand
covers about a quarter of it, not only when it covers most of it: small things (a hand is ~20-50 px, a ball
~30-80 px at 96 px) still get patches of their own. A person has no pixels of its own: its patches are
labelled with its parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from alt.world.catalog import ENTITIES, ENTITY_INDEX, ENTITY_SPECS
from alt.world.clip import frame_caption_pairs

THING_WEIGHT = 3.0
FLIP_PROB = 0.5
JPEG_PROB = 0.5
JPEG_QUALITY = (70, 100)  # inclusive range drawn uniformly
SPAN_PROB = 0.5
MIN_SPAN_WORDS = 4
_WEIGHTS = np.array([1.0 if ENTITY_SPECS[e].kind == "scene" else THING_WEIGHT for e in ENTITIES])  # [E]


@dataclass
class WorldBatch:
    """One pretraining batch (B frames, P patches, E entities).

    Attributes:
        frames: uint8 RGB frames as rendered and augmented. [B, S, S, 3]
        captions: one caption per frame. [B]
        labels: entity index (into ENTITIES) of every patch, row-major. int64 [B, P]
    """

    frames: np.ndarray
    captions: list[str]
    labels: np.ndarray

    def pixels(self, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
        """Normalised model input, as open_clip's eval transform makes it at the native size. [B, 3, S, S]"""
        x = torch.from_numpy(self.frames).permute(0, 3, 1, 2).float() / 255.0  # [B, 3, S, S]
        m = torch.tensor(mean).view(1, 3, 1, 1)
        s = torch.tensor(std).view(1, 3, 1, 1)
        return (x - m) / s


def patch_labels(entity_map: np.ndarray, patch: int) -> np.ndarray:
    """Entity label of every patch: the largest pixel count, things weighted by THING_WEIGHT.

    Args:
        entity_map: index into ENTITIES of every pixel. int [H, W], H and W multiples of `patch`
        patch: patch side in pixels.
    Returns:
        int64 [Hp * Wp], row-major (the ViT's token order); ties go to the lower entity index.
    """
    h, w = entity_map.shape
    hp, wp = h // patch, w // patch
    blocks = entity_map.reshape(hp, patch, wp, patch).transpose(0, 2, 1, 3).reshape(hp * wp, patch * patch)  # [P, p*p]
    e = len(ENTITIES)
    keys = np.arange(hp * wp)[:, None] * e + blocks  # [P, p*p] one key per (patch, entity)
    counts = np.bincount(keys.ravel(), minlength=hp * wp * e).reshape(hp * wp, e)  # [P, E]
    return (counts * _WEIGHTS).argmax(axis=1).astype(np.int64)


def _augment(rgb: np.ndarray, emap: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Seeded horizontal flip (frame and entity map together) and JPEG round trip (frame only)."""
    if rng.random() < FLIP_PROB:
        rgb, emap = rgb[:, ::-1], emap[:, ::-1]
    quality = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1))
    if rng.random() < JPEG_PROB:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            rgb = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb), np.ascontiguousarray(emap)


def caption_span(caption: str, rng: np.random.Generator) -> str:
    """With probability SPAN_PROB, a random span of at least MIN_SPAN_WORDS words of `caption` (else it whole)."""
    words = caption.split()
    if rng.random() >= SPAN_PROB or len(words) <= MIN_SPAN_WORDS:
        return caption
    length = int(rng.integers(MIN_SPAN_WORDS, len(words) + 1))
    start = int(rng.integers(0, len(words) - length + 1))
    return " ".join(words[start:start + length]).strip(",;")


def random_token_texts(seed: int, step: int, k: int, context: int, vocab: int = 49408) -> torch.Tensor:
    """k token sequences of 2 to 5 random BPE tokens (between start and end of text), for the text tower's
    uniformity term: words the world never shows must still move a text's embedding. int64 [k, context]"""
    rng = np.random.default_rng([int(seed), int(step), 11])
    out = torch.zeros(k, context, dtype=torch.long)
    for i in range(k):
        n = int(rng.integers(2, 6))
        out[i, 0], out[i, n + 1] = vocab - 2, vocab - 1  # <start_of_text>, <end_of_text>
        out[i, 1:n + 1] = torch.from_numpy(rng.integers(1, vocab - 2, n))
    return out


def batch_seed(seed: int, step: int) -> int:
    """The frame_caption_pairs seed of batch `step` of a run seeded with `seed` (< 2**31)."""
    return int(np.random.SeedSequence([int(seed), int(step)]).generate_state(1)[0] >> 1)


def make_batch(seed: int, step: int, batch_size: int, size: int = 96, patch: int = 8,
               augment: bool = True) -> WorldBatch:
    """Batch `step` of a pretraining run seeded with `seed` (byte-identical for the same arguments)."""
    rng = np.random.default_rng([int(seed), int(step), 7])
    frames, captions, labels = [], [], []
    for wf in frame_caption_pairs(batch_size, batch_seed(seed, step), size=size):
        lut = np.zeros(int(wf.mask.max()) + 1, np.int64)
        for inst in wf.instances:
            if inst.id < lut.shape[0]:
                lut[inst.id] = ENTITY_INDEX[inst.entity]
        rgb, emap = wf.frame, lut[wf.mask]  # [S, S, 3], [S, S]
        if augment:
            rgb, emap = _augment(rgb, emap, rng)
        frames.append(rgb)
        captions.append(caption_span(wf.caption, rng) if augment else wf.caption)
        labels.append(patch_labels(emap, patch))
    return WorldBatch(np.stack(frames), captions, np.stack(labels))
