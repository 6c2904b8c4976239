"""The cheaper code paths of explain give the very same bits as the plain formulas they replace
(issue 16: overhead to the floor without changing any result)."""

from __future__ import annotations

import torch

import pytest

from alt.model.adapter import CosineAttention
from alt.model.align import EntityAligner, stable_topk
from alt.model.merge import match_tokens, merge_sum, merge_weighted


def plain_merge_weighted(x, size, plan):
    """The formula `merge_weighted` computes: size-weighted sums divided by the merged sizes."""
    return (merge_sum(x.float() * size.float(), plan) / merge_sum(size, plan).float()).to(x.dtype)


def test_merge_weighted_is_bitwise_the_plain_formula_with_collisions_and_bf16():
    g = torch.Generator().manual_seed(0)
    for trial in range(120):
        b, n, c = (int(torch.randint(lo, hi, (), generator=g)) for lo, hi in ((1, 4), (3, 60), (1, 40)))
        x = torch.randn(b, n, c, generator=g) * 10
        size = torch.randint(1, 9, (b, n, 1), generator=g).float()
        metric = torch.randn(b, n, 4, generator=g)
        if trial % 3 == 0:  # every A token's best partner is the same B token: many adds into one row
            metric[:, 1::2] = metric[:, 1:2].clone()
        plan = match_tokens(metric, int(torch.randint(0, n, (), generator=g)))
        for dtype in (torch.float32, torch.bfloat16):
            merged, new_size = merge_weighted(x.to(dtype), size, plan)
            assert merged.dtype == dtype and torch.equal(new_size, merge_sum(size, plan))
            assert torch.equal(merged, plain_merge_weighted(x.to(dtype), size, plan))


def test_merge_weighted_keeps_gradients_in_training():
    x = torch.randn(2, 9, 5, requires_grad=True)
    size = torch.ones(2, 9, 1)
    plan = match_tokens(torch.randn(2, 9, 3), 3)
    merged, _ = merge_weighted(x, size, plan)
    merged.sum().backward()
    assert x.grad is not None and torch.equal(merged.detach(), plain_merge_weighted(x.detach(), size, plan))


def test_stable_topk_is_the_stable_sorts_first_columns_even_with_ties_and_nans():
    g = torch.Generator().manual_seed(1)
    for trial in range(200):
        e, k = int(torch.randint(1, 40, (), generator=g)), int(torch.randint(1, 8, (), generator=g))
        v = (torch.randint(-3, 4, (2, 3, 5, e), generator=g).float() if trial % 2  # many exact ties
             else torch.randn(2, 3, 5, e, generator=g))
        if trial % 5 == 0:
            v[0, 0, 0, :3] = float("nan")
        ref_v, ref_i = v.sort(dim=-1, descending=True, stable=True)
        top_v, top_i = stable_topk(v, k)
        assert torch.equal(top_i, ref_i[..., :k])
        assert torch.equal(top_v.nan_to_num(9.0), ref_v[..., :k].nan_to_num(9.0))


def test_aligner_pick_is_top_k_column_zero_and_argmax():
    g = torch.Generator().manual_seed(2)
    regions = torch.randn(1, 4, 10, 16, generator=g)
    entities = torch.nn.functional.normalize(torch.randn(50, 16, generator=g), dim=-1)
    entities[7] = entities[3]  # two identical entities: an exact tie, broken by the lower index
    aligner = EntityAligner(logit_scale=10.0)
    with torch.no_grad():
        full = aligner(regions, entities, stochastic=False, top_k=5)
        plain = aligner(regions, entities, stochastic=False, top_k=0)
        cos = torch.nn.functional.normalize(regions, dim=-1) @ entities.T
    ref_v, ref_i = cos.sort(dim=-1, descending=True, stable=True)
    assert torch.equal(full.topk_ids, ref_i[..., :5]) and torch.equal(full.topk_scores, ref_v[..., :5])
    assert torch.equal(full.entity_ids, plain.entity_ids) and torch.equal(full.scores, plain.scores)


def test_corpus_content_hash_is_computed_once(small_corpus, monkeypatch):
    first = small_corpus.content_hash()
    monkeypatch.setattr(type(small_corpus), "to_jsonl", lambda self: (_ for _ in ()).throw(AssertionError("rehashed")))
    assert small_corpus.content_hash() == first  # the cached digest: to_jsonl is not called again


def test_owner_index_tracks_the_same_source_map_as_summing_merges():
    from alt.model.merge import merged_index, regions_from_source, source_from_owner

    g = torch.Generator().manual_seed(3)
    for trial in range(150):
        b, n = int(torch.randint(1, 4, (), generator=g)), int(torch.randint(3, 50, (), generator=g))
        source, owner, m = torch.eye(n).expand(b, n, n), torch.arange(n).expand(b, n), n
        for _ in range(int(torch.randint(1, 6, (), generator=g))):  # several layers, r up to the cap
            metric = torch.randn(b, m, 5, generator=g)
            if trial % 3 == 0:
                metric[:, 1::2] = metric[:, 1:2].clone()
            plan = match_tokens(metric, int(torch.randint(0, m, (), generator=g)))
            source, owner, m = merge_sum(source, plan), merged_index(plan, m).gather(1, owner), m - plan.r
            assert torch.equal(owner[:, 1:] - 1, regions_from_source(source[:, 1:, 1:]))  # per-layer region maps
        assert torch.equal(source_from_owner(owner, m), source)


def plain_cosine_attention(attn: CosineAttention, x_q, x_k, x_v, key_mask):
    """What `CosineAttention` computes, written out with out-of-place operations only."""
    b, q_len, d = x_q.shape
    q = torch.nn.functional.normalize(attn._split(attn.q_proj(x_q)), dim=-1)
    k, v = attn.keys(x_k, x_v)
    logits = (q @ k.transpose(-1, -2)) * attn.log_scale.exp()
    if key_mask is not None:
        logits = logits.masked_fill(~key_mask[:, None, None, :], float("-inf"))
    weights = logits.softmax(dim=-1)
    return attn.out_proj((weights @ v).transpose(1, 2).reshape(b, q_len, d)), weights


@pytest.mark.parametrize("mask", ["none", "all", "some"])
def test_cosine_attention_in_place_is_bitwise_the_plain_formula_and_keeps_gradients(mask):
    """Without autograd the adapter scales and masks its logits in place (two buffers fewer); with autograd it
    does not. Both give the very bits of the written-out formula, and training still gets gradients."""
    torch.manual_seed(0)
    attn = CosineAttention(16, 4, 10.0)
    torch.nn.init.normal_(attn.out_proj.weight)
    x_q, x_k = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
    key_mask = {"none": None, "all": torch.ones(2, 7, dtype=torch.bool),
                "some": torch.rand(2, 7) > 0.4}[mask]
    with torch.no_grad():
        want_out, want_w = plain_cosine_attention(attn, x_q, x_k, x_k, key_mask)
    with torch.inference_mode():
        out, weights = attn(x_q, x_k, x_k, key_mask=key_mask)
    assert torch.equal(out, want_out) and torch.equal(weights, want_w)
    out, weights = attn(x_q, x_k, x_k, key_mask=key_mask)  # autograd on: out-of-place
    out.sum().backward()
    assert torch.equal(out.detach(), want_out) and attn.log_scale.grad is not None
