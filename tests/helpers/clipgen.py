"""Synthetic test clips, made with OpenCV's writer or the ffmpeg command line.

Every frame carries its own index as an 8-bit code (eight black/white cells across the top quarter)
and a coloured square that moves left to right below it, so a test can tell which frame it got back
(`decode_index`) even after lossy compression, seeking or rotation.

    from tests.helpers.clipgen import make_clip, ffmpeg_clip, decode_index
    path = make_clip(tmp_path / "a.mp4", num_frames=16)            # mp4v via cv2.VideoWriter
    path = ffmpeg_clip(tmp_path / "b.mp4", vcodec="libx264", rotate=90)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np

FFMPEG = shutil.which("ffmpeg")
SKIP_NO_FFMPEG = "ffmpeg is not installed (needed to build this test clip)"

# cv2.VideoWriter fourcc chosen from the file extension when `codec` is not given.
_FOURCC_BY_EXT = {".mp4": "mp4v", ".avi": "MJPG", ".mkv": "mp4v", ".mov": "mp4v"}


def has_ffmpeg() -> bool:
    """True when the ffmpeg command line tool is on PATH."""
    return FFMPEG is not None


def frame_pattern(index: int, size: tuple[int, int] = (64, 48), gray: bool = False) -> np.ndarray:
    """One synthetic RGB frame that encodes `index` (0..255).

    Args:
        index: frame number; its low 8 bits are drawn as black/white cells in the top quarter.
        size: (width, height) in pixels.
        gray: draw the square in white instead of a colour.

    Returns:
        uint8 [H, W, 3] RGB.
    """
    w, h = size
    img = np.full((h, w, 3), 64, np.uint8)  # [H, W, 3]
    band = max(1, h // 4)
    for bit in range(8):
        x0, x1 = bit * w // 8, (bit + 1) * w // 8
        img[:band, x0:x1] = 255 if (index >> (7 - bit)) & 1 else 0
    side = max(1, min(w, h) // 3)
    x = (index * max(1, w // 16)) % max(1, w - side)
    y = band + max(0, (h - band - side) // 2)
    colour = (255, 255, 255) if gray else (255 - 7 * index % 256, 80 + 11 * index % 176, 40)
    img[y : y + side, x : x + side] = colour
    return img


def decode_index(frame: np.ndarray) -> int:
    """Read back the index drawn by `frame_pattern` from an upright RGB or gray frame."""
    h, w = frame.shape[:2]
    band = frame[: max(1, h // 4)].astype(np.float32)
    if band.ndim == 3:
        band = band.mean(axis=2)
    value = 0
    for bit in range(8):
        x0, x1 = bit * w // 8, (bit + 1) * w // 8
        cell = band[:, x0 + (x1 - x0) // 4 : x1 - (x1 - x0) // 4 or x1]
        value = (value << 1) | int(cell.mean() > 127)
    return value


def make_frames(num_frames: int, size: tuple[int, int] = (64, 48), gray: bool = False) -> np.ndarray:
    """uint8 [T, H, W, 3] RGB frames 0..num_frames-1 of the synthetic pattern."""
    return np.stack([frame_pattern(i, size, gray) for i in range(num_frames)])


def make_clip(
    path: str | Path,
    num_frames: int = 16,
    size: tuple[int, int] = (64, 48),
    fps: float = 8,
    codec: str | None = None,
    gray: bool = False,
) -> Path:
    """Write a synthetic clip with cv2.VideoWriter (no ffmpeg needed).

    Args:
        path: output file; its extension picks the container (.mp4, .avi, .mkv, .mov).
        num_frames: number of frames.
        size: (width, height).
        fps: frame rate written to the container.
        codec: fourcc such as "mp4v", "MJPG", "XVID"; default from the extension.
        gray: white square instead of a coloured one (the file is still 3-channel).

    Returns:
        The path written.
    """
    path = Path(path)
    fourcc = codec or _FOURCC_BY_EXT.get(path.suffix.lower(), "mp4v")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), float(fps), tuple(size))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter cannot write {fourcc} to {path}")
    for i in range(num_frames):
        writer.write(cv2.cvtColor(frame_pattern(i, size, gray), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def ffmpeg_major() -> int:
    """Major version of the installed ffmpeg (0 when unknown)."""
    out = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True).stdout
    m = re.search(r"ffmpeg version n?(\d+)", out)
    return int(m.group(1)) if m else 0


def ffmpeg_clip(
    path: str | Path,
    num_frames: int = 16,
    size: tuple[int, int] = (64, 48),
    fps: float = 8,
    vcodec: str = "libx264",
    pix_fmt: str = "yuv420p",
    rotate: int = 0,
    extra: tuple[str, ...] = (),
    frames: np.ndarray | None = None,
) -> Path:
    """Encode the synthetic pattern with the ffmpeg CLI (codecs OpenCV's writer lacks).

    Args:
        path: output file; the extension picks the container.
        num_frames, size, fps: as in `make_clip`.
        vcodec: ffmpeg encoder name (libx264, mpeg4, msmpeg4, mjpeg, cinepak, libvpx, libvpx-vp9, gif...).
        pix_fmt: output pixel format (yuv420p, gray, ...); empty string lets ffmpeg choose.
        rotate: display rotation metadata in degrees, like a phone video: the `rotate` tag with
            ffmpeg < 6 (which ffmpeg 5.1 and OpenCV turn counter-clockwise), `-display_rotation` after.
            Compare with `ffmpeg_decode` rather than assuming a direction.
        extra: more output options, e.g. ("-g", "4") or ("-fps_mode", "vfr").
        frames: uint8 [T, H, W, 3] RGB to encode instead of the pattern.

    Returns:
        The path written.
    """
    if FFMPEG is None:
        raise RuntimeError(SKIP_NO_FFMPEG)
    path = Path(path)
    if frames is None:
        frames = make_frames(num_frames, size, gray=pix_fmt == "gray")
    h, w = frames.shape[1:3]
    out = path if not rotate else path.with_name("unrotated_" + path.name)
    cmd = [FFMPEG, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
           "-r", str(fps), "-i", "-", "-c:v", vcodec, *(["-pix_fmt", pix_fmt] if pix_fmt else []),
           *extra, str(out)]
    subprocess.run(cmd, input=np.ascontiguousarray(frames).tobytes(), check=True, timeout=60)
    if rotate:
        # ffmpeg >= 6 dropped the `rotate` tag for the -display_rotation input option.
        if ffmpeg_major() >= 6:
            cmd = [FFMPEG, "-v", "error", "-y", "-display_rotation", str(rotate), "-i", str(out),
                   "-c", "copy", str(path)]
        else:
            cmd = [FFMPEG, "-v", "error", "-y", "-i", str(out), "-c", "copy",
                   "-metadata:s:v:0", f"rotate={rotate}", str(path)]
        subprocess.run(cmd, check=True, timeout=60)
        out.unlink()
    return path


def ffmpeg_decode(path: str | Path) -> np.ndarray:
    """All frames as ffmpeg itself shows them (auto-rotated): uint8 [T, H, W, 3] RGB."""
    first = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "image2pipe",
                            "-vcodec", "png", "-"], capture_output=True, check=True, timeout=60).stdout
    h, w = cv2.imdecode(np.frombuffer(first, np.uint8), cv2.IMREAD_COLOR).shape[:2]
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24",
                          "-"], capture_output=True, check=True, timeout=60).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def overwrite_bytes(path: str | Path, out: str | Path, start_frac: float = 0.4, length_frac: float = 0.1,
                    value: int = 0xAB) -> Path:
    """Copy `path` to `out` with a run of bytes in the middle overwritten (mid-stream damage)."""
    data = bytearray(Path(path).read_bytes())
    a = int(len(data) * start_frac)
    b = a + max(1, int(len(data) * length_frac))
    data[a:b] = bytes([value]) * (b - a)
    Path(out).write_bytes(bytes(data))
    return Path(out)


def truncate(path: str | Path, out: str | Path, keep_frac: float = 0.5) -> Path:
    """Copy the first `keep_frac` of the bytes of `path` to `out` (an interrupted download)."""
    data = Path(path).read_bytes()
    Path(out).write_bytes(data[: int(len(data) * keep_frac)])
    return Path(out)
