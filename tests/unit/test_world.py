"""ALT World: determinism, ground-truth invariants, temporal pairs, captions, files and corpus (CPU, seconds)."""

from __future__ import annotations

import json
import time

import cv2
import numpy as np
import pytest

from alt.world import (
    ACTIONS,
    ENTITIES,
    SCENES,
    TEMPORAL_ACTIONS,
    TEMPORAL_PAIRS,
    WorldError,
    frame_caption_pairs,
    render_clip,
    world_corpus_entries,
    write_dataset,
)
from alt.world.captions import ENTITY_WORDS, MIN_OBJECT_PIXELS, MIN_REGION_FRACTION
from alt.world.catalog import action_entities, base_action
from alt.world.clip import build_stage

SEEDS = range(6)
DIRECTION_WORDS = ("left", "right", "rising", "falling", "appear", "leav", "toward", "away")


def _roots(clip) -> dict[int, int]:
    return {i.id: i.parent if i.parent is not None else i.id for i in clip.instances}


def _centroid(clip, t: int, entity: str) -> np.ndarray:
    """(x, y) mean of the pixels of `entity` in frame t (parts count for their whole)."""
    ids = [i.id for i in clip.instances if i.entity == entity]
    ids += [i.id for i in clip.instances if i.parent in ids]
    ys, xs = np.nonzero(np.isin(clip.masks[t], ids))
    return np.array([xs.mean(), ys.mean()])


def test_world_declares_enough_scenes_entities_and_actions():
    assert len(SCENES) >= 5 and len(ACTIONS) >= 10 and len(ENTITIES) >= 20
    assert TEMPORAL_ACTIONS == {"walking left", "walking right", "a ball rising", "a ball falling",
                                "a person appearing", "a person leaving"}
    assert all(TEMPORAL_PAIRS[TEMPORAL_PAIRS[a]] == a for a in TEMPORAL_ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_renders_frames_masks_and_captions_of_the_right_shapes(action):
    clip = render_clip(action, seed=1, num_frames=8, size=64)
    assert clip.frames.shape == (8, 64, 64, 3) and clip.frames.dtype == np.uint8
    assert clip.masks.shape == (8, 64, 64) and clip.masks.dtype == np.int32
    assert len(clip.captions) == 8 and all(isinstance(c, str) and c for c in clip.captions)
    assert clip.action == action and clip.scene in SCENES and clip.fps > 0 and clip.seed == 1
    assert np.abs(np.diff(clip.frames.astype(np.int16), axis=0)).sum() > 0  # something moves


def test_same_seed_gives_identical_clips_and_other_seeds_differ():
    a, b = render_clip("riding a bike", 5), render_clip("riding a bike", 5)
    assert a.frames.tobytes() == b.frames.tobytes() and a.masks.tobytes() == b.masks.tobytes()
    assert a.captions == b.captions and a.instances == b.instances
    assert not np.array_equal(a.frames, render_clip("riding a bike", 6).frames)


@pytest.mark.parametrize("action", ACTIONS)
def test_masks_cover_every_pixel_with_declared_instances(action):
    for seed in SEEDS:
        clip = render_clip(action, seed)
        by_id = {i.id: i for i in clip.instances}
        assert (clip.masks > 0).all()
        assert set(np.unique(clip.masks).tolist()) <= set(by_id)
        assert {i.entity for i in clip.instances} <= action_entities(action)
        for inst in clip.instances:
            assert inst.kind in ("object", "body_part", "scene")
            if inst.kind == "body_part":
                assert by_id[inst.parent].entity == "person"
            if inst.parent is not None:
                assert by_id[inst.parent].parent is None
            if inst.entity == "wheel":
                assert by_id[inst.parent].entity in ("car", "bicycle")


@pytest.mark.parametrize("action", ACTIONS)
def test_no_pixel_changes_colour_outside_the_mask_of_what_painted_it(action):
    """No anti-aliasing: a pixel whose colour differs from the backdrop's was relabelled too."""
    stage = build_stage(base_action(action)[0], 0, 16, 96)
    painted = 0
    for t in (0, 7, 15):
        rgb, ids = stage.render(t)
        recoloured = (rgb != stage.back.rgb).any(-1)
        relabelled = ids != stage.back.ids
        assert not (recoloured & ~relabelled).any()
        assert (relabelled & ~recoloured).sum() <= 0.02 * relabelled.sum()
        painted += int(relabelled.sum())
    assert painted > 0


def test_entity_map_names_parts_as_parts():
    clip = render_clip("walking the dog", 2)
    emap = clip.entity_map(0)
    assert emap.shape == (96, 96) and emap.min() >= 0
    names = {ENTITIES[i] for i in np.unique(emap)}
    assert {"head", "hand", "leg", "dog"} <= names and "person" not in names


@pytest.mark.parametrize("action", sorted(TEMPORAL_ACTIONS))
def test_temporal_class_is_its_partner_played_backwards(action):
    for seed in SEEDS:
        clip, partner = render_clip(action, seed), render_clip(TEMPORAL_PAIRS[action], seed)
        assert np.array_equal(clip.frames, partner.frames[::-1])
        assert np.array_equal(clip.masks, partner.masks[::-1])
        assert clip.captions == partner.captions[::-1] and clip.scene == partner.scene


def test_temporal_pairs_move_the_way_their_names_say():
    for seed in SEEDS:
        right = render_clip("walking right", seed)
        assert _centroid(right, -1, "person")[0] > _centroid(right, 0, "person")[0] + 5
        fall = render_clip("a ball falling", seed)
        assert _centroid(fall, -1, "ball")[1] > _centroid(fall, 0, "ball")[1] + 5
        appear = render_clip("a person appearing", seed)
        parts = [i.id for i in appear.instances if i.parent is not None and i.kind == "body_part"]
        assert np.isin(appear.masks[0], parts).sum() < np.isin(appear.masks[-1], parts).sum()


@pytest.mark.parametrize("action", ACTIONS)
def test_captions_name_every_visible_entity_and_never_a_direction(action):
    for seed in SEEDS:
        clip = render_clip(action, seed)
        by_id, roots = {i.id: i for i in clip.instances}, _roots(clip)
        for t, caption in enumerate(clip.captions):
            ids, counts = np.unique(clip.masks[t], return_counts=True)
            area: dict[int, int] = {}
            for i, n in zip(ids.tolist(), counts.tolist()):
                area[roots[i]] = area.get(roots[i], 0) + n
            for root, n in area.items():
                inst = by_id[root]
                needed = MIN_REGION_FRACTION * clip.masks[t].size if inst.kind == "scene" else MIN_OBJECT_PIXELS
                words = ENTITY_WORDS.get(inst.entity, (inst.entity,))
                if n >= needed:
                    assert any(w in caption for w in words), (inst.entity, caption)
            assert not any(w in caption for w in DIRECTION_WORDS), caption


def test_write_dataset_writes_readable_videos_masks_and_metadata(tmp_path):
    actions = ["waving a hand", "a ball rising"]
    root = write_dataset(tmp_path / "w", per_class=2, seed=3, num_frames=8, size=64, actions=actions)
    world = json.loads((root / "world.json").read_text())
    assert world["actions"] == actions and len(world["clips"]) == 4 and world["temporal_actions"] == ["a ball rising"]
    for entry in world["clips"]:
        video = root / entry["video"]
        cap = cv2.VideoCapture(str(video))
        frames = []
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            frames.append(frame)
        cap.release()
        assert len(frames) == 8 and frames[0].shape == (64, 64, 3)
        clip = render_clip(entry["action"], entry["seed"], 8, 64)
        decoded = cv2.cvtColor(frames[3], cv2.COLOR_BGR2RGB).astype(np.int16)
        assert np.abs(decoded - clip.frames[3]).mean() < 6  # MJPG at quality 100 is close to lossless
        with np.load(video.with_suffix(".npz")) as z:
            assert np.array_equal(z["masks"], clip.masks)
            assert np.array_equal(z["entity_lut"][z["masks"][0]], clip.entity_map(0))
        meta = json.loads(video.with_suffix(".json").read_text())
        assert meta["captions"] == clip.captions and meta["scene"] == clip.scene
        assert [i["entity"] for i in meta["instances"]] == [i.entity for i in clip.instances]
    again = write_dataset(tmp_path / "w2", per_class=2, seed=3, num_frames=8, size=64, actions=actions)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        assert path.read_bytes() == (again / path.relative_to(root)).read_bytes(), path.name


def test_corpus_entries_are_unique_and_cover_every_drawn_entity():
    entries = world_corpus_entries()
    units = [e["unit"] for e in entries]
    assert len(units) == len(set(units)) and set(units) == set(ENTITIES)
    for e in entries:
        assert e["kind"] in ("object", "body_part", "scene", "motion", "role", "attribute")
        assert e["source"] == "alt-world" and e["description"] and set(e["actions"]) <= set(ACTIONS)
    drawn = {i.entity for a in ACTIONS for s in range(3) for i in render_clip(a, s, 2, 48).instances}
    assert drawn <= set(units)
    hand = next(e for e in entries if e["unit"] == "hand")
    assert hand["kind"] == "body_part" and "waving a hand" in hand["actions"]


def test_frame_caption_pairs_are_deterministic_single_frames_with_ground_truth():
    first = list(frame_caption_pairs(12, seed=4, size=64))
    again = list(frame_caption_pairs(12, seed=4, size=64))
    assert len(first) == 12
    for (frame, caption, mask, instances), other in zip(first, again):
        assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8 and mask.shape == (64, 64)
        assert caption == other.caption and np.array_equal(frame, other.frame)
        ids = {i.id for i in instances}
        assert set(np.unique(mask).tolist()) <= ids
        assert all(i.parent is None or i.parent in ids for i in instances)
        assert not any(w in caption for w in DIRECTION_WORDS)
    assert len({f.caption for f in first}) > 6


@pytest.mark.parametrize("kwargs", [{"action": "flying"}, {"seed": -1}, {"size": 8}, {"num_frames": 0}])
def test_bad_arguments_raise_world_error(kwargs):
    args = {"action": "swimming", "seed": 0, "num_frames": 4, "size": 64} | kwargs
    with pytest.raises(WorldError):
        render_clip(**args)


def test_a_16_frame_96px_clip_renders_in_well_under_50ms_of_cpu():
    for action in ACTIONS:  # warm up
        render_clip(action, 0)
    start = time.process_time()
    for seed in range(3):
        for action in ACTIONS:
            render_clip(action, seed)
    per_clip = (time.process_time() - start) / (3 * len(ACTIONS))
    assert per_clip < 0.05, f"{per_clip * 1000:.1f} ms per clip"
