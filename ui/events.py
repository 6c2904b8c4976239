"""Wiring: which event of which component calls which handler, with which inputs and outputs.

Every event that calls the model shares one concurrency group, so a server runs at most `concurrency`
model calls at once whatever the mix of UI clicks and API calls.
"""

from __future__ import annotations

import gradio as gr

from ui.handlers import Handlers, preset_classes
from ui.layout import Layout
from ui.page import JS_PLAYER_TIME, JS_SEEK_PLAYER

MODEL_GROUP = "model"  # concurrency_id shared by every event that calls the model
PRIVATE = {"api_visibility": "private"}


def wire(ui: Layout, h: Handlers, concurrency: int) -> None:
    """Connect the layout's components to the handlers (call inside the same `gr.Blocks()`)."""
    model_events = {"concurrency_id": MODEL_GROUP, "concurrency_limit": concurrency}
    ui.preset.change(preset_classes, ui.preset, ui.classes, queue=False, **PRIVATE)
    ui.video.upload(h.on_upload, ui.video, [ui.video, ui.upload], concurrency_id="media",
                    concurrency_limit=concurrency, **PRIVATE)
    ui.run.click(h.run, [ui.video, ui.upload, ui.classes, ui.extra, ui.frames, ui.r, ui.top_k, ui.template, ui.alpha],
                 ui.run_outputs(), **model_events, **PRIVATE)
    _wire_frame(ui, h)
    ui.layer.change(h.region_only, [ui.session, ui.frame, ui.layer], [ui.region_img, ui.region_caption],
                    trigger_mode="always_last", show_progress="hidden", **PRIVATE)
    ui.align_entity.change(h.entity_views, [ui.session, ui.frame, ui.align_entity], [ui.annotated, ui.gallery],
                           show_progress="minimal", **PRIVATE)
    for event in (ui.att_entity.change, ui.alpha.release):
        event(h.attention_only, [ui.session, ui.frame, ui.att_entity, ui.alpha], [ui.att_img, ui.att_title],
              trigger_mode="always_last", show_progress="hidden", **PRIVATE)
    ui.export.click(h.export, [ui.session, ui.formats], ui.files, concurrency_id="export",
                    concurrency_limit=concurrency, **PRIVATE)
    api = ui.api
    api["explain_btn"].click(h.api_explain, [api["video"], api["classes"], api["frames"], api["r"]],
                             api["explain_out"], api_name="explain", **model_events)
    api["classify_btn"].click(h.api_classify, [api["video"], api["classes"]], api["classify_out"],
                              api_name="classify", **model_events)


def _wire_frame(ui: Layout, h: Handlers) -> None:
    """The frame slider, and keeping it in step with the player (pause, end, and a timer while playing)."""
    ui.frame.change(h.frame_views, [ui.session, ui.frame, ui.layer, ui.align_entity, ui.att_entity, ui.alpha],
                    ui.frame_outputs(), trigger_mode="always_last", show_progress="hidden", **PRIVATE)
    ui.frame.input(None, [ui.frame, ui.timestamps], None, js=JS_SEEK_PLAYER, **PRIVATE)
    for event in (ui.video.pause, ui.video.end):
        event(h.seek_frame, [ui.session, ui.player_time], ui.frame, js=JS_PLAYER_TIME, queue=False, **PRIVATE)
    # during playback a timer reads the player's time (gr.Video has no time-update event)
    ui.video.play(lambda: gr.Timer(active=True), None, ui.follow, queue=False, **PRIVATE)
    for event in (ui.video.pause, ui.video.end, ui.video.stop):
        event(lambda: gr.Timer(active=False), None, ui.follow, queue=False, **PRIVATE)
    ui.follow.tick(h.seek_frame, [ui.session, ui.player_time], ui.frame, js=JS_PLAYER_TIME, queue=False,
                   show_progress="hidden", **PRIVATE)
