"""The app's whole-video mode: a long video explained window by window (alt/windows.py) as a timeline.

"Explain the whole video" cuts the clip in the player into windows of the chosen length and explains
them in chunks, updating the timeline figure and the table of windows after every chunk (progress bar;
"Stop" ends the run after the chunk it is explaining and keeps the windows done). Clicking a row of the
table opens that window's full explanation in every other tab: its frames are decoded again and explained alone,
which gives exactly the window's row (alt/windows.py `explain_window`). The timeline lives in the user's
`gr.State` as its JSON dict; the model is never modified.

`WholeVideoHandlers` is mixed into `ui.handlers.Handlers` (it uses its `model`, `ui`, limits and `show`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

if TYPE_CHECKING:
    from ui.layout import Layout

logger = logging.getLogger(__name__)

TABLE_HEADERS = ["window", "time (s)", "ALT", "CLIP frame-mean", "top entities"]
# runs in the browser before the handler: bring the "Whole video" tab forward (its content is rendered only
# while it is open), and pass the inputs on unchanged
JS_SHOW_TAB = """(...args) => { const tab = [...document.querySelectorAll('button[role=tab]')]
    .find(b => b.innerText.trim() === 'Whole video'); if (tab) tab.click(); return args; }"""
MAX_WINDOW_S = 60


def _refusal(message: str) -> gr.Error:
    """An ordinary bad request: shown to the user, logged as one line (as ui.handlers.refusal)."""
    logger.info("request refused: %s", message)
    return gr.Error(message, print_exception=False)


def _user_message(exc: Exception, path: str) -> str:
    """The error text without the server's folders."""
    return str(exc).replace(str(Path(path).parent) + "/", "")


def whole_video_inputs() -> dict[str, Any]:
    """The left column's controls: window length, start and stop (call inside the inputs column)."""
    c: dict[str, Any] = {}
    with gr.Accordion("Whole video: a timeline of windows (long videos)", open=False):
        c["window_s"] = gr.Slider(1, MAX_WINDOW_S, value=5, step=1, label="Window length (s)",
                                  elem_id="alt-window-s")
        with gr.Row():
            c["run"] = gr.Button("Explain the whole video", elem_id="alt-run-whole")
            c["stop"] = gr.Button("Stop", variant="stop", elem_id="alt-stop-whole")
    return c


def whole_video_tab() -> dict[str, Any]:
    """The "Whole video" tab: the timeline figure and the table of windows (call inside `gr.Tabs()`)."""
    c: dict[str, Any] = {"state": gr.State(None)}
    with gr.Tab("Whole video", id="whole"):
        c["note"] = gr.Markdown("Explain the whole video (left, under *Whole video*) to see a timeline here; "
                                "click a window in the table to open its full explanation in the other tabs.",
                                elem_id="alt-whole-note")
        c["plot"] = gr.Plot(label="Top class per window, and class probabilities over time (ALT solid, "
                                  "CLIP frame-mean baseline dotted)", elem_id="alt-timeline-plot")
        c["table"] = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="alt-windows")
    return c


def table_rows(data: dict[str, Any]) -> list[list[Any]]:
    """One row per window of a Timeline dict."""
    return [[w["index"], f"{w['start']:.1f}-{w['end']:.1f}", f"{w['top_class']} ({w['top_prob']:.2f})",
             f"{w['baseline_top_class']} ({w['baseline_top_prob']:.2f})",
             ", ".join(e["name"] for e in w["entities"][:3])] for w in data["windows"]]


def _note(data: dict[str, Any], running: bool) -> str:
    done, planned = len(data["windows"]), data["num_planned"]
    state = "running" if running else ("done" if done == planned else "stopped")
    took = data.get("timings", {}).get("total", 0.0)
    return (f"**{done} of {planned} windows** of {data['window_s']:g} s ({data['num_frames']} frames each, "
            f"r={data['r']}) of a {data['duration']:.1f}-s video, {state} after {took:.1f} s. Click a row to open "
            "that window's full explanation in the other tabs.")


class WholeVideoHandlers:
    """Callbacks of the whole-video mode (a mixin of ui.handlers.Handlers)."""

    model: Any
    ui: Layout
    max_duration_s: float
    decode_timeout_s: float
    max_upload_bytes: float | None

    def _stop_events(self) -> dict[str, threading.Event]:
        """session hash -> the Stop flag of that session's running whole-video run."""
        return self.__dict__.setdefault("_whole_stops", {})

    def stop_whole(self, request: gr.Request) -> None:
        """Stop: this session's run ends after the chunk of windows it is explaining, keeping the windows done
        (a flag the run reads between chunks, so the run ends normally and its last state is shown)."""
        session = getattr(request, "session_hash", None) or ""
        event = self._stop_events().get(session)
        logger.info("Stop for session %s: %s", session[:8], "a run is stopping" if event else "no run")
        if event is not None:
            event.set()

    def _checked_source(self, video: str | None) -> str:
        from alt.errors import ALTError
        from ui import media

        if not video:
            raise _refusal("No video: upload a clip first")
        try:
            return str(media.allowed_video(video, self.max_upload_bytes))
        except ALTError as exc:
            raise _refusal(str(exc)) from None

    def run_whole(self, video, upload, class_names, extra, num_frames, r, template, window_s,
                  request: gr.Request = None,
                  progress=gr.Progress()) -> Iterator[dict]:  # noqa: B008 - Gradio injects the tracker
        """Explain the clip in the player window by window, yielding the growing timeline after each chunk."""
        from alt.errors import ALTError
        from alt.windows import iter_windows
        from visualizers.timeline import timeline_figure

        ui, w = self.ui, self.ui.whole
        source = self._checked_source(self.source_of(video, upload))
        try:  # the sliders' values; iter_windows checks their ranges (and the class names) like explain does
            frames, seconds = int(float(num_frames)), float(window_s)
            r_val = int(float(r)) if r not in (None, "") else None
        except (TypeError, ValueError):
            raise _refusal(f"bad settings: frames={num_frames!r}, r={r!r}, window length={window_s!r}") from None
        runs, session = None, getattr(request, "session_hash", None) or ""
        stop = self._stop_events()[session] = threading.Event()  # a new run replaces an old flag
        try:
            runs = iter_windows(
                self.model, source, class_names, window_s=seconds, num_frames=frames, r=r_val,
                extra_entities=extra or None,
                templates=[template] if template and template.strip() else None,
                max_duration_s=self.max_duration_s, timeout_s=self.decode_timeout_s)
            for tl in runs:
                data = tl.to_dict()
                progress(len(tl.windows) / tl.num_planned, desc=f"window {len(tl.windows)} of {tl.num_planned}")
                note = _note(data, running=not tl.complete and not stop.is_set())
                yield {w["state"]: data, w["plot"]: timeline_figure(data), w["table"]: table_rows(data),
                       w["note"]: note, ui.status: f"Whole video: {note}"}
                if stop.is_set():
                    logger.info("whole-video run stopped after %d of %d windows", len(tl.windows), tl.num_planned)
                    break
        except ALTError as exc:
            raise _refusal(_user_message(exc, source)) from None
        finally:
            if self._stop_events().get(session) is stop:
                del self._stop_events()[session]
            if runs is not None:
                runs.close()  # also when the run stops early or the client goes: the video is closed at once

    def open_window(self, state: dict | None, top_k, alpha, att_view, evt: gr.SelectData) -> dict:
        """A click on the table of windows: that window's full explanation, shown in every tab."""
        from alt.errors import ALTError
        from alt.timeline import Timeline
        from alt.windows import explain_window

        if not state or not state.get("windows"):
            return {}
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        tl = Timeline.from_dict(state)
        source = self._checked_source(tl.path)
        try:
            exp = explain_window(self.model, tl, int(row), timeout_s=self.decode_timeout_s)
        except ALTError as exc:
            raise _refusal(_user_message(exc, source)) from None
        win = tl.windows[int(row)]
        out = self.show(exp, Path(source).name, top_k, alpha, att_view)
        out[self.ui.status] = f"Window {win.index} ({win.start:.1f}-{win.end:.1f} s): its full explanation is below."
        return out


def wire_whole(ui: Layout, h: Any, model_events: dict[str, Any], private: dict[str, Any]) -> None:
    """Connect the whole-video controls (call from ui/events.py `wire`)."""
    w = ui.whole
    outputs = [w["state"], w["plot"], w["table"], w["note"], ui.status]
    w["run"].click(h.run_whole, [ui.video, ui.upload, ui.classes, ui.extra, ui.frames, ui.r, ui.template,
                                 w["window_s"]], outputs, js=JS_SHOW_TAB, **model_events, **private)
    w["stop"].click(h.stop_whole, None, None, queue=False, **private)  # the run ends after its current chunk
    w["table"].select(h.open_window, [w["state"], ui.top_k, ui.alpha, ui.att_view], ui.run_outputs(),
                      **model_events, **private)
