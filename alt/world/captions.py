"""Per-frame captions: what is visible in this frame, in a few sentence templates.

A caption is computed from the frame's instance map, so it names exactly the things that are
visible: every subject (a person, its ball, bike, dog...) with at least `MIN_OBJECT_PIXELS` pixels,
every background region covering at least `MIN_REGION_FRACTION` of the frame, and every visible
distractor (sun, cloud, tree, bird). Colours come from the drawn colour names. Captions never say a
direction of motion or time (left, right, rising, falling, appearing, leaving): one frame cannot show
it. Entity words are the entity names themselves, except that a bicycle may be called a "bike"
(`ENTITY_WORDS`).
"""

from __future__ import annotations

import re

import numpy as np

from alt.world.catalog import SCENE_SPECS
from alt.world.stage import Stage

MIN_OBJECT_PIXELS = 6        # a thing smaller than this is not mentioned
MIN_REGION_FRACTION = 0.01   # a background region smaller than this share of the frame is not mentioned
# words a caption may use for an entity (for checks: the caption mentions a visible entity by one of these)
ENTITY_WORDS = {"bicycle": ("bicycle", "bike")}

_GROUND = {"grass": ("grass", "the grass", "a grassy field"), "road": ("a road", "the road"),
           "sand": ("the sand", "a sandy beach"), "snow": ("snow", "the snow", "a snowy field"),
           "floor": ("a {c} floor", "the {c} floor"), "water": ("the water", "blue water")}
_PREP = {"water": "in"}
_OTHER = {"sky": ("under a {c} sky", "below a {c} sky"), "grass": ("beside grass", "with grass behind"),
          "water": ("by the water", "near the water"), "sand": ("near the sand", "with sand in front"),
          "wall": ("in front of a {c} wall", "by a {c} wall"), "road": ("near a road",),
          "floor": ("above a {c} floor",), "snow": ("near snow",)}
_EMPTY = {"grass": ("a grassy field", "green grass"), "road": ("an empty road",), "sand": ("a sandy beach",),
          "snow": ("a snowy field", "white snow"), "floor": ("an empty room with a {c} floor",),
          "water": ("calm water", "a stretch of water")}
_NUMBERS = ("no", "a", "two", "three", "four")


class Draws:
    """A frame's template choices, read in order from uniforms in [0, 1) drawn in advance.

    Cheaper than a generator per frame, and a frame's caption depends only on its own row of draws,
    so a frame rendered alone gets the caption it has inside its clip.
    """

    def __init__(self, uniforms: np.ndarray) -> None:
        self._u = [float(v) for v in uniforms]
        self._i = 0

    def random(self) -> float:
        value = self._u[self._i % len(self._u)]
        self._i += 1
        return value

    def integers(self, n: int) -> int:
        """Uniform in 0..n-1."""
        return min(int(self.random() * n), n - 1)


def _pick(rng: Draws, options: tuple[str, ...], colour: str) -> str:
    return options[int(rng.integers(len(options)))].format(c=colour)


def _extras(found: dict[str, int], rng: Draws) -> str:
    """', with a tree and two clouds' for the visible distractors (empty when none)."""
    if not found:
        return ""
    words = []
    for entity, n in found.items():
        if entity == "sun":
            words.append("the sun")
        else:
            words.append(f"{_NUMBERS[min(n, 4)]} {entity}{'s' if n > 1 else ''}")
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return (f", with {listed}", f"; {listed} in the background")[int(rng.integers(2))]


def visible_counts(stage: Stage, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel counts per instance id and per top-level instance (parts added to their whole), both [N+1]."""
    n = len(stage.instances) + 1
    counts = np.bincount(ids.ravel(), minlength=n)[:n]
    return counts, np.bincount(stage.reg.root_of(), weights=counts, minlength=n)


def caption(stage: Stage, ids: np.ndarray, t: int, rng: Draws) -> str:
    """The caption of frame t of `stage`, whose instance map is `ids` int32 [S, S]."""
    return re.sub(r"\ba (?=[aeiou])", "an ", _caption(stage, ids, t, rng))


def _caption(stage: Stage, ids: np.ndarray, t: int, rng: Draws) -> str:
    counts, roots = visible_counts(stage, ids)
    u = stage.time(t)
    script = stage.script
    subjects = [s.text(u) for s in script.subjects if any(roots[r] >= MIN_OBJECT_PIXELS for r in s.roots)]
    ground = script.ground or SCENE_SPECS[stage.scene].ground
    min_region = MIN_REGION_FRACTION * ids.size
    regions = [(e, c) for iid, e, c in stage.back.regions if counts[iid] >= min_region]
    ground_colour = next((c for e, c in regions if e == ground), None)
    others = [_pick(rng, _OTHER[e], c) for e, c in regions if e != ground]
    found: dict[str, int] = {}
    for iid, entity in stage.back.scenery:
        if counts[iid] >= MIN_OBJECT_PIXELS:
            found[entity] = found.get(entity, 0) + 1
    extra = _extras(found, rng)
    if subjects:
        place = others
        if ground_colour is not None:
            prep = script.prep or _PREP.get(ground, "on")
            place = [f"{prep} {_pick(rng, _GROUND[ground], ground_colour)}"] + others
        who, where = " and ".join(subjects), " ".join(place)
        form = int(rng.integers(3))
        if form == 0 or not where:
            text = f"{who} {where}".strip()
        elif form == 1:
            text = f"a photo of {who} {where}"
        else:
            text = f"{where}, {who}"
        return text + extra
    scene = [_pick(rng, _EMPTY[ground], ground_colour)] if ground_colour is not None else []
    words = " ".join(scene + others) or "an empty scene"
    return ("a photo of " if rng.random() < 0.3 else "") + words + extra
