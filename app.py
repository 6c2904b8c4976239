"""ALT Explorer: see why ALT ("Align before Adapt", CVPR 2024) recognises an action in a video.

    python app.py                      # default model (CLIP ViT-B/16 openai weights from the Hub)
    python app.py --model tiny         # tiny random model, offline, for trying the UI

Upload or record a clip, type zero-shot class names, and compare ALT with the CLIP baseline; tabs show
merged-token regions, entity-to-region alignment, adapter attention and timelines, all re-rendered from
the session's Explanation without re-running the model. API endpoints: /explain, /classify (README).
This file reads the arguments and the model's config, serves `ui.build(slot)`, then loads the model
into the slot (requests made meanwhile wait); nothing heavy is imported until `main()`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel
    from alt.model.config import ALTConfig
    from ui.model_slot import ModelSlot

logger = logging.getLogger("alt.app")
EXAMPLES_DIR = Path(__file__).resolve().parent / "assets" / "examples"


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
    p.add_argument("--cache-ttl-s", type=int, default=3600,
                   help="uploads and outputs are deleted from Gradio's cache once this old (seconds)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = p.parse_args(argv)
    if args.concurrency < 1 or args.max_upload_mb <= 0 or args.max_duration_s <= 0 or args.cache_ttl_s <= 0:
        p.error("--concurrency, --max-upload-mb, --max-duration-s and --cache-ttl-s must be positive")
    return args


def cannot_load(spec: str, exc: Exception) -> str:
    """Why a model cannot be had and what to do, in one line (printed after "app.py: error: ")."""
    from alt.hub.offline import OFFLINE_HINT, needs_hub

    hint = "" if OFFLINE_HINT in str(exc) or not needs_hub(spec) else (
        ". Model weights come from the Hugging Face Hub: connect once (they are cached), pass a local "
        "checkpoint folder, or " + OFFLINE_HINT)
    text = f"{str(exc).rstrip('. ')}{hint}." if hint else str(exc)
    return f"cannot load model {spec!r}: {text}"


def config_or_exit(spec: str) -> ALTConfig:
    """The spec's config, read without torch (a bad spec or a missing checkpoint fails here, before serving),
    or print what to do and exit with code 2 (no traceback)."""
    from alt.errors import ALTError
    from alt.hub.specs import spec_config

    try:
        return spec_config(spec)
    except (ALTError, OSError) as exc:
        print(f"app.py: error: {cannot_load(spec, exc)}", file=sys.stderr)
        raise SystemExit(2) from None


def load_into(slot: ModelSlot, spec: str, device: str | None) -> bool:
    """Import torch, load the weights and warm up, then hand the model to the waiting page. False if it failed
    (the error is printed and given to `slot`, so waiting requests get it too)."""
    from alt.errors import ALTError
    from alt.heap import freeze_long_lived
    from alt.hub.specs import load_model

    try:
        model = load_model(spec, device)  # alt.load_model uses the local Hub cache when the Hub cannot be reached
    except (ALTError, OSError) as exc:
        reason = cannot_load(spec, exc)
        print(f"app.py: error: {reason}", file=sys.stderr)
        slot.fail(reason)
        return False
    logger.info("loaded %s on %s; warming up", spec, model.device)
    warm_up(model)
    freeze_long_lived()  # the imports and the weights: out of the garbage collector's walks (alt/heap.py)
    slot.put(model)
    logger.info("model ready")
    return True


def warm_up(model: ALTModel) -> None:
    """One tiny call so the corpus embeddings are built (and cached) before the first user arrives."""
    import numpy as np

    frames = np.zeros((4, model.config.image_size, model.config.image_size, 3), np.uint8)  # [T, S, S, 3]
    model.explain(frames, ["warming up"], num_frames=4, record_layers=False)


def main(argv: list[str] | None = None) -> int:
    """Serve the page first, then load the model: the page is up in seconds (torch and open_clip take most of
    a start), and a request made before the weights are in waits for them."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from alt.hub.specs import DEFAULT_SPEC

    spec = args.model or DEFAULT_SPEC
    config = config_or_exit(spec)

    import gradio as gr

    import ui
    from ui.model_slot import ModelSlot
    from ui.page import CSS, HEAD

    slot = ModelSlot(config, device=args.device)
    demo = ui.build(slot, max_duration_s=args.max_duration_s, concurrency=args.concurrency,
                    max_upload_mb=args.max_upload_mb,
                    delete_cache=(max(1, min(600, args.cache_ttl_s // 4)), args.cache_ttl_s))
    demo.queue(default_concurrency_limit=args.concurrency, max_size=args.max_queue)
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])  # no web fonts: works offline
    # Served files: uploads, outputs and the example clips, nothing else (README.md, "Serving the app publicly").
    # show_error=False: clients see only the messages our handlers raise (gr.Error), never the text of
    # an unexpected exception (paths, Gradio's own refusals); the server log keeps those.
    demo.launch(server_name=args.host, server_port=args.port, max_file_size=int(args.max_upload_mb * 2**20),
                allowed_paths=[str(EXAMPLES_DIR)], show_error=False, theme=theme, css=CSS, head=HEAD,
                footer_links=["api", "gradio"], run_history=False, prevent_thread_lock=True)
    logger.info("page served; loading %s", spec)
    if not load_into(slot, spec, args.device):
        demo.close()
        return 2
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
