"""ALT World scoring against the ground truth: an oracle explanation scores perfectly, a wrong one does not.

The oracle is an Explanation built from the clip's own masks: one region per patch, each aligned to the
entity of its patch label (alt/world/pretrain_data.py `patch_labels`), attention on the action's objects.
"""

from __future__ import annotations

import numpy as np
import pytest

from alt.explanation import Explanation
from alt.world import ACTIONS, ENTITIES, render_clip
from alt.world.pretrain_data import patch_labels
from alt.world.truth import (
    ACTION_OBJECTS,
    action_object_mask,
    attention_focus,
    confusion,
    iou_per_entity,
    pixel_entities,
    pointing,
    truth_region_order,
)

P = 8


def _explanation(clip, patch_entities: np.ndarray, attention: np.ndarray) -> Explanation:
    """One region per patch. patch_entities int [T, P] (index into ENTITIES), attention [T, Hp, Wp]."""
    t, s = clip.frames.shape[:2]
    g = s // P
    return Explanation(
        class_names=list(ACTIONS), probs=np.full(len(ACTIONS), 1 / len(ACTIONS), np.float32),
        baseline_probs=np.full(len(ACTIONS), 1 / len(ACTIONS), np.float32), frames=clip.frames,
        timestamps=np.arange(t, dtype=np.float64), patch_size=P,
        region_ids=np.tile(np.arange(g * g, dtype=np.int32).reshape(1, g, g), (t, 1, 1)),
        region_sizes=np.ones((t, g * g), np.int32),
        region_entities=[[(int(e), 0.5) for e in row] for row in patch_entities],
        entity_names=list(ENTITIES), entity_kinds=["object"] * len(ENTITIES), attention=attention.astype(np.float32),
        attention_global=0.0, query_entities=np.zeros(0, np.int64), query_frames=np.zeros(0, np.int64),
        query_attention=np.zeros((0, t, g * g), np.float32))


def _oracle(clip) -> Explanation:
    labels = np.stack([patch_labels(clip.entity_map(t), P) for t in range(clip.frames.shape[0])])  # [T, P]
    objects = action_object_mask(clip)  # [T, S, S]
    t, s = objects.shape[:2]
    att = objects.reshape(t, s // P, P, s // P, P).mean(axis=(2, 4))  # [T, Hp, Wp] object share per patch
    return _explanation(clip, labels, att / att.sum())


@pytest.mark.parametrize("action", ["waving a hand", "riding a bike", "walking the dog", "a ball falling"])
def test_oracle_alignment_points_at_every_visible_object_and_focuses_attention(action):
    clip = render_clip(action, seed=3, num_frames=4, size=96)
    exp = _oracle(clip)
    aligned = pixel_entities(exp, P)
    hits = pointing(exp, clip, aligned)
    assert hits and all(ok for _, ok in hits)
    objects = action_object_mask(clip)
    mass, share, focus = attention_focus(exp, objects, P)
    per_patch = objects.reshape(4, 12, P, 12, P).mean(axis=(2, 4))  # object share of each patch
    assert mass == pytest.approx((per_patch ** 2).sum() / per_patch.sum(), rel=1e-5)  # even spread in a patch
    assert share == pytest.approx(objects.mean()) and 0 < share < 0.2 and focus > 5


def test_alignment_to_the_background_misses_every_object_and_has_no_focus():
    clip = render_clip("riding a bike", seed=2, num_frames=4, size=96)
    t, g = 4, 96 // P
    exp = _explanation(clip, np.full((t, g * g), ENTITIES.index("sky")), np.full((t, g, g), 1 / (t * g * g)))
    hits = pointing(exp, clip, pixel_entities(exp, P))
    assert hits and not any(ok for _, ok in hits)
    assert attention_focus(exp, action_object_mask(clip), P)[2] == pytest.approx(1.0)


def test_iou_is_one_for_a_pixel_perfect_map_and_drops_at_patch_scale():
    clip = render_clip("driving a car", seed=1, num_frames=2, size=96)
    truth = clip.entity_lut()[clip.masks]  # [T, S, S]
    perfect = iou_per_entity(confusion(clip, truth))
    assert set(perfect.values()) == {1.0} and "person" not in perfect  # a person has only its parts' pixels
    patchy = iou_per_entity(confusion(clip, pixel_entities(_oracle(clip), P)))
    assert all(0 <= v <= 1 for v in patchy.values()) and patchy["car"] < 1.0 and patchy["sky"] > 0.8


def test_truth_order_puts_the_regions_on_the_action_objects_first():
    clip = render_clip("bouncing a ball", seed=4, num_frames=3, size=96)
    exp = _oracle(clip)
    objects = action_object_mask(clip)
    order = truth_region_order(exp, objects, P, seed=0)
    share = objects.reshape(3, 12, P, 12, P).mean(axis=(2, 4)).ravel()  # [T*R] object share of each patch
    assert sorted(order.tolist()) == list(range(share.size))
    assert np.all(np.diff(share[order]) <= 1e-12)  # non-increasing along the order


def test_the_ball_actions_are_about_the_ball_only():
    assert ACTION_OBJECTS["a ball rising"] == {"ball"} and "person" in ACTION_OBJECTS["waving a hand"]
    assert {"car", "wheel"} <= ACTION_OBJECTS["driving a car"]
