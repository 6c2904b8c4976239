"""The motion test model (the recipe tests/integration/test_train.py checks) and its evidence on held-out clips.

    run = train_motion_model(tmp_path)                # datasets + `alt train`, returns the model folder
    exps, curves = heldout_curves(ALTModel.from_pretrained(run), tmp_path / "test")

Classes differ only in motion direction, so the frame-mean baseline is at chance and whatever ALT gets
right comes from the adapter: the setting where the query terms carry the prediction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.helpers.motion_data import DIRECTIONS, make_motion_dataset

MOTION_WORDS = ["head", "hand", "foot", "ball", "box", "square", "road", "wall", "floor", "sky", "water", "grass",
                "jump", "run", "slide", "fall"]
CLASSES = list(DIRECTIONS)


def motion_start_model(folder: Path) -> Path:
    """The tiny preset with a 16-word corpus and the bare '{}' prompt, saved as a model folder.

    The tiny random text tower maps prompts that share a template to nearly the same vector (cosine
    0.94-0.99 for 'a video of a person moving left/right/...'), which leaves the classifier almost no
    room; the bare names are further apart (cosine 0.47-0.86).
    """
    from alt.corpus.entities import EntityCorpus
    from alt.hub.specs import tiny_model

    model = tiny_model()
    model._corpus = EntityCorpus.from_entities(
        [{"unit": w, "kind": "object", "description": f"a {w}", "source": "test", "actions": []} for w in MOTION_WORDS],
        name="motion-test")
    model.config.prompt_templates = ["{}"]
    model.save_pretrained(folder)
    return folder


def train_motion_model(root: Path, test_per_class: int = 8, max_minutes: float = 10.0) -> Path:
    """Make root/train (40 clips per class) and root/test (`test_per_class`), start from
    `motion_start_model` and train the adapter; returns root/run."""
    from alt.cli import main

    make_motion_dataset(root / "train", per_class=40, seed=1)
    make_motion_dataset(root / "test", per_class=test_per_class, seed=2)
    start = motion_start_model(root / "start")
    code = main(["train", "--data", str(root / "train"), "--model", str(start), "--out", str(root / "run"),
                 "--train", "adapter", "--epochs", "12", "--lr", "3e-3", "--no-jitter", "--batch-size", "8",
                 "--r", "4", "--num-workers", "0", "--max-minutes", str(max_minutes), "--seed", "0"])
    assert code == 0
    return root / "run"


def heldout_curves(model, test_dir: Path, steps: int = 20, seeds: int = 3):
    """Explain every held-out clip and compute fast deletion/insertion curves for its predicted class.

    Returns:
        (explanations, curves, random AUCs): curves hold the contribution, attention and seed-0 random
        orders; random AUCs [N, seeds] are the deletion AUCs of `seeds` random orders per clip.
    """
    exps, curves, random_aucs = [], [], []
    for clip in sorted(Path(test_dir).rglob("*.mp4")):
        exp = model.explain(str(clip), CLASSES, r=4, num_frames=8)
        exps.append(exp)
        curves.append(model.evidence_curves(exp, "fast", steps=steps))
        random_aucs.append([model.evidence_curves(exp, "fast", steps=steps, orders=["random"], seed=s)
                            .auc("deletion", "random") for s in range(seeds)])
    return exps, curves, np.asarray(random_aucs)
