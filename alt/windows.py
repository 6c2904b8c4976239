"""Explain a long video as a sequence of time windows: a Timeline of predictions and entities.

    from alt.windows import explain_windows
    tl = explain_windows(model, "match.mp4", ["dribbling", "shooting"], window_s=5)   # alt.timeline.Timeline
    tl.to_json(); visualizers.timeline_figure(tl)

How the cost stays that of short clips:
- the file is opened and probed once; each window's frames are sampled exactly as `load_video(path, T,
  start=, end=)` samples them, with a seek per window (alt/video/stream.py), so the decoding cost of a
  window does not depend on where it is in the video;
- windows are explained in chunks: one batched encoder pass over the chunk's B*T frames, then
  alignment, adapter and head per window (exactly the code `explain` runs, so each window's result is
  the result of explaining that window alone);
- only the chunk being explained holds frames; each window then keeps its compact WindowResult.
Progress is reported per window; the run stops early (keeping the windows done) when `cancel` is set or
`on_window` returns False.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from alt.errors import InputError
from alt.explain import TOP_K, _checked_arguments, _collect, _entities
from alt.model.precision import autocast
from alt.model.preprocess import preprocess
from alt.timeline import Timeline, WindowResult
from alt.video.stream import WindowReader, plan_windows

if TYPE_CHECKING:
    from alt.explanation import Explanation
    from alt.model.alt_model import ALTModel
    from alt.model.encoder import FrameTokens

logger = logging.getLogger(__name__)

MIN_WINDOW_S = 0.1
OnWindow = Callable[[WindowResult, int, int], "bool | None"]  # (result, done, planned) -> False stops


def parse_duration(text: str | float) -> float:
    """Seconds from '5', '5s', '2.5s', '1m', '1m30s' or '1h' (a number is taken as seconds).

    Raises:
        InputError: not a positive duration.
    """
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = re.fullmatch(r"\s*(?:(\d+(?:\.\d*)?)h)?\s*(?:(\d+(?:\.\d*)?)m)?\s*(?:(\d+(?:\.\d*)?)s?)?\s*", str(text))
        if not m or not any(m.groups()):
            raise InputError(f"window length {text!r} is not a duration; write e.g. 5s, 2.5s, 1m or 1m30s")
        h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        value = 3600 * h + 60 * mi + s
    if not (math.isfinite(value) and value >= MIN_WINDOW_S):
        raise InputError(f"window length must be at least {MIN_WINDOW_S} s, got {text!r}")
    return value


def slice_tokens(tokens: FrameTokens, a: int, b: int) -> FrameTokens:
    """Frames a..b-1 of a batched encoder output (every per-frame field; layer maps along their dim 1)."""
    parts = {}
    for f in dataclasses.fields(tokens):
        value = getattr(tokens, f.name)
        if isinstance(value, torch.Tensor):
            value = value[:, a:b] if f.name == "layer_region_ids" else value[a:b]
        parts[f.name] = value
    return type(tokens)(**parts)


def explain_windows(
    model: ALTModel,
    path: str | Path,
    class_names: str | Sequence[str],
    *,
    progress: Callable[[float, str], None] | None = None,
    on_window: OnWindow | None = None,
    cancel: threading.Event | None = None,
    **options,
) -> Timeline:
    """Explain every `window_s`-second window of a video (T frames each) and return the Timeline.

    Args:
        model: a loaded ALTModel (not modified).
        path: the video file.
        class_names: zero-shot classes, a list or one comma/newline-separated string.
        progress: called with (fraction, stage) after each window.
        on_window: called with (window result, windows done, windows planned); returning False stops.
        cancel: a threading.Event; once set, the run stops before the next chunk of windows.
        **options: window_s, stride_s, num_frames, r, extra_entities, templates, batch_windows,
            top_entities, max_side, max_duration_s, timeout_s: see `iter_windows`.
    Returns:
        the Timeline (`complete` is False when stopped early).
    Raises:
        InputError, VideoError: see `iter_windows`.
    """
    say = progress or (lambda f, s: None)
    tl = None
    runs = iter_windows(model, path, class_names, **options)
    try:
        for tl in runs:
            for res in tl.windows[len(tl.windows) - int(tl.timings["chunk_windows"]):]:  # this chunk's windows
                done = res.index + 1
                say(done / tl.num_planned, f"window {done} of {tl.num_planned}")
                if on_window is not None and on_window(res, done, tl.num_planned) is False:
                    del tl.windows[done:]
                    return tl
            if cancel is not None and cancel.is_set():
                return tl
    finally:
        runs.close()  # closes the video
        if tl is not None and not tl.complete:
            logger.info("%s: stopped after %d of %d windows", path, len(tl.windows), tl.num_planned)
    return tl


@torch.inference_mode()
def iter_windows(
    model: ALTModel,
    path: str | Path,
    class_names: str | Sequence[str],
    *,
    window_s: float | str = 5.0,
    stride_s: float | str | None = None,
    num_frames: int = 8,
    r: int | None = None,
    extra_entities: str | Sequence[str] | None = None,
    templates: Sequence[str] | None = None,
    batch_windows: int | None = None,
    top_entities: int = 5,
    max_side: int | None = 1024,
    max_duration_s: float = 3600 * 3,
    timeout_s: float = 60.0,
) -> Iterator[Timeline]:
    """Explain a video window by window, yielding the growing Timeline after each chunk of windows.

    Closing the generator (or stopping to iterate) stops the run and closes the video; the Timeline already
    yielded keeps the windows done. `timings["chunk_windows"]` is the number of windows the last chunk added.

    Args:
        model: a loaded ALTModel (not modified).
        path: the video file.
        class_names: zero-shot classes, a list or one comma/newline-separated string.
        window_s: window length: seconds, or text such as '5s' or '1m'.
        stride_s: step between window starts (default: window_s, windows back to back).
        num_frames: T, frames sampled per window (as `explain`'s num_frames).
        r, extra_entities, templates: as in `explain`.
        batch_windows: windows per batched encoder pass (default 4 on a CPU, 16 on a GPU); memory grows
            with it, not with the video's length.
        top_entities: entities kept per window.
        max_side, max_duration_s, timeout_s: decoding limits, as in `load_video` (timeout per window).
    Yields:
        the same Timeline object, with the windows done so far.
    Raises:
        InputError: bad class names, r, frame count, window length or extra entities.
        VideoError: the video cannot be read, has no stated length, or is longer than max_duration_s.
    """
    start_all = time.perf_counter()
    names, extra, r, _, tpls = _checked_arguments(model, class_names, r, num_frames, extra_entities, templates)
    win = parse_duration(window_s)
    stride = win if stride_s is None else parse_duration(stride_s)
    chunk = _chunk_size(batch_windows, model.device)
    corpus, class_emb, entity_emb = _embeddings(model, names, tpls, extra)
    timings = dict.fromkeys(("decode", "preprocess", "encoder", "adapter", "collect"), 0.0)
    with WindowReader(path, max_side=max_side, max_duration_s=max_duration_s, timeout_s=timeout_s) as video:
        spans = plan_windows(video.duration, win, stride)
        tl = Timeline(path=str(path), class_names=names, window_s=win, stride_s=stride, num_frames=num_frames, r=r,
                      duration=video.duration, num_planned=len(spans), model_name=model.config.spec or
                      model.config.clip_name, adapter_trained=bool(model.config.adapter_trained),
                      extra_entities=extra, templates=list(templates) if templates else [], timings=timings)
        logger.info("%s: %.1f s, %d windows of %g s, %d frames each, %d windows per encoder pass",
                    path, video.duration, len(spans), win, num_frames, chunk)
        for c0 in range(0, len(spans), chunk):
            done = _explain_chunk(model, video, spans, c0, min(len(spans), c0 + chunk), num_frames, r, names,
                                  corpus, class_emb, entity_emb, top_entities, timings)
            _add_chunk(tl, done, start_all)
            yield tl


def _chunk_size(batch_windows: int | None, device: torch.device) -> int:
    """Windows per batched encoder pass: `batch_windows`, or 16 on a GPU and 4 on a CPU.

    Raises:
        InputError: batch_windows below 1.
    """
    chunk = int(batch_windows or (16 if device.type == "cuda" else 4))
    if chunk < 1:
        raise InputError(f"batch_windows must be at least 1, got {batch_windows}")
    return chunk


def _embeddings(model: ALTModel, names: list[str], templates: list[str], extra: list[str]):
    """The corpus with the call's extra entities, class embeddings [A, D] and entity embeddings [E, D] on the
    model's device."""
    corpus, entity_emb = _entities(model, extra)
    class_emb = model.text.classes(names, templates)
    return corpus, class_emb.to(model.device), entity_emb.to(model.device)


def _add_chunk(tl: Timeline, done: list[WindowResult], start: float) -> None:
    """Append a chunk's windows to the Timeline and update its running timings (`start`: perf_counter at
    the run's start)."""
    tl.windows.extend(done)
    tl.timings["total"] = time.perf_counter() - start
    tl.timings["per_window"] = tl.timings["total"] / len(tl.windows)
    tl.timings["chunk_windows"] = len(done)


def _explain_chunk(model: ALTModel, video: WindowReader, spans: list[tuple[float, float]], a: int, b: int,
                   num_frames: int, r: int, names: list[str], corpus, class_emb: torch.Tensor,
                   entity_emb: torch.Tensor, top_entities: int, timings: dict[str, float]) -> list[WindowResult]:
    """Windows a..b-1: decode, one encoder pass over their B*T frames, then per window what `explain` does."""
    tick = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        timings[name] += now - tick
        tick = now

    clips = [video.clip(s, e, num_frames) for s, e in spans[a:b]]
    lap("decode")
    prepared = [preprocess(model.transform, c.frames) for c in clips]  # ([T, S, S, 3] uint8, [T, 3, S, S])
    x = torch.cat([p[1] for p in prepared])  # [B*T, 3, S, S]
    lap("preprocess")
    device = model.device
    with autocast(device):
        tokens = model.encode_frames(x.to(device, model.dtype), r, False)  # FrameTokens over [B*T, ...]
        lap("encoder")
        outs = []
        for k, clip in enumerate(clips):
            t0, t = k * num_frames, clip.num_frames
            outs.append(model.forward_tokens(slice_tokens(tokens, t0, t0 + t), 1, class_emb, entity_emb,
                                             stochastic=False, top_k=TOP_K))
    lap("adapter")
    results = []
    for k, (clip, out) in enumerate(zip(clips, outs)):
        exp = _collect(model, out, clip, prepared[k][0], names, corpus, r)
        s, e = spans[a + k]
        results.append(WindowResult.from_explanation(exp, a + k, s, e, top_entities, frame_indices=clip.indices))
    lap("collect")
    return results


def explain_window(model: ALTModel, timeline: Timeline, index: int, *, record_layers: bool = True,
                   max_side: int | None = 1024, timeout_s: float = 60.0,
                   progress: Callable[[float, str], None] | None = None) -> Explanation:
    """The full Explanation of one window of a timeline: its frames decoded again (the same ones, with a seek),
    explained alone with the timeline's settings. Its probabilities and entities are the window's entry.

    Raises:
        InputError: no such window.
        VideoError: the video cannot be read any more.
    """
    from alt.video.load import load_video

    if not 0 <= index < len(timeline.windows):
        raise InputError(f"window {index} does not exist: the timeline has windows 0..{len(timeline.windows) - 1}")
    w = timeline.windows[index]
    clip = load_video(timeline.path, timeline.num_frames, start=w.start, end=w.end, seek=True, max_side=max_side,
                      timeout_s=timeout_s)
    return model.explain(clip, timeline.class_names, r=timeline.r, num_frames=timeline.num_frames,
                         extra_entities=timeline.extra_entities or None, templates=timeline.templates or None,
                         record_layers=record_layers, progress=progress)
