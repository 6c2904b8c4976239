"""Protocol pieces without a model: the Kinetics-400 csv files as they ship, missing videos (count and first
names), K-shot draws (seeded, K per class, repeatable), and the paper-shaped table (mean ± std). CPU, seconds."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from alt.cli.evaluate import format_table
from alt.errors import DatasetError
from alt.training.annotations import VideoList, open_dataset
from alt.training.protocols import summarise
from tests.helpers.benchmarks import K600_OLD, make_hmdb, make_kinetics400


@pytest.fixture(scope="module")
def k400(tmp_path_factory):
    return make_kinetics400(tmp_path_factory.mktemp("k400"))


def test_kinetics400_train_and_val_csv_classes_membership_and_labels(k400):
    for part in ("train", "val"):
        data = open_dataset(k400["annotations"] / f"{part}.csv")  # root found: ../train (class folders), ../val (flat)
        assert data.raw_names == k400["classes"] == sorted(K600_OLD)
        assert data.benchmark == "Kinetics-400" and not data.missing
        got = {(data.raw_names[a], p.name) for p, a in zip(data.paths, data.labels)}
        assert got == k400["members"][part]  # every video with the label its csv row gives
        assert all(p.parent == k400["root"] / part / (data.raw_names[a] if part == "train" else "")
                   for p, a in zip(data.paths, data.labels))
    assert len(open_dataset(k400["annotations"] / "train.csv")) == 2 * len(K600_OLD)


def _list(tmp_path: Path, n_missing: int, n_present: int) -> Path:
    """A plain list of `n_present` real clips of one class folder and `n_missing` absent ones."""
    src = make_hmdb(tmp_path / "src", classes=("catch",), per_class=1)["videos"] / "catch"
    videos = tmp_path / "videos" / "catch"
    videos.mkdir(parents=True)
    real = next(src.iterdir())
    lines = []
    for i in range(n_present):
        shutil.copy(real, videos / f"here_{i}.avi")
        lines.append(f"catch/here_{i}.avi")
    lines += [f"catch/gone_{i}.avi" for i in range(n_missing)]
    path = tmp_path / "videos" / "list.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_missing_videos_over_the_limit_give_count_and_first_five_names(tmp_path):
    path = _list(tmp_path, n_missing=7, n_present=1)
    with pytest.raises(DatasetError) as err:
        open_dataset(path)
    msg = str(err.value)
    assert "7 of 8 listed videos are not on disk" in msg
    assert all(f"gone_{i}.avi" in msg for i in range(5)) and "gone_5.avi" not in msg and "..." in msg
    assert str(tmp_path / "videos" / "catch") in msg  # where they were looked for


def test_missing_videos_under_the_limit_are_skipped_with_a_warning(tmp_path, caplog):
    path = _list(tmp_path, n_missing=1, n_present=5)
    with caplog.at_level(logging.WARNING):
        data = open_dataset(path)
    assert len(data) == 5 and data.missing == [str(tmp_path / "videos" / "catch" / "gone_0.avi")]
    assert "1 of 6 listed videos are not on disk (gone_0.avi)" in caplog.text
    with pytest.raises(DatasetError, match="1 of 6"):
        open_dataset(path, max_missing=0.1)


def _pool(per_class: int = 10, classes: int = 3) -> VideoList:
    labels = [a for a in range(classes) for _ in range(per_class)]
    paths = [Path(f"/v/c{a}/{i}.avi") for i, a in enumerate(labels)]
    names = [f"class_{a}" for a in range(classes)]
    return VideoList(paths, labels, names, [n.replace("_", " ") for n in names], "pool.txt")


@pytest.mark.parametrize("k", [2, 4, 8])
def test_k_shot_draws_k_per_class_from_the_pool_repeatably_and_by_seed(k):
    pool = _pool()
    draws = {seed: pool.few_shot(k, seed) for seed in range(4)}
    for seed, d in draws.items():
        assert d.counts() == [k, k, k] and set(d.paths) <= set(pool.paths)
        assert all(pool.labels[pool.paths.index(p)] == a for p, a in zip(d.paths, d.labels))
        assert d.paths == pool.few_shot(k, seed).paths  # same seed, same draw
    assert len({tuple(d.paths) for d in draws.values()}) > 1  # the seed changes the draw


def test_k_shot_larger_than_a_class_names_the_class_and_its_count():
    pool = _pool(per_class=3)
    with pytest.raises(DatasetError, match=r"16-shot sampling.*'class_0' has 3.*lower --shots"):
        pool.few_shot(16, 0)
    with pytest.raises(DatasetError, match="at least 1"):
        pool.few_shot(0, 0)


def _run(top1: float, split: int | None, protocol: str = "zero-shot", n: int = 30) -> dict:
    metrics = {"top1": top1, "top5": min(1.0, top1 + 0.3), "baseline_top1": top1 / 2, "baseline_top5": top1,
               "mean_class_top1": top1, "baseline_mean_class_top1": top1 / 2}
    return metrics | {"num_videos": n, "skipped": 0, "dataset": "HMDB-51", "protocol": protocol, "split": split,
                      "r": 4}


def test_table_rows_give_mean_and_population_std_over_splits_and_draws():
    runs = [_run(0.4, 1), _run(0.5, 2), _run(0.6, 3, n=31), _run(0.2, 1, "few-shot K=2", 20),
            _run(0.3, 1, "few-shot K=2", 20)]
    summary = summarise(runs)
    zs, fs = summary["table"]
    assert (zs["dataset"], zs["protocol"], zs["splits"], zs["runs"], zs["videos_per_run"]) == \
        ("HMDB-51", "zero-shot", [1, 2, 3], 3, [30, 30, 31])
    for m in ("top1", "top5", "baseline_top1", "baseline_top5"):
        vals = [r[m] for r in runs[:3]]
        assert zs[m] == pytest.approx(np.mean(vals)) and zs[f"{m}_std"] == pytest.approx(np.std(vals))
    assert fs["top1"] == pytest.approx(0.25) and fs["top1_std"] == pytest.approx(0.05) and fs["splits"] == [1]
    text = format_table(summary | {"model": "tiny", "views": 3, "frames": 8, "r": 4})
    assert "| HMDB-51 | zero-shot | 1, 2, 3 | 50.0 ± 8.2 | 80.0 ± 8.2 | 25.0 ± 4.1 | 50.0 ± 8.2 | 30, 31 |" in text
    assert "| HMDB-51 | few-shot K=2 | 1 | 25.0 ± 5.0 |" in text
    one = format_table(summarise([_run(0.4, 1)]) | {"model": "tiny", "views": 1, "frames": 4, "r": 0})
    assert "| HMDB-51 | zero-shot | 1 | 40.0 | 70.0 | 20.0 | 40.0 | 30 |" in one and "±" not in one.split("\n", 1)[1]
