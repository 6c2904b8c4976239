"""`alt world release --earlier RUN`: a model trained in several `alt train` runs (one continuing another)
ships every run's log, and its card covers every run. The shipped world checkpoint stands in for the last
run's weights; the logs are small made-up ones. About 15 s on the project's 2-core CPU."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from alt.world.catalog import WorldError
from alt.world.evaluate import EvalSettings
from alt.world.release import EARLIER_LOG, TRAIN_LOG, release

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "assets" / "models" / "alt-world"
FAST = EvalSettings(per_class=1, curve_mode="none", actions=("waving a hand", "walking left"))


def _log(started_from: str, epochs: int, lr: float) -> list[dict]:
    """A metrics.jsonl of `epochs` epochs that started from `started_from`."""
    recs = [{"event": "start", "settings": {"model": started_from, "epochs": epochs, "lr": lr}}]
    recs += [{"event": "epoch", "epoch": e, "step": 10 * (e + 1), "train_loss": 1.0 / (e + 1), "train_top1": 0.5,
              "val_top1": 0.5, "val_baseline_top1": 0.25, "elapsed_s": 60.0 * (e + 1)} for e in range(epochs)]
    return recs + [{"event": "end", "stopped": "completed", "elapsed_s": 60.0 * epochs}]


def _run(folder: Path, started_from: str, epochs: int, lr: float, weights: bool) -> Path:
    folder.mkdir(parents=True)
    if weights:
        for name in ("config.json", "model.safetensors", "corpus.jsonl"):
            shutil.copyfile(SHIPPED / name, folder / name)
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _log(started_from, epochs, lr)))
    return folder


@pytest.fixture()
def runs(tmp_path):
    """(pretrained folder, first run, continuation) as `alt world pretrain` and two `alt train` runs leave them."""
    pre = tmp_path / "clip"
    pre.mkdir()
    for name in ("pretrain_log.jsonl", "pretrain.json"):
        shutil.copyfile(SHIPPED / name, pre / name)
    first = _run(tmp_path / "alt", str(pre), 3, 1e-3, weights=False)
    return pre, first, _run(tmp_path / "alt-ft", str(first), 2, 3e-4, weights=True)


def test_release_ships_every_runs_log_and_the_card_covers_each_run(runs, tmp_path):
    pre, first, second = runs
    out = tmp_path / "release"
    out.mkdir()
    (out / EARLIER_LOG.format(7)).write_text("{}\n")  # left by an older release: not one of this model's runs
    release(second, pre, out, FAST, earlier=[first])
    assert (out / EARLIER_LOG.format(1)).read_text() == (first / "metrics.jsonl").read_text()
    assert (out / TRAIN_LOG).read_text() == (second / "metrics.jsonl").read_text()
    assert not (out / EARLIER_LOG.format(7)).exists()
    card = (out / "README.md").read_text()
    assert "run 1 (from the pretrained CLIP)" in card and "run 2 (continuing run 1)" in card
    assert '"lr": 0.001' in card and '"lr": 0.0003' in card
    assert "Adapter training, run 1:" in card and "Adapter training, run 2:" in card
    assert "| adapter training | 5.0 min | | run 1: 3.0 min, completed; run 2: 2.0 min, completed |" in card
    assert "train_log_run1.jsonl (run 1), train_log.jsonl (run 2, alt train's metrics.jsonl)" in card


def test_release_refuses_earlier_runs_the_model_did_not_continue(runs, tmp_path):
    pre, _, second = runs
    other = _run(tmp_path / "other", str(pre), 1, 1e-3, weights=False)
    with pytest.raises(WorldError, match="started from --model .* not from the earlier run .*other"):
        release(second, pre, tmp_path / "release", FAST, earlier=[other])
    with pytest.raises(WorldError, match="metrics.jsonl is missing"):
        release(second, pre, tmp_path / "release", FAST, earlier=[tmp_path / "nowhere"])
    assert not (tmp_path / "release").exists()  # refused before anything was written
