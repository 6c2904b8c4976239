"""Official annotation readers on miniature benchmarks in their shipped layouts: classes, per-split
train/test membership, labels; and the errors for bad input. CPU, seconds."""

from __future__ import annotations

import json
import logging
import shutil

import pytest

from alt.errors import DatasetError
from alt.training.annotations import detect, open_dataset, read_class_split, read_labels, split_numbers
from tests.helpers.benchmarks import K600_NEW, make_hmdb, make_kinetics, make_ssv2, make_ucf


@pytest.fixture(scope="module")
def hmdb(tmp_path_factory):
    return make_hmdb(tmp_path_factory.mktemp("hmdb"))


@pytest.fixture(scope="module")
def ucf(tmp_path_factory):
    return make_ucf(tmp_path_factory.mktemp("ucf"))


def _members(data):
    """{(class folder, file name)} of a VideoList, checking every label against the video's folder."""
    out = set()
    for p, a in zip(data.paths, data.labels):
        assert data.raw_names[a] == p.parent.name  # the label read is the video's class
        out.add((p.parent.name, p.name))
    return out


@pytest.mark.parametrize("split", [1, 2, 3])
def test_hmdb_split_folder_reads_each_splits_train_and_test_flags(hmdb, split):
    for part in ("train", "test"):
        data = open_dataset(hmdb["splits"], split=split, part=part)  # videos found beside: ../hmdb51
        assert data.raw_names == hmdb["classes"] and data.class_names == ["brush hair", "cartwheel", "catch"]
        assert _members(data) == hmdb["members"][split][part]
        assert (data.benchmark, data.split, data.part) == ("HMDB-51", split, part)
    assert split_numbers(hmdb["splits"]) == [1, 2, 3]


def test_hmdb_single_split_file_scores_its_class_among_the_root_folders(hmdb):
    f = hmdb["splits"] / "cartwheel_test_split2.txt"
    data = open_dataset(f, root=hmdb["videos"], part="test")
    assert data.raw_names == hmdb["classes"]  # candidates: every class folder of the root
    assert _members(data) == {m for m in hmdb["members"][2]["test"] if m[0] == "cartwheel"}
    assert data.split == 2 and split_numbers(f) == [2]
    train = open_dataset(f, part="train")  # root found beside the split folder
    assert _members(train) == {m for m in hmdb["members"][2]["train"] if m[0] == "cartwheel"}


def test_hmdb_split_and_part_must_be_said_and_exist(hmdb):
    with pytest.raises(DatasetError, match="choose one with --split"):
        open_dataset(hmdb["splits"], part="test")
    with pytest.raises(DatasetError, match="split 4"):
        open_dataset(hmdb["splits"], split=4, part="test")
    with pytest.raises(DatasetError, match="is HMDB-51 split 1, but --split 2"):
        open_dataset(hmdb["splits"] / "catch_test_split1.txt", split=2, part="test")
    with pytest.raises(DatasetError, match="train or test"):
        open_dataset(hmdb["splits"], split=1)


def test_hmdb_flag_outside_0_1_2_is_reported_with_file_and_line(hmdb, tmp_path):
    splits = tmp_path / "splits"
    shutil.copytree(hmdb["splits"], splits)
    f = splits / "catch_test_split3.txt"
    lines = f.read_text().splitlines()
    lines[2] = lines[2].split()[0] + " 3"
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"catch_test_split3\.txt:3: flag '3'.*1 \(train\), 2 \(test\) or 0"):
        open_dataset(splits, split=3, part="test", root=hmdb["videos"])
    f.write_text("a.avi 1 extra\n")
    with pytest.raises(DatasetError, match=r"catch_test_split3\.txt:1: expected '<video>.avi <0\|1\|2>'"):
        open_dataset(f, part="test", root=hmdb["videos"])


def test_missing_videos_give_their_count_and_first_names(hmdb, tmp_path):
    videos = tmp_path / "hmdb51"
    shutil.copytree(hmdb["videos"], videos)
    gone = sorted((videos / "brush_hair").iterdir())
    for p in gone:
        p.unlink()
    with pytest.raises(DatasetError) as err:
        open_dataset(hmdb["splits"], split=1, part="train", root=videos)
    msg = str(err.value)
    assert "2 of 6 listed videos are not on disk" in msg and "--root" in msg
    listed = {n for c, n in hmdb["members"][1]["train"] if c == "brush_hair"}
    assert all(name in msg for name in listed)  # the missing names are given
    assert all(p.name not in msg for p in gone if p.name not in listed)


def test_ucf_folder_reads_class_ind_order_and_each_splits_lists(ucf):
    for split in (1, 2, 3):
        for part in ("train", "test"):
            data = open_dataset(ucf["lists"], split=split, part=part)  # classInd beside, ../UCF-101 found
            assert data.raw_names == ucf["classes"]  # classInd order
            assert data.class_names == ["apply eye makeup", "archery", "yo yo"]
            assert {f"{c}/{n}" for c, n in _members(data)} == ucf["members"][split][part]
            assert (data.benchmark, data.split, data.part) == ("UCF-101", split, part)


def test_ucf_single_lists_use_class_ind_beside_them(ucf):
    test = open_dataset(ucf["lists"] / "testlist03.txt", root=ucf["videos"])
    assert test.raw_names == ucf["classes"] and test.split == 3 and test.part == "test"
    assert {f"{c}/{n}" for c, n in _members(test)} == ucf["members"][3]["test"]
    train = open_dataset(ucf["lists"] / "trainlist01.txt", root=ucf["videos"])  # "path N" with classInd's numbers
    assert {f"{c}/{n}" for c, n in _members(train)} == ucf["members"][1]["train"] and train.part == "train"
    assert split_numbers(ucf["lists"]) == [1, 2, 3]


def test_kinetics_csv_classes_labels_and_class_split(tmp_path, caplog):
    k = make_kinetics(tmp_path)
    data = open_dataset(k["csv"], root=k["videos"])
    assert data.raw_names == k["classes"] and len(data) == len(k["rows"]) and data.benchmark == "Kinetics-600"
    assert [data.raw_names[a] for a in data.labels] == [p.parent.name for p in data.paths]
    assert open_dataset(k["csv"]).paths == data.paths  # root found: the csv's val/ folder
    path, names = k["class_splits"][1]
    assert read_class_split(path) == names == list(K600_NEW[1:])
    zs = data.restrict(names, str(path))
    assert zs.raw_names == names and len(zs) == 4 and {zs.raw_names[a] for a in zs.labels} == set(names)
    assert all(zs.raw_names[a] == p.parent.name for p, a in zip(zs.paths, zs.labels))
    seen = tmp_path / "seen.txt"
    seen.write_text("abseiling\narguing\n")
    with caplog.at_level(logging.WARNING):
        read_class_split(seen)
    assert "1 of its 2 classes are Kinetics-400 classes" in caplog.text


def test_ssv2_classes_are_templates_without_brackets(tmp_path):
    s = make_ssv2(tmp_path)
    for part, entries in (("train", s["train"]), ("test", s["validation"])):
        data = open_dataset(s["labels"], part=part)  # folder: labels.json + train.json / validation.json
        assert data.raw_names == ["Pushing something from left to right", "Putting something on a surface",
                                  "Holding something next to something"]
        assert data.class_names[0] == "pushing something from left to right"
        want = {e["id"]: s["names"].index(e["template"].replace("[", "").replace("]", "")) for e in entries}
        assert {p.stem: a for p, a in zip(data.paths, data.labels)} == want
        assert all(p.suffix == ".webm" for p in data.paths) and data.benchmark == "Something-Something v2"
    assert len(open_dataset(s["labels"] / "validation.json")) == 3
    with pytest.raises(DatasetError, match="unlabelled"):
        open_dataset(s["labels"] / "test.json")
    with pytest.raises(DatasetError, match="no numbered split 1"):
        open_dataset(s["labels"], split=1, part="test")


def test_unknown_formats_are_refused_naming_the_formats_read(tmp_path):
    cases = {"notes.txt": "hello world\nmore text\n", "meta.json": json.dumps({"a": [1, 2]}),
             "table.csv": "video,label\na.mp4,x\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(DatasetError, match="unknown annotation format") as err:
            open_dataset(tmp_path / name)
        for fmt in ("HMDB-51", "UCF-101", "Kinetics csv", "Something-Something v2"):
            assert fmt in str(err.value)
    assert detect(tmp_path / "notes.txt") == "list"


def test_label_files_id_name_csv_and_json(tmp_path):
    (tmp_path / "k.csv").write_text("id,name\n1,arguing\n0,acting in play\n")
    assert read_labels(tmp_path / "k.csv") == (["acting in play", "arguing"], 0)
    (tmp_path / "labels.json").write_text(json.dumps({"Moving something up": "1", "Opening something": "0"}))
    assert read_labels(tmp_path / "labels.json") == (["Opening something", "Moving something up"], 0)


def test_renamed_hmdb_file_hints_at_its_official_name(hmdb, tmp_path):
    (tmp_path / "mysplit.txt").write_text((hmdb["splits"] / "catch_test_split1.txt").read_text())
    with pytest.raises(DatasetError, match="<class>_test_split<N>.txt"):
        open_dataset(tmp_path / "mysplit.txt", root=hmdb["videos"] / "catch")
