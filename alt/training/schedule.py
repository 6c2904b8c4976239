"""The optimisation schedule of `alt train`: how many steps, the warm-up and cosine, the Gumbel noise,
and fitting all of it into a wall-clock budget.

Without `--epochs`, a run plans `auto_steps`: ten epochs, but never fewer than AUTO_MIN_STEPS optimizer
steps, because the adapter starts from zero-initialised branches and small datasets have few steps per
epoch; AUTO_MIN_STEPS_CACHED when every frame's encoder output is cached (feature_cache.py), where a step
costs only the adapter (measurements in README.md, Training). With `--max-minutes`, the step time is measured while
training and the plan (warm-up and cosine together) is resized to end inside the budget, instead of
being cut off mid-schedule at a high learning rate.
"""

from __future__ import annotations

import math

AUTO_MIN_EPOCHS = 10  # epochs planned without --epochs, on datasets with many steps per epoch
AUTO_MIN_STEPS = 400  # ... and the fewest optimizer steps planned without --epochs
AUTO_MIN_STEPS_CACHED = 1000  # ... the same when every frame is cached: a step then costs the adapter only
AUTO_MAX_EPOCHS = 300  # ... and the most epochs (a dataset of a few clips)
FIT_AFTER = 3  # steps timed before the plan is fitted to the budget
RATE_WINDOW = 20  # the pace is measured over this many recent steps


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up over `warmup` steps, then cosine decay to 0 at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def auto_steps(steps_per_epoch: int, cached: bool = False) -> int:
    """Optimizer steps planned without --epochs: AUTO_MIN_EPOCHS epochs, at least AUTO_MIN_STEPS steps
    (AUTO_MIN_STEPS_CACHED with every frame cached), at most AUTO_MAX_EPOCHS epochs."""
    steps = max(AUTO_MIN_EPOCHS * steps_per_epoch, AUTO_MIN_STEPS_CACHED if cached else AUTO_MIN_STEPS)
    return min(steps, AUTO_MAX_EPOCHS * steps_per_epoch)


class Schedule:
    """Planned optimizer steps, resized to a wall-clock budget from the measured step time.

    Args:
        planned: optimizer steps the settings ask for (epochs x steps per epoch, or `auto_steps`).
        warmup: warm-up length as a fraction of the (fitted) total.
        budget_s: seconds this run may take (None: no budget).
        noise: Gumbel noise multiplier at the first step and at the last, (start, end).
    """

    def __init__(self, planned: int, warmup: float, budget_s: float | None = None,
                 noise: tuple[float, float] = (0.0, 0.0)) -> None:
        self.planned = self.total = max(1, planned)
        self.warmup_frac, self.budget_s, self.noise_range = warmup, budget_s, noise
        self._times: list[tuple[int, float]] = []  # (steps done, elapsed) after each step
        self.reserve_s = 0.0  # seconds to keep for what follows the last step (set by the loop)

    def replan(self, planned: int) -> None:
        """Plan `planned` steps instead (the warm-up and cosine follow the new plan)."""
        self.planned = self.total = max(1, planned)

    @property
    def warmup(self) -> int:
        return int(self.warmup_frac * self.total)

    def lr_factor(self, step: int) -> float:
        """Learning-rate multiplier of optimizer step `step` (0-based)."""
        return lr_factor(step, self.total, self.warmup)

    def noise(self, step: int) -> float:
        """Gumbel noise multiplier at `step`: cosine from the start value to the end value over the plan."""
        start, end = self.noise_range
        progress = min(1.0, step / max(1, self.total - 1))
        return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * progress))

    def fit(self, steps_done: int, elapsed_s: float, reserve_s: float = 0.0) -> None:
        """Resize the plan so that it ends inside the budget, from the pace of the last RATE_WINDOW steps.

        Later epochs can be much faster than the first (it decodes and fills the encoder cache), so the
        pace is measured over recent steps, and the plan may grow back up to `planned`.

        Args:
            steps_done: optimizer steps taken so far (all runs, for a resumed one).
            elapsed_s: seconds since this run started.
            reserve_s: seconds to keep for what follows the last step (validation, saving).
        """
        if self.budget_s is None:
            return
        self._times.append((steps_done, elapsed_s))
        if len(self._times) <= FIT_AFTER:
            return
        first_step, first_t = self._times[max(0, len(self._times) - 1 - RATE_WINDOW)]
        per_step = (elapsed_s - first_t) / max(1, steps_done - first_step)
        fits = steps_done + int((self.budget_s - elapsed_s - reserve_s) / max(per_step, 1e-6))
        self.total = min(self.planned, max(steps_done, fits))  # == steps_done: the budget ends the run now

    @property
    def shrunk(self) -> bool:
        """Whether the budget cut the plan short."""
        return self.total < self.planned
