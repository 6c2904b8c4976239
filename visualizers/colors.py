"""Colours: one colour per entity NAME (stable across frames, panels, runs), region palettes, colormaps.

An entity's colour comes from a stable hash of its name (blake2b, not Python's salted `hash`) into a
qualitative palette, so "hand" is the same colour in every frame, every panel, the exported figure and
the MP4, and in tomorrow's run too. Distinct names may share a colour (the palette is finite); labels
and legends carry the names, so a collision never changes what a picture says.

Everything here is RGB; cv2 only ever sees these tuples as opaque triples.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

# Kelly's colours of maximum contrast (white and black left out) followed by Tableau 10 and a few of
# ColorBrewer Dark2/Set1; near-duplicates removed. Qualitative, readable over photos at 50-60 % alpha.
PALETTE_HEX: tuple[str, ...] = (
    "#f3c300", "#875692", "#f38400", "#a1caf1", "#be0032", "#c2b280", "#848482", "#008856",
    "#e68fac", "#0067a5", "#f99379", "#604e97", "#f6a600", "#b3446c", "#dcd300", "#882d17",
    "#8db600", "#654522", "#e25822", "#2b3d26", "#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
    "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77", "#d95f02",
    "#7570b3", "#e7298a", "#66a61e", "#377eb8",
)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' -> (r, g, b) ints in 0..255."""
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


PALETTE_RGB: np.ndarray = np.array([hex_to_rgb(h) for h in PALETTE_HEX], dtype=np.uint8)  # [K, 3]


def _stable_index(name: str, modulo: int) -> int:
    """Deterministic bucket of a string (same on every machine and process)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") % modulo


@lru_cache(maxsize=65536)
def entity_hex(name: str) -> str:
    """Colour of an entity, keyed by its name. '#rrggbb'"""
    return PALETTE_HEX[_stable_index(name, len(PALETTE_HEX))]


def entity_rgb(name: str) -> tuple[int, int, int]:
    """Colour of an entity, keyed by its name. (r, g, b) in 0..255"""
    return hex_to_rgb(entity_hex(name))


def entity_colors(names: list[str]) -> np.ndarray:
    """Colours of several entities. uint8 [len(names), 3]"""
    if not names:
        return np.zeros((0, 3), np.uint8)
    return np.array([entity_rgb(n) for n in names], dtype=np.uint8)


def region_palette(n: int) -> np.ndarray:
    """`n` colours for region ids 0..n-1 (cycles through the palette). uint8 [n, 3]

    Region ids carry no meaning across frames, so these are only for telling neighbours apart.
    """
    # A stride coprime with the palette size keeps neighbouring ids (often neighbours in space) apart.
    k = len(PALETTE_RGB)
    return PALETTE_RGB[(np.arange(n) * 7) % k]


@lru_cache(maxsize=32)
def colormap_lut(cmap: str = "inferno") -> np.ndarray:
    """A matplotlib colormap as a lookup table. uint8 [256, 3]

    Uses `matplotlib.colormaps` only (no pyplot). The default 'inferno' has monotone luminance, so a
    brighter pixel always means more attention.
    """
    import matplotlib  # local: keep module import light

    lut = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, 256))[:, :3]  # [256, 3] float 0..1
    out = np.round(lut * 255).astype(np.uint8)
    out.setflags(write=False)
    return out


