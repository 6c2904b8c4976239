"""Naming the kind of a file that is not a video, from its first bytes, without ever quoting them.

Messages about unreadable uploads reach users of a public server, and the file may not be theirs, so
they say "it looks like a PDF document", never what the file holds.
"""

from __future__ import annotations

UNKNOWN = "binary data of an unknown format"

#: Leading bytes of common non-video files -> what to call them in a message (the bytes are never shown).
_SIGNATURES = ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive or office document"),
               (b"\x7fELF", "a program"), (b"MZ", "a program"), (b"#EXTM3U", "a playlist (it only names other files)"),
               (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
               (b"ID3", "an MP3 audio file"), (b"fLaC", "a FLAC audio file"),
               (b"OggS", "an Ogg file without a readable video stream"))


def file_kind(head: bytes) -> str:
    """What the first bytes of a file look like, in words ("text", "a PDF document", ...); never the bytes."""
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in head)
    if not head or printable < 0.95 * len(head):
        return UNKNOWN
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if low.startswith(b"<"):
        return "an XML file or manifest"
    if low.startswith((b"{", b"[")):
        return "a JSON file"
    return "text"
