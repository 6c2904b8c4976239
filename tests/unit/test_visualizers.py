"""Invariants of the visualizers: shapes/dtypes, exact boundaries, stable entity colours, monotone heatmaps.

Pictures, rankings, colours and labels are in tests/unit/test_pictures.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests.helpers.fake_explanation import make_explanation
from visualizers import (
    OTHER_HEX,
    alignment_annotations,
    alignment_color_map,
    alignment_figure,
    alignment_overlay,
    alignment_overlays,
    attention_overlay,
    attention_overlays,
    attention_time_figure,
    boundary_mask,
    clip_colors,
    entity_frame_figure,
    entity_frame_matrix,
    entity_hex,
    entity_rgb,
    explanation_figure,
    overlay_strips,
    probs_figure,
    region_counts,
    region_map,
    region_maps,
    render_panels,
    upscale_patches,
)
from visualizers.attention import colorize

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def exp():
    return make_explanation(T=4, grid=(6, 6), patch=8, R=10, E=12, A=4, seed=1)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def _expected_boundaries(ids: np.ndarray, p: int) -> np.ndarray:
    """Boundary pixels computed from the patch grid alone: bool [S, S]."""
    hp, wp = ids.shape
    mask = np.zeros((hp * p, wp * p), bool)
    for y in range(hp):
        for x in range(wp):
            if x + 1 < wp and ids[y, x] != ids[y, x + 1]:
                mask[y * p : (y + 1) * p, (x + 1) * p - 1] = True  # last column of the patch
            if y + 1 < hp and ids[y, x] != ids[y + 1, x]:
                mask[(y + 1) * p - 1, x * p : (x + 1) * p] = True  # last row of the patch
    return mask


def test_fake_explanation_is_consistent(exp):
    t, r = exp.region_sizes.shape
    for f in range(t):
        assert set(np.unique(exp.region_ids[f])) == set(range(r))
        assert np.array_equal(np.bincount(exp.region_ids[f].ravel(), minlength=r), exp.region_sizes[f])
    np.testing.assert_allclose(exp.query_attention.sum(axis=(1, 2)), 1.0, atol=1e-5)
    np.testing.assert_allclose(exp.attention, exp.spread_to_patches(exp.query_attention.mean(0)), atol=1e-7)
    assert abs(exp.attention.sum() + exp.attention_global - 1.0) < 1e-5
    assert np.array_equal(exp.layer_region_ids[-1], exp.region_ids)


def test_upscale_is_exact_nearest():
    ids = np.arange(6, dtype=np.int32).reshape(2, 3)
    up = upscale_patches(ids, 4)  # [8, 12]
    assert up.shape == (8, 12) and up.dtype == np.int32
    assert np.array_equal(up[::4, ::4], ids) and np.array_equal(up[3::4, 3::4], ids)


def test_region_map_shapes_and_dtype(exp):
    maps = region_maps(exp)
    s = exp.frames.shape[1]
    assert maps.shape == (exp.num_frames, s, s, 3) and maps.dtype == np.uint8
    assert region_map(exp, 2).shape == (s, s, 3)
    assert np.array_equal(region_counts(exp), np.full(exp.num_frames, exp.num_regions))


@pytest.mark.parametrize("mode", ["mean", "distinct"])
def test_region_boundaries_are_exactly_where_patch_ids_differ(exp, mode):
    magenta = (255, 0, 255)
    for t in range(exp.num_frames):
        expected = _expected_boundaries(exp.region_ids[t], exp.patch_size)
        assert np.array_equal(boundary_mask(upscale_patches(exp.region_ids[t], exp.patch_size)), expected)
        drawn = region_map(exp, t, mode=mode, boundary_color=magenta)
        plain = region_map(exp, t, mode=mode, boundary_color=None)
        assert (drawn[expected] == magenta).all()
        assert np.array_equal(drawn[~expected], plain[~expected])  # nothing drawn off the boundaries


def test_region_mean_colour_is_the_mean_of_its_pixels(exp):
    t, p = 1, exp.patch_size
    plain = region_map(exp, t, boundary_color=None)
    pix = upscale_patches(exp.region_ids[t], p)
    for r in range(exp.num_regions):
        mean = exp.frames[t][pix == r].astype(np.float64).mean(axis=0)
        assert np.abs(plain[pix == r].astype(np.float64) - mean).max() <= 0.51


def test_region_map_at_every_layer(exp):
    for layer in range(exp.layer_region_ids.shape[0]):
        assert region_maps(exp, layer=layer).shape == exp.frames.shape
    assert region_counts(exp, 0).min() > region_counts(exp, -1).max()  # earlier layers: more regions
    with pytest.raises(ValueError):
        region_map(exp, 0, layer=99)
    no_layers = make_explanation(layers=0)
    with pytest.raises(ValueError, match="layer_region_ids"):
        region_map(no_layers, 0, layer=0)


def test_entity_colour_is_keyed_by_name_and_stable():
    assert entity_hex("hand") == entity_hex("hand")
    assert entity_rgb("hand") == tuple(int(entity_hex("hand")[i : i + 2], 16) for i in (1, 3, 5))
    code = "from visualizers.colors import entity_hex; print(entity_hex('hand'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert other.stdout.strip() == entity_hex("hand")  # not Python's per-process salted hash


def test_one_entity_keeps_one_colour_in_every_frame(exp):
    colors = clip_colors(exp, legend_size=5)
    overlays = alignment_overlays(exp, alpha=1.0, boundaries=False, colors=colors)  # pure entity colours
    ent = upscale_patches(exp.patch_entity_ids(), exp.patch_size)  # [T, S, S]
    seen_in_frames = 0
    for e in np.unique(ent):
        assert (overlays[ent == e] == colors.rgb(int(e))).all()
        seen_in_frames = max(seen_in_frames, int(sum((ent[t] == e).any() for t in range(exp.num_frames))))
    assert seen_in_frames > 1  # the check covered an entity present in several frames
    single = alignment_overlay(exp, 2, alpha=1.0, boundaries=False, colors=colors)
    assert np.array_equal(single, overlays[2])


def test_annotations_partition_the_frame_and_match_the_colour_map(exp):
    for t in range(exp.num_frames):
        base, pairs = alignment_annotations(exp, t)
        assert base.shape == exp.frames[t].shape
        masks = np.stack([m for m, _ in pairs])
        assert masks.dtype == np.float32 and set(np.unique(masks)) <= {0.0, 1.0}
        np.testing.assert_array_equal(masks.sum(axis=0), 1.0)  # every pixel has exactly one entity
        cmap, colors = alignment_color_map(exp), clip_colors(exp)
        assert all(cmap[label] == colors.hex(exp.entity_names.index(label)) for _, label in pairs)
        _, scored = alignment_annotations(exp, t, with_scores=True)
        scored_map = alignment_color_map(exp, t, with_scores=True)
        assert [label for _, label in scored] == list(scored_map)


def test_heatmap_brightness_is_monotone_in_attention(exp):
    values = np.linspace(0.0, 1.0, 300)
    assert (np.diff(_luma(colorize(values, 1.0))) >= 0).all()
    overlays, vmax = attention_overlays(exp, alpha=1.0)
    p = exp.patch_size
    centres = overlays[:, p // 2 :: p, p // 2 :: p]  # one pixel per patch [T, Hp, Wp, 3]
    a, y = exp.attention.ravel(), _luma(centres).reshape(-1)
    order = np.argsort(a, kind="stable")
    assert (np.diff(y[order]) >= -1e-9).all()
    assert vmax == pytest.approx(float(exp.attention.max()))


def test_heatmap_uses_one_scale_for_the_whole_clip(exp):
    overlays, vmax = attention_overlays(exp, alpha=0.4)
    for t in range(exp.num_frames):
        assert np.array_equal(attention_overlay(exp, t, alpha=0.4), overlays[t])
    # Scaling one frame's attention does not change any other frame's picture unless it moves the max.
    quiet = make_explanation(T=4, grid=(6, 6), patch=8, R=10, E=12, A=4, seed=1)
    quiet.attention = quiet.attention.copy()
    quiet.attention[0] *= 0.5
    hottest = int(np.argmax(exp.attention.reshape(exp.num_frames, -1).max(axis=1)))
    if hottest != 0:
        assert np.array_equal(attention_overlays(quiet, alpha=0.4)[0][hottest], overlays[hottest])


def test_entity_attention_overlay_by_name(exp):
    name = exp.entity_names[int(exp.query_entities[0])]
    img = attention_overlay(exp, 0, entity=name, colorbar=True)
    assert img.dtype == np.uint8 and img.shape[1] > exp.frames.shape[2]


def test_render_panels_and_strips(exp):
    panels = render_panels(exp)
    for stack in (panels.regions, panels.alignment, panels.attention):
        assert stack.shape == exp.frames.shape and stack.dtype == np.uint8
    strips = overlay_strips(exp)  # every panel enlarged to >= 448 px
    assert strips.shape[0] == exp.num_frames and strips.shape[1] > 448 and strips.shape[2] >= 4 * 448


def test_plotly_figures(exp):
    probs = probs_figure(exp, k=3)
    assert len(probs.data) == 2 and all(len(tr.y) == 3 for tr in probs.data)
    time_fig = attention_time_figure(exp)
    np.testing.assert_allclose(time_fig.data[0].x, exp.timestamps)
    np.testing.assert_allclose(np.sum(time_fig.data[0].y), 1.0 - exp.attention_global, atol=1e-5)
    uniq, mass = entity_frame_matrix(exp)
    assert mass.shape == (uniq.size, exp.num_frames)
    assert mass.sum() == pytest.approx(1.0 - exp.attention_global, abs=1e-5)
    q_uniq, q_mass = entity_frame_matrix(exp, by="query")
    assert np.array_equal(q_uniq, np.unique(exp.query_entities))
    np.testing.assert_allclose(q_mass.sum(axis=1), 1.0, atol=1e-5)  # each entity's queries: one unit
    heat = entity_frame_figure(exp, k=2)
    assert np.asarray(heat.data[0].z).shape == (min(2, uniq.size), exp.num_frames)
    colors = clip_colors(exp, legend_size=3)
    align = alignment_figure(exp, 1, colors)
    assert sum(len(tr.x) for tr in align.data) == exp.num_regions
    legend_hex = {f"{i + 1} {e.name}": colors.hex(e.index) for i, e in enumerate(colors.legend)}
    assert all(tr.marker.color == legend_hex.get(tr.name, OTHER_HEX) for tr in align.data)


def test_matplotlib_grid_without_pyplot(exp):
    fig = explanation_figure(exp, frames=[0, 2], cell_inches=1.5)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert len([ax for ax in fig.axes if ax.images]) == 2 * 4
    assert "matplotlib.pyplot" not in sys.modules


def test_visualizers_do_not_import_torch():
    code = "import sys, visualizers; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_entity_highlight_lights_exactly_that_entitys_patches():
    from visualizers import entity_highlight_overlays
    from visualizers.draw import upscale_patches

    exp = make_explanation(T=3, R=6, E=10, seed=4)
    e = int(exp.region_entity_ids()[0, 0])
    out = entity_highlight_overlays(exp, e, alpha=1.0, dim=1.0)
    mask = upscale_patches(exp.patch_entity_ids() == e, exp.patch_size)  # [T, S, S]
    inside = out[mask]
    assert ((inside == clip_colors(exp).rgb(e)) | (inside == 255)).all(axis=-1).all()
    outside = out[~mask]
    assert ((outside == 0) | (outside == 255)).all()  # everything else fully dimmed (or outline)
    assert (outside == 0).all(axis=-1).mean() > 0.5
