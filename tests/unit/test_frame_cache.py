"""The every-frame token cache of `alt train` (alt/training/feature_cache.py): with the image tower frozen and
temporal jitter on (the defaults), every frame of every training video is encoded once, and each epoch gathers
its jittered draw from the cache. The draw and the tokens must be exactly what decoding would have given."""

from __future__ import annotations

import pytest
import torch

from alt.training.annotations.videolist import VideoList
from alt.training.feature_cache import TokenCache
from alt.training.schedule import AUTO_MIN_STEPS, AUTO_MIN_STEPS_CACHED, auto_steps
from tests.helpers.clipgen import make_clip

T, SEED, R = 4, 3, 2


def _videos(tmp_path, frames=(12, 9, 16)) -> VideoList:
    paths = [make_clip(tmp_path / f"v{i}.avi", num_frames=n, size=(64, 48)) for i, n in enumerate(frames)]
    return VideoList(paths=paths, labels=[0, 1, 0], raw_names=["a", "b"], class_names=["a", "b"], source=str(tmp_path))


def _decoded_tokens(model, path, index: int, epoch: int):
    """What the decoding path encodes for clip `index` in `epoch` (ClipDataset with jitter)."""
    from alt.model.preprocess import preprocess
    from alt.video.load import load_video

    clip = load_video(path, T, jitter=True, seed=[SEED, epoch, index])
    with torch.no_grad():
        return model.encode_frames(preprocess(model.transform, clip.frames)[1], R)


def test_cached_draws_equal_the_decoded_jittered_clips_exactly(tiny, tmp_path):
    videos = _videos(tmp_path)
    cache = TokenCache(len(videos), enabled=False)
    failed = cache.fill_every_frame(videos, tiny, R, T, SEED, planned_epochs=50, device=torch.device("cpu"))
    assert failed == [] and cache.enabled and cache.draw == (T, SEED)
    assert [len(cache.items[i][0]) for i in range(3)] == [12, 9, 16]  # every frame, once
    assert cache.covers([0, 1, 2])
    draws = []
    for epoch in (0, 1, 7):
        got = cache.get([2, 0], torch.device("cpu"), epoch)  # FrameTokens over [2*T, ...]
        want = [_decoded_tokens(tiny, videos.paths[i], i, epoch) for i in (2, 0)]
        for name in ("cls_emb", "region_emb", "size", "source"):
            expect = torch.cat([getattr(w, name) for w in want])
            assert torch.equal(getattr(got, name).to(expect.dtype), expect), (epoch, name)
        draws.append(got.cls_emb)
    assert not torch.equal(draws[0], draws[1])  # epochs draw different frames


def test_every_frame_is_cached_only_when_it_is_cheaper_than_decoding(tiny, tmp_path):
    videos = _videos(tmp_path)  # 37 frames in all; one epoch decodes 3 x 4 = 12
    cache = TokenCache(len(videos), enabled=False)
    assert cache.fill_every_frame(videos, tiny, R, T, SEED, planned_epochs=2, device=torch.device("cpu")) == []
    assert not cache.enabled and cache.items == {} and cache.draw is None
    small = TokenCache(len(videos), enabled=False, max_bytes=1000)  # does not fit in memory
    small.fill_every_frame(videos, tiny, R, T, SEED, planned_epochs=50, device=torch.device("cpu"))
    assert not small.enabled and small.items == {}


def test_an_unreadable_video_is_reported_and_the_others_are_cached(tiny, tmp_path):
    videos = _videos(tmp_path)
    videos.paths[1].write_bytes(b"not a video at all")
    cache = TokenCache(len(videos), enabled=False)
    failed = cache.fill_every_frame(videos, tiny, R, T, SEED, planned_epochs=50, device=torch.device("cpu"))
    assert [i for i, _ in failed] == [1] and "v1.avi" in failed[0][1]
    assert cache.covers([0, 2]) and not cache.covers([0, 1, 2])


def test_cached_runs_plan_more_steps_since_a_step_costs_the_adapter_only():
    assert auto_steps(12) == AUTO_MIN_STEPS and auto_steps(12, cached=True) == AUTO_MIN_STEPS_CACHED
    assert auto_steps(1000, cached=True) == 10_000  # large datasets: ten epochs either way
    assert auto_steps(1, cached=True) == 300


@pytest.mark.slow
def test_default_training_encodes_every_frame_once_and_logs_it(tmp_path, caplog):
    """`alt train` with the defaults on a small dataset: the cache is filled before the first epoch and the
    run plans the cached number of steps."""
    import json
    import logging

    from alt.training.settings import TrainSettings
    from alt.training.train import train

    root = tmp_path / "data"
    for c in ("left", "right", "up"):  # 18 clips: 3 steps per epoch
        (root / c).mkdir(parents=True)
        for i in range(6):
            make_clip(root / c / f"{i}.avi", num_frames=10, size=(64, 48))
    with caplog.at_level(logging.INFO, logger="alt.training"):
        summary = train(TrainSettings(data=str(root), out=str(tmp_path / "run"), model="tiny", max_minutes=0.2,
                                      num_workers=0))
    assert "encoded every frame of 18 videos once (180 frames)" in caplog.text
    start = json.loads((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()[0])
    assert start["steps_planned"] == auto_steps(3, cached=True) == 900 > auto_steps(3) and summary["steps"] > 0


def test_cache_gb_bounds_the_cache_and_is_checked(tmp_path, caplog):
    """`--cache-gb` is the cache's memory budget: a run whose tokens do not fit trains without the cache."""
    import logging

    from alt.errors import InputError
    from alt.training.settings import TrainSettings, check_settings
    from alt.training.train import train

    with pytest.raises(InputError, match="--cache-gb"):
        check_settings(TrainSettings(data="d", out="o", cache_gb=-1).resolved())
    root = tmp_path / "data"
    for c in ("left", "right"):
        (root / c).mkdir(parents=True)
        for i in range(3):
            make_clip(root / c / f"{i}.avi", num_frames=10, size=(64, 48))
    with caplog.at_level(logging.INFO, logger="alt.training"):
        train(TrainSettings(data=str(root), out=str(tmp_path / "run"), model="tiny", max_minutes=0.1, num_workers=0,
                            cache_gb=1e-6))  # about 1 KB: not even one video fits
    assert "not caching every frame: it would take more than" in caplog.text
    assert "encoded every frame" not in caplog.text
