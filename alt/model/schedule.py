"""How many tokens token merging leaves: pure arithmetic, no torch.

The app's page reads it (the r slider's range) before torch and the model load.
PAPER.md's cap: one layer merges at most half of its mergeable tokens (the class token is never merged).
"""

from __future__ import annotations


def merge_cap(num_tokens: int, protect_cls: bool = True) -> int:
    """Most tokens one layer may merge: half of its mergeable tokens (PAPER.md's cap)."""
    mergeable = num_tokens - (1 if protect_cls else 0)
    return max(mergeable // 2, 0)


def tokens_after_merging(num_tokens: int, num_layers: int, r: int) -> int:
    """Tokens left after `num_layers` blocks merging `r` each, with the per-layer cap applied."""
    n = num_tokens
    for _ in range(num_layers):
        n -= min(r, merge_cap(n))
    return n
