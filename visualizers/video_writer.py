"""Write RGB frames to a video that plays in Chromium, and probe a written video.

Order of preference (checked on this project's machines):
1. ffmpeg subprocess, H.264 (`libx264 -pix_fmt yuv420p -movflags +faststart`) -> .mp4; the ffmpeg on
   PATH, else the static build of the imageio-ffmpeg wheel (`alt.video.ffmpeg`), so no system ffmpeg
   is needed;
2. OpenCV VideoWriter 'avc1' -> .mp4 (opencv-python-headless wheels usually lack an H.264 encoder,
   so this mostly fails to open and we move on);
3. OpenCV VideoWriter 'VP90' -> .webm (VP9; plays in Chromium; the wheels ship it).
MPEG-4 Part 2 ('mp4v') is never used: Chromium does not play it.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import cv2
import numpy as np

logger = logging.getLogger(__name__)


def ffmpeg_path() -> str | None:
    """The ffmpeg executable (PATH, else imageio-ffmpeg's), or None."""
    from alt.video.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def _even(frames: np.ndarray) -> np.ndarray:
    """Pad height and width to even sizes (yuv420p needs them). [N, H, W, 3] -> [N, H', W', 3]"""
    n, h, w, _ = frames.shape
    if h % 2 == 0 and w % 2 == 0:
        return frames
    return np.pad(frames, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="edge")


def _write_ffmpeg(frames: np.ndarray, path: Path, fps: float, exe: str) -> None:
    n, h, w, _ = frames.shape
    cmd = [
        exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
        "-r", f"{fps}", "-i", "-", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-r", f"{fps}", str(path),
    ]  # fmt: skip
    proc = subprocess.run(cmd, input=np.ascontiguousarray(frames).tobytes(), capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")


def _write_cv2(frames: np.ndarray, path: Path, fps: float, fourcc: str) -> bool:
    n, h, w, _ = frames.shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), float(fps), (w, h))
    try:
        if not writer.isOpened():
            return False
        for f in frames:
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))  # cv2 wants BGR
    finally:
        writer.release()
    return path.exists() and path.stat().st_size > 0


def write_video(frames: np.ndarray, path: str | Path, fps: float = 10.0, repeats: int = 1) -> Path:
    """Encode RGB frames as a browser-playable video.

    Args:
        frames: uint8 [N, H, W, 3] RGB.
        path: target; the suffix becomes .mp4 (H.264) or .webm (VP9 fallback).
        fps: output frame rate.
        repeats: show each input frame this many times (the file has N * repeats frames).
    Returns:
        The path actually written (suffix may differ from the one asked for).
    Raises:
        RuntimeError: no encoder worked.
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError(f"need uint8 [N, H, W, 3] RGB frames, got {frames.dtype} {frames.shape}")
    frames = _even(np.repeat(frames, max(1, int(repeats)), axis=0))  # [N*repeats, H, W, 3]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mp4 = path.with_suffix(".mp4")
    exe = ffmpeg_path()
    if exe is not None:
        try:
            _write_ffmpeg(frames, mp4, fps, exe)
            logger.info("wrote %s (H.264 via ffmpeg, %d frames)", mp4, len(frames))
            return mp4
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
            logger.warning("ffmpeg H.264 failed, trying OpenCV: %s", err)
    if _write_cv2(frames, mp4, fps, "avc1"):
        logger.info("wrote %s (H.264 via OpenCV avc1)", mp4)
        return mp4
    mp4.unlink(missing_ok=True)
    webm = path.with_suffix(".webm")
    if _write_cv2(frames, webm, fps, "VP90"):
        logger.warning("no H.264 encoder; wrote VP9 %s instead", webm)
        return webm
    raise RuntimeError("no video encoder available (ffmpeg/libx264, OpenCV avc1, OpenCV VP9 all failed)")
