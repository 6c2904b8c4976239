"""Frames to model input with open_clip's own eval transform, keeping the pixels the model saw.

open_clip's eval transform is Resize (PIL bicubic) -> CenterCrop -> convert to RGB -> ToTensor ->
Normalize, applied one PIL image at a time. `preprocess` gives exactly the same tensor, faster:
- the Resize and CenterCrop steps are the transform's own objects called on PIL images, so the pixels
  are PIL's by construction; PIL releases the GIL while resampling, so frames are resized on a few
  threads at once;
- ToTensor (uint8 -> float32, / 255) and Normalize ((x - mean) / std) are element-wise, correctly rounded
  float32 operations, so applying them to the whole [T, 3, S, S] batch in the same order gives the same
  bits as applying them frame by frame (tests/unit/test_preprocess.py checks `torch.equal`).
A transform of another shape falls back to calling it frame by frame.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import torch
from PIL import Image

_POOL: ThreadPoolExecutor | None = None
_MIN_FRAMES_FOR_THREADS = 2


def _pool() -> ThreadPoolExecutor:
    """A small process-wide pool for PIL resizing (threads, since PIL drops the GIL while resampling)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="alt-resize")
    return _POOL


def _tail_is_standard(steps: list[Any]) -> tuple[list[float], list[float]] | None:
    """(mean, std) when the steps after Resize and CenterCrop are RGB conversion, ToTensor, Normalize."""
    from torchvision.transforms import Normalize, ToTensor

    if len(steps) != 5 or not isinstance(steps[3], ToTensor) or not isinstance(steps[4], Normalize):
        return None
    convert = steps[2]
    name = (type(convert).__name__ + getattr(convert, "__name__", "")).lower()  # MaybeConvertMode, _convert_to_rgb
    if "convert" not in name or getattr(convert, "mode", "RGB") != "RGB":
        return None
    if steps[4].inplace:
        return None
    return list(map(float, steps[4].mean)), list(map(float, steps[4].std))


def _resize_crop(steps: list[Any], frame: np.ndarray) -> np.ndarray:
    """The transform's own Resize and CenterCrop on one frame, as uint8 RGB [S, S, 3]."""
    img = Image.fromarray(np.ascontiguousarray(frame))
    for step in steps[:2]:
        img = step(img)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def to_input(seen: np.ndarray, mean: list[float], std: list[float]) -> torch.Tensor:
    """ToTensor + Normalize on a batch, in their order of operations. uint8 [T, S, S, 3] -> float32 [T, 3, S, S]"""
    x = torch.from_numpy(seen).permute(0, 3, 1, 2).contiguous()  # [T, 3, S, S] uint8
    x = x.to(torch.get_default_dtype()).div(255)  # ToTensor
    m = torch.as_tensor(mean, dtype=x.dtype).view(1, -1, 1, 1)
    s = torch.as_tensor(std, dtype=x.dtype).view(1, -1, 1, 1)
    return x.sub_(m).div_(s)  # Normalize: (x - mean) / std


def preprocess(transform: Any, frames: np.ndarray) -> tuple[np.ndarray, torch.Tensor]:
    """Apply open_clip's eval transform to every frame.

    Args:
        transform: open_clip's eval transform (`model.transform`): Resize, CenterCrop, ToTensor-like
            steps, Normalize.
        frames: uint8 RGB frames. [T, H, W, 3]
    Returns:
        the pixels the model sees, uint8 [T, S, S, 3], and the normalised input [T, 3, S, S], equal to
        `torch.stack([transform(Image.fromarray(f)) for f in frames])`.
    """
    steps = list(transform.transforms)  # Resize, CenterCrop, then conversion and Normalize
    norm = _tail_is_standard(steps)
    if norm is None:
        return _preprocess_generic(steps, frames)
    if len(frames) >= _MIN_FRAMES_FOR_THREADS:
        seen = list(_pool().map(lambda f: _resize_crop(steps, f), frames))
    else:
        seen = [_resize_crop(steps, f) for f in frames]
    seen_arr = np.stack(seen)  # [T, S, S, 3]
    return seen_arr, to_input(seen_arr, *norm)


def _preprocess_generic(steps: list[Any], frames: np.ndarray) -> tuple[np.ndarray, torch.Tensor]:
    """Any Resize + CenterCrop + ... transform, one frame at a time."""
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
