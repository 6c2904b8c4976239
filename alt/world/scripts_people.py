"""Action scripts centred on a person: walking, appearing, waving, bouncing, swimming, guitar, dog.

Each script draws its random choices from `ctx.rng` once and returns a `Script` whose painter is a
pure function of u in [0, 1]. Left/right variants are made by mirroring the whole action about the
frame's centre, so both directions are equally likely wherever direction is not the class.
"""

from __future__ import annotations

import numpy as np

from alt.world.canvas import Canvas, pick_colour
from alt.world.catalog import BALL_COLOURS, DOG_COLOURS, GUITAR_COLOURS
from alt.world.person import ARM, HAND_R, draw_person, ik, mirror, standing, walk_pose
from alt.world.props import dog_points, draw_ball, draw_dog, draw_guitar, draw_leash, guitar_points
from alt.world.stage import Ctx, Script, Subject


def walking_right(ctx: Ctx) -> Script:
    """A person walks from left to right across the frame (reversed in time: "walking left")."""
    s = ctx.size
    y = ctx.feet_y()
    ids, look, noun = ctx.person(y)
    dist, mid = ctx.uniform(0.35, 0.6) * s, ctx.uniform(0.35, 0.65) * s
    cycles, phase0 = dist / (0.55 * look.height), ctx.uniform(0, 2 * np.pi)

    def paint(canvas: Canvas, u: float) -> None:
        x = mid + dist * (u - 0.5)
        draw_person(canvas, ids, look, walk_pose(x, y, look.height, phase0 + 2 * np.pi * cycles * u))

    return Script(paint, [Subject((ids.person,), lambda u: f"{noun} walking")])


def appearing(ctx: Ctx) -> Script:
    """A person walks in from a frame edge, stops and stands (reversed in time: "a person leaving")."""
    s = ctx.size
    y = ctx.feet_y()
    ids, look, noun = ctx.person(y)
    h, side = look.height, ctx.sign()
    stop_x, stop_u = ctx.uniform(0.3, 0.7) * s, ctx.uniform(0.45, 0.7)
    start_x = -0.35 * h if side > 0 else s + 0.35 * h
    half_steps = max(1.0, round(2 * abs(stop_x - start_x) / (0.55 * h)))  # ends with the legs together

    def paint(canvas: Canvas, u: float) -> None:
        k = min(u / stop_u, 1.0)
        pose = walk_pose(start_x + (stop_x - start_x) * k, y, h, np.pi * half_steps * k) if k < 1 else \
            standing(stop_x, y, h)
        draw_person(canvas, ids, look, pose)

    return Script(paint, [Subject((ids.person,), lambda u: f"{noun} {'walking' if u < stop_u else 'standing'}")])


def waving(ctx: Ctx) -> Script:
    """A standing person raises one arm and swings the forearm from side to side."""
    s = ctx.size
    y = ctx.feet_y()
    ids, look, noun = ctx.person(y)
    x, side = ctx.uniform(0.25, 0.75) * s, ctx.sign()
    waves, phase0, lift = ctx.uniform(2.0, 3.5), ctx.uniform(0, 2 * np.pi), ctx.uniform(2.1, 2.5)
    verb = ("waving a hand", "waving", "waving hello")[int(ctx.rng.integers(3))]

    def paint(canvas: Canvas, u: float) -> None:
        swing = np.sin(phase0 + 2 * np.pi * waves * u)
        pose = standing(x, y, look.height, arm_r=(lift + 0.1 * swing, np.pi + 0.5 * swing))
        draw_person(canvas, ids, look, pose if side > 0 else mirror(pose, x))

    return Script(paint, [Subject((ids.person,), lambda u: f"{noun} {verb}")])


def bouncing(ctx: Ctx) -> Script:
    """A standing person dribbles a ball beside them: the ball goes down to the ground and back to the hand."""
    s = ctx.size
    y = ctx.feet_y()
    ids, look, noun = ctx.person(y)
    h, x, side = look.height, ctx.uniform(0.25, 0.75) * s, ctx.sign()
    ball_name, ball_rgb = pick_colour(BALL_COLOURS, ctx.rng)
    ball = ctx.reg.add("ball")
    r, bounces, phase0 = ctx.uniform(0.07, 0.09) * h, ctx.uniform(1.5, 3.0), ctx.uniform(0, np.pi)

    def paint(canvas: Canvas, u: float) -> None:
        high = abs(np.cos(phase0 + np.pi * bounces * u))  # 1: ball at the hand, 0: on the ground
        pose = standing(x, y, h, arm_r=(0.45, 1.2 - 0.25 * high ** 2))
        top = pose["wr_r"][1] + HAND_R * h
        centre = np.array([pose["wr_r"][0] + 0.01 * h, (y - r) + high * (top + r - (y - r))])
        if side < 0:
            pose, centre = mirror(pose, x), np.array([2 * x - centre[0], centre[1]])
        draw_ball(canvas, ball, ball_rgb, centre, r)
        draw_person(canvas, ids, look, pose)

    return Script(paint, [Subject((ids.person, ball), lambda u: f"{noun} bouncing a {ball_name} ball")])


def swimming(ctx: Ctx) -> Script:
    """A person in water up to the chest, arms turning like a windmill, drifting slowly."""
    s = ctx.size
    w0, w1 = ctx.back.water
    waterline = ctx.uniform(w0, w1)
    ids, look, noun = ctx.person(waterline, band=(w0, w1), avoid=("blue",))  # no blue shirt in blue water
    h, x0 = look.height, ctx.uniform(0.25, 0.75) * s
    drift, strokes, phase0 = ctx.sign() * ctx.uniform(0.0, 0.12) * s, ctx.uniform(1.5, 2.5), ctx.uniform(0, 2 * np.pi)

    def paint(canvas: Canvas, u: float) -> None:
        a = phase0 + 2 * np.pi * strokes * u
        x = x0 + drift * (u - 0.5)
        y_feet = waterline + 0.57 * h + 0.015 * h * np.sin(2 * a)
        draw_person(canvas, ids, look, standing(x, y_feet, h, arm_l=(a, a + 0.25), arm_r=(a + np.pi, a + np.pi + 0.25)))
        canvas.restore(round(waterline), s, int(x - 0.6 * h), int(x + 0.6 * h) + 1)  # below the surface

    return Script(paint, [Subject((ids.person,), lambda u: f"{noun} swimming")], ground="water")


def playing_guitar(ctx: Ctx) -> Script:
    """A standing person holds a guitar across the body; one hand strums, the other holds the neck."""
    s = ctx.size
    y = ctx.feet_y()
    ids, look, noun = ctx.person(y)
    h, x, lefty = look.height, ctx.uniform(0.25, 0.75) * s, ctx.sign() < 0
    g_name, g_rgb = pick_colour(GUITAR_COLOURS, ctx.rng)
    guitar = ctx.reg.add("guitar")
    strums, phase0 = ctx.uniform(3.0, 6.0), ctx.uniform(0, 2 * np.pi)
    k = -1 if lefty else 1

    def paint(canvas: Canvas, u: float) -> None:
        pose = standing(x, y, h)
        pts = guitar_points(pose["hip"] + np.array([0.07 * h * k, -0.06 * h]), h, lefty)
        strum, fret = ("wr_l", "wr_r") if lefty else ("wr_r", "wr_l")
        pose[strum] = pts["hole"] + np.array([0.01 * h * k, 0.05 * h * np.sin(phase0 + 2 * np.pi * strums * u)])
        pose[fret] = pts["fret"]
        for wr in (strum, fret):
            side = wr[-1]
            out = 1 if side == "r" else -1
            pose["el_" + side] = ik(pose["sh_" + side], pose[wr], ARM[0] * h, ARM[1] * h, bend=-out)
        draw_person(canvas, ids, look, pose, extra=lambda c: draw_guitar(c, guitar, g_rgb, pts, h))

    return Script(paint, [Subject((ids.person, guitar), lambda u: f"{noun} playing a {g_name} guitar")])


def walking_the_dog(ctx: Ctx) -> Script:
    """A person walks with a dog on a leash ahead of them; both move the same way."""
    s = ctx.size
    y = ctx.feet_y()
    ids, look, noun = ctx.person(y)
    h, side = look.height, ctx.sign()
    dog_name, dog_rgb = pick_colour(DOG_COLOURS, ctx.rng)
    dog, leash = ctx.reg.add("dog"), ctx.reg.add("leash")
    size, gap = ctx.uniform(0.45, 0.6) * h, ctx.uniform(0.6, 0.8) * h
    dist, mid = ctx.uniform(0.25, 0.45) * s, ctx.uniform(0.4, 0.6) * s
    cycles, phase0 = dist / (0.55 * h), ctx.uniform(0, 2 * np.pi)

    def paint(canvas: Canvas, u: float) -> None:
        x = mid - 0.5 * gap + dist * (u - 0.5)
        a = phase0 + 2 * np.pi * cycles * u
        pose = walk_pose(x, y, h, a)
        pose["el_r"] = pose["sh_r"] + ARM[0] * h * np.array([np.sin(0.5), np.cos(0.5)])
        pose["wr_r"] = pose["el_r"] + ARM[1] * h * np.array([np.sin(0.9), np.cos(0.9)])
        pts = dog_points(x + gap, y, size, 2 * a)
        if side < 0:
            pose, pts = mirror(pose, s / 2), mirror(pts, s / 2)
        draw_dog(canvas, dog, dog_rgb, pts, size, side)
        draw_leash(canvas, leash, pose["wr_r"], pts["collar"], 0.06 * h)
        draw_person(canvas, ids, look, pose)

    text = f"{noun} walking a {dog_name} dog on a leash"
    return Script(paint, [Subject((ids.person, dog, leash), lambda u: text)])
