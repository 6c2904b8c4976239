"""Small raster helpers shared by the panels: patch <-> pixel upscaling, boundaries, blending, text.

Conventions: images are RGB uint8 [H, W, 3]; patch maps are [..., Hp, Wp]; pixel maps [..., H, W]
with H = Hp * patch_size. cv2 is used only to rasterise text onto RGB arrays (it never reorders
channels when drawing).
"""

from __future__ import annotations

import cv2
import numpy as np

_FONT = cv2.FONT_HERSHEY_SIMPLEX


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


DISPLAY_SIDE = 448  # small model inputs (64 px for `tiny`) are enlarged to at least about this for display


def enlarge(img: np.ndarray, side: int | None = None, target: int = DISPLAY_SIDE) -> np.ndarray:
    """Nearest-neighbour enlargement by a whole factor so an image of `side` px shows at about `target`
    (pixels stay exact: each patch stays a sharp square). [H, W, ...] -> [kH, kW, ...]"""
    k = max(1, target // max(1, side or img.shape[0]))
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


def font_scale(height: int) -> float:
    """A readable Hershey font scale for an image `height` pixels tall (0.35 at 224 px)."""
    return max(0.3, 0.35 * height / 224.0)


def text_size(text: str, scale: float, thickness: int = 1) -> tuple[int, int]:
    """(width, height incl. baseline) of `text` in pixels."""
    (w, h), base = cv2.getTextSize(text, _FONT, scale, thickness)
    return w, h + base


def put_text(
    img: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    color: tuple[int, int, int] = (255, 255, 255),
    box: tuple[int, int, int] | None = (0, 0, 0),
    box_alpha: float = 0.6,
    center: bool = False,
) -> None:
    """Draw `text` in place on an RGB uint8 image, on a translucent box so it reads on any background.

    (Hershey glyphs advance further when drawn thicker, so a thick-stroke outline would not line up;
    a box does.)

    Args:
        org: (x, y) of the text's bottom-left corner, or of its centre when `center`.
        box: box colour, None for none.
        center: centre the text on `org`. The text is always clamped to stay inside the image.
    """
    (w, h), base = cv2.getTextSize(text, _FONT, scale, 1)
    x, y = org
    if center:
        x, y = x - w // 2, y + h // 2
    x = int(np.clip(x, 2, max(2, img.shape[1] - w - 2)))
    y = int(np.clip(y, h + 1, max(h + 1, img.shape[0] - base - 1)))
    if box is not None:
        y0, y1, x0, x1 = max(0, y - h - 1), min(img.shape[0], y + base), max(0, x - 2), min(img.shape[1], x + w + 2)
        patch = img[y0:y1, x0:x1]
        patch[:] = blend(patch, np.broadcast_to(np.array(box, np.uint8), patch.shape), box_alpha)
    cv2.putText(img, text, (x, y), _FONT, scale, color, 1, cv2.LINE_AA)


def header_bar(width: int, height: int, text: str, bg: tuple[int, int, int] = (24, 24, 24)) -> np.ndarray:
    """A dark strip with left-aligned white text. uint8 [height, width, 3]"""
    bar = np.empty((height, width, 3), np.uint8)
    bar[:] = bg
    scale = max(0.35, height / 48.0)
    _, th = text_size(text, scale)
    put_text(bar, text, (6, (height + th) // 2 - 2), scale, box=None)
    return bar


def pad_to_height(img: np.ndarray, height: int, value: int = 0) -> np.ndarray:
    """Pad an image at the bottom to `height` rows. [h, W, 3] -> [height, W, 3]"""
    if img.shape[0] >= height:
        return img
    pad = np.full((height - img.shape[0], img.shape[1], 3), value, np.uint8)
    return np.concatenate([img, pad], axis=0)
