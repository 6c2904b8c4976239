"""Colours: one colour per entity for a whole clip, region palettes, colormaps.

An entity's *preferred* colour comes from a stable hash of its name (blake2b, not Python's salted `hash`)
into a qualitative palette, so "hand" tends to keep its colour from clip to clip. Within one clip,
`ClipColors` gives the entities shown (the first `legend_size` of `Explanation.entity_ranking()`) colours
without collisions: in rank order each takes its preferred swatch, or, when an entity ranked above took it
(or a swatch too alike to it), the free swatch most unlike those taken; every entity beyond the legend is
grey (`OTHER_HEX`). The assignment depends only on
the clip, so one entity has one colour in every frame, panel and export of that clip, and (greedy in rank
order) an entity's colour never depends on how many entities rank below it.

Everything here is RGB; cv2 only ever sees these tuples as opaque triples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: importing `alt` at runtime would pull in torch
    from alt.explanation import Explanation, RankedEntity

# Kelly's colours of maximum contrast (white, black and greys left out: grey means "not in the legend")
# followed by Tableau 10 and a few of ColorBrewer Dark2/Set1; near-duplicates removed. Qualitative,
# readable over photos at 50-60 % alpha.
PALETTE_HEX: tuple[str, ...] = (
    "#f3c300", "#875692", "#f38400", "#a1caf1", "#be0032", "#c2b280", "#008856",
    "#e68fac", "#0067a5", "#f99379", "#604e97", "#f6a600", "#b3446c", "#dcd300", "#882d17",
    "#8db600", "#654522", "#e25822", "#2b3d26", "#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
    "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#1b9e77", "#d95f02",
    "#7570b3", "#e7298a", "#66a61e", "#377eb8",
)
OTHER_HEX = "#8c8c8c"  # every entity beyond the legend
LEGEND_SIZE = 10  # entities with their own colour, legend entry and number, unless a caller asks otherwise


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
    """Preferred colour of an entity, keyed by its name (a clip's pictures use `clip_colors`). '#rrggbb'"""
    return PALETTE_HEX[_stable_index(name, len(PALETTE_HEX))]


def entity_rgb(name: str) -> tuple[int, int, int]:
    """Colour of an entity, keyed by its name. (r, g, b) in 0..255"""
    return hex_to_rgb(entity_hex(name))


MIN_DISTANCE = 30.0  # CIELAB distance below which two swatches count as a clash (too alike to tell apart)


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 [..., 3] -> CIELAB (D65) float64 [..., 3]."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


@lru_cache(maxsize=4)
def _distances(palette: tuple[str, ...]) -> np.ndarray:
    """CIELAB distances between the swatches of a palette. float64 [K, K]"""
    lab = _lab(np.array([hex_to_rgb(h) for h in palette], np.uint8))  # [K, 3]
    return np.linalg.norm(lab[:, None] - lab[None], axis=-1)


def assign_colors(names: list[str], palette: tuple[str, ...] = PALETTE_HEX) -> list[str]:
    """Colours for names given best first, without collisions: each name takes its hash-preferred swatch unless
    that swatch is taken or within `MIN_DISTANCE` of a taken one (a clash); then, greedily, the free swatch
    farthest from every taken one. Names beyond the palette's size get `OTHER_HEX`.

    Returns:
        ['#rrggbb'] aligned with `names`; no two equal (except `OTHER_HEX`).
    """
    dist = _distances(tuple(palette))  # [K, K]
    taken: list[int] = []
    out = []
    for name in names:
        if len(taken) == len(palette):
            out.append(OTHER_HEX)
            continue
        i = _stable_index(name, len(palette))
        if i in taken or (taken and dist[i, taken].min() < MIN_DISTANCE):
            free = [j for j in range(len(palette)) if j not in taken]
            i = max(free, key=lambda j: (dist[j, taken].min(), -((j - i) % len(palette))))
        taken.append(i)
        out.append(palette[i])
    return out


@dataclass(frozen=True)
class ClipColors:
    """The colour, legend number and legend membership of every entity of one clip.

    `legend` is the first `legend_size` entities of `Explanation.entity_ranking()`; legend entity i has the
    number i + 1 and a colour no other legend entity has; every other entity is grey and has no number.
    """

    ranking: tuple[RankedEntity, ...]  # every entity aligned in the clip, best first
    legend_size: int
    hex_by_entity: dict[int, str]  # legend entities only

    @property
    def legend(self) -> tuple[RankedEntity, ...]:
        return self.ranking[: self.legend_size]

    def hex(self, entity: int) -> str:
        """'#rrggbb' of an entity index (grey beyond the legend)."""
        return self.hex_by_entity.get(int(entity), OTHER_HEX)

    def rgb(self, entity: int) -> tuple[int, int, int]:
        return hex_to_rgb(self.hex(entity))

    def number(self, entity: int) -> int | None:
        """1-based legend number of an entity, None beyond the legend."""
        for i, e in enumerate(self.legend):
            if e.index == int(entity):
                return i + 1
        return None

    def in_legend(self, entity: int) -> bool:
        return int(entity) in self.hex_by_entity

    def lut(self, entity_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index map with the shape of `entity_ids` into the LUT, uint8 LUT [U, 3]) for any entity id array."""
        uniq, inverse = np.unique(entity_ids, return_inverse=True)
        lut = np.array([self.rgb(int(e)) for e in uniq], dtype=np.uint8).reshape(-1, 3)  # [U, 3]
        return inverse.reshape(entity_ids.shape), lut


def clip_colors(exp: Explanation, legend_size: int = LEGEND_SIZE) -> ClipColors:
    """The clip's colour assignment (see the module docstring); legend_size is capped by the palette size."""
    ranking = tuple(exp.entity_ranking())
    k = max(0, min(int(legend_size), len(PALETTE_HEX), len(ranking)))
    colors = assign_colors([e.name for e in ranking[:k]])
    return ClipColors(ranking, k, {e.index: c for e, c in zip(ranking[:k], colors)})


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


