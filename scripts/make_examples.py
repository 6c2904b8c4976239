"""Generate the example clips in assets/examples/ (drawn with OpenCV, encoded as H.264 by ffmpeg).

The clips are made by this project, so they carry no third-party licence. Regenerate with

    python scripts/make_examples.py   # writes assets/examples/*.mp4 (each well under 300 KB)

Each clip: 320x240, 12 fps, 4 s, a plain synthetic scene (a bouncing ball, a stick figure waving, a
car driving past), deterministic (same bytes for the same ffmpeg build).
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

W, H, FPS, SECONDS = 320, 240, 12, 4
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "examples"

def _ground(img: np.ndarray, sky: tuple[int, int, int], grass: tuple[int, int, int], horizon: int) -> None:
    """Paint a vertical-gradient sky and flat ground, in place (BGR, as cv2 draws)."""
    ramp = np.linspace(0.75, 1.0, horizon)[:, None, None]  # [h, 1, 1]
    img[:horizon] = (np.array(sky)[None, None, :] * ramp).astype(np.uint8)
    img[horizon:] = grass


def ball_frame(i: int) -> np.ndarray:
    """A red ball bouncing on a wooden floor, with its shadow."""
    img = np.zeros((H, W, 3), np.uint8)
    _ground(img, (230, 200, 160), (60, 110, 170), 180)
    phase = (i / FPS) * 1.6 % 1.0
    x = int(40 + (W - 80) * (0.5 + 0.45 * math.sin(i / FPS * 1.3)))
    y = int(170 - 130 * 4 * phase * (1 - phase))  # parabola between bounces
    cv2.ellipse(img, (x, 186), (22 - int(8 * (170 - y) / 130), 5), 0, 0, 360, (40, 70, 110), -1)
    cv2.circle(img, (x, y - 2), 16, (40, 40, 220), -1, cv2.LINE_AA)
    cv2.circle(img, (x - 5, y - 8), 4, (200, 200, 255), -1, cv2.LINE_AA)
    return img


def waving_frame(i: int) -> np.ndarray:
    """A stick figure in a park waving its right arm."""
    img = np.zeros((H, W, 3), np.uint8)
    _ground(img, (235, 206, 135), (70, 160, 80), 170)
    cx, neck, hip = 160, 95, 150
    ink = (40, 40, 40)
    cv2.circle(img, (cx, 75), 18, (150, 190, 240), -1, cv2.LINE_AA)  # head
    cv2.line(img, (cx, neck), (cx, hip), (180, 80, 40), 8, cv2.LINE_AA)  # body (shirt)
    for dx in (-18, 18):  # legs
        cv2.line(img, (cx, hip), (cx + dx, 205), ink, 5, cv2.LINE_AA)
    cv2.line(img, (cx, neck + 10), (cx - 30, 140), ink, 5, cv2.LINE_AA)  # left arm down
    elbow = (cx + 32, neck + 2)
    angle = math.radians(-60 + 35 * math.sin(i / FPS * 2 * math.pi * 1.5))  # wave 1.5 Hz
    hand = (int(elbow[0] + 34 * math.cos(angle)), int(elbow[1] + 34 * math.sin(angle)))
    cv2.line(img, (cx, neck + 10), elbow, ink, 5, cv2.LINE_AA)
    cv2.line(img, elbow, hand, ink, 5, cv2.LINE_AA)
    cv2.circle(img, hand, 7, (150, 190, 240), -1, cv2.LINE_AA)
    cv2.circle(img, (270, 60), 22, (80, 220, 250), -1, cv2.LINE_AA)  # sun
    return img


def car_frame(i: int) -> np.ndarray:
    """A blue car driving left to right along a road."""
    img = np.zeros((H, W, 3), np.uint8)
    _ground(img, (235, 190, 120), (90, 150, 90), 140)
    cv2.rectangle(img, (0, 160), (W, 215), (80, 80, 80), -1)  # road
    for k in range(-1, 7):  # dashes move opposite to the car: the camera pans with it
        x0 = int(k * 60 - (i * 6) % 60)
        cv2.rectangle(img, (x0, 186), (x0 + 30, 190), (230, 230, 230), -1)
    for k in range(4):  # trees in the background
        tx = int((k * 110 + 40 - i * 2) % (W + 60)) - 30
        cv2.rectangle(img, (tx - 4, 110), (tx + 4, 145), (40, 70, 110), -1)
        cv2.circle(img, (tx, 100), 20, (50, 130, 60), -1, cv2.LINE_AA)
    x = int(-90 + (W + 180) * i / (FPS * SECONDS))
    cv2.rectangle(img, (x, 160), (x + 90, 185), (180, 90, 30), -1)  # body
    cv2.rectangle(img, (x + 18, 140), (x + 66, 162), (180, 90, 30), -1)  # cabin
    cv2.rectangle(img, (x + 24, 145), (x + 60, 160), (240, 220, 200), -1)  # window
    for wx in (x + 20, x + 70):
        cv2.circle(img, (wx, 187), 11, (20, 20, 20), -1, cv2.LINE_AA)
        cv2.circle(img, (wx, 187), 4, (160, 160, 160), -1, cv2.LINE_AA)
    return img


DRAW: dict[str, Callable[[int], np.ndarray]] = {
    "bouncing_ball.mp4": ball_frame,
    "waving.mp4": waving_frame,
    "car_driving.mp4": car_frame,
}


def write_h264(frames_bgr: list[np.ndarray], path: Path, fps: int = FPS, crf: int = 30) -> Path:
    """Encode BGR frames as browser-playable H.264 (yuv420p, +faststart) with the ffmpeg command line."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RuntimeError("ffmpeg is needed to write the example clips (apt-get install ffmpeg)")
    h, w = frames_bgr[0].shape[:2]
    cmd = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}",
           "-r", str(fps), "-i", "-", "-an", "-c:v", "libx264", "-preset", "slow", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-fflags", "+bitexact", str(path)]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in frames_bgr), check=True, timeout=120)
    return path


def make_examples(out_dir: Path = EXAMPLES_DIR) -> list[Path]:
    """Write every example clip into `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_h264([draw(i) for i in range(FPS * SECONDS)], out_dir / name) for name, draw in DRAW.items()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES_DIR)
    for p in make_examples(parser.parse_args().out):
        print(f"{p} {p.stat().st_size // 1024} KB")
