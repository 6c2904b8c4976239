"""Timeline: the result of explaining a long video as a sequence of time windows (numpy, no torch).

    tl = alt.windows.explain_windows(model, "match.mp4", classes, window_s=5)
    tl.windows[k].top_class(), tl.windows[k].probs, tl.windows[k].entities
    tl.probs()        # ALT probabilities, float32 [W, A]
    tl.to_json()      # everything, for files and the app; Timeline.from_dict(json.loads(text)) reads it back

Each window keeps what a timeline shows (ALT and baseline probabilities, the top entities by share of
the window's patches, the sampled frames' times and indices), not its full Explanation: a window's full
explanation is one `explain(load_video(path, T, start=w.start, end=w.end))` away, and it equals the
window's entry here (tests/integration/test_windows.py checks it).

Letters: W windows, A classes, T frames per window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from alt.explanation import BASELINE_NAME

if TYPE_CHECKING:
    from alt.explanation import Explanation


@dataclass
class WindowResult:
    """One window of a Timeline.

    Attributes:
        index: position of the window in the timeline, 0..W-1.
        start, end: the window's span of the video, seconds.
        probs: ALT's class probabilities. float32 [A]
        baseline_probs: the CLIP frame-mean baseline over the same encoder pass (BASELINE_NAME). float32 [A]
        entities: the window's top entities, best first: dicts with name, patch_share (share of the
            window's patches aligned to it) and attention_share (share of the adapter's attention on them).
        frame_times: time of each sampled frame, seconds. [T]
        frame_indices: frame index of each sampled frame in the source. [T]
    """

    index: int
    start: float
    end: float
    probs: np.ndarray
    baseline_probs: np.ndarray
    entities: list[dict[str, Any]]
    frame_times: list[float]
    frame_indices: list[int]

    def top_class(self, class_names: list[str], baseline: bool = False) -> tuple[str, float]:
        """(name, probability) of the most probable class (ALT's, or the baseline's)."""
        p = self.baseline_probs if baseline else self.probs
        k = int(np.argmax(p))
        return class_names[k], float(p[k])

    @classmethod
    def from_explanation(cls, exp: Explanation, index: int, start: float, end: float, top_entities: int = 5,
                         frame_indices: Any = None) -> WindowResult:
        """The timeline entry of one window's Explanation (what a single-window explain gives)."""
        ranked = exp.entity_ranking(top_entities)
        return cls(index=int(index), start=float(start), end=float(end),
                   probs=np.asarray(exp.probs, np.float32).copy(),
                   baseline_probs=np.asarray(exp.baseline_probs, np.float32).copy(),
                   entities=[{"name": e.name, "patch_share": round(e.patch_share, 6),
                              "attention_share": round(e.attention_share, 6)} for e in ranked],
                   frame_times=[float(t) for t in exp.timestamps],
                   frame_indices=[int(i) for i in (frame_indices if frame_indices is not None else [])])

    def to_dict(self, class_names: list[str]) -> dict[str, Any]:
        top, p = self.top_class(class_names)
        base_top, base_p = self.top_class(class_names, baseline=True)
        return {
            "index": self.index, "start": self.start, "end": self.end,
            "top_class": top, "top_prob": p, "baseline_top_class": base_top, "baseline_top_prob": base_p,
            "probs": {n: float(v) for n, v in zip(class_names, self.probs)},
            "baseline_probs": {n: float(v) for n, v in zip(class_names, self.baseline_probs)},
            "entities": self.entities, "frame_times": self.frame_times, "frame_indices": self.frame_indices,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], class_names: list[str]) -> WindowResult:
        return cls(index=int(d["index"]), start=float(d["start"]), end=float(d["end"]),
                   probs=np.array([d["probs"][n] for n in class_names], np.float32),
                   baseline_probs=np.array([d["baseline_probs"][n] for n in class_names], np.float32),
                   entities=list(d["entities"]), frame_times=list(d["frame_times"]),
                   frame_indices=list(d.get("frame_indices", [])))


@dataclass
class Timeline:
    """A video explained window by window.

    Attributes:
        path: the video file.
        class_names: the zero-shot classes, in the order of every window's probs. [A]
        window_s, stride_s: window length and the step between window starts, seconds.
        num_frames: T, frames sampled per window.
        r: tokens merged per layer.
        duration: the video's length, seconds.
        windows: the windows explained, in order. [W]
        num_planned: windows the video was cut into (W < num_planned when the run was cancelled).
        model_name: the model spec.
        extra_entities, templates: the call's extra entities and prompt templates ([]: none, the model's).
        adapter_trained: False when probs equal baseline_probs (untrained adapter).
        timings: seconds: decode, preprocess, encoder, adapter (alignment, adapter, head), collect, total,
            and per_window = total / W.
    """

    path: str
    class_names: list[str]
    window_s: float
    stride_s: float
    num_frames: int
    r: int
    duration: float
    windows: list[WindowResult] = field(default_factory=list)
    num_planned: int = 0
    model_name: str = ""
    extra_entities: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    adapter_trained: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every planned window was explained (False after a cancel)."""
        return len(self.windows) == self.num_planned

    def probs(self, baseline: bool = False) -> np.ndarray:
        """Class probabilities of every window, ALT's or the baseline's. float32 [W, A]"""
        rows = [w.baseline_probs if baseline else w.probs for w in self.windows]
        return np.stack(rows) if rows else np.zeros((0, len(self.class_names)), np.float32)

    def window_at(self, seconds: float) -> int:
        """Index of the window holding time `seconds` (the last one that starts at or before it)."""
        starts = np.array([w.start for w in self.windows])
        if starts.size == 0:
            raise IndexError("the timeline has no windows")
        return int(max(0, np.searchsorted(starts, float(seconds), side="right") - 1))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the timeline figure is drawn from this too)."""
        return {
            "kind": "alt-timeline", "path": self.path, "model": self.model_name, "class_names": self.class_names,
            "window_s": self.window_s, "stride_s": self.stride_s, "num_frames": self.num_frames, "r": self.r,
            "duration": self.duration, "num_planned": self.num_planned, "complete": self.complete,
            "extra_entities": self.extra_entities, "templates": self.templates,
            "adapter_trained": self.adapter_trained, "baseline": BASELINE_NAME,
            "windows": [w.to_dict(self.class_names) for w in self.windows], "timings": self.timings,
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Timeline:
        names = list(d["class_names"])
        return cls(path=d["path"], class_names=names, window_s=float(d["window_s"]), stride_s=float(d["stride_s"]),
                   num_frames=int(d["num_frames"]), r=int(d["r"]), duration=float(d["duration"]),
                   windows=[WindowResult.from_dict(w, names) for w in d["windows"]],
                   num_planned=int(d.get("num_planned", len(d["windows"]))), model_name=d.get("model", ""),
                   extra_entities=list(d.get("extra_entities", [])), templates=list(d.get("templates", [])),
                   adapter_trained=bool(d.get("adapter_trained", False)), timings=dict(d.get("timings", {})))
