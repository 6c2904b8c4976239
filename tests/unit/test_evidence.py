"""Evidence (alt/evidence): the exact logit split, counterfactuals without re-encoding, deletion/insertion
curves, JSON, and the torch-free drawing (visualizers/evidence.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from alt.errors import InputError
from alt.evidence.counterfactual import counterfactual_batch
from alt.evidence.curves_data import EvidenceCurves, auc
from alt.evidence.views import entity_contributions, frame_contributions, region_order
from alt.explanation import Explanation
from alt.hub.specs import tiny_model

CLASSES = ["running", "jumping", "swimming", "riding a bike"]


@pytest.fixture(scope="module")
def trained(small_corpus):
    """The tiny model with every adapter weight moved to random nonzero values (a 'trained' adapter)."""
    model = tiny_model()
    model._corpus = small_corpus
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in model.adapter.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.1)
    return model


@pytest.fixture(scope="module")
def trained_exp(trained):
    t, h, w = 6, 48, 64
    frames = np.zeros((t, h, w, 3), np.uint8)
    frames[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, None, :]
    for i in range(t):
        frames[i, 10:26, 5 + 8 * i:21 + 8 * i] = (250, 250, 40)
    return trained.explain(frames, CLASSES, r=4)


def _check_split(exp: Explanation) -> None:
    a, t, q = len(exp.class_names), exp.num_frames, len(exp.query_entities)
    assert exp.frame_contrib.shape == (a, t) and exp.query_contrib.shape == (a, q)
    assert exp.baseline_frame_contrib.shape == (a, t) and exp.logits.dtype == np.float32
    total = exp.frame_contrib.astype(np.float64).sum(1) + exp.query_contrib.astype(np.float64).sum(1)
    assert np.abs(total - exp.logits).max() < 1e-5
    assert np.abs(exp.baseline_frame_contrib.astype(np.float64).sum(1) - exp.baseline_logits).max() < 1e-5
    assert np.allclose(torch.tensor(exp.logits).softmax(-1).numpy(), exp.probs, atol=1e-6)


def test_parts_sum_to_the_logit_untrained_query_terms_zero(tiny, frames):
    exp = tiny.explain(frames, CLASSES, r=4)
    _check_split(exp)
    assert not exp.query_contrib.any()  # out_proj starts at zero: exactly zero
    assert np.array_equal(exp.frame_contrib, exp.baseline_frame_contrib)
    parts = frame_contributions(exp, 0)
    assert np.allclose(parts["frame_mean"].sum(), exp.logits[0], atol=1e-5) and not parts["queries"].any()


def test_parts_sum_to_the_logit_trained(trained_exp):
    exp = trained_exp
    _check_split(exp)
    assert np.abs(exp.query_contrib).max() > 1e-3
    assert not np.allclose(exp.probs, exp.baseline_probs, atol=1e-3)
    for a in range(len(CLASSES)):
        ids, values = entity_contributions(exp, a)  # grouped per entity: same total as per query
        assert np.isclose(values.sum(), exp.query_contrib[a].astype(np.float64).sum(), atol=1e-6)
        assert set(ids.tolist()) == set(np.unique(exp.query_entities).tolist())
        per_frame = frame_contributions(exp, a)
        assert np.isclose(per_frame["frame_mean"].sum() + per_frame["queries"].sum(), exp.logits[a], atol=1e-5)


def test_forward_is_the_same_with_an_all_true_key_mask(trained):
    torch.manual_seed(0)
    b, t, r, d, q = 1, 3, 5, trained.config.embed_dim, 7
    args = (torch.randn(b, q, d), torch.ones(b, q, dtype=torch.bool), torch.randint(0, t, (b, q)),
            torch.randn(b, t, r, d), torch.randint(0, r, (b, t, 9)), torch.ones(b, t, r))
    with torch.no_grad():
        plain, _ = trained.adapter(*args)
        masked, _ = trained.adapter(*args, key_mask=torch.ones(b, t * r, dtype=torch.bool))
        none, w = trained.adapter(*args, key_mask=torch.zeros(b, t * r, dtype=torch.bool))
    assert torch.equal(plain, masked)
    assert torch.isfinite(none).all() and all((x == 0).all() for x in w)  # no key: reads nothing, no NaN


def test_drop_nothing_is_exact_and_drop_all_is_the_baseline(trained, trained_exp):
    exp = trained_exp
    assert np.array_equal(trained.counterfactual(exp), exp.probs)
    every = sorted(set(exp.query_entities.tolist()))
    assert np.array_equal(trained.counterfactual(exp, drop_entities=every), exp.baseline_probs)


def test_counterfactual_api_entities_regions_and_errors(trained, trained_exp):
    exp = trained_exp
    ids, _ = entity_contributions(exp)
    top = exp.entity_names[int(ids[0])]
    p_ent = trained.counterfactual(exp, drop_entities=[top])
    assert p_ent.shape == exp.probs.shape and np.isclose(p_ent.sum(), 1, atol=1e-5)
    assert not np.allclose(p_ent, exp.probs, atol=1e-4)
    # gathering the kept queries (single call) and masking them (batch) agree
    keep_q = (exp.query_entities != ids[0])[None]
    batch = counterfactual_batch(trained, exp, keep_q, np.ones((1, exp.num_frames * exp.num_regions), bool))
    assert np.allclose(batch[0], p_ent, atol=1e-5)
    regions = [(t, r) for t in range(exp.num_frames) for r in range(0, exp.num_regions, 2)]
    p_reg = trained.counterfactual(exp, drop_regions=regions)
    assert not np.allclose(p_reg, exp.probs, atol=1e-5) and np.isfinite(p_reg).all()
    with pytest.raises(InputError, match="not in this explanation"):
        trained.counterfactual(exp, drop_entities=["no such entity"])
    with pytest.raises(InputError, match="outside frames"):
        trained.counterfactual(exp, drop_regions=[(exp.num_frames, 0)])
    with pytest.raises(InputError, match="carries no encoder output"):
        trained.counterfactual(Explanation.from_json(exp.to_json()))


def test_adapter_keys_are_cached_per_model_version(trained, trained_exp):
    exp = trained_exp
    trained.counterfactual(exp, drop_regions=[(0, 0)])
    assert len(exp.adapter_cache.derived) == 1 and exp.adapter_cache.nbytes() > 0
    key = next(iter(exp.adapter_cache.derived))
    trained.counterfactual(exp, drop_regions=[(0, 1)])
    assert next(iter(exp.adapter_cache.derived)) == key  # reused


def test_fast_curves_shapes_ends_auc_and_json(trained, trained_exp):
    exp = trained_exp
    a = int(np.argmax(exp.probs))
    calls = []
    curves = trained.evidence_curves(exp, "fast", steps=10, progress=lambda f, m: calls.append(f))
    n = exp.num_frames * exp.num_regions
    assert curves.fractions[0] == 0 and curves.fractions[-1] == 1 and len(curves.fractions) == 11
    assert curves.regions_per_step[-1] == n and calls and calls[-1] == 1.0
    for order in ("contribution", "attention", "random"):
        d, i = curves.deletion[order], curves.insertion[order]
        assert d.shape == i.shape == (11,)
        assert np.isclose(d[0], exp.probs[a], atol=1e-5) and np.isclose(i[-1], exp.probs[a], atol=1e-5)
        assert np.isclose(d[-1], i[0], atol=1e-6)  # every key gone, either way
        assert 0 <= curves.auc("deletion", order) <= 1
    assert not np.array_equal(region_order(exp, "contribution"), region_order(exp, "random"))
    back = EvidenceCurves.from_dict(json.loads(curves.to_json()))
    assert back.aucs() == curves.aucs() and np.array_equal(back.fractions, curves.fractions)
    assert auc(np.array([0, 0.5, 1.0]), np.array([1.0, 1.0, 1.0])) == 1.0
    with pytest.raises(InputError, match="unknown region orders"):
        trained.evidence_curves(exp, "fast", orders=["biggest"])
    with pytest.raises(InputError, match="unknown curve mode"):
        trained.evidence_curves(exp, "magic")


def test_pixel_curves_reencode_with_progress(trained, trained_exp):
    exp = trained_exp
    calls = []
    curves = trained.evidence_curves(exp, "pixel", steps=2, orders=["random"], batch=4,
                                     progress=lambda f, m: calls.append((f, m)))
    a = curves.class_index
    assert curves.mode == "pixel" and curves.blur_sigma == 2 * exp.patch_size
    assert np.isclose(curves.deletion["random"][0], exp.probs[a], atol=1e-6)  # the same pixels re-encoded
    assert np.isclose(curves.insertion["random"][-1], exp.probs[a], atol=1e-6)
    assert calls[-1][0] == 1.0 and "re-encoded" in calls[-1][1]
    with pytest.raises(InputError, match="steps=60"):
        trained.evidence_curves(exp, "pixel", steps=60)


def test_json_round_trip_keeps_the_split_and_drops_the_cache(trained_exp):
    exp = trained_exp
    data = json.loads(exp.to_json())
    assert "adapter_cache" not in data and len(data["query_contrib"]) == len(CLASSES)
    back = Explanation.from_json(exp.to_json())
    assert back.adapter_cache is None
    for name in ("logits", "baseline_logits", "frame_contrib", "query_contrib", "baseline_frame_contrib"):
        assert np.array_equal(getattr(back, name), getattr(exp, name)), name
    ev = json.loads(json.dumps(exp.summary()))["evidence"]
    assert len(ev) == 3 and ev[0]["class"] == exp.top_classes(1)[0][0]
    assert np.isclose(ev[0]["frame_mean_part"] + ev[0]["adapter_part"], ev[0]["logit"], atol=1e-5)
    assert all(e["contribution"] > 0 for e in ev[0]["entities_for"])
    assert all(e["contribution"] < 0 for e in ev[0]["entities_against"])


def test_evidence_figures_and_export(trained, trained_exp, tiny, frames, tmp_path):
    import visualizers.evidence as VE
    from visualizers import export_explanation

    exp = trained_exp
    fig = VE.contributions_figure(exp)
    assert len(fig.axes) == 3 and "Evidence for" in fig._suptitle.get_text()
    assert "exact split" in VE.contributions_caption(exp)
    untrained = tiny.explain(frames, CLASSES, r=4)
    assert "untrained" in VE.contributions_caption(untrained)
    assert any("untrained" in t.get_text() for t in VE.contributions_figure(untrained).axes[0].texts)
    img = VE.region_contribution_map(exp, 1, dropped=[(1, 0)])
    assert img.shape == exp.frames.shape[1:] and img.dtype == np.uint8
    assert VE.region_at(exp, 1, 0, 0) == exp.region_ids[1, 0, 0]
    curves = trained.evidence_curves(exp, "fast", steps=4)
    paths = export_explanation(exp, tmp_path, formats=["json", "png"], curves=[curves])
    assert {"evidence_png", "curves_fast_png", "curves_fast_json"} <= set(paths)
    assert json.loads(paths["curves_fast_json"].read_text())["aucs"]["deletion"]


def test_evidence_views_do_not_import_torch():
    code = ("import sys, visualizers.evidence, alt.evidence.views, alt.evidence.curves_data; "
            "sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode == 0
