"""ALT Explorer: see why ALT ("Align before Adapt", CVPR 2024) recognises an action in a video.

    python app.py                      # default model (CLIP ViT-B/16 openai weights from the Hub)
    python app.py --model tiny         # tiny random model, offline, for trying the UI

Upload or record a clip, type zero-shot class names, and compare ALT with the plain CLIP baseline;
tabs show merged-token regions, entity-to-region alignment, adapter attention and timelines, all
re-rendered from the session's Explanation without re-running the model. API endpoints: /explain,
/classify (see README). This file only lays out the UI and wires handlers (ui/handlers.py); results
come from `alt`, pictures from `visualizers`. Nothing heavy is imported until `main()`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

    from alt.model.alt_model import ALTModel

logger = logging.getLogger("alt.app")

ROOT = Path(__file__).resolve().parent
EXAMPLES_DIR = ROOT / "assets" / "examples"
MODEL_GROUP = "model"  # concurrency_id shared by every event that calls the model
DEFAULT_CLASSES = "bouncing a ball\nwaving hand\ndriving car\nswimming\nplaying guitar"

CSS = """
#alt-banner {border-left: 4px solid var(--color-accent); padding-left: 10px}
#alt-banner.untrained {border-left-color: #e8a317}
#alt-status strong {color: #c0392b}
"""

# Keeps the frame slider in step with the player: on pause/end the player's time picks the frame;
# moving the slider seeks the player to that frame's timestamp.
JS_PLAYER_TIME = "(s, t) => [s, (document.querySelector('#alt-video video') || {}).currentTime ?? null]"
JS_SEEK_PLAYER = """(i, ts) => {
  const v = document.querySelector('#alt-video video'); const times = (ts || '').split(',').map(Number);
  if (v && times.length > i && isFinite(times[i])) { v.pause(); v.currentTime = times[i]; }
  return [];
}"""

# The upload player first tries the original file; for AVI and other formats browsers cannot play,
# that fails and Gradio would show "Video not playable" although the server is about to swap in an
# H.264 copy (ui/media.py). Swallow that one media error event, only for the input player.
HEAD = """<script>
window.addEventListener('error', (e) => {
  const t = e.target;
  if (t instanceof HTMLMediaElement && t.closest && t.closest('#alt-video')) { e.stopImmediatePropagation(); }
}, true);
</script>"""


def banner(model: ALTModel) -> str:
    """Which model is loaded, on which device, and whether its adapter is trained."""
    spec = model.config.spec or model.config.clip_name
    trained = bool(model.config.adapter_trained)
    state = ("**adapter trained**: ALT and the CLIP baseline differ" if trained else
             "**adapter untrained**: the ALT column equals the CLIP baseline by design; "
             "regions, alignments and attention are still what the model computed")
    return (f"Model `{spec}` ({model.config.clip_name}, {model.config.image_size} px, patch "
            f"{model.config.patch_size}) on `{model.device}` · r up to {model.max_r} · {state}")


def build_demo(model: ALTModel, *, max_duration_s: float = 600.0, concurrency: int = 1) -> gr.Blocks:
    """The app's Blocks, sharing one loaded `model` between all users.

    Args:
        model: a loaded ALTModel (never mutated by a request).
        max_duration_s: longest video accepted, in seconds.
        concurrency: model calls running at once (all model events share one concurrency group).
    """
    import gradio as gr

    from ui import render
    from ui.examples import example_rows
    from ui.handlers import EXPORT_FORMATS, MAX_FRAMES, MIN_FRAMES, PRESETS, Handlers, preset_classes

    h = Handlers(model, max_duration_s=max_duration_s)
    model_events = dict(concurrency_id=MODEL_GROUP, concurrency_limit=concurrency)
    private = dict(api_visibility="private")

    with gr.Blocks(title="ALT Explorer") as demo:
        gr.Markdown("# ALT Explorer\nWhy does a video-language model recognise an action? Upload a clip, type "
                    "class names, and see ALT's regions, entities and attention next to plain CLIP.")
        gr.Markdown(banner(model), elem_id="alt-banner",
                    elem_classes=[] if model.config.adapter_trained else ["untrained"])
        session = gr.State(None)
        upload = gr.State(None)  # {"display": converted copy, "source": original upload}
        with gr.Row():
            with gr.Column(scale=2, min_width=320):
                video = gr.Video(sources=["upload", "webcam"], label="Video", elem_id="alt-video", height=300)
                preset = gr.Dropdown(["custom", *PRESETS], value="custom", label="Class presets",
                                     elem_id="alt-preset")
                classes = gr.Textbox(DEFAULT_CLASSES, lines=5, max_lines=12, elem_id="alt-classes",
                                     label="Class names (comma or newline separated)")
                extra = gr.Textbox(label="Extra entities for this call (optional, comma separated)",
                                   elem_id="alt-extra", placeholder="e.g. basketball hoop, skateboard")
                with gr.Accordion("Settings", open=False):
                    frames = gr.Slider(MIN_FRAMES, MAX_FRAMES, value=8, step=1, label="Frames sampled")
                    r = gr.Slider(0, model.max_r, value=min(model.config.r, model.max_r), step=1,
                                  label=f"r: tokens merged per layer (0 = no merging, max {model.max_r})")
                    top_k = gr.Slider(1, 20, value=8, step=1, label="Top-k entities listed")
                    template = gr.Textbox(model.config.prompt_templates[0], label="Prompt template ({} = class)")
                run = gr.Button("Explain", variant="primary", elem_id="alt-run")
                status = gr.Markdown(elem_id="alt-status")
                rows = example_rows(EXAMPLES_DIR)
                if rows:
                    gr.Examples(rows, inputs=[video, classes], label="Example clips (made by this project)")
            with gr.Column(scale=3, min_width=420):
                with gr.Row():
                    alt_label = gr.Label(label="ALT", num_top_classes=5, elem_id="alt-probs")
                    base_label = gr.Label(label="CLIP baseline (frame mean)", num_top_classes=5,
                                          elem_id="alt-baseline-probs")
                summary = gr.Markdown(elem_id="alt-summary")
                frame = gr.Slider(0, 7, value=0, step=1, label="Frame (follows the player)",
                                  interactive=False, elem_id="alt-frame")
                frame_md = gr.Markdown()
                with gr.Tabs():
                    with gr.Tab("Regions", id="regions"):
                        n_layers = max(2, model.config.num_layers)
                        layer = gr.Slider(1, n_layers, value=n_layers, step=1, label="Regions after encoder layer",
                                          interactive=False)
                        region_img = gr.Image(label="Merged-token regions", height=360, elem_id="alt-regions",
                                              interactive=False)
                        region_caption = gr.Markdown()
                    with gr.Tab("Alignment", id="alignment"):
                        align_entity = gr.Dropdown([("all entities", render.ALL)], value=render.ALL,
                                                   label="Highlight entity (every frame)", elem_id="alt-entity")
                        annotated = gr.AnnotatedImage(label="Entity -> regions (this frame)", height=360,
                                                      elem_id="alt-annotated")
                        gallery = gr.Gallery(label="Every frame", columns=4, height="auto", object_fit="contain",
                                             elem_id="alt-gallery")
                        align_plot = gr.Plot(label="Region -> entity cosine (this frame)", elem_id="alt-align-plot")
                    with gr.Tab("Attention", id="attention"):
                        with gr.Row():
                            att_entity = gr.Dropdown([("mean of all queries", render.ALL)], value=render.ALL,
                                                     label="Attention of", elem_id="alt-att-entity")
                            alpha = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label="Heatmap opacity")
                        att_img = gr.Image(label="Adapter attention", height=360, elem_id="alt-attention",
                                           interactive=False)
                        att_title = gr.Markdown()
                    with gr.Tab("Timeline", id="timeline"):
                        probs_plot = gr.Plot(label="Top classes: ALT vs CLIP", elem_id="alt-probs-plot")
                        time_plot = gr.Plot(label="Attention over time", elem_id="alt-time-plot")
                        entity_plot = gr.Plot(label="Entity x frame attention", elem_id="alt-entity-plot")
                    with gr.Tab("Downloads", id="downloads"):
                        formats = gr.CheckboxGroup(list(EXPORT_FORMATS), value=list(EXPORT_FORMATS),
                                                   label="Formats")
                        export = gr.Button("Prepare downloads", elem_id="alt-export")
                        files = gr.File(label="Files", file_count="multiple", elem_id="alt-files", interactive=False)
        timestamps = gr.Textbox(visible=False)
        player_time = gr.Number(visible=False)
        follow = gr.Timer(0.4, active=False)  # on while the player plays: keeps the frame slider in step

        with gr.Column(visible=False):  # inputs and outputs of the API endpoints only
            api_video = gr.Video(label="video")
            api_classes = gr.Textbox(label="class_names")
            api_frames = gr.Number(8, precision=0, label="num_frames")
            api_r = gr.Number(min(model.config.r, model.max_r), precision=0, label="r")
            api_explain_out = gr.JSON(label="explanation")
            api_classify_out = gr.JSON(label="probabilities")
            api_explain_btn = gr.Button()
            api_classify_btn = gr.Button()

        # ---- wiring ----------------------------------------------------------------------------
        frame_outs = [region_img, region_caption, annotated, align_plot, att_img, att_title, frame_md]
        preset.change(preset_classes, preset, classes, queue=False, **private)
        video.upload(h.on_upload, video, [video, upload], concurrency_id="media", concurrency_limit=concurrency,
                     **private)
        run.click(h.run, [video, upload, classes, extra, frames, r, top_k, template, alpha],
                  [session, alt_label, base_label, summary, probs_plot, frame, layer, align_entity, att_entity,
                   *frame_outs, gallery, time_plot, entity_plot, files, timestamps, status], **model_events, **private)
        frame.change(h.frame_views, [session, frame, layer, align_entity, att_entity, alpha], frame_outs,
                     trigger_mode="always_last", show_progress="hidden", **private)
        frame.input(None, [frame, timestamps], None, js=JS_SEEK_PLAYER, **private)
        for event in (video.pause, video.end):
            event(h.seek_frame, [session, player_time], frame, js=JS_PLAYER_TIME, queue=False, **private)
        # during playback a timer reads the player's time (gr.Video has no time-update event)
        video.play(lambda: gr.Timer(active=True), None, follow, queue=False, **private)
        for event in (video.pause, video.end, video.stop):
            event(lambda: gr.Timer(active=False), None, follow, queue=False, **private)
        follow.tick(h.seek_frame, [session, player_time], frame, js=JS_PLAYER_TIME, queue=False,
                    show_progress="hidden", **private)
        layer.change(h.region_only, [session, frame, layer], [region_img, region_caption],
                     trigger_mode="always_last", show_progress="hidden", **private)
        align_entity.change(h.entity_views, [session, frame, align_entity], [annotated, gallery],
                            show_progress="minimal", **private)
        for event in (att_entity.change, alpha.release):
            event(h.attention_only, [session, frame, att_entity, alpha], [att_img, att_title],
                  trigger_mode="always_last", show_progress="hidden", **private)
        export.click(h.export, [session, formats], files, concurrency_id="export",
                     concurrency_limit=concurrency, **private)
        api_explain_btn.click(h.api_explain, [api_video, api_classes, api_frames, api_r], api_explain_out,
                              api_name="explain", **model_events)
        api_classify_btn.click(h.api_classify, [api_video, api_classes], api_classify_out,
                               api_name="classify", **model_events)
    return demo


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="ALT Explorer web app (Gradio)")
    p.add_argument("--model", default=None,  # None: alt.DEFAULT_SPEC (resolved in main, so --help stays instant)
                   help="clip:NAME/PRETRAINED, a checkpoint folder, org/name[@rev], or tiny "
                        "(default: alt.DEFAULT_SPEC, clip:ViT-B-16/openai)")
    p.add_argument("--device", default=None, choices=["cpu", "cuda"], help="default: cuda when available")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                   help="address to listen on (0.0.0.0 for all interfaces)")
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    p.add_argument("--max-upload-mb", type=float, default=100.0, help="largest upload accepted (MB)")
    p.add_argument("--max-duration-s", type=float, default=600.0, help="longest video accepted (seconds)")
    p.add_argument("--concurrency", type=int, default=1, help="model calls running at once")
    p.add_argument("--max-queue", type=int, default=64, help="requests waiting at most before new ones are refused")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = p.parse_args(argv)
    if args.concurrency < 1 or args.max_upload_mb <= 0 or args.max_duration_s <= 0:
        p.error("--concurrency, --max-upload-mb and --max-duration-s must be positive")
    return args


def load_or_exit(spec: str, device: str | None) -> ALTModel:
    """Load the model, or print what to do and exit with code 2 (no traceback).

    alt.load_model switches to the local Hugging Face cache when the Hub cannot be reached, so a
    missing download fails at once instead of after minutes of retries.
    """
    from alt.errors import ALTError
    from alt.hub.specs import load_model, needs_hub

    try:
        return load_model(spec, device)
    except (ALTError, OSError) as exc:
        hint = "" if "--model tiny" in str(exc) or not needs_hub(spec) else (
            ". Model weights come from the Hugging Face Hub: connect once (they are cached), pass a local "
            "checkpoint folder, or try the app offline with `python app.py --model tiny`")
        text = f"{str(exc).rstrip('. ')}{hint}." if hint else str(exc)
        print(f"app.py: error: cannot load model {spec!r}: {text}", file=sys.stderr)
        raise SystemExit(2) from None


def warm_up(model: ALTModel) -> None:
    """One tiny call so the corpus embeddings are built (and cached) before the first user arrives."""
    import numpy as np

    frames = np.zeros((4, model.config.image_size, model.config.image_size, 3), np.uint8)  # [T, S, S, 3]
    model.explain(frames, ["warming up"], num_frames=4, record_layers=False)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from alt.hub.specs import DEFAULT_SPEC

    spec = args.model or DEFAULT_SPEC
    model = load_or_exit(spec, args.device)
    logger.info("loaded %s on %s; warming up", spec, model.device)
    warm_up(model)
    demo = build_demo(model, max_duration_s=args.max_duration_s, concurrency=args.concurrency)
    demo.queue(default_concurrency_limit=args.concurrency, max_size=args.max_queue)
    import gradio as gr

    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])  # no web fonts: works offline
    demo.launch(server_name=args.host, server_port=args.port, max_file_size=f"{args.max_upload_mb:g}mb",
                allowed_paths=[str(EXAMPLES_DIR)], show_error=True, theme=theme, css=CSS, head=HEAD,
                footer_links=["api", "gradio"], run_history=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
