"""Which files the app's handlers read: uploads in Gradio's cache and the example clips, nothing else.

Every other path (existing or not, a folder, a symlink out of the cache, `..` tricks, relative) gets
the one `REFUSED` message, and an audit hook proves that the refused file is never opened.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import gradio as gr
import pytest

from alt.errors import InputError
from tests.helpers.clipgen import make_clip
from ui import media
from ui.examples import EXAMPLES, example_rows

_OPENED: list[str] | None = None  # filled by the audit hook while a test records


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one only records while _OPENED is a list


class Opened:
    """Context manager: the files opened (builtins.open / os.open) inside the block."""

    def __enter__(self) -> list[str]:
        global _OPENED
        _OPENED = []
        return _OPENED

    def __exit__(self, *exc) -> None:
        global _OPENED
        _OPENED = None


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A Gradio upload cache of our own (GRADIO_TEMP_DIR), with one uploaded clip in a hash folder."""
    root = tmp_path / "gradio-cache"
    (root / "0123abcd").mkdir(parents=True)
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(root))
    make_clip(root / "0123abcd" / "clip.avi", num_frames=8, codec="MJPG")
    return root


@pytest.fixture
def outside(tmp_path) -> dict[str, str]:
    """Server-side paths a client might name: each must be refused the same way."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.txt").write_text("SECRET-7c1e\n" * 10)
    make_clip(private / "server_video.avi", num_frames=8, codec="MJPG")
    cache = Path(os.environ["GRADIO_TEMP_DIR"])
    (cache / "0123abcd" / "link.avi").symlink_to("/etc/passwd")
    (cache / "0123abcd" / "vlink.avi").symlink_to(private / "server_video.avi")
    return {
        "existing file": str(private / "secret.txt"), "absent file": str(private / "absent.txt"),
        "a video on the server": str(private / "server_video.avi"), "a directory": str(private),
        "/etc/passwd": "/etc/passwd", "symlink into /etc": str(cache / "0123abcd" / "link.avi"),
        "symlink to a server video": str(cache / "0123abcd" / "vlink.avi"),
        "dot-dot out of the cache": f"{cache}/0123abcd/../../private/secret.txt",
        "dot-dot to /etc": f"{cache}/../../../../../../etc/passwd",
        "the cache folder itself": str(cache), "a hash folder": str(cache / "0123abcd"),
        "absent file in the cache": str(cache / "0123abcd" / "nothing.avi"),
        "relative path": "assets/examples/" + next(iter(EXAMPLES)), "NUL byte": str(cache / "0123abcd" / "c\x00.avi"),
        "empty": "", "file URL": "file:///etc/passwd",
    }


def test_upload_root_is_where_gradio_keeps_uploads(monkeypatch, tmp_path):
    from gradio.utils import get_upload_folder

    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    assert media.upload_root() == Path(os.path.realpath(get_upload_folder()))
    assert media.upload_root() == Path(os.path.realpath(Path(tempfile.gettempdir()) / "gradio"))
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    assert media.upload_root() == Path(os.path.realpath(get_upload_folder())) == tmp_path.resolve()


def test_uploads_and_example_clips_are_accepted(cache):
    upload = cache / "0123abcd" / "clip.avi"
    assert media.allowed_video(str(upload)) == upload.resolve()
    assert media.allowed_video(f"{cache}/0123abcd/./../0123abcd/clip.avi") == upload.resolve()
    for row in example_rows():  # the example clips that exist
        assert media.allowed_video(row[0]) == Path(row[0]).resolve()


def test_every_other_path_gets_one_message_and_is_never_opened(cache, outside):
    for kind, path in outside.items():
        with Opened() as opened, pytest.raises(media.NotAllowed) as err:
            media.allowed_video(path)
        assert str(err.value) == media.REFUSED, kind
        assert not opened, (kind, opened)
    assert "SECRET" not in media.REFUSED and "/" not in media.REFUSED.split("(")[0]


def test_uploads_of_other_types_or_over_the_size_limit_are_refused_with_a_reason(cache):
    (cache / "0123abcd" / "list.m3u8").write_text("#EXTM3U\n")
    with pytest.raises(InputError, match=r"list\.m3u8: '\.m3u8' files are not accepted"):
        media.allowed_video(str(cache / "0123abcd" / "list.m3u8"))
    upload = cache / "0123abcd" / "clip.avi"
    with pytest.raises(InputError, match="larger than this server accepts"):
        media.allowed_video(str(upload), max_bytes=upload.stat().st_size - 1)
    assert media.allowed_video(str(upload), max_bytes=upload.stat().st_size) == upload.resolve()
    example = Path(example_rows()[0][0])
    assert media.allowed_video(str(example), max_bytes=1) == example.resolve()  # examples are ours


def test_handlers_refuse_server_paths_before_reading_anything(tiny, cache, outside):
    from ui.handlers import Handlers

    h = Handlers(tiny, ui=None, max_duration_s=20, max_upload_mb=2)
    answers = {}
    for kind, path in outside.items():
        if not path:
            continue  # no video at all has its own message
        with Opened() as opened:
            with pytest.raises(gr.Error) as err:
                h.explain(path, "a, b", 4, 0)
            assert h.on_upload(path)[1] is None  # no display copy, nothing remembered
        answers[kind] = err.value.message
        assert not [p for p in opened if "private" in p or p.startswith("/etc")], (kind, opened)
    assert set(answers.values()) == {media.REFUSED}, answers
    exp = h.explain(str(cache / "0123abcd" / "clip.avi"), "a, b", 4, 0)  # an upload is analysed
    assert list(exp.class_names) == ["a", "b"]


def test_unexpected_errors_reach_users_without_their_text(tiny, cache, monkeypatch):
    from ui.handlers import Handlers

    def boom(*args, **kwargs):
        raise RuntimeError("SECRET-7c1e from deep inside")

    monkeypatch.setattr("alt.video.load.load_video", boom)
    with pytest.raises(gr.Error) as err:
        Handlers(tiny, ui=None).explain(str(cache / "0123abcd" / "clip.avi"), "a, b", 4, 0)
    assert "SECRET" not in err.value.message and "RuntimeError" in err.value.message
