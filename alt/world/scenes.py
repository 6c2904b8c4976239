"""Backdrops: textured background regions plus static scenery (sun, clouds, trees), painted once per clip.

A backdrop is a pair rgb uint8 [S, S, 3] / ids int32 [S, S] in which every pixel belongs to a scene
region instance (sky, grass, road, water, sand, floor, wall, snow) or a static distractor. Regions are
stacked top to bottom, each below a slightly bumpy boundary; each has a base colour drawn from
`REGION_COLOURS`, jittered, plus a mild texture (noise, ripples, planks, lane markings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from alt.world.canvas import Canvas, Registry, jitter
from alt.world.catalog import REGION_COLOURS, SCENE_SPECS, WorldError


@dataclass
class Backdrop:
    """A clip's static background and where things may stand in it (y in pixels, down is +)."""

    scene: str
    rgb: np.ndarray                      # uint8 [S, S, 3]
    ids: np.ndarray                      # int32 [S, S]
    regions: list[tuple[int, str, str]]  # (instance id, entity, colour name), top to bottom
    horizon: float                       # top of the first ground region
    ground: tuple[float, float]          # y range where feet (or wheels) touch the ground
    water: tuple[float, float] | None    # y range for a swimmer's waterline, if the scene has water
    scenery: list[tuple[int, str]] = field(default_factory=list)  # (id, entity) of static distractors


def _boundary(rng: np.random.Generator, s: int, y: float, bump: float) -> list[tuple[float, float]]:
    """A region's top edge and the frame's bottom corners: a polygon covering everything below y."""
    xs = np.linspace(-1, s + 1, 7)
    ys = y + rng.normal(0.0, bump * s, xs.size) if bump > 0 else np.full(xs.size, y)
    return [(float(x), float(v)) for x, v in zip(xs, ys)] + [(s + 1, s + 1), (-1, s + 1)]


def _layout(scene: str, rng: np.random.Generator, s: int) -> tuple[list[tuple[float, float]], dict]:
    """Region top edges (y, bumpiness as a fraction of S) and the stand/water bands for `scene`."""
    u = lambda lo, hi: float(rng.uniform(lo, hi)) * s
    if scene == "grass" or scene == "snow":
        y0 = u(0.32, 0.46)
        return [(0, 0), (y0, 0.015 if scene == "grass" else 0.02)], {"ground": (y0 + 0.45 * (s - y0), s - 2)}
    if scene == "road":
        y0 = u(0.30, 0.42)
        r0 = y0 + u(0.07, 0.14)
        return [(0, 0), (y0, 0.01), (r0, 0)], {"ground": (r0 + 0.35 * (s - r0), s - 2)}
    if scene == "beach":
        y0 = u(0.30, 0.40)
        shore = y0 + u(0.28, 0.36)
        return [(0, 0), (y0, 0), (shore, 0.012)], {"ground": (shore + 0.4 * (s - shore), s - 2),
                                                   "water": (y0 + 0.3 * (shore - y0), shore - 0.02 * s)}
    if scene == "lake":
        y0 = u(0.30, 0.40)
        w0 = y0 + u(0.04, 0.07)
        return [(0, 0), (y0, 0.01), (w0, 0)], {"ground": (w0 + 0.3 * (s - w0), s - 2),
                                               "water": (w0 + 0.35 * (s - w0), s - 0.12 * s)}
    if scene == "indoor":
        y0 = u(0.50, 0.62)
        return [(0, 0), (y0, 0)], {"ground": (y0 + 0.35 * (s - y0), s - 2)}
    raise WorldError(f"unknown ALT World scene {scene!r}; choose one of {', '.join(SCENE_SPECS)}")


def _texture(entity: str, rng: np.random.Generator, s: int, noise: np.ndarray, coarse: np.ndarray,
             top: float, bottom: float) -> np.ndarray:
    """float32 [S, S] brightness offsets for one region (applied only inside it)."""
    yy = np.arange(s, dtype=np.float32)[:, None]
    if entity == "sky":  # brighter towards the horizon
        return 28.0 * np.clip(yy / max(bottom, 1.0), 0, 1) + 1.5 * noise
    if entity == "water":  # horizontal ripples
        return 10.0 * np.sin(yy * (6.0 / max(s / 32, 1)) + 2.5 * coarse) + 3.0 * noise
    if entity == "floor":  # planks: one tone per plank, dark seams
        plank = max(3, s // 14)
        tones = rng.normal(0.0, 9.0, s // plank + 2).astype(np.float32)
        rows = ((yy - top) // plank).astype(np.int64).clip(0)
        seams = np.where((yy - top) % plank < 1, -28.0, 0.0)
        return np.broadcast_to(tones[rows] + seams, (s, s)) + 3.0 * noise
    amp = {"grass": (10.0, 9.0), "sand": (6.0, 10.0), "road": (4.0, 5.0), "wall": (5.0, 1.5),
           "snow": (4.0, 3.5)}[entity]
    return amp[0] * coarse + amp[1] * noise


def paint_backdrop(scene: str, rng: np.random.Generator, size: int, reg: Registry) -> Backdrop:
    """Paint the regions of `scene` at `size` x `size` and register one instance per region."""
    spec = SCENE_SPECS[scene]
    edges, bands = _layout(scene, rng, size)
    ids = np.zeros((size, size), np.int32)
    regions = []
    for entity, (y, bump) in zip(spec.regions, edges):
        names = list(REGION_COLOURS[entity])
        regions.append((reg.add(entity), entity, names[int(rng.integers(len(names)))]))
        cv2.fillPoly(ids, [np.array(_boundary(rng, size, y, bump), np.int32).reshape(-1, 1, 2)],
                     regions[-1][0], cv2.LINE_8)
    noise = rng.standard_normal((size, size)).astype(np.float32)
    coarse = cv2.resize(rng.standard_normal((max(2, size // 8),) * 2).astype(np.float32), (size, size),
                        interpolation=cv2.INTER_LINEAR)
    rgb = np.zeros((size, size, 3), np.float32)
    for k, (iid, entity, colour) in enumerate(regions):
        inside = ids == iid
        top = edges[k][0]
        bottom = edges[k + 1][0] if k + 1 < len(edges) else float(size)
        base = np.asarray(jitter(REGION_COLOURS[entity][colour], rng, 8.0), np.float32)
        tex = _texture(entity, rng, size, noise, coarse, top, bottom)
        rgb[inside] = base + tex[inside][:, None]
    out = np.clip(rgb, 0, 255).astype(np.uint8)
    _markings(scene, out, edges, size)
    ground = bands["ground"]
    return Backdrop(scene, out, ids, regions, horizon=edges[1][0], ground=ground, water=bands.get("water"))


def _markings(scene: str, rgb: np.ndarray, edges: list[tuple[float, float]], s: int) -> None:
    """Lane dashes on a road and a skirting board on an indoor wall (colour only: ids stay the region's)."""
    if scene == "road":
        y = int(edges[2][0] + 0.45 * (s - edges[2][0]))
        h = max(1, s // 64)
        for x in range(-s // 16, s, s // 5):
            cv2.rectangle(rgb, (x, y), (x + s // 10, y + h), (225, 225, 215), -1, cv2.LINE_8)
    elif scene == "indoor":
        y = round(edges[1][0])
        rgb[max(0, y - max(2, s // 32)):y] = (rgb[max(0, y - max(2, s // 32)):y] * 0.7).astype(np.uint8)


def add_scenery(back: Backdrop, rng: np.random.Generator, reg: Registry) -> None:
    """Paint static distractors (sun, clouds, trees) into the backdrop, by chance per scene."""
    allowed = SCENE_SPECS[back.scene].distractors
    s = back.ids.shape[0]
    canvas = Canvas(back.rgb, back.ids)
    sky_grey = back.regions[0][1] == "sky" and back.regions[0][2] == "grey"
    if "sun" in allowed and not sky_grey and rng.random() < 0.35:
        iid = reg.add("sun")
        canvas.circle(iid, jitter((252, 222, 80), rng, 6), (rng.uniform(0.1, 0.9) * s,
                      rng.uniform(0.08, 0.6) * back.horizon), rng.uniform(0.045, 0.07) * s)
        back.scenery.append((iid, "sun"))
    for _ in range(int(rng.integers(0, 3)) if "cloud" in allowed else 0):
        iid = reg.add("cloud")
        cx, cy, w = rng.uniform(0, 1) * s, rng.uniform(0.12, 0.6) * back.horizon, rng.uniform(0.07, 0.12) * s
        colour = jitter((244, 245, 248), rng, 4)
        for dx, dy, k in ((-0.6, 0.15, 0.55), (0.0, -0.1, 0.75), (0.6, 0.15, 0.55), (0.0, 0.25, 0.6)):
            canvas.ellipse(iid, colour, (cx + dx * w, cy + dy * w), (k * w, k * w * 0.7))
        back.scenery.append((iid, "cloud"))
    for _ in range(int(rng.integers(0, 3)) if "tree" in allowed else 0):
        iid = reg.add("tree")
        far = 0.035 if back.scene == "lake" else 0.08  # a lake's trees stand on its thin far bank
        x, base = rng.uniform(0.03, 0.97) * s, back.horizon + rng.uniform(0.015, far) * s
        height, crown = rng.uniform(0.12, 0.2) * s, rng.uniform(0.06, 0.09) * s
        trunk = jitter((105, 70, 40), rng, 8)
        canvas.poly(iid, trunk, [(x - 0.012 * s, base), (x + 0.012 * s, base), (x + 0.012 * s, base - height),
                                 (x - 0.012 * s, base - height)])
        canvas.circle(iid, jitter((40, 112, 48), rng, 10), (x, base - height - 0.5 * crown), crown)
        back.scenery.append((iid, "tree"))
    back.rgb, back.ids = canvas.rgb, canvas.ids


@dataclass
class Bird:
    """A small flapping 'v' crossing the sky; the only moving distractor."""

    iid: int
    colour: tuple[int, int, int]
    start: tuple[float, float]  # (x, y) at u = 0
    velocity: float             # x pixels over the whole clip
    span: float                 # half wing span, pixels
    flaps: float                # wing beats over the clip

    def paint(self, canvas: Canvas, u: float) -> None:
        x, y = self.start[0] + self.velocity * u, self.start[1]
        lift = self.span * 0.6 * np.cos(2 * np.pi * self.flaps * u)
        canvas.line(self.iid, self.colour, [(x - self.span, y - lift), (x, y), (x + self.span, y - lift)],
                    max(1.0, self.span / 3))


def add_birds(back: Backdrop, rng: np.random.Generator, reg: Registry) -> list[Bird]:
    """Zero or one bird in outdoor scenes (probability 0.35)."""
    if "bird" not in SCENE_SPECS[back.scene].distractors or rng.random() >= 0.35:
        return []
    s = back.ids.shape[0]
    iid = reg.add("bird")
    back.scenery.append((iid, "bird"))
    return [Bird(iid, jitter((40, 40, 50), rng, 8), (rng.uniform(0.1, 0.9) * s, rng.uniform(0.15, 0.75) * back.horizon),
                 rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 0.4) * s, rng.uniform(0.03, 0.045) * s,
                 rng.uniform(2.0, 4.0))]
