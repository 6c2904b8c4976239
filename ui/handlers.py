"""Event handlers of the app: thin wrappers that call `alt` for results and `ui.render` for views.

One `Handlers` object holds the single loaded model and the server's limits; every method is safe to
run concurrently (per-user results live in `gr.State`, never on this object). Expected problems
(bad class names, unreadable or over-long videos, bad settings) become `gr.Error` with the message
from `InputError`/`VideoError`, so the UI and API both show it and the server keeps serving.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

import visualizers as V
from ui import media, render

if TYPE_CHECKING:
    from alt.explanation import Explanation
    from alt.model.alt_model import ALTModel
    from ui.layout import Layout

logger = logging.getLogger(__name__)

MIN_FRAMES, MAX_FRAMES = 4, 32  # frames the app samples per clip
PRESETS = {"Kinetics-400": "kinetics400", "UCF-101": "ucf101", "HMDB-51": "hmdb51"}
EXPORT_FORMATS = ("json", "png", "pdf", "mp4", "zip")


@dataclass
class Session:
    """One user's latest result: the Explanation (re-rendered without the model) and view settings."""

    exp: Explanation
    top_k: int = 8


def preset_classes(name: str) -> str:
    """The humanised class names of a preset, one per line ('' for none/custom)."""
    from alt.corpus.labels import load_labels

    key = PRESETS.get(name or "")
    return "\n".join(load_labels(key)) if key else gr.skip()


def _int(value: Any, name: str) -> int:
    """An integer setting from a slider or an API number (8.0 is fine, 8.5 and 'x' are not)."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise gr.Error(f"{name} must be an integer, got {value!r}") from None
    if not f.is_integer():
        raise gr.Error(f"{name} must be an integer, got {value!r}")
    return int(f)


def _message(exc: Exception, path: str | None) -> str:
    """The error text for users, without the server's folders."""
    text = str(exc)
    if path:
        text = text.replace(str(Path(path).parent) + "/", "")
    return text


class Handlers:
    """Callbacks bound to one shared model and the server's limits."""

    def __init__(self, model: ALTModel, ui: Layout, max_duration_s: float = 600.0,
                 decode_timeout_s: float = 60.0) -> None:
        self.model = model
        self.ui = ui
        self.max_duration_s = float(max_duration_s)
        self.decode_timeout_s = float(decode_timeout_s)

    # ---- the model call shared by the UI and the API ---------------------------------------------
    def explain(self, video: str | None, class_names: Any, num_frames: Any, r: Any, extra: Any = None,
                template: str | None = None, progress: Any = None) -> Explanation:
        """Validate, decode (with the server's duration limit) and explain one clip.

        Raises:
            gr.Error: any bad input, with a message that names the problem.
        """
        from alt.errors import ALTError
        from alt.validate import check_r, clean_class_names
        from alt.video.load import load_video

        say = progress or (lambda *a, **k: None)
        if not video:
            raise gr.Error("No video: upload a clip (or record one with the webcam) first")
        frames = _int(num_frames, "num_frames")
        if not MIN_FRAMES <= frames <= MAX_FRAMES:
            raise gr.Error(f"num_frames={frames} is outside {MIN_FRAMES}..{MAX_FRAMES}; 8 is the usual choice")
        try:
            names = clean_class_names(class_names if class_names is not None else "")
            r_val = check_r(_int(r, "r") if r is not None and r != "" else self.model.config.r, self.model.max_r)
            say(0.02, desc="decoding")
            clip = load_video(video, num_frames=frames, max_duration_s=self.max_duration_s,
                              timeout_s=self.decode_timeout_s)
            templates = [template] if template and template.strip() else None
            return self.model.explain(
                clip, names, r=r_val, num_frames=frames, extra_entities=extra or None, templates=templates,
                progress=lambda f, stage: say(0.1 + 0.7 * f, desc=stage))
        except ALTError as exc:
            raise gr.Error(_message(exc, video)) from None
        except gr.Error:
            raise
        except Exception as exc:  # never take the server down; log the trace for the operator
            logger.exception("explain failed on %s", video)
            raise gr.Error(f"could not analyse this clip ({type(exc).__name__}: {_message(exc, video)})") from None

    # ---- API endpoints (public) --------------------------------------------------------------------
    def api_explain(self, video: str | None, class_names: str, num_frames: float, r: float) -> dict[str, Any]:
        """Explain a clip: ALT and CLIP-baseline probabilities, per-frame entities and timings."""
        return self.explain(video, class_names, num_frames, r).summary()

    def api_classify(self, video: str | None, class_names: str) -> dict[str, float]:
        """ALT's probability for each class, {class: probability}, in the given order."""
        exp = self.explain(video, class_names, 8, None)
        return {n: float(p) for n, p in zip(exp.class_names, exp.probs)}

    # ---- UI: upload conversion ---------------------------------------------------------------------
    def on_upload(self, video: str | None) -> tuple[Any, dict | None]:
        """Replace an upload browsers cannot play by an H.264 copy; remember the original for analysis."""
        if not video:
            return gr.skip(), None
        if media.probe_codec(video) is None and media.ffprobe_available():
            gr.Warning(f"{Path(video).name} does not look like a video (no video stream found); "
                       "upload an MP4, WebM, AVI, MOV or MKV clip")
            return gr.skip(), None
        display = media.to_browser_playable(video)
        if display is None:
            return gr.skip(), None
        return str(display), {"display": str(display), "source": str(video)}

    @staticmethod
    def source_of(video: str | None, upload: dict | None) -> str | None:
        """The file to analyse: the original upload when the player shows our converted copy."""
        if upload and media.is_display_copy(video, upload.get("display")):
            return upload["source"]
        return video

    # ---- UI: run -----------------------------------------------------------------------------------
    def run(self, video, upload, class_names, extra, num_frames, r, top_k, template, alpha,
            progress=gr.Progress()) -> dict:  # noqa: B008 - Gradio injects the tracker through this default
        """Explain the clip and render every view. A bad input keeps the previous result on screen and
        shows the message (status line + toast) instead of marking every output as failed."""
        ui = self.ui
        try:
            exp = self.explain(self.source_of(video, upload), class_names, num_frames, r, extra, template, progress)
        except gr.Error as err:
            gr.Warning(str(err.message))
            return {ui.status: f"**Could not explain this clip:** {err.message}"}
        progress(0.85, desc="rendering")
        session = Session(exp, _int(top_k, "top-k entities"))
        alt, base = render.top_labels(exp)
        n_layers = max(1, V.num_layers(exp))
        out = {
            ui.session: session, ui.alt_label: alt, ui.base_label: base,
            ui.summary: render.summary_markdown(exp),
            ui.probs_plot: V.probs_figure(exp, k=min(5, len(exp.class_names))),
            ui.frame: gr.Slider(minimum=0, maximum=exp.num_frames - 1, value=0, step=1, interactive=True),
            ui.layer: gr.Slider(minimum=1, maximum=max(2, n_layers), value=n_layers, step=1,
                                interactive=n_layers > 1),
            ui.align_entity: gr.Dropdown(choices=render.alignment_choices(exp, session.top_k), value=render.ALL,
                                         interactive=True),
            ui.att_entity: gr.Dropdown(choices=render.attention_choices(exp, session.top_k), value=render.ALL,
                                       interactive=True),
            **self.frame_views(session, 0, n_layers, render.ALL, render.ALL, alpha),
        }
        progress(0.95, desc="rendering plots")
        out.update({
            ui.gallery: render.entity_highlights(exp, render.ALL),
            ui.time_plot: V.attention_time_figure(exp, entities=min(session.top_k, 8)),
            ui.entity_plot: V.entity_frame_figure(exp, k=max(session.top_k, 5)),
            ui.files: None,
            ui.timestamps: ",".join(f"{s:.4f}" for s in exp.timestamps),
            ui.status: "",
        })
        return out

    # ---- UI: re-rendering from the session (no model call) ------------------------------------------
    def frame_views(self, session: Session | None, t, layer, align_entity, att_entity, alpha) -> dict:
        """Region map + caption, alignment image + bar plot, attention image + title, for frame t."""
        if session is None:
            return {}
        ui, exp = self.ui, session.exp
        t = render.clamp_frame(exp, t)
        region, caption = render.region_view(exp, t, layer)
        annotated, colors = render.annotated_view(exp, t, align_entity, session.top_k)
        att, title = render.attention_view(exp, t, att_entity, alpha)
        return {ui.region_img: region, ui.region_caption: caption,
                ui.annotated: gr.AnnotatedImage(value=annotated, color_map=colors),
                ui.align_plot: V.alignment_figure(exp, t), ui.att_img: att, ui.att_title: title,
                ui.frame_md: f"Frame {t} · {exp.timestamps[t]:.2f} s"}

    @staticmethod
    def entity_views(session: Session | None, t, entity) -> tuple:
        """Alignment image of frame t and every frame's overlay with the chosen entity highlighted."""
        if session is None:
            return gr.skip(), gr.skip()
        exp = session.exp
        annotated, colors = render.annotated_view(exp, render.clamp_frame(exp, t), entity, session.top_k)
        return gr.AnnotatedImage(value=annotated, color_map=colors), render.entity_highlights(exp, entity)

    @staticmethod
    def attention_only(session: Session | None, t, entity, alpha) -> tuple:
        if session is None:
            return gr.skip(), gr.skip()
        return render.attention_view(session.exp, render.clamp_frame(session.exp, t), entity, alpha)

    @staticmethod
    def region_only(session: Session | None, t, layer) -> tuple:
        if session is None:
            return gr.skip(), gr.skip()
        return render.region_view(session.exp, render.clamp_frame(session.exp, t), layer)

    @staticmethod
    def seek_frame(session: Session | None, seconds) -> Any:
        """The frame slider value for the player's current time (on pause / end)."""
        if session is None or seconds is None:
            return gr.skip()
        return render.frame_at_time(session.exp, seconds)

    @staticmethod
    def export(session: Session | None, formats: list[str] | None, progress=gr.Progress()) -> list[str]:  # noqa: B008
        """Write the chosen formats (JSON, PNG, PDF, MP4, ZIP) to a fresh folder and offer them."""
        from visualizers import export_explanation

        if session is None:
            raise gr.Error("Nothing to export yet: run an analysis first")
        chosen = [f for f in (formats or EXPORT_FORMATS) if f in EXPORT_FORMATS] or list(EXPORT_FORMATS)
        progress(0.1, desc="rendering " + ", ".join(chosen))
        paths = export_explanation(session.exp, media.request_dir("export"), formats=chosen, stem="alt-explanation")
        return [str(paths[f]) for f in chosen if f in paths]
