"""Time windows of one long video, decoded through one open capture with a seek per window.

    with WindowReader("lecture.mp4") as video:
        for start, end in plan_windows(video.duration, window_s=5.0):
            clip = video.clip(start, end, num_frames=8)   # VideoClip, as load_video(start=, end=) gives

The file is opened and probed once. Each window samples its frames exactly as `load_video(path,
num_frames, start=, end=)` does (the same `plan_views`), then seeks to its first sampled frame and reads
forward to the others, so the cost of a window does not grow with the video's length and only one
window's frames are held at a time. Every seek is checked (OpenCV reports where it landed); a window
whose seek or read goes wrong (damaged file, odd container) is handed to `load_video` itself, which
falls back to sequential reading and salvage. cv2 + numpy only; no torch.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import cv2
import numpy as np

from alt.errors import VideoError
from alt.video import decode as vd
from alt.video.load import MAX_PIXELS, VideoClip, load_video
from alt.video.sampling import plan_views, timestamps_for

log = logging.getLogger(__name__)


def plan_windows(duration: float, window_s: float, stride_s: float | None = None) -> list[tuple[float, float]]:
    """Windows [start, end) in seconds covering [0, duration): one every `stride_s` (default: `window_s`,
    back to back), each `window_s` long; the last one ends at `duration` (shorter when it does not divide).

    Raises:
        VideoError: a non-positive duration, window or stride.
    """
    stride_s = window_s if stride_s is None else stride_s
    if not (math.isfinite(window_s) and window_s > 0 and math.isfinite(stride_s) and stride_s > 0):
        raise VideoError(f"window length and stride must be positive seconds, got {window_s} and {stride_s}")
    if not (math.isfinite(duration) and duration > 0):
        raise VideoError(f"cannot cut a video of duration {duration} s into windows")
    count = max(1, math.ceil(duration / stride_s - 1e-9))
    return [(k * stride_s, min(k * stride_s + window_s, duration)) for k in range(count)]


class WindowReader:
    """One open capture of a video file, giving the VideoClip of any time window.

    Args:
        path: the video file.
        max_side, max_duration_s, max_pixels, timeout_s: as in `load_video` (timeout per window).
    Raises:
        VideoError: missing, unreadable or non-video file, unknown length, too long or too large.
    """

    def __init__(self, path: str | Path, *, max_side: int | None = 1024, max_duration_s: float = 3600 * 3,
                 max_pixels: int = MAX_PIXELS, timeout_s: float = 60.0) -> None:
        self.path = vd.check_path(path)
        self.max_side, self.timeout_s, self.max_duration_s = max_side, float(timeout_s), float(max_duration_s)
        self.max_pixels = max_pixels
        if self.path.suffix.lower() in vd.IMAGE_EXTS:
            raise VideoError(f"{self.path}: a still image has no timeline; explain it as one clip")
        cap = vd.open_capture(self.path, self.timeout_s)
        if cap is None:
            raise VideoError(vd.describe_unreadable(self.path))
        self._cap: cv2.VideoCapture | None = cap
        self.info = vd.probe(cap)
        if self.info.num_frames <= 1:
            self.close()
            raise VideoError(f"{self.path}: the container does not state its length, so it cannot be cut into "
                             "windows; remux it first (ffmpeg -i IN -c copy OUT.mp4) or explain it as one clip")
        if self.info.width * self.info.height > max_pixels:
            self.close()
            raise VideoError(f"{self.path}: frames of {self.info.width}x{self.info.height} exceed "
                             f"max_pixels={max_pixels}")
        if self.duration > max_duration_s:
            self.close()
            raise VideoError(f"{self.path}: {self.duration:.0f} s long, more than max_duration_s={max_duration_s:g}")
        self._pos = 0  # index of the frame the next read returns; -1: unknown (seek next time)
        self._last_pts = -math.inf
        self.seeks = 0  # seeks made so far (a window costs about one)
        self.fallbacks = 0  # windows handed to load_video

    @property
    def num_frames(self) -> int:
        """Frames in the video, as the container states."""
        return int(self.info.num_frames)

    @property
    def fps(self) -> float:
        return float(self.info.fps)

    @property
    def duration(self) -> float:
        """Seconds, num_frames / fps."""
        return self.num_frames / self.fps

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> WindowReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def clip(self, start: float, end: float, num_frames: int = 8) -> VideoClip:
        """T frames sampled from [start, end) s, the frames `load_video(path, T, start=, end=)` gives.

        Returns:
            VideoClip with frames uint8 [T, H, W, 3] RGB and `window` = (start, end).
        """
        if self._cap is None:
            raise VideoError(f"{self.path}: the reader is closed")
        began = time.perf_counter()
        (idx, window), = plan_views(self.path, self.num_frames, self.fps, num_frames, 1, [0], False,
                                    np.random.default_rng(0), start, end)  # [T] sampled frame indices
        got = self._fetch(np.unique(idx), began + self.timeout_s)
        if got is None:  # a seek or read went wrong: the full loader handles it (sequential read, salvage)
            self.fallbacks += 1
            self._pos = -1
            clip = load_video(self.path, num_frames, start=start, end=end, max_side=self.max_side,
                              max_duration_s=self.max_duration_s, max_pixels=self.max_pixels,
                              timeout_s=self.timeout_s)
        else:
            frames, pts = got
            arr = np.stack([frames[int(i)] for i in idx])  # [T, H, W, 3]
            n_unique = len(frames)
            clip = VideoClip(frames=arr, timestamps=timestamps_for(idx, pts, self.fps), indices=idx, fps=self.fps,
                             duration=self.duration, source_size=(self.info.width, self.info.height),
                             num_frames_total=self.num_frames, repeated=n_unique < len(idx), num_unique=n_unique,
                             path=str(self.path), rotation=self.info.rotation, window=window, decode_mode="seek",
                             codec=self.info.codec)
        clip.decode_s = time.perf_counter() - began
        return clip

    def _fetch(self, targets: np.ndarray, deadline: float) -> tuple[dict[int, np.ndarray], dict[int, float]] | None:
        """Decode sorted unique frame indices [K]: seek when behind or far ahead, else read forward.
        None when a seek lands elsewhere or a read fails."""
        cap, frames, pts = self._cap, {}, {}
        for i in (int(t) for t in targets):
            if time.perf_counter() > deadline:
                raise VideoError(f"{self.path}: decoding a window took longer than timeout_s={self.timeout_s:g} s")
            if self._pos < 0 or i < self._pos or i - self._pos > vd.GRAB_GAP:
                self.seeks += 1
                if not cap.set(cv2.CAP_PROP_POS_FRAMES, i) or round(cap.get(cv2.CAP_PROP_POS_FRAMES)) != i:
                    log.info("%s: seek to frame %d landed elsewhere; loading this window in full", self.path, i)
                    return None
                self._pos, self._last_pts = i, -math.inf
            while self._pos < i:
                if not cap.grab():
                    return None
                self._pos += 1
            ok, img = cap.read()
            t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if not ok or img is None or round(cap.get(cv2.CAP_PROP_POS_FRAMES)) != i + 1 or not t > self._last_pts:
                log.info("%s: frame %d did not decode in place; loading this window in full", self.path, i)
                return None
            self._pos, self._last_pts = i + 1, t
            frames[i] = vd.to_rgb(img, self.max_side, self.info.manual_rotation)
            pts[i] = t
        return frames, pts
