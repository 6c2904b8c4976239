"""`alt eval`: top-1/top-5 of ALT and the frame-mean baseline under the paper's protocols.

Prints the JSON result on stdout (and writes it with --out) and the table in the shape of the paper's
tables on stderr: dataset, protocol, split(s), top-1 (mean ± std), top-5, the same for the baseline,
videos. Percentages in the table; fractions in the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alt.cli.output import emit


def add_eval_arguments(p: argparse.ArgumentParser) -> None:
    """The `alt eval` options."""
    from alt.hub.specs import DEFAULT_SPEC

    p.add_argument("--data", required=True, help="test data: a folder of class sub-folders, or annotations as the "
                   "dataset ships them (HMDB-51 split files or their folder, UCF-101 lists or their folder, Kinetics "
                   "csv, SSv2 validation.json or its folder), or a plain list file")
    p.add_argument("--model", default=DEFAULT_SPEC, help=f"model spec (default {DEFAULT_SPEC})")
    p.add_argument("--labels", nargs="+", default=None, help="label file for lists that give class numbers; one for "
                   "all --splits, or one per --splits list (e.g. each Kinetics-600 zero-shot split's own)")
    p.add_argument("--root", default=None, help="folder the listed videos are relative to (default: found beside "
                   "the annotations, e.g. ../hmdb51, ../UCF-101)")
    p.add_argument("--splits", nargs="+", default=None, help="several test sources (e.g. the three official test "
                   "lists, or the HMDB-51 split folder): each split is evaluated and mean ± std reported. --data then "
                   "only sets the default --root")
    p.add_argument("--split", type=int, default=None, help="evaluate only official split N (HMDB-51, UCF-101, "
                   "--class-splits); default: every split the sources hold")
    p.add_argument("--class-splits", nargs="+", default=None, help="zero-shot on class subsets: one file of class "
                   "names per split (Kinetics-600: 3 splits of 160 of the 220 classes new to Kinetics-400, e.g. "
                   "ViFi-CLIP's labels/ZS_split1_K600.csv ...); each keeps only its classes' videos, scored among them")
    p.add_argument("--protocol", default=None, help="the protocol column of the table (default: zero-shot or "
                   "supervised, from the classes the model card says it trained on; few-shot rows are 'few-shot K=..')")
    p.add_argument("--views", type=int, default=3, help="temporal views per video, softmax averaged (default 3)")
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--batch-size", type=int, default=8, help="videos per batch (each V views x T frames)")
    p.add_argument("--num-workers", type=int, default=4)
    p.add_argument("--device", default=None)
    p.add_argument("--amp", default="auto", choices=["auto", "bf16", "fp16", "off"])
    p.add_argument("--max-skipped", type=float, default=0.2, help="fraction of missing or unreadable videos tolerated")
    p.add_argument("--out", default=None, help="write the JSON result here too")
    few = p.add_argument_group("few-shot protocol: train on K videos per class of one split, then evaluate")
    few.add_argument("--train-data", default=None, help="training videos: the HMDB-51 split folder, ucfTrainTestlist/ "
                     "or trainlist01.txt, the SSv2 folder or train.json, or any list (the split of the test is used)")
    few.add_argument("--shots", type=int, nargs="+", default=None, help="K videos per class (e.g. 2 4 8 16); one "
                     "row per K")
    few.add_argument("--repeats", type=int, default=1, help="draws per K, seeds --seed, --seed+1, ...; the row "
                     "gives mean ± std over them (default 1)")
    few.add_argument("--train-epochs", type=int, default=10)
    few.add_argument("--train-out", default=None, help="keep every few-shot model in DIR/<K>shot_seed<S>/ with its "
                     "drawn list fewshot_train.txt (default: a temp folder; the draws are in the JSON either way)")
    few.add_argument("--seed", type=int, default=0)


def run_eval(args: argparse.Namespace) -> int:
    """`alt eval`: print the JSON result (stdout) and the table (stderr); write the JSON with --out."""
    from alt.errors import InputError
    from alt.training.protocols import run_protocol

    if args.repeats < 1 or (args.shots and min(args.shots) < 1):
        raise InputError("--shots and --repeats must be at least 1")
    summary = run_protocol(args)
    if summary is not None:
        text = json.dumps(summary, indent=2)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(text + "\n")
        emit(text)
        sys.stderr.write(format_table(summary) + "\n")
    return 0


def _pm(row: dict[str, Any], metric: str) -> str:
    """"44.6 ± 1.2" (percent) when the row averages several runs, else "44.6"."""
    value = f"{100 * row[metric]:.1f}"
    return f"{value} ± {100 * row[metric + '_std']:.1f}" if row["runs"] > 1 else value


def format_table(summary: dict[str, Any]) -> str:
    """The result as a markdown table shaped like the paper's: one row per dataset and protocol."""
    head = (f"model {summary['model']}, {summary['views']} view(s) x {summary['frames']} frames, r={summary['r']}; "
            "top-1 / top-5 in %, mean ± std over splits or draws")
    lines = [head, "",
             "| dataset | protocol | split(s) | top-1 | top-5 | baseline top-1 | baseline top-5 | videos |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in summary["table"]:
        splits = ", ".join(map(str, row["splits"])) or "-"
        videos = ", ".join(str(n) for n in dict.fromkeys(row["videos_per_run"]))
        lines.append(f"| {row['dataset']} | {row['protocol']} | {splits} | {_pm(row, 'top1')} | {_pm(row, 'top5')} | "
                     f"{_pm(row, 'baseline_top1')} | {_pm(row, 'baseline_top5')} | {videos} |")
    return "\n".join(lines)
