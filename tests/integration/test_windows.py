"""A long video explained window by window: a generated 6-minute clip in 5-second windows (tiny model).

Checks the number of windows, that every window's result is exactly what explaining that window alone
gives, that memory stays bounded (frames are streamed, never all held), that the timeline JSON and
figure are there, the `alt explain --windows` command, and `alt explain FOLDER` split over two torchrun
CPU processes.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from alt.explain import explain
from alt.timeline import WindowResult
from alt.video.load import load_video
from alt.windows import explain_window, explain_windows
from tests.helpers.clipgen import make_clip

CLASSES = ["waving", "walking", "jumping", "sitting"]
FPS, SIZE = 2, (160, 120)  # low fps and small frames: a 6-minute clip writes in about a second
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    return {minutes: make_clip(folder / f"{minutes}min.mp4", num_frames=minutes * 60 * FPS, size=SIZE, fps=FPS)
            for minutes in (1, 6)}


def _peak_bytes(fn):
    """(result, peak bytes of Python-side allocations, numpy arrays included) of one call."""
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_six_minute_clip_in_five_second_windows_equals_window_by_window_explain(tiny, clips):
    explain_windows(tiny, clips[1], CLASSES, window_s="5s", num_frames=8)  # warm: tokenizer, text caches
    _, peak_short = _peak_bytes(lambda: explain_windows(tiny, clips[1], CLASSES, window_s="5s", num_frames=8))
    start = time.perf_counter()
    tl, peak = _peak_bytes(lambda: explain_windows(tiny, clips[6], CLASSES, window_s="5s", num_frames=8))
    windowed_s = time.perf_counter() - start
    assert len(tl.windows) == 72 == tl.num_planned and tl.complete  # 360 s / 5 s
    assert [w.index for w in tl.windows] == list(range(72))
    assert [(w.start, w.end) for w in tl.windows[:2]] == [(0.0, 5.0), (5.0, 10.0)] and tl.windows[-1].end == 360.0

    single_s = 0.0
    for w in tl.windows:  # every window: exactly what explaining that window alone gives
        t0 = time.perf_counter()
        clip = load_video(clips[6], 8, start=w.start, end=w.end)
        exp = explain(tiny, clip, CLASSES, num_frames=8)
        single_s += time.perf_counter() - t0
        ref = WindowResult.from_explanation(exp, w.index, w.start, w.end, frame_indices=clip.indices)
        assert np.array_equal(w.probs, ref.probs) and np.array_equal(w.baseline_probs, ref.baseline_probs)
        assert w.entities == ref.entities and w.frame_indices == ref.frame_indices
        assert w.frame_times == ref.frame_times and w.start <= w.frame_times[0] < w.frame_times[-1] < w.end
    # N windows cost no more than N single-window explains (batched encoder, one open video)
    assert windowed_s <= 1.25 * single_s, (windowed_s, single_s)

    # memory: only a chunk of windows' frames is ever held; all sampled frames would be 72 x 8 x 160x120x3 (33 MB)
    sampled_bytes = 72 * 8 * SIZE[0] * SIZE[1] * 3
    assert peak < sampled_bytes / 4, peak
    assert peak < peak_short + 2_000_000, (peak, peak_short)  # flat in the video's length

    data = json.loads(tl.to_json())  # the timeline JSON ...
    assert data["kind"] == "alt-timeline" and len(data["windows"]) == 72 and data["complete"]
    w5 = data["windows"][5]
    assert set(w5["probs"]) == set(CLASSES) and w5["top_class"] == max(w5["probs"], key=w5["probs"].get)
    assert w5["entities"] and {"name", "patch_share", "attention_share"} <= set(w5["entities"][0])
    from visualizers.timeline import timeline_figure  # ... and the figure

    fig = timeline_figure(data)
    windows_drawn = sorted(i for d in fig.data if d.type == "bar" and d.y[0] == "ALT" for i in d.customdata)
    assert windows_drawn == list(range(72)) and any(d.type == "scatter" for d in fig.data)


def test_explain_window_opens_the_same_window(tiny, clips):
    tl = explain_windows(tiny, clips[1], CLASSES, window_s="20s", num_frames=6, extra_entities="kite")
    exp = explain_window(tiny, tl, 1)
    assert exp.layer_region_ids is not None  # the full explanation, per-layer maps included
    assert np.array_equal(exp.probs, tl.windows[1].probs) and "kite" in exp.entity_names
    assert [float(t) for t in exp.timestamps] == tl.windows[1].frame_times


def test_cli_explain_windows_writes_the_timeline(clips, tmp_path, capsys):
    from alt.cli.main import main

    out = tmp_path / "tl"
    assert main(["explain", str(clips[1]), "--windows", "15s", "--classes", "a, b", "--model", "tiny", "--frames", "4",
                 "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["windows"] == 4 and summary["complete"]
    assert json.loads((out / "timeline.json").read_text())["window_s"] == 15.0
    assert (out / "timeline.html").stat().st_size > 100_000  # plotly.js inlined: opens offline


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_torchrun_two_cpu_processes_explain_a_folder(tmp_path):
    videos = tmp_path / "videos"
    (videos / "sub").mkdir(parents=True)
    paths = [make_clip(videos / f"v{i}.mp4", num_frames=16 + 4 * i) for i in range(3)]
    paths.append(make_clip(videos / "sub" / "v3.avi", num_frames=20))
    (videos / "broken.mp4").write_text("not a video")
    out = tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(_free_port()), "-m", "alt.cli", "explain", str(videos), "--classes", "a, b",
           "--model", "tiny", "--frames", "4", "--device", "cpu", "--out", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout[proc.stdout.index("{"):])  # only rank 0 prints
    assert summary == {**summary, "videos": 5, "explained": 4, "failed": 1, "missing": 0, "processes": 2}
    index = json.loads((out / "index.json").read_text())["videos"]
    assert [e["index"] for e in index] == [0, 1, 2, 3, 4]  # every video exactly once
    assert {e["rank"] for e in index} == {0, 1}  # both processes worked
    assert "error" in next(e for e in index if e["name"] == "broken")
    from alt.hub.specs import tiny_model

    model = tiny_model()
    for e in (e for e in index if "error" not in e):  # the same answer as one process explaining the video
        assert Path(e["files"]["json"]).exists()
        exp = model.explain(e["video"], "a, b", num_frames=4)
        assert exp.top_classes(1)[0][0] == e["prediction"] and abs(exp.probs.max() - e["probability"]) < 1e-6
