"""Scoring one explanation against an ALT World clip's ground truth (numpy only).

The clip must be rendered at the model's input size (square, e.g. 96 px for the world model), so that
`Explanation.frames` (the centre-cropped model input) is the rendered frame and patch (i, j) covers
pixels [i*p:(i+1)*p, j*p:(j+1)*p] of the instance masks: no resampling anywhere.

- **Pointing**: for each visible object instance (kind "object": person, ball, car, bicycle, dog, leash,
  guitar, tree, bird, cloud, sun) in each frame, the entity that most of its pixels (its own and its
  parts', e.g. a person's head, torso, arms...) are aligned to, through `region_ids` and
  `region_entities`. A hit when that entity is its own or one of its parts' (a person's "hand", a car's
  "wheel"). Visible: at least `MIN_PIXELS` pixels, one patch's worth (smaller things cannot own a patch).
- **IoU** per entity: the pixels aligned to it against the pixels that show it (parts as parts; "person"
  has no pixels of its own, so it has no IoU), summed over every frame before dividing.
- **Attention focus**: the share of the adapter's attention (`Explanation.attention`, spread evenly over
  each patch's pixels) that lands on the action's objects, divided by their share of the pixels.
- **Ground-truth region order**: regions ranked by the share of their pixels that belong to the action's
  objects (for deletion / insertion curves, alt/world/curves.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from alt.world.catalog import ACTION_SPECS, ENTITIES, ENTITY_INDEX

if TYPE_CHECKING:
    from alt.explanation import Explanation
    from alt.world.clip import WorldClip

MIN_PIXELS = 64  # an object is "visible" in a frame with at least this many pixels (one 8 x 8 patch)
E = len(ENTITIES)

#: The things an action is about. The cast of each action, except that in "a ball rising" / "a ball
#: falling" a person may stand by: there the action is the ball's alone.
ACTION_OBJECTS: Mapping[str, frozenset[str]] = MappingProxyType({
    a: frozenset(("ball",) if a in ("a ball rising", "a ball falling") else spec.cast)
    for a, spec in ACTION_SPECS.items()})


def pixel_entities(exp: Explanation, patch: int) -> np.ndarray:
    """The world entity every pixel's region is aligned to (-1 for entities outside ENTITIES).

    Returns:
        int64 [T, S, S], S = Hp * patch.
    """
    lut = np.array([ENTITY_INDEX.get(n, -1) for n in exp.entity_names], np.int64)  # [E_exp]
    ids = lut[exp.patch_entity_ids()]  # [T, Hp, Wp]
    return np.repeat(np.repeat(ids, patch, axis=1), patch, axis=2)


def _check_sizes(exp: Explanation, clip: WorldClip) -> None:
    if exp.frames.shape[:3] != clip.masks.shape:
        raise ValueError(f"the explanation saw frames {exp.frames.shape[:3]}, the clip's masks are "
                         f"{clip.masks.shape}: render the clip at the model's input size and explain all its frames")


def object_instances(clip: WorldClip) -> list[tuple[str, list[int], set[int]]]:
    """(entity, ids of the instance and its parts, entity indices that count as a hit) per object instance."""
    out = []
    for inst in clip.instances:
        if inst.kind != "object":
            continue
        parts = [p for p in clip.instances if p.parent == inst.id]
        out.append((inst.entity, [inst.id] + [p.id for p in parts],
                    {ENTITY_INDEX[inst.entity]} | {ENTITY_INDEX[p.entity] for p in parts}))
    return out


def pointing(exp: Explanation, clip: WorldClip, aligned: np.ndarray) -> list[tuple[str, bool]]:
    """(entity, hit) for every visible object instance in every frame (see the module docstring).

    Args:
        aligned: `pixel_entities(exp, patch)`. int64 [T, S, S]
    """
    _check_sizes(exp, clip)
    results = []
    for entity, ids, hits in object_instances(clip):
        inside = np.isin(clip.masks, ids)  # [T, S, S]
        for t in range(clip.masks.shape[0]):
            votes = aligned[t][inside[t]]
            if votes.size < MIN_PIXELS:
                continue
            top = int(np.argmax(np.bincount(votes + 1, minlength=E + 1))) - 1  # -1: outside the world
            results.append((entity, top in hits))
    return results


def confusion(clip: WorldClip, aligned: np.ndarray) -> np.ndarray:
    """Pixel counts of (true entity, aligned entity), aligned -1 in the last column. int64 [E, E + 1]"""
    truth = clip.entity_lut()[clip.masks].ravel()  # [T*S*S]
    pred = np.where(aligned.ravel() < 0, E, aligned.ravel())
    return np.bincount(truth * (E + 1) + pred, minlength=E * (E + 1)).reshape(E, E + 1)


def iou_per_entity(conf: np.ndarray) -> dict[str, float]:
    """IoU of every entity that has true pixels, from a (summed) confusion matrix [E, E + 1]."""
    inter = np.diag(conf[:, :E]).astype(np.float64)
    union = conf.sum(1) + conf[:, :E].sum(0) - inter
    return {ENTITIES[e]: float(inter[e] / union[e]) for e in range(E) if conf[e].sum() > 0}


def action_object_mask(clip: WorldClip) -> np.ndarray:
    """Pixels of the action's objects (and their parts). bool [T, S, S]"""
    wanted = ACTION_OBJECTS[clip.action]
    by_id = {i.id: i for i in clip.instances}
    ids = [i.id for i in clip.instances
           if i.entity in wanted or (i.parent is not None and by_id[i.parent].entity in wanted)]
    return np.isin(clip.masks, ids)


def attention_focus(exp: Explanation, objects: np.ndarray, patch: int) -> tuple[float, float, float]:
    """(attention mass on the objects, their pixel share, mass / share; nan when they have no pixels).

    Args:
        objects: `action_object_mask(clip)`. bool [T, S, S]
    """
    per_pixel = np.repeat(np.repeat(exp.attention, patch, axis=1), patch, axis=2) / patch ** 2  # [T, S, S]
    mass = float(per_pixel[objects].sum() / max(per_pixel.sum(), 1e-12))
    share = float(objects.mean())
    return mass, share, (mass / share if share > 0 else float("nan"))


def truth_region_order(exp: Explanation, objects: np.ndarray, patch: int, seed: int = 0) -> np.ndarray:
    """Regions by the share of their pixels on the action's objects, highest first; ties in a seeded random
    order. Flat indices t * R + r. int64 [T * R]"""
    t, r = exp.num_frames, exp.num_regions
    ids = np.repeat(np.repeat(exp.region_ids, patch, axis=1), patch, axis=2)  # [T, S, S]
    flat = (ids + (np.arange(t) * r)[:, None, None]).ravel()
    on = np.bincount(flat, weights=objects.ravel().astype(np.float64), minlength=t * r)  # [T*R]
    size = np.maximum(np.bincount(flat, minlength=t * r), 1)
    tie = np.random.default_rng(seed).permutation(t * r)
    return np.lexsort((tie, -(on / size))).astype(np.int64)
