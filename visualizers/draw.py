"""Small raster helpers shared by the panels: patch <-> pixel upscaling, boundaries, blending, text.

Conventions: images are RGB uint8 [H, W, 3]; patch maps are [..., Hp, Wp]; pixel maps [..., H, W]
with H = Hp * patch_size. Text is drawn with Pillow in DejaVu Sans (the font matplotlib ships, so the
rasters and the PDF use one typeface) at `TEXT_PX` or larger: at least 12 px when a picture is shown at
100 %. cv2 only blends.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np


def upscale_patches(patch_map: np.ndarray, patch_size: int) -> np.ndarray:
    """Nearest upscaling of a patch map to pixels: exact, so every pixel keeps its patch's value.

    Args:
        patch_map: any dtype, [..., Hp, Wp] (optionally with a trailing channel axis: pass
            `[..., Hp, Wp, C]` through `upscale_patches_rgb`).
        patch_size: pixels per patch side.
    Returns:
        [..., Hp * patch_size, Wp * patch_size], same dtype.
    """
    out = np.repeat(patch_map, patch_size, axis=-2)  # [..., Hp*p, Wp]
    return np.repeat(out, patch_size, axis=-1)  # [..., Hp*p, Wp*p]


DISPLAY_SIDE = 448  # every picture is drawn at least this many pixels per panel side, whatever the model's input
TEXT_PX = 16  # font size of labels drawn into pictures (>= 12 px at 100 %, still >= 12 px shown at 0.8x)


def display_factor(side: int, target: int = DISPLAY_SIDE) -> int:
    """The smallest whole factor k with side * k >= target (1 when side is already large enough)."""
    return max(1, -(-int(target) // max(1, int(side))))


def enlarge(img: np.ndarray, side: int | None = None, target: int = DISPLAY_SIDE) -> np.ndarray:
    """Nearest-neighbour enlargement by the whole factor `display_factor(side, target)`, so an image of
    `side` px (default: its height) becomes at least `target` px (pixels stay exact: each patch stays a
    sharp square). [H, W, ...] -> [kH, kW, ...]"""
    k = display_factor(side or img.shape[0], target)
    return img if k == 1 else np.repeat(np.repeat(img, k, axis=0), k, axis=1)


def upscale_patches_rgb(patch_rgb: np.ndarray, patch_size: int) -> np.ndarray:
    """[..., Hp, Wp, C] -> [..., Hp*p, Wp*p, C] by nearest."""
    out = np.repeat(patch_rgb, patch_size, axis=-3)
    return np.repeat(out, patch_size, axis=-2)


def boundary_mask(ids: np.ndarray) -> np.ndarray:
    """Pixels whose id differs from their right or bottom neighbour.

    Args:
        ids: integer map [..., H, W].
    Returns:
        bool [..., H, W]; the last column/row compare only to the neighbour that exists.
    """
    mask = np.zeros(ids.shape, dtype=bool)
    mask[..., :, :-1] |= ids[..., :, :-1] != ids[..., :, 1:]  # right neighbour
    mask[..., :-1, :] |= ids[..., :-1, :] != ids[..., 1:, :]  # bottom neighbour
    return mask


def blend(base: np.ndarray, color: np.ndarray, alpha: float) -> np.ndarray:
    """(1 - alpha) * base + alpha * color, rounded to uint8. Shapes broadcast; result is uint8."""
    a = float(np.clip(alpha, 0.0, 1.0))
    if base.shape == color.shape and base.dtype == color.dtype == np.uint8 and base.ndim >= 3 and base.size:
        # Fast path (SIMD, channel-agnostic, same rounding as below): view as one tall image.
        w, c = base.shape[-2], base.shape[-1]
        out = cv2.addWeighted(base.reshape(-1, w, c), 1.0 - a, color.reshape(-1, w, c), a, 0.0)
        return out.reshape(base.shape)
    out = base.astype(np.float32) * (1.0 - a) + color.astype(np.float32) * a
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@lru_cache(maxsize=16)
def _font(px: int, bold: bool = False):
    """DejaVu Sans at `px` pixels (matplotlib's bundled copy: no system fonts needed)."""
    import matplotlib
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), int(px))


def text_extent(text: str, px: int = TEXT_PX, bold: bool = False) -> tuple[int, int]:
    """(width, line height) in pixels of `text` drawn by `draw_text`."""
    font = _font(px, bold)
    ascent, descent = font.getmetrics()
    return int(np.ceil(font.getlength(text))), ascent + descent


def draw_text(img: np.ndarray, text: str, xy: tuple[int, int], px: int = TEXT_PX,
              color: tuple[int, int, int] = (255, 255, 255), bold: bool = False) -> tuple[int, int, int, int]:
    """Draw `text` in place with its top-left corner at `xy`; returns its box (x0, y0, x1, y1), clipped to the
    image (callers place text so that nothing is clipped; tests check the boxes)."""
    from PIL import Image, ImageDraw

    w, h = text_extent(text, px, bold)
    x0, y0 = max(0, int(xy[0])), max(0, int(xy[1]))
    x1, y1 = min(img.shape[1], x0 + w + 1), min(img.shape[0], y0 + h)
    if x1 <= x0 or y1 <= y0:
        return x0, y0, x0, y0
    crop = Image.fromarray(np.ascontiguousarray(img[y0:y1, x0:x1]))  # only the text's box is copied
    ImageDraw.Draw(crop).text((0, 0), text, font=_font(px, bold), fill=tuple(int(c) for c in color))
    img[y0:y1, x0:x1] = np.asarray(crop)
    return x0, y0, x1, y1


def text_bar(width: int, text: str, px: int = TEXT_PX + 2, bg: tuple[int, int, int] = (24, 24, 24)) -> np.ndarray:
    """A dark strip of `width` with one line of left-aligned white text. uint8 [line + 10, width, 3]"""
    _, h = text_extent(text, px)
    bar = np.empty((h + 10, width, 3), np.uint8)
    bar[:] = bg
    draw_text(bar, text, (8, 5), px)
    return bar
