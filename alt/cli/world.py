"""`alt world`: the ALT World model, from scratch to the shipped checkpoint and its measured explanations.

    alt world pretrain --out runs/world-clip                 # CLIP from scratch on world frames + captions
    alt world data --out runs/world-data                     # train/ and val/ class folders of world clips
    alt train --data runs/world-data/train --val runs/world-data/val --model runs/world-clip --out runs/world-alt
    alt world release --model runs/world-alt --pretrained runs/world-clip --out assets/models/alt-world
    alt world eval [--model world]                           # pointing, IoU, focus, curves, top-1 vs targets

Tables go to stderr, the JSON report to stdout (and to --json).
"""

from __future__ import annotations

import argparse
import json
import sys

from alt.cli.output import emit


def add_world_commands(sub: argparse._SubParsersAction) -> None:
    """Register `alt world <pretrain|data|eval|release>` on the main parser's sub-commands."""
    tools = sub.add_parser("world", help="ALT World: the synthetic world, its model and measured explanations")
    world = tools.add_subparsers(dest="world_command", required=True)

    p = world.add_parser("pretrain", help="pretrain the world CLIP (ClipLoss + dense region-text loss), deterministic")
    p.add_argument("--out", required=True, help="output checkpoint folder (adapter untrained)")
    p.add_argument("--steps", type=int, default=None, help="optimizer steps (default: the recipe's)")
    p.add_argument("--batch-size", type=int, default=None, help="frames per step (default: the recipe's)")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the recipe's)")
    p.set_defaults(func=run_pretrain)

    p = world.add_parser("data", help="write train/ and val/ folders of labelled world clips (AVI, masks, metadata)")
    p.add_argument("--out", required=True)
    p.add_argument("--per-class", type=int, default=128, help="training clips per class (default 128)")
    p.add_argument("--val-per-class", type=int, default=8, help="validation clips per class (default 8; 0: none)")
    p.add_argument("--seed", type=int, default=0, help="training set seed; validation uses seed + 1")
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--size", type=int, default=96)
    p.set_defaults(func=run_data)

    p = world.add_parser("eval", help="explain held-out world clips and score the explanations against the truth")
    _eval_arguments(p)
    p.add_argument("--model", default="world", help="model spec (default: world, the shipped model)")
    p.add_argument("--json", default=None, help="also write the JSON report to this file")
    p.set_defaults(func=run_eval)

    p = world.add_parser("release", help="float16 copy of a trained world model with its logs, evaluation and card")
    p.add_argument("--model", required=True, help="the folder `alt train` wrote")
    p.add_argument("--pretrained", required=True, help="the folder `alt world pretrain` wrote (its logs are copied)")
    p.add_argument("--out", required=True, help="release folder, e.g. assets/models/alt-world")
    p.add_argument("--commands", default=None, help="a text file with the exact commands of the run (for the card)")
    p.add_argument("--earlier", action="append", default=[], metavar="RUN",
                   help="an `alt train` folder that --model continued from (repeat, oldest first): its log ships "
                        "as train_log_run<i>.jsonl and the card covers every run")
    _eval_arguments(p)
    p.set_defaults(func=run_release)


def _eval_arguments(p: argparse.ArgumentParser) -> None:
    from alt.world.evaluate import EVAL_SEED

    p.add_argument("--per-class", type=int, default=8, help="held-out clips per class (default 8)")
    p.add_argument("--seed", type=int, default=EVAL_SEED, help=f"held-out set seed (default {EVAL_SEED})")
    p.add_argument("--frames", type=int, default=8, help="frames explained per clip (default 8)")
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--curves", default="pixel", choices=["fast", "pixel", "none"],
                   help="deletion/insertion curves: patches blurred and the clip re-encoded (pixel, the default: the "
                   "insertion target is measured on these) or regions out of the adapter's keys (fast, "
                   "seconds)")
    p.add_argument("--curve-steps", type=int, default=10)
    p.add_argument("--curve-per-class", type=int, default=None, help="clips per class that get curves (default all)")
    p.add_argument("--device", default="cpu")


def _eval_settings(args: argparse.Namespace):
    from alt.world.evaluate import EvalSettings

    return EvalSettings(per_class=args.per_class, seed=args.seed, num_frames=args.frames, r=args.r,
                        curve_mode=args.curves, curve_steps=args.curve_steps, curve_per_class=args.curve_per_class)


def run_pretrain(args: argparse.Namespace) -> int:
    from alt.world.pretrain import PretrainSettings, pretrain

    given = {k: v for k, v in {"steps": args.steps, "batch_size": args.batch_size, "lr": args.lr,
                               "threads": args.threads}.items() if v is not None}
    summary = pretrain(PretrainSettings(out=args.out, seed=args.seed, **given))
    emit(json.dumps({k: summary[k] for k in ("steps", "frames_seen", "wall_s", "cpu_s", "first", "last")}, indent=2))
    return 0


def run_data(args: argparse.Namespace) -> int:
    from pathlib import Path

    from alt.world import write_dataset

    out = Path(args.out)
    done = {"train": str(write_dataset(out / "train", args.per_class, args.seed, args.frames, args.size))}
    if args.val_per_class > 0:
        done["val"] = str(write_dataset(out / "val", args.val_per_class, args.seed + 1, args.frames, args.size))
    emit(json.dumps(done, indent=2))
    return 0


def _log_progress(done: int, total: int) -> None:
    if done % 13 == 0 or done == total:
        sys.stderr.write(f"explained {done}/{total} held-out clips\n")


def run_eval(args: argparse.Namespace) -> int:
    from alt.hub.specs import load_model
    from alt.world.evaluate import evaluate_world
    from alt.world.report import full_report

    model = load_model(args.model, args.device)
    report = evaluate_world(model, _eval_settings(args), progress=_log_progress)
    sys.stderr.write(full_report(report) + "\n")
    text = json.dumps(report, indent=2)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text + "\n")
    emit(text)
    return 0


def run_release(args: argparse.Namespace) -> int:
    from alt.world.release import release
    from alt.world.report import targets_table

    report = release(args.model, args.pretrained, args.out, _eval_settings(args), commands=args.commands,
                     earlier=args.earlier)
    sys.stderr.write(targets_table(report) + "\n")
    emit(json.dumps({k: report[k] for k in ("pointing", "attention_focus", "top1", "timing", "release")}, indent=2,
                    default=str))
    return 0
