"""`alt eval`: multi-view accuracy, baseline parity of an untrained ALT, splits, bad videos. CPU, seconds."""

from __future__ import annotations

import json

import pytest

from alt.cli import main
from alt.training.data import DatasetError, open_dataset
from alt.training.evaluate import evaluate, summarise_splits
from tests.helpers.motion_data import make_motion_dataset


@pytest.fixture(scope="module")
def motion(tmp_path_factory):
    root = tmp_path_factory.mktemp("motion")
    make_motion_dataset(root / "videos", per_class=2, seed=0, num_frames=12)
    return root


def test_untrained_alt_scores_exactly_like_the_frame_mean_baseline(tiny, motion):
    res = evaluate(tiny, open_dataset(motion / "videos"), views=2, num_frames=4, batch_size=3, num_workers=0)
    assert res["num_videos"] == 8 and res["skipped"] == 0 and res["num_classes"] == 4
    for k in ("top1", "top5", "mean_class_top1"):
        assert res[k] == pytest.approx(res[f"baseline_{k}"])
    assert res["top5"] == 1.0  # fewer than 5 classes: top-5 is top-4
    assert not tiny.training


def test_eval_cli_reports_mean_and_std_over_splits(tiny, motion, tmp_path, capsys):
    folder = tmp_path / "tiny"
    tiny.save_pretrained(folder)
    (motion / "split1.txt").write_text("right/000.mp4 right\nleft/000.mp4 left\nup/000.mp4 up\n")
    (motion / "split2.txt").write_text("right/001.mp4 right\nleft/001.mp4 left\ndown/001.mp4 down\n")
    out = tmp_path / "res.json"
    code = main(["eval", "--data", str(motion / "videos"), "--splits", str(motion / "split1.txt"),
                 str(motion / "split2.txt"), "--model", str(folder), "--views", "1", "--frames", "4",
                 "--num-workers", "0", "--out", str(out)])
    assert code == 0
    res = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == res
    for key in ("top1", "top5", "baseline_top1", "baseline_top5", "num_videos", "skipped", "top1_std"):
        assert key in res
    assert res["num_videos"] == 6 and len(res["splits"]) == 2
    assert res["top1"] == pytest.approx((res["splits"][0]["top1"] + res["splits"][1]["top1"]) / 2)


def test_summarise_splits_uses_population_std():
    rows = [{m: v for m in ("top1", "top5", "baseline_top1", "baseline_top5", "mean_class_top1",
                            "baseline_mean_class_top1")} | {"num_videos": 2, "skipped": 0} for v in (0.2, 0.4)]
    res = summarise_splits(rows)
    assert res["top1"] == pytest.approx(0.3) and res["top1_std"] == pytest.approx(0.1) and res["num_videos"] == 4


def test_unreadable_videos_are_counted_then_refused(tiny, motion, tmp_path, capsys):
    data = open_dataset(motion / "videos")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 100)
    data.paths.append(bad)
    data.labels.append(0)
    res = evaluate(tiny, data, views=1, num_frames=4, batch_size=4, num_workers=0)
    assert res["skipped"] == 1 and res["num_videos"] == 8
    for _ in range(3):
        data.paths.append(bad)
        data.labels.append(1)
    with pytest.raises(DatasetError, match="could not be read"):
        evaluate(tiny, data, views=1, num_frames=4, batch_size=4, num_workers=0)


def test_eval_cli_bad_dataset_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "empty_class").mkdir()
    assert main(["eval", "--data", str(tmp_path), "--model", "tiny", "--num-workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "error" in err and "empty_class" in err and "Traceback" not in err
