"""The ffmpeg executable, and the few questions the project asks it (no system ffmpeg needed).

    exe = ffmpeg_exe()                 # ffmpeg on PATH, else the static build of the imageio-ffmpeg wheel
    info = probe(path)                 # Probe(codec='h264', duration_s=4.0), from `ffmpeg -i`
    errors = decode_errors(path)       # what ffmpeg's decoder reports for the whole video stream

Used for the app's display copies (ui/media.py), MP4 export (visualizers/video_writer.py), the example
clips (scripts/make_examples.py) and, in `alt.video.load`, to ask the decoder whether a stream that
ended early was damaged. ffprobe is not part of imageio-ffmpeg, so probing parses `ffmpeg -i`.

Every command reads an input with `input_options()`: local files only and only container formats that
hold their own frames. FFmpeg also understands playlists and manifests (HLS, DASH, concat lists) that
point at *other* files; an upload holding one would otherwise make the server read whatever it names.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Demuxers allowed to read an input: containers that carry their own frames (no playlists/manifests).
SAFE_DEMUXERS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "gif", "mpeg", "mpegts", "asf", "flv", "ogg")
_VIDEO_STREAM = re.compile(r"Stream #\d+:\d+\S*: Video: ([A-Za-z0-9_]+)(.*)")
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")


def ffmpeg_exe() -> str | None:
    """The ffmpeg executable: the one on PATH, else imageio-ffmpeg's bundled build; None if neither."""
    exe = shutil.which("ffmpeg")
    if exe:
        return exe
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # no binary for this platform and none installed
        return None


def ffmpeg_source() -> str:
    """Where `ffmpeg_exe()` comes from: 'PATH', 'imageio-ffmpeg' or 'none' (for logs and the UI)."""
    if shutil.which("ffmpeg"):
        return "PATH"
    return "imageio-ffmpeg" if ffmpeg_exe() else "none"


def input_options() -> list[str]:
    """ffmpeg options to put before `-i` for an untrusted file: local file protocol, safe demuxers."""
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(SAFE_DEMUXERS)]


@dataclass(frozen=True)
class Probe:
    """What `ffmpeg -i` says about a file."""

    codec: str | None  # codec of the first video stream (e.g. 'h264', 'cinepak'); None: no video stream
    duration_s: float | None  # container duration; None when unknown


def probe(path: str | Path, timeout_s: float = 20.0) -> Probe | None:
    """Codec of the first video stream and the duration, parsed from `ffmpeg -i` (ffprobe not needed).

    Returns None when there is no ffmpeg or it cannot read the file (not a video, a format outside
    SAFE_DEMUXERS, a timeout); Probe(codec=None) when the file opens but holds no video stream.
    Only the codec and duration are read from ffmpeg's report: its other lines (file metadata) are
    never passed on.
    """
    exe = ffmpeg_exe()
    if exe is None:
        return None
    cmd = [exe, "-hide_banner", "-nostdin", *input_options(), "-i", str(path)]
    try:  # with no output file ffmpeg exits 1 after printing the input's description
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        report = done.stderr.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("ffmpeg could not probe %s: %s", Path(path).name, type(exc).__name__)
        return None
    if "Input #0" not in report:
        return None
    codec = next((m.group(1) for m in _VIDEO_STREAM.finditer(report) if "attached pic" not in m.group(2)), None)
    d = _DURATION.search(report)
    duration = int(d.group(1)) * 3600 + int(d.group(2)) * 60 + float(d.group(3)) if d else None
    return Probe(codec, duration if duration is None or math.isfinite(duration) else None)


def decode_errors(path: str | Path, timeout_s: float = 60.0) -> list[str] | None:
    """Decode the first video stream of `path` with ffmpeg and return the errors it reports.

    Returns:
        [] when ffmpeg decodes the stream without a single error, the error lines otherwise (at most
        20, for the log only: they can quote the file), or None when there is no ffmpeg or it did not
        finish within `timeout_s`.
    """
    exe = ffmpeg_exe()
    if exe is None:
        return None
    cmd = [exe, "-hide_banner", "-nostdin", "-v", "error", *input_options(), "-i", str(path),
           "-map", "0:v:0", "-f", "null", "-"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=max(1.0, timeout_s), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("ffmpeg did not finish decoding %s: %s", Path(path).name, type(exc).__name__)
        return None
    lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    if proc.returncode != 0 and not lines:
        lines = [f"ffmpeg exited with code {proc.returncode}"]
    return lines[:20]
