"""A staged clip: backdrop + moving birds + an action script's painter, rendered one frame at a time.

An action script (see `scripts_people`, `scripts_things`) receives a `Ctx`, draws every random choice
it needs from `ctx.rng` up front, registers its instances, and returns a `Script`: a painter
`paint(canvas, u)` that is a pure function of the normalised time u in [0, 1], plus caption
`Subject`s. Rendering therefore never touches the random generator, so any frame can be rendered on
its own (single frames for CLIP pretraining) and a clip is the same frames in any order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alt.world.canvas import Canvas, Instance, Registry
from alt.world.person import PersonIds, PersonLook, person_look, register_person
from alt.world.scenes import Backdrop, Bird


@dataclass
class Subject:
    """What a caption says about one group of things, when any of them is visible in the frame."""

    roots: tuple[int, ...]       # top-level instance ids (a person, its ball, its dog...)
    text: Callable[[float], str]  # u -> phrase, e.g. "a person in red riding a blue bike"


@dataclass
class Script:
    paint: Callable[[Canvas, float], None]  # draws the action's things at time u over the backdrop
    subjects: list[Subject]
    ground: str | None = None  # the region the subjects are in, when not the scene's ground ("water")
    prep: str | None = None    # how captions place the subjects on the ground ("above"), else the region's own


@dataclass
class Ctx:
    """What a script may use: random draws (only while building), sizes, the backdrop, the registry."""

    rng: np.random.Generator
    size: int
    back: Backdrop
    reg: Registry

    def uniform(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def sign(self) -> int:
        """+1 or -1 with equal probability (direction of travel, mirroring)."""
        return 1 if self.rng.random() < 0.5 else -1

    def feet_y(self, lo: float = 0.0, hi: float = 1.0) -> float:
        """A y in the fraction [lo, hi] of the scene's ground band."""
        g0, g1 = self.back.ground
        return g0 + (g1 - g0) * self.uniform(lo, hi)

    def height_at(self, y: float, band: tuple[float, float] | None = None) -> float:
        """A person's height (pixels) standing at y: 0.36 S far away to 0.56 S near, +-5%."""
        g0, g1 = band or self.back.ground
        depth = float(np.clip((y - g0) / max(g1 - g0, 1e-6), 0, 1))
        return self.size * (0.36 + 0.2 * depth) * self.uniform(0.95, 1.05)

    def person(self, y_feet: float, band: tuple[float, float] | None = None,
               avoid: tuple[str, ...] = ()) -> tuple[PersonIds, PersonLook, str]:
        """Register a person standing at `y_feet`, shirt not in `avoid`; returns ids, looks, caption noun."""
        look = person_look(self.rng, self.height_at(y_feet, band))
        while look.shirt_name in avoid:
            look = person_look(self.rng, look.height)
        return register_person(self.reg), look, look.noun(self.rng)


@dataclass
class Stage:
    """Everything needed to render any frame of one clip."""

    action: str                  # the scripted (base) action
    scene: str
    size: int
    num_frames: int
    back: Backdrop
    reg: Registry
    birds: list[Bird]
    script: Script
    caption_draws: np.ndarray    # float [T, K] uniforms: frame t's caption template choices

    @property
    def instances(self) -> list[Instance]:
        return self.reg.instances

    def time(self, t: int) -> float:
        """Normalised time u in [0, 1] of frame t."""
        return t / (self.num_frames - 1) if self.num_frames > 1 else 0.0

    def render(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Frame t: rgb uint8 [S, S, 3] and instance ids int32 [S, S]."""
        canvas = Canvas(self.back.rgb, self.back.ids)
        u = self.time(t)
        for bird in self.birds:
            bird.paint(canvas, u)
        self.script.paint(canvas, u)
        return canvas.rgb, canvas.ids
