"""Real clips every player plays load and explain: Debian opencv-doc's sample videos (fetched once per
machine by tests/helpers/real_clips.py), through `load_video` and the `alt` command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from alt.cli import main
from alt.video.load import load_video
from tests.helpers.real_clips import opencv_doc_clip


@pytest.mark.slow
def test_tree_avi_explains_through_the_cli(tmp_path, capsys):
    tree = opencv_doc_clip("tree.avi")
    out = tmp_path / "out"
    assert main(["explain", str(tree), "--classes", "a tree swaying, a car driving", "--model", "tiny",
                 "--frames", "4", "--out", str(out)]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert {"json", "png", "mp4"} <= set(files)
    data = json.loads((out / "explanation.json").read_text())
    assert set(data["predictions"]) == {"a tree swaying", "a car driving"}


@pytest.mark.parametrize("name, frames, seconds", [
    ("vtest.avi", 795, 79.5), ("Megamind.avi", 270, 11.26), ("Megamind_bugy.avi", 270, 9.0),
    ("box.mp4", None, None), ("cup.mp4", None, None),
])
def test_opencv_doc_clips_load_in_order(name, frames, seconds):
    clip = load_video(opencv_doc_clip(name), 8)
    assert clip.frames.shape[0] == 8 and clip.num_missing == 0
    assert np.all(np.diff(clip.indices) > 0) and np.all(np.diff(clip.timestamps) > 0)
    if frames is not None:
        assert clip.num_frames_total == frames and clip.duration == pytest.approx(seconds, abs=0.05)
