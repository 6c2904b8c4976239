"""`alt explain` (exports) and `alt classify` (JSON on stdout) for one clip."""

from __future__ import annotations

import argparse
import json

from alt.cli.output import emit, log_progress


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """--model and --device, shared by every command that loads a model."""
    from alt.hub.specs import DEFAULT_SPEC

    p.add_argument("--model", default=DEFAULT_SPEC,
                   help=f"model spec: clip:NAME/PRETRAINED, a checkpoint folder, org/name[@rev], or tiny "
                   f"(default {DEFAULT_SPEC})")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")


def add_clip_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a one-clip command: the video, class names, frames, r, extra entities, model."""
    p.add_argument("video", help="video file (mp4, avi, webm, mov, mkv, gif, or a still image)")
    p.add_argument("--classes", required=True, help='class names, comma separated: "riding a bike, swimming"')
    p.add_argument("--frames", type=int, default=8, help="frames sampled from the video (1-64, default 8)")
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--extra-entities", default=None, help="extra entity words for this call, comma separated")
    p.add_argument("--plain-clip", action="store_true",
                   help="also run plain CLIP (a second pass at r=0); the baseline is CLIP over the same merged tokens")
    add_model_arguments(p)


def add_explain_arguments(p: argparse.ArgumentParser) -> None:
    add_clip_arguments(p)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--formats", default=None, help="comma separated subset of json,png,pdf,mp4,zip (default: all); "
                   "with --windows of json,html (default both); for a folder or list of videos default json")
    p.add_argument("--windows", default=None, metavar="LENGTH",
                   help="explain the whole video window by window, e.g. 5s or 1m: a timeline (timeline.json, "
                        "timeline.html). VIDEO may also be a folder or a .txt list of videos (torchrun shards them)")
    p.add_argument("--stride", default=None, metavar="LENGTH", help="step between window starts (default: --windows)")
    p.add_argument("--batch-windows", type=int, default=None,
                   help="windows per batched encoder pass (default 4 on a CPU, 16 on a GPU)")
    p.add_argument("--evidence", nargs="?", const="fast", default=None, choices=["fast", "pixel", "both"],
                   help="also write deletion/insertion curves (PNG/PDF/JSON, with AUCs): fast (regions masked in "
                        "the adapter's keys; the default when the flag is given alone), pixel (regions blurred and "
                        "the clip re-encoded; slow) or both")
    p.add_argument("--evidence-steps", type=int, default=None,
                   help="curve steps (default 20 for fast, 12 for pixel; pixel allows up to 50)")
    p.add_argument("--evidence-class", default=None,
                   help="class whose probability the curves track (default: ALT's top)")


def run_explain(args: argparse.Namespace) -> int:
    from alt.cli.explain_many import CLIP_FORMATS, is_collection, run_collection, run_windows
    from alt.hub.specs import load_model
    from visualizers import export_explanation

    if is_collection(args.video):
        return run_collection(args)
    if args.windows:
        return run_windows(args)
    model = load_model(args.model, args.device)
    exp = model.explain(args.video, args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities, progress=log_progress,
                        plain_clip=getattr(args, "plain_clip", False))
    formats = [f.strip() for f in (args.formats or CLIP_FORMATS).split(",") if f.strip()]
    curves = _curves(model, exp, args)
    paths = export_explanation(exp, args.out, formats=formats, evidence=bool(args.evidence), curves=curves)
    top = exp.top_classes(1)[0]
    out = {"prediction": top[0], "probability": top[1], "files": {k: str(v) for k, v in paths.items()}}
    if curves:
        out["evidence_aucs"] = {c.mode: c.aucs() for c in curves}
    emit(json.dumps(out, indent=2))
    return 0


def _curves(model, exp, args: argparse.Namespace) -> list:
    """The deletion/insertion curves `--evidence` asks for (alt/evidence/curves.py), else []."""
    if not getattr(args, "evidence", None):
        return []
    modes = ["fast", "pixel"] if args.evidence == "both" else [args.evidence]
    kwargs = {"steps": args.evidence_steps} if args.evidence_steps else {}
    return [model.evidence_curves(exp, mode, cls=args.evidence_class, progress=log_progress, **kwargs)
            for mode in modes]


def run_classify(args: argparse.Namespace) -> int:
    from alt.hub.specs import load_model

    model = load_model(args.model, args.device)
    from alt.explanation import BASELINE_NAME

    exp = model.explain(args.video, args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities, record_layers=False, plain_clip=args.plain_clip)
    out = {"model": args.model, "probs": dict(zip(exp.class_names, map(float, exp.probs))),
           "baseline": BASELINE_NAME, "baseline_probs": dict(zip(exp.class_names, map(float, exp.baseline_probs))),
           "adapter_trained": exp.adapter_trained, "timings": exp.timings}
    if exp.plain_clip_probs is not None:
        out["plain_clip_probs"] = dict(zip(exp.class_names, map(float, exp.plain_clip_probs)))
    emit(json.dumps(out, indent=2))
    return 0
