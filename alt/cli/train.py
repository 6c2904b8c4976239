"""`alt train`: the command-line options, mapped onto TrainSettings; prints the run's JSON summary."""

from __future__ import annotations

import argparse
import json

from alt.cli.output import emit


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    """The `alt train` options: data, recipe, optimisation and run settings."""
    _add_data_arguments(p)
    _add_recipe_arguments(p)
    _add_optimisation_arguments(p)
    _add_run_arguments(p)


def _add_data_arguments(p: argparse.ArgumentParser) -> None:
    """What to train on and validate on, where the result goes, and the starting model."""
    from alt.hub.specs import DEFAULT_SPEC

    p.add_argument("--data", required=True, help="training data: a folder of class sub-folders, annotations as the "
                   "dataset ships them (HMDB-51 split folder or split file: its flag-1 videos; UCF-101 "
                   "ucfTrainTestlist/ or trainlistNN.txt; Kinetics csv; SSv2 folder or train.json), or a list file "
                   "('path label_index' with --labels, 'path label name', 'path' under a class folder)")
    p.add_argument("--out", required=True, help="output folder: the trained checkpoint, metrics.jsonl, resume/")
    p.add_argument("--model", default=None, help=f"starting model spec (default {DEFAULT_SPEC}; with --resume, the "
                   "resumed run's)")
    p.add_argument("--labels", default=None, help="label file (one name per line, or UCF's classInd.txt) for lists "
                   "that give class numbers")
    p.add_argument("--root", default=None, help="folder that list-file paths are relative to (default: found beside "
                   "the annotations, e.g. ../hmdb51, ../UCF-101)")
    p.add_argument("--val", default=None, help="validation data, read as --data (the test part of an official "
                   "split: HMDB-51 flag 2, testlistNN.txt, SSv2 validation.json); evaluated every --val-every epochs")
    p.add_argument("--val-labels", default=None)
    p.add_argument("--val-root", default=None)
    p.add_argument("--split", type=int, default=None, help="official split N of HMDB-51 / UCF-101 annotations "
                   "(--data trains on its train part, --val validates on its test part)")
    p.add_argument("--shots", type=int, default=None, help="few-shot: K videos per class, drawn with --seed")
    p.add_argument("--seed", type=int, default=0)


def _add_recipe_arguments(p: argparse.ArgumentParser) -> None:
    """--recipe and the options marked (recipe), which it fills when they are not given."""
    from alt.training.settings import RECIPES

    p.add_argument("--recipe", default="default", choices=sorted(RECIPES),
                   help="fills every option below marked (recipe) that is not given: 'default' (measured on small "
                   "motion datasets: argmax alignment, logit scales 100, lr 1.5e-3, temporal jitter, auto epochs) or "
                   "'paper' (Gumbel noise 1, the model's own scales, lr 1e-3, jitter, 10 epochs); "
                   "the README's Training section has the measurements")
    p.add_argument("--epochs", type=int, default=None, help="(recipe) epochs; default: auto, 10 epochs but at "
                   "least 400 optimizer steps")
    p.add_argument("--lr", type=float, default=None, help="(recipe) peak AdamW learning rate of the adapter "
                   "(default 1.5e-3; paper 1e-3)")
    p.add_argument("--jitter", action=argparse.BooleanOptionalAction, default=None,
                   help="(recipe) a random frame per segment instead of segment centres (default on, as in the paper). "
                   "Off, the frozen image tower's outputs are cached after the first epoch")
    p.add_argument("--gumbel-noise", type=float, default=None, help="(recipe) Gumbel noise multiplier of the "
                   "training alignment picks at the start: 1 is the paper's Gumbel-Softmax, 0 the argmax that "
                   "evaluation uses (default 0)")
    p.add_argument("--gumbel-noise-end", type=float, default=None, help="(recipe) ... at the end; a cosine joins "
                   "the two (default 0; paper 1)")
    p.add_argument("--gumbel-tau", type=float, default=None, help="(recipe) Gumbel-Softmax temperature of the "
                   "soft gradient (default 1; paper: the model's)")
    p.add_argument("--align-scale", type=float, default=None, help="(recipe) alignment logit scale set before "
                   "training (default 100, CLIP's logit scale; paper: the model's, 1/0.07)")
    p.add_argument("--class-scale", type=float, default=None, help="(recipe) class logit scale set before "
                   "training and saved in the config (default 100; paper: the model's CLIP logit_scale)")
    p.add_argument("--init-std", type=float, default=None, help="(recipe) std of the small random weights an "
                   "untrained adapter's zero-initialised layers get when training starts (default and paper: keep "
                   "them zero). The final projection always stays zero, so training starts at CLIP's frame mean")
    p.add_argument("--temporal-init", type=float, default=None, help="(recipe) amplitude of the sinusoid an "
                   "untrained adapter's temporal positions get when training starts (default 0.1; paper: zeros)")


def _add_optimisation_arguments(p: argparse.ArgumentParser) -> None:
    """What trains, the optimiser, its schedule and budget, and the clips it sees."""
    p.add_argument("--train", default="adapter", help="what trains: 'adapter' (video adapter and alignment scale), "
                   "'adapter+last:N' (also the last N image-tower blocks), or 'visual' (whole image tower). The "
                   "text tower always stays frozen, because entity and class-name embeddings are computed once "
                   "and cached")
    p.add_argument("--max-minutes", type=float, default=None, help="wall-clock budget of this run: the step time is "
                   "measured and warm-up and cosine are sized to end within it, then the result is saved")
    p.add_argument("--backbone-lr-scale", type=float, default=0.1, help="image-tower lr = lr * this (default 0.1)")
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup", type=float, default=0.1, help="linear warm-up, fraction of all steps (default 0.1)")
    p.add_argument("--batch-size", type=int, default=8, help="clips per process per micro-step (default 8)")
    p.add_argument("--accum", type=int, default=1, help="gradient accumulation: micro-steps per optimizer step")
    p.add_argument("--clip-grad", type=float, default=1.0, help="max gradient norm (0: no clipping)")
    p.add_argument("--frames", type=int, default=8, help="frames per clip (default 8)")
    p.add_argument("--r", type=int, default=None, help="tokens merged per layer (default: the model's)")
    p.add_argument("--cache-gb", type=float, default=2.0, help="GiB of memory the frozen image tower's token "
                   "cache may use (default 2; 0: no cache). A dataset whose tokens need more is not cached")
    p.add_argument("--templates", default=None, help="prompt templates separated by '|', each with '{}' "
                   "(default: the model's); saved in the trained model's config")


def _add_run_arguments(p: argparse.ArgumentParser) -> None:
    """How the run executes: resuming, threads, workers, device, precision, validation and logging cadence."""
    p.add_argument("--resume", default=None, help="continue an interrupted run from its output folder (or its resume/)")
    p.add_argument("--threads", type=int, default=None, help="CPU threads per process (default: timed, torch's "
                   "default or 1, whichever trains faster)")
    p.add_argument("--num-workers", type=int, default=4, help="DataLoader decoding processes (0: decode in-process)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    p.add_argument("--amp", default="auto", choices=["auto", "bf16", "fp16", "off"],
                   help="mixed precision on CUDA (auto: bf16 if supported, else fp16); never on CPU")
    p.add_argument("--val-every", type=int, default=1)
    p.add_argument("--val-views", type=int, default=1, help="temporal views in validation (default 1)")
    p.add_argument("--log-every", type=int, default=10, help="optimizer steps between metrics.jsonl lines")
    p.add_argument("--max-skipped", type=float, default=0.2, help="fraction of unreadable videos tolerated "
                   "(default 0.2)")


def run_train(args: argparse.Namespace) -> int:
    """`alt train`: train, save, and print a JSON summary (rank 0)."""
    if isinstance(args.templates, str):
        from alt.validate import split_templates

        args.templates = split_templates(args.templates) or []  # none left: check_settings names the problem
    from alt.training.settings import TrainSettings
    from alt.training.train import train

    summary = train(TrainSettings.from_args(args))
    if summary.get("rank", 0) == 0:
        emit(json.dumps(summary, indent=2))
    return 0


