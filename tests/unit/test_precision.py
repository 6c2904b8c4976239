"""Decisions are float32 by construction: the same inputs give the same picks, plans and logits under
bf16 autocast as in float32; explain() under autocast stays close to float32; a bf16 model runs at every r.

Every test runs on the CPU (bf16 autocast) and on CUDA when one is present (the app's autocast).
"""

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from alt import ALTModel
from alt.hub.specs import tiny_model
from alt.model.merge import match_tokens
from alt.model.preprocess import preprocess
from tests.helpers.precision import DEVICES, REPORTED, compare_explanations, low_precision, off_reported, readme_row

CLASSES = ["running", "jumping", "swimming", "riding a bike"]
TOP_K = 5
README = Path(__file__).resolve().parents[2] / "README.md"


def _tiny_on(device: str, corpus) -> ALTModel:
    model = tiny_model().to(device)
    model._corpus = corpus
    return model


def _inputs(model: ALTModel, frames: np.ndarray):
    """Normalised frames [1, T, 3, S, S] and class / entity embeddings on the model's device."""
    _, x = preprocess(model.transform, frames)
    class_emb = model.text.classes(CLASSES, model.config.prompt_templates)
    entity_emb = model.text.entities(model.corpus.texts(), model.corpus.content_hash())
    return x[None].to(model.device), class_emb.to(model.device), entity_emb.to(model.device)


def _as_float32(tokens):
    """The same encoder output in float32 (bf16 -> float32 is exact, so the values are identical)."""
    return replace(tokens, cls_emb=tokens.cls_emb.float(), region_emb=tokens.region_emb.float())


@pytest.mark.parametrize("device", DEVICES)
@torch.inference_mode()
def test_same_encoder_output_gives_same_picks_and_logits_under_autocast(device, small_corpus, frames):
    model = _tiny_on(device, small_corpus)
    x, class_emb, entity_emb = _inputs(model, frames)
    with low_precision(device):
        tokens = model.encode_frames(x.flatten(0, 1), r=4)  # a bf16 (or fp16) encoder pass
    assert tokens.region_emb.dtype == torch.float32  # the joint-space projection is float32
    with low_precision(device):
        low = model.forward_tokens(tokens, 1, class_emb, entity_emb, stochastic=False, top_k=TOP_K)
    full = model.forward_tokens(_as_float32(tokens), 1, class_emb, entity_emb, stochastic=False, top_k=TOP_K)

    for out in (low, full):
        al = out.alignment
        assert bool((al.topk_ids[..., 0] == al.entity_ids).all())  # the pick is column 0, 100% of regions
        assert torch.equal(al.topk_scores[..., 0], al.scores)
        assert out.logits.dtype == torch.float32 and al.scores.dtype == torch.float32
        assert torch.equal(out.logits, out.baseline_logits)  # untrained adapter: its output is exactly zero
        for w in out.cross_attention:
            assert w.dtype == torch.float32
            assert torch.allclose(w.sum(-1), torch.ones(()), atol=1e-5, rtol=0)
    assert torch.equal(low.alignment.entity_ids, full.alignment.entity_ids)
    assert torch.equal(low.alignment.topk_ids, full.alignment.topk_ids)
    assert torch.allclose(low.alignment.scores, full.alignment.scores, atol=1e-6, rtol=0)
    assert torch.allclose(low.logits, full.logits, atol=1e-5, rtol=0)
    assert torch.allclose(low.baseline_logits, full.baseline_logits, atol=1e-5, rtol=0)


@pytest.mark.parametrize("device", DEVICES)
@torch.inference_mode()
def test_class_head_is_float32_under_autocast_with_a_trained_adapter_term(device):
    model = tiny_model().to(device)
    gen = torch.Generator().manual_seed(0)
    d = model.config.embed_dim
    base = F.normalize(torch.randn(d, generator=gen), dim=0)
    # six classes with near-equal cosines to Z: in bf16 (steps of 2^-8 near 1) they would tie or swap
    class_emb = F.normalize(base + 1e-3 * torch.randn(6, d, generator=gen), dim=-1).to(device)
    cls_emb = (base + 1e-3 * torch.randn(2, 3, d, generator=gen)).to(device)  # [B, T, D]
    adapter_term = 1e-3 * torch.randn(2, d, generator=gen).to(device)  # [B, D], as from a trained adapter
    with low_precision(device):
        low = model.head(cls_emb, adapter_term, class_emb)
    full = model.head(cls_emb, adapter_term, class_emb)
    for a, b in zip(low, full):
        assert a.dtype == torch.float32
        assert torch.allclose(a, b, atol=1e-5, rtol=0)
        assert torch.equal(a.argsort(dim=-1, descending=True, stable=True),
                           b.argsort(dim=-1, descending=True, stable=True))


@pytest.mark.parametrize("device", DEVICES)
@torch.inference_mode()
def test_exact_entity_ties_pick_the_lower_index_and_column_zero(device):
    model = tiny_model().to(device)
    gen = torch.Generator().manual_seed(1)
    d = model.config.embed_dim
    entity_emb = F.normalize(torch.randn(8, d, generator=gen), dim=-1)
    entity_emb = torch.cat([entity_emb, entity_emb]).to(device)  # entity j and j + 8 are identical: exact ties
    region_emb = torch.randn(1, 2, 30, d, generator=gen).to(device)  # [B, T, R, D]
    for ctx in (low_precision(device), torch.autocast(device, enabled=False)):
        with ctx:
            al = model.aligner(region_emb, entity_emb, stochastic=False, top_k=4)
        assert bool((al.entity_ids < 8).all())  # the lower of two tied entities
        assert bool((al.topk_ids[..., 0] == al.entity_ids).all())
        assert bool((al.topk_ids[..., 1] == al.entity_ids + 8).all())  # its twin comes next


@pytest.mark.parametrize("device", DEVICES)
@torch.inference_mode()
def test_merge_matching_is_identical_under_autocast_on_identical_keys(device):
    gen = torch.Generator().manual_seed(2)
    centres = torch.randn(6, 16, generator=gen)
    # [T, N, C/H] keys in six tight clusters, as from a bf16 pass: similarities near 1 that bf16 would tie
    keys = centres[torch.randint(0, 6, (4, 65), generator=gen)] + 0.02 * torch.randn(4, 65, 16, generator=gen)
    keys = keys.bfloat16().to(device)
    keys[:, 9] = keys[:, 7]  # two identical B tokens (B indices 3 and 4): exact ties for every A token
    with low_precision(device):
        low = match_tokens(keys, r=16)
    full = match_tokens(keys.float(), r=16)
    for name in ("keep_a", "src_a", "dst_b"):
        assert torch.equal(getattr(low, name), getattr(full, name)), name
    assert not bool((low.dst_b == 4).any())  # B token 9 (B index 4) loses every tie to token 7 (B index 3)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("r", [0, 4, 8])
def test_explain_under_autocast_keeps_the_tiny_ranking(device, r, small_corpus, frames):
    ref = _tiny_on("cpu", small_corpus).explain(frames, CLASSES, r=r)  # float32 on the CPU
    model = _tiny_on(device, small_corpus)
    with low_precision(device):
        low = model.explain(frames, CLASSES, r=r)
    diff = compare_explanations(ref, low)
    print(f"\ntiny, r={r}, bf16 autocast on {device} vs float32 on cpu: " + _figures(diff))
    assert diff["same_ranking"] == 1.0, diff
    assert diff["max_prob_diff"] <= 2e-3, diff
    assert np.array_equal(low.region_topk_ids[..., 0], low.region_entity_ids())
    assert abs(float(low.attention.sum()) - 1) < 1e-5
    if device == "cpu":  # the README's figures are the CPU's (a GPU's bf16 kernels round differently)
        assert off_reported(("tiny", r), diff) == [], f"README figures no longer hold: {diff}"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("r", [0, 4, 8])
def test_a_bf16_model_explains_at_every_r(device, r, small_corpus, frames):
    model = _tiny_on(device, small_corpus).to(torch.bfloat16)
    exp = model.explain(frames, CLASSES, r=r)
    assert model.dtype == torch.bfloat16
    assert np.isfinite(exp.probs).all() and abs(float(exp.probs.sum()) - 1) < 1e-5
    assert np.array_equal(exp.probs, exp.baseline_probs)  # untrained adapter: exactly zero output
    assert exp.num_regions == model.num_regions(r)
    assert int(exp.region_sizes.sum()) == exp.region_ids.size  # regions partition the patches
    assert np.array_equal(exp.region_topk_ids[..., 0], exp.region_entity_ids())
    assert abs(float(exp.attention.sum()) - 1) < 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("device", DEVICES)
def test_vit_b16_bf16_autocast_against_float32_figures(device, small_corpus, frames):
    """Random-weight ViT-B/16: class ranking, probability difference, entity per patch and how often merges
    change, measured, printed, and (on the CPU) held to the figures the README reports."""
    torch.manual_seed(0)
    ref_model = ALTModel.from_clip("ViT-B-16", pretrained=None)
    ref_model._corpus = small_corpus
    model = copy.deepcopy(ref_model).to(device)
    print(f"\nViT-B/16 (random weights), {len(frames)} frames, {len(small_corpus)} entities, "
          f"bf16 autocast on {device} vs float32 on cpu")
    for r in (0, 8):
        ref = ref_model.explain(frames, CLASSES, r=r)
        with low_precision(device):
            low = model.explain(frames, CLASSES, r=r)
        diff = compare_explanations(ref, low)
        print(f"r={r}: " + _figures(diff))
        assert np.array_equal(low.region_topk_ids[..., 0], low.region_entity_ids())
        assert diff["max_prob_diff"] < 2e-2, diff  # the ranking too is held on the CPU (off_reported)
        if r == 0:  # no merging: every patch is its own region, so only the embeddings can differ
            assert diff["same_regions"] == 1.0 and diff["entity_per_patch"] > 0.9, diff
        if device == "cpu":
            assert off_reported(("ViT-B/16", r), diff) == [], f"README figures no longer hold: {diff}"


def test_readme_reports_the_measured_figures():
    """Every (model, r) row the tests above hold the CPU to is in the README's precision table, as written."""
    readme = README.read_text(encoding="utf-8")
    missing = [readme_row(key) for key in REPORTED if readme_row(key) not in readme]
    assert missing == [], "README.md's precision table should hold these rows (README.md, Precision):\n" + \
        "\n".join(missing)


def _figures(diff: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in diff.items())
