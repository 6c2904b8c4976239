"""The example clips offered under the player (assets/examples/, made by scripts/make_examples.py)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "examples"

#: file name -> (class names offered with the clip, one line each). The clips are ALT World clips (made
#: by scripts/make_examples.py with their ground truth beside them); the class names are the world's, so
#: the `world` model (`make app MODEL=world`) explains them with meaning. Each list holds the true class
#: first, and the temporal clips their time-reversed partner, which no single frame tells apart.
EXAMPLES: dict[str, str] = {
    "waving.mp4": "waving a hand\nplaying guitar\nbouncing a ball\nwalking left\na person appearing",
    "bouncing_ball.mp4": "bouncing a ball\nwaving a hand\nplaying guitar\na ball falling\nwalking the dog",
    "car_driving.mp4": "driving a car\nriding a bike\nwalking the dog\nwalking right\nswimming",
    "walking_left.mp4": "walking left\nwalking right\na person leaving\na person appearing\nwaving a hand",
    "ball_rising.mp4": "a ball rising\na ball falling\nbouncing a ball\nwaving a hand\nwalking right",
}


def example_rows(folder: Path = EXAMPLES_DIR) -> list[list[str]]:
    """[[clip path, class names], ...] for `gr.Examples`, only for clips that exist."""
    return [[str(folder / name), classes] for name, classes in EXAMPLES.items() if (folder / name).is_file()]
