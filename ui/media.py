"""Browser-playable copies of uploads, and per-request scratch folders.

Chromium plays H.264/AV1 in MP4, VP8/VP9/AV1 in WebM and Theora in Ogg. Anything else (AVI, MPEG-4
Part 2, WMV, MJPEG, old codecs) is converted for *display only* with ffmpeg to H.264 MP4 (yuv420p,
+faststart) in a per-request scratch folder; the analysis always reads the original upload.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

logger = logging.getLogger(__name__)

PLAYABLE = {(".mp4", "h264"), (".mp4", "av1"), (".m4v", "h264"), (".webm", "vp8"), (".webm", "vp9"),
            (".webm", "av1"), (".ogg", "theora"), (".ogv", "theora")}
DISPLAY_PREFIX = "display-"  # converted copies are named display-<uuid>.mp4
SCRATCH_MAX_AGE_S = 3 * 3600  # scratch folders older than this are removed by `sweep_scratch`


def scratch_root() -> Path:
    """Folder holding this server's per-request scratch folders (under the system temp dir, which
    Gradio serves from by default)."""
    root = Path(tempfile.gettempdir()) / "alt-explorer"
    root.mkdir(parents=True, exist_ok=True)
    return root


def request_dir(kind: str) -> Path:
    """A new, empty scratch folder for one request (e.g. kind 'display' or 'export')."""
    sweep_scratch()
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=scratch_root()))


def sweep_scratch(max_age_s: float = SCRATCH_MAX_AGE_S) -> int:
    """Remove scratch folders older than `max_age_s`; returns how many were removed."""
    now, removed = time.time(), 0
    for child in scratch_root().iterdir():
        try:
            if child.is_dir() and now - child.stat().st_mtime > max_age_s:
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
        except OSError:  # another worker removed it first
            continue
    return removed


def ffprobe_available() -> bool:
    return shutil.which("ffprobe") is not None


def probe_codec(path: str | Path, timeout_s: float = 20.0) -> str | None:
    """Codec name of the first video stream (ffprobe), or None when there is none or ffprobe fails."""
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    cmd = [exe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "json",
           str(path)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        streams = json.loads(out.stdout or "{}").get("streams", [])
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None
    return streams[0].get("codec_name") if streams else None


def is_browser_playable(path: str | Path) -> bool:
    """True when Chromium can play the file as it is (container by suffix, codec by ffprobe)."""
    codec = probe_codec(path)
    return codec is not None and (Path(path).suffix.lower(), codec) in PLAYABLE


def to_browser_playable(path: str | Path, timeout_s: float = 120.0) -> Path | None:
    """A copy of `path` that browsers play, or None when `path` already plays or cannot be converted.

    The copy is H.264 MP4 (yuv420p, even size, +faststart, no audio), named `display-<uuid>.mp4` in a
    fresh scratch folder. A file ffmpeg cannot read (not a video) gives None: the analysis then
    reports the problem with the decoder's own message.
    """
    exe = shutil.which("ffmpeg")
    if exe is None or probe_codec(path) is None or is_browser_playable(path):
        return None
    out = request_dir("display") / f"{DISPLAY_PREFIX}{uuid.uuid4().hex}.mp4"
    cmd = [exe, "-y", "-loglevel", "error", "-i", str(path), "-an", "-c:v", "libx264", "-preset", "veryfast",
           "-crf", "23", "-pix_fmt", "yuv420p", "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
           "-movflags", "+faststart", str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("could not convert %s for display: %s", path, exc)
        return None
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        logger.warning("could not convert %s for display: %s", path, proc.stderr.decode(errors="replace")[-300:])
        return None
    logger.info("converted %s for display -> %s", Path(path).name, out.name)
    return out


def is_display_copy(displayed: str | Path | None, copy: str | Path | None) -> bool:
    """True when the video a browser sends back is our display copy (Gradio moves files into its
    cache, so the folder changes but the unique file name stays)."""
    return bool(displayed and copy) and Path(str(displayed)).name == Path(str(copy)).name
