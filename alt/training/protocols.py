"""The paper's evaluation protocols, as `alt eval` runs them (alt/cli/evaluate.py is the command).

- Zero-shot / supervised: the model on the test part of every official split the sources hold (HMDB-51
  and UCF-101 splits 1-3, or `--split N`), mean and population std over the splits.
- Kinetics-600 zero-shot: the test videos restricted to each class split (`--class-splits`, 3 files of
  160 classes), scored among that split's classes; mean and std over the class splits.
- Few-shot: for every K of `--shots` and every draw r < `--repeats`, K training videos per class drawn
  with seed `--seed + r` from the training part of the same split, the model trained on them, then
  evaluated; mean and std over the draws. Every draw is recorded (its seed and video names).

The result has one row per (dataset, protocol) in the shape of the paper's tables (`table`), the
per-run metrics (`runs`), and, when there is one row, that row's metrics at the top level.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alt.errors import ALTError, DatasetError
from alt.training.annotations import VideoList, open_dataset, read_class_split, split_numbers
from alt.training.distributed import DistInfo, barrier, broadcast_object
from alt.training.evaluate import METRICS, evaluate, summarise_splits

logger = logging.getLogger(__name__)

ROW_METRICS = ("top1", "top5", "baseline_top1", "baseline_top5")


def run_protocol(args: argparse.Namespace) -> dict[str, Any] | None:
    """Evaluate as `alt eval`'s options say (few-shot training first with --shots).

    Returns:
        the summary on rank 0 (None on other ranks): "table" rows, "runs", settings, and the metrics of
        the single row at the top level when there is one.
    Raises:
        DatasetError: unreadable annotations, a split the sources lack, few-shot over several splits.
    """
    from alt.hub.specs import load_model
    from alt.training.distributed import cleanup, init_distributed

    info = init_distributed(args.device)
    try:
        tests, root = test_sets(args)
        if args.shots:
            runs, draws, trained = _few_shot(args, tests, root, info)
        else:
            model = load_model(args.model, str(info.device))
            trained = bool(model.config.adapter_trained)
            runs = [_evaluate(args, model, v, info)
                    | {"protocol": args.protocol or infer_protocol(args.model, trained, v.class_names)} for v in tests]
            draws = []
        summary = summarise(runs)
        summary.update({"model": args.model, "views": args.views, "frames": args.frames, "r": runs[0]["r"],
                        "adapter_trained": trained})
        if draws:
            summary["few_shot"] = {"train_data": args.train_data, "shots": list(args.shots), "repeats": args.repeats,
                                   "seed": args.seed, "epochs": args.train_epochs, "draws": draws}
        return summary if info.is_main else None
    finally:
        cleanup()


def test_sets(args: argparse.Namespace) -> tuple[list[VideoList], str | None]:
    """The test part of every split to evaluate, and the video root used for them.

    `--splits` (else `--data`) names the sources; a source with numbered splits gives each (or only
    `--split N`); `--class-splits` restricts every source to each class split in turn.
    """
    sources = args.splits or [args.data]
    root = args.root or (args.data if args.splits and Path(args.data).is_dir() else None)
    labels = args.labels or [None]
    if len(labels) not in (1, len(sources)):
        raise DatasetError(f"--labels: give one label file, or one per --splits source ({len(sources)}), "
                           f"not {len(labels)}")
    out = []
    for i, src in enumerate(sources):
        numbers = split_numbers(src)
        if args.split is not None and numbers != [None]:
            if args.split not in numbers:
                if len(sources) > 1 and len(numbers) == 1:
                    continue  # one file of another split, among several given: not asked for
                raise DatasetError(f"{src} holds split(s) {', '.join(map(str, numbers))}, not --split {args.split}")
            numbers = [args.split]
        for n in numbers:
            out.append(open_dataset(src, labels=labels[i % len(labels)], root=root, split=n, part="test",
                                    max_missing=args.max_skipped))
    if not out:
        raise DatasetError(f"none of --splits {' '.join(sources)} is split {args.split}")
    if args.class_splits:
        out = [_numbered(v.restrict(names, str(path)), n) for v in out
               for n, path, names in class_splits(args.class_splits, args.split)]
    return out, root


def _numbered(videos: VideoList, n: int) -> VideoList:
    """`videos` labelled with class split n."""
    videos.split = n
    return videos


def class_splits(files: Sequence[str], only: int | None = None) -> list[tuple[int, Path, list[str]]]:
    """(split number, file, class names) of class-split files; the number comes from the file name
    (`..split2...`) or else its position (1, 2, ...); `only` keeps one split."""
    out = []
    for i, f in enumerate(files, 1):
        m = re.search(r"split[_\-]?(\d+)", Path(f).name, re.IGNORECASE)
        out.append((int(m.group(1)) if m else i, Path(f), read_class_split(f)))
    if only is not None:
        out = [c for c in out if c[0] == only]
        if not out:
            raise DatasetError(f"no class split numbered {only} among --class-splits {' '.join(files)}")
    return out


def infer_protocol(spec: str, adapter_trained: bool, test_classes: Sequence[str]) -> str:
    """ "zero-shot" when the model never trained on the test classes (an untrained adapter, or a checkpoint
    whose model card lists other classes), "supervised" when it trained on all of them."""
    if not adapter_trained:
        return "zero-shot"
    trained = training_classes(spec)
    if trained is None:
        return "unspecified (trained model; say --protocol)"
    seen = sum(c in trained for c in test_classes)
    if seen == 0:
        return "zero-shot"
    return "supervised" if seen == len(test_classes) else f"partly seen ({seen} of {len(test_classes)} classes trained)"


def training_classes(spec: str) -> set[str] | None:
    """The humanised class names a checkpoint folder was trained on (from its model card), or None."""
    folder = Path(spec).expanduser()
    if not folder.is_dir():
        try:
            from alt.hub.checkpoint import resolve_checkpoint

            folder = resolve_checkpoint(spec, local_files_only=True)
        except (ALTError, OSError):
            return None
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    m = re.search(r"## Training\n```json\n(.*?)\n```", text, re.DOTALL)
    try:
        classes = json.loads(m.group(1))["data"]["classes"] if m else None
    except (ValueError, KeyError, TypeError):
        return None
    return set(classes) if isinstance(classes, list) else None


def _evaluate(args: argparse.Namespace, model: Any, videos: VideoList, info: DistInfo) -> dict[str, Any]:
    r = model.config.r if args.r is None else args.r
    res = evaluate(model, videos, views=args.views, num_frames=args.frames, batch_size=args.batch_size,
                   num_workers=args.num_workers, r=r, info=info, amp=args.amp, max_skipped=args.max_skipped,
                   desc=f"{videos.benchmark} split {videos.split}" if videos.split else Path(videos.source).name)
    logger.info("%s split %s: top1 %.4f (baseline %.4f) on %d videos", videos.benchmark, videos.split,
                res["top1"], res["baseline_top1"], res["num_videos"])
    return res | {"data": videos.source, "dataset": videos.benchmark, "split": videos.split, "r": r}


def _few_shot(args: argparse.Namespace, tests: list[VideoList], root: str | None,
              info: DistInfo) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    """Train on every (K, draw) and evaluate; returns the runs, the recorded draws, and True."""
    from alt.hub.specs import load_model

    if not args.train_data:
        raise DatasetError("--shots needs --train-data: the training videos to draw K per class from")
    numbers = sorted({v.split for v in tests}, key=str)
    if len(numbers) > 1:
        raise DatasetError(f"few-shot trains on one split's training videos, but the test sources hold splits "
                           f"{', '.join(map(str, numbers))}: choose one with --split N (the field uses split 1)")
    n = numbers[0] if split_numbers(args.train_data) != [None] else None
    pool = open_dataset(args.train_data, labels=(args.labels or [None])[0], root=root, split=n, part="train",
                        max_missing=args.max_skipped)
    tmp = tempfile.TemporaryDirectory(prefix="alt-fewshot-") if args.train_out is None and info.is_main else None
    base = Path(broadcast_object(str(args.train_out or (tmp.name if tmp else "")), info))
    runs, draws = [], []
    try:
        for k in args.shots:
            for rep in range(args.repeats):
                seed = args.seed + rep
                draw = pool.few_shot(k, seed)
                folder = base / f"{k}shot_seed{seed}"
                list_file = folder / "fewshot_train.txt"
                if info.is_main:
                    write_list(draw, list_file)
                barrier(info)
                _train(args, str(list_file), str(folder), seed)
                model = load_model(str(folder), str(info.device))
                for v in tests:
                    runs.append(_evaluate(args, model, v, info) | {"protocol": f"few-shot K={k}",
                                                                   "shots": k, "seed": seed})
                draws.append({"shots": k, "seed": seed, "split": n, "model": str(folder) if args.train_out else None,
                              "videos": [_relative(p, root, pool.source) for p in draw.paths]})
    finally:
        if tmp is not None:
            tmp.cleanup()
    return runs, draws, True


def write_list(videos: VideoList, path: Path) -> None:
    """A plain list `absolute path<TAB>class name` of `videos` (readable by `open_dataset`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{p.resolve()}\t{videos.raw_names[a]}" for p, a in zip(videos.paths, videos.labels)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _relative(p: Path, root: str | None, source: str) -> str:
    for base in filter(None, (root, Path(source).parent)):
        try:
            return str(p.resolve().relative_to(Path(base).resolve()))
        except ValueError:
            continue
    return str(p)


def _train(args: argparse.Namespace, data: str, out: str, seed: int) -> None:
    """Train args.model on the list `data` into `out` (seed: the draw's, also for the Gumbel noise)."""
    from alt.training.train import TrainSettings, train

    settings = TrainSettings(data=data, out=out, model=args.model, epochs=args.train_epochs, seed=seed,
                             frames=args.frames, num_workers=args.num_workers, device=args.device, amp=args.amp,
                             max_skipped=args.max_skipped)
    train(settings, keep_process_group=True)


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows in the shape of the paper's tables, one per (dataset, protocol), and the runs behind them."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in runs:
        groups.setdefault((r["dataset"], r["protocol"]), []).append(r)
    table = []
    for (dataset, protocol), rs in groups.items():
        stats = summarise_splits(rs) if len(rs) > 1 else {m: rs[0][m] for m in METRICS} | {
            f"{m}_std": 0.0 for m in METRICS} | {"num_videos": rs[0]["num_videos"], "skipped": rs[0]["skipped"]}
        row = {"dataset": dataset, "protocol": protocol,
               "splits": sorted({r["split"] for r in rs if r["split"] is not None}), "runs": len(rs),
               "videos_per_run": [r["num_videos"] for r in rs]}
        row |= {k: stats[k] for m in ROW_METRICS for k in (m, f"{m}_std")}
        table.append(row)
    out: dict[str, Any] = {"table": table, "runs": runs}
    if len(table) == 1:
        out |= summarise_splits(runs) if len(runs) > 1 else {k: v for k, v in runs[0].items()}
        if len(runs) > 1:
            out["splits"] = runs
    return out
