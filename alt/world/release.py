"""`alt world release`: turn a trained world model into the shipped folder (assets/models/alt-world/).

Steps: load the folder `alt train` wrote; save it again with float16 weights (loading casts back to float32
and stays strict); copy the run's logs beside it (pretrain_log.jsonl and pretrain.json from the
pretraining folder, train_log.jsonl = `alt train`'s metrics.jsonl, and train_log_run<i>.jsonl for each earlier
run it continued from, `--earlier`); reload the released bytes, evaluate them
on the held-out clips (`evaluate_world`), time a cold load plus one explanation, and write eval.json and the
model card (README.md) with the commands, the timings, the logs and every table.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from alt.world.catalog import ACTIONS, WorldError
from alt.world.evaluate import EvalSettings, evaluate_world

logger = logging.getLogger(__name__)

MAX_BYTES = 15 * 1024 * 1024  # the shipped folder's budget
TRAIN_LOG = "train_log.jsonl"
EARLIER_LOG = "train_log_run{}.jsonl"  # the earlier runs' logs, run 1 first
EVAL_FILE = "eval.json"


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines log ([] when the file is missing)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def time_load_and_explain(folder: Path, num_frames: int = 8) -> dict[str, float]:
    """Seconds to load the checkpoint and explain one held-out clip, on CPU, in this process.

    The corpus's entity embeddings come from the on-disk cache when it holds them (as on every load after
    the first on a machine); `explain` then embeds the class names.
    """
    from alt.hub.specs import load_model
    from alt.world.evaluate import heldout_clips

    clip = next(heldout_clips(1, num_frames=num_frames, actions=["waving a hand"]))
    t0 = time.perf_counter()
    model = load_model(str(folder), "cpu")
    t1 = time.perf_counter()
    model.explain(clip.frames, list(ACTIONS))
    t2 = time.perf_counter()
    model.explain(clip.frames, list(ACTIONS))
    t3 = time.perf_counter()
    return {"load_s": round(t1 - t0, 3), "first_explain_s": round(t2 - t1, 3),
            "load_and_explain_s": round(t2 - t0, 3), "warm_explain_s": round(t3 - t2, 3)}


def check_chain(runs: list[Path]) -> None:
    """Refuse a list of `alt train` folders (oldest first) where a run did not start from the one before it.

    Raises:
        WorldError: a missing metrics.jsonl, or a run whose --model is not the previous run's folder.
    """
    from alt.world.card import log_event

    for run in runs:
        if not (run / "metrics.jsonl").is_file():
            raise WorldError(f"{run / 'metrics.jsonl'} is missing: every run named needs the log `alt train` wrote")
    for before, after in itertools.pairwise(runs):
        began = log_event(read_jsonl(after / "metrics.jsonl"), "start").get("settings", {}).get("model")
        if began is None or Path(began).expanduser().resolve() != before.resolve():
            raise WorldError(f"{after} started from --model {began!r}, not from the earlier run {before}: "
                             "list with --earlier only the runs it continued, oldest first")


def release(trained: str | Path, pretrained: str | Path, out: str | Path, settings: EvalSettings | None = None,
            commands: str | Path | None = None, earlier: list[str | Path] | None = None) -> dict[str, Any]:
    """Write the release folder and return its evaluation report (with a "release" entry).

    Args:
        trained: the folder `alt train` wrote (model + metrics.jsonl).
        pretrained: the folder `alt world pretrain` wrote (pretrain_log.jsonl, pretrain.json).
        out: the release folder (replaced files: config.json, model.safetensors, corpus.jsonl, README.md, logs).
        settings: the evaluation (default EvalSettings()).
        commands: a text file with the exact commands of the run, quoted in the card.
        earlier: `alt train` folders that `trained` continued from, oldest first (each started from the one
            before, `trained` from the last): their logs ship as train_log_run1.jsonl, ... and the card's
            training section covers every run.
    Raises:
        WorldError: missing logs, earlier runs that do not chain, or a release over MAX_BYTES.
    """
    from alt.model.alt_model import ALTModel
    from alt.world.card import release_card

    trained, pretrained, out = Path(trained), Path(pretrained), Path(out)
    for need in (pretrained / "pretrain_log.jsonl", pretrained / "pretrain.json", trained / "metrics.jsonl"):
        if not need.is_file():
            raise WorldError(f"{need} is missing: release needs the logs of `alt world pretrain` and `alt train`")
    runs = [Path(r) for r in earlier or []]
    check_chain([*runs, trained])
    model = ALTModel.from_pretrained(trained)
    model.config.spec = None
    model.half()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    shutil.copyfile(pretrained / "pretrain_log.jsonl", out / "pretrain_log.jsonl")
    shutil.copyfile(pretrained / "pretrain.json", out / "pretrain.json")
    shutil.copyfile(trained / "metrics.jsonl", out / TRAIN_LOG)
    for stale in out.glob(EARLIER_LOG.format("*")):
        stale.unlink()
    for i, run in enumerate(runs, 1):
        shutil.copyfile(run / "metrics.jsonl", out / EARLIER_LOG.format(i))
    speed = time_load_and_explain(out)
    from alt.hub.specs import load_model

    report = evaluate_world(load_model(str(out), "cpu"), settings or EvalSettings())
    report["speed"] = speed
    (out / EVAL_FILE).write_text(json.dumps(report, indent=1) + "\n")
    text = Path(commands).read_text() if commands else None
    (out / "README.md").write_text(release_card(
        model.config, report, json.loads((pretrained / "pretrain.json").read_text()),
        [*(read_jsonl(out / EARLIER_LOG.format(i)) for i in range(1, len(runs) + 1)), read_jsonl(out / TRAIN_LOG)],
        read_jsonl(out / "pretrain_log.jsonl"), text))
    size = folder_bytes(out)
    report["release"] = {"folder": str(out), "bytes": size, "files": sorted(p.name for p in out.iterdir())}
    if size > MAX_BYTES:
        raise WorldError(f"{out} holds {size / 2**20:.1f} MiB, over the {MAX_BYTES / 2**20:.0f} MiB budget")
    logger.info("released %s (%.1f MiB)", out, size / 2**20)
    return report
