"""Checks on per-call user input, with messages that name the problem and the remedy."""

from __future__ import annotations

import re
from collections.abc import Sequence

from alt.errors import InputError

MAX_CLASSES = 1000
MAX_CLASS_CHARS = 200
MAX_EXTRA_ENTITIES = 200
MIN_FRAMES, MAX_FRAMES = 1, 64


def split_names(text: str) -> list[str]:
    """Split a comma- or newline-separated string into stripped, non-empty names."""
    return [part.strip() for part in re.split(r"[,\n;]", text) if part.strip()]


def split_templates(text: str | None) -> list[str] | None:
    """Prompt templates from one string: several separated by '|' (their embeddings are averaged);
    None (the model's own) when empty. The app's template box and `alt train --templates` read them so."""
    parts = [t.strip() for t in (text or "").split("|")]
    return [t for t in parts if t] or None


def clean_class_names(names: str | Sequence[str]) -> list[str]:
    """Validate zero-shot class names.

    Args:
        names: a list of names, or one string separated by commas or newlines.
    Returns:
        the names, stripped, in the given order.
    Raises:
        InputError: no names, a non-string, an over-long name, duplicates, or more than MAX_CLASSES.
    """
    if isinstance(names, str):
        names = split_names(names)
    if not isinstance(names, Sequence):
        raise InputError("class names must be a list of strings or one comma-separated string, got "
                         f"{type(names).__name__}")
    cleaned = []
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise InputError(f"class name #{i + 1} is {type(name).__name__}, not a string: pass text such as "
                             "'riding a bike'")
        name = " ".join(name.split())
        if not name:
            raise InputError(f"class name #{i + 1} is empty: remove it or type a name")
        if len(name) > MAX_CLASS_CHARS:
            raise InputError(f"class name #{i + 1} has {len(name)} characters; keep each under {MAX_CLASS_CHARS}")
        cleaned.append(name)
    if not cleaned:
        raise InputError("no class names given: type at least one, e.g. 'riding a bike, swimming'")
    seen: set[str] = set()
    dupes = []
    for name in cleaned:
        if name.lower() in seen:
            dupes.append(name)
        seen.add(name.lower())
    if dupes:
        raise InputError(f"duplicate class names: {', '.join(repr(d) for d in dupes)}; give each class once")
    if len(cleaned) > MAX_CLASSES:
        raise InputError(f"{len(cleaned)} class names given; at most {MAX_CLASSES} are allowed per call")
    return cleaned


def clean_extra_entities(words: str | Sequence[str] | None) -> list[str]:
    """Validate user-supplied extra entities (same rules as class names, duplicates dropped)."""
    if words is None:
        return []
    if isinstance(words, str):
        words = split_names(words)
    out: list[str] = []
    for i, w in enumerate(words):
        if not isinstance(w, str) or not w.strip():
            raise InputError(f"extra entity #{i + 1} must be a non-empty string")
        w = " ".join(w.split())
        if len(w) > MAX_CLASS_CHARS:
            raise InputError(f"extra entity #{i + 1} is too long (max {MAX_CLASS_CHARS} characters)")
        if w.lower() not in {o.lower() for o in out}:
            out.append(w)
    if len(out) > MAX_EXTRA_ENTITIES:
        raise InputError(f"{len(out)} extra entities given; at most {MAX_EXTRA_ENTITIES} are allowed")
    return out


def check_r(r: int, max_r: int) -> int:
    """Tokens merged per layer must be an integer in [0, max_r]."""
    if isinstance(r, bool) or not isinstance(r, int):
        raise InputError(f"r must be an integer, got {r!r}")
    if r < 0 or r > max_r:
        raise InputError(f"r={r} is outside 0..{max_r}: a layer never merges more than half its tokens; "
                         f"pick r <= {max_r}")
    return r


def check_num_frames(n: int, lo: int = MIN_FRAMES, hi: int = MAX_FRAMES) -> int:
    """Frames per clip must be an integer in [lo, hi].

    Args:
        n: the frame count asked for.
        lo, hi: the caller's limits; the app passes its narrower range, `explain` the model's
            `config.max_frames` (the length of the adapter's temporal position table) when smaller.
    Raises:
        InputError: not an integer, or outside [lo, hi].
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise InputError(f"num_frames must be an integer, got {n!r}")
    if not lo <= n <= hi:
        raise InputError(f"num_frames={n} is outside {lo}..{hi}; 8 is the usual choice")
    return n


def frame_limit(config_max_frames: int) -> int:
    """The most frames a model can take: MAX_FRAMES, or fewer when its temporal table is shorter."""
    return min(MAX_FRAMES, int(config_max_frames))
