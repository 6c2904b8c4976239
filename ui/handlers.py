"""Event handlers of the app: thin wrappers that call `alt` for results and `ui.render` for views.

One `Handlers` object holds the single model (in a `ModelSlot`: requests that come while it loads wait) and the
server's limits; every method is safe to
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
from ui.evidence import EvidenceHandlers
from ui.model_slot import ModelNotReady, ModelSlot
from ui.page import banner
from ui.windows import WholeVideoHandlers

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
    top_k: int = 10  # entities in the legend (own colour and number)
    clip_name: str = ""  # file name of the clip explained, shown in the summary


def preset_classes(name: str) -> str:
    """The humanised class names of a preset, one per line ('' for none/custom)."""
    from alt.corpus.labels import load_labels

    key = PRESETS.get(name or "")
    return "\n".join(load_labels(key)) if key else gr.skip()


def refusal(message: str) -> gr.Error:
    """The error for an ordinary bad request: shown to the user, logged as one line (no traceback)."""
    logger.info("request refused: %s", message)
    return gr.Error(message, print_exception=False)


def _int(value: Any, name: str) -> int:
    """An integer setting from a slider or an API number (8.0 is fine, 8.5 and 'x' are not)."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise refusal(f"{name} must be an integer, got {value!r}") from None
    if not f.is_integer():
        raise refusal(f"{name} must be an integer, got {value!r}")
    return int(f)


def _clip_name(path: str | None) -> str:
    """The file name of a clip (what the summary calls it), '' for none."""
    return Path(str(path)).name if path else ""


def _message(exc: Exception, path: str | None) -> str:
    """The error text for users, without the server's folders."""
    text = str(exc)
    if path:
        text = text.replace(str(Path(path).parent) + "/", "")
    return text


class Handlers(EvidenceHandlers, WholeVideoHandlers):
    """Callbacks bound to one shared model and the server's limits."""

    def __init__(self, model: ALTModel | ModelSlot, ui: Layout, max_duration_s: float = 600.0,
                 decode_timeout_s: float = 60.0, max_upload_mb: float | None = None) -> None:
        self.slot = model if isinstance(model, ModelSlot) else ModelSlot.ready_with(model)
        self.ui = ui
        self.max_duration_s = float(max_duration_s)
        self.decode_timeout_s = float(decode_timeout_s)
        self.max_upload_bytes = None if max_upload_mb is None else float(max_upload_mb) * 2**20  # MB as Gradio's

    @property
    def model(self) -> ALTModel:
        """The shared model; a request that comes while it is still loading waits for it (ui.model_slot)."""
        try:
            return self.slot.get()
        except ModelNotReady as exc:
            raise refusal(str(exc)) from None

    def banner(self) -> str:
        """The model banner once the model is loaded (a page opened during start-up shows 'loading' until then)."""
        self.model  # noqa: B018  (waits for the weights)
        return banner(self.slot)

    # ---- the model call shared by the UI and the API ---------------------------------------------
    def explain(self, video: str | None, class_names: Any, num_frames: Any, r: Any, extra: Any = None,
                template: str | None = None, progress: Any = None, plain_clip: bool = False) -> Explanation:
        """Validate, decode (with the server's duration limit) and explain one clip.

        The video must be an upload or an example clip (`media.allowed_video`): any other path gets
        one refusal, existing or not, and is never opened.

        Raises:
            gr.Error: any bad input, with a message that names the problem.
        """
        from alt.errors import ALTError
        from alt.validate import check_num_frames, check_r, clean_class_names, split_templates
        from alt.video.load import load_video

        say = progress or (lambda *a, **k: None)
        if not video:
            raise refusal("No video: upload a clip (or record one with the webcam) first")
        try:
            video = str(media.allowed_video(video, self.max_upload_bytes))  # before anything touches the file
        except ALTError as exc:
            raise refusal(str(exc)) from None
        frames = _int(num_frames, "num_frames")
        try:
            check_num_frames(frames, MIN_FRAMES, MAX_FRAMES)  # the app's narrower range, same validator
            names = clean_class_names(class_names if class_names is not None else "")
            if not self.slot.loaded:
                say(0.01, desc="waiting for the model to load")
            r_val = check_r(_int(r, "r") if r is not None and r != "" else self.model.config.r, self.model.max_r)
            say(0.02, desc="decoding")
            clip = load_video(video, num_frames=frames, max_duration_s=self.max_duration_s,
                              timeout_s=self.decode_timeout_s)
            templates = split_templates(template)
            return self.model.explain(
                clip, names, r=r_val, num_frames=frames, extra_entities=extra or None, templates=templates,
                plain_clip=bool(plain_clip), progress=lambda f, stage: say(0.1 + 0.7 * f, desc=stage))
        except ALTError as exc:
            raise refusal(_message(exc, video)) from None
        except gr.Error:
            raise
        except Exception as exc:  # never take the server down; log the trace for the operator
            logger.exception("explain failed on %s", video)
            raise gr.Error(f"could not analyse {_clip_name(video)} (internal error {type(exc).__name__}; "
                           "the server log has the details)") from None

    # ---- API endpoints (public) --------------------------------------------------------------------
    def api_explain(self, video: str | None, class_names: str, num_frames: float, r: float,
                    plain_clip: bool = False) -> dict[str, Any]:
        """Explain a clip: ALT's probabilities, the CLIP frame-mean baseline over the same merged tokens (and,
        with plain_clip, plain CLIP from a second pass at r=0), per-frame entities and timings."""
        return self.explain(video, class_names, num_frames, r, plain_clip=bool(plain_clip)).summary()

    def api_classify(self, video: str | None, class_names: str) -> dict[str, float]:
        """ALT's probability for each class, {class: probability}, in the given order."""
        exp = self.explain(video, class_names, 8, None)
        return {n: float(p) for n, p in zip(exp.class_names, exp.probs)}

    # ---- UI: upload conversion ---------------------------------------------------------------------
    def on_upload(self, video: str | None, request: gr.Request = None) -> tuple[Any, dict | None]:
        """Replace an upload browsers cannot play by an H.264 copy (in the session's scratch folder);
        remember the original for analysis. Only uploads are read (`media.allowed_video`)."""
        from alt.errors import ALTError
        from alt.video.decode import IMAGE_EXTS

        if not video:
            return gr.skip(), None
        try:
            path = media.allowed_video(video, self.max_upload_bytes)
        except ALTError as exc:
            gr.Warning(str(exc))
            return gr.skip(), None
        if path.suffix.lower() in IMAGE_EXTS:
            return gr.skip(), None  # a still image: analysed as a clip of one frame, nothing to play
        info = media.probe(path)
        if info is None or info.codec is None:
            gr.Warning(f"{path.name} does not look like a video (no video stream found); "
                       "upload an MP4, WebM, AVI, MOV or MKV clip")
            return gr.skip(), None
        if info.duration_s is not None and info.duration_s > self.max_duration_s:
            gr.Warning(f"{path.name} is {info.duration_s:.0f} s long; this server analyses videos up to "
                       f"{self.max_duration_s:g} s (max_duration_s)")
            return gr.skip(), None
        display = media.to_browser_playable(path, session=getattr(request, "session_hash", None),
                                            max_duration_s=self.max_duration_s, codec=info.codec)
        if display is None:
            return gr.skip(), None
        return str(display), {"display": str(display), "source": str(path)}

    @staticmethod
    def end_session(request: gr.Request = None) -> None:
        """A browser session ended (tab closed): remove its scratch folder (display copies, exports)."""
        media.end_session(getattr(request, "session_hash", None))

    @staticmethod
    def source_of(video: str | None, upload: dict | None) -> str | None:
        """The file to analyse: the original upload when the player shows our converted copy."""
        if upload and media.is_display_copy(video, upload.get("display")):
            return upload["source"]
        return video

    # ---- UI: run -----------------------------------------------------------------------------------
    def run(self, session, video, upload, class_names, extra, num_frames, r, top_k, template, alpha, att_view,
            plain_clip, progress=gr.Progress()) -> dict:  # noqa: B008 - Gradio injects the tracker through this default
        """Explain the clip and render every view. A bad input shows the message (status line + toast); the
        previous result stays only when it is of the clip in the player, else it is cleared."""
        ui = self.ui
        source = self.source_of(video, upload)
        try:
            exp = self.explain(source, class_names, num_frames, r, extra, template, progress, plain_clip)
        except gr.Error as err:
            gr.Warning(str(err.message))
            out = {ui.status: f"**Could not explain this clip:** {err.message}"}
            if session is not None and session.clip_name != _clip_name(source):
                out.update(self.cleared())
            return out
        return self.show(exp, _clip_name(source), top_k, alpha, att_view, progress)

    def show(self, exp: Explanation, clip_name: str, top_k, alpha, att_view, progress=None) -> dict:
        """Every view of one Explanation: the clip's, or one window's of a whole-video timeline (ui/windows.py)."""
        ui = self.ui
        progress = progress or (lambda *a, **k: None)
        progress(0.85, desc="rendering")
        session = Session(exp, _int(top_k, "legend size"), clip_name)
        alt, base, plain = render.top_labels(exp)
        n_layers = max(1, V.num_layers(exp))
        choices = render.alignment_choices(exp, session.top_k)
        out = {
            ui.session: session, ui.alt_label: alt, ui.base_label: base,
            ui.plain_label: gr.Label(value=plain, visible=plain is not None),
            ui.summary: render.summary_markdown(exp, session.clip_name),
            ui.probs_plot: V.probs_figure(exp, k=min(5, len(exp.class_names))),
            ui.frame: gr.Slider(minimum=0, maximum=exp.num_frames - 1, value=0, step=1, interactive=True),
            ui.layer: gr.Slider(minimum=1, maximum=max(2, n_layers), value=n_layers, step=1,
                                interactive=n_layers > 1),
            ui.align_entity: gr.Dropdown(choices=choices, value=render.ALL, interactive=True),
            ui.att_entity: gr.Dropdown(choices=render.attention_choices(exp, session.top_k), value=render.ALL,
                                       interactive=True),
            **self.frame_views(session, 0, n_layers, render.ALL, render.ALL, alpha, att_view),
        }
        progress(0.95, desc="rendering plots")
        out.update({
            ui.gallery: gr.Gallery(value=render.entity_highlights(exp, render.ALL, float(alpha), session.top_k),
                                   columns=render.gallery_columns(exp.num_frames)),
            ui.time_plot: V.attention_time_figure(exp, entities=min(session.top_k, 8)),
            ui.entity_plot: V.entity_frame_figure(exp, k=session.top_k),
            ui.files: None,
            ui.timestamps: ",".join(f"{s:.4f}" for s in exp.timestamps),
            ui.status: "",
        })
        out.update(self.evidence_views(session, None, 0))  # ui/evidence.py
        return out

    def cleared(self, note: str = "") -> dict:
        """Every result component emptied (a new clip is in the player, or it failed to explain)."""
        ui = self.ui
        empty_choice = gr.Dropdown(choices=[("all entities", render.ALL)], value=render.ALL)
        return {ui.session: None, ui.alt_label: None, ui.base_label: None, ui.plain_label: gr.Label(value=None),
                ui.summary: note, ui.probs_plot: None, ui.frame: gr.Slider(value=0, interactive=False),
                ui.align_entity: empty_choice, ui.att_entity: gr.Dropdown(choices=[("mean of all queries", render.ALL)],
                                                                           value=render.ALL),
                ui.region_img: None, ui.region_caption: "", ui.annotated: None, ui.align_info: "",
                ui.align_plot: None, ui.att_img: None, ui.att_title: "", ui.frame_md: "", ui.gallery: [],
                ui.time_plot: None, ui.entity_plot: None, ui.files: None, ui.timestamps: "",
                **self.evidence_views(None)}

    def on_video_change(self, session: Session | None, video: str | None, upload: dict | None) -> dict:
        """A different clip in the player: clear the previous clip's results, so they never stand beside it."""
        if session is None or (video and _clip_name(self.source_of(video, upload)) == session.clip_name):
            return {self.ui.session: gr.skip()}  # an empty dict would read as one value
        return self.cleared(f"Results of `{session.clip_name}` were cleared: press **Explain** for the clip in "
                            "the player.")

    # ---- UI: re-rendering from the session (no model call) ------------------------------------------
    def frame_views(self, session: Session | None, t, layer, align_entity, att_entity, alpha, att_view=None) -> dict:
        """Region map + caption, alignment picture + label boxes + bar plot, attention picture + caption, for
        frame t."""
        if session is None:
            return {self.ui.frame_md: gr.skip()}  # an empty dict would read as one value
        ui, exp = self.ui, session.exp
        t = render.clamp_frame(exp, t)
        region, caption = render.region_view(exp, t, layer)
        picture, info = render.alignment_view(exp, t, align_entity, session.top_k, alpha)
        att, title = render.attention_view(exp, t, att_entity, alpha, att_view)
        return {ui.region_img: region, ui.region_caption: caption, ui.annotated: picture, ui.align_info: info,
                ui.align_plot: V.alignment_figure(exp, t, V.clip_colors(exp, session.top_k)), ui.att_img: att,
                ui.att_title: title, ui.frame_md: f"Frame {t} · {exp.timestamps[t]:.2f} s"}

    @staticmethod
    def entity_views(session: Session | None, t, entity, alpha=0.6) -> tuple:
        """Alignment picture of frame t (and its label boxes) and every frame with the chosen entity lit."""
        if session is None:
            return gr.skip(), gr.skip(), gr.skip()
        exp = session.exp
        picture, info = render.alignment_view(exp, render.clamp_frame(exp, t), entity, session.top_k, alpha)
        return picture, info, render.entity_highlights(exp, entity, float(alpha), session.top_k)

    @staticmethod
    def select_entity(session: Session | None, t, entity, evt: gr.SelectData) -> Any:
        """A click on the alignment picture picks the entity of the legend row or region under it."""
        if session is None or not evt or evt.index is None:
            return gr.skip()
        x, y = (evt.index + [None, None])[:2] if isinstance(evt.index, list) else (None, None)
        picked = render.entity_at(session.exp, render.clamp_frame(session.exp, t), entity, session.top_k, x, y)
        return gr.skip() if picked is None else picked

    @staticmethod
    def select_frame(session: Session | None, evt: gr.SelectData) -> Any:
        """A click on a gallery thumbnail moves the frame slider to that frame."""
        if session is None or not evt or not isinstance(evt.index, int):
            return gr.skip()
        return render.clamp_frame(session.exp, evt.index)

    @staticmethod
    def attention_only(session: Session | None, t, entity, alpha, view=None) -> tuple:
        if session is None:
            return gr.skip(), gr.skip()
        return render.attention_view(session.exp, render.clamp_frame(session.exp, t), entity, alpha, view)

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
    def export(session: Session | None, formats: list[str] | None, progress=gr.Progress(),  # noqa: B008
               request: gr.Request = None) -> list[str]:
        """Write the chosen formats (JSON, PNG, PDF, MP4, ZIP) to a fresh folder and offer them."""
        from visualizers import export_explanation

        if session is None:
            raise refusal("Nothing to export yet: run an analysis first")
        chosen = [f for f in (formats or EXPORT_FORMATS) if f in EXPORT_FORMATS] or list(EXPORT_FORMATS)
        progress(0.1, desc="rendering " + ", ".join(chosen))
        folder = media.request_dir("export", getattr(request, "session_hash", None))
        paths = export_explanation(session.exp, folder, formats=chosen, stem="alt-explanation",
                                   legend_size=session.top_k)
        return [str(paths[f]) for f in chosen if f in paths]
