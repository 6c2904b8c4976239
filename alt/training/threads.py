"""CPU threads for training: measured, not guessed.

On a CPU, torch runs every operator on `torch.get_num_threads()` threads and waits for the slowest one.
When the cores are shared with other work, a thread that has lost its core stalls every operator, and
a small model (many small operators) can run ten times slower on two threads than on one (measured on
a shared two-core machine: README.md, Training). `ThreadChooser` therefore times a few training
steps with torch's default count and a few with one thread, keeps the faster, and logs the choice.
`--threads N` fixes the count instead.
"""

from __future__ import annotations

import logging
import time

import torch

logger = logging.getLogger(__name__)

PROBE_STEPS = 3  # timed steps per candidate count (after one untimed step)


class ThreadChooser:
    """Picks torch's intra-op thread count on a CPU from measured step times.

    Call `step_done()` after every optimizer step and `restore()` when training ends.

    Args:
        device: the training device (nothing is measured on a GPU).
        fixed: a thread count to use as is (`--threads`), or None to measure.
    """

    def __init__(self, device: torch.device, fixed: int | None = None) -> None:
        self.original = torch.get_num_threads()
        if fixed is not None and device.type == "cpu":
            torch.set_num_threads(fixed)
        self.candidates = [self.original, 1] if device.type == "cpu" and fixed is None and self.original > 1 else []
        self.times: dict[int, list[float]] = {n: [] for n in self.candidates}
        self.chosen: int | None = None if self.candidates else torch.get_num_threads()
        self._last: float | None = None

    @property
    def measuring(self) -> bool:
        return self.chosen is None

    def step_done(self) -> None:
        """Record the step that just ended; switch candidates or settle once each has PROBE_STEPS timings."""
        now = time.perf_counter()
        last, self._last = self._last, now
        if self.chosen is not None or last is None:  # settled, or the untimed first step
            return
        current = torch.get_num_threads()
        self.times[current].append(now - last)
        if len(self.times[current]) < PROBE_STEPS:
            return
        pending = [n for n in self.candidates if len(self.times[n]) < PROBE_STEPS]
        if pending:
            torch.set_num_threads(pending[0])
            self._last = time.perf_counter()  # the switch itself is not timed
            return
        median = {n: sorted(ts)[len(ts) // 2] for n, ts in self.times.items()}
        self.chosen = min(median, key=median.get)
        torch.set_num_threads(self.chosen)
        logger.info("CPU threads: %s s per step with %s threads; using %d", ", ".join(
            f"{median[n]:.2f}" for n in self.candidates), " / ".join(map(str, self.candidates)), self.chosen)

    def restore(self) -> None:
        """Give the process back the thread count it had."""
        torch.set_num_threads(self.original)
