"""The `alt` command: explain, classify, train, eval, corpus build, push.

Each subcommand's work lives in its own module; this file only parses arguments, sets up logging and
turns expected errors (bad input, unreadable video, broken checkpoint) into one clear line and exit
code 2, instead of a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

logger = logging.getLogger("alt")


def _add_model_args(p: argparse.ArgumentParser) -> None:
    from .specs import DEFAULT_SPEC

    p.add_argument("--model", default=DEFAULT_SPEC,
                   help=f"model spec: clip:NAME/PRETRAINED, a checkpoint folder, org/name[@rev], or tiny (default {DEFAULT_SPEC})")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")


def _add_clip_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video file (mp4, avi, webm, mov, mkv, gif, or a still image)")
    p.add_argument("--classes", required=True, help='class names, comma separated: "riding a bike, swimming"')
    p.add_argument("--frames", type=int, default=8, help="frames sampled from the video (1-64, default 8)")
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--extra-entities", default=None, help="extra entity words for this call, comma separated")
    _add_model_args(p)


def cmd_explain(args: argparse.Namespace) -> int:
    from visualizers import export_explanation

    from .specs import load_model

    model = load_model(args.model, args.device)
    exp = model.explain(args.video, args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities, progress=_log_progress)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    paths = export_explanation(exp, args.out, formats=formats)
    top = exp.top_classes(1)[0]
    emit(json.dumps({"prediction": top[0], "probability": top[1], "files": {k: str(v) for k, v in paths.items()}}, indent=2))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from .specs import load_model

    model = load_model(args.model, args.device)
    exp = model.explain(args.video, args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities, record_layers=False)
    out = {"model": args.model, "probs": dict(zip(exp.class_names, map(float, exp.probs))),
           "baseline_probs": dict(zip(exp.class_names, map(float, exp.baseline_probs))),
           "adapter_trained": exp.adapter_trained, "timings": exp.timings}
    emit(json.dumps(out, indent=2))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from .model import ALTModel

    model = ALTModel.from_pretrained(args.folder)  # validates the folder before anything is uploaded
    url = model.push_to_hub(args.repo_id, private=args.private, commit_message=args.message)
    emit(str(url))
    return 0


def emit(text: str) -> None:
    """The command's result on stdout (logging goes to stderr)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _log_progress(fraction: float, stage: str) -> None:
    logger.info("%3d%% %s", int(fraction * 100), stage)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alt", description="ALT Explorer: why a video-language model recognises an action")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("explain", help="explain one clip; write JSON, PNG, PDF, MP4 and ZIP")
    _add_clip_args(p)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--formats", default="json,png,pdf,mp4,zip", help="comma separated subset of json,png,pdf,mp4,zip")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("classify", help="class probabilities for one clip, as JSON on stdout")
    _add_clip_args(p)
    p.set_defaults(func=cmd_classify)

    from .train import add_train_arguments, run_train

    p = sub.add_parser("train", help="train the adapter (few-shot or full) on a dataset folder or list file")
    add_train_arguments(p)
    p.set_defaults(func=run_train)

    from .evaluate import add_eval_arguments, run_eval

    p = sub.add_parser("eval", help="top-1/top-5 with temporal views, ALT vs the CLIP baseline")
    add_eval_arguments(p)
    p.set_defaults(func=run_eval)

    from .corpus_build import add_build_arguments, run_build

    corpus = sub.add_parser("corpus", help="entity corpus tools").add_subparsers(dest="corpus_command", required=True)
    p = corpus.add_parser("build", help="build an entity corpus from label lists (offline, deterministic)")
    add_build_arguments(p)
    p.set_defaults(func=run_build)

    p = sub.add_parser("push", help="upload a checkpoint folder to the Hugging Face Hub")
    p.add_argument("folder", help="folder written by save_pretrained or `alt train`")
    p.add_argument("repo_id", help="org/name on the Hub")
    p.add_argument("--private", action="store_true")
    p.add_argument("--message", default="Upload ALT checkpoint")
    p.set_defaults(func=cmd_push)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    from .checkpoint import CheckpointError
    from .config import ConfigError
    from .corpus import CorpusError
    from .specs import ModelSpecError
    from .validate import InputError
    from .video import VideoError

    try:
        return int(args.func(args) or 0)
    except (InputError, VideoError, CheckpointError, ConfigError, CorpusError, ModelSpecError, FileNotFoundError) as exc:
        sys.stderr.write(f"alt {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"alt {args.command}: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
