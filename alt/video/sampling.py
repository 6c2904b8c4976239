"""Frame sampling for `alt.video`: which frame indices a clip takes, and their timestamps.

The window [first, last) of a video is cut into T equal segments of L = (last - first) / T frames;
segment k contributes frame floor(first + (k + u) * L), with u = 0.5 (centre of the segment, the
default), (v + 0.5) / V for temporal view v of V (multi-view evaluation), or uniform in [0, 1) with
jitter (training). A window shorter than T frames repeats frames.
"""

from __future__ import annotations

import math

import numpy as np

from alt.video.decode import VideoError


def sample_positions(total: int, num_frames: int, *, views: int = 1, view: int = 0, jitter: bool = False,
                     rng: np.random.Generator | None = None, first: int = 0, last: int | None = None) -> np.ndarray:
    """Continuous sample positions, in frames, of T segments of [first, last): float64 [T], increasing."""
    last = total if last is None else last
    if num_frames < 1 or not 0 <= first < last <= total:
        raise ValueError(f"bad sampling request: num_frames={num_frames}, window=[{first}, {last}) of {total}")
    if not 0 <= view < views:
        raise ValueError(f"view={view} must be in [0, views={views})")
    k = np.arange(num_frames, dtype=np.float64)
    if jitter:
        rng = rng if rng is not None else np.random.default_rng()
        u = (view + rng.random(num_frames)) / views
    else:
        u = np.full(num_frames, (view + 0.5) / views)
    return first + (k + u) * ((last - first) / num_frames)


def sample_indices(total: int, num_frames: int, *, views: int = 1, view: int = 0, jitter: bool = False,
                   rng: np.random.Generator | int | None = None, first: int = 0,
                   last: int | None = None) -> np.ndarray:
    """Frame indices of one temporal view (segment-based sampling, see the module docstring).

    Args:
        total: frames in the source.
        num_frames: T, frames to sample.
        views: V temporal views; view v samples at offset (v + 0.5) / V inside each segment.
        view: which view, 0 <= view < views.
        jitter: sample uniformly inside each segment (training) instead of at the fixed offset.
        rng: numpy Generator or seed for jitter.
        first, last: sample from frames [first, last) only (default: all).

    Returns:
        int64 [T], non-decreasing; repeats when the window has fewer than T frames.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    pos = sample_positions(total, num_frames, views=views, view=view, jitter=jitter, rng=rng,
                           first=first, last=last)
    last = total if last is None else last
    return np.clip(np.floor(pos + 1e-9), first, last - 1).astype(np.int64)


def timestamps_for(indices: np.ndarray, pts: dict[int, float], fps: float) -> np.ndarray:
    """Strictly increasing times [T] for `indices` [T]: decoder times, repeats spread over display time."""
    uniq = np.unique(indices)
    t0 = np.array([pts.get(int(i), math.nan) for i in uniq], dtype=np.float64)
    if not (np.all(np.isfinite(t0)) and np.all(np.diff(t0) > 0)):
        t0 = uniq / fps  # decoder times missing or not increasing: use the nominal ones
    dur = np.append(np.diff(t0), 1.0 / fps)  # display time of each unique frame
    out = np.empty(len(indices), dtype=np.float64)
    for j, i in enumerate(uniq):
        where = np.flatnonzero(indices == i)
        out[where] = t0[j] + dur[j] * np.arange(len(where)) / len(where)
    return out


def plan_views(p, total: int, fps: float, num_frames: int, views: int, view_ids: list[int], jitter: bool,
          rng: np.random.Generator, start: float | None, end: float | None) -> list[tuple[np.ndarray, tuple]]:
    """Indices [T] and the (start, end) window in seconds for each requested view.

    Raises:
        VideoError: the window is empty or outside the video.
    """
    duration = total / fps
    t0 = 0.0 if start is None else float(start)
    t1 = duration if end is None else min(float(end), duration)
    if not (0 <= t0 < duration and t1 > t0):
        raise VideoError(f"{p}: window start={start}, end={end} is empty or outside the video "
                         f"(duration {duration:.3f} s)")
    first = min(total - 1, int(math.floor(t0 * fps + 1e-6)))
    last = max(first + 1, min(total, int(math.ceil(t1 * fps - 1e-6))))
    return [(sample_indices(total, num_frames, views=views, view=v, jitter=jitter, rng=rng, first=first,
                            last=last), (t0, t1)) for v in view_ids]


def nearest(sorted_values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Position in `sorted_values` [K] of the value nearest to each query [T] (ties go left): int64 [T]."""
    right = np.clip(np.searchsorted(sorted_values, queries), 0, len(sorted_values) - 1)
    left = np.clip(right - 1, 0, len(sorted_values) - 1)
    take_left = np.abs(sorted_values[left] - queries) <= np.abs(sorted_values[right] - queries)
    return np.where(take_left, left, right).astype(np.int64)

