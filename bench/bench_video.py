"""Time and peak memory of `load_video` on a 1-minute and a 60-minute synthetic video.

    python bench/bench_video.py [--frames 8] [--repeat 3] [--size 320x240] [--cache DIR]

Clips are 320x240 px by default (--size), 25 fps, MPEG-4 part 2 (ffmpeg's mpeg4 encoder, keyframe every 12 frames; cv2's
mp4v writer when ffmpeg is absent), generated once into the cache folder. Prints a markdown table.
Target: the 60-minute clip costs at most 2x the 1-minute one (decoding seeks to the sampled frames).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from alt.video.load import load_video  # noqa: E402

FPS, SIZE = 25, (64, 48)


def make_video(path: Path, minutes: float) -> Path:
    """Write (once) a SIZE, 25 fps clip of `minutes` minutes (ffmpeg's testsrc2 pattern)."""
    if path.exists() and path.stat().st_size > 0:
        return path
    n = int(minutes * 60 * FPS)
    tmp = path.with_suffix(".part.mp4")
    if shutil.which("ffmpeg"):
        src = f"testsrc2=size={SIZE[0]}x{SIZE[1]}:rate={FPS}:duration={minutes * 60}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-c:v", "mpeg4", "-g", "12",
                        "-q:v", "5", str(tmp)], check=True)
    else:
        w = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        img = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
        for i in range(n):
            img[:] = 40
            x = i % (SIZE[0] - 16)
            img[16:32, x : x + 16] = (0, 0, 255)
            w.write(img)
        w.release()
    tmp.rename(path)
    return path


def measure(path: Path, frames: int, repeat: int) -> tuple[float, float, str]:
    """Median seconds, peak traced MiB and decode mode of load_video(path, frames)."""
    times, peaks = [], []
    for _ in range(repeat):
        tracemalloc.start()
        t0 = time.perf_counter()
        clip = load_video(path, frames)
        times.append(time.perf_counter() - t0)
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return float(np.median(times)), max(peaks), clip.decode_mode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "alt_bench_video")
    ap.add_argument("--size", default="320x240", help="frame size WxH of the synthetic videos")
    args = ap.parse_args()
    global SIZE
    SIZE = tuple(int(v) for v in args.size.lower().split("x"))
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for minutes in (1, 60):
        path = make_video(args.cache / f"synthetic_{minutes}min_{SIZE[0]}x{SIZE[1]}.mp4", minutes)
        sec, mib, mode = measure(path, args.frames, args.repeat)
        rows.append((minutes, path.stat().st_size / 2**20, sec, mib, mode))
    print(f"load_video(path, num_frames={args.frames}), {SIZE[0]}x{SIZE[1]} px, {FPS} fps, median of {args.repeat}\n")
    print("| video | file MiB | time (ms) | peak traced MiB | decode | time vs 1 min |")
    print("|---|---:|---:|---:|---|---:|")
    for minutes, size, sec, mib, mode in rows:
        print(f"| {minutes} min | {size:.1f} | {sec * 1000:.1f} | {mib:.2f} | {mode} | {sec / rows[0][2]:.2f}x |")


if __name__ == "__main__":
    main()
