"""Where training starts: a sinusoid in an untrained adapter's temporal positions (and optionally small
random weights in its zero-initialised branches).

An untrained adapter is built so that it changes nothing (alt/model/adapter.py): every residual branch
ends in a zero-initialised layer and the temporal position table is zero. That is right for explaining
an untrained model, but a poor start for learning temporal order: with equal (zero) positions for all
frames, nothing in the queries or keys says which frame is early and which late until the table has
grown, and its gradient is tiny while the branches after it are still near zero. Measured on a 4-class
"appearing / disappearing / briefly appearing / briefly disappearing" set that only temporal order
separates (64 px, 16 frames, 40 clips per class, 400 steps, held-out top-1): zero start 0.16;
sinusoidal positions 0.95; random weights (std 0.02) in the zero branches alone 0.27; both 0.92
(README.md, Training).

`spread_init` applies this at the start of training only, to all-zero tensors only (a trained adapter
being fine-tuned is left alone). The adapter's final projection always stays zero, so a freshly
started ALT still predicts exactly CLIP's frame-mean answer.
"""

from __future__ import annotations

import logging
import math

import torch
from torch import nn

logger = logging.getLogger(__name__)

PE_BASE = 100.0  # the slowest sinusoid's period scale; clips have at most a few dozen frames


def sinusoid_table(frames: int, dim: int, base: float = PE_BASE) -> torch.Tensor:
    """Sinusoidal positions: row t = [sin(t w_0), cos(t w_0), sin(t w_1), ...], w_i = base^(-2i/dim). [frames, dim]"""
    t = torch.arange(frames, dtype=torch.float32)[:, None]  # [T, 1]
    w = torch.exp(-math.log(base) * torch.arange(0, dim, 2, dtype=torch.float32) / dim)  # [dim/2]
    table = torch.zeros(frames, dim)
    table[:, 0::2] = torch.sin(t * w)
    table[:, 1::2] = torch.cos(t * w)[:, : dim // 2]
    return table


@torch.no_grad()
def spread_init(adapter: nn.Module, std: float | None, temporal: float | None) -> list[str]:
    """Re-initialise the all-zero tensors of an untrained adapter (in place) before training.

    Args:
        adapter: the VideoAdapter (its `out_proj` stays zero).
        std: standard deviation of the normal draw for all-zero weights of linear and convolution
            layers other than `out_proj` (None: leave them).
        temporal: amplitude of the sinusoid put into an all-zero `temporal_pos` table (None: leave it).
    Returns:
        names of the tensors that were changed.
    """
    changed = []
    for name, module in adapter.named_modules():
        if name == "out_proj" or std is None or not isinstance(module, (nn.Linear, nn.Conv1d)):
            continue
        if not module.weight.any():
            module.weight.normal_(0.0, std)
            changed.append(f"{name}.weight")
    pos = getattr(adapter, "temporal_pos", None)
    if temporal is not None and pos is not None and not pos.any():
        pos.copy_(temporal * sinusoid_table(*pos.shape).to(pos.device, pos.dtype))
        changed.append("temporal_pos")
    if changed:
        logger.info("training starts from small random weights in %d zero-initialised adapter tensors", len(changed))
    return changed
