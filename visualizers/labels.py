"""Labels drawn into pictures: numbered entity markers placed without overlaps, and a legend beside them.

A marker is a small badge in the entity's colour holding its legend number (1 = the clip's top entity in
`Explanation.entity_ranking()`); the legend beside the picture spells out number, colour and name. Markers
are placed greedily in legend order: each entity tries the centres of its own patches, nearest the middle
of its largest region first, and takes the first spot that lies wholly inside the picture and clear of
every marker already placed; an entity with no free spot gets no marker (its legend row still names it).

Every renderer that writes text reports it as `LabelBox`es (pixel boxes in the image it returns, inside
a `Picture`), so a test, or the app's page, can check that no two labels overlap and none is cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from visualizers.draw import TEXT_PX, draw_text, text_extent

GAP = 2  # pixels kept free between two labels
_BG = 28  # legend background grey level


@dataclass(frozen=True)
class LabelBox:
    """One piece of text a renderer drew, in pixels of the image it returned."""

    kind: str  # "marker" (a numbered badge on the picture), "legend" (a legend row) or "title"
    entity: int  # entity index, -1 for rows that are not one entity
    text: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1; x1 and y1 exclusive

    def overlaps(self, other: LabelBox, gap: int = 0) -> bool:
        a, b = self.box, other.box
        return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


@dataclass
class Picture:
    """A rendered picture and the labels drawn into it."""

    image: np.ndarray  # uint8 [H, W, 3] RGB
    labels: list[LabelBox] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """{"width", "height", "labels": [{"kind", "entity", "text", "box"}]} (JSON-able)."""
        return {"width": int(self.image.shape[1]), "height": int(self.image.shape[0]),
                "labels": [{"kind": b.kind, "entity": b.entity, "text": b.text, "box": list(b.box)}
                           for b in self.labels]}


@dataclass(frozen=True)
class LegendRow:
    """One legend row: a colour swatch holding `number` (may be ''), then `text`."""

    entity: int
    number: str
    text: str
    rgb: tuple[int, int, int]
    selected: bool = False


def overlapping_pairs(labels: Sequence[LabelBox]) -> list[tuple[int, int]]:
    """Index pairs (i, j), i < j, of labels whose boxes overlap."""
    return [(i, j) for i in range(len(labels)) for j in range(i + 1, len(labels)) if labels[i].overlaps(labels[j])]


def marker_extent(text: str, px: int = TEXT_PX) -> tuple[int, int]:
    """(width, height) of a marker badge holding `text`."""
    w, h = text_extent(text, px, bold=True)
    return max(w + 8, h + 2), h + 2


def place_markers(requests: Sequence[tuple[int, str, Sequence[tuple[float, float]]]], width: int, height: int,
                  px: int = TEXT_PX) -> list[LabelBox]:
    """Greedy collision-free placement.

    Args:
        requests: (entity, text, candidate centres (x, y) in pixels, best first), in priority order.
        width, height: the picture's size; every box lies wholly inside it.
    Returns:
        A LabelBox (kind "marker") per entity that found a free spot, in request order.
    """
    placed: list[LabelBox] = []
    for entity, text, centres in requests:
        w, h = marker_extent(text, px)
        if w > width or h > height:
            continue
        for cx, cy in centres:
            x0 = int(np.clip(round(cx - w / 2), 0, width - w))  # shifted inside the picture, never cut
            y0 = int(np.clip(round(cy - h / 2), 0, height - h))
            box = LabelBox("marker", int(entity), text, (x0, y0, x0 + w, y0 + h))
            if not any(box.overlaps(p, GAP) for p in placed):
                placed.append(box)
                break
    return placed


def draw_markers(img: np.ndarray, markers: Sequence[LabelBox], rgb_of: dict[int, tuple[int, int, int]],
                 px: int = TEXT_PX) -> None:
    """Draw placed markers in place: a badge in the entity's colour, a dark outline, the number in black or
    white (whichever reads better on that colour)."""
    for m in markers:
        x0, y0, x1, y1 = m.box
        color = np.array(rgb_of[m.entity], np.uint8)
        img[y0:y1, x0:x1] = (16, 16, 16)
        img[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1] = color
        ink = (0, 0, 0) if float(color.astype(float) @ (0.299, 0.587, 0.114)) > 140 else (255, 255, 255)
        w, h = text_extent(m.text, px, bold=True)
        draw_text(img, m.text, (x0 + (x1 - x0 - w) // 2, y0 + (y1 - y0 - h) // 2), px, ink, bold=True)


def legend_extent(rows: Sequence[LegendRow], title: str = "", px: int = TEXT_PX) -> tuple[int, int]:
    """(width, height) a legend needs to show every row and the title uncut."""
    _, line = text_extent("Ag", px)
    swatch = marker_extent("00", px)[0]
    widest = max([text_extent(r.text, px)[0] for r in rows] + [0])
    title_w = text_extent(title, px, bold=True)[0] if title else 0
    width = max(swatch + 18 + widest, title_w + 12) + 10
    height = 8 + (line + 8 if title else 0) + len(rows) * (line + 6) + 4
    return width, height


def legend_panel(rows: Sequence[LegendRow], height: int, title: str = "", px: int = TEXT_PX,
                 width: int | None = None) -> Picture:
    """A legend on a dark panel, at least `height` tall (taller when the rows need it).

    Returns:
        Picture with image uint8 [max(height, needed), width, 3] and one LabelBox per row (kind "legend",
        boxed from swatch to text end) plus the title (kind "title").
    """
    need_w, need_h = legend_extent(rows, title, px)
    width = max(width or 0, need_w)
    img = np.full((max(height, need_h), width, 3), _BG, np.uint8)
    _, line = text_extent("Ag", px)
    sw, sh = marker_extent("00", px)
    labels: list[LabelBox] = []
    y = 8
    if title:
        labels.append(LabelBox("title", -1, title, draw_text(img, title, (6, y), px, (230, 230, 230), bold=True)))
        y += line + 8
    for row in rows:
        y0 = y + (line - sh) // 2
        if row.selected:
            img[y - 3 : y + line + 3, 2 : width - 2] = (70, 70, 70)
        swatch = LabelBox("marker", row.entity, row.number, (6, y0, 6 + sw, y0 + sh))
        draw_markers(img, [swatch], {row.entity: row.rgb}, px)
        x1 = draw_text(img, row.text, (6 + sw + 10, y), px)[2]
        labels.append(LabelBox("legend", row.entity, row.text, (6, min(y0, y), x1, max(y0 + sh, y + line))))
        y += line + 6
    return Picture(img, labels)


def shifted(labels: Sequence[LabelBox], dx: int, dy: int) -> list[LabelBox]:
    """The same labels moved by (dx, dy) pixels (when their image is pasted into a larger one)."""
    return [LabelBox(b.kind, b.entity, b.text, (b.box[0] + dx, b.box[1] + dy, b.box[2] + dx, b.box[3] + dy))
            for b in labels]


def beside(picture: Picture, legend: Picture, gap: int = 0) -> Picture:
    """The picture with a legend to its right (both padded at the bottom to one height); label boxes are
    moved into the combined image's coordinates."""
    h = max(picture.image.shape[0], legend.image.shape[0])
    left = np.full((h, picture.image.shape[1] + gap, 3), _BG, np.uint8)
    left[: picture.image.shape[0], : picture.image.shape[1]] = picture.image
    right = np.full((h, legend.image.shape[1], 3), _BG, np.uint8)
    right[: legend.image.shape[0]] = legend.image
    return Picture(np.concatenate([left, right], axis=1), picture.labels + shifted(legend.labels, left.shape[1], 0))
