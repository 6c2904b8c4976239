"""Generate the example clips in assets/examples/ (ALT World clips, encoded as H.264 by ffmpeg).

ffmpeg is the one on PATH, else the static build of the imageio-ffmpeg wheel (`alt.video.ffmpeg`).

The clips are made by this project, so they carry no third-party licence. Regenerate with

    python scripts/make_examples.py   # writes assets/examples/*.mp4 and their ground truth

Each clip: an ALT World clip (alt/world/) rendered at the world model's input size (96 x 96 px, so the
`world` model sees it pixel for pixel), 16 frames at 8 fps (2 s, as the model's training clips), with its
ground truth beside it: <name>.npz (per-pixel instance masks, entity lookup) and <name>.json (action, scene,
seed, instances, captions). Deterministic (same bytes for the same ffmpeg build).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

FPS, FRAMES, SIZE = 8, 16, 96
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "assets" / "examples"
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: `alt` is importable

from alt.video.ffmpeg import ffmpeg_exe  # noqa: E402
from alt.world import render_clip
from alt.world.dataset import write_truth

#: file name -> (ALT World action, render seed); ui/examples.py offers class names for each
WORLD_EXAMPLES: dict[str, tuple[str, int]] = {
    "waving.mp4": ("waving a hand", 1401),
    "bouncing_ball.mp4": ("bouncing a ball", 1402),
    "car_driving.mp4": ("driving a car", 1403),
    "walking_left.mp4": ("walking left", 1404),
    "ball_rising.mp4": ("a ball rising", 1405),
}


def write_h264(frames_bgr: list[np.ndarray], path: Path, fps: int = FPS, crf: int = 30) -> Path:
    """Encode BGR frames as browser-playable H.264 (yuv420p, +faststart) with the ffmpeg command line."""
    exe = ffmpeg_exe()
    if exe is None:
        raise RuntimeError("ffmpeg is needed to write the example clips: pip install imageio-ffmpeg "
                           "(or apt-get install ffmpeg)")
    h, w = frames_bgr[0].shape[:2]
    cmd = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}",
           "-r", str(fps), "-i", "-", "-an", "-c:v", "libx264", "-preset", "slow", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-fflags", "+bitexact", str(path)]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in frames_bgr), check=True, timeout=120)
    return path


def make_examples(out_dir: Path = EXAMPLES_DIR) -> list[Path]:
    """Write every example clip into `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (action, seed) in WORLD_EXAMPLES.items():
        clip = render_clip(action, seed, FRAMES, SIZE)
        paths.append(write_h264([cv2.cvtColor(f, cv2.COLOR_RGB2BGR) for f in clip.frames], out_dir / name, crf=12))
        write_truth((out_dir / name).with_suffix(""), clip)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES_DIR)
    for p in make_examples(parser.parse_args().out):
        print(f"{p} {p.stat().st_size // 1024} KB")
