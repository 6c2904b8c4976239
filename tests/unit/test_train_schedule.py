"""The pieces behind `alt train`'s defaults: recipes, schedule and budget, Gumbel noise, thread choice,
encoder cache, and the end-of-run verdict."""

from __future__ import annotations

import math

import pytest
import torch

from alt.model.align import EntityAligner
from alt.model.encoder import FrameTokens
from alt.training.feature_cache import TokenCache
from alt.training.schedule import AUTO_MIN_STEPS, Schedule, auto_steps
from alt.training.settings import RECIPES, TrainSettings, check_settings
from alt.training.threads import PROBE_STEPS, ThreadChooser
from alt.training.verdict import RunningStats, learning_warnings, no_better
from alt.validate import InputError


def test_recipe_fills_only_what_was_left_unset():
    s = TrainSettings(data="d", out="o").resolved()
    assert (s.lr, s.gumbel_noise, s.jitter, s.epochs, s.class_scale) == (1.5e-3, 0.0, True, None, 100.0)
    paper = TrainSettings(data="d", out="o", recipe="paper", lr=5e-3).resolved()
    assert paper.lr == 5e-3 and paper.gumbel_noise == paper.gumbel_noise_end == 1.0 and paper.jitter
    assert paper.epochs == 10 and paper.class_scale is None and paper.align_scale is None
    assert set(RECIPES["default"]) == set(RECIPES["paper"])
    with pytest.raises(InputError, match="--recipe"):
        TrainSettings(data="d", out="o", recipe="fast").resolved()
    with pytest.raises(InputError, match="--gumbel-noise"):
        check_settings(TrainSettings(data="d", out="o", gumbel_noise=-1).resolved())
    with pytest.raises(InputError, match="--class-scale"):
        check_settings(TrainSettings(data="d", out="o", class_scale=0).resolved())


def test_auto_schedule_has_ten_epochs_but_never_too_few_steps():
    assert auto_steps(12) == AUTO_MIN_STEPS  # a small dataset: 10 epochs would be 120 steps
    assert auto_steps(1000) == 10_000
    assert auto_steps(1) == 300  # a handful of clips: at most 300 epochs


def test_schedule_fits_the_budget_from_the_recent_pace_and_may_grow_back():
    sched = Schedule(1000, warmup=0.1, budget_s=100.0)
    elapsed = 0.0
    for step in range(1, 11):  # slow start: 2 s per step -> about 50 steps fit
        elapsed += 2.0
        sched.fit(step, elapsed)
    assert 40 <= sched.total <= 60 and sched.warmup == int(0.1 * sched.total)
    for step in range(11, 41):  # then 0.1 s per step: the plan grows again, never beyond what was planned
        elapsed += 0.1
        sched.fit(step, elapsed)
    assert sched.total > 300 and sched.total <= 1000
    assert sched.lr_factor(sched.total) == pytest.approx(0.0)
    done = Schedule(100, warmup=0.1, budget_s=1000.0)
    for step in range(1, 101):
        done.fit(step, step * 0.1)
    assert done.total == 100 and not done.shrunk  # the plan, never one step more
    late = Schedule(100, warmup=0.1, budget_s=10.0)
    for step in range(1, 11):
        late.fit(step, step * 1.0)
    assert late.total == 10 and late.shrunk  # the budget is spent: the run ends at the step it reached
    unlimited = Schedule(1000, warmup=0.1)
    unlimited.fit(10, 1e6)
    assert unlimited.total == 1000


def test_gumbel_noise_is_annealed_by_a_cosine():
    sched = Schedule(101, warmup=0.1, noise=(1.0, 0.0))
    values = [sched.noise(s) for s in range(101)]
    assert values[0] == pytest.approx(1.0) and values[50] == pytest.approx(0.5) and values[100] == pytest.approx(0.0)
    assert all(a >= b for a, b in zip(values, values[1:]))


def _cosines(spread: float, e: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Regions [1, 1, 64, 8] and normalised entities [E, 8] whose cosines differ by about `spread`."""
    g = torch.Generator().manual_seed(seed)
    entities = torch.nn.functional.normalize(torch.randn(e, 8, generator=g), dim=-1)
    regions = torch.randn(1, 1, 64, 8, generator=g) * spread + entities.mean(0) * 10
    return regions, entities


def test_noise_zero_picks_the_argmax_and_noise_one_rarely_does_at_a_small_scale():
    regions, entities = _cosines(0.5)
    cos = torch.nn.functional.normalize(regions, dim=-1) @ entities.T
    aligner = EntityAligner(14.2857, gumbel_noise=0.0)
    out = aligner(regions, entities, stochastic=True)
    assert torch.equal(out.entity_ids, cos.argmax(-1)) and out.agree.item() == 1.0
    train_tower = aligner(regions.clone().requires_grad_(True), entities, stochastic=True)  # straight-through path
    assert torch.equal(train_tower.entity_ids, cos.argmax(-1))
    train_tower.picked.sum().backward()
    assert aligner.log_scale.grad is not None
    aligner.gumbel_noise = 1.0
    torch.manual_seed(0)
    noisy = aligner(regions, entities, stochastic=True)
    assert noisy.agree.item() < 0.5  # the paper's recipe: training picks are mostly not evaluation's picks
    with torch.no_grad():
        aligner.log_scale.fill_(math.log(1000.0))
    assert aligner(regions, entities, stochastic=True).agree.item() > noisy.agree.item()


def test_noise_one_samples_like_the_softmax():
    """Gumbel-max: with noise 1, entity e is picked with probability softmax(scale * cos)_e."""
    regions, entities = _cosines(0.5, e=5)
    regions = regions[:, :, :1].expand(1, 4000, 1, 8)  # one region, 4000 draws
    aligner = EntityAligner(5.0, gumbel_noise=1.0)
    torch.manual_seed(0)
    ids = aligner(regions, entities, stochastic=True).entity_ids.flatten()
    freq = torch.bincount(ids, minlength=5).float() / ids.numel()
    expect = (5.0 * torch.nn.functional.normalize(regions[0, 0, 0], dim=-1) @ entities.T).softmax(-1)
    assert torch.allclose(freq, expect, atol=0.03)


def test_thread_chooser_keeps_the_faster_count(monkeypatch):
    original = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        chooser = ThreadChooser(torch.device("cpu"))
        assert chooser.candidates == [2, 1] and chooser.measuring
        pace = {2: 1.0, 1: 0.25}
        now = [0.0]
        monkeypatch.setattr("alt.training.threads.time.perf_counter", lambda: now[0])
        for _ in range(2 * PROBE_STEPS + 2):
            now[0] += pace[torch.get_num_threads()]
            chooser.step_done()
        assert not chooser.measuring and chooser.chosen == 1 and torch.get_num_threads() == 1
        chooser.restore()
        assert torch.get_num_threads() == 2
        fixed = ThreadChooser(torch.device("cpu"), fixed=1)
        assert not fixed.measuring and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(original)


def _tokens(b: int, t: int = 3, r: int = 5, p: int = 16, d: int = 4) -> FrameTokens:
    source = torch.zeros(b * t, r, p)
    source[:, torch.arange(p) % r, torch.arange(p)] = 1
    return FrameTokens(cls_emb=torch.randn(b * t, d), region_emb=torch.randn(b * t, r, d),
                       size=source.sum(-1), source=source)


def test_token_cache_round_trips_and_turns_itself_off_when_too_big():
    cache = TokenCache(num_videos=4, enabled=True)
    tokens = _tokens(2)
    cache.put([3, 1], tokens)
    assert cache.covers([1, 3]) and not cache.covers([0, 1])
    back = cache.get([3, 1], torch.device("cpu"))
    assert torch.equal(back.region_emb, tokens.region_emb) and torch.equal(back.region_ids, tokens.region_ids)
    assert torch.equal(cache.get([1], torch.device("cpu")).cls_emb, tokens.cls_emb[3:])
    small = TokenCache(num_videos=1000, enabled=True, max_bytes=10_000)
    small.put([0, 1], tokens)
    assert not small.enabled and not small.covers([0])


def test_running_stats_window_keeps_the_last_epoch_of_clips():
    stats = RunningStats(window=8)
    for correct in (0, 0, 4, 4, 4):  # batches of 4 clips
        stats.add(1.0, correct, 1, 4, 1.0)
    out = stats.summary()
    assert out["clips"] == 8 and out["train_top1"] == 1.0 and out["train_baseline_top1"] == 0.25
    assert out["align_agree"] == 1.0


def test_verdict_warns_when_no_better_than_baseline_or_chance():
    assert no_better(0.25, 0.25, 4, 64) and no_better(0.30, 0.25, 4, 64)
    assert not no_better(0.9, 0.25, 4, 64) and no_better(0.5, 0.5, 2, 1000)
    train = {"train_top1": 0.27, "train_baseline_top1": 0.25, "clips": 96}
    msgs = learning_warnings(train, {"top1": 0.25, "baseline_top1": 0.25, "num_videos": 64}, 4, steps=88,
                             epochs_done=7, stopped="completed", lr=1e-3, jitter=True, class_cosine_max=0.985)
    assert len(msgs) == 2 and "held-out top-1 0.250" in msgs[0] and "training top-1 0.270" in msgs[1]
    assert all("--lr" in m and "--no-jitter" in m and "--templates" in m and "88 optimizer steps" in m for m in msgs)
    good = {"train_top1": 1.0, "train_baseline_top1": 0.25, "clips": 96}
    assert learning_warnings(good, {"top1": 0.95, "baseline_top1": 0.25, "num_videos": 64}, 4, steps=400,
                             epochs_done=34, stopped="completed", lr=3e-3, jitter=False) == []


def test_spread_init_breaks_zero_branches_but_keeps_the_frame_mean_start(tiny):
    from alt.model.adapter import VideoAdapter
    from alt.training.adapter_init import sinusoid_table, spread_init

    adapter = VideoAdapter(dim=16, layers=2, heads=4, mlp_ratio=2.0, logit_scale=10.0, temporal_kernel=3, max_frames=8)
    changed = spread_init(adapter, std=0.02, temporal=0.1)
    assert "blocks.0.cross_attn.out_proj.weight" in changed and "temporal_conv.weight" in changed
    assert "temporal_pos" in changed and "out_proj.weight" not in changed
    assert not adapter.out_proj.weight.any() and adapter.blocks[1].ffn.fc2.weight.std() > 0.01
    assert torch.allclose(adapter.temporal_pos, 0.1 * sinusoid_table(8, 16))
    before = {k: v.clone() for k, v in adapter.state_dict().items()}
    assert spread_init(adapter, std=0.02, temporal=0.1) == []  # non-zero (trained) weights are left alone
    assert all(torch.equal(before[k], v) for k, v in adapter.state_dict().items())
    assert spread_init(VideoAdapter(16, 1, 4, 2.0, 10.0, 3, 8), std=None, temporal=None) == []

    x = torch.randn(1, 3, 3, tiny.config.image_size, tiny.config.image_size)
    cls, ent = torch.nn.functional.normalize(torch.randn(4, 64), dim=-1), torch.nn.functional.normalize(
        torch.randn(20, 64), dim=-1)
    state = {k: v.clone() for k, v in tiny.adapter.state_dict().items()}
    try:
        spread_init(tiny.adapter, std=0.02, temporal=0.1)
        out = tiny(x, cls, ent, stochastic=False)
        assert torch.allclose(out.logits, out.baseline_logits)  # still exactly CLIP's frame mean
    finally:
        tiny.adapter.load_state_dict(state)
