"""OpenCV side of `alt.video`: check a path, open and probe it, and fetch chosen frames.

Frames are fetched by seeking when the file is long compared with the number of frames wanted (so
time and memory do not grow with video length), and by a sequential read that keeps only the wanted
frames otherwise. Every seek is checked: OpenCV reports the frame number it landed on (derived from
the decoded timestamp), and a mismatch or a timestamp going backwards switches to a sequential read.
cv2 + numpy only; no torch.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from alt.errors import VideoError
from alt.video.sniff import UNKNOWN, file_kind

log = logging.getLogger(__name__)

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".jp2"}
VIDEO_EXTS = {".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".gif", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"}
SEQUENTIAL_EXTS = {".gif"}  # GIF frame delays vary; seeking there is by time, not by frame
SEQUENTIAL_PER_TARGET = 16  # read sequentially when the window has <= this many frames per target
GRAB_GAP = 32  # grab forward instead of seeking when the next target is at most this far ahead
FAIL_RUN = 64  # undecodable frames in a row that a damaged-file read goes past before seeking beyond
COUNTED_TIME_EXTS = {".avi"}  # containers whose frame times come from counting frames (see damaged_seek_gap)
RESYNC_GAP = 2  # a timestamp this many frames past the count re-anchors it (damage skipped silently)


@dataclass
class Probe:
    """What the container says about a video stream (before any frame is decoded)."""

    num_frames: int  # frame count claimed by the container; 0 when unknown
    fps: float  # average frame rate; a guess when `fps_known` is False
    fps_known: bool
    width: int  # after rotation; 0 when unknown
    height: int
    rotation: int  # display rotation in degrees from the metadata (0, 90, 180, 270)
    manual_rotation: int  # rotation we must apply ourselves (0 when OpenCV already does it)
    codec: str  # fourcc, e.g. "h264", "FMP4", "MJPG"


def check_path(path: str | Path) -> Path:
    """Raise VideoError for a missing path, a directory or an empty file; return the Path."""
    p = Path(path)
    if not p.exists():
        raise VideoError(f"{p}: no such file")
    if p.is_dir():
        raise VideoError(f"{p}: is a directory, not a video file")
    try:
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except OSError as e:
        raise VideoError(f"{p}: cannot be read ({e.strerror or e})") from e
    if size == 0:
        raise VideoError(f"{p}: empty file (0 bytes)")
    return p


def describe_unreadable(path: Path) -> str:
    """A message for a file that neither OpenCV's video reader nor its image reader could open.

    The message names the kind of file (text, PDF, archive, ...) but never quotes its content: it is
    shown to users of a public server, and the file may not be theirs.
    """
    with open(path, "rb") as f:
        head = f.read(512)
    kind = file_kind(head)
    if kind != UNKNOWN:
        return f"{path}: not a video file (it looks like {kind})"
    if path.suffix.lower() in VIDEO_EXTS:
        return f"{path}: cannot be opened as a video (damaged, truncated or unsupported file)"
    return f"{path}: not a video or image file that OpenCV can read (unknown or unsupported format)"


def open_capture(path: Path, timeout_s: float) -> cv2.VideoCapture | None:
    """Open `path` with OpenCV's FFmpeg backend, auto-rotation on; None when it cannot be opened."""
    ms = int(max(1.0, timeout_s) * 1000)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
    try:
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    except cv2.error:  # pragma: no cover - wheels built without these parameters
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        return None
    return cap


def probe(cap: cv2.VideoCapture, default_fps: float = 25.0) -> Probe:
    """Read frame count, fps, size, codec and rotation from an open capture."""
    rotation = int(round(cap.get(getattr(cv2, "CAP_PROP_ORIENTATION_META", -1)) or 0)) % 360
    auto = hasattr(cv2, "CAP_PROP_ORIENTATION_AUTO") and cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = cap.get(cv2.CAP_PROP_FPS)
    fps_known = bool(math.isfinite(fps) and 0.01 <= fps <= 1000.0)
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    count = int(count) if math.isfinite(count) and 0 < count < 2**40 else 0
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    manual = 0 if auto else rotation
    if manual in (90, 270):
        w, h = h, w
    fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
    codec = "".join(chr((fourcc >> 8 * i) & 0xFF) for i in range(4)).strip("\x00 ") if fourcc > 0 else ""
    return Probe(count, fps if fps_known else default_fps, fps_known, w, h, rotation, manual, codec)


def to_rgb(img: np.ndarray, max_side: int | None, manual_rotation: int = 0) -> np.ndarray:
    """OpenCV BGR/BGRA/gray image -> uint8 [H, W, 3] RGB, rotated if needed, longest side <= max_side."""
    if img.dtype != np.uint8:  # 16-bit stills
        img = cv2.convertScaleAbs(img, alpha=255.0 / max(1, int(img.max())))
    if manual_rotation:
        code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
        img = cv2.rotate(img, code[manual_rotation])
    h, w = img.shape[:2]
    if max_side and max(h, w) > max_side:  # downscale first: colour conversion then touches fewer pixels
        s = max_side / max(h, w)
        img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    if img.ndim == 2 or img.shape[2] == 1:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def check_deadline(deadline: float, path: Path, timeout_s: float) -> None:
    """Raise VideoError once the wall-clock budget of one load is spent."""
    if time.monotonic() > deadline:
        raise VideoError(f"{path}: decoding took longer than timeout_s={timeout_s:g} s; giving up")


def choose_seek(path: Path, info: Probe, window_len: int, num_targets: int) -> bool:
    """Seek when the container knows its length and the window is long per wanted frame."""
    if path.suffix.lower() in SEQUENTIAL_EXTS or info.num_frames <= 1:
        return False
    return window_len > SEQUENTIAL_PER_TARGET * max(1, num_targets)


@dataclass
class Fetched:
    """Frames fetched by `fetch_frames`."""

    frames: dict[int, np.ndarray]  # frame index -> uint8 [H, W, 3] RGB
    pts: dict[int, float]  # frame index -> presentation time (s) reported by the decoder
    seek_failed: bool = False  # a seek did not land on its frame: redo sequentially
    ended_at: int | None = None  # sequential read ended (EOF or damage) before this index


def fetch_frames(cap: cv2.VideoCapture, targets: np.ndarray, *, seek: bool, info: Probe,
                 max_side: int | None, deadline: float, path: Path, timeout_s: float) -> Fetched:
    """Decode the frames at sorted unique `targets` [K] from a freshly opened capture.

    Seek mode seeks to far targets and checks where each seek landed; sequential mode grabs
    (decodes without colour conversion) up to each target and keeps only the targets.
    """
    out = Fetched({}, {})
    pos = 0  # index of the frame the next read returns
    last_pts = -math.inf
    for i in (int(t) for t in targets):
        check_deadline(deadline, path, timeout_s)
        if seek and (i < pos or i - pos > GRAB_GAP):
            if not cap.set(cv2.CAP_PROP_POS_FRAMES, i) or round(cap.get(cv2.CAP_PROP_POS_FRAMES)) != i:
                log.info("%s: seek to frame %d landed elsewhere; reading sequentially", path, i)
                out.seek_failed = True
                return out
            pos = i
        while pos < i:
            check_deadline(deadline, path, timeout_s)
            if not cap.grab():
                out.ended_at = pos
                return out
            pos += 1
        ok, img = cap.read()
        if not ok or img is None:
            if seek:  # damaged spot or an over-long frame count: leave this target missing
                pos = -1  # unknown position: seek again next time
                continue
            out.ended_at = pos
            return out
        pts = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        if seek and (round(cap.get(cv2.CAP_PROP_POS_FRAMES)) != i + 1 or not pts > last_pts):
            log.info("%s: frame %d decoded at position %s, time %.3f s; reading sequentially",
                     path, i, cap.get(cv2.CAP_PROP_POS_FRAMES) - 1, pts)
            out.seek_failed = True
            return out
        last_pts = pts
        out.frames[i] = to_rgb(img, max_side, info.manual_rotation)
        out.pts[i] = pts
        pos = i + 1
    return out


class FrameWalker:
    """Grabs the decodable frames of a capture in order, across damaged stretches, and numbers them.

    Frames are counted one by one. After a decode failure, a seek, or a timestamp jump of more than
    RESYNC_GAP frames (a demuxer that skipped damaged bytes silently, as Matroska does), the count is
    re-anchored: to the frame's timestamp, round(t * fps), when `by_time` (the frames after the damage
    keep their true index), else to OpenCV's frame position. A decode failure, or a seek that OpenCV
    reports landing elsewhere, marks the frames that follow `tainted`: inter-coded frames decoded after
    damage are concealment guesses until the next key frame, which OpenCV does not report.
    `failed_reads` counts the failures that had a decodable frame after them (damage inside the
    stream, as opposed to the stream's end).
    """

    def __init__(self, cap: cv2.VideoCapture, fps: float, by_time: bool) -> None:
        self.cap, self.fps, self.by_time = cap, fps, by_time
        self.index = -1  # index of the frame grabbed last (-1: none yet)
        self.pts = -math.inf  # its presentation time, s
        self._resync = False
        self.tainted = False  # a decode failure came after the last clean seek
        self.failed_reads = 0  # failed grabs followed by a decodable frame: damage inside the stream

    def seek(self, i: int) -> None:
        """Ask OpenCV for frame `i`; the next `grab` numbers the frame it lands on afresh."""
        ok = self.cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        self.tainted = not ok or round(self.cap.get(cv2.CAP_PROP_POS_FRAMES)) != i
        self.index, self.pts, self._resync = min(self.index, i - 1), -math.inf, True

    def grab(self, max_failures: int = FAIL_RUN) -> bool:
        """Grab the next new decodable frame, reading past up to `max_failures` undecodable ones."""
        failures = 0
        while True:
            if not self.cap.grab():
                failures += 1
                self._resync = self.tainted = True
                if failures > max_failures:
                    return False
                continue
            self.failed_reads += failures
            failures = 0
            t = self.cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            n = self.index + 1
            if self._resync:
                n = max(n, round(self.cap.get(cv2.CAP_PROP_POS_FRAMES)) - 1)
            if self.by_time and math.isfinite(t):
                by_t = round(t * self.fps)
                if self._resync or by_t > n + RESYNC_GAP:
                    n = by_t
            if n <= self.index or not t > self.pts:
                continue  # a frame already seen (a seek that landed early)
            self.index, self.pts, self._resync = n, t, False
            return True


def by_time_ok(path: Path, info: Probe) -> bool:
    """Whether frame timestamps can re-anchor the frame count after damage (known rate, not a GIF)."""
    return info.fps_known and path.suffix.lower() not in SEQUENTIAL_EXTS


@dataclass
class Scan:
    """Every decodable frame of a stream, found by `scan_frames`."""

    indices: np.ndarray  # int64 [n] frame index of each decodable frame (see FrameWalker), increasing
    pts: np.ndarray  # float64 [n] its presentation time, s
    damaged: bool  # a frame failed to decode and a later one decoded (damage inside, not just an end)


def scan_frames(cap: cv2.VideoCapture, *, claimed: int, max_frames: int, deadline: float, path: Path,
                timeout_s: float, fps: float = 25.0, by_time: bool = False) -> Scan:
    """Grab every decodable frame once (no colour conversion) and note whether any damage was met.

    Used when the container's frame count proved wrong or frames failed to decode. Reads past short
    damaged stretches (numbering frames as `FrameWalker` does); when decoding stops for good before
    the `claimed` end, seeks further and further ahead (1, 2, 4, ... frames) to skip the damage.
    """
    walk = FrameWalker(cap, fps, by_time)
    idx: list[int] = []
    pts: list[float] = []
    skipped = False
    while True:
        check_deadline(deadline, path, timeout_s)
        if not walk.grab():
            pos, jump = walk.index + 1, 1  # long damaged stretch or end of file: try to resume further on
            while pos + jump < claimed:
                check_deadline(deadline, path, timeout_s)
                walk.seek(pos + jump)
                if walk.grab(0):
                    break
                jump *= 2
            else:
                break
            log.info("%s: skipped undecodable frames %d..%d", path, pos, walk.index - 1)
            skipped = True
        idx.append(walk.index)
        pts.append(walk.pts)
        if len(idx) > max_frames:
            raise VideoError(f"{path}: more than {max_frames} frames; longer than max_duration_s allows")
    return Scan(np.asarray(idx, dtype=np.int64), np.asarray(pts, dtype=np.float64),
                damaged=skipped or walk.failed_reads > 0)


def damaged_seek_gap(path: Path, info: Probe) -> int | None:
    """How far ahead `fetch_damaged` seeks rather than reads forward (None: never seek).

    AVI stores no per-frame times: after damage a forward read numbers frames by counting them, which
    misnumbers everything after the damage, while a seek uses the index; so AVI seeks to every target.
    Other containers store times, so a forward read re-anchored by time is right and seeks are only
    for far targets (a seek that passes damage on its way can overshoot the target).
    """
    if path.suffix.lower() in SEQUENTIAL_EXTS or info.num_frames <= 1:
        return None
    return 1 if path.suffix.lower() in COUNTED_TIME_EXTS else GRAB_GAP + 1


def fetch_damaged(cap: cv2.VideoCapture, targets: np.ndarray, *, seek_gap: int | None, by_time: bool,
                  info: Probe, max_side: int | None, deadline: float, path: Path, timeout_s: float) -> Fetched:
    """Decode sorted unique `targets` [K] of a damaged file, numbering frames as `scan_frames` does.

    Seeks to targets more than `seek_gap` frames ahead (None: never) and otherwise grabs forward,
    reading past damaged stretches, so frames after the damage are found by their own index instead of
    stopping at the damage. A target that does not decode is left missing.
    """
    out = Fetched({}, {})
    walk = FrameWalker(cap, info.fps, by_time)
    for i in (int(t) for t in targets):
        sought = False
        for _ in range(2):  # a forward read that crossed damage is retried from a seek (a key frame)
            check_deadline(deadline, path, timeout_s)
            if seek_gap is not None and (i - walk.index > seek_gap or walk.tainted) and not sought:
                walk.seek(i)
                sought = True
            while walk.index < i and walk.grab():
                check_deadline(deadline, path, timeout_s)
            if not walk.tainted or sought or seek_gap is None:
                break
        if walk.index != i or walk.tainted:
            continue  # undecodable, skipped over by the damage, or decoded from damaged references
        ok, img = cap.retrieve()
        if ok and img is not None:
            out.frames[i] = to_rgb(img, max_side, info.manual_rotation)
            out.pts[i] = walk.pts
    return out


def read_image(path: Path, max_side: int | None) -> np.ndarray | None:
    """A still image as uint8 [H, W, 3] RGB (EXIF orientation applied), or None if not an image."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)  # 8-bit BGR, EXIF orientation applied
    if img is None:
        return None
    return to_rgb(img, max_side)
