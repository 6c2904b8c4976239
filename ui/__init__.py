"""The Gradio front end: page (static parts), layout (components by name), events (wiring), handlers
(thin callbacks), render (views of one Explanation), media (uploads and scratch files), examples.

`ui.build(model)` returns the app's Blocks; gradio is imported only when it is called. `model` may be a
`ui.model_slot.ModelSlot` whose weights are still loading: the page is built from its config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

    from alt.model.alt_model import ALTModel
    from ui.model_slot import ModelSlot


def build(model: ALTModel | ModelSlot, *, max_duration_s: float = 600.0, concurrency: int = 1,
          max_upload_mb: float | None = None, delete_cache: tuple[int, int] | None = (600, 3600)) -> gr.Blocks:
    """The app's Blocks, sharing one loaded `model` between all users (never mutated by a request).

    Args:
        model: a loaded ALTModel, or a ModelSlot that `app.py` fills once the weights are loaded (requests
            made before then wait, and the banner says "loading" until the weights are in).
        max_duration_s: longest video accepted, in seconds.
        concurrency: model calls running at once (all model events share one concurrency group).
        max_upload_mb: largest upload a handler reads (Gradio's `max_file_size` refuses bigger uploads first).
        delete_cache: (every s, older than s): Gradio deletes its cached uploads and outputs on this schedule.
    """
    import gradio as gr

    from ui.events import wire
    from ui.handlers import Handlers
    from ui.layout import build_layout
    from ui.model_slot import ModelSlot

    slot = model if isinstance(model, ModelSlot) else ModelSlot.ready_with(model)
    with gr.Blocks(title="ALT Explorer", delete_cache=delete_cache) as demo:
        layout = build_layout(slot)
        handlers = Handlers(slot, layout, max_duration_s=max_duration_s, max_upload_mb=max_upload_mb)
        wire(layout, handlers, concurrency)
        if not slot.loaded:  # the page was laid out before the weights: each page load fills in the device
            demo.load(handlers.banner, None, layout.banner, show_progress="hidden", api_visibility="private")
        demo.unload(handlers.end_session)  # a closed tab: its scratch folder goes
    return demo
