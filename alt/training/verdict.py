"""Did the run learn anything? Running training statistics, and the warning `alt train` ends with.

ALT's adapter exists to add what the CLIP frame mean cannot see. A run whose accuracy is no better than
that frame-mean baseline, or than chance, learned nothing a user can rely on, and it should say so
instead of saving silently. "No better" is judged against the sampling error of the accuracy: the run
must beat max(baseline, chance) by more than two binomial standard errors on the clips measured.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import torch

FIELDS = ("loss", "correct", "baseline_correct", "clips", "agree", "agree_batches")


class RunningStats:
    """Sums of per-micro-step training statistics (FIELDS), optionally over a window of recent clips.

    Args:
        window: keep only the most recent micro-steps that hold at least this many clips (None: all).
    """

    def __init__(self, window: int | None = None) -> None:
        self.window = window
        self.parts: deque[torch.Tensor] = deque()
        self.total = torch.zeros(len(FIELDS), dtype=torch.float64)

    def reset(self) -> None:
        self.parts.clear()
        self.total.zero_()

    def add(self, loss: float, correct: int, baseline_correct: int, clips: int, agree: float | None) -> None:
        row = torch.tensor([loss * clips, correct, baseline_correct, clips, agree or 0.0, float(agree is not None)],
                           dtype=torch.float64)
        self.total += row
        if self.window is not None:
            self.parts.append(row)
            while len(self.parts) > 1 and self.total[3] - self.parts[0][3] >= self.window:
                self.total -= self.parts.popleft()

    def summary(self, totals: list[float] | None = None) -> dict[str, float]:
        """train_loss, train_top1, train_baseline_top1, align_agree, clips (from `totals` if given,
        e.g. summed over processes)."""
        t = self.total.tolist() if totals is None else totals
        n = max(t[3], 1.0)
        out = {"train_loss": t[0] / n, "train_top1": t[1] / n, "train_baseline_top1": t[2] / n, "clips": t[3]}
        if t[5]:
            out["align_agree"] = t[4] / t[5]
        return out


def no_better(accuracy: float, baseline: float, num_classes: int, clips: float) -> bool:
    """Whether `accuracy` on `clips` clips fails to beat max(baseline, chance) by two standard errors."""
    ref = max(baseline, 1.0 / max(num_classes, 1))
    se = math.sqrt(max(ref * (1 - ref), 1e-6) / max(clips, 1.0))
    return accuracy <= ref + 2 * se


def learning_warnings(train: dict[str, float], val: dict[str, Any] | None, num_classes: int, *,
                      steps: int, epochs_done: int, stopped: str, lr: float, jitter: bool,
                      class_cosine_max: float | None = None) -> list[str]:
    """Warnings for a run that did not beat the frame-mean baseline or chance, each saying what to try.

    Args:
        train: `RunningStats.summary()` over the last epoch's clips (train_top1, train_baseline_top1, clips).
        val: validation metrics (top1, baseline_top1, num_videos), or None without --val.
        num_classes: A (chance is 1 / A).
        steps, epochs_done, stopped, lr, jitter: what the run did, to name the likely remedy.
        class_cosine_max: largest cosine between two class-name embeddings, if known.
    Returns:
        zero, one or two messages (held-out, training).
    """
    chance = 1.0 / max(num_classes, 1)
    failed = []
    if val and val.get("num_videos") and no_better(val["top1"], val["baseline_top1"], num_classes, val["num_videos"]):
        failed.append(f"held-out top-1 {val['top1']:.3f} is no better than the frame-mean baseline "
                      f"({val['baseline_top1']:.3f}) or chance ({chance:.3f}) on {val['num_videos']} videos")
    if train.get("clips") and no_better(train["train_top1"], train["train_baseline_top1"], num_classes, train["clips"]):
        failed.append(f"training top-1 {train['train_top1']:.3f} (last epoch) is no better than the frame-mean "
                      f"baseline ({train['train_baseline_top1']:.3f}) or chance ({chance:.3f})")
    if not failed:
        return []
    tips = [(f"train longer (this run: {steps} optimizer steps, {epochs_done} epochs, {stopped}; raise --epochs "
             "or --max-minutes)"), f"try a higher --lr (this run: {lr:g})"]
    if jitter:
        tips.append("try --no-jitter (short clips leave jitter little room and evaluation uses segment centres)")
    if class_cosine_max is not None and class_cosine_max > 0.95:
        tips.append(f"class-name embeddings are nearly identical (cosine up to {class_cosine_max:.3f}): try other "
                    "names or --templates '{}'")
    tips.append("add videos per class, or check that the classes differ in what the frames show over time")
    return [f"ALT did not learn: {msg}. To try: {'; '.join(tips)}." for msg in failed]
