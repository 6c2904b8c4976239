"""Datasets: class folders, list files, few-shot sampling, unreadable videos. CPU, seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alt.training.data import (
    ClipDataset,
    DatasetError,
    SkippedVideos,
    VideoList,
    make_loader,
    open_dataset,
    read_labels,
)
from alt.validate import InputError
from tests.helpers.motion_data import make_motion_dataset, motion_frames


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folder_classes_are_sorted_and_humanised(tmp_path):
    for cls in ("brush_hair", "ApplyEyeMakeup", "riding a bike"):
        for i in range(2):
            _touch(tmp_path / cls / f"v{i}.mp4")
    _touch(tmp_path / "brush_hair" / "notes.txt")  # not a video: ignored
    data = open_dataset(tmp_path)
    assert data.raw_names == ["ApplyEyeMakeup", "brush_hair", "riding a bike"]
    assert data.class_names == ["apply eye makeup", "brush hair", "riding a bike"]
    assert data.counts() == [2, 2, 2] and len(data) == 6


def test_empty_class_folder_is_an_error_naming_it(tmp_path):
    _touch(tmp_path / "a" / "v.mp4")
    (tmp_path / "empty_class").mkdir()
    with pytest.raises(DatasetError, match="empty_class"):
        open_dataset(tmp_path)


def test_folder_without_classes_and_missing_path_are_errors(tmp_path):
    with pytest.raises(DatasetError, match="no class sub-folders"):
        open_dataset(tmp_path)
    with pytest.raises(DatasetError, match="no dataset"):
        open_dataset(tmp_path / "nope")
    assert issubclass(DatasetError, InputError)


def test_list_with_indices_uses_label_file_and_class_ind_numbering(tmp_path):
    for p in ("x/a.avi", "x/b.avi", "y/c.avi"):
        _touch(tmp_path / p)
    (tmp_path / "labels.txt").write_text("jump\nrun\n")
    (tmp_path / "list0.txt").write_text("x/a.avi 0\nx/b.avi 1\ny/c.avi 1\n")
    data = open_dataset(tmp_path / "list0.txt", labels=tmp_path / "labels.txt")
    assert data.labels == [0, 1, 1] and data.class_names == ["jump", "run"]
    (tmp_path / "classInd.txt").write_text("1 ApplyEyeMakeup\n2 Archery\n")
    (tmp_path / "list1.txt").write_text("x/a.avi 1\nx/b.avi 2\n")
    assert read_labels(tmp_path / "classInd.txt") == (["ApplyEyeMakeup", "Archery"], 1)
    data = open_dataset(tmp_path / "list1.txt", labels=tmp_path / "classInd.txt")
    assert data.labels == [0, 1] and data.class_names == ["apply eye makeup", "archery"]
    with pytest.raises(DatasetError, match="--labels"):
        open_dataset(tmp_path / "list0.txt")


def test_list_with_names_or_parent_folders(tmp_path):
    for p in ("ApplyEyeMakeup/v1.avi", "Archery/v2.avi", "Archery/v3.avi"):
        _touch(tmp_path / "videos" / p)
    (tmp_path / "test.txt").write_text("ApplyEyeMakeup/v1.avi\nArchery/v2.avi\n")  # UCF testlist: no labels
    data = open_dataset(tmp_path / "test.txt", root=tmp_path / "videos")
    assert data.class_names == ["apply eye makeup", "archery"] and data.labels == [0, 1]
    (tmp_path / "named.txt").write_text("videos/Archery/v3.avi\tshooting a bow\nvideos/Archery/v2.avi archery\n")
    data = open_dataset(tmp_path / "named.txt")
    assert data.class_names == ["archery", "shooting a bow"] and data.labels == [1, 0]


def test_kinetics_csv(tmp_path):
    _touch(tmp_path / "abseiling" / "abc_000010_000020.mp4")
    _touch(tmp_path / "air drumming" / "xyz_000001_000011.mp4")
    (tmp_path / "val.csv").write_text("label,youtube_id,time_start,time_end,split\n"
                                      "abseiling,abc,10,20,val\nair drumming,xyz,1,11,val\n")
    data = open_dataset(tmp_path / "val.csv")
    assert data.class_names == ["abseiling", "air drumming"] and len(data) == 2


def test_missing_listed_files_are_skipped_then_refused(tmp_path):
    _touch(tmp_path / "a" / "1.mp4")
    (tmp_path / "few_missing.txt").write_text("a/1.mp4 a\n" * 9 + "a/gone.mp4 a\n")
    assert len(open_dataset(tmp_path / "few_missing.txt").missing) == 1
    (tmp_path / "many_missing.txt").write_text("a/1.mp4 a\na/gone.mp4 a\na/gone2.mp4 a\n")
    with pytest.raises(DatasetError, match="missing"):
        open_dataset(tmp_path / "many_missing.txt")


def test_few_shot_is_seeded_and_refuses_k_above_a_class(tmp_path):
    data = VideoList([Path(f"{i}.mp4") for i in range(10)], [0] * 6 + [1] * 4, ["a", "b_class"], ["a", "b class"], "x")
    one, again, other = data.few_shot(2, seed=3), data.few_shot(2, seed=3), data.few_shot(2, seed=4)
    assert one.paths == again.paths and one.counts() == [2, 2]
    assert len({tuple(map(str, d.paths)) for d in (one, other, data.few_shot(2, seed=5))}) > 1
    with pytest.raises(DatasetError, match=r"'b_class' has 4"):
        data.few_shot(5)


def test_clip_dataset_decodes_views_and_skips_unreadable(tiny, tmp_path):
    make_motion_dataset(tmp_path / "d", per_class=1, seed=0, num_frames=12)
    (tmp_path / "d" / "left" / "broken.mp4").write_bytes(b"not a video at all")
    data = open_dataset(tmp_path / "d")
    s = tiny.config.image_size
    train = ClipDataset(data, tiny.transform, 4, train=True, seed=1)
    item = train[0]
    assert item["x"].shape == (4, 3, s, s) and item["error"] is None
    views = ClipDataset(data, tiny.transform, 4, views=3)
    batches = list(make_loader(views, batch_size=8))
    assert batches[0]["x"].shape == (len(data) - 1, 3, 4, 3, s, s)  # [B, V, T, 3, S, S]
    assert len(batches[0]["failed"]) == 1 and "broken.mp4" in batches[0]["failed"][0][1]
    skipped = SkippedVideos(len(data), max_fraction=0.1)
    skipped.add(batches[0]["failed"])
    with pytest.raises(DatasetError, match="could not be read"):
        skipped.check()


def test_training_jitter_changes_with_epoch_but_is_reproducible(tiny, tmp_path):
    from tests.helpers.motion_data import write_video

    rng = np.random.default_rng(0)
    write_video(_touch(tmp_path / "a" / "v.mp4"), motion_frames("right", rng, num_frames=32))
    ds = ClipDataset(open_dataset(tmp_path), tiny.transform, 4, train=True, seed=0)
    first, repeat = ds[0]["x"], ds[0]["x"]
    ds.epoch = 1
    assert (first == repeat).all() and not (first == ds[0]["x"]).all()


@pytest.mark.parametrize("num_frames", [12, 16, 24, 32])
def test_appearing_clips_show_their_class_in_the_frames_a_model_samples(num_frames):
    """Issue 13's appearing task: the sampled frames (segment centres, or jittered inside each segment)
    tell every clip's class, so no held-out clip is one the model cannot see. A one-frame run at the
    start (frame 0 hidden, frame 1 sampled) made a briefly appearing clip look like disappearing."""
    from alt.video.sampling import sample_indices
    from tests.helpers.motion_data import APPEARING, MotionSpec, clip_frames

    spec = MotionSpec(task="appearing", size=32, num_frames=num_frames, obj_frac=0.35, speed=(0.0, 0.3))
    rng = np.random.default_rng(0)
    for cls, (first, last) in APPEARING.items():
        for i in range(60):
            frames = clip_frames(cls, rng, spec)  # [T, S, S, 3] on a flat background
            shown = frames.reshape(num_frames, -1, 3).std(axis=1).max(axis=1) > 0  # [T]
            for view in [sample_indices(num_frames, spec.sampled)] + [
                    sample_indices(num_frames, spec.sampled, jitter=True, rng=j) for j in range(8)]:
                seen = shown[view]
                switches = int(np.count_nonzero(seen[1:] != seen[:-1]))
                assert (seen[0], seen[-1], switches) == (first, last, 1 if first != last else 2), (cls, i, view)
