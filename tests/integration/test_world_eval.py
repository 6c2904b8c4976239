"""The committed ALT World model (assets/models/alt-world/, spec `world`): its explanations measured against
the world's ground truth, target by target (issue 14), and its example clip explained with meaning.

The committed model meets every target of issue 14 (its model card: ALT top-1 0.93 on 104 held-out clips, 0.92
on the temporal classes; pixel insertion ratio 1.54), and on the waving example the hands and arms are aligned
to "hand" and "arm" (measured: 43 % of the hands' pixels on "hand" patches, 60 % of the arms' on "arm").

About a minute on the project's 2-core CPU (52 held-out clips; pixel deletion/insertion curves on 2 per class)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from alt.errors import ModelSpecError
from alt.hub import specs
from alt.world.evaluate import EvalSettings, evaluate_world
from alt.world.release import MAX_BYTES, folder_bytes
from alt.world.report import check_targets, full_report

ROOT = Path(__file__).resolve().parents[2]
PER_CLASS = 4


@pytest.fixture(scope="module")
def world():
    return specs.load_model("world", "cpu")


def test_world_spec_names_the_shipped_folder_within_the_size_budget(world):
    folder = ROOT / "assets" / "models" / "alt-world"
    assert specs.world_model_dir() == folder
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "corpus.jsonl", "README.md", "pretrain_log.jsonl",
            "train_log.jsonl", "eval.json"} <= names
    assert folder_bytes(folder) <= MAX_BYTES
    assert world.config.adapter_trained and world.config.image_size == 96 and len(world.corpus) == 26
    assert "## Evaluation on held-out world clips" in (folder / "README.md").read_text()


def test_world_spec_without_the_folder_says_where_it_ships(monkeypatch, tmp_path):
    monkeypatch.setattr(specs, "WORLD_MODEL_DIR", tmp_path / "missing")
    with pytest.raises(ModelSpecError, match="assets/models/alt-world"):
        specs.load_model("world", "cpu")


CURVE_PER_CLASS = 2  # pixel curves re-encode every step: 26 clips keep the test near a minute


@pytest.fixture(scope="module")
def report(world):
    return evaluate_world(world, EvalSettings(per_class=PER_CLASS, curve_mode="pixel", curve_per_class=CURVE_PER_CLASS))


def test_world_model_meets_every_target_on_held_out_clips(report):
    assert report["clips"] == 13 * PER_CLASS and report["curves"]["clips"] == 13 * CURVE_PER_CLASS
    results = check_targets(report)
    missed = [f"{t.name}: {v:.3f} (target {t.op} {t.bound})" for t, v, ok in results if not ok]
    assert not missed, "\n".join(missed) + "\n\n" + full_report(report)
    top1 = report["top1"]
    assert top1["alt"] >= top1["baseline"] + 0.15  # the trained adapter adds what the frame mean lacks
    assert top1["alt_temporal"] >= top1["baseline_temporal"] + 0.3  # ... above all on the temporal classes


def test_insertion_target_needs_pixel_curves(report):
    """The insertion target reads pixel curves only: a fast-curve report leaves it unmet (NaN), never passed."""
    fast = {**report, "curves": {**report["curves"], "mode": "fast"}}
    (value,) = [v for t, v, _ in check_targets(fast) if t.name.startswith("insertion")]
    assert np.isnan(value)


@pytest.fixture(scope="module")
def waving(world):
    """The waving example clip explained with its offered class names: (explanation, clip, truth, meta)."""
    from alt.video.load import load_video
    from ui.examples import EXAMPLES

    path = ROOT / "assets" / "examples" / "waving.mp4"
    truth = np.load(path.with_suffix(".npz"))
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["action"] == "waving a hand"
    clip = load_video(path, num_frames=8)
    return world.explain(clip, EXAMPLES["waving.mp4"].splitlines()), clip, truth, meta


def _aligned_share(waving, entity: str, names: list[str]) -> np.ndarray:
    """Per frame: the share of `entity`'s pixels (ground truth) whose patch is aligned to one of `names`."""
    exp, clip, truth, meta = waving
    ids = [i["id"] for i in meta["instances"] if i["entity"] == entity]
    aligned = np.array(exp.entity_names)[exp.patch_entity_ids()]  # [T, Hp, Wp] entity name of every patch
    aligned = np.repeat(np.repeat(aligned, exp.patch_size, axis=1), exp.patch_size, axis=2)  # [T, S, S]
    masks = truth["masks"][clip.indices]  # the sampled frames' instance maps
    on = [aligned[t][np.isin(masks[t], ids)] for t in range(len(masks))]  # aligned names of those pixels
    return np.array([np.isin(n, names).mean() for n in on if n.size])


def test_waving_example_has_the_arms_aligned_to_arm(waving):
    share = _aligned_share(waving, "arm", ["arm", "hand"])
    assert share.size and share.mean() >= 0.5, share  # measured: 0.61 per frame (the rest: torso, grass)


def test_waving_example_has_the_hand_aligned_to_hand_or_arm(waving):
    share = _aligned_share(waving, "hand", ["hand", "arm"])
    assert share.size and (share >= 0.5).mean() >= 0.5, share  # in most frames most hand pixels: hand or arm
    own = _aligned_share(waving, "hand", ["hand"])
    assert own.mean() >= 0.25, own  # and "hand" itself, not only the arm beside it


def test_waving_example_frame_mean_names_the_action(waving):
    exp = waving[0]
    assert exp.class_names[int(np.argmax(exp.baseline_probs))] == "waving a hand"


def test_waving_example_is_classified_waving_by_alt(waving):
    exp = waving[0]
    assert exp.class_names[int(np.argmax(exp.probs))] == "waving a hand"
