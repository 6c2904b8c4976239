"""No system ffmpeg needed: with PATH stripped of every ffmpeg, display copies, MP4 export and the
example clips still come out as H.264, made by the static build of the imageio-ffmpeg wheel."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from alt.video import ffmpeg as vf
from tests.helpers.clipgen import make_clip
from tests.helpers.server import ROOT

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")


@pytest.fixture
def no_system_ffmpeg(monkeypatch, tmp_path):
    """PATH without any folder that holds an ffmpeg or ffprobe executable."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not any(os.access(Path(d) / exe, os.X_OK) for exe in ("ffmpeg", "ffprobe"))]
    monkeypatch.setenv("PATH", os.pathsep.join(keep) or str(tmp_path))
    assert shutil.which("ffmpeg") is None and shutil.which("ffprobe") is None
    return os.environ["PATH"]


def opencv_codec(path: Path) -> tuple[str, int]:
    """(codec, decoded frame count) of a video, read by OpenCV (no ffmpeg executable involved)."""
    cap = cv2.VideoCapture(str(path))
    try:
        fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
        tag = "".join(chr((fourcc >> 8 * i) & 0xFF) for i in range(4)).strip().lower()
        tag = {"avc1": "h264"}.get(tag, tag)
        count = 0
        while cap.grab():
            count += 1
        return tag, count
    finally:
        cap.release()


def test_the_bundled_ffmpeg_is_found_when_path_has_none(no_system_ffmpeg):
    exe = vf.ffmpeg_exe()
    assert exe is not None and os.access(exe, os.X_OK) and "imageio_ffmpeg" in exe
    assert vf.ffmpeg_source() == "imageio-ffmpeg"


def test_probe_reads_codec_and_duration_without_ffprobe(no_system_ffmpeg, tmp_path):
    from ui.examples import example_rows

    example = Path(example_rows()[0][0])
    cap = cv2.VideoCapture(str(example))
    seconds = cap.get(cv2.CAP_PROP_FRAME_COUNT) / cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    info = vf.probe(example)
    assert info.codec == "h264" and info.duration_s == pytest.approx(seconds, abs=0.1)
    assert vf.probe(make_clip(tmp_path / "a.avi", num_frames=16, fps=8, codec="MJPG")).codec == "mjpeg"
    (tmp_path / "notes.txt").write_text("not a video")
    assert vf.probe(tmp_path / "notes.txt") is None


def test_display_conversion_makes_h264_mp4_without_a_system_ffmpeg(no_system_ffmpeg, tmp_path, monkeypatch):
    import tempfile

    from ui import media

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # scratch folders inside this test's folder
    (tmp_path / "tmp").mkdir()
    src = make_clip(tmp_path / "clip.avi", num_frames=24, size=(96, 72), fps=8, codec="MJPG")
    assert not media.is_browser_playable(src)
    copy = media.to_browser_playable(src, session="test-session")
    assert copy is not None and copy.suffix == ".mp4" and copy.name.startswith(media.DISPLAY_PREFIX)
    assert copy.is_relative_to(media.session_dir("test-session"))
    assert media.probe_codec(copy) == "h264" and media.is_browser_playable(copy)
    assert opencv_codec(copy) == ("h264", 24)
    assert media.end_session("test-session") == 1 and not media.session_dir("test-session").exists()


def test_display_conversion_in_a_process_whose_path_has_no_ffmpeg(no_system_ffmpeg, tmp_path):
    src = make_clip(tmp_path / "clip.avi", num_frames=8, codec="MJPG")
    code = ("import sys; from ui import media; c = media.to_browser_playable(sys.argv[1]); "
            "print(c); assert c is not None and media.probe_codec(c) == 'h264'")
    env = {**os.environ, "PATH": no_system_ffmpeg, "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code, str(src)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=False, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert Path(out.stdout.strip()).is_relative_to(tmp_path / "alt-explorer")


def test_export_writes_h264_with_the_bundled_ffmpeg(no_system_ffmpeg, tmp_path):
    from visualizers.video_writer import write_video

    frames = np.zeros((6, 48, 64, 3), np.uint8)
    frames[:, :, :, 0] = np.arange(6)[:, None, None] * 40
    path = write_video(frames, tmp_path / "out.mp4", fps=6)
    assert path.suffix == ".mp4" and opencv_codec(path) == ("h264", 6)


def test_example_clips_are_made_with_the_bundled_ffmpeg(no_system_ffmpeg, tmp_path):
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    frames = [np.full((48, 64, 3), 20 * i, np.uint8) for i in range(12)]  # BGR, as the script passes them
    path = mod.write_h264(frames, tmp_path / "clip.mp4")
    assert opencv_codec(path) == ("h264", 12)
