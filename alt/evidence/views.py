"""Numpy views of the exact logit split carried by an Explanation (no torch: the app and the
visualizers use them).

`exp.frame_contrib` [A, T] and `exp.query_contrib` [A, Q] sum to `exp.logits` [A]; here they are grouped
per entity and per frame, and spread over regions for the deletion/insertion orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from alt.errors import InputError

if TYPE_CHECKING:
    from alt.explanation import Explanation

ORDER_NAMES = ("contribution", "attention", "random")


def require_contributions(exp: Explanation) -> None:
    """Raise InputError when `exp` carries no logit split (made before evidence existed)."""
    if exp.frame_contrib is None or exp.query_contrib is None or exp.logits is None:
        raise InputError("this Explanation has no logit contributions (it was made by an older version); "
                         "run model.explain(...) again")


def class_index(exp: Explanation, cls: int | str | None = None) -> int:
    """Index of a class given by index or name; None: ALT's predicted class."""
    if cls is None:
        return int(np.argmax(exp.probs))
    if isinstance(cls, str):
        if cls not in exp.class_names:
            raise InputError(f"class {cls!r} is not one of this explanation's classes {exp.class_names}")
        return exp.class_names.index(cls)
    i = int(cls)
    if not 0 <= i < len(exp.class_names):
        raise InputError(f"class index {i} is outside 0..{len(exp.class_names) - 1}")
    return i


def entity_index(exp: Explanation, entity: int | str) -> int:
    """Index of an entity given by index or name (InputError for unknown ones)."""
    return exp.entity_index(entity)


def entity_contributions(exp: Explanation, cls: int | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each entity's adapter contribution to one class logit: the sum of its queries' terms (all frames).

    Returns:
        entity indices int64 [E'] (entities that own a query) and their contributions float64 [E'],
        largest first. Together with the frame-mean part they sum to the logit.
    """
    require_contributions(exp)
    a = class_index(exp, cls)
    ents = np.asarray(exp.query_entities, dtype=np.int64)
    ids = np.unique(ents)
    values = np.zeros(ids.size, np.float64)
    np.add.at(values, np.searchsorted(ids, ents), exp.query_contrib[a].astype(np.float64))
    order = np.lexsort((ids, -values))
    return ids[order], values[order]


def entity_frame_contributions(exp: Explanation, cls: int | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Query terms of one class as an entity x frame table (a query is one (frame, entity) pair).

    Returns:
        entity indices int64 [E'] (as in `entity_contributions`) and values float64 [E', T].
    """
    ids, _ = entity_contributions(exp, cls)
    a = class_index(exp, cls)
    table = np.zeros((ids.size, exp.num_frames), np.float64)
    row = {int(e): i for i, e in enumerate(ids)}
    for e, t, v in zip(exp.query_entities, exp.query_frames, exp.query_contrib[a]):
        table[row[int(e)], int(t)] += float(v)
    return ids, table


def frame_contributions(exp: Explanation, cls: int | str | None = None) -> dict[str, np.ndarray]:
    """One class logit split per frame.

    Returns:
        {"frame_mean": CLIP frame-mean part per frame [T], "queries": the query terms of each frame's
        queries [T], "baseline": the baseline logit split per frame [T]} (float64). frame_mean + queries
        sums to the ALT logit; baseline sums to the baseline logit.
    """
    require_contributions(exp)
    a = class_index(exp, cls)
    queries = np.zeros(exp.num_frames, np.float64)
    np.add.at(queries, np.asarray(exp.query_frames, dtype=np.int64), exp.query_contrib[a].astype(np.float64))
    base = exp.baseline_frame_contrib[a] if exp.baseline_frame_contrib is not None else np.full(exp.num_frames, np.nan)
    return {"frame_mean": exp.frame_contrib[a].astype(np.float64), "queries": queries,
            "baseline": np.asarray(base, np.float64)}


def region_contributions(exp: Explanation, cls: int | str | None = None) -> np.ndarray:
    """Each query's term spread over the regions it reads, in proportion to its attention (mean over
    layers and heads): sum_q term_q * attention_q[t, r]. A heuristic, not an exact split of the keys'
    role (attention weights are not attributions); it sums to the adapter part of the logit.

    Returns:
        float64 [T, R]
    """
    require_contributions(exp)
    a = class_index(exp, cls)
    terms = exp.query_contrib[a].astype(np.float64)  # [Q]
    return np.einsum("q,qtr->tr", terms, exp.query_attention.astype(np.float64))


def region_order(exp: Explanation, by: str, cls: int | str | None = None, seed: int = 0) -> np.ndarray:
    """Regions from most to least important, as flat indices t * R + r.

    Args:
        by: "contribution" (`region_contributions`, most positive first), "attention" (mean attention
            of all queries, largest first) or "random" (a permutation drawn with `seed`).
    Returns:
        int64 [T * R]
    """
    t, r = exp.num_frames, exp.num_regions
    if by == "contribution":
        score = region_contributions(exp, cls).ravel()
    elif by == "attention":
        score = exp.query_attention.astype(np.float64).mean(axis=0).ravel()  # [T*R]
    elif by == "random":
        return np.random.default_rng(seed).permutation(t * r).astype(np.int64)
    else:
        raise InputError(f"unknown region order {by!r}; choose from {ORDER_NAMES}")
    return np.lexsort((np.arange(t * r), -score)).astype(np.int64)  # stable: ties by index


def class_evidence(exp: Explanation, cls: int | str | None = None, k: int = 5) -> dict[str, Any]:
    """One class logit split, JSON-able: parts, per frame, and the k entities pushing most for/against.

    Returns:
        {"class", "logit", "frame_mean_part", "adapter_part", "frame_mean_per_frame" [T],
        "adapter_per_frame" [T], "baseline_logit", "baseline_per_frame" [T], "entities_for",
        "entities_against" ([{"entity", "contribution"}], strongest first), "query_terms_zero"}
    """
    a = class_index(exp, cls)
    ids, values = entity_contributions(exp, a)
    per_frame = frame_contributions(exp, a)

    def rows(order) -> list[dict[str, Any]]:
        return [{"entity": exp.entity_names[int(ids[i])], "contribution": float(values[i])} for i in order][:k]

    return {
        "class": exp.class_names[a], "logit": float(exp.logits[a]),
        "frame_mean_part": float(per_frame["frame_mean"].sum()), "adapter_part": float(per_frame["queries"].sum()),
        "frame_mean_per_frame": per_frame["frame_mean"].tolist(), "adapter_per_frame": per_frame["queries"].tolist(),
        "baseline_logit": float(exp.baseline_logits[a]) if exp.baseline_logits is not None else None,
        "baseline_per_frame": per_frame["baseline"].tolist(),
        "entities_for": rows([i for i in range(ids.size) if values[i] > 0]),
        "entities_against": rows([i for i in range(ids.size - 1, -1, -1) if values[i] < 0]),
        "query_terms_zero": bool(not np.any(exp.query_contrib)),
    }
