"""The person: appearance, skeleton (joints in pixels) and drawing as separate part instances.

A person is one `person` instance with no pixels of its own and up to ten part instances whose parent
it is: head, torso, two arms, two hands, two legs, two feet. A pose is a dict of joint positions
(x, y in pixels, y down); `standing` builds a frontal pose from segment angles, `ik` places an elbow
or knee so that a hand or foot reaches a target (riding, strumming). Segment lengths are fractions of
the person's height `h` (top of head to soles).

Angles are screen angles: a segment at angle a points along (sin a, cos a), so 0 is straight down,
+pi/2 points right, pi points up.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alt.world.canvas import RGB, Canvas, Registry, jitter, pick_colour
from alt.world.catalog import COLOURS, HAIR_TONES, SHIRT_COLOURS, SKIN_TONES, TROUSER_COLOURS

Joints = dict[str, np.ndarray]  # name -> float [2] (x, y)
ARM = (0.16, 0.15)    # upper arm, forearm (fractions of h)
HAND_R = 0.075  # hand radius (fraction of h): 20-50 px at 96 px, about half an 8 x 8 patch, so patches get labelled "hand"
LEG = (0.235, 0.225)  # thigh, shin


@dataclass(frozen=True)
class PersonLook:
    height: float  # pixels
    shirt_name: str
    shirt: RGB     # torso and arms
    trousers: RGB  # legs
    skin: RGB      # head and hands
    hair: RGB
    shoes: RGB     # feet

    def noun(self, rng: np.random.Generator) -> str:
        """How a caption names this person, e.g. 'a person in red'."""
        forms = ("a person in {c}", "a person wearing {c}", "a person in a {c} shirt")
        return forms[int(rng.integers(len(forms)))].format(c=self.shirt_name)


def person_look(rng: np.random.Generator, height: float) -> PersonLook:
    """Clothes, skin and hair drawn from the catalogue's distributions; `height` in pixels."""
    shirt_name, shirt = pick_colour(SHIRT_COLOURS, rng)
    _, trousers = pick_colour(TROUSER_COLOURS, rng)
    skin = jitter(SKIN_TONES[int(rng.integers(len(SKIN_TONES)))], rng, 6)
    hair = jitter(HAIR_TONES[int(rng.integers(len(HAIR_TONES)))], rng, 6)
    return PersonLook(height, shirt_name, shirt, trousers, skin, hair, jitter(COLOURS["black"], rng, 8))


@dataclass(frozen=True)
class PersonIds:
    person: int
    head: int
    torso: int
    arm_l: int
    arm_r: int
    hand_l: int
    hand_r: int
    leg_l: int
    leg_r: int
    foot_l: int
    foot_r: int


def register_person(reg: Registry) -> PersonIds:
    """Register a person and its ten parts (parts' parent = the person)."""
    pid = reg.add("person")
    parts = [reg.add(e, pid) for e in ("head", "torso", "arm", "arm", "hand", "hand", "leg", "leg", "foot", "foot")]
    return PersonIds(pid, *parts)


def _dir(a: float) -> np.ndarray:
    return np.array([math.sin(a), math.cos(a)])


def standing(x: float, y_feet: float, h: float, arm_l: tuple[float, float] = (-0.12, -0.05),
             arm_r: tuple[float, float] = (0.12, 0.05), leg_l: tuple[float, float] = (-0.06, -0.06),
             leg_r: tuple[float, float] = (0.06, 0.06)) -> Joints:
    """A frontal pose from (upper, lower) screen angles per limb; the lower ankle rests on `y_feet`."""
    j: Joints = {"head": np.array([x, y_feet - h + 0.085 * h]), "neck": np.array([x, y_feet - 0.82 * h]),
                 "hip": np.array([x, y_feet - 0.48 * h])}
    for side, sgn, arm, leg in (("l", -1, arm_l, leg_l), ("r", 1, arm_r, leg_r)):
        sh = j["neck"] + np.array([sgn * 0.11 * h, 0.045 * h])
        j["sh_" + side] = sh
        j["el_" + side] = sh + ARM[0] * h * _dir(arm[0])
        j["wr_" + side] = j["el_" + side] + ARM[1] * h * _dir(arm[1])
        hip = j["hip"] + np.array([sgn * 0.055 * h, 0.0])
        j["hip_" + side] = hip
        j["kn_" + side] = hip + LEG[0] * h * _dir(leg[0])
        j["an_" + side] = j["kn_" + side] + LEG[1] * h * _dir(leg[1])
    drop = (y_feet - 0.02 * h) - max(j["an_l"][1], j["an_r"][1])  # keep the lower foot on the ground
    return {k: v + np.array([0.0, drop]) for k, v in j.items()}


def ik(a: np.ndarray, b: np.ndarray, l1: float, l2: float, bend: float) -> np.ndarray:
    """The middle joint of a two-segment limb from `a` towards `b` (lengths l1, l2 pixels).

    `bend` = +1 or -1 picks the side the joint bends to (relative to the direction a -> b); a target
    out of reach straightens the limb towards it.
    """
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    norm = max(math.hypot(dx, dy), 1e-6)
    dist = min(max(norm, abs(l1 - l2) + 1e-3), l1 + l2 - 1e-3)
    ux, uy = dx / norm, dy / norm
    along = (l1 * l1 - l2 * l2 + dist * dist) / (2 * dist)
    across = bend * math.sqrt(max(l1 * l1 - along * along, 0.0))
    return np.array([a[0] + ux * along - uy * across, a[1] + uy * along + ux * across])


def draw_head(canvas: Canvas, iid: int, look: PersonLook, centre: np.ndarray, radius: float) -> None:
    """A skin disc with a hair cap over its upper half."""
    canvas.circle(iid, look.skin, centre, radius)
    canvas.ellipse(iid, look.hair, (centre[0], centre[1] - 0.5 * radius), (0.95 * radius, 0.55 * radius))


def draw_person(canvas: Canvas, ids: PersonIds, look: PersonLook, j: Joints, width: float = 1.0,
                side_view: bool = False, extra: Callable[[Canvas], None] | None = None) -> None:
    """Paint a person in pose `j`: back limbs, torso, head, `extra` (e.g. a held guitar), arms, hands.

    Args:
        width: torso width factor (1 frontal, about 0.5 seen from the side).
        side_view: the left leg is the far one (drawn before the torso), the right the near one, and
            feet point forward (+x; mirror the joints for a person facing left).
    """
    h = look.height
    leg_t, arm_t = max(2.0, (0.07 if side_view else 0.085) * h), max(2.0, 0.06 * h)

    def leg(side: str, iid: int, foot: int) -> None:
        canvas.line(iid, look.trousers, [j["hip_" + side], j["kn_" + side], j["an_" + side]], leg_t)
        out = 0.03 * h if side_view else (-0.025 * h if side == "l" else 0.025 * h)
        canvas.ellipse(foot, look.shoes, (j["an_" + side][0] + out, j["an_" + side][1] + 0.012 * h),
                       (0.055 * h, 0.028 * h))

    leg("l", ids.leg_l, ids.foot_l)
    if not side_view:
        leg("r", ids.leg_r, ids.foot_r)
    d = j["hip"] - j["neck"]
    d = d / max(float(np.hypot(*d)), 1e-6)
    n = np.array([d[1], -d[0]]) * width  # points to screen-right for an upright torso
    neck, hip = j["neck"], j["hip"] + 0.02 * h * d
    canvas.poly(ids.torso, look.shirt, [neck - 0.05 * h * n, neck + 0.05 * h * n, neck + 0.03 * h * d + 0.125 * h * n,
                                        hip + 0.095 * h * n, hip - 0.095 * h * n, neck + 0.03 * h * d - 0.125 * h * n])
    draw_head(canvas, ids.head, look, j["head"], 0.085 * h)
    if side_view:
        leg("r", ids.leg_r, ids.foot_r)
    if extra is not None:
        extra(canvas)
    for side, arm, hand in (("l", ids.arm_l, ids.hand_l), ("r", ids.arm_r, ids.hand_r)):
        canvas.line(arm, look.shirt, [j["sh_" + side], j["el_" + side], j["wr_" + side]], arm_t)
        canvas.circle(hand, look.skin, j["wr_" + side], max(1.2, HAND_R * h))


def mirror(j: Joints, cx: float) -> Joints:
    """The pose reflected about the vertical line x = cx (left/right labels kept)."""
    return {k: np.array([2 * cx - v[0], v[1]]) for k, v in j.items()}


def walk_pose(x: float, y_feet: float, h: float, phase: float, stride: float = 0.42) -> Joints:
    """A frontal walking pose: legs scissor and arms swing against them; symmetric under time reversal."""
    s = np.sin(phase)
    knee = 0.25 * max(0.0, np.cos(phase))  # the swinging leg bends a little
    return standing(x, y_feet, h,
                    arm_l=(-0.12 - 0.35 * s, -0.05 - 0.45 * s), arm_r=(0.12 + 0.35 * s, 0.05 + 0.45 * s),
                    leg_l=(-0.05 + stride * s, -0.05 + stride * s - knee),
                    leg_r=(0.05 - stride * s, 0.05 - stride * s + knee))
