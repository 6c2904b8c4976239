"""`explain(..., plain_clip=True)`: a second pass at r=0 gives plain CLIP's frame-mean answer, next to the
baseline, which is CLIP's frame mean over the same merged tokens."""

from __future__ import annotations

import numpy as np
import pytest
import torch

CLASSES = ["moving square", "still gradient", "red circle"]


def test_plain_clip_is_open_clip_encode_image_frame_mean(tiny, frames):
    from alt.model.preprocess import preprocess

    exp = tiny.explain(frames, CLASSES, r=4, plain_clip=True)
    assert exp.plain_clip_probs is not None and exp.plain_clip_probs.shape == (len(CLASSES),)
    assert "plain_clip" in exp.timings
    _, x = preprocess(tiny.transform, frames)  # [T, 3, S, S]
    with torch.inference_mode():
        cls = torch.nn.functional.normalize(tiny.clip.encode_image(x).float(), dim=-1).mean(0)  # [D]
        text = tiny.text.classes(CLASSES, list(tiny.config.prompt_templates)).float()  # [A, D]
        logits = tiny.logit_scale() * torch.nn.functional.normalize(cls, dim=-1) @ text.T  # [A]
    np.testing.assert_allclose(exp.plain_clip_probs, logits.softmax(-1).numpy(), atol=1e-4)
    assert not np.allclose(exp.plain_clip_probs, exp.baseline_probs, atol=1e-7)  # merging changed the baseline


def test_at_r0_plain_clip_is_the_baseline_and_is_off_by_default(tiny, frames):
    exp = tiny.explain(frames, CLASSES, r=0, plain_clip=True)
    np.testing.assert_array_equal(exp.plain_clip_probs, exp.baseline_probs)
    assert tiny.explain(frames, CLASSES, r=4).plain_clip_probs is None


def test_plain_clip_is_labelled_in_the_json(tiny, frames):
    exp = tiny.explain(frames, CLASSES, r=4, plain_clip=True)
    summary = exp.summary()
    assert set(summary["plain_clip_probs"]) == set(CLASSES)
    assert summary["baseline"] == "CLIP frame-mean (same merged tokens)"
    assert "same merged tokens" in summary["baseline_description"]
    full = exp.to_dict(include_frames=False)
    assert full["plain_clip_prediction"] in CLASSES and len(full["plain_clip_probs"]) == len(CLASSES)
    from alt.explanation import Explanation

    assert Explanation.from_json(exp.to_json()).plain_clip_probs == pytest.approx(exp.plain_clip_probs)
