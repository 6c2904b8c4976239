"""The Gradio front end: page (static parts), layout (components by name), events (wiring), handlers
(thin callbacks), render (views of one Explanation), media (uploads and scratch files), examples.

`ui.build(model)` returns the app's Blocks; gradio is imported only when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

    from alt.model.alt_model import ALTModel


def build(model: ALTModel, *, max_duration_s: float = 600.0, concurrency: int = 1) -> gr.Blocks:
    """The app's Blocks, sharing one loaded `model` between all users (never mutated by a request).

    Args:
        model: a loaded ALTModel.
        max_duration_s: longest video accepted, in seconds.
        concurrency: model calls running at once (all model events share one concurrency group).
    """
    import gradio as gr

    from ui.events import wire
    from ui.handlers import Handlers
    from ui.layout import build_layout

    with gr.Blocks(title="ALT Explorer") as demo:
        layout = build_layout(model)
        wire(layout, Handlers(model, layout, max_duration_s=max_duration_s), concurrency)
    return demo
