"""Frames to model input with open_clip's own eval transform, keeping the pixels the model saw."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from PIL import Image


def preprocess(transform: Any, frames: np.ndarray) -> tuple[np.ndarray, torch.Tensor]:
    """Apply open_clip's eval transform to every frame.

    Args:
        transform: open_clip's eval transform (`model.transform`): Resize, CenterCrop, ToTensor-like
            steps, Normalize.
        frames: uint8 RGB frames. [T, H, W, 3]
    Returns:
        the pixels the model sees, uint8 [T, S, S, 3], and the normalised input [T, 3, S, S].
    """
    steps = transform.transforms  # Resize, CenterCrop, then conversion and Normalize
    seen, tensors = [], []
    for frame in frames:
        img = Image.fromarray(np.ascontiguousarray(frame))
        for step in steps[:2]:
            img = step(img)
        seen.append(np.asarray(img.convert("RGB"), dtype=np.uint8))
        for step in steps[2:]:
            img = step(img)
        tensors.append(img)
    return np.stack(seen), torch.stack(tensors)
