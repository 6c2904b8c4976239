"""What exists in ALT World: entities, colours, scenes and actions (data only, no drawing).

Everything the generator can draw is declared here once, so captions, the corpus entries and the
tests read one source of truth:

- `ENTITY_SPECS`: entity name -> (kind, visual description); `ENTITIES` is its ordered name tuple and
  the index space of `WorldClip.entity_map`.
- `COLOURS`: named RGB colours; objects draw a colour name, then jitter its RGB.
- `SCENE_SPECS`: scene name -> description, background regions and allowed distractors.
- `ACTION_SPECS`: action (a zero-shot class name) -> scenes, cast and, for temporal classes, the
  class whose time-reversal it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from alt.errors import ALTError


class WorldError(ALTError):
    """Bad arguments to the ALT World generator (unknown action, absurd size, bad format...)."""


@dataclass(frozen=True)
class EntitySpec:
    kind: str         # "scene", "object" or "body_part" (also the corpus kind)
    description: str  # a short visual description, used as the corpus entry's description


_E = EntitySpec
ENTITY_SPECS: Mapping[str, EntitySpec] = MappingProxyType({
    # scene regions (every background pixel belongs to one of them)
    "sky": _E("scene", "the open sky above the horizon, blue, grey or orange, brighter near the horizon"),
    "grass": _E("scene", "a field of green grass with a mottled texture"),
    "road": _E("scene", "a grey asphalt road with white dashed lane markings"),
    "water": _E("scene", "blue water with horizontal ripples"),
    "sand": _E("scene", "pale yellow sand with a speckled texture"),
    "floor": _E("scene", "an indoor floor of horizontal wooden planks"),
    "wall": _E("scene", "a flat indoor wall in a light colour with a darker skirting board"),
    "snow": _E("scene", "white snow covering the ground"),
    # things (a person has no pixels of its own: its parts cover it)
    "person": _E("object", "a human figure made of a head, a torso, two arms, hands, legs and feet"),
    "ball": _E("object", "a small round ball with a curved stripe"),
    "car": _E("object", "a car seen from the side, with a light cabin window and a headlight"),
    "wheel": _E("object", "a round black wheel with a grey hub and a spoke, part of a car or a bicycle"),
    "bicycle": _E("object", "a bicycle frame of thin bars with a saddle, pedals and a handlebar"),
    "dog": _E("object", "a four-legged dog seen from the side, with a tail, ears and a snout"),
    "leash": _E("object", "a thin dark line from a person's hand to a dog's neck"),
    "guitar": _E("object", "a guitar with a rounded body, a dark sound hole and a long neck"),
    "tree": _E("object", "a tree with a brown trunk and a round green crown"),
    "bird": _E("object", "a small dark bird with outstretched wings flying in the sky"),
    "cloud": _E("object", "a white fluffy cloud made of round puffs"),
    "sun": _E("object", "a bright yellow disc in the sky"),
    # body parts (instances whose parent is a person)
    "head": _E("body_part", "a round skin-coloured head with hair on top"),
    "torso": _E("body_part", "the upper body of a person, covered by a coloured shirt"),
    "arm": _E("body_part", "a long thin limb from the shoulder to the hand, in the shirt's colour"),
    "hand": _E("body_part", "a small skin-coloured blob at the end of an arm"),
    "leg": _E("body_part", "a long limb from the hip to the foot, in the trousers' colour"),
    "foot": _E("body_part", "a small dark shoe at the bottom of a leg"),
})
ENTITIES: tuple[str, ...] = tuple(ENTITY_SPECS)
ENTITY_INDEX: Mapping[str, int] = MappingProxyType({name: i for i, name in enumerate(ENTITIES)})
PERSON_PARTS = ("head", "torso", "arm", "hand", "leg", "foot")
PERSON_CAST = ("person",) + PERSON_PARTS

COLOURS: Mapping[str, tuple[int, int, int]] = MappingProxyType({
    "red": (200, 40, 40), "blue": (40, 80, 205), "green": (45, 150, 60), "yellow": (235, 205, 40),
    "orange": (240, 130, 30), "purple": (135, 60, 175), "pink": (240, 135, 175), "white": (238, 238, 238),
    "black": (30, 30, 34), "grey": (128, 128, 132), "brown": (125, 80, 40),
})
# colour names each thing may take; the caption names the drawn one
SHIRT_COLOURS = ("red", "blue", "green", "yellow", "orange", "purple", "pink", "white", "black")
TROUSER_COLOURS = ("blue", "black", "grey", "brown")
BALL_COLOURS = ("red", "blue", "yellow", "orange", "white", "green", "pink")
CAR_COLOURS = ("red", "blue", "white", "black", "yellow", "grey", "green")
BIKE_COLOURS = ("red", "blue", "black", "green", "yellow", "orange")
DOG_COLOURS = ("brown", "black", "white", "grey")
GUITAR_COLOURS = ("brown", "red", "black", "white")
SKIN_TONES = ((241, 194, 160), (224, 172, 125), (198, 134, 90), (141, 85, 54), (92, 58, 38))
HAIR_TONES = ((30, 24, 20), (90, 55, 30), (200, 160, 80), (120, 120, 120))

# region colour choices: entity -> {colour name: RGB}; the caption names sky, floor and wall colours
REGION_COLOURS: Mapping[str, Mapping[str, tuple[int, int, int]]] = MappingProxyType({
    "sky": {"blue": (118, 172, 232), "grey": (165, 172, 182), "orange": (236, 166, 112)},
    "grass": {"green": (72, 146, 62)},
    "road": {"grey": (92, 92, 98)},
    "water": {"blue": (42, 110, 178)},
    "sand": {"yellow": (214, 194, 140)},
    "floor": {"brown": (150, 105, 65), "grey": (150, 148, 145)},
    "wall": {"white": (226, 222, 212), "yellow": (230, 214, 160), "blue": (170, 190, 214),
             "pink": (226, 186, 186)},
    "snow": {"white": (236, 241, 248)},
})


@dataclass(frozen=True)
class SceneSpec:
    description: str           # the plain phrase used in docs ("sky over grass")
    regions: tuple[str, ...]   # background entities, top to bottom
    ground: str                # the region people stand on
    distractors: tuple[str, ...]


_OUT = ("sun", "cloud", "bird")
SCENE_SPECS: Mapping[str, SceneSpec] = MappingProxyType({
    "grass": SceneSpec("sky over grass", ("sky", "grass"), "grass", _OUT + ("tree",)),
    "road": SceneSpec("a road with a grass verge under the sky", ("sky", "grass", "road"), "road",
                      _OUT + ("tree",)),
    "beach": SceneSpec("water with sand under the sky", ("sky", "water", "sand"), "sand", _OUT),
    "lake": SceneSpec("a lake with a grassy far bank", ("sky", "grass", "water"), "water", _OUT + ("tree",)),
    "indoor": SceneSpec("indoor floor and wall", ("wall", "floor"), "floor", ()),
    "snow": SceneSpec("snow under the sky", ("sky", "snow"), "snow", _OUT + ("tree",)),
})
SCENES: Mapping[str, str] = MappingProxyType({k: v.description for k, v in SCENE_SPECS.items()})


@dataclass(frozen=True)
class ActionSpec:
    scenes: tuple[str, ...]      # scenes the action is staged in (drawn uniformly)
    cast: tuple[str, ...]        # entities the action may draw besides scene regions and distractors
    reverse_of: str | None = None  # temporal classes: the class whose clips, reversed in time, are these


_WALK_SCENES = ("grass", "road", "beach", "indoor", "snow")
ACTION_SPECS: Mapping[str, ActionSpec] = MappingProxyType({
    "walking left": ActionSpec(_WALK_SCENES, PERSON_CAST, reverse_of="walking right"),
    "walking right": ActionSpec(_WALK_SCENES, PERSON_CAST),
    "a ball rising": ActionSpec(_WALK_SCENES, ("ball",) + PERSON_CAST, reverse_of="a ball falling"),
    "a ball falling": ActionSpec(_WALK_SCENES, ("ball",) + PERSON_CAST),
    "a person appearing": ActionSpec(_WALK_SCENES, PERSON_CAST),
    "a person leaving": ActionSpec(_WALK_SCENES, PERSON_CAST, reverse_of="a person appearing"),
    "waving a hand": ActionSpec(("grass", "beach", "snow", "indoor", "road"), PERSON_CAST),
    "bouncing a ball": ActionSpec(("road", "indoor", "grass", "snow"), ("ball",) + PERSON_CAST),
    "riding a bike": ActionSpec(("road", "grass"), ("bicycle", "wheel") + PERSON_CAST),
    "swimming": ActionSpec(("beach", "lake"), PERSON_CAST),
    "driving a car": ActionSpec(("road",), ("car", "wheel", "person", "head")),
    "walking the dog": ActionSpec(("grass", "road", "snow", "beach"), ("dog", "leash") + PERSON_CAST),
    "playing guitar": ActionSpec(("indoor", "grass", "beach"), ("guitar",) + PERSON_CAST),
})
ACTIONS: tuple[str, ...] = tuple(ACTION_SPECS)
# each temporal class -> its time-reversed partner; single frames of a pair are identically distributed
TEMPORAL_PAIRS: Mapping[str, str] = MappingProxyType(
    {**{a: s.reverse_of for a, s in ACTION_SPECS.items() if s.reverse_of},
     **{s.reverse_of: a for a, s in ACTION_SPECS.items() if s.reverse_of}})
TEMPORAL_ACTIONS: frozenset[str] = frozenset(TEMPORAL_PAIRS)


def base_action(action: str) -> tuple[str, bool]:
    """The scripted action behind `action` and whether its frames are played backwards.

    Raises:
        WorldError: `action` is not one of `ACTIONS`.
    """
    if action not in ACTION_SPECS:
        raise WorldError(f"unknown ALT World action {action!r}; choose one of {', '.join(ACTIONS)}")
    reverse_of = ACTION_SPECS[action].reverse_of
    return (reverse_of, True) if reverse_of else (action, False)


def action_entities(action: str) -> frozenset[str]:
    """Every entity a clip of `action` may contain: its cast, its scenes' regions and distractors."""
    spec = ACTION_SPECS[action]
    names = set(spec.cast)
    for scene in spec.scenes:
        names.update(SCENE_SPECS[scene].regions, SCENE_SPECS[scene].distractors)
    return frozenset(names)
