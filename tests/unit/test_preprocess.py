"""alt/model/preprocess.py: the fast path gives open_clip's own transform, bit for bit."""

from __future__ import annotations

import numpy as np
import open_clip
import pytest
import torch
from PIL import Image
from torchvision import transforms as T

from alt.model.preprocess import _preprocess_generic, _tail_is_standard, preprocess

SHAPES = [(8, 256, 340, 3), (3, 576, 1024, 3), (2, 300, 200, 3), (1, 37, 53, 3), (4, 224, 224, 3)]


def reference(transform, frames: np.ndarray) -> torch.Tensor:
    """What open_clip users write: the transform on one PIL image at a time. [T, 3, S, S]"""
    return torch.stack([transform(Image.fromarray(f)) for f in frames])


@pytest.mark.parametrize("size", [224, 64])
@pytest.mark.parametrize("shape", SHAPES)
def test_preprocess_is_bitwise_open_clip_transform(size, shape):
    transform = open_clip.image_transform(size, is_train=False)
    frames = np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8)
    seen, x = preprocess(transform, frames)
    assert x.dtype == torch.float32 and x.shape == (shape[0], 3, size, size)
    assert torch.equal(x, reference(transform, frames))  # same bits, not just close
    steps = transform.transforms
    crops = [np.asarray(steps[1](steps[0](Image.fromarray(f))).convert("RGB")) for f in frames]
    assert seen.dtype == np.uint8 and np.array_equal(seen, np.stack(crops))  # the pixels the model saw


def test_model_transform_takes_the_fast_path(tiny):
    assert _tail_is_standard(list(tiny.transform.transforms)) is not None
    frames = np.random.default_rng(0).integers(0, 256, (5, 48, 64, 3), dtype=np.uint8)
    assert torch.equal(preprocess(tiny.transform, frames)[1], reference(tiny.transform, frames))


def test_other_transforms_fall_back_frame_by_frame():
    odd = T.Compose([T.Resize(32), T.CenterCrop(32), T.ToTensor(), T.Normalize([0.5] * 3, [0.25] * 3),
                     T.Lambda(lambda x: x * 2)])  # five steps, but not convert/ToTensor/Normalize at the end
    assert _tail_is_standard(list(odd.transforms)) is None
    frames = np.random.default_rng(1).integers(0, 256, (3, 40, 50, 3), dtype=np.uint8)
    seen, x = preprocess(odd, frames)
    assert torch.equal(x, reference(odd, frames))
    assert np.array_equal(seen, _preprocess_generic(list(odd.transforms), frames)[0])
