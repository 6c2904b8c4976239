"""`alt world eval`: explain held-out ALT World clips and score the explanations against the ground truth.

Held-out clips: `per_class` clips of every action, rendered at the model's input size with seeds
`clip_seed(seed, action, i) | 2**31`. Pretraining frames (`frame_caption_pairs`) draw their clip seeds
below 2**31, so they never share a clip with this set; the adapter's train/val folders are made with
other dataset seeds. Each clip is rendered with 16 frames, of which `num_frames` are taken at segment
centres, exactly as `alt train` / `alt eval` sample a 16-frame video file (alt/video/sampling.py).

Per clip, one `model.explain(frames, ACTIONS)` at the model's r; then (alt/world/truth.py, curves.py):
pointing, per-entity IoU, attention focus, deletion/insertion curves of the true class, and ALT's and
the frame-mean baseline's top-1. `evaluate_world` returns a JSON-ready report; alt/world/report.py
prints it as tables and checks the targets.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from alt.video.sampling import sample_indices
from alt.world.catalog import ACTIONS, ENTITIES, TEMPORAL_ACTIONS, WorldError
from alt.world.clip import WorldClip, render_clip
from alt.world.curves import ORDERS, clip_curves
from alt.world.dataset import clip_seed
from alt.world.truth import E, action_object_mask, attention_focus, confusion, iou_per_entity, pixel_entities, pointing

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel

logger = logging.getLogger(__name__)

EVAL_SEED = 14
HELD_OUT_BIT = 1 << 31
SOURCE_FRAMES = 16  # frames rendered per clip (as in the adapter's training files)


@dataclass
class EvalSettings:
    """What `evaluate_world` explains and how."""

    per_class: int = 8  # held-out clips per action
    seed: int = EVAL_SEED  # held-out set seed
    num_frames: int = 8  # frames explained per clip
    r: int | None = None  # tokens merged per layer (default: the model's)
    curve_mode: str = "pixel"  # "pixel" (blur and re-encode: the insertion target), "fast" (adapter keys) or "none"
    curve_steps: int = 10  # curve points after the first
    curve_per_class: int | None = None  # clips per class that get curves (the first ones; default: all)
    actions: Sequence[str] = ACTIONS  # the classes (all of them are the candidates of every clip)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["actions"] = list(self.actions)
        return d


def heldout_clips(per_class: int, seed: int = EVAL_SEED, num_frames: int = 8, size: int = 96,
                  actions: Sequence[str] = ACTIONS) -> Iterator[WorldClip]:
    """The held-out clips (module docstring), `num_frames` frames each, action by action."""
    idx = sample_indices(SOURCE_FRAMES, num_frames)  # [T] segment centres
    for action in actions:
        for i in range(per_class):
            full = render_clip(action, clip_seed(seed, action, i) | HELD_OUT_BIT, SOURCE_FRAMES, size)
            yield dataclasses.replace(full, frames=full.frames[idx], masks=full.masks[idx],
                                      captions=[full.captions[j] for j in idx])


class _Totals:
    """Running sums over clips."""

    def __init__(self) -> None:
        self.points: list[tuple[str, bool]] = []
        self.conf = np.zeros((E, E + 1), np.int64)
        self.focus: list[tuple[float, float, float]] = []
        self.aucs: list[dict[str, dict[str, float]]] = []
        self.curves: list[dict[str, Any]] = []
        self.rows: list[dict[str, Any]] = []


def _score_clip(model: ALTModel, clip: WorldClip, s: EvalSettings, totals: _Totals, curves: bool) -> None:
    exp = model.explain(clip.frames, list(s.actions), r=s.r, record_layers=False)
    p = exp.patch_size
    aligned = pixel_entities(exp, p)  # [T, S, S]
    totals.points += pointing(exp, clip, aligned)
    totals.conf += confusion(clip, aligned)
    objects = action_object_mask(clip)
    totals.focus.append(attention_focus(exp, objects, p))
    truth = list(s.actions).index(clip.action)
    if curves:
        c = clip_curves(model, exp, objects, truth, mode=s.curve_mode, steps=s.curve_steps, seed=clip.seed)
        totals.aucs.append(c["auc"])
        totals.curves.append(c)
    totals.rows.append({"action": clip.action, "seed": clip.seed, "scene": clip.scene,
                        "alt": exp.class_names[int(np.argmax(exp.probs))],
                        "baseline": exp.class_names[int(np.argmax(exp.baseline_probs))],
                        "explain_s": exp.timings.get("total", float("nan"))})


def _top1(rows: list[dict[str, Any]], key: str, subset: Callable[[str], bool] = lambda a: True) -> float:
    sel = [r for r in rows if subset(r["action"])]
    return float(np.mean([r[key] == r["action"] for r in sel])) if sel else float("nan")


def _curve_summary(totals: _Totals, s: EvalSettings) -> dict[str, Any]:
    if not totals.aucs:
        return {"mode": "none"}
    mean = {kind: {o: float(np.mean([a[kind][o] for a in totals.aucs])) for o in ORDERS}
            for kind in ("deletion", "insertion")}
    curves = {kind: {o: np.mean([c[kind][o] for c in totals.curves], axis=0).round(4).tolist() for o in ORDERS}
              for kind in ("deletion", "insertion")}
    ins, dele = mean["insertion"], mean["deletion"]
    return {"mode": s.curve_mode, "steps": s.curve_steps, "clips": len(totals.aucs), "auc": mean, "mean_curves": curves,
            "fractions": totals.curves[0]["fractions"].round(4).tolist(),
            "insertion_attention_over_random": ins["attention"] / max(ins["random"], 1e-12),
            "insertion_truth_over_random": ins["truth"] / max(ins["random"], 1e-12),
            "deletion_attention_over_random": dele["attention"] / max(dele["random"], 1e-12)}


def summarize(totals: _Totals, s: EvalSettings) -> dict[str, Any]:
    """The report of `evaluate_world` from its running sums."""
    per_entity: dict[str, list[bool]] = {}
    for entity, hit in totals.points:
        per_entity.setdefault(entity, []).append(hit)
    focus = np.array(totals.focus, np.float64)  # [N, 3] mass, share, ratio
    rows = totals.rows
    temporal = lambda a: a in TEMPORAL_ACTIONS
    other = lambda a: a not in TEMPORAL_ACTIONS
    iou = iou_per_entity(totals.conf)
    return {
        "clips": len(rows), "settings": s.to_dict(),
        "pointing": {"accuracy": float(np.mean([h for _, h in totals.points])) if totals.points else float("nan"),
                     "instances": len(totals.points),
                     "per_entity": {e: {"accuracy": float(np.mean(v)), "n": len(v)}
                                    for e, v in sorted(per_entity.items(), key=lambda kv: ENTITIES.index(kv[0]))}},
        "iou": {"mean": float(np.mean(list(iou.values()))), "per_entity": iou},
        "attention_focus": {"mean": float(np.nanmean(focus[:, 2])), "median": float(np.nanmedian(focus[:, 2])),
                            "mass": float(focus[:, 0].mean()), "area_share": float(focus[:, 1].mean())},
        "curves": _curve_summary(totals, s),
        "top1": {"alt": _top1(rows, "alt"), "baseline": _top1(rows, "baseline"),
                 "alt_temporal": _top1(rows, "alt", temporal), "baseline_temporal": _top1(rows, "baseline", temporal),
                 "alt_other": _top1(rows, "alt", other), "baseline_other": _top1(rows, "baseline", other),
                 "per_class": {a: {"alt": _top1(rows, "alt", lambda x, a=a: x == a),
                                   "baseline": _top1(rows, "baseline", lambda x, a=a: x == a)} for a in s.actions}},
        "clip_results": rows,
    }


def evaluate_world(model: ALTModel, settings: EvalSettings | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Explain the held-out clips with `model` and score the explanations (module docstring).

    Args:
        model: an ALTModel whose input is square (its frames are rendered at `model.config.image_size`).
        settings: what to evaluate (default `EvalSettings()`).
        progress: called with (clips done, clips in all).
    Returns:
        the report: "pointing", "iou", "attention_focus", "curves", "top1", "clip_results", "timing", ...
    Raises:
        WorldError: unknown actions, fewer than one clip per class, or an unknown curve mode.
    """
    s = settings or EvalSettings()
    if s.per_class < 1 or not s.actions or any(a not in ACTIONS for a in s.actions):
        raise WorldError(f"need per_class >= 1 and ALT World actions, got {s.per_class} and {list(s.actions)}")
    if s.curve_mode not in ("fast", "pixel", "none"):
        raise WorldError(f"curve mode must be fast, pixel or none, got {s.curve_mode!r}")
    totals = _Totals()
    n = s.per_class * len(s.actions)
    t0 = time.perf_counter()
    with_curves = s.per_class if s.curve_per_class is None else s.curve_per_class
    for i, clip in enumerate(heldout_clips(s.per_class, s.seed, s.num_frames, model.config.image_size, s.actions)):
        _score_clip(model, clip, s, totals, s.curve_mode != "none" and i % s.per_class < with_curves)
        if progress is not None:
            progress(i + 1, n)
    report = summarize(totals, s)
    explain_s = [r["explain_s"] for r in totals.rows]
    report["timing"] = {"total_s": round(time.perf_counter() - t0, 2),
                        "explain_median_s": float(np.median(explain_s)), "explain_mean_s": float(np.mean(explain_s))}
    report["model"] = model.config.spec or model.config.clip_name
    report["r"] = model.config.r if s.r is None else s.r
    return report
