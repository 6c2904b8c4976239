"""How commands talk to the terminal: results on stdout, progress through logging (stderr)."""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("alt")


def emit(text: str) -> None:
    """The command's result on stdout (logging goes to stderr)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def log_progress(fraction: float, stage: str) -> None:
    """A `progress(fraction, stage)` callback that logs one line per stage."""
    logger.info("%3d%% %s", int(fraction * 100), stage)
