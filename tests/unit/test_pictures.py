"""Pictures a reader can read: one entity ranking for every consumer, collision-free clip colours, labels that
never overlap or get cut, >= 448 px panels with >= 12 px text, 0-based frames, and captions that say what a
picture is computed from."""

from __future__ import annotations

import numpy as np
import pytest

from alt.errors import InputError
from tests.helpers.fake_explanation import make_explanation
from ui import render
from visualizers import (
    OTHER_HEX,
    alignment_picture,
    attention_caption,
    attention_maps,
    attention_time_figure,
    clip_colors,
    display_factor,
    entity_frame_figure,
    explanation_figure,
    overlapping_pairs,
    strip_picture,
)
from visualizers.attention import region_mass
from visualizers.colors import MIN_DISTANCE, PALETTE_HEX, _distances, _stable_index, assign_colors
from visualizers.labels import place_markers
from visualizers.panels import clip_legend_rows, frame_header


@pytest.fixture(scope="module")
def busy():
    """A clip with many entities per frame (a 14x14 grid like ViT-B/16), so labels compete for space."""
    return make_explanation(T=3, grid=(14, 14), patch=4, R=90, E=60, A=3, seed=3, entity_pool=40)


def test_ranking_is_by_patch_share_and_holds_every_aligned_entity(busy):
    ranking = busy.entity_ranking()
    counts = np.bincount(busy.patch_entity_ids().ravel(), minlength=len(busy.entity_names))
    assert {e.index for e in ranking} == set(np.flatnonzero(counts))
    shares = [e.patch_share for e in ranking]
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(1.0)
    assert ranking[0].patch_share == pytest.approx(counts.max() / counts.sum())
    assert busy.entity_ranking(5) == ranking[:5]


def test_entity_attention_refuses_an_entity_not_aligned_in_the_clip(busy):
    aligned = {e.index for e in busy.entity_ranking()}
    missing = next(i for i in range(len(busy.entity_names)) if i not in aligned)
    with pytest.raises(InputError, match="not aligned"):
        busy.entity_attention(busy.entity_names[missing])
    with pytest.raises(InputError, match="unknown entity"):
        busy.entity_attention("no such thing")
    first = busy.entity_ranking()[0]
    assert busy.entity_attention(first.name).sum() == pytest.approx(1.0, abs=1e-5)


def test_dropdowns_legends_timeline_and_exports_share_one_ranking(busy):
    k = 8
    top = busy.entity_ranking(k)
    names = [e.name for e in top]
    choices = render.entity_choices(busy, k)
    assert [v for _, v in choices[1:]] == [e.index for e in busy.entity_ranking()]  # any entity can be picked
    assert [label.split(" · ")[1].split(":")[0] for label, _ in choices[1 : k + 1]] == names
    heat = entity_frame_figure(busy, k=k, colors=clip_colors(busy, k))
    assert [y.split(" ", 1)[1] for y in heat.data[0].y][::-1] == names  # top row first
    time_fig = attention_time_figure(busy, entities=k, colors=clip_colors(busy, k))
    assert [tr.name.split(" ", 1)[1].removesuffix(" queries") for tr in time_fig.data[1:]] == names
    legend_rows = clip_legend_rows(busy, clip_colors(busy, k))
    assert [r.text.rsplit(" ", 1)[0] for r in legend_rows[:k]] == names
    fig = explanation_figure(busy, frames=[0], cell_inches=1.2, colors=clip_colors(busy, k))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert [label.split("  ", 1)[1].rsplit(" (", 1)[0] for label in labels[:k]] == names
    assert [e["name"] for e in busy.summary(k)["entity_ranking"]["entities"]] == names


def test_clip_colours_are_distinct_for_the_legend_and_grey_beyond(busy):
    colors = clip_colors(busy, legend_size=10)
    legend = [colors.hex(e.index) for e in colors.legend]
    assert len(set(legend)) == len(legend) == 10
    assert OTHER_HEX not in legend
    assert all(colors.hex(e.index) == OTHER_HEX for e in colors.ranking[10:])
    first = colors.legend[0]
    assert colors.hex(first.index) == PALETTE_HEX[_stable_index(first.name, len(PALETTE_HEX))]  # hash preferred
    fewer = clip_colors(busy, legend_size=4)
    assert [fewer.hex(e.index) for e in fewer.legend] == legend[:4]  # greedy: independent of what ranks below


@pytest.mark.parametrize("seed", range(5))
def test_assigned_colours_never_clash(seed):
    rng = np.random.default_rng(seed)
    names = [f"entity {i}" for i in rng.choice(5000, size=10, replace=False)]
    idx = [PALETTE_HEX.index(h) for h in assign_colors(names)]
    dist = _distances(PALETTE_HEX)[np.ix_(idx, idx)] + np.eye(len(idx)) * 1e9
    assert dist.min() >= MIN_DISTANCE


@pytest.mark.parametrize("legend_size", [10, 20])
def test_alignment_picture_labels_never_overlap_and_stay_inside(busy, legend_size):
    colors = clip_colors(busy, legend_size)
    for t in range(busy.num_frames):
        for entity in (None, colors.legend[1].index, colors.ranking[-1].index):
            pic = alignment_picture(busy, t, colors, entity=entity)
            h, w = pic.image.shape[:2]
            assert overlapping_pairs(pic.labels) == []
            assert all(0 <= b.box[0] < b.box[2] <= w and 0 <= b.box[1] < b.box[3] <= h for b in pic.labels)
            assert all(b.box[3] - b.box[1] >= 12 for b in pic.labels)  # text at least 12 px tall


def test_markers_sit_on_their_entity_and_every_legend_entity_of_the_frame_is_listed(busy):
    colors = clip_colors(busy, 12)
    k = display_factor(busy.frames.shape[1])
    step = busy.patch_size * k
    pic = alignment_picture(busy, 1, colors)
    side = busy.frames.shape[1] * k
    ent = busy.patch_entity_ids()[1]
    markers = [b for b in pic.labels if b.kind == "marker" and b.box[2] <= side]
    assert markers
    for m in markers:
        x0, y0, x1, y1 = m.box
        if x0 > 0 and y0 > 0 and x1 < side and y1 < side:  # not shifted inside at an edge
            assert ent[((y0 + y1) // 2) // step, ((x0 + x1) // 2) // step] == m.entity
        assert m.text == str(colors.number(m.entity))
    in_frame = {int(e) for e in np.unique(ent)}
    listed = {b.entity for b in pic.labels if b.kind == "legend"}
    assert {e.index for e in colors.legend if e.index in in_frame} <= listed


def test_place_markers_skips_rather_than_overlaps():
    spot = [(20.0, 20.0)]
    placed = place_markers([(1, "1", spot), (2, "2", spot), (3, "3", spot + [(80.0, 80.0)])], 100, 100)
    assert [m.entity for m in placed] == [1, 3]
    assert overlapping_pairs(placed) == []


@pytest.mark.parametrize(("side", "factor"), [(64, 7), (224, 2), (336, 2), (448, 1), (500, 1)])
def test_pictures_are_enlarged_to_at_least_448_px(side, factor):
    assert display_factor(side) == factor and side * factor >= 448


def test_export_strip_is_readable_whatever_the_input_size():
    exp = make_explanation(T=2, grid=(8, 8), patch=8, R=20, E=20)  # 64 px, like `tiny`
    pic = strip_picture(exp, 1)
    assert pic.image.shape[0] >= 448 + 40
    assert overlapping_pairs(pic.labels) == []
    assert all(b.box[3] - b.box[1] >= 12 for b in pic.labels)
    assert frame_header(exp, 1).startswith("frame 1 (frames 0-1)")  # 0-based, as in the JSON


def test_region_caption_names_the_layer_the_slider_shows():
    exp = make_explanation(T=2, layers=4)
    _, first = render.region_view(exp, 0, 1)  # the slider is 1-based
    assert "after encoder layer 1 of 4" in first
    _, last = render.region_view(exp, 0, 4)
    assert "after encoder layer 4 of 4" in last and "the regions the model used" in last


def test_attention_views_and_their_captions():
    exp = make_explanation(T=3, R=8, E=12, seed=2)
    exp.config = {"adapter_layers": 2, "adapter_heads": 8}
    density, region = attention_maps(exp, None, "density"), attention_maps(exp, None, "region")
    assert density.sum() == pytest.approx(1.0, abs=1e-5)
    mass = region_mass(exp)  # [T, R]
    t = np.arange(exp.num_frames)[:, None, None]
    np.testing.assert_allclose(region, mass[t, exp.region_ids], rtol=1e-6)
    np.testing.assert_allclose(density * exp.region_sizes[t, exp.region_ids], region, rtol=1e-5, atol=1e-8)
    q = len(exp.query_entities)
    for view, word in (("density", "divided evenly over its patches"), ("region", "whole share")):
        caption = attention_caption(exp, None, 0.1, view)
        assert word in caption and f"2 layers x 8 heads x {q} queries" in caption and "float32" in caption
    exp.adapter_trained = False
    assert "does not affect the prediction yet" in attention_caption(exp, None, 0.1)
    exp.adapter_trained = True
    assert "shapes ALT's prediction" in attention_caption(exp, None, 0.1)
    _, md = render.attention_view(exp, 0, render.ALL, 0.6, "per region")
    assert md.startswith("**Per region:**")


def test_figure_panels_are_448_px_and_text_at_least_9_pt():
    exp = make_explanation(T=2, grid=(8, 8), patch=8, R=20, E=20)
    fig = explanation_figure(exp)
    fig.set_dpi(150)  # the PNG's resolution
    fig.canvas.draw()
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 8
    assert min(ax.get_window_extent().width for ax in image_axes) >= 448
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert sizes and min(sizes) >= 9


def test_a_click_picks_the_legend_row_or_the_region_under_it(busy):
    colors = clip_colors(busy, 8)
    pic = alignment_picture(busy, 0, colors)
    row = next(b for b in pic.labels if b.kind == "legend" and b.entity >= 0)
    x, y = (row.box[0] + row.box[2]) / 2, (row.box[1] + row.box[3]) / 2
    assert render.entity_at(busy, 0, render.ALL, 8, x, y) == row.entity
    step = busy.patch_size * display_factor(busy.frames.shape[1])
    assert render.entity_at(busy, 0, render.ALL, 8, 2.5 * step, 3.5 * step) == busy.patch_entity_ids()[0, 3, 2]


def test_summary_names_the_clip_and_the_baseline():
    exp = make_explanation(T=2)
    text = render.summary_markdown(exp, "ball.avi")
    assert "`ball.avi`" in text and "CLIP frame-mean (same merged tokens)" in text
    assert render.top_labels(exp)[2] is None
    exp.plain_clip_probs = exp.baseline_probs.copy()
    assert "plain CLIP (r=0" in render.summary_markdown(exp) and render.top_labels(exp)[2] is not None
    assert exp.to_dict(include_frames=False)["frame_index"] == [0, 1]
