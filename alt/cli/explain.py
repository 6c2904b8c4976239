"""`alt explain` (exports) and `alt classify` (JSON on stdout) for one clip."""

from __future__ import annotations

import argparse
import json

from alt.cli.output import emit, log_progress


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """--model and --device, shared by every command that loads a model."""
    from alt.hub.specs import DEFAULT_SPEC

    p.add_argument("--model", default=DEFAULT_SPEC,
                   help=f"model spec: clip:NAME/PRETRAINED, a checkpoint folder, org/name[@rev], or tiny (default {DEFAULT_SPEC})")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")


def add_clip_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a one-clip command: the video, class names, frames, r, extra entities, model."""
    p.add_argument("video", help="video file (mp4, avi, webm, mov, mkv, gif, or a still image)")
    p.add_argument("--classes", required=True, help='class names, comma separated: "riding a bike, swimming"')
    p.add_argument("--frames", type=int, default=8, help="frames sampled from the video (1-64, default 8)")
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--extra-entities", default=None, help="extra entity words for this call, comma separated")
    add_model_arguments(p)


def add_explain_arguments(p: argparse.ArgumentParser) -> None:
    add_clip_arguments(p)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--formats", default="json,png,pdf,mp4,zip", help="comma separated subset of json,png,pdf,mp4,zip")


def run_explain(args: argparse.Namespace) -> int:
    from alt.hub.specs import load_model
    from visualizers import export_explanation

    model = load_model(args.model, args.device)
    exp = model.explain(args.video, args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities, progress=log_progress)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    paths = export_explanation(exp, args.out, formats=formats)
    top = exp.top_classes(1)[0]
    emit(json.dumps({"prediction": top[0], "probability": top[1], "files": {k: str(v) for k, v in paths.items()}},
                    indent=2))
    return 0


def run_classify(args: argparse.Namespace) -> int:
    from alt.hub.specs import load_model

    model = load_model(args.model, args.device)
    exp = model.explain(args.video, args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities, record_layers=False)
    out = {"model": args.model, "probs": dict(zip(exp.class_names, map(float, exp.probs))),
           "baseline_probs": dict(zip(exp.class_names, map(float, exp.baseline_probs))),
           "adapter_trained": exp.adapter_trained, "timings": exp.timings}
    emit(json.dumps(out, indent=2))
    return 0
