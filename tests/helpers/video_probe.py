"""What a written video really holds (codec, decoded frames, size, fps): ffprobe when present, else OpenCV."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2


@dataclass(frozen=True)
class VideoInfo:
    """What a decoder says about a video file."""

    codec: str  # e.g. 'h264', 'vp9'
    frames: int
    width: int
    height: int
    fps: float


def probe_video(path: str | Path) -> VideoInfo:
    """Codec, decoded frame count, size and fps of a video (ffprobe when present, else OpenCV)."""
    path = Path(path)
    exe = shutil.which("ffprobe")
    if exe is not None:
        cmd = [
            exe, "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
            "stream=codec_name,nb_read_frames,width,height,avg_frame_rate", "-of", "json", str(path),
        ]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
        s = json.loads(out)["streams"][0]
        num, den = (float(v) for v in s.get("avg_frame_rate", "0/1").split("/"))
        return VideoInfo(s["codec_name"], int(s["nb_read_frames"]), int(s["width"]), int(s["height"]),
                         num / den if den else 0.0)  # fmt: skip
    cap = cv2.VideoCapture(str(path))
    try:
        fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
        tag = "".join(chr((fourcc >> 8 * i) & 0xFF) for i in range(4)).strip().lower()
        codec = {"avc1": "h264", "h264": "h264", "vp90": "vp9", "vp09": "vp9"}.get(tag, tag)
        count = 0
        while cap.read()[0]:
            count += 1
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        return VideoInfo(codec, count, w, h, float(cap.get(cv2.CAP_PROP_FPS)))
    finally:
        cap.release()
