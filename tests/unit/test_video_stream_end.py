"""A stream with fewer frames than its header claims loads (trust the stream); damage is still refused;
messages about non-video files name the kind of file and never quote it.

tree.avi comes from Debian's opencv-doc (tests/helpers/real_clips.py fetches it once per machine).
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from alt.video import ffmpeg as vf
from alt.video import salvage
from alt.video.load import VideoError, load_video
from tests.helpers.clipgen import SKIP_NO_FFMPEG, decode_index, ffmpeg_clip, has_ffmpeg, make_clip, truncate
from tests.helpers.real_clips import opencv_doc_clip

needs_ffmpeg = pytest.mark.skipif(not has_ffmpeg(), reason=SKIP_NO_FFMPEG)


def sparse_avi(path, frames: int = 16, rate: int = 2, header_rate: int = 12):
    """An AVI like tree.avi: `frames` frames at `rate` fps in a `header_rate` fps container, so the header
    claims frames * header_rate / rate frames (the AVI skips the empty slots)."""
    return ffmpeg_clip(path, num_frames=frames, fps=rate, vcodec="mjpeg", pix_fmt="yuvj420p",
                       extra=("-fps_mode", "vfr", "-enc_time_base", f"1/{header_rate}"))


def test_tree_avi_loads_with_the_stream_frame_count_and_duration(caplog):
    tree = opencv_doc_clip("tree.avi")
    with caplog.at_level(logging.INFO, logger="alt.video"):
        clip = load_video(tree, 8)
    assert clip.num_frames_total == 68 and clip.frames.shape == (8, 240, 320, 3)
    assert clip.duration == pytest.approx(29.6, abs=0.05) and clip.fps == pytest.approx(68 / 29.6, rel=1e-3)
    assert np.all(np.diff(clip.indices) > 0) and clip.indices.max() < 68 and clip.num_missing == 0
    assert np.all(np.diff(clip.timestamps) > 0) and 0 <= clip.timestamps[0] and clip.timestamps[-1] < 29.6
    said = [r for r in caplog.records if r.name == "alt.video.salvage" and r.levelno >= logging.WARNING]
    assert len(said) == 1 and "68 frames" in said[0].getMessage() and "444" in said[0].getMessage()
    assert len({f.tobytes() for f in clip.frames}) == 8  # eight different frames, not one repeated


@needs_ffmpeg
def test_sparse_stream_samples_the_frames_that_exist_at_their_own_times(tmp_path):
    clip = load_video(sparse_avi(tmp_path / "sparse.avi"), 8)
    assert clip.num_frames_total == 16 and clip.duration == pytest.approx(8.0) and clip.fps == pytest.approx(2.0)
    assert [decode_index(f) for f in clip.frames] == clip.indices.tolist() == [1, 3, 5, 7, 9, 11, 13, 15]
    assert clip.timestamps == pytest.approx(clip.indices / 2.0, abs=1e-3)  # the stream's own times


@needs_ffmpeg
def test_without_a_decoder_verdict_a_short_stream_counts_as_damage(tmp_path, monkeypatch):
    monkeypatch.setattr(vf, "ffmpeg_exe", lambda: None)
    with pytest.raises(VideoError, match=r"only 16 of 96 frames decode"):
        load_video(sparse_avi(tmp_path / "sparse.avi"), 8)


def test_truncated_file_is_damage_not_a_short_stream(tmp_path):
    cut = truncate(make_clip(tmp_path / "good.avi", num_frames=96, codec="MJPG"), tmp_path / "cut.avi", 0.2)
    errors = vf.decode_errors(cut)
    assert errors, "ffmpeg should report the cut-off frame"
    with pytest.raises(VideoError, match=r"cut\.avi: only \d+ of 96 frames decode"):
        load_video(cut, 8)


def test_stream_duration_stops_at_the_container_end_when_it_covers_the_frames():
    from alt.video.decode import Probe

    info = Probe(num_frames=444, fps=15.0, fps_known=True, width=1, height=1, rotation=0, manual_rotation=0, codec="")
    assert salvage.stream_duration(np.array([0.0, 10.0, 29.5]), info) == pytest.approx(29.6)
    assert salvage.stream_duration(np.arange(10) / 15.0, info) == pytest.approx(10 / 15.0)  # ends early in time
    assert salvage.stream_duration(np.array([0.0]), info) == pytest.approx(1 / 15.0)


SECRET = b"root:x:0:0:SECRET-token-4f2a:/root:/bin/bash\n"


@pytest.mark.parametrize("name, content, kind", [
    ("passwd", SECRET * 20, "text"),
    ("notes.mp4", SECRET * 20, "text"),
    ("doc.avi", b"%PDF-1.7\n" + SECRET, "a PDF document"),
    ("list.mp4", b"#EXTM3U\n#EXTINF:4,\nfile:///etc/passwd\n", "a playlist"),
    ("page.webm", b"<!DOCTYPE html><html>" + SECRET, "an HTML page"),
    ("manifest.mp4", b'<?xml version="1.0"?><MPD><BaseURL>file:///etc/passwd</BaseURL></MPD>', "an XML file"),
])
def test_not_a_video_message_names_the_kind_and_quotes_nothing(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VideoError) as err:
        load_video(path, 4)
    message = str(err.value)
    assert f"it looks like {kind}" in message, message
    body = message.replace(str(path), "")
    for token in (b"SECRET", b"root:", b"EXTINF", b"passwd", b"MPD", b"BaseURL"):
        assert token.decode() not in body, message


@pytest.mark.parametrize("which", ["PATH or bundled", "bundled"])
def test_manifests_and_playlists_never_make_ffmpeg_read_other_files(tmp_path, monkeypatch, which):
    """A DASH manifest named .mp4 and an HLS playlist, both pointing at a real video: the safe input
    options make ffmpeg refuse them (the static imageio-ffmpeg build would otherwise follow the manifest)."""
    if which == "bundled":
        imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
        monkeypatch.setattr(vf, "ffmpeg_exe", imageio_ffmpeg.get_ffmpeg_exe)
    from ui.examples import example_rows

    target = example_rows()[0][0]
    manifest = tmp_path / "innocent.mp4"
    manifest.write_text(f'<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
                        f'mediaPresentationDuration="PT4S"><Period><AdaptationSet mimeType="video/mp4">'
                        f'<Representation id="1" bandwidth="1000"><BaseURL>file://{target}</BaseURL>'
                        f'</Representation></AdaptationSet></Period></MPD>')
    playlist = tmp_path / "list.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:4.0,\nfile://{target}\n#EXT-X-ENDLIST\n")
    for path in (manifest, playlist):
        assert vf.probe(path) is None
        assert vf.decode_errors(path)  # refused: nothing decoded
    assert vf.probe(target).codec == "h264"  # the same options read a real clip
