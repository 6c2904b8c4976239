"""The page's components, created in reading order and kept by name in a `Layout`.

Nothing here is wired: ui/events.py connects the components to ui/handlers.py, and handlers return
`{component: value}` dicts keyed by these names, so adding a view never shifts a positional tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui import render
from ui.examples import EXAMPLES_DIR, example_rows
from ui.handlers import EXPORT_FORMATS, MAX_FRAMES, MIN_FRAMES, PRESETS
from ui.page import DEFAULT_CLASSES, banner

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel


@dataclass
class Layout:
    """Every component the handlers read or write (gradio objects, typed loosely)."""

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
    summary: Any
    frame: Any
    frame_md: Any
    layer: Any
    region_img: Any
    region_caption: Any
    align_entity: Any
    annotated: Any
    gallery: Any
    align_plot: Any
    att_entity: Any
    alpha: Any
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
    api: dict[str, Any]  # hidden inputs/outputs/buttons of the /explain and /classify endpoints

    def frame_outputs(self) -> list[Any]:
        """Components that change with the frame slider."""
        return [self.region_img, self.region_caption, self.annotated, self.align_plot, self.att_img,
                self.att_title, self.frame_md]

    def run_outputs(self) -> list[Any]:
        """Components an Explain click may update."""
        return [self.session, self.alt_label, self.base_label, self.summary, self.probs_plot, self.frame,
                self.layer, self.align_entity, self.att_entity, *self.frame_outputs(), self.gallery,
                self.time_plot, self.entity_plot, self.files, self.timestamps, self.status]


def _inputs(model: ALTModel) -> dict[str, Any]:
    """Left column: the clip, class names, settings, the Explain button, examples."""
    c: dict[str, Any] = {}
    c["video"] = gr.Video(sources=["upload", "webcam"], label="Video", elem_id="alt-video", height=300)
    c["preset"] = gr.Dropdown(["custom", *PRESETS], value="custom", label="Class presets", elem_id="alt-preset")
    c["classes"] = gr.Textbox(DEFAULT_CLASSES, lines=5, max_lines=12, elem_id="alt-classes",
                              label="Class names (comma or newline separated)")
    c["extra"] = gr.Textbox(label="Extra entities for this call (optional, comma separated)", elem_id="alt-extra",
                            placeholder="e.g. basketball hoop, skateboard")
    with gr.Accordion("Settings", open=False):
        c["frames"] = gr.Slider(MIN_FRAMES, MAX_FRAMES, value=8, step=1, label="Frames sampled")
        c["r"] = gr.Slider(0, model.max_r, value=min(model.config.r, model.max_r), step=1,
                           label=f"r: tokens merged per layer (0 = no merging, max {model.max_r})")
        c["top_k"] = gr.Slider(1, 20, value=8, step=1, label="Top-k entities listed")
        c["template"] = gr.Textbox(model.config.prompt_templates[0], label="Prompt template ({} = class)")
    c["run"] = gr.Button("Explain", variant="primary", elem_id="alt-run")
    c["status"] = gr.Markdown(elem_id="alt-status")
    rows = example_rows(EXAMPLES_DIR)
    if rows:
        gr.Examples(rows, inputs=[c["video"], c["classes"]], label="Example clips (made by this project)")
    return c


def _tabs(model: ALTModel) -> dict[str, Any]:
    """The views of one result: regions, alignment, attention, timeline, downloads."""
    c: dict[str, Any] = {}
    with gr.Tabs():
        with gr.Tab("Regions", id="regions"):
            n_layers = max(2, model.config.num_layers)
            c["layer"] = gr.Slider(1, n_layers, value=n_layers, step=1, label="Regions after encoder layer",
                                   interactive=False)
            c["region_img"] = gr.Image(label="Merged-token regions", height=360, elem_id="alt-regions",
                                       interactive=False)
            c["region_caption"] = gr.Markdown()
        with gr.Tab("Alignment", id="alignment"):
            c["align_entity"] = gr.Dropdown([("all entities", render.ALL)], value=render.ALL,
                                            label="Highlight entity (every frame)", elem_id="alt-entity")
            c["annotated"] = gr.AnnotatedImage(label="Entity -> regions (this frame)", height=360,
                                               elem_id="alt-annotated")
            c["gallery"] = gr.Gallery(label="Every frame", columns=4, height="auto", object_fit="contain",
                                      elem_id="alt-gallery")
            c["align_plot"] = gr.Plot(label="Region -> entity cosine (this frame)", elem_id="alt-align-plot")
        with gr.Tab("Attention", id="attention"):
            with gr.Row():
                c["att_entity"] = gr.Dropdown([("mean of all queries", render.ALL)], value=render.ALL,
                                              label="Attention of", elem_id="alt-att-entity")
                c["alpha"] = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label="Heatmap opacity")
            c["att_img"] = gr.Image(label="Adapter attention", height=360, elem_id="alt-attention", interactive=False)
            c["att_title"] = gr.Markdown()
        with gr.Tab("Timeline", id="timeline"):
            c["probs_plot"] = gr.Plot(label="Top classes: ALT vs CLIP", elem_id="alt-probs-plot")
            c["time_plot"] = gr.Plot(label="Attention over time", elem_id="alt-time-plot")
            c["entity_plot"] = gr.Plot(label="Entity x frame attention", elem_id="alt-entity-plot")
        with gr.Tab("Downloads", id="downloads"):
            c["formats"] = gr.CheckboxGroup(list(EXPORT_FORMATS), value=list(EXPORT_FORMATS), label="Formats")
            c["export"] = gr.Button("Prepare downloads", elem_id="alt-export")
            c["files"] = gr.File(label="Files", file_count="multiple", elem_id="alt-files", interactive=False)
    return c


def _api(model: ALTModel) -> dict[str, Any]:
    """Hidden inputs and outputs of the public API endpoints."""
    with gr.Column(visible=False):
        return {
            "video": gr.Video(label="video"),
            "classes": gr.Textbox(label="class_names"),
            "frames": gr.Number(8, precision=0, label="num_frames"),
            "r": gr.Number(min(model.config.r, model.max_r), precision=0, label="r"),
            "explain_out": gr.JSON(label="explanation"),
            "classify_out": gr.JSON(label="probabilities"),
            "explain_btn": gr.Button(),
            "classify_btn": gr.Button(),
        }


def build_layout(model: ALTModel) -> Layout:
    """Create every component (call inside `gr.Blocks()`)."""
    gr.Markdown("# ALT Explorer\nWhy does a video-language model recognise an action? Upload a clip, type "
                "class names, and see ALT's regions, entities and attention next to plain CLIP.")
    gr.Markdown(banner(model), elem_id="alt-banner", elem_classes=[] if model.config.adapter_trained else ["untrained"])
    c: dict[str, Any] = {"session": gr.State(None), "upload": gr.State(None)}
    with gr.Row():
        with gr.Column(scale=2, min_width=320):
            c.update(_inputs(model))
        with gr.Column(scale=3, min_width=420):
            with gr.Row():
                c["alt_label"] = gr.Label(label="ALT", num_top_classes=5, elem_id="alt-probs")
                c["base_label"] = gr.Label(label="CLIP baseline (frame mean)", num_top_classes=5,
                                           elem_id="alt-baseline-probs")
            c["summary"] = gr.Markdown(elem_id="alt-summary")
            c["frame"] = gr.Slider(0, 7, value=0, step=1, label="Frame (follows the player)", interactive=False,
                                   elem_id="alt-frame")
            c["frame_md"] = gr.Markdown()
            c.update(_tabs(model))
    c["timestamps"] = gr.Textbox(visible=False)
    c["player_time"] = gr.Number(visible=False)
    c["follow"] = gr.Timer(0.4, active=False)  # on while the player plays: keeps the frame slider in step
    c["api"] = _api(model)
    return Layout(**c)
