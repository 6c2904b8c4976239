"""Exports for papers and teaching: JSON, figure grid (PNG, PDF), overlay video (MP4), and a ZIP of them.

`export_explanation` is the one entry point (the CLI's `alt explain --out DIR` and the app's download
button call it).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from visualizers.figure import explanation_figure, save_figure
from visualizers.panels import overlay_strips
from visualizers.video_writer import write_video

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("json", "png", "pdf", "mp4", "zip")
VIDEO_FPS = 10.0
SECONDS_PER_FRAME = 0.5  # each clip frame is held this long in the video


def video_repeats(fps: float = VIDEO_FPS, seconds_per_frame: float = SECONDS_PER_FRAME) -> int:
    """How many video frames show one clip frame (>= 1). The video has T * this many frames."""
    return max(1, round(fps * seconds_per_frame))


def export_explanation(
    exp: Explanation,
    out_dir: str | Path,
    formats: Iterable[str] = FORMATS,
    stem: str = "explanation",
    fps: float = VIDEO_FPS,
    seconds_per_frame: float = SECONDS_PER_FRAME,
    dpi: int = 150,
) -> dict[str, Path]:
    """Write the explanation in the requested formats.

    Args:
        exp: the explanation.
        out_dir: folder to write into (created if missing).
        formats: any of 'json' (`exp.to_json()`, frames left out), 'png' and 'pdf' (the figure grid
            frames x {input, regions, alignment, attention}), 'mp4' (overlay video, H.264; a VP9 .webm
            when no H.264 encoder exists, still under the key 'mp4'), 'zip' (every other file written).
        stem: file name stem.
        fps, seconds_per_frame: video rate; each frame is repeated `video_repeats(...)` times.
        dpi: resolution of the PNG.
    Returns:
        {format: path written}.
    Raises:
        ValueError: an unknown format.
    """
    formats = tuple(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export formats {sorted(unknown)}; choose from {FORMATS}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    if "json" in formats:
        path = out / f"{stem}.json"
        path.write_text(exp.to_json(), encoding="utf-8")
        written["json"] = path
    if "png" in formats or "pdf" in formats:
        fig = explanation_figure(exp)
        for fmt in ("png", "pdf"):
            if fmt in formats:
                written[fmt] = save_figure(fig, out / f"{stem}.{fmt}", dpi=dpi)
    if "mp4" in formats:
        strips = overlay_strips(exp)  # [T, H, W, 3]
        repeats = video_repeats(fps, seconds_per_frame)  # the video has T * repeats frames
        written["mp4"] = write_video(strips, out / f"{stem}.mp4", fps=fps, repeats=repeats)
    if "zip" in formats:
        path = out / f"{stem}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for p in written.values():
                zf.write(p, arcname=p.name)
        written["zip"] = path
    logger.info("exported %s to %s", ", ".join(written), out)
    return written
