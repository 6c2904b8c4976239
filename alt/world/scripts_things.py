"""Action scripts centred on a thing: a falling ball, riding a bicycle, driving a car.

Same contract as `scripts_people`: random choices up front, painters pure in u in [0, 1], the
direction of travel mirrored about the frame's centre with probability 1/2.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from alt.world.canvas import Canvas, pick_colour
from alt.world.catalog import BALL_COLOURS, BIKE_COLOURS, CAR_COLOURS
from alt.world.person import ARM, LEG, draw_head, draw_person, ik, mirror, person_look, standing
from alt.world.props import bike_points, car_points, draw_ball, draw_bicycle, draw_car
from alt.world.stage import Ctx, Script, Subject


def ball_falling(ctx: Ctx) -> Script:
    """A ball drops from high in the frame to the ground, speeding up (reversed: "a ball rising").

    Height follows free fall from rest, y = top + (ground - top) u^2, so its time-reversal is a ball
    thrown up that slows to a stop: both are physical, and single frames are identically distributed.
    A bystander stands elsewhere in 30% of clips.
    """
    s = ctx.size
    name, rgb = pick_colour(BALL_COLOURS, ctx.rng)
    ball = ctx.reg.add("ball")
    r = ctx.uniform(0.035, 0.06) * s
    x0, drift = ctx.uniform(0.2, 0.8) * s, ctx.uniform(-0.1, 0.1) * s
    land = ctx.feet_y() - r
    top = min(ctx.uniform(0.08, 0.3) * s + r, land - 0.3 * s)
    subjects = []
    bystander = None
    if ctx.rng.random() < 0.3:
        y = ctx.feet_y()
        ids, look, noun = ctx.person(y)
        x = x0 + ctx.sign() * ctx.uniform(0.25, 0.35) * s
        if 0.12 * s < x < 0.88 * s:
            bystander = (ids, look, standing(x, y, look.height))
            subjects.append(Subject((ids.person,), lambda u: f"{noun} standing"))

    def centre(u: float) -> np.ndarray:
        return np.array([x0 + drift * u, top + (land - top) * u * u])

    def paint(canvas: Canvas, u: float) -> None:
        if bystander is not None:
            draw_person(canvas, *bystander)
        draw_ball(canvas, ball, rgb, centre(u), r)

    def text(u: float) -> str:
        return f"a {name} ball in the air" if centre(u)[1] < land - 0.5 * r else f"a {name} ball"

    return Script(paint, [Subject((ball,), text)] + subjects, prep="above")


def riding_a_bike(ctx: Ctx) -> Script:
    """A person pedals a bicycle across the frame; wheels and cranks turn with the distance travelled."""
    s = ctx.size
    y = ctx.feet_y(0.2, 1.0)
    g0, g1 = ctx.back.ground
    r = s * (0.075 + 0.025 * (y - g0) / max(g1 - g0, 1e-6))
    bike_name, bike_rgb = pick_colour(BIKE_COLOURS, ctx.rng)
    bike = ctx.reg.add("bicycle")
    wheels = (ctx.reg.add("wheel", bike), ctx.reg.add("wheel", bike))
    ids, look, noun = ctx.person(y)
    h = 4.3 * r
    look = replace(look, height=h)
    side, dist, mid = ctx.sign(), ctx.uniform(0.3, 0.55) * s, ctx.uniform(0.35, 0.65) * s
    crank0 = ctx.uniform(0, 2 * np.pi)
    lean = ctx.uniform(0.15, 0.35)

    def paint(canvas: Canvas, u: float) -> None:
        xc = mid + dist * (u - 0.5)
        pts = bike_points(xc, y, r, dist * u, crank0)
        hip = pts["seat"] + np.array([0.0, -0.2 * r])
        up = np.array([np.sin(lean), -np.cos(lean)])
        neck = hip + 0.34 * h * up
        j = {"hip": hip, "hip_l": hip, "hip_r": hip, "neck": neck, "head": neck + 0.1 * h * up + [0.01 * h, 0]}
        for side_, pedal in (("l", "pedal_far"), ("r", "pedal_near")):
            j["an_" + side_] = pts[pedal]
            j["kn_" + side_] = ik(hip, pts[pedal], LEG[0] * h, LEG[1] * h, bend=-1)
            j["sh_" + side_] = neck - 0.045 * h * up
            j["wr_" + side_] = pts["bar"]
            j["el_" + side_] = ik(j["sh_" + side_], pts["bar"], ARM[0] * h, ARM[1] * h, bend=1)
        if side < 0:
            pts, j = mirror(pts, s / 2), mirror(j, s / 2)
        draw_bicycle(canvas, bike, wheels, bike_rgb, pts, r)
        draw_person(canvas, ids, look, j, width=0.5, side_view=True)

    form = ("bike", "bicycle")[int(ctx.rng.integers(2))]
    return Script(paint, [Subject((ids.person, bike), lambda u: f"{noun} riding a {bike_name} {form}")])


def driving_a_car(ctx: Ctx) -> Script:
    """A car crosses the road; the driver's head shows in its front window."""
    s = ctx.size
    y = ctx.feet_y(0.15, 1.0)
    length = ctx.uniform(0.5, 0.62) * s
    car_name, car_rgb = pick_colour(CAR_COLOURS, ctx.rng)
    car = ctx.reg.add("car")
    wheels = (ctx.reg.add("wheel", car), ctx.reg.add("wheel", car))
    driver = ctx.reg.add("person")
    head = ctx.reg.add("head", driver)
    look = person_look(ctx.rng, 0.65 * length)
    side, dist, mid = ctx.sign(), ctx.uniform(0.3, 0.6) * s, ctx.uniform(0.35, 0.65) * s

    def paint(canvas: Canvas, u: float) -> None:
        pts = car_points(mid + dist * (u - 0.5), y, length, dist * u)
        if side < 0:
            pts = mirror(pts, s / 2)
        draw_car(canvas, car, wheels, car_rgb, pts, length)
        draw_head(canvas, head, look, pts["driver"], 0.055 * length)

    form = ("driving a {c} car", "a person driving a {c} car", "a {c} car driven by a person")
    text = form[int(ctx.rng.integers(3))].format(c=car_name)
    text = text if text.startswith("a ") else "a person " + text
    return Script(paint, [Subject((driver, car), lambda u: text)])
