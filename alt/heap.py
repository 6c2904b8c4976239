"""Keep Python's cyclic garbage collector off the long-lived heap of a serving process.

A process that has imported torch, open_clip and gradio holds a few million Python objects. Every full
(generation-2) collection walks all of them: 0.27 s on this project's 2-core CPU, paid by whichever request
happens to trigger it (the first `explain` after loading the ALT World model, in our measurements).
`gc.freeze()` (Python >= 3.7) moves every object alive now into a permanent generation that collections
skip; objects made later (requests, results) are collected as usual. The library never calls this: the
app and the benches do, once the imports and the model are loaded.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def freeze_long_lived() -> int:
    """Collect garbage once, then exempt every surviving object from later collections. Returns their count."""
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    logger.debug("%d long-lived objects exempted from garbage collection", count)
    return count
