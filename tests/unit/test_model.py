"""ALTModel: untrained ALT equals CLIP, training changes it, attention follows similarity, explain invariants."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from alt import ALTModel, InputError
from alt.hub.specs import tiny_model
from alt.model.align import Alignment, group_queries

CLASSES = ["running", "jumping", "swimming", "riding a bike"]


def test_untrained_alt_equals_clip_frame_mean(tiny, frames):
    exp = tiny.explain(frames, CLASSES, r=4)
    assert np.allclose(exp.probs, exp.baseline_probs, atol=1e-5)
    assert exp.adapter_trained is False


@pytest.mark.slow
def test_untrained_alt_equals_clip_frame_mean_vit_b16(small_corpus, frames):
    torch.manual_seed(0)
    model = ALTModel.from_clip("ViT-B-16", pretrained=None)
    model._corpus = small_corpus
    exp = model.explain(frames[:2], CLASSES, r=8)
    assert np.allclose(exp.probs, exp.baseline_probs, atol=1e-5)
    assert exp.region_ids.shape == (2, 14, 14) and exp.num_regions == 100


def test_training_the_adapter_moves_probs_away_from_the_baseline(small_corpus, frames):
    model = tiny_model()
    model._corpus = small_corpus
    x = torch.stack([model.transform(__import__("PIL.Image").Image.fromarray(f)) for f in frames])[None]  # [1,T,3,S,S]
    class_emb = model.text.classes(CLASSES, model.config.prompt_templates)
    entity_emb = model.text.entities(small_corpus.texts(), small_corpus.content_hash())
    opt = torch.optim.AdamW(list(model.adapter.parameters()) + list(model.aligner.parameters()), lr=1e-3)
    model.train()
    for _ in range(3):
        out = model(x, class_emb, entity_emb, r=4)
        loss = F.cross_entropy(out.logits, torch.tensor([2]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    exp = model.explain(frames, CLASSES, r=4)
    assert not np.allclose(exp.probs, exp.baseline_probs, atol=1e-3)
    assert exp.probs[2] > exp.baseline_probs[2]  # it learned towards the target


@torch.no_grad()
def test_initial_attention_peaks_on_the_region_matching_the_entity():
    model = tiny_model()
    torch.manual_seed(3)
    t, r, d = 2, 6, model.config.embed_dim
    region_emb = torch.randn(1, t, r, d)  # [B, T, R, D]
    entity_emb = F.normalize(region_emb[0, 1, :4], dim=-1)  # entity j is region j of frame 1
    alignment = model.aligner(region_emb, entity_emb, stochastic=False)
    assert alignment.entity_ids[0, 1, :4].tolist() == [0, 1, 2, 3]
    queries = group_queries(alignment)
    region_ids = torch.arange(r).repeat(t, 1)[None]  # [1, T, P]: one patch per region, for the test
    _, cross = model.adapter(queries.emb, queries.mask, queries.frame, region_emb, region_ids, torch.ones(1, t, r))
    weights = cross[0].mean(1)[0]  # [Q, T*R], first layer, mean over heads
    for qi in range(int(queries.mask.sum())):
        if queries.frame[0, qi] == 1 and queries.entity[0, qi] < 4:
            j = int(queries.entity[0, qi])
            assert int(weights[qi].argmax()) == 1 * r + j  # frame 1, region j


def test_group_queries_shares_one_query_per_frame_and_entity():
    ids = torch.tensor([[[0, 0, 2], [1, 1, 1]]])  # [B=1, T=2, R=3]
    picked = torch.randn(1, 2, 3, 4)
    q = group_queries(Alignment(ids, torch.zeros(1, 2, 3), picked))
    assert q.mask.sum() == 3  # (0,0), (0,2), (1,1)
    assert q.frame[0].tolist() == [0, 0, 1] and q.entity[0].tolist() == [0, 2, 1]
    assert torch.allclose(q.emb[0, 0], picked[0, 0, :2].mean(0))


def test_explain_is_deterministic_and_maps_have_documented_shapes(tiny, frames):
    a = tiny.explain(frames, CLASSES, r=4)
    b = tiny.explain(frames, CLASSES, r=4)
    assert np.array_equal(a.probs, b.probs) and np.array_equal(a.attention, b.attention)
    assert a.region_entities == b.region_entities
    t, g, s = frames.shape[0], tiny.config.grid, tiny.config.image_size
    assert a.frames.shape == (t, s, s, 3) and a.frames.dtype == np.uint8
    assert a.region_ids.shape == (t, g, g)
    r_count = tiny.num_regions(4)
    for ids in a.region_ids:
        assert sorted(np.unique(ids)) == list(range(r_count))
    assert len(a.region_entities) == t and all(len(f) == r_count for f in a.region_entities)
    assert a.attention.shape == (t, g, g) and (a.attention >= 0).all()
    assert abs(a.attention.sum() + a.attention_global - 1) < 1e-5
    assert np.allclose(a.query_attention.sum(axis=(1, 2)), 1, atol=1e-5)
    assert a.layer_region_ids.shape == (tiny.config.num_layers, t, g, g)
    assert len(a.entity_names) == 20 and a.probs.shape == (4,)


def test_explain_does_not_change_the_model(tiny, frames):
    before = {k: v.clone() for k, v in tiny.state_dict().items()}
    tiny.explain(frames, CLASSES, r=2, extra_entities=["trampoline"])
    assert not tiny.training
    assert all(torch.equal(before[k], v) for k, v in tiny.state_dict().items())
    assert len(tiny.corpus) == 20  # extras were per call


def test_extra_entities_join_the_corpus_for_one_call(tiny, frames):
    exp = tiny.explain(frames, CLASSES, extra_entities="trampoline, zebra")
    assert exp.entity_names[-2:] == ["trampoline", "zebra"] and exp.entity_kinds[-1] == "extra"


def test_classify_returns_probabilities_per_class(tiny, frames):
    probs = tiny.classify(frames, "running, swimming")
    assert list(probs) == ["running", "swimming"] and abs(sum(probs.values()) - 1) < 1e-5


@pytest.mark.parametrize("names, match", [
    ("", "no class names"),
    (["a", "b", "A"], "duplicate"),
    (["run", 3], "not a string"),
    ([f"class {i}" for i in range(1001)], "at most 1000"),
    (["run", "  "], "empty"),
])
def test_bad_class_names_are_clear_errors(tiny, frames, names, match):
    with pytest.raises(InputError, match=match):
        tiny.explain(frames, names)


def test_r_above_the_cap_is_a_clear_error(tiny, frames):
    with pytest.raises(InputError, match=f"pick r <= {tiny.max_r}"):
        tiny.explain(frames, CLASSES, r=tiny.max_r + 1)


@pytest.mark.parametrize("n", [0, 65])
def test_num_frames_outside_1_to_64_is_a_clear_error(tiny, n, tmp_path):
    with pytest.raises(InputError, match="outside 1..64"):
        tiny.explain(str(tmp_path / "x.mp4"), CLASSES, num_frames=n)


def test_too_many_frames_in_an_array_is_a_clear_error(tiny):
    with pytest.raises(InputError, match="outside 1..64"):
        tiny.explain(np.zeros((65, 32, 32, 3), np.uint8), CLASSES)


def test_embeddings_cached_by_explain_can_be_used_for_training(small_corpus, frames):
    model = tiny_model()
    model._corpus = small_corpus
    model.explain(frames, CLASSES)  # caches class and entity embeddings under inference mode
    _, x = __import__("alt.model.preprocess", fromlist=["preprocess"]).preprocess(model.transform, frames)
    class_emb = model.text.classes(CLASSES, model.config.prompt_templates)
    entity_emb = model.text.entities(small_corpus.texts(), small_corpus.content_hash())
    assert not class_emb.is_inference() and not entity_emb.is_inference()
    model.train()
    out = model(x[None], class_emb, entity_emb, r=4)
    F.cross_entropy(out.logits, torch.tensor([0])).backward()
    assert model.adapter.out_proj.weight.grad is not None
