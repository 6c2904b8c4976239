"""`alt eval` / `alt train` on miniature benchmarks in their official layouts, with the tiny model:
the HMDB-51 example as the issue writes it, zero-shot over official splits and Kinetics-600 class
splits, few-shot with repeated seeded draws, the paper-shaped table, and bad input. CPU, seconds each."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from alt.cli import main
from alt.training.annotations import open_dataset
from alt.training.protocols import infer_protocol, training_classes
from tests.helpers.benchmarks import make_hmdb, make_kinetics, make_kinetics400, make_ssv2, make_ucf

FAST = ["--model", "tiny", "--views", "1", "--frames", "4", "--num-workers", "0", "--batch-size", "4"]
TRAIN = ["--model", "tiny", "--epochs", "1", "--frames", "4", "--num-workers", "0"]


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """One folder holding HMDB-51 (with `splits` -> testTrainMulti_7030_splits), UCF-101, Kinetics-400/600, SSv2."""
    base = tmp_path_factory.mktemp("bench")
    info = {"hmdb": make_hmdb(base), "ucf": make_ucf(base), "k600": make_kinetics(base), "ssv2": make_ssv2(base),
            "k400": make_kinetics400(base)}
    (base / "splits").symlink_to(base / "testTrainMulti_7030_splits", target_is_directory=True)
    info["base"] = base
    return info


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


@pytest.mark.parametrize("splits", ["splits/brush_hair_test_split1.txt", "splits"])
def test_hmdb_example_as_written_with_one_file_or_the_folder(bench, monkeypatch, capsys, splits):
    monkeypatch.chdir(bench["base"])
    code, res, err = _run(["eval", "--data", "hmdb51", "--splits", splits, "--model", "tiny", "--num-workers", "0"],
                          capsys)
    assert code == 0, err
    members = bench["hmdb"]["members"]
    if splits.endswith(".txt"):
        assert [r["split"] for r in res["runs"]] == [1] and res["num_classes"] == 3  # scored among all 3 classes
        assert res["num_videos"] == sum(c == "brush_hair" for c, _ in members[1]["test"])
    else:
        assert [r["split"] for r in res["runs"]] == [1, 2, 3] and "top1_std" in res
        assert [r["num_videos"] for r in res["runs"]] == [len(members[n]["test"]) for n in (1, 2, 3)]
    row, = res["table"]
    want = [1] if splits.endswith(".txt") else [1, 2, 3]
    assert (row["dataset"], row["protocol"], row["splits"]) == ("HMDB-51", "zero-shot", want)
    assert row["top1"] == pytest.approx(row["baseline_top1"])  # untrained ALT == frame-mean baseline
    assert "| dataset | protocol | split(s) | top-1 | top-5 | baseline top-1 | baseline top-5 | videos |" in err
    assert "| HMDB-51 | zero-shot |" in err and (res["views"], res["frames"]) == (3, 8)


def test_ucf_zero_shot_over_the_three_splits_or_one(bench, tmp_path, capsys):
    lists, videos = bench["ucf"]["lists"], bench["ucf"]["videos"]
    out = tmp_path / "res" / "ucf_zs.json"
    code, res, err = _run(["eval", "--data", str(videos), "--splits", str(lists), "--out", str(out)] + FAST, capsys)
    assert code == 0, err
    assert json.loads(out.read_text()) == res  # --out writes what stdout prints
    assert [r["split"] for r in res["runs"]] == [1, 2, 3] and res["table"][0]["dataset"] == "UCF-101"
    assert all(r["num_classes"] == 3 and r["num_videos"] == 3 for r in res["runs"])
    row, = res["table"]
    assert set(row) == {"dataset", "protocol", "splits", "runs", "videos_per_run"} | {
        f"{h}{m}{s}" for h in ("", "baseline_") for m in ("top1", "top5") for s in ("", "_std")}
    assert (row["protocol"], row["splits"], row["videos_per_run"]) == ("zero-shot", [1, 2, 3], [3, 3, 3])
    for m in ("top1", "top5", "baseline_top1", "baseline_top5"):
        vals = [r[m] for r in res["runs"]]
        assert row[m] == pytest.approx(np.mean(vals)) and row[f"{m}_std"] == pytest.approx(np.std(vals))
    assert f"| UCF-101 | zero-shot | 1, 2, 3 | {100 * row['top1']:.1f} ± {100 * row['top1_std']:.1f} |" in err
    code, res, err = _run(["eval", "--data", str(lists), "--split", "2"] + FAST, capsys)
    assert code == 0, err
    assert res["table"][0]["splits"] == [2] and res["num_videos"] == 3 and "±" not in err.split("| UCF-101")[1]


def test_kinetics600_zero_shot_over_class_splits(bench, capsys):
    k = bench["k600"]
    files = [str(p) for p, _ in k["class_splits"]]
    code, res, err = _run(["eval", "--data", str(k["csv"]), "--class-splits", *files] + FAST, capsys)
    assert code == 0, err
    row, = res["table"]
    assert (row["dataset"], row["protocol"], row["splits"], row["runs"]) == ("Kinetics-600", "zero-shot", [1, 2], 2)
    assert [r["num_classes"] for r in res["runs"]] == [2, 2] and [r["num_videos"] for r in res["runs"]] == [4, 4]
    code, res, _ = _run(["eval", "--data", str(k["csv"]), "--class-splits", *files, "--split", "2"] + FAST, capsys)
    assert code == 0 and res["table"][0]["splits"] == [2] and res["num_videos"] == 4
    # the published per-split video lists ('path index'), each with its own split's label csv
    lists = []
    for n, (path, names) in enumerate(k["class_splits"], 1):
        rows = [f"val/{c}/{y}_{s:06d}_{e:06d}.mp4 {names.index(c)}" for c, y, s, e in k["rows"] if c in names]
        lists.append(path.with_name(f"ZS_split{n}_K600_eval.txt"))
        lists[-1].write_text("\n".join(rows) + "\n")
    code, res, err = _run(["eval", "--data", str(k["csv"].parent), "--splits", *map(str, lists), "--labels", *files]
                          + FAST, capsys)
    assert code == 0, err
    row, = res["table"]
    assert (row["dataset"], row["splits"], row["videos_per_run"]) == ("Kinetics-600", [1, 2], [4, 4])


def test_ssv2_evaluates_validation_json(bench, capsys):
    code, res, err = _run(["eval", "--data", str(bench["ssv2"]["labels"])] + FAST, capsys)
    assert code == 0, err
    assert res["table"][0]["dataset"] == "Something-Something v2" and res["num_videos"] == 3 and res["num_classes"] == 3


def test_hmdb_few_shot_draws_k_per_class_seeded_recorded_and_repeated(bench, tmp_path, capsys):
    hmdb = bench["hmdb"]
    code, res, err = _run(["eval", "--data", str(hmdb["videos"]), "--splits", str(hmdb["splits"]), "--split", "1",
                           "--train-data", str(hmdb["splits"]), "--shots", "1", "2", "--repeats", "2",
                           "--train-epochs", "1", "--train-out", str(tmp_path / "fs")] + FAST, capsys)
    assert code == 0, err
    assert [(r["protocol"], r["runs"], r["splits"]) for r in res["table"]] == [("few-shot K=1", 2, [1]),
                                                                               ("few-shot K=2", 2, [1])]
    draws = res["few_shot"]["draws"]
    assert [(d["shots"], d["seed"]) for d in draws] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    train = {f"{c}/{n}" for c, n in hmdb["members"][1]["train"]}
    for d in draws:
        assert set(d["videos"]) <= train and len(d["videos"]) == 3 * d["shots"]
        assert sorted(v.split("/")[0] for v in d["videos"]) == sorted(hmdb["classes"] * d["shots"])
        kept = open_dataset(tmp_path / "fs" / f"{d['shots']}shot_seed{d['seed']}" / "fewshot_train.txt")
        assert len(kept) == len(d["videos"])  # the draw is kept as a list beside its model
    pool = open_dataset(hmdb["splits"], split=1, part="train", root=hmdb["videos"])
    again = pool.few_shot(1, 1)  # same seed, same draw
    assert sorted(f"{p.parent.name}/{p.name}" for p in again.paths) == sorted(draws[1]["videos"])
    assert all(r["num_videos"] == len(hmdb["members"][1]["test"]) for r in res["runs"])
    assert "| HMDB-51 | few-shot K=2 | 1 |" in err and "±" in err
    for row in res["table"]:  # mean and population std over the draws of that K
        vals = [r["top1"] for r in res["runs"] if r["protocol"] == row["protocol"]]
        assert row["top1"] == pytest.approx(np.mean(vals)) and row["top1_std"] == pytest.approx(np.std(vals))
    # a kept model's card names the classes it trained on: evaluating it again is "supervised" on them
    folder = str(tmp_path / "fs" / "2shot_seed1")
    assert training_classes(folder) == {"brush hair", "cartwheel", "catch"}
    assert infer_protocol(folder, True, ["brush hair", "catch"]) == "supervised"
    assert infer_protocol(folder, True, ["archery"]) == "zero-shot"
    assert infer_protocol("tiny", False, ["brush hair"]) == "zero-shot"


def test_train_reads_the_train_part_of_a_split_and_validates_on_its_test_part(bench, tmp_path, capsys):
    hmdb = bench["hmdb"]
    code, res, err = _run(["train", "--data", str(hmdb["splits"]), "--split", "2", "--val", str(hmdb["splits"]),
                           "--root", str(hmdb["videos"]), "--val-root", str(hmdb["videos"]), "--out",
                           str(tmp_path / "run"), "--model", "tiny", "--epochs", "1", "--frames", "4",
                           "--num-workers", "0"], capsys)
    assert code == 0, err
    assert res["num_videos"] == len(hmdb["members"][2]["train"]) and res["num_classes"] == 3
    card = (tmp_path / "run" / "README.md").read_text()
    assert '"part": "train"' in card and '"split": 2' in card


def test_ucf_few_shot_draws_from_trainlist_of_the_split(bench, tmp_path, capsys):
    ucf = bench["ucf"]
    code, res, err = _run(["eval", "--data", str(ucf["videos"]), "--splits", str(ucf["lists"]), "--split", "2",
                           "--train-data", str(ucf["lists"]), "--shots", "1", "--train-epochs", "1"] + FAST, capsys)
    assert code == 0, err
    row, = res["table"]
    assert (row["dataset"], row["protocol"], row["splits"], row["runs"]) == ("UCF-101", "few-shot K=1", [2], 1)
    draw, = res["few_shot"]["draws"]
    assert (draw["shots"], draw["seed"], draw["split"]) == (1, 0, 2)
    assert set(draw["videos"]) <= ucf["members"][2]["train"]  # from trainlist02.txt, none of testlist02.txt
    assert sorted(v.split("/")[0] for v in draw["videos"]) == sorted(ucf["classes"])
    assert res["num_videos"] == len(ucf["members"][2]["test"])


def test_kinetics400_supervised_and_ssv2_rows_train_then_evaluate(bench, tmp_path, capsys):
    """The README rows that train first: Kinetics-400 (train.csv -> val.csv) and SSv2 (train.json ->
    validation.json); a model trained on all the test classes is reported as supervised."""
    k400, ssv2 = bench["k400"], bench["ssv2"]
    code, res, err = _run(["train", "--data", str(k400["annotations"] / "train.csv"), "--out", str(tmp_path / "k400")]
                          + TRAIN, capsys)
    assert code == 0, err
    assert res["num_videos"] == len(k400["members"]["train"]) and res["num_classes"] == 3
    code, res, err = _run(["eval", "--data", str(k400["annotations"] / "val.csv"), "--root", str(k400["root"] / "val")]
                          + FAST + ["--model", str(tmp_path / "k400")], capsys)
    assert code == 0, err
    row, = res["table"]
    assert (row["dataset"], row["protocol"], row["videos_per_run"]) == ("Kinetics-400", "supervised", [3])
    assert res["adapter_trained"] is True and "| Kinetics-400 | supervised | - |" in err
    code, res, err = _run(["train", "--data", str(ssv2["labels"]), "--val", str(ssv2["labels"]),
                           "--out", str(tmp_path / "ssv2")] + TRAIN, capsys)
    assert code == 0, err
    assert res["num_videos"] == len(ssv2["train"]) and res["num_classes"] == 3
    code, res, err = _run(["eval", "--data", str(ssv2["labels"])] + FAST + ["--model", str(tmp_path / "ssv2")], capsys)
    assert code == 0, err
    row, = res["table"]
    assert (row["dataset"], row["protocol"], row["videos_per_run"]) == ("Something-Something v2", "supervised",
                                                                        [len(ssv2["validation"])])


def test_bad_input_is_one_clear_line(bench, tmp_path, capsys):
    bad = tmp_path / "splits"
    bad.mkdir()
    (bad / "catch_test_split1.txt").write_text("a.avi 1\nb.avi 7\n")
    code, _, err = _run(["eval", "--data", str(bench["hmdb"]["videos"]), "--splits", str(bad)] + FAST, capsys)
    assert code == 2 and "catch_test_split1.txt:2: flag '7'" in err and "Traceback" not in err
    (tmp_path / "odd.json").write_text("{}")
    code, _, err = _run(["eval", "--data", str(tmp_path / "odd.json")] + FAST, capsys)
    assert code == 2 and "unknown annotation format" in err and "HMDB-51 split files" in err
    hmdb = bench["hmdb"]
    code, _, err = _run(["eval", "--data", str(hmdb["videos"]), "--splits", str(hmdb["splits"]), "--train-data",
                         str(hmdb["splits"]), "--shots", "1"] + FAST, capsys)
    assert code == 2 and "--split N" in err
    videos = tmp_path / "hmdb51"  # a video root missing one class's videos: count, first names, where
    shutil.copytree(hmdb["videos"], videos)
    shutil.rmtree(videos / "catch")
    code, _, err = _run(["eval", "--data", str(videos), "--splits", str(hmdb["splits"]), "--split", "1"] + FAST, capsys)
    gone = sorted(n for c, n in hmdb["members"][1]["test"] if c == "catch")
    assert code == 2 and "1 of 3 listed videos are not on disk" in err and gone[0] in err and "--root" in err
    assert "Traceback" not in err
