"""Things other than people: ball, bicycle, car, dog, leash, guitar (geometry in pixels, then painting).

Vehicles and the dog are built facing right around a centre x on a ground line y; callers mirror the
returned point dicts (`person.mirror`) for things facing left. Wheels are part instances whose
parent is their car or bicycle; their spokes turn with the distance travelled.
"""

from __future__ import annotations

import numpy as np

from alt.world.canvas import RGB, Canvas, shade

Points = dict[str, np.ndarray]  # name -> float [2] (x, y)


def _p(x: float, y: float) -> np.ndarray:
    return np.array([x, y], dtype=np.float64)


def _spin(angle: float) -> np.ndarray:
    return np.array([np.cos(angle), np.sin(angle)])


def draw_ball(canvas: Canvas, iid: int, colour: RGB, centre: np.ndarray, radius: float) -> None:
    """A disc with a darker curved stripe across it."""
    canvas.circle(iid, colour, centre, radius)
    if radius >= 3:
        c, r = centre, radius
        canvas.line(iid, shade(colour, 0.6), [c + r * _p(-0.7, -0.35), c + r * _p(0, 0.15), c + r * _p(0.7, -0.35)], 1)


def bike_points(xc: float, y_ground: float, r: float, travelled: float, crank0: float) -> Points:
    """A bicycle facing right: wheel hubs, frame joints, handlebar, pedals and spoke tips.

    Args:
        r: wheel radius in pixels; the bicycle is about 4.6 r long.
        travelled: pixels moved so far (turns the wheels and the cranks).
    """
    wheel = travelled / max(r, 1e-6)
    crank = crank0 + 0.5 * wheel
    bb = _p(xc - 0.05 * r, y_ground - 0.85 * r)
    pts = {"rear": _p(xc - 1.3 * r, y_ground - r), "front": _p(xc + 1.3 * r, y_ground - r), "bb": bb,
           "seat": _p(xc - 0.55 * r, y_ground - 2.0 * r), "head": _p(xc + 0.9 * r, y_ground - 1.9 * r),
           "bar": _p(xc + 0.8 * r, y_ground - 2.35 * r),
           "pedal_near": bb + 0.38 * r * _spin(crank), "pedal_far": bb - 0.38 * r * _spin(crank)}
    for hub in ("rear", "front"):
        pts[hub + "_spoke"] = pts[hub] + 0.9 * r * _spin(wheel)
    return pts


def draw_bicycle(canvas: Canvas, frame_id: int, wheel_ids: tuple[int, int], colour: RGB, pts: Points,
                 r: float) -> None:
    """Wheels (tyre ring, hub, two spokes) as their own instances, then the frame, saddle and cranks."""
    tyre, metal = (35, 35, 38), (150, 150, 155)
    for wid, hub in zip(wheel_ids, ("rear", "front")):
        c = pts[hub]
        canvas.circle(wid, tyre, c, r, thickness=max(1, round(0.22 * r)))
        tip = pts[hub + "_spoke"] - c
        canvas.line(wid, metal, [c - tip, c + tip], 1)
        canvas.line(wid, metal, [c - tip[::-1] * (1, -1), c + tip[::-1] * (1, -1)], 1)
        canvas.circle(wid, metal, c, max(1.0, 0.15 * r))
    t = max(1.5, 0.2 * r)
    p = pts
    canvas.line(frame_id, colour, [p["rear"], p["bb"], p["seat"], p["rear"]], t)
    canvas.line(frame_id, colour, [p["seat"], p["head"], p["bb"]], t)
    canvas.line(frame_id, colour, [p["front"], p["head"], p["bar"]], t)
    saddle = p["seat"] + _p(0, -0.12 * r)
    canvas.line(frame_id, (30, 30, 30), [saddle + _p(-0.3 * r, 0), saddle + _p(0.2 * r, 0)], max(1.5, 0.15 * r))
    canvas.line(frame_id, shade(colour, 0.5), [p["pedal_far"], p["pedal_near"]], 1)


def car_points(xc: float, y_ground: float, length: float, travelled: float) -> Points:
    """A car facing right: body and window outlines (as numbered points), wheel hubs, spoke tips, driver."""
    L, rw = length, 0.12 * length
    b, m, r = y_ground - 0.55 * rw, y_ground - 0.25 * L, y_ground - 0.47 * L
    body = [(-0.5, b), (0.5, b), (0.5, m + 0.04 * L), (0.45, m), (0.2, m - 0.005 * L), (0.07, r), (-0.28, r),
            (-0.4, m), (-0.5, m + 0.03 * L)]
    window = [(0.15, m - 0.01 * L), (0.055, r + 0.035 * L), (-0.26, r + 0.035 * L), (-0.35, m - 0.01 * L)]
    pts = {f"body{i}": _p(xc + dx * L, y) for i, (dx, y) in enumerate(body)}
    pts.update({f"window{i}": _p(xc + dx * L, y) for i, (dx, y) in enumerate(window)})
    pts.update({"pillar_top": _p(xc - 0.07 * L, r + 0.03 * L), "pillar_bottom": _p(xc - 0.07 * L, m),
                "light": _p(xc + 0.485 * L, m + 0.07 * L), "tail": _p(xc - 0.49 * L, m + 0.07 * L),
                "rear": _p(xc - 0.32 * L, y_ground - rw), "front": _p(xc + 0.32 * L, y_ground - rw),
                "driver": _p(xc + 0.02 * L, y_ground - 0.35 * L)})
    for hub in ("rear", "front"):
        pts[hub + "_spoke"] = pts[hub] + 0.5 * rw * _spin(travelled / max(rw, 1e-6))
    return pts


def draw_car(canvas: Canvas, car_id: int, wheel_ids: tuple[int, int], colour: RGB, pts: Points,
             length: float) -> None:
    """Body with a light window, a pillar and lights (all the car's id), then the two wheels."""
    L, rw = length, 0.12 * length
    canvas.poly(car_id, colour, [pts[f"body{i}"] for i in range(9)])
    canvas.poly(car_id, (176, 196, 214), [pts[f"window{i}"] for i in range(4)])
    canvas.line(car_id, colour, [pts["pillar_top"], pts["pillar_bottom"]], max(1.0, 0.025 * L))
    canvas.circle(car_id, (250, 232, 120), pts["light"], max(1.0, 0.02 * L))
    canvas.circle(car_id, (200, 30, 30), pts["tail"], max(1.0, 0.015 * L))
    for wid, hub in zip(wheel_ids, ("rear", "front")):
        canvas.circle(wid, (28, 28, 30), pts[hub], rw)
        canvas.circle(wid, (165, 165, 170), pts[hub], 0.5 * rw)
        canvas.line(wid, (60, 60, 64), [pts[hub], pts[hub + "_spoke"]], 1)


def dog_points(xd: float, y_ground: float, size: float, phase: float) -> Points:
    """A dog facing right, `size` pixels long; legs trot with `phase`, the tail wags."""
    L, s = size, np.sin(phase)
    pts = {"body": _p(xd, y_ground - 0.5 * L), "head": _p(xd + 0.4 * L, y_ground - 0.75 * L),
           "neck": _p(xd + 0.27 * L, y_ground - 0.56 * L), "snout": _p(xd + 0.55 * L, y_ground - 0.71 * L),
           "ear": _p(xd + 0.35 * L, y_ground - 0.8 * L), "collar": _p(xd + 0.33 * L, y_ground - 0.64 * L),
           "tail0": _p(xd - 0.34 * L, y_ground - 0.55 * L),
           "tail1": _p(xd - 0.52 * L, y_ground - 0.76 * L + 0.08 * L * np.sin(3 * phase))}
    for name, x0 in (("front", xd + 0.24 * L), ("back", xd - 0.24 * L)):
        pts[name + "_top"] = _p(x0, y_ground - 0.45 * L)
        pts[name + "_near"] = _p(x0 + 0.13 * L * s, y_ground)
        pts[name + "_far"] = _p(x0 - 0.13 * L * s, y_ground)
    return pts


def draw_dog(canvas: Canvas, iid: int, colour: RGB, pts: Points, size: float, facing: int) -> None:
    """Far legs (darker), body, neck, head, snout, ear, tail and near legs, all one instance."""
    L, leg = size, max(1.5, 0.08 * size)
    for name in ("back_far", "front_far"):
        canvas.line(iid, shade(colour, 0.75), [pts[name.split("_")[0] + "_top"], pts[name]], leg)
    canvas.ellipse(iid, colour, pts["body"], (0.36 * L, 0.15 * L))
    canvas.line(iid, colour, [pts["neck"], pts["head"]], max(2.0, 0.14 * L))
    canvas.circle(iid, colour, pts["head"], 0.13 * L)
    canvas.ellipse(iid, colour, pts["snout"], (0.09 * L, 0.055 * L))
    canvas.ellipse(iid, shade(colour, 0.6), pts["ear"], (0.05 * L, 0.09 * L), angle=-20.0 * facing)
    canvas.line(iid, colour, [pts["tail0"], pts["tail1"]], max(1.0, 0.05 * L))
    for name in ("back_near", "front_near"):
        canvas.line(iid, colour, [pts[name.split("_")[0] + "_top"], pts[name]], leg)


def guitar_points(body: np.ndarray, h: float, lefty: bool) -> Points:
    """A guitar held across the body: `body` is its lower bout's centre; the neck points up-left
    (up-right when `lefty`), 25 degrees above the horizontal."""
    v = np.array([0.906 if lefty else -0.906, -0.423])
    pts = {"lower": body, "upper": body + 0.1 * h * v, "hole": body + 0.06 * h * v,
           "neck0": body + 0.13 * h * v, "neck1": body + 0.42 * h * v, "head1": body + 0.49 * h * v,
           "fret": body + 0.34 * h * v}
    return pts


def draw_guitar(canvas: Canvas, iid: int, colour: RGB, pts: Points, h: float) -> None:
    """Two bouts, a dark sound hole, a neck and a headstock, all one instance."""
    v = pts["neck1"] - pts["lower"]
    angle = float(np.degrees(np.arctan2(v[1], v[0])))
    canvas.ellipse(iid, colour, pts["lower"], (0.115 * h, 0.09 * h), angle)
    canvas.ellipse(iid, colour, pts["upper"], (0.085 * h, 0.068 * h), angle)
    canvas.circle(iid, (25, 20, 15), pts["hole"], max(1.0, 0.025 * h))
    wood = (95, 60, 30) if sum(colour) > 150 else (120, 90, 60)
    canvas.line(iid, wood, [pts["neck0"], pts["neck1"]], max(2.0, 0.035 * h))
    canvas.line(iid, shade(wood, 0.7), [pts["neck1"], pts["head1"]], max(2.0, 0.05 * h))


def draw_leash(canvas: Canvas, iid: int, hand: np.ndarray, collar: np.ndarray, sag: float) -> None:
    """A thin dark line from a hand to a collar, sagging `sag` pixels in the middle."""
    canvas.line(iid, (70, 30, 25), [hand, 0.5 * (hand + collar) + _p(0, sag), collar], 1)
