"""Exports: JSON, PNG, PDF, MP4 (H.264, expected frame count) and ZIP are written and readable; the MP4 of
`tiny` (64 px input) is drawn at >= 448 px and numbers its frames as the JSON does."""

from __future__ import annotations

import json
import shutil
import zipfile

import numpy as np
import pytest

from alt.explanation import Explanation
from tests.helpers.fake_explanation import make_explanation
from tests.helpers.video_probe import probe_video
from visualizers import export_explanation, overlay_strips, video_writer, write_video
from visualizers.draw import text_bar
from visualizers.export import video_repeats
from visualizers.panels import frame_header


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    exp = make_explanation(T=3, grid=(4, 4), patch=8, R=6, E=10, A=3)
    out = tmp_path_factory.mktemp("export")
    return exp, export_explanation(exp, out)


def test_export_writes_every_format(exported):
    exp, paths = exported
    assert set(paths) == {"json", "png", "pdf", "mp4", "zip"}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths.values())
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
    back = Explanation.from_json(paths["json"].read_text())
    assert back.class_names == exp.class_names and np.array_equal(back.region_ids, exp.region_ids)
    with zipfile.ZipFile(paths["zip"]) as zf:
        assert sorted(zf.namelist()) == sorted(p.name for k, p in paths.items() if k != "zip")
        assert json.loads(zf.read(paths["json"].name))["class_names"] == exp.class_names


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_mp4_is_h264_with_one_video_frame_per_repeat(exported):
    exp, paths = exported
    info = probe_video(paths["mp4"])
    assert paths["mp4"].suffix == ".mp4"
    assert info.codec == "h264"
    assert info.frames == exp.num_frames * video_repeats()
    assert info.width % 2 == 0 and info.height % 2 == 0


def test_export_subset_and_unknown_format(tmp_path):
    exp = make_explanation(T=2)
    paths = export_explanation(exp, tmp_path, formats=("json",))
    assert list(paths) == ["json"]
    with pytest.raises(ValueError, match="unknown export formats"):
        export_explanation(exp, tmp_path, formats=("gif",))


def test_video_falls_back_to_vp9_webm_without_ffmpeg(tmp_path, monkeypatch):
    monkeypatch.setattr(video_writer, "ffmpeg_path", lambda: None)
    frames = np.random.default_rng(0).integers(0, 256, (3, 31, 45, 3), dtype=np.uint8)  # odd sizes
    path = write_video(frames, tmp_path / "clip.mp4", fps=10, repeats=2)
    info = probe_video(path)
    assert info.frames == 6
    assert (path.suffix, info.codec) in {(".mp4", "h264"), (".webm", "vp9")}
    assert (info.width, info.height) == (46, 32)


def test_write_video_rejects_bad_frames(tmp_path):
    with pytest.raises(ValueError):
        write_video(np.zeros((2, 8, 8), np.uint8), tmp_path / "x.mp4")


def _decode_rgb(path) -> np.ndarray:
    """Every frame of a video, RGB. uint8 [N, H, W, 3]"""
    import cv2

    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    cap.release()
    return np.stack(out)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_tiny_mp4_is_448_px_tall_and_numbers_frames_like_the_json(tiny, frames, tmp_path):
    exp = tiny.explain(frames, ["moving square", "still gradient"], record_layers=True)
    assert exp.frames.shape[1] == 64  # the model's input size
    paths = export_explanation(exp, tmp_path, formats=("json", "mp4"))
    info = probe_video(paths["mp4"])
    assert info.height >= 448 and info.width >= 4 * 448
    data = json.loads(paths["json"].read_text())
    assert data["frame_index"] == list(range(exp.num_frames)) and len(data["timestamps"]) == exp.num_frames
    repeats = video_repeats()
    assert info.frames == exp.num_frames * repeats
    strips = overlay_strips(exp)  # [T, H, W, 3]: strip t is captioned frame_header(exp, t)
    decoded = _decode_rgb(paths["mp4"]).astype(np.float32)  # [N, H', W', 3], H' >= H, W' >= W (even sizes)
    video = decoded[:, : strips.shape[1] : 4, : strips.shape[2] : 4]
    small = strips[:, ::4, ::4].astype(np.float32)  # every 4th pixel is plenty to tell frames apart
    diff = np.abs(video[:, None] - small[None]).mean(axis=(2, 3, 4))  # [N, T]
    assert list(diff.argmin(axis=1)) == [i // repeats for i in range(info.frames)]  # video frame i = JSON frame i
    width = strips.shape[2]
    for t in data["frame_index"]:
        header = frame_header(exp, t)
        assert header.startswith(f"frame {t} ") and f"{data['timestamps'][t]:.2f} s" in header
        one_based = header.replace(f"frame {t} ", f"frame {t + 1} ", 1)
        drawn, other = (text_bar(width, s).astype(np.float32) for s in (header, one_based))
        for i in range(t * repeats, (t + 1) * repeats):  # the pixels of the video's caption read "frame t"
            shown = decoded[i, : drawn.shape[0], :width]
            assert np.abs(shown - drawn).mean() < np.abs(shown - other).mean()
