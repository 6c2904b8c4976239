"""When the container's frame count proves wrong: find the frames that decode and sample from those.

Two different files end up here, and they are told apart by asking the decoder:

- **the stream simply has fewer frames than the header says.** Debian's `tree.avi` (Cinepak, 15 fps)
  claims 444 frames; its stream holds 68, spread over the 29.6 s (the AVI skips the other slots), and
  every player plays it. OpenCV reads all 68 without a failure and ffmpeg decodes the stream without a
  single error. We trust the stream: sample from its frames, and record its real frame count and
  duration (so its average rate) in the VideoClip.
- **damage** (bytes overwritten, a truncated download): OpenCV fails to read some frames and goes on,
  or ffmpeg reports decoding errors. Frames keep the index they have in the damaged file, and a file
  with fewer than `min_decodable` of its claimed frames is refused.

Without an ffmpeg executable (see `alt.video.ffmpeg`) there is no decoder verdict, and a short stream is
treated as damage. cv2 + numpy (+ the ffmpeg command line); no torch.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from alt.errors import VideoError
from alt.video import decode as vd
from alt.video import ffmpeg as vf
from alt.video.sampling import nearest

log = logging.getLogger(__name__)

Plans = list[tuple[np.ndarray, tuple[float, float]]]  # per view: indices [T] and the window (start, end) s


def with_capture(p: Path, timeout_s: float, fn):
    """Run `fn(cap)` on a freshly opened capture of `p` and release it."""
    cap = vd.open_capture(p, timeout_s)
    if cap is None:
        raise VideoError(f"{p}: could not be reopened")
    try:
        return fn(cap)
    finally:
        cap.release()


def salvage(p: Path, info: vd.Probe, total: int, max_frames: int, min_decodable: float, deadline: float,
            timeout_s: float, replan: Callable[[int, float], Plans], max_side: int | None
            ) -> tuple[vd.Fetched, Plans, int, float]:
    """Scan which frames decode, re-plan the sampling over them and fetch the sampled frames.

    Args:
        p, info: the file and what its container claims.
        total: frame count the container claims (0: unknown).
        max_frames: more decodable frames than this breaks the duration limit.
        min_decodable: refuse a *damaged* file with fewer than this fraction of `total` decodable.
        deadline, timeout_s: the load's wall-clock budget.
        replan: (frame count, fps) -> the sampling plans of every view.
        max_side: downscale limit of the frames.

    Returns:
        (fetched frames, plans, frame count, fps): the frame count and fps to record in the clip.

    Raises:
        VideoError: no decodable frame, too damaged, or out of time.
    """
    by_time = vd.by_time_ok(p, info)  # number frames after damage by their timestamps
    scan = with_capture(p, timeout_s, lambda c: vd.scan_frames(
        c, claimed=total, max_frames=max_frames, deadline=deadline, path=p, timeout_s=timeout_s,
        fps=info.fps, by_time=by_time))
    real, pts = scan.indices, scan.pts  # [n], [n]
    if len(real) == 0:
        raise VideoError(f"{p}: no decodable frame ({info.codec or 'unknown codec'}; damaged or unsupported)")
    if 0 < len(real) < total and ended_cleanly(p, scan, deadline):
        return trust_stream(p, info, total, scan, deadline, timeout_s, replan, max_side)
    if len(real) < min_decodable * total:
        raise VideoError(f"{p}: only {len(real)} of {total} frames decode (damaged or truncated file; "
                         f"min_decodable={min_decodable:g})")
    if len(real) < total:
        log.warning("%s: %d of the %d frames the container claims decode; sampling from those",
                    p, len(real), total)
    if np.any(np.diff(real) <= 0):  # pragma: no cover - scan_frames keeps them increasing
        real = np.arange(len(real))
    total = int(real[-1]) + 1
    plans = replan(total, info.fps)
    targets = real[np.unique(nearest(real, np.concatenate([idx for idx, _ in plans])))]  # decodable, sorted
    # Seek to far targets and read past damaged stretches, numbering frames as the scan did, so that
    # frames after the damage are the right ones (a plain sequential read would stop at the damage).
    out = with_capture(p, timeout_s, lambda c: vd.fetch_damaged(
        c, targets, seek_gap=vd.damaged_seek_gap(p, info), by_time=by_time, info=info, max_side=max_side,
        deadline=deadline, path=p, timeout_s=timeout_s))
    out.pts.update({int(i): float(t) for i, t in zip(real, pts) if int(i) in out.frames})
    return out, plans, total, info.fps


def ended_cleanly(p: Path, scan: vd.Scan, deadline: float) -> bool:
    """True when the stream has no damage, only an early end: OpenCV read every frame up to its last
    without a failure, and ffmpeg decodes the whole video stream without reporting an error."""
    if scan.damaged:
        return False
    errors = vf.decode_errors(p, timeout_s=deadline - time.monotonic())
    if errors is None:
        log.info("%s: no ffmpeg to tell an early end from damage; treating it as damage", p)
        return False
    if errors:
        log.info("%s: ffmpeg reports decoding errors (%d lines, first: %.200s)", p, len(errors), errors[0])
    return not errors


def stream_duration(pts: np.ndarray, info: vd.Probe) -> float:
    """Seconds a stream of frames at times `pts` [n] lasts: to the last frame plus one mean frame step,
    but not past the container's own duration when that covers every frame (the last frame's slot)."""
    n = len(pts)
    if n == 0 or not np.all(np.isfinite(pts)) or np.any(np.diff(pts) <= 0):
        return max(n, 1) / info.fps
    step = (pts[-1] - pts[0]) / (n - 1) if n > 1 else 1.0 / info.fps
    end = float(pts[-1] + step)
    claimed = info.num_frames / info.fps if info.num_frames > 0 else math.inf
    return min(end, claimed) if claimed > pts[-1] else end


def trust_stream(p: Path, info: vd.Probe, claimed: int, scan: vd.Scan, deadline: float, timeout_s: float,
                 replan: Callable[[int, float], Plans], max_side: int | None
                 ) -> tuple[vd.Fetched, Plans, int, float]:
    """Sample from the n frames the stream holds (numbered 0..n-1 in stream order), at their own times."""
    n = len(scan.indices)
    duration = stream_duration(scan.pts, info)
    fps = n / duration
    log.warning("%s: the stream holds %d frames over %.2f s (%.3g fps), not the %d frames at %.3g fps its "
                "header claims; it decodes without error, so sampling from those %d frames", p, n, duration,
                fps, claimed, info.fps, n)
    plans = replan(n, fps)
    targets = np.unique(np.concatenate([idx for idx, _ in plans]))  # sorted stream positions [K]
    out = with_capture(p, timeout_s, lambda c: vd.fetch_frames(
        c, targets, seek=False, info=info, max_side=max_side, deadline=deadline, path=p, timeout_s=timeout_s))
    out.pts = {i: float(scan.pts[i]) for i in out.frames}  # the scan's times, one per stream position
    return out, plans, n, fps
