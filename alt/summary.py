"""The compact JSON read-outs of an Explanation, and the words every label and export uses for them.

`summary` is the one schema shared by the `/explain` API, the CLI and the exports; `frame_summary` is one
frame of it; `ranking_dict` and `plain_clip_dict` are the blocks that `Explanation.to_dict` also writes.
`Explanation` (alt/explanation.py) calls these from its methods and re-exports the names below, so
`from alt.explanation import BASELINE_NAME` keeps working. numpy only: the torch-free visualizers read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # annotations only: alt/explanation.py imports this module
    from alt.explanation import Explanation

# What `baseline_probs` is, in the words every label, export and JSON uses.
BASELINE_NAME = "CLIP frame-mean (same merged tokens)"
BASELINE_DESCRIPTION = (
    "CLIP's zero-shot answer from the mean of the normalised per-frame CLS embeddings of the same encoder "
    "pass ALT used, i.e. over the same merged tokens (r tokens merged per layer); it equals plain CLIP only "
    "at r=0. `plain_clip_probs` (explain(..., plain_clip=True)) is plain CLIP: a second pass at r=0.")
PLAIN_CLIP_NAME = "plain CLIP (r=0, frame mean)"
RANKING_DESCRIPTION = "entities ranked by their share of the clip's patches (all frames), ties by attention"


def frame_summary(exp: Explanation, t: int, k: int = 10) -> dict[str, Any]:
    """Frame t in brief: time, regions, attention mass and its k largest entities (by patches).

    Returns:
        {"index", "time_s", "num_regions", "attention_mass", "entities": [{"name", "regions",
        "patches", "mean_score"}]}; entities ordered by patches, then entity index.
    """
    ent = exp.region_entity_ids()[t]  # [R]
    score = exp.region_scores()[t]  # [R]
    sizes = exp.region_sizes[t]  # [R]
    rows = []
    for e in np.unique(ent):
        regs = ent == e
        rows.append((-int(sizes[regs].sum()), int(e), int(regs.sum()), float(score[regs].mean())))
    rows.sort()
    return {
        "index": int(t),
        "time_s": float(exp.timestamps[t]),
        "num_regions": int(np.unique(exp.region_ids[t]).size),
        "attention_mass": float(exp.attention[t].sum()),
        "entities": [{"name": exp.entity_names[e], "regions": n, "patches": -neg, "mean_score": round(m, 4)}
                     for neg, e, n, m in rows[:k]],
    }


def summary(exp: Explanation, k: int = 10) -> dict[str, Any]:
    """The compact JSON answer shared by the `/explain` API and the CLI: predictions of ALT and of the
    baseline, and per frame the k largest entities, with timings. (`Explanation.to_dict` has everything.)"""
    return {
        "model": exp.model_name,
        "adapter_trained": bool(exp.adapter_trained),
        "class_names": list(exp.class_names),
        "probs": {n: float(p) for n, p in zip(exp.class_names, exp.probs)},
        "baseline_probs": {n: float(p) for n, p in zip(exp.class_names, exp.baseline_probs)},
        "prediction": exp.top_classes(1)[0][0],
        "baseline_prediction": exp.top_classes(1, baseline=True)[0][0],
        "baseline": BASELINE_NAME,
        "baseline_description": BASELINE_DESCRIPTION,
        **plain_clip_dict(exp),
        "num_frames": exp.num_frames,
        "frame_numbering": "0-based: frame 0 is the first sampled frame, as in the app and every export",
        "r": int(exp.r),
        "entity_ranking": ranking_dict(exp, k),
        "frames": [frame_summary(exp, t, k) for t in range(exp.num_frames)],
        "timings": {name: float(v) for name, v in (exp.timings or {}).items()},
        "extras_in_corpus": list(exp.extras_in_corpus),
        "evidence": exp.evidence_summary(),
    }


def plain_clip_dict(exp: Explanation) -> dict[str, Any]:
    """{"plain_clip_probs", "plain_clip_prediction"} when the plain-CLIP pass ran, else {}."""
    if exp.plain_clip_probs is None:
        return {}
    p = np.asarray(exp.plain_clip_probs)
    return {"plain_clip_probs": {n: float(v) for n, v in zip(exp.class_names, p)},
            "plain_clip_prediction": exp.class_names[int(np.argmax(p))]}


def ranking_dict(exp: Explanation, k: int | None = None) -> dict[str, Any]:
    """The entity ranking as JSON: what it is ranked by, and the entities (1-based legend numbers)."""
    return {"ranked_by": RANKING_DESCRIPTION,
            "entities": [{"number": i + 1, "name": e.name, "patch_share": round(e.patch_share, 6),
                          "attention_share": round(e.attention_share, 6)}
                         for i, e in enumerate(exp.entity_ranking(k))]}
