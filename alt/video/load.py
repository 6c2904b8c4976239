"""`load_video`: how every clip enters ALT (app, CLI, training, evaluation).

    clip = load_video("clip.mp4", num_frames=8)               # centre frame of 8 equal segments
    clip = load_video(p, 8, jitter=True, seed=rng)            # training: random frame in each segment
    clips = load_video_views(p, 8, views=3)                   # multi-view evaluation, one decode
    clip = load_video(p, 8, start=12.0, end=20.0)             # a time window of a long video
    clip.frames  # uint8 [T, H, W, 3] RGB;  clip.timestamps  # float64 [T] s, strictly increasing

Sampling happens on frame indices: the window [first, last) is cut into T equal segments and
segment k contributes frame floor(first + (k + u) * L), L = (last - first) / T, with u = 0.5 (centre),
(v + 0.5) / V for view v of V, or uniform in [0, 1) with jitter. Videos shorter than T frames repeat
frames (`repeated`, `num_unique`); repeats get timestamps spread over the frame's display time.
Decoding (seek or sequential read, both checked) lives in `alt.video.decode`. cv2 + numpy only.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alt.video import decode as vd
from alt.video.decode import VideoError
from alt.video.salvage import salvage
from alt.video.salvage import with_capture as _with_capture
from alt.video.sampling import nearest, plan_views, sample_indices, timestamps_for

log = logging.getLogger(__name__)

__all__ = ["VideoClip", "VideoError", "clip_from_frames", "load_video", "load_video_views", "sample_indices"]

MAX_PIXELS = 8192 * 8192  # default cap on width * height of the source (8K is 7680 x 4320)


@dataclass
class VideoClip:
    """T sampled frames of one video, with where they came from.

    Attributes:
        frames: uint8 [T, H, W, 3] RGB, upright (rotation metadata applied), longest side <= max_side.
        timestamps: float64 [T] seconds from the start, strictly increasing.
        indices: int64 [T] frame index in the source of each frame (repeats when the source is short).
        fps: average frame rate of the source (a nominal 1.0 for a still image).
        duration: source duration in seconds (num_frames_total / fps).
        source_size: (width, height) of the source after rotation, before any downscaling.
        num_frames_total: frames in the source (decodable frames when the container's count was wrong).
        repeated: True when some source frame appears more than once.
        num_unique: number of distinct source frames in the clip.
        path: the file ("<memory>" for `clip_from_frames`).
        rotation: display rotation from the metadata, degrees (already applied to `frames`).
        view: which temporal view this is, and of how many: (view, views).
        window: (start, end) seconds of the source that was sampled.
        decode_mode: "seek", "sequential", "image" or "memory".
        num_missing: sampled frames that failed to decode and were replaced by a neighbour.
        codec: fourcc reported by the container ("" when unknown).
        decode_s: wall time of the `load_video`/`load_video_views` call that decoded this clip, seconds.
    """

    frames: np.ndarray  # [T, H, W, 3] uint8 RGB
    timestamps: np.ndarray  # [T] float64 s
    indices: np.ndarray  # [T] int64
    fps: float
    duration: float
    source_size: tuple[int, int]
    num_frames_total: int
    repeated: bool
    num_unique: int
    path: str
    rotation: int = 0
    view: tuple[int, int] = (0, 1)
    window: tuple[float, float] = (0.0, 0.0)
    decode_mode: str = "seek"
    num_missing: int = 0
    codec: str = ""
    decode_s: float = 0.0

    @property
    def num_frames(self) -> int:
        """T, the number of frames in the clip."""
        return int(self.frames.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of `frames`."""
        return int(self.frames.shape[2]), int(self.frames.shape[1])


def _make_clip(frames: list[np.ndarray], indices: np.ndarray, pts: dict[int, float], **meta) -> VideoClip:
    h, w = frames[0].shape[:2]
    arr = np.empty((len(frames), h, w, 3), np.uint8)  # [T, H, W, 3]
    for t, f in enumerate(frames):  # a mid-stream resolution change is resized to the first frame's size
        arr[t] = f if f.shape[:2] == (h, w) else vd.cv2.resize(f, (w, h), interpolation=vd.cv2.INTER_AREA)
    n_unique = len(np.unique(indices))
    return VideoClip(frames=arr, timestamps=timestamps_for(indices, pts, meta["fps"]), indices=indices,
                     repeated=n_unique < len(indices), num_unique=n_unique, **meta)


def clip_from_frames(frames: np.ndarray, fps: float = 25.0, *, path: str = "<memory>") -> VideoClip:
    """Wrap in-memory frames as a VideoClip (every frame kept, in order).

    Args:
        frames: uint8 [T, H, W, 3] RGB, or [T, H, W] / [T, H, W, 1] gray, or [T, H, W, 4] RGBA.
        fps: frame rate used for timestamps and duration.
        path: a name for messages.

    Raises:
        VideoError: wrong dtype, rank or an empty array.
    """
    frames = np.asarray(frames)
    if frames.dtype != np.uint8:
        raise VideoError(f"{path}: frames must be uint8, got {frames.dtype}")
    if frames.ndim == 3:
        frames = frames[..., None]
    if frames.ndim != 4 or frames.shape[-1] not in (1, 3, 4) or min(frames.shape[:3]) < 1:
        raise VideoError(f"{path}: frames must be [T, H, W, 3] with T, H, W >= 1, got {frames.shape}")
    if not (math.isfinite(fps) and fps > 0):
        raise VideoError(f"{path}: fps must be positive, got {fps}")
    frames = frames[..., :3] if frames.shape[-1] != 1 else np.repeat(frames, 3, axis=-1)  # [T, H, W, 3]
    t = frames.shape[0]
    return VideoClip(frames=np.ascontiguousarray(frames), timestamps=np.arange(t) / fps,
                     indices=np.arange(t, dtype=np.int64), fps=float(fps), duration=t / fps,
                     source_size=(frames.shape[2], frames.shape[1]), num_frames_total=t, repeated=False,
                     num_unique=t, path=path, window=(0.0, t / fps), decode_mode="memory")


def load_video(path: str | Path, num_frames: int = 8, *, views: int = 1, view: int = 0, jitter: bool = False,
               seed: int | np.random.Generator | None = None, start: float | None = None,
               end: float | None = None, max_side: int | None = 1024, max_duration_s: float = 3600 * 3,
               max_pixels: int = MAX_PIXELS, timeout_s: float = 60.0, min_decodable: float = 0.5,
               seek: bool | None = None, isolate: bool = False) -> VideoClip:
    """Decode `num_frames` frames of a video (or a still image) as a VideoClip.

    Args:
        path: video file (mp4, avi, webm, mov, mkv, gif, ...) or still image.
        num_frames: T, frames to sample.
        views, view: temporal view `view` of `views` (see `sample_indices`).
        jitter: random frame inside each segment (training).
        seed: seed or numpy Generator for jitter.
        start, end: sample only from this window, in seconds.
        max_side: downscale frames so that the longest side is at most this (None: never).
        max_duration_s: refuse sources longer than this.
        max_pixels: refuse sources with more than this many pixels per frame.
        timeout_s: wall-clock budget for the whole load.
        min_decodable: when the container's frame count proves wrong (damage, truncation), refuse the
            file unless at least this fraction of the claimed frames decodes.
        seek: force seeking (True) or a sequential read (False); None chooses by video length.
        isolate: decode in a child process that is killed after timeout_s, so that a decoder crash or
            hang cannot take this process down (for untrusted uploads; costs ~1 s of process start).

    Returns:
        VideoClip with T frames.

    Raises:
        VideoError: missing path, directory, empty or non-video file, no decodable frame, too large,
            too long, too damaged, or timeout. The message names the file.
    """
    return load_video_views(path, num_frames, views, view_ids=[view], jitter=jitter, seed=seed, start=start,
                            end=end, max_side=max_side, max_duration_s=max_duration_s, max_pixels=max_pixels,
                            timeout_s=timeout_s, min_decodable=min_decodable, seek=seek, isolate=isolate)[0]


def frame_count(path: str | Path, timeout_s: float = 60.0) -> int:
    """Frames the container says the video has (0 when it does not say; 1 for a still image).

    Raises:
        VideoError: the path is not a readable video or image.
    """
    p = vd.check_path(path)
    if p.suffix.lower() in vd.IMAGE_EXTS:
        return 1
    cap = vd.open_capture(p, timeout_s)
    if cap is None:
        raise VideoError(vd.describe_unreadable(p))
    try:
        return vd.probe(cap).num_frames
    finally:
        cap.release()


def load_video_views(path: str | Path, num_frames: int = 8, views: int = 3, *,
                     view_ids: list[int] | None = None, isolate: bool = False, **kwargs) -> list[VideoClip]:
    """V temporal views of one video for multi-view evaluation, decoded in one pass.

    Args:
        path, num_frames: as in `load_video`.
        views: V; view v samples at offset (v + 0.5) / V inside each of the T segments.
        view_ids: only these views (default: all V).
        isolate: as in `load_video`.
        **kwargs: any other keyword of `load_video` (jitter, seed, start, end, max_side, ...).

    Returns:
        list of V (or len(view_ids)) VideoClips.
    """
    args = dict(path=path, num_frames=num_frames, views=views,
                view_ids=list(range(views)) if view_ids is None else list(view_ids), **kwargs)
    start_s = time.perf_counter()
    clips = _run_isolated(args) if isolate else _load(**args)
    for clip in clips:
        clip.decode_s = time.perf_counter() - start_s
    return clips


def _load(path: str | Path, num_frames: int, views: int, view_ids: list[int], *, jitter: bool = False,
          seed=None, start: float | None = None, end: float | None = None, max_side: int | None = 1024,
          max_duration_s: float = 3600 * 3, max_pixels: int = MAX_PIXELS, timeout_s: float = 60.0,
          min_decodable: float = 0.5, seek: bool | None = None) -> list[VideoClip]:
    if num_frames < 1 or views < 1 or any(not 0 <= v < views for v in view_ids):
        raise ValueError(f"need num_frames >= 1 and 0 <= view < views; got {num_frames}, {view_ids}, {views}")
    p = vd.check_path(path)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    deadline = time.monotonic() + timeout_s
    cap = None if p.suffix.lower() in vd.IMAGE_EXTS else vd.open_capture(p, timeout_s)
    if cap is None:
        return _load_image(p, num_frames, views, view_ids, max_side, max_pixels, start, end)
    try:  # the probing capture also serves the first fetch: opening a long file parses its index
        return _load_open(p, cap, num_frames, views, view_ids, jitter, rng, start, end, max_side,
                          max_duration_s, max_pixels, timeout_s, min_decodable, seek, deadline)
    finally:
        cap.release()


def _load_open(p, cap, num_frames, views, view_ids, jitter, rng, start, end, max_side, max_duration_s,
               max_pixels, timeout_s, min_decodable, seek, deadline) -> list[VideoClip]:
    info = vd.probe(cap)
    meta = dict(path=str(p), fps=info.fps, rotation=info.rotation, codec=info.codec,
                source_size=(info.width, info.height))
    if info.width * info.height > max_pixels:
        raise VideoError(f"{p}: frames of {info.width}x{info.height} exceed max_pixels={max_pixels}")
    max_frames = int(max_duration_s * info.fps) + 1
    if info.num_frames > max_frames:
        raise VideoError(f"{p}: {info.num_frames / info.fps:.0f} s long, more than max_duration_s="
                         f"{max_duration_s:g}")
    total = info.num_frames
    replan = lambda n, fps: plan_views(p, n, fps, num_frames, views, view_ids, jitter, rng, start, end)  # noqa: E731
    if total > 0:
        plans = replan(total, info.fps)
        got, mode = _fetch(p, info, plans, seek, max_side, deadline, timeout_s, cap)
    if total <= 0 or len(got.frames) < len(np.unique(np.concatenate([idx for idx, _ in plans]))):
        # Unknown length, or some sampled frames did not decode (truncated or damaged file, wrong
        # container count): find the frames that do, sample over them, read those sequentially.
        got, plans, total, meta["fps"] = salvage(p, info, total, max_frames, min_decodable, deadline, timeout_s,
                                                 replan, max_side)
        mode = "sequential"
    if not got.frames:
        raise VideoError(f"{p}: no decodable frame ({info.codec or 'unknown codec'}; damaged or unsupported)")
    first = next(iter(got.frames.values()))
    if not (info.width and info.height):
        meta["source_size"] = (first.shape[1], first.shape[0])
    have = np.array(sorted(got.frames))
    clips = []
    for (idx, window), v in zip(plans, view_ids):
        near = have[nearest(have, idx)]  # [T] a frame that did not decode is replaced by its neighbour
        n_missing = int(np.sum(near != idx))
        if n_missing:
            log.warning("%s: %d sampled frames did not decode; using neighbours", p, n_missing)
        clips.append(_make_clip([got.frames[int(i)] for i in near], near, got.pts, duration=total / meta["fps"],
                                num_frames_total=total, view=(v, views), window=window, decode_mode=mode,
                                num_missing=n_missing, **meta))
    return clips


def _fetch(p: Path, info: vd.Probe, plans, seek: bool | None, max_side, deadline, timeout_s, cap=None):
    """Fetch the union of all planned indices; a failed seek check redoes it sequentially."""
    wanted = np.unique(np.concatenate([idx for idx, _ in plans]))  # sorted [K]
    window_len = int(wanted[-1] - wanted[0] + 1)
    use_seek = vd.choose_seek(p, info, window_len, len(wanted)) if seek is None else seek

    def run(s: bool):
        return _with_capture(p, timeout_s, lambda c: vd.fetch_frames(
            c, wanted, seek=s, info=info, max_side=max_side, deadline=deadline, path=p, timeout_s=timeout_s))

    got = run(use_seek) if cap is None else vd.fetch_frames(
        cap, wanted, seek=use_seek, info=info, max_side=max_side, deadline=deadline, path=p, timeout_s=timeout_s)
    if use_seek and got.seek_failed:
        use_seek, got = False, run(False)
    return got, "seek" if use_seek else "sequential"


def _load_image(p: Path, num_frames: int, views: int, view_ids: list[int], max_side, max_pixels, start,
                end) -> list[VideoClip]:
    img = vd.read_image(p, None if max_side is None else max(max_side, 1))
    if img is None:
        raise VideoError(vd.describe_unreadable(p))
    w, h = img.shape[1], img.shape[0]
    if w * h > max_pixels:
        raise VideoError(f"{p}: image of {w}x{h} exceeds max_pixels={max_pixels}")
    plans = plan_views(p, 1, 1.0, num_frames, views, view_ids, False, np.random.default_rng(0), start, end)
    return [_make_clip([img] * num_frames, idx, {0: 0.0}, fps=1.0, duration=1.0, source_size=(w, h),
                       num_frames_total=1, path=str(p), view=(v, views), window=win, decode_mode="image")
            for (idx, win), v in zip(plans, view_ids)]


def _isolated_worker(conn, args: dict) -> None:
    try:
        conn.send(("ok", _load(**args)))
    except Exception as e:  # everything goes back to the parent as a message, never the file's content
        if not (isinstance(e, VideoError) or type(e) is ValueError):  # ValueError: bad arguments
            log.exception("%s: decoding failed", args["path"])
            e = VideoError(f"{args['path']}: could not be decoded ({type(e).__name__})")
        conn.send(("error", e))
    finally:
        conn.close()


def _run_isolated(args: dict) -> list[VideoClip]:
    """Run `_load` in a spawned child; kill it after timeout_s (+ start-up) and report crashes."""
    path, timeout_s = args["path"], float(args.get("timeout_s", 60.0))
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_isolated_worker, args=(send, args), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(timeout_s + 30.0):  # + 30 s for the child's Python start-up on a busy machine
            raise VideoError(f"{path}: decoding took longer than timeout_s={timeout_s:g} s; stopped")
        status, payload = recv.recv()
    except EOFError:
        proc.join(5)
        raise VideoError(f"{path}: the decoder process died (exit code {proc.exitcode}); "
                         "the file is probably damaged") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        recv.close()
    if status == "error":
        raise payload
    return payload
