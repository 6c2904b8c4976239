"""Paired painting: every primitive goes into the RGB frame and the instance map at once.

Each primitive is drawn twice with the same cv2 call and `cv2.LINE_8` (no anti-aliasing), once with
the instance's colour into `rgb` uint8 [H, W, 3] and once with its id into `ids` int32 [H, W]. So the
mask of an instance is exactly the set of pixels painted with its colour, and occlusion is painting
order: a later primitive wins in both arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from alt.world.catalog import COLOURS, ENTITY_SPECS, WorldError

Point = tuple[float, float]
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Instance:
    """One painted thing: ids are stable over a clip's frames (the person in frame 0 is the person in frame 9)."""

    id: int               # the value of its pixels in the instance map (>= 1; 0 is never used)
    entity: str           # a name of `ENTITIES`
    kind: str             # "scene", "object" or "body_part"
    parent: int | None    # the id of the whole for parts (hand -> person, wheel -> car), else None

    def to_dict(self) -> dict:
        return asdict(self)


class Registry:
    """Hands out instance ids 1, 2, ... in the order things are created (deterministic)."""

    def __init__(self) -> None:
        self.instances: list[Instance] = []
        self._roots: np.ndarray | None = None

    def add(self, entity: str, parent: int | None = None) -> int:
        if entity not in ENTITY_SPECS:
            raise WorldError(f"unknown entity {entity!r}")
        iid = len(self.instances) + 1
        self.instances.append(Instance(iid, entity, ENTITY_SPECS[entity].kind, parent))
        self._roots = None
        return iid

    def root_of(self) -> np.ndarray:
        """int32 [N+1]: the top-level instance of every id (itself when it has no parent); [0] = 0."""
        if self._roots is None:
            roots = np.arange(len(self.instances) + 1, dtype=np.int32)
            for inst in self.instances:
                if inst.parent is not None:
                    roots[inst.id] = inst.parent
            self._roots = roots
        return self._roots


def jitter(rgb: Sequence[int], rng: np.random.Generator, sd: float = 10.0) -> RGB:
    """A colour drawn around `rgb`: independent normal noise per channel, clipped to 0..255."""
    out = np.clip(np.asarray(rgb, np.float64) + rng.normal(0.0, sd, 3), 0, 255)
    return tuple(int(v) for v in np.rint(out))  # type: ignore[return-value]


def pick_colour(names: Sequence[str], rng: np.random.Generator, sd: float = 10.0) -> tuple[str, RGB]:
    """A named colour from `names` (uniformly) and its jittered RGB."""
    name = names[int(rng.integers(len(names)))]
    return name, jitter(COLOURS[name], rng, sd)


def shade(rgb: Sequence[int], factor: float) -> RGB:
    """`rgb` darkened (factor < 1) or lightened (factor > 1)."""
    return tuple(int(min(255, max(0, round(c * factor)))) for c in rgb)  # type: ignore[return-value]


def _pt(p: Point) -> tuple[int, int]:
    return math.floor(float(p[0]) + 0.5), math.floor(float(p[1]) + 0.5)


def _poly(points: Sequence[Point]) -> list[np.ndarray]:
    return [np.floor(np.asarray(points, np.float64) + 0.5).astype(np.int32).reshape(-1, 1, 2)]


class Canvas:
    """One frame being painted over a backdrop.

    Attributes:
        rgb: uint8 [H, W, 3] RGB.
        ids: int32 [H, W] instance ids.
    """

    def __init__(self, rgb: np.ndarray, ids: np.ndarray) -> None:
        self._base_rgb, self._base_ids = rgb, ids
        self.rgb = rgb.copy()
        self.ids = ids.copy()

    @property
    def size(self) -> int:
        return self.ids.shape[1]

    def _both(self, draw, iid: int, colour: RGB) -> None:
        draw(self.rgb, colour)
        draw(self.ids, iid)

    def poly(self, iid: int, colour: RGB, points: Sequence[Point]) -> None:
        """Filled polygon through `points` (x, y)."""
        pts = _poly(points)
        self._both(lambda im, c: cv2.fillPoly(im, pts, c, cv2.LINE_8), iid, colour)

    def circle(self, iid: int, colour: RGB, centre: Point, radius: float, thickness: int = -1) -> None:
        """Filled disc (thickness -1) or ring of `radius` pixels (at least 1)."""
        c, r = _pt(centre), max(1, math.floor(float(radius) + 0.5))
        self._both(lambda im, col: cv2.circle(im, c, r, col, thickness, cv2.LINE_8), iid, colour)

    def ellipse(self, iid: int, colour: RGB, centre: Point, axes: Point, angle: float = 0.0) -> None:
        """Filled ellipse with half-axes `axes` (pixels, at least 1) rotated by `angle` degrees."""
        c = _pt(centre)
        ax = (max(1, math.floor(float(axes[0]) + 0.5)), max(1, math.floor(float(axes[1]) + 0.5)))
        self._both(lambda im, col: cv2.ellipse(im, c, ax, float(angle), 0, 360, col, -1, cv2.LINE_8),
                   iid, colour)

    def line(self, iid: int, colour: RGB, points: Sequence[Point], thickness: float) -> None:
        """Open polyline through `points` with round joints, `thickness` pixels (at least 1)."""
        pts, t = _poly(points), max(1, math.floor(float(thickness) + 0.5))
        self._both(lambda im, c: cv2.polylines(im, pts, False, c, t, cv2.LINE_8), iid, colour)

    def restore(self, y0: int, y1: int, x0: int, x1: int) -> None:
        """Repaint the backdrop over rows y0:y1, columns x0:x1 (something is hidden behind it, e.g. water)."""
        s = self.size
        y0, y1, x0, x1 = max(0, y0), min(s, y1), max(0, x0), min(s, x1)
        if y0 < y1 and x0 < x1:
            self.rgb[y0:y1, x0:x1] = self._base_rgb[y0:y1, x0:x1]
            self.ids[y0:y1, x0:x1] = self._base_ids[y0:y1, x0:x1]
