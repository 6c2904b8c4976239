"""`alt explain` over time windows (`--windows 5s`) and over a collection of videos (a folder or a list file).

    alt explain match.mp4 --windows 5s --classes "..." --out out/          # out/timeline.json + timeline.html
    alt explain videos/ --classes "..." --out out/ [--windows 5s]          # out/<name>/..., out/index.json
    torchrun --nproc_per_node 4 -m alt.cli explain videos/ --classes "..." --out out/   # one shard per process

A collection is split over the torchrun processes (every WORLD_SIZE-th video, alt/training/distributed.py);
each process writes its videos' folders and its own `index-rank<R>.jsonl`; after a barrier rank 0 merges
them into `index.json` and prints the summary. A video that cannot be read is recorded with its error and
the others go on. Ctrl-C during a windowed run stops after the current chunk of windows and still writes
the windows done (a second Ctrl-C stops at once).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import threading
from pathlib import Path

from alt.cli.output import emit, log_progress

logger = logging.getLogger("alt")

LIST_SUFFIXES = {".txt", ".lst", ".list"}
CLIP_FORMATS, WINDOW_FORMATS, COLLECTION_FORMATS = "json,png,pdf,mp4,zip", "json,html", "json"


def is_collection(video: str) -> bool:
    """A folder of videos, or a text file listing one video path per line."""
    p = Path(video)
    return p.is_dir() or (p.is_file() and p.suffix.lower() in LIST_SUFFIXES)


def list_videos(source: str | Path) -> list[Path]:
    """The videos of a folder (recursively, sorted) or of a list file (one path a line, relative to the list's
    folder; blank lines and '#' comments skipped).

    Raises:
        InputError: no video found.
    """
    from alt.errors import InputError
    from alt.video.decode import VIDEO_EXTS

    p = Path(source)
    if p.is_dir():
        found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in VIDEO_EXTS)
    else:
        lines = [ln.strip() for ln in p.read_text().splitlines()]
        found = [p.parent / ln for ln in lines if ln and not ln.startswith("#")]  # an absolute ln stays absolute
    if not found:
        raise InputError(f"{source}: no video found (extensions: {', '.join(sorted(VIDEO_EXTS))})")
    return found


def output_name(video: Path, root: Path) -> str:
    """A folder name for one video of a collection, unique within it: its path below `root`, '/' as '__'."""
    try:
        rel = video.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(video.name)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "__".join(rel.with_suffix("").parts)) or "video"


def _formats(args: argparse.Namespace, default: str) -> list[str]:
    return [f.strip() for f in (args.formats or default).split(",") if f.strip()]


def explain_one(model, video: Path, out: Path, args: argparse.Namespace, cancel: threading.Event | None,
                default_formats: str) -> dict:
    """Explain one video (as one clip, or window by window) into `out`; its index entry."""
    from visualizers import export_explanation

    if args.windows:
        from alt.windows import explain_windows
        from visualizers.timeline import write_timeline

        tl = explain_windows(model, video, args.classes, window_s=args.windows, stride_s=args.stride,
                             num_frames=args.frames, r=args.r, extra_entities=args.extra_entities,
                             batch_windows=args.batch_windows, progress=log_progress, cancel=cancel)
        paths = write_timeline(tl, out, formats=tuple(_formats(args, default_formats)))
        tops = [w.top_class(tl.class_names)[0] for w in tl.windows]
        return {"video": str(video), "windows": len(tl.windows), "planned": tl.num_planned, "complete": tl.complete,
                "top_classes": sorted(set(tops), key=tops.index), "seconds": round(tl.timings["total"], 3),
                "files": {k: str(v) for k, v in paths.items()}}
    exp = model.explain(str(video), args.classes, r=args.r, num_frames=args.frames,
                        extra_entities=args.extra_entities)
    paths = export_explanation(exp, out, formats=_formats(args, default_formats))
    top = exp.top_classes(1)[0]
    return {"video": str(video), "prediction": top[0], "probability": top[1],
            "seconds": round(exp.timings["total"], 3), "files": {k: str(v) for k, v in paths.items()}}


def run_windows(args: argparse.Namespace) -> int:
    """`alt explain VIDEO --windows 5s`: the timeline of one video."""
    from alt.hub.specs import load_model

    model = load_model(args.model, args.device)
    cancel = threading.Event()
    with _first_ctrl_c_sets(cancel):
        entry = explain_one(model, Path(args.video), Path(args.out), args, cancel, WINDOW_FORMATS)
    emit(json.dumps(entry, indent=2))
    return 0


def run_collection(args: argparse.Namespace) -> int:
    """`alt explain FOLDER_OR_LIST`: every video, sharded over torchrun processes; index.json by rank 0."""
    from alt.errors import ALTError
    from alt.hub.specs import load_model
    from alt.training.distributed import barrier, cleanup, init_distributed, shard

    videos = list_videos(args.video)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    root = Path(args.video) if Path(args.video).is_dir() else Path(args.video).parent
    info = init_distributed(args.device, timeout_minutes=24 * 60)  # the barrier waits for the slowest shard
    try:
        model = load_model(args.model, str(info.device))
        mine = shard(len(videos), info)
        logger.info("rank %d of %d: %d of %d videos", info.rank, info.world_size, len(mine), len(videos))
        cancel = threading.Event()
        default = WINDOW_FORMATS if args.windows else COLLECTION_FORMATS
        part = out / f"index-rank{info.rank}.jsonl"
        with part.open("w") as f, _first_ctrl_c_sets(cancel):
            for n, i in enumerate(mine):
                if cancel.is_set():
                    break
                name = output_name(videos[i], root)
                try:
                    entry = explain_one(model, videos[i], out / name, args, cancel, default)
                except ALTError as exc:
                    logger.warning("%s: %s", videos[i], exc)
                    entry = {"video": str(videos[i]), "error": str(exc)}
                entry.update(index=i, name=name, rank=info.rank)
                f.write(json.dumps(entry) + "\n")
                f.flush()
                logger.info("rank %d: %d/%d videos done", info.rank, n + 1, len(mine))
        barrier(info)
        if not info.is_main:
            return 0
        return _merge(out, len(videos), info.world_size)
    finally:
        cleanup()


def _merge(out: Path, total: int, world: int) -> int:
    """Rank 0: the per-rank index files -> index.json (in collection order), a summary on stdout."""
    entries = []
    for rank in range(world):
        part = out / f"index-rank{rank}.jsonl"
        if part.exists():
            entries += [json.loads(line) for line in part.read_text().splitlines() if line.strip()]
    entries.sort(key=lambda e: e["index"])
    failed = [e for e in entries if "error" in e]
    summary = {"videos": total, "explained": len(entries) - len(failed), "failed": len(failed),
               "missing": total - len(entries), "processes": world, "index": str(out / "index.json")}
    (out / "index.json").write_text(json.dumps({"summary": summary, "videos": entries}, indent=1))
    emit(json.dumps(summary, indent=2))
    return 0 if summary["explained"] else 1  # unreadable videos are listed with their error; all failing is a failure


class _first_ctrl_c_sets:
    """Context: the first Ctrl-C sets `event` (the run stops after the current chunk and keeps its results);
    a second one interrupts at once. Only in the main thread (signal handlers cannot be set elsewhere)."""

    def __init__(self, event: threading.Event) -> None:
        self.event, self.previous = event, None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            def handler(signum, frame):
                if self.event.is_set():
                    raise KeyboardInterrupt
                logger.warning("stopping after the current windows (Ctrl-C again to stop at once)")
                self.event.set()

            self.previous = signal.signal(signal.SIGINT, handler)
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
