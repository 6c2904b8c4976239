"""`alt eval`: top-1/top-5 of ALT and the frame-mean baseline; prints (and writes) the JSON result."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from alt.cli.output import emit


def add_eval_arguments(p: argparse.ArgumentParser) -> None:
    """The `alt eval` options."""
    from alt.hub.specs import DEFAULT_SPEC

    p.add_argument("--data", required=True, help="test data: a folder of class sub-folders or a list file")
    p.add_argument("--model", default=DEFAULT_SPEC, help=f"model spec (default {DEFAULT_SPEC})")
    p.add_argument("--labels", default=None, help="label file for lists that give class numbers")
    p.add_argument("--root", default=None, help="folder that list-file paths are relative to")
    p.add_argument("--splits", nargs="+", default=None, help="several list files (e.g. the three official test "
                   "splits): each is evaluated; mean and std are reported. --data then only sets the default --root")
    p.add_argument("--views", type=int, default=3, help="temporal views per video, softmax averaged (default 3)")
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--batch-size", type=int, default=8, help="videos per batch (each V views x T frames)")
    p.add_argument("--num-workers", type=int, default=4)
    p.add_argument("--device", default=None)
    p.add_argument("--amp", default="auto", choices=["auto", "bf16", "fp16", "off"])
    p.add_argument("--max-skipped", type=float, default=0.2, help="fraction of unreadable videos tolerated")
    p.add_argument("--out", default=None, help="write the JSON result here too")
    few = p.add_argument_group("few-shot protocol: train on K videos per class first, then evaluate")
    few.add_argument("--train-data", default=None, help="training folder or list (e.g. trainlist01.txt)")
    few.add_argument("--shots", type=int, default=None, help="K videos per class drawn from --train-data")
    few.add_argument("--train-epochs", type=int, default=10)
    few.add_argument("--train-out", default=None, help="where the few-shot model is saved (default: a temp folder)")
    few.add_argument("--seed", type=int, default=0)




def run_eval(args: argparse.Namespace) -> int:
    """`alt eval`: print (and optionally write) the JSON result (rank 0)."""
    from alt.training.protocols import run_protocol

    summary = run_protocol(args)
    if summary is not None:
        text = json.dumps(summary, indent=2)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(text + "\n")
        emit(text)
    return 0
