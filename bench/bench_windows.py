"""Cost per window of `explain_windows` on a 1-, 10- and 30-minute video: flat in the video's length.

    python bench/bench_windows.py [--model tiny] [--minutes 1,10,30] [--window 5] [--max-windows 0] [--size 320x240]

Videos are synthetic (ffmpeg's testsrc2, 25 fps, MPEG-4 part 2 with a keyframe every 12 frames; see
bench_video.py), written once into --cache. Each video is explained window by window (5-s windows,
8 frames each, r = the model's); with --max-windows N only N windows spread over the whole video are
explained (stride = duration / N), so a big model stays quick and the windows still reach the end.
Columns: windows explained, total seconds, seconds per window, the same relative to the 1-minute video,
the median seconds of one window explained alone (`load_video(start=, end=)` + `explain`, 9 windows spread
over the video), their ratio (the target: at most 1), the same three in CPU time (`time.process_time`, all
threads: a busy shared machine stretches wall time, much less CPU time; use --threads 1 there), and the
peak of Python-side allocations (numpy frames included; tracemalloc). The default model is `tiny` (random, offline); `--model clip:ViT-B-16` gives
ViT-B/16 with random weights (the cost does not depend on them).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.bench_video as bv  # noqa: E402
from alt.hub.specs import load_model  # noqa: E402
from alt.video.load import load_video  # noqa: E402
from alt.windows import explain_windows  # noqa: E402

CLASSES = ["riding a bike", "swimming", "playing guitar", "juggling balls", "walking the dog"]


def single_window_s(model, path: Path, spans: list[tuple[float, float]], frames: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of explaining one window alone (decode with a seek + explain), over `spans`."""
    wall, cpu = [], []
    for start, end in spans:
        t0, c0 = time.perf_counter(), time.process_time()
        model.explain(load_video(path, frames, start=start, end=end, seek=True), CLASSES, num_frames=frames)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def measure(model, path: Path, minutes: float, window: float, frames: int, max_windows: int) -> dict:
    duration = minutes * 60
    stride = None if not max_windows else max(window, duration / max_windows)
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    tl = explain_windows(model, path, CLASSES, window_s=window, stride_s=stride, num_frames=frames)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    n = len(tl.windows)
    picks = [tl.windows[i] for i in sorted({round(j * (n - 1) / 8) for j in range(9)})]  # up to 9, start to end
    alone, alone_cpu = single_window_s(model, path, [(w.start, w.end) for w in picks], frames)
    return {"minutes": minutes, "windows": n, "total": total, "per_window": total / n, "alone": alone,
            "cpu_per_window": cpu / n, "alone_cpu": alone_cpu, "peak_mib": peak / 2**20,
            "decode": tl.timings["decode"] / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="tiny", help="model spec (default tiny; clip:ViT-B-16 = random ViT-B/16)")
    ap.add_argument("--minutes", default="1,10,30")
    ap.add_argument("--window", type=float, default=5.0)
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--max-windows", type=int, default=0, help="explain at most this many windows per video (0: all)")
    ap.add_argument("--size", default="320x240", help="frame size WxH of the synthetic videos")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "alt_bench_video")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    bv.SIZE = tuple(int(v) for v in args.size.lower().split("x"))
    args.cache.mkdir(parents=True, exist_ok=True)
    model = load_model(args.model, "cpu" if not torch.cuda.is_available() else None)
    rows = []
    for minutes in (float(m) for m in args.minutes.split(",")):
        path = bv.make_video(args.cache / f"synthetic_{minutes:g}min_{bv.SIZE[0]}x{bv.SIZE[1]}.mp4", minutes)
        if not rows:  # warm-up: text caches, tokenizer, first allocations
            explain_windows(model, path, CLASSES, window_s=args.window, num_frames=args.frames, stride_s=20)
        rows.append(measure(model, path, minutes, args.window, args.frames, args.max_windows))
    base, base_cpu = rows[0]["per_window"], rows[0]["cpu_per_window"]
    print(f"\nexplain_windows, model {args.model}, {args.window:g}-s windows x {args.frames} frames, "
          f"{bv.SIZE[0]}x{bv.SIZE[1]} px {bv.FPS} fps, {platform.machine()} {torch.get_num_threads()} threads\n")
    print("| video | windows | total s | s / window | decode s / window | x 1-min | one window alone s | "
          "window / alone | CPU s / window | CPU x 1-min | CPU window / alone | peak traced MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['minutes']:g} min | {r['windows']} | {r['total']:.2f} | {r['per_window']:.3f} | "
              f"{r['decode']:.4f} | {r['per_window'] / base:.2f} | {r['alone']:.3f} | "
              f"{r['per_window'] / r['alone']:.2f} | {r['cpu_per_window']:.3f} | "
              f"{r['cpu_per_window'] / base_cpu:.2f} | {r['cpu_per_window'] / r['alone_cpu']:.2f} | "
              f"{r['peak_mib']:.1f} |")


if __name__ == "__main__":
    main()
