"""Windowed explain, the small parts: planning, parsing, the window reader, the Timeline and its figure,
the app's whole-video handlers (without a server)."""

from __future__ import annotations

import json
import math
import threading
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest

from alt.errors import InputError, VideoError
from alt.timeline import Timeline
from alt.video.load import load_video
from alt.video.stream import WindowReader, plan_windows
from alt.windows import explain_windows, iter_windows, parse_duration
from tests.helpers.clipgen import decode_index, make_clip

CLASSES = ["waving", "walking", "jumping"]


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    """A 40-s clip at 6 fps (240 frames, each carrying its index)."""
    return make_clip(tmp_path_factory.mktemp("win") / "long.mp4", num_frames=240, size=(64, 48), fps=6)


def test_plan_windows_covers_the_video_back_to_back():
    assert plan_windows(360.0, 5.0)[:2] == [(0.0, 5.0), (5.0, 10.0)] and len(plan_windows(360.0, 5.0)) == 72
    spans = plan_windows(12.5, 5.0)
    assert spans == [(0.0, 5.0), (5.0, 10.0), (10.0, 12.5)]  # the last one ends at the end
    assert plan_windows(3.0, 5.0) == [(0.0, 3.0)]
    assert len(plan_windows(20.0, 5.0, stride_s=2.5)) == 8  # overlapping windows
    with pytest.raises(VideoError):
        plan_windows(10.0, 0.0)


@pytest.mark.parametrize("text, seconds", [("5", 5.0), ("5s", 5.0), ("2.5s", 2.5), ("1m", 60.0), ("1m30s", 90.0),
                                           ("1h", 3600.0), (7, 7.0)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5s", "0", "0.01s", "5 minutes"])
def test_parse_duration_refuses_non_durations(text):
    with pytest.raises(InputError):
        parse_duration(text)


def test_window_reader_gives_load_videos_frames_with_few_seeks(long_clip):
    with WindowReader(long_clip) as video:
        assert video.num_frames == 240 and math.isclose(video.duration, 40.0)
        spans = plan_windows(video.duration, 5.0)
        for s, e in spans:
            clip = video.clip(s, e, 4)
            ref = load_video(long_clip, 4, start=s, end=e)
            assert np.array_equal(clip.frames, ref.frames) and np.array_equal(clip.indices, ref.indices)
            assert np.allclose(clip.timestamps, ref.timestamps) and clip.window == ref.window
            assert [decode_index(f) for f in clip.frames] == [int(i) % 256 for i in clip.indices]
        assert video.fallbacks == 0 and video.seeks <= len(spans)  # at most one seek per window
    with WindowReader(long_clip) as video:  # far jumps, backwards too: a checked seek each
        for s, e in [(30.0, 35.0), (0.0, 5.0), (20.0, 25.0)]:
            assert np.array_equal(video.clip(s, e, 4).indices, load_video(long_clip, 4, start=s, end=e).indices)
        assert video.seeks >= 2


def test_window_reader_refuses_images_and_non_videos(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "b.mp4").write_text("not a video")
    for name in ("a.png", "b.mp4", "missing.mp4"):
        with pytest.raises(VideoError):
            WindowReader(tmp_path / name)


def test_timeline_round_trips_through_json_and_draws(tiny, long_clip):
    from visualizers.timeline import leading_classes, timeline_figure, write_timeline

    tl = explain_windows(tiny, long_clip, CLASSES, window_s="10s", num_frames=4)
    assert len(tl.windows) == 4 and tl.complete and tl.probs().shape == (4, 3)
    back = Timeline.from_dict(json.loads(tl.to_json()))
    assert back.to_dict() == json.loads(tl.to_json())
    assert np.array_equal(back.probs(), tl.probs()) and tl.window_at(25.0) == 2
    fig = timeline_figure(tl)
    bars = [d for d in fig.data if d.type == "bar"]
    assert {d.y[0] for d in bars} == {"ALT", "CLIP frame-mean"}
    assert sorted(i for d in bars if d.y[0] == "ALT" for i in d.customdata) == [0, 1, 2, 3]  # every window, once
    assert len([d for d in fig.data if d.type == "scatter"]) == 2 * len(leading_classes(tl.to_dict()))
    files = write_timeline(tl, tiny_out := long_clip.parent / "out")
    assert json.loads(files["json"].read_text())["windows"][3]["index"] == 3
    assert "plotly" in files["html"].read_text()[:200000].lower() and tiny_out.is_dir()


def test_on_window_false_and_cancel_stop_early(tiny, long_clip):
    seen = []
    tl = explain_windows(tiny, long_clip, CLASSES, window_s="5s", num_frames=4, batch_windows=2,
                         on_window=lambda res, done, planned: seen.append(done) or done < 3)
    assert seen == [1, 2, 3] and len(tl.windows) == 3 and not tl.complete and tl.num_planned == 8
    cancel = threading.Event()
    cancel.set()
    tl = explain_windows(tiny, long_clip, CLASSES, window_s="5s", num_frames=4, batch_windows=2, cancel=cancel)
    assert len(tl.windows) == 2 and not tl.to_dict()["complete"]  # stops after the chunk it was in


def test_iter_windows_yields_per_chunk_and_closes_the_video(tiny, long_clip):
    runs = iter_windows(tiny, long_clip, CLASSES, window_s="5s", num_frames=4, batch_windows=3)
    sizes = [len(tl.windows) for tl in runs]
    assert sizes == [3, 6, 8]
    runs = iter_windows(tiny, long_clip, CLASSES, window_s="5s", num_frames=4, batch_windows=3)
    first = next(runs)
    runs.close()
    assert len(first.windows) == 3 and not first.complete


class _Host:
    """The handler mixin on a minimal host: a stub layout and a `show` that returns the Explanation."""

    def __init__(self, model):
        from ui.windows import WholeVideoHandlers

        class Host(WholeVideoHandlers):
            source_of = staticmethod(lambda video, upload: video)

            def show(self, exp, clip_name, top_k, alpha, att_view, progress=None):
                return {"exp": exp, "clip": clip_name}

        keys = ("window_s", "run", "stop", "state", "note", "plot", "table")
        self.h = Host()
        self.h.model, self.h.max_duration_s, self.h.decode_timeout_s, self.h.max_upload_bytes = model, 600.0, 60.0, None
        self.h.ui = SimpleNamespace(whole={k: k for k in keys}, status="status")


def test_whole_video_handlers_stream_the_timeline_and_open_a_window(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))  # the upload cache: the only place uploads may be read
    (tmp_path / "upload").mkdir()
    clip = make_clip(tmp_path / "upload" / "long.mp4", num_frames=120, size=(64, 48), fps=6)
    h = _Host(tiny).h
    steps = list(h.run_whole(str(clip), None, ", ".join(CLASSES), "", 4, 2, "", 5, progress=lambda *a, **k: None))
    assert len(steps) == 1 and len(steps[-1]["table"]) == 4  # 20 s in 5-s windows, one chunk of 4 on a CPU
    state = steps[-1]["state"]
    assert state["complete"] and "4 of 4 windows" in steps[-1]["note"]
    out = h.open_window(state, 8, 0.6, None, SimpleNamespace(index=[2, 1]))
    win = state["windows"][2]
    assert np.allclose(out["exp"].probs, [win["probs"][c] for c in CLASSES], rtol=0, atol=0)
    assert out["clip"] == "long.mp4" and "Window 2" in out["status"]
    outside = make_clip(tmp_path.parent / f"{tmp_path.name}-elsewhere.mp4", num_frames=12)
    with pytest.raises(gr.Error, match="Not a video uploaded to this server"):
        next(h.run_whole(str(outside), None, "a, b", "", 4, 2, "", 5, progress=lambda *a, **k: None))
