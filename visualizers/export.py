"""Exports for papers and teaching: JSON, figure grid (PNG, PDF), overlay video (MP4), and a ZIP of them.

`export_explanation` is the one entry point (the CLI's `alt explain --out DIR` and the app's download
button call it).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from visualizers.colors import LEGEND_SIZE, ClipColors, clip_colors
from visualizers.evidence import export_evidence
from visualizers.figure import explanation_figure, save_figure
from visualizers.panels import overlay_strips
from visualizers.video_writer import write_video

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.evidence.curves_data import EvidenceCurves
    from alt.explanation import Explanation

logger = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("json", "png", "pdf", "mp4", "zip")
VIDEO_FPS = 2.0  # one video frame per clip frame: video frame k is clip frame k, as numbered in the JSON
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
    legend_size: int = LEGEND_SIZE,
    evidence: bool = False,
    curves: Sequence[EvidenceCurves] = (),
) -> dict[str, Path]:
    """Write the explanation in the requested formats.

    Args:
        exp: the explanation.
        out_dir: folder to write into (created if missing).
        formats: any of 'json' (`exp.to_json()`, frames left out), 'png' and 'pdf' (the figure grid
            frames x {input, regions, alignment, attention}, >= 448 px per panel), 'mp4' (overlay video,
            H.264, one strip per frame at >= 448 px per panel; a VP9 .webm when no H.264 encoder exists,
            still under the key 'mp4'), 'zip' (every other file written). Frames are numbered from 0 in
            all of them, and all use the clip's one entity ranking, numbers and colours.
        stem: file name stem.
        fps, seconds_per_frame: video rate; each frame is repeated `video_repeats(...)` times.
        dpi: resolution of the PNG.
        legend_size: entities with their own colour and number (the app passes its top-k setting).
        evidence, curves: with `evidence` or deletion/insertion `curves` (alt/evidence), 'png'/'pdf' also
            write `{stem}-evidence.*` (the logit split, when `exp` has it) and `{stem}-curves-{mode}.*`,
            and 'json' writes `{stem}-curves-{mode}.json` (keys 'evidence_png', 'curves_fast_json', ...;
            all go into the zip).
    Returns:
        {format: path written}.
    Raises:
        ValueError: an unknown format.
    """
    formats = _checked_formats(formats)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    colors = clip_colors(exp, legend_size)

    if "json" in formats:
        path = out / f"{stem}.json"
        path.write_text(exp.to_json(), encoding="utf-8")
        written["json"] = path
    written.update(_write_figures(exp, out, formats, stem, colors, dpi))
    if evidence or curves:
        written.update(export_evidence(exp, out, formats, stem, curves, dpi))
    if "mp4" in formats:
        strips = overlay_strips(exp, colors=colors)  # [T, H, W, 3]
        repeats = video_repeats(fps, seconds_per_frame)  # the video has T * repeats frames
        written["mp4"] = write_video(strips, out / f"{stem}.mp4", fps=fps, repeats=repeats)
    if "zip" in formats:
        written["zip"] = _write_zip(out / f"{stem}.zip", written.values())
    logger.info("exported %s to %s", ", ".join(written), out)
    return written


def _checked_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The requested formats, lower case without dots, each once, in the given order.

    Raises:
        ValueError: an unknown format.
    """
    formats = tuple(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export formats {sorted(unknown)}; choose from {FORMATS}")
    return formats


def _write_figures(exp: Explanation, out: Path, formats: tuple[str, ...], stem: str, colors: ClipColors,
                   dpi: int) -> dict[str, Path]:
    """The figure grid as `{stem}.png` and/or `{stem}.pdf` (whichever `formats` asks for): {format: path}."""
    written: dict[str, Path] = {}
    if "png" in formats or "pdf" in formats:
        fig = explanation_figure(exp, colors=colors)
        for fmt in ("png", "pdf"):
            if fmt in formats:
                written[fmt] = save_figure(fig, out / f"{stem}.{fmt}", dpi=dpi)
    return written


def _write_zip(path: Path, files: Iterable[Path]) -> Path:
    """A zip (deflated) of `files`, each stored under its own name."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, arcname=p.name)
    return path
