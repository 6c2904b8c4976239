"""A consistent synthetic `Explanation`, for tests and benchmarks of everything downstream of the model.

Invariants it keeps (the same ones a real `ALTModel.explain` result has):
- every region id 0..R-1 appears in every frame, and `region_sizes` are the patch counts of `region_ids`;
- regions are spatially coherent (nearest-seed partitions of the patch grid), like merged tokens;
- one query per (frame, entity) pair aligned in that frame (the paper's shared-query trick);
- every row of `query_attention` sums to 1 over all frames' regions;
- `attention` is the mean query attention spread evenly over each region's patches (sums to 1,
  `attention_global` = 0);
- `layer_region_ids[-1] == region_ids`, earlier layers are finer partitions (more regions).
"""

from __future__ import annotations

import numpy as np

from alt.explanation import Explanation

_WORDS = [
    "hand", "bicycle", "helmet", "road", "head", "feet", "water", "ball", "grass", "arm", "person",
    "wheel", "sky", "tree", "running", "jumping", "rider", "swimmer", "leg", "face",
]
_KINDS = ["object", "body_part", "scene", "motion", "role", "attribute"]


def _partition(rng: np.random.Generator, hp: int, wp: int, n: int) -> np.ndarray:
    """Nearest-seed partition of the grid into exactly n regions. int32 [Hp, Wp] with ids 0..n-1."""
    seeds = rng.choice(hp * wp, size=n, replace=False)  # distinct seed patches
    sy, sx = np.divmod(seeds, wp)  # [n]
    yy, xx = np.mgrid[0:hp, 0:wp]  # [Hp, Wp]
    d = (yy[..., None] - sy) ** 2 + (xx[..., None] - sx) ** 2 + rng.random((hp, wp, n)) * 0.5  # [Hp, Wp, n]
    d[sy, sx, np.arange(n)] = -1.0  # a seed always belongs to its own region, so every id appears
    return np.argmin(d, axis=-1).astype(np.int32)


def _frames(rng: np.random.Generator, t: int, side: int) -> np.ndarray:
    """Smooth gradients with a few coloured discs that drift over time. uint8 [T, S, S, 3]"""
    yy, xx = np.mgrid[0:side, 0:side] / max(side - 1, 1)  # [S, S]
    base = np.stack([0.25 + 0.5 * xx, 0.3 + 0.4 * yy, 0.6 - 0.3 * xx], axis=-1)  # [S, S, 3]
    out = np.repeat(base[None], t, axis=0)  # [T, S, S, 3]
    for _ in range(3):
        c0, v = rng.random(2), (rng.random(2) - 0.5) * 0.1
        color, rad = rng.random(3), 0.1 + 0.1 * rng.random()
        for i in range(t):
            cy, cx = (c0 + i * v) % 1.0
            out[i][(yy - cy) ** 2 + (xx - cx) ** 2 < rad**2] = color
    return np.clip(out * 255, 0, 255).astype(np.uint8)


def make_explanation(
    T: int = 4,
    grid: tuple[int, int] = (4, 4),
    patch: int = 8,
    R: int = 6,
    E: int = 10,
    A: int = 3,
    seed: int = 0,
    layers: int = 3,
    entity_pool: int | None = None,
) -> Explanation:
    """Build a synthetic Explanation with the invariants listed in the module docstring.

    Args:
        T: frames; grid: (Hp, Wp); patch: pixels per patch side; R: regions per frame (<= Hp*Wp);
        E: entities in the corpus; A: classes; seed: RNG seed;
        layers: per-layer region maps to include (0 for `layer_region_ids=None`);
        entity_pool: how many distinct entities regions draw from (default min(E, max(4, 3R/10))),
            so entities recur across frames as in real clips.
    """
    hp, wp = grid
    if not 1 <= R <= hp * wp:
        raise ValueError(f"R={R} must be in 1..{hp * wp}")
    rng = np.random.default_rng(seed)
    side_h, side_w = hp * patch, wp * patch
    frames = _frames(rng, T, side_h) if side_h == side_w else rng.integers(0, 256, (T, side_h, side_w, 3), np.uint8)

    region_ids = np.stack([_partition(rng, hp, wp, R) for _ in range(T)])  # [T, Hp, Wp]
    region_sizes = np.stack([np.bincount(f.ravel(), minlength=R) for f in region_ids]).astype(np.int32)  # [T, R]

    pool = entity_pool or min(E, max(4, (3 * R) // 10))
    popular = rng.choice(E, size=pool, replace=False)  # entities this clip shows
    weights = 1.0 / np.arange(1, pool + 1)  # Zipf-like: a few entities cover most regions
    ent = popular[rng.choice(pool, size=(T, R), p=weights / weights.sum())]  # [T, R]
    scores = rng.uniform(0.15, 0.35, size=(T, R)).astype(np.float32)  # cosine similarities
    region_entities = [[(int(ent[t, r]), float(scores[t, r])) for r in range(R)] for t in range(T)]

    # One query per (frame, entity); it attends mostly to regions of the same entity, anywhere in the clip.
    pairs = sorted({(t, int(e)) for t in range(T) for e in ent[t]})
    query_frames = np.array([p[0] for p in pairs], dtype=np.int64)  # [Q]
    query_entities = np.array([p[1] for p in pairs], dtype=np.int64)  # [Q]
    logits = rng.normal(0.0, 1.0, size=(len(pairs), T, R))  # [Q, T, R]
    logits += 2.0 * (ent[None] == query_entities[:, None, None])  # same entity: more attention
    logits += 0.5 * (np.arange(T)[None, :, None] == query_frames[:, None, None])  # own frame
    flat = np.exp(logits.reshape(len(pairs), -1) - logits.reshape(len(pairs), -1).max(axis=1, keepdims=True))
    query_attention = (flat / flat.sum(axis=1, keepdims=True)).reshape(len(pairs), T, R).astype(np.float32)

    names = [_WORDS[i] if i < len(_WORDS) else f"entity {i}" for i in range(E)]
    exp = Explanation(
        class_names=[f"action {a}" for a in range(A)],
        probs=_softmax(rng.normal(size=A)),
        baseline_probs=_softmax(rng.normal(size=A)),
        frames=frames,
        timestamps=np.arange(T, dtype=np.float64) * 0.5 + 0.25,
        patch_size=patch,
        region_ids=region_ids,
        region_sizes=region_sizes,
        region_entities=region_entities,
        entity_names=names,
        entity_kinds=[_KINDS[i % len(_KINDS)] for i in range(E)],
        attention=np.zeros((T, hp, wp), np.float32),
        attention_global=0.0,
        query_entities=query_entities,
        query_frames=query_frames,
        query_attention=query_attention,
        layer_region_ids=None,
        r=max(0, (hp * wp - R) // max(layers, 1)),
        model_name="synthetic",
        adapter_trained=True,
        timings={"total": 0.0},
        config={"synthetic": True, "seed": seed},
    )
    exp.attention = exp.spread_to_patches(query_attention.mean(axis=0))  # [T, Hp, Wp]
    if layers > 0:
        counts = np.linspace(hp * wp, R, layers + 1)[1:].round().astype(int)  # finer -> R
        per_layer = [np.stack([_partition(rng, hp, wp, int(n)) for _ in range(T)]) for n in counts[:-1]]
        exp.layer_region_ids = np.stack(per_layer + [region_ids]).astype(np.int32)  # [L, T, Hp, Wp]
    return exp


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max())
    return (z / z.sum()).astype(np.float32)
