"""The app without a server: the player's display copy of a clip browsers cannot play, and `import app`
staying light. Moved out of tests/integration/test_app_api.py (they start no app); about a second each."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.clipgen import make_clip
from tests.helpers.server import ROOT


def test_importing_app_is_light():
    code = "import sys, app; bad = {'torch', 'gradio', 'open_clip', 'cv2'} & set(sys.modules); assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_display_copy_of_an_avi_is_h264_mp4_and_original_is_kept(tmp_path):
    from ui import media

    src = make_clip(tmp_path / "clip.avi", num_frames=30, size=(160, 120), fps=10)  # MJPG: browsers cannot play it
    assert not media.is_browser_playable(src)
    copy = media.to_browser_playable(src)
    assert copy is not None and copy.suffix == ".mp4" and media.probe_codec(copy) == "h264"
    assert media.is_browser_playable(copy) and media.to_browser_playable(copy) is None
    assert src.is_file() and media.is_display_copy(f"/elsewhere/cache/{copy.name}", copy)
    (tmp_path / "x.mp4").write_text("not a video")
    assert media.to_browser_playable(tmp_path / "x.mp4") is None


def test_display_copy_is_at_most_720p_and_keeps_the_aspect(tmp_path):
    import cv2

    from ui import media

    tall = media.to_browser_playable(make_clip(tmp_path / "tall.avi", num_frames=4, size=(1600, 1200), fps=10))
    small = media.to_browser_playable(make_clip(tmp_path / "small.avi", num_frames=4, size=(161, 121), fps=10))
    sizes = []
    for copy in (tall, small):
        cap = cv2.VideoCapture(str(copy))
        ok, frame = cap.read()
        cap.release()
        assert ok
        sizes.append(frame.shape[:2])  # (height, width)
    assert sizes[0] == (720, 960)  # 1600x1200 scaled to 720 px tall, 4:3 kept
    assert sizes[1] == (120, 160)  # 161x121: not enlarged, only made even
