"""Mixed precision in one place: which autocast a device gets.

The heavy matmuls of the towers may run in bf16/fp16 on a GPU; the small computations that decide
what the pictures show (class cosines, region-entity picks, merge matching, attention softmax) are
computed in float32 inside the model whatever this context says.
"""

from __future__ import annotations

import contextlib

import torch

AMP_CHOICES = ("auto", "bf16", "fp16", "off")


def autocast(device: torch.device, amp: str = "auto") -> contextlib.AbstractContextManager:
    """bf16 (or fp16 where bf16 is unsupported) autocast on CUDA; nothing on CPU or with amp='off'.

    Args:
        device: where the model runs.
        amp: "auto" (bf16 if supported, else fp16), "bf16", "fp16" or "off".
    """
    if device.type != "cuda" or amp == "off":
        return contextlib.nullcontext()
    if amp == "fp16" or (amp == "auto" and not torch.cuda.is_bf16_supported()):
        return torch.autocast("cuda", dtype=torch.float16)
    return torch.autocast("cuda", dtype=torch.bfloat16)
