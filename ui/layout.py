"""The page's components, created in reading order and kept by name in a `Layout`.

Nothing here is wired: ui/events.py connects the components to ui/handlers.py, and handlers return
`{component: value}` dicts keyed by these names, so adding a view never shifts a positional tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from alt.explanation import BASELINE_NAME, PLAIN_CLIP_NAME, RANKING_DESCRIPTION
from ui import media, render
from ui.examples import EXAMPLES_DIR, example_rows
from ui.handlers import EXPORT_FORMATS, MAX_FRAMES, MIN_FRAMES, PRESETS
from ui.page import DEFAULT_CLASSES, banner
from ui.windows import whole_video_inputs, whole_video_tab
from visualizers.colors import LEGEND_SIZE

PICTURE_HEIGHT = 400  # px of the main picture of each tab: fits a 1280x720 screen beside the player
ALIGNMENT_NOTE = ("Every patch in the colour of the entity its merged-token region aligned to (argmax of the "
                  "region-entity cosines); numbers are legend numbers, grey = entities beyond the legend. Click "
                  "a region or a legend row to highlight that entity in every frame.")

if TYPE_CHECKING:
    from ui.model_slot import ModelSlot


@dataclass
class Layout:
    """Every component the handlers read or write (gradio objects, typed loosely)."""

    banner: Any  # which model, on which device, trained or not ("loading" until the weights are in)
    session: Any  # gr.State: the user's Session (Explanation + view settings)
    upload: Any  # gr.State: {"display": converted copy, "source": original upload}
    video: Any
    preset: Any
    classes: Any
    extra: Any
    frames: Any
    r: Any
    top_k: Any
    template: Any
    run: Any
    status: Any
    alt_label: Any
    base_label: Any
    plain_label: Any  # plain CLIP (second pass at r=0), shown only when asked for
    plain_clip: Any  # checkbox: run the plain-CLIP pass
    summary: Any
    frame: Any
    frame_md: Any
    layer: Any
    region_img: Any
    region_caption: Any
    align_entity: Any
    annotated: Any  # the alignment picture (gr.Image): numbered markers, legend beside
    align_info: Any  # JSON of the label boxes the alignment renderer drew (hidden; read by browser tests)
    gallery: Any
    align_plot: Any
    att_entity: Any
    alpha: Any
    att_view: Any  # "density (per patch)" or "per region"
    att_img: Any
    att_title: Any
    probs_plot: Any
    time_plot: Any
    entity_plot: Any
    formats: Any
    export: Any
    files: Any
    timestamps: Any
    player_time: Any
    follow: Any
    ev_class: Any  # Evidence tab (ui/evidence.py): class whose logit is split
    ev_note: Any
    ev_plot: Any
    ev_caption: Any
    ev_table: Any  # entities and their contributions; clicking a row removes/restores the entity
    ev_entity: Any  # entities removed in the counterfactual (multiselect)
    ev_region_img: Any  # this frame's regions tinted by contribution; clicking one removes/restores it
    ev_result: Any  # counterfactual probabilities beside the old ones
    ev_restore: Any
    ev_mode: Any
    ev_curves_btn: Any
    ev_curves_plot: Any
    ev_curves_caption: Any
    ev_curves_files: Any
    ev_drops: Any  # gr.State: {"entities": [...], "regions": [(t, r), ...]} removed in the counterfactual
    api: dict[str, Any]  # hidden inputs/outputs/buttons of the /explain and /classify endpoints
    whole: dict[str, Any]  # whole-video mode (ui/windows.py): window_s, run, stop, state, note, plot, table

    def frame_outputs(self) -> list[Any]:
        """Components that change with the frame slider."""
        return [self.region_img, self.region_caption, self.annotated, self.align_info, self.align_plot, self.att_img,
                self.att_title, self.frame_md]

    def result_outputs(self) -> list[Any]:
        """Components that show one clip's results (cleared when another clip comes into the player)."""
        return [self.session, self.alt_label, self.base_label, self.plain_label, self.summary, self.probs_plot,
                self.frame, self.layer, self.align_entity, self.att_entity, *self.frame_outputs(), self.gallery,
                self.time_plot, self.entity_plot, self.files, self.timestamps, *self.evidence_outputs()]

    def evidence_outputs(self) -> list[Any]:
        """Components the Evidence tab shows for one result (ui/evidence.py `evidence_views`)."""
        return [self.ev_class, self.ev_note, self.ev_plot, self.ev_caption, self.ev_table, self.ev_entity,
                self.ev_region_img, self.ev_result, self.ev_drops]

    def run_outputs(self) -> list[Any]:
        """Components an Explain click may update."""
        return [*self.result_outputs(), self.status]


def _inputs(model: ModelSlot) -> dict[str, Any]:
    """Left column, compact enough for a 1280x720 projector: the player, class names, Explain, both
    predictions; then presets, extra entities, settings and examples below."""
    c: dict[str, Any] = {}
    c["video"] = gr.Video(sources=["upload", "webcam"], label="Video", elem_id="alt-video")  # height: page CSS
    c["classes"] = gr.Textbox(DEFAULT_CLASSES, lines=2, max_lines=3, elem_id="alt-classes",
                              label="Class names (comma or newline separated)")
    c["run"] = gr.Button("Explain", variant="primary", elem_id="alt-run")
    c["status"] = gr.Markdown(elem_id="alt-status")
    with gr.Row(equal_height=True, elem_id="alt-predictions"):
        c["alt_label"] = gr.Label(label="ALT", num_top_classes=3, elem_id="alt-probs", min_width=150)
        c["base_label"] = gr.Label(label=BASELINE_NAME, num_top_classes=3,
                                   elem_id="alt-baseline-probs", min_width=150)
        c["plain_label"] = gr.Label(label=PLAIN_CLIP_NAME, num_top_classes=3, elem_id="alt-plain-probs",
                                    visible=False, min_width=150)
    c["summary"] = gr.Markdown(elem_id="alt-summary")
    c["preset"] = gr.Dropdown(["custom", *PRESETS], value="custom", label="Class presets", elem_id="alt-preset")
    c["extra"] = gr.Textbox(label="Extra entities for this call (optional, comma separated)", elem_id="alt-extra",
                            placeholder="e.g. basketball hoop, skateboard")
    with gr.Accordion("Settings", open=False):
        c["frames"] = gr.Slider(MIN_FRAMES, MAX_FRAMES, value=8, step=1, label="Frames sampled", elem_id="alt-frames")
        c["r"] = gr.Slider(0, model.max_r, value=min(model.config.r, model.max_r), step=1,
                           label=f"r: tokens merged per layer (0 = no merging, max {model.max_r})")
        c["top_k"] = gr.Slider(1, 20, value=LEGEND_SIZE, step=1, elem_id="alt-top-k",
                               label="Entities in the legend (own colour and number; the rest are grey)")
        c["template"] = gr.Textbox(" | ".join(model.config.prompt_templates), elem_id="alt-template",
                                   label="Prompt templates ({} = class; several, separated by |, are averaged)")
        c["plain_clip"] = gr.Checkbox(False, elem_id="alt-plain-clip",
                                      label="Also run plain CLIP (a second pass at r=0, no merging)")
    c["whole"] = whole_video_inputs()
    rows = example_rows(EXAMPLES_DIR)
    if rows:
        media.remember_playable_answers()  # Gradio probes each example twice while building: once is enough
        media.probe_in_parallel([row[0] for row in rows])
        gr.Examples(rows, inputs=[c["video"], c["classes"]], label="Example clips (made by this project)")
    return c


def _tabs(model: ModelSlot) -> dict[str, Any]:
    """The views of one result: regions, alignment, attention, timeline, downloads."""
    c: dict[str, Any] = {}
    with gr.Tabs():
        with gr.Tab("Regions", id="regions"):
            n_layers = max(2, model.config.num_layers)
            c["region_img"] = gr.Image(label="Merged-token regions", height=PICTURE_HEIGHT, elem_id="alt-regions",
                                       interactive=False, buttons=["fullscreen"], show_label=False)
            c["region_caption"] = gr.Markdown(elem_id="alt-region-caption")
            c["layer"] = gr.Slider(1, n_layers, value=n_layers, step=1, label="Regions after encoder layer",
                                   interactive=False, elem_id="alt-layer")
        with gr.Tab("Alignment", id="alignment"):
            c["annotated"] = gr.Image(label="Entity -> regions (this frame)", height=PICTURE_HEIGHT,
                                      elem_id="alt-annotated", interactive=False, buttons=["fullscreen"],
                                      show_label=False)  # a floating label would cover the picture's corner
            gr.Markdown(ALIGNMENT_NOTE, elem_id="alt-align-note")
            c["align_entity"] = gr.Dropdown([("all entities", render.ALL)], value=render.ALL, elem_id="alt-entity",
                                            label=f"Highlight entity: {RANKING_DESCRIPTION}")
            c["align_info"] = gr.Textbox(elem_id="alt-align-info", elem_classes=["alt-hidden"], container=False,
                                         interactive=False, show_label=False)
            c["gallery"] = gr.Gallery(label="Every frame (click one to go to it)", columns=4, height="auto",
                                      object_fit="contain", allow_preview=False, elem_id="alt-gallery", buttons=[])
            c["align_plot"] = gr.Plot(label="Region -> entity cosine (this frame)", elem_id="alt-align-plot")
        with gr.Tab("Attention", id="attention"):
            c["att_img"] = gr.Image(label="Adapter attention", height=PICTURE_HEIGHT, elem_id="alt-attention",
                                    interactive=False, buttons=["fullscreen"], show_label=False)
            c["att_title"] = gr.Markdown(elem_id="alt-att-caption")
            with gr.Row():
                c["att_entity"] = gr.Dropdown([("mean of all queries", render.ALL)], value=render.ALL,
                                              label="Attention of", elem_id="alt-att-entity")
                c["att_view"] = gr.Radio(list(render.ATTENTION_VIEWS), value=next(iter(render.ATTENTION_VIEWS)),
                                         label="View", elem_id="alt-att-view")
                c["alpha"] = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label="Heatmap opacity")
        with gr.Tab("Timeline", id="timeline"):
            c["probs_plot"] = gr.Plot(label=f"Top classes: ALT vs {BASELINE_NAME}", elem_id="alt-probs-plot")
            c["time_plot"] = gr.Plot(label="Attention over time", elem_id="alt-time-plot")
            c["entity_plot"] = gr.Plot(label="Entity x frame attention", elem_id="alt-entity-plot")
        c.update(_evidence_tab())
        with gr.Tab("Downloads", id="downloads"):
            c["formats"] = gr.CheckboxGroup(list(EXPORT_FORMATS), value=list(EXPORT_FORMATS), label="Formats")
            c["export"] = gr.Button("Prepare downloads", elem_id="alt-export")
            c["files"] = gr.File(label="Files", file_count="multiple", elem_id="alt-files", interactive=False)
        c["whole_tab"] = whole_video_tab()
    return c


def _evidence_tab() -> dict[str, Any]:
    """Evidence: the exact logit split, counterfactuals (entity list, table rows, frame regions), curves."""
    c: dict[str, Any] = {"ev_drops": gr.State(None)}
    with gr.Tab("Evidence", id="evidence"):
        c["ev_class"] = gr.Dropdown([], label="Class (its logit is split exactly)", elem_id="alt-ev-class")
        c["ev_note"] = gr.Markdown(elem_id="alt-ev-note")
        c["ev_plot"] = gr.Plot(label="Logit split: entities, frames, baseline", elem_id="alt-ev-plot")
        c["ev_caption"] = gr.Markdown(elem_id="alt-ev-caption")
        with gr.Row():
            with gr.Column():
                c["ev_entity"] = gr.Dropdown([], value=[], multiselect=True, elem_id="alt-ev-entity",
                                             label="Remove entities (all their queries)")
                c["ev_table"] = gr.Dataframe(headers=["entity", "contribution", "frames"], interactive=False,
                                             label="Entities (click a row to remove or restore it)",
                                             elem_id="alt-ev-table", max_height=300)
            c["ev_region_img"] = gr.Image(label="This frame's regions by contribution (click one to remove it)",
                                          height=PICTURE_HEIGHT, interactive=False, elem_id="alt-ev-regions")
        c["ev_result"] = gr.Markdown(elem_id="alt-ev-result")
        c["ev_restore"] = gr.Button("Restore everything", size="sm", elem_id="alt-ev-restore")
        with gr.Row():
            c["ev_mode"] = gr.Radio(["fast", "pixel"], value="fast", elem_id="alt-ev-mode",
                                    label="Curves: fast (adapter keys) or pixel (blur and re-encode; slow)")
            c["ev_curves_btn"] = gr.Button("Deletion / insertion curves", elem_id="alt-ev-curves")
        c["ev_curves_plot"] = gr.Plot(label="Deletion and insertion", elem_id="alt-ev-curves-plot")
        c["ev_curves_caption"] = gr.Markdown(elem_id="alt-ev-curves-caption")
        c["ev_curves_files"] = gr.File(label="Curves (PNG, JSON)", file_count="multiple", interactive=False)
    return c


def _api(model: ModelSlot) -> dict[str, Any]:
    """Hidden inputs and outputs of the public API endpoints."""
    with gr.Column(visible=False):
        return {
            "video": gr.Video(label="video"),
            "classes": gr.Textbox(label="class_names"),
            "frames": gr.Number(8, precision=0, label="num_frames"),
            "r": gr.Number(min(model.config.r, model.max_r), precision=0, label="r"),
            "plain_clip": gr.Checkbox(False, label="plain_clip"),
            "explain_out": gr.JSON(label="explanation"),
            "classify_out": gr.JSON(label="probabilities"),
            "explain_btn": gr.Button(),
            "classify_btn": gr.Button(),
        }


def build_layout(model: ModelSlot) -> Layout:
    """Create every component (call inside `gr.Blocks()`), from the model's config: the weights may still be loading."""
    gr.Markdown("## ALT Explorer · why does a video model recognise an action?", elem_id="alt-title")
    c: dict[str, Any] = {"session": gr.State(None), "upload": gr.State(None)}
    c["banner"] = gr.Markdown(banner(model), elem_id="alt-banner",
                              elem_classes=[] if model.config.adapter_trained else ["untrained"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=360):
            c.update(_inputs(model))
        with gr.Column(scale=3, min_width=480):
            with gr.Row(equal_height=True):
                c["frame"] = gr.Slider(0, 7, value=0, step=1, label="Frame (follows the player; numbered from 0)",
                                       interactive=False, elem_id="alt-frame", scale=4)
                c["frame_md"] = gr.Markdown(elem_id="alt-frame-md", min_width=110)
            c.update(_tabs(model))
    c["timestamps"] = gr.Textbox(visible=False)
    c["player_time"] = gr.Number(visible=False)
    c["follow"] = gr.Timer(0.4, active=False)  # on while the player plays: keeps the frame slider in step
    c["api"] = _api(model)
    c["whole"] = {**c["whole"], **c.pop("whole_tab")}
    return Layout(**c)
