"""Which files the app may read, browser-playable copies of uploads, and per-session scratch folders.

**What the server reads.** A handler that takes a video first passes the path through `allowed_video`.
Accepted are a file inside Gradio's upload cache (`GRADIO_TEMP_DIR`, else `<tempdir>/gradio`, the
folder Gradio 6 stores uploads in) or one of the app's own example clips, after resolving symlinks and
`..`. Anything else gets the one message `REFUSED`, whether or not the file exists, and is never opened:
the check looks at the resolved path only, before any other test of the file. Gradio checks the same
for API calls; this is the second line of defence, and it also covers paths that reach a handler some
other way (a UI event, a future component, a changed Gradio default).

**Display copies.** Chromium plays H.264/AV1 in MP4, VP8/VP9/AV1 in WebM and Theora in Ogg. Anything
else (AVI, MPEG-4 Part 2, WMV, MJPEG, old codecs) is converted for *display only* with ffmpeg (the one on
PATH, else imageio-ffmpeg's; see `alt.video.ffmpeg`) to H.264 MP4 in a per-session scratch folder; the
analysis always reads the original upload. Scratch folders live under `<tempdir>/alt-explorer`, one per
browser session, removed when the session ends (`end_session`, wired to `demo.unload`) and swept by age.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from alt.errors import InputError
from alt.video import ffmpeg as vf
from alt.video.decode import IMAGE_EXTS, VIDEO_EXTS
from ui.examples import EXAMPLES, EXAMPLES_DIR

logger = logging.getLogger(__name__)

PLAYABLE = {(".mp4", "h264"), (".mp4", "av1"), (".m4v", "h264"), (".webm", "vp8"), (".webm", "vp9"),
            (".webm", "av1"), (".ogg", "theora"), (".ogv", "theora")}
DISPLAY_PREFIX = "display-"  # converted copies are named display-<uuid>.mp4
# the player copy: at most 720 px tall (taller sources are scaled down, keeping the aspect), even sides (yuv420p)
DISPLAY_SCALE = "scale=-2:'min(720,trunc(ih/2)*2)'"
SCRATCH_MAX_AGE_S = 3 * 3600  # scratch folders older than this are removed by `sweep_scratch`
#: The one answer for every video path the server will not read (existing or not, any reason).
REFUSED = ("Not a video uploaded to this server: it only analyses uploads (kept for a limited time) and its "
           "own example clips. Upload the clip (drop it on the player, or send it with gradio_client's "
           "handle_file).")


class NotAllowed(InputError):
    """A video path outside the upload cache and the example clips. The message is always `REFUSED`."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


# ---- which files the server reads ------------------------------------------------------------------
def upload_root() -> Path:
    """Gradio's upload cache, resolved: GRADIO_TEMP_DIR, else <tempdir>/gradio (as gradio 6 names it)."""
    return Path(os.path.realpath(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio"))


def example_files() -> set[Path]:
    """The app's own example clips, resolved."""
    return {Path(os.path.realpath(EXAMPLES_DIR / name)) for name in EXAMPLES}


def allowed_video(path: str | os.PathLike | None, max_bytes: float | None = None) -> Path:
    """The resolved path of a video the server may read, or `NotAllowed` (message `REFUSED`).

    Accepted: a regular file inside Gradio's upload cache (not the cache folder itself), or one of the
    example clips; symlinks and `..` are resolved first, so neither can lead outside. Whether a refused
    path exists changes nothing: the message is the same and the file is never opened.

    Args:
        path: what the component or the API passed.
        max_bytes: largest upload accepted (None: no limit); example clips are exempt.

    Raises:
        NotAllowed: outside the cache and the examples, missing, or not a regular file.
        InputError: an upload of a type that is not a video or image, or over `max_bytes`.
    """
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else ""
    if not text or "\x00" in text or not os.path.isabs(text):
        raise NotAllowed()
    real = Path(os.path.realpath(text))  # symlinks and '..' resolved; nothing is opened
    root = upload_root()
    uploaded = real != root and real.is_relative_to(root)
    if not (uploaded or real in example_files()) or not real.is_file():
        raise NotAllowed()
    if real.suffix.lower() not in VIDEO_EXTS | IMAGE_EXTS:
        raise InputError(f"{real.name}: '{real.suffix or 'no extension'}' files are not accepted; upload a video "
                         "(MP4, WebM, AVI, MOV, MKV, ...) or an image")
    size = real.stat().st_size
    if uploaded and max_bytes is not None and size > max_bytes:
        raise InputError(f"{real.name}: {size / 2**20:.1f} MB, larger than this server accepts "
                         f"({max_bytes / 2**20:g} MB)")
    return real


# ---- scratch folders -------------------------------------------------------------------------------
def scratch_root() -> Path:
    """Folder holding this server's scratch folders (under the temp dir, so Gradio may hand files out)."""
    root = Path(tempfile.gettempdir()) / "alt-explorer"
    root.mkdir(parents=True, exist_ok=True)
    return root


def session_dir(session: str) -> Path:
    """The scratch folder of one browser session (named by a hash: the session id comes from the client)."""
    return scratch_root() / f"session-{hashlib.sha256(session.encode('utf-8', 'replace')).hexdigest()[:24]}"


def request_dir(kind: str, session: str | None = None) -> Path:
    """A new, empty scratch folder for one request (kind 'display' or 'export'), inside the session's
    folder when `session` is given (so it goes when the session ends)."""
    sweep_scratch()
    parent = session_dir(session) if session else scratch_root()
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=parent))


def end_session(session: str | None) -> int:
    """Remove a session's scratch folder; returns how many files it held."""
    if not session:
        return 0
    folder = session_dir(session)
    if not folder.is_dir():
        return 0
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    logger.info("session ended: removed %d scratch files", count)
    return count


def sweep_scratch(max_age_s: float = SCRATCH_MAX_AGE_S) -> int:
    """Remove scratch folders older than `max_age_s` (sessions that never said goodbye); returns how many."""
    now, removed = time.time(), 0
    for child in scratch_root().iterdir():
        try:
            if child.is_dir() and now - child.stat().st_mtime > max_age_s:
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
        except OSError:  # another worker removed it first
            continue
    return removed


# ---- display copies --------------------------------------------------------------------------------
def probe(path: str | Path) -> vf.Probe | None:
    """Codec and duration of a video (ffmpeg, no ffprobe needed); None when ffmpeg cannot read it."""
    return vf.probe(path)


def probe_codec(path: str | Path) -> str | None:
    """Codec name of the first video stream, or None when there is none or ffmpeg cannot read the file."""
    info = vf.probe(path)
    return info.codec if info else None


def is_browser_playable(path: str | Path, codec: str | None = None) -> bool:
    """True when Chromium can play the file as it is (container by suffix, codec by ffmpeg)."""
    codec = codec or probe_codec(path)
    return codec is not None and (Path(path).suffix.lower(), codec) in PLAYABLE


_probed: dict[tuple[str, int, int], bool] = {}  # (resolved path, size, mtime ns) -> Gradio's playable answer


def remember_playable_answers() -> None:
    """Let Gradio's Video component probe each file version once.

    Gradio runs ffprobe (`processing_utils.video_is_playable`) every time a Video shows a file: twice per
    example clip while the page is built (about 1.4 s of a start on a 2-core machine) and again for each
    display copy. Its answer depends only on the file, so it is kept per (path, size, mtime): a changed
    file is probed again, and the answers are Gradio's own. Calling this again changes nothing.
    """
    from gradio import processing_utils  # gradio.components.video looks the function up here at each call

    original = processing_utils.video_is_playable
    if getattr(original, "remembers", False):
        return

    def video_is_playable(video_filepath: str) -> bool:
        try:
            st = os.stat(video_filepath)
            key = (os.path.realpath(video_filepath), st.st_size, st.st_mtime_ns)
        except OSError:
            return original(video_filepath)
        if key not in _probed:
            _probed[key] = original(video_filepath)
        return _probed[key]

    video_is_playable.remembers = True  # type: ignore[attr-defined]
    processing_utils.video_is_playable = video_is_playable


def probe_in_parallel(paths: list[str]) -> None:
    """Ask the (remembering) playable check about `paths` at once, one ffprobe each in parallel threads."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio import processing_utils

    with ThreadPoolExecutor(max_workers=max(1, min(len(paths), 4))) as pool:
        list(pool.map(processing_utils.video_is_playable, paths))


def to_browser_playable(path: str | Path, *, session: str | None = None, max_duration_s: float | None = None,
                        codec: str | None = None, timeout_s: float = 120.0) -> Path | None:
    """A copy of `path` that browsers play, or None when `path` already plays or cannot be converted.

    The copy is H.264 MP4 (yuv420p, at most 720 px tall, even size, +faststart, no audio, at most `max_duration_s` long),
    named `display-<uuid>.mp4` in a fresh scratch folder of `session`. A file ffmpeg cannot read (not a
    video) gives None: the analysis then reports the problem with the decoder's own message. `codec`:
    the video codec when the caller has probed the file already.
    """
    exe = vf.ffmpeg_exe()
    codec = (codec or probe_codec(path)) if exe else None
    if codec is None or is_browser_playable(path, codec):
        return None
    out = request_dir("display", session) / f"{DISPLAY_PREFIX}{uuid.uuid4().hex}.mp4"
    limit = ["-t", f"{max_duration_s:g}"] if max_duration_s else []
    cmd = [exe, "-y", "-nostdin", "-loglevel", "error", *vf.input_options(), "-i", str(path), *limit, "-an",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
           "-vf", DISPLAY_SCALE, "-movflags", "+faststart", str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("could not convert %s for display: %s", Path(path).name, type(exc).__name__)
        shutil.rmtree(out.parent, ignore_errors=True)
        return None
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        logger.warning("could not convert %s for display: %s", Path(path).name,
                       proc.stderr.decode(errors="replace")[-300:])
        shutil.rmtree(out.parent, ignore_errors=True)
        return None
    logger.info("converted %s (%s) for display with %s ffmpeg -> %s", Path(path).name, codec, vf.ffmpeg_source(),
                out.name)
    return out


def is_display_copy(displayed: str | Path | None, copy: str | Path | None) -> bool:
    """True when the video a browser sends back is our display copy (Gradio moves files into its
    cache, so the folder changes but the unique file name stays)."""
    return bool(displayed and copy) and Path(str(displayed)).name == Path(str(copy)).name
