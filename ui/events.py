"""Wiring: which event of which component calls which handler, with which inputs and outputs.

Every event that calls the model shares one concurrency group, so a server runs at most `concurrency`
model calls at once whatever the mix of UI clicks and API calls.
"""

from __future__ import annotations

import gradio as gr

from ui.handlers import Handlers, preset_classes
from ui.layout import Layout
from ui.page import JS_PLAYER_TIME, JS_SEEK_PLAYER
from ui.windows import wire_whole

MODEL_GROUP = "model"  # concurrency_id shared by every event that calls the model
PRIVATE = {"api_visibility": "private"}


def wire(ui: Layout, h: Handlers, concurrency: int) -> None:
    """Connect the layout's components to the handlers (call inside the same `gr.Blocks()`)."""
    model_events = {"concurrency_id": MODEL_GROUP, "concurrency_limit": concurrency}
    ui.preset.change(preset_classes, ui.preset, ui.classes, queue=False, **PRIVATE)
    ui.video.upload(h.on_upload, ui.video, [ui.video, ui.upload], concurrency_id="media",
                    concurrency_limit=concurrency, **PRIVATE)
    ui.run.click(h.run, [ui.session, ui.video, ui.upload, ui.classes, ui.extra, ui.frames, ui.r, ui.top_k, ui.template,
                         ui.alpha, ui.att_view, ui.plain_clip], ui.run_outputs(), **model_events, **PRIVATE)
    ui.video.change(h.on_video_change, [ui.session, ui.video, ui.upload], ui.result_outputs(), queue=False, **PRIVATE)
    _wire_frame(ui, h)
    wire_whole(ui, h, model_events, PRIVATE)  # ui/windows.py: the whole-video timeline
    _wire_evidence(ui, h, concurrency)
    ui.layer.change(h.region_only, [ui.session, ui.frame, ui.layer], [ui.region_img, ui.region_caption],
                    trigger_mode="always_last", show_progress="hidden", **PRIVATE)
    ui.align_entity.change(h.entity_views, [ui.session, ui.frame, ui.align_entity, ui.alpha],
                           [ui.annotated, ui.align_info, ui.gallery], show_progress="minimal", **PRIVATE)
    ui.annotated.select(h.select_entity, [ui.session, ui.frame, ui.align_entity], ui.align_entity, **PRIVATE)
    ui.gallery.select(h.select_frame, ui.session, ui.frame, **PRIVATE)
    for event in (ui.att_entity.change, ui.alpha.release, ui.att_view.change):
        event(h.attention_only, [ui.session, ui.frame, ui.att_entity, ui.alpha, ui.att_view],
              [ui.att_img, ui.att_title], trigger_mode="always_last", show_progress="hidden", **PRIVATE)
    ui.export.click(h.export, [ui.session, ui.formats], ui.files, concurrency_id="export",
                    concurrency_limit=concurrency, **PRIVATE)
    api = ui.api
    api["explain_btn"].click(h.api_explain, [api["video"], api["classes"], api["frames"], api["r"], api["plain_clip"]],
                             api["explain_out"], api_name="explain", **model_events)
    api["classify_btn"].click(h.api_classify, [api["video"], api["classes"]], api["classify_out"],
                              api_name="classify", **model_events)


def _wire_evidence(ui: Layout, h: Handlers, concurrency: int) -> None:
    """The Evidence tab (ui/evidence.py): counterfactuals re-run only the adapter (own group, milliseconds);
    curves in pixel mode re-encode the clip, so they share the model group."""
    cf = {"concurrency_id": "evidence", "concurrency_limit": concurrency, "show_progress": "hidden", **PRIVATE}
    ui.ev_class.input(h.evidence_views, [ui.session, ui.ev_class, ui.frame], ui.evidence_outputs(), **PRIVATE)
    ui.ev_entity.change(h.ev_drop_entities, [ui.session, ui.ev_entity, ui.ev_drops, ui.ev_class, ui.frame],
                        [ui.ev_result, ui.ev_drops, ui.ev_region_img], trigger_mode="always_last", **cf)
    ui.ev_table.select(h.ev_pick_row, [ui.session, ui.ev_entity], ui.ev_entity, **PRIVATE)
    ui.ev_region_img.select(h.ev_pick_region, [ui.session, ui.ev_drops, ui.ev_class, ui.frame],
                            [ui.ev_result, ui.ev_drops, ui.ev_region_img], **cf)
    ui.ev_restore.click(h.ev_restore, [ui.session, ui.ev_class, ui.frame],
                        [ui.ev_result, ui.ev_drops, ui.ev_region_img, ui.ev_entity], **cf)
    ui.frame.change(h.ev_frame, [ui.session, ui.ev_drops, ui.ev_class, ui.frame], ui.ev_region_img,
                    trigger_mode="always_last", show_progress="hidden", **PRIVATE)
    ui.ev_curves_btn.click(h.ev_curves, [ui.session, ui.ev_mode, ui.ev_class],
                           [ui.ev_curves_plot, ui.ev_curves_caption, ui.ev_curves_files],
                           concurrency_id=MODEL_GROUP, concurrency_limit=concurrency, **PRIVATE)


def _wire_frame(ui: Layout, h: Handlers) -> None:
    """The frame slider, and keeping it in step with the player (pause, end, and a timer while playing)."""
    ui.frame.change(h.frame_views,
                    [ui.session, ui.frame, ui.layer, ui.align_entity, ui.att_entity, ui.alpha, ui.att_view],
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
