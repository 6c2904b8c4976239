"""The example clips offered under the player (assets/examples/, made by scripts/make_examples.py)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "examples"

#: file name -> (class names offered with the clip, one line each)
EXAMPLES: dict[str, str] = {
    "bouncing_ball.mp4": "bouncing a ball\nwaving hand\ndriving car\nswimming\nplaying guitar",
    "waving.mp4": "waving hand\nclapping\njumping\nbouncing a ball\ndriving car",
    "car_driving.mp4": "driving car\nriding a bike\nwalking the dog\nwaving hand\nbouncing a ball",
}


def example_rows(folder: Path = EXAMPLES_DIR) -> list[list[str]]:
    """[[clip path, class names], ...] for `gr.Examples`, only for clips that exist."""
    return [[str(folder / name), classes] for name, classes in EXAMPLES.items() if (folder / name).is_file()]
