"""Knowing when the Hugging Face Hub cannot be reached, so downloads fail at once with a clear message
instead of after minutes of retries (huggingface_hub then uses only its local cache)."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

logger = logging.getLogger(__name__)

#: What to do without a network, for every message that may be shown offline.
OFFLINE_HINT = ("try the offline model: `--model tiny` (random weights; with make: `make app MODEL=tiny`), or "
                "`--model world` where the ALT World model is in assets/models/alt-world/")


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether a TCP connection to the Hugging Face Hub (or $HF_ENDPOINT) opens within `timeout_s`."""
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((url.hostname or "huggingface.co", url.port or 443), timeout=timeout_s).close()
        return True
    except OSError:
        return False


_checked = False  # the reachability probe runs at most once per process


def needs_hub(spec: str) -> bool:
    """Whether loading `spec` may download from the Hub (CLIP weights or a Hub checkpoint)."""
    return spec.startswith("clip:") and "/" in spec or (spec.count("/") == 1 and not Path(spec).expanduser().is_dir())


def use_cache_if_offline(spec: str | None = None) -> None:
    """When the Hub cannot be reached, switch huggingface_hub to its local cache (HF_HUB_OFFLINE=1),
    so a missing download fails at once instead of after minutes of retries. Checked once per process.

    Args:
        spec: the model spec about to be loaded (nothing is checked when it needs no download), or
            None when a download is about to happen anyway.
    """
    global _checked
    if _checked or (spec is not None and not needs_hub(spec)) or os.environ.get("HF_HUB_OFFLINE"):
        return
    _checked = True
    if not hub_reachable():
        logger.warning("the Hugging Face Hub is not reachable: using locally cached weights only")
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:  # huggingface_hub reads the variable at import; update its constant too
            from huggingface_hub import constants

            constants.HF_HUB_OFFLINE = True
        except (ImportError, AttributeError):
            pass
