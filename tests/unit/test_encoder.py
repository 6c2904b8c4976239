"""Region-aware encoder: parity with open_clip at r=0, region bookkeeping at r>0."""

import open_clip
import pytest
import torch

from alt.hub.specs import tiny_model
from alt.model.encoder import EncoderError, encode_frames, tokens_after_merging


@pytest.fixture(scope="module")
def b16():
    torch.manual_seed(0)
    return open_clip.create_model("ViT-B-16", pretrained=None).eval()


@torch.no_grad()
def test_r0_matches_open_clip_encode_image_vit_b16(b16):
    x = torch.randn(2, 3, 224, 224)
    ours = encode_frames(b16.visual, x, r=0).cls_emb
    assert torch.allclose(ours, b16.encode_image(x), atol=1e-4)


@torch.no_grad()
def test_r0_matches_open_clip_encode_image_tiny():
    model = tiny_model()
    x = torch.randn(3, 3, 64, 64)
    assert torch.allclose(model.encode_frames(x, 0).cls_emb, model.clip.encode_image(x), atol=1e-4)


@torch.no_grad()
@pytest.mark.parametrize("r", [1, 8, 15, 40])
def test_regions_partition_the_patches_vit_b16(b16, r):
    x = torch.randn(2, 3, 224, 224)
    out = encode_frames(b16.visual, x, r=r, record_layers=True)
    n, layers, p = 197, 12, 196
    m = tokens_after_merging(n, layers, r)
    if r <= 15:  # below the cap every layer merges exactly r
        assert m == n - layers * r
    assert out.region_emb.shape == (2, m - 1, 512)
    assert out.size.sum(1).tolist() == [p, p]  # sizes sum to P
    assert torch.equal(out.source.sum(1), torch.ones(2, p))  # every patch in exactly one region
    for ids in out.region_ids:  # ids 0..R-1, each used
        assert sorted(ids.unique().tolist()) == list(range(m - 1))
    assert torch.equal(out.source.sum(2), out.size)
    assert out.layer_region_ids.shape == (layers, 2, p)


def test_cap_binds_for_large_r():
    # ViT-B/16: at r=16 the last layers can no longer merge 16 (half of the mergeable tokens caps them)
    assert tokens_after_merging(197, 12, 16) > 197 - 12 * 16
    assert tokens_after_merging(197, 12, 98) >= 2


def test_wrong_input_size_is_a_clear_error(b16):
    with pytest.raises(EncoderError, match=r"\[T, 3, 224, 224\]"):
        encode_frames(b16.visual, torch.randn(1, 3, 200, 200), r=0)
