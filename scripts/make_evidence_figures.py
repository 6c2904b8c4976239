"""Make the pictures of the README's Evidence section (written to docs/evidence/).

    python scripts/make_evidence_figures.py [--model world|motion] [--work /tmp/alt-evidence] [--run FOLDER]

Model (default `world`): the ALT World model shipped in assets/models/alt-world (a CLIP pretrained in the
synthetic world, an adapter trained there), explained on held-out world clips (`alt world eval`'s set:
`alt.world.evaluate.heldout_clips`, 4 per action, all 13 actions as the classes, the model's r).

`--model motion`: the tiny preset (random CLIP weights) whose adapter is trained on the synthetic
motion-direction clips (tests/helpers/evidence_motion.py, the recipe of tests/integration/test_train.py);
--run reuses a trained folder whose held-out clips are in --work/test. Its explanations mean something
about motion direction only: the towers are random, the entities are 16 test words.

One more picture uses the untrained tiny model (random weights, query terms zero).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alt import ALTModel
from alt.evidence.views import entity_contributions, region_order
from tests.helpers.evidence_motion import CLASSES, heldout_curves, train_motion_model
from visualizers import evidence as VE
from visualizers.figure import save_figure

OUT = ROOT / "docs" / "evidence"
LABELS = {"motion": "tiny model: random CLIP weights, adapter trained on synthetic motion clips",
          "world": "ALT World model (assets/models/alt-world), held-out world clip"}
WORLD_PER_CLASS = 4  # held-out world clips per action: 52 clips


def world_heldout(model: ALTModel, steps: int = 20, seeds: int = 3):
    """(explanations, fast curves of the predicted class, random deletion AUCs [N, seeds]) on held-out world
    clips, as `heldout_curves` does for the motion clips."""
    from alt.world.catalog import ACTIONS
    from alt.world.evaluate import heldout_clips

    exps, curves, random_aucs, labels = [], [], [], []
    for clip in heldout_clips(WORLD_PER_CLASS, size=model.config.image_size):
        exp = model.explain(clip.frames, list(ACTIONS))
        exps.append(exp)
        labels.append(clip.action)
        curves.append(model.evidence_curves(exp, "fast", steps=steps))
        random_aucs.append([model.evidence_curves(exp, "fast", steps=steps, orders=["random"], seed=s)
                            .auc("deletion", "random") for s in range(seeds)])
    return exps, curves, np.asarray(random_aucs), labels


def heldout(args: argparse.Namespace):
    """(model, explanations, fast curves, random deletion AUCs [N, seeds], true classes) of the chosen model."""
    if args.model == "world":
        from alt.hub.specs import load_model

        model = load_model("world", "cpu")
        return (model, *world_heldout(model))
    work = Path(args.work)
    run = Path(args.run) if args.run else train_motion_model(work, test_per_class=8, max_minutes=30)
    model = ALTModel.from_pretrained(run)
    exps, curves, random_aucs = heldout_curves(model, work / "test")
    return model, exps, curves, random_aucs, [p.parent.name for p in sorted((work / "test").rglob("*.mp4"))]


def counterfactual_pictures(model: ALTModel, exp) -> dict:
    """The two counterfactual pictures of one explanation; returns what they show."""
    top = [exp.entity_names[int(e)] for e in entity_contributions(exp)[0][:3]]  # the 3 pushing most for it
    new = model.counterfactual(exp, drop_entities=top)
    save_figure(VE.counterfactual_figure(exp, new, ", ".join(f"'{e}'" for e in top)),
                OUT / "counterfactual-entities.png")
    r = exp.num_regions  # the 5% of regions with the largest contribution, out of the keys
    regions = [(int(i) // r, int(i) % r) for i in region_order(exp, "contribution")[: round(0.05 * r * exp.num_frames)]]
    new_r = model.counterfactual(exp, drop_regions=regions)
    save_figure(VE.counterfactual_figure(exp, new_r, f"the top {len(regions)} regions"),
                OUT / "counterfactual-regions.png")
    return {"classes": exp.class_names, "before": exp.probs.tolist(), "entities": top,
            "after_entities": new.tolist(), "regions": len(regions), "after_regions": new_r.tolist()}


def untrained_picture(model: ALTModel, args: argparse.Namespace) -> None:
    """The logit split of the untrained tiny model (query terms exactly zero) on one clip of the same set."""
    from alt.hub.specs import tiny_model

    untrained = tiny_model()
    untrained._corpus, untrained.config.prompt_templates = model.corpus, ["{}"]
    if args.model == "world":
        from alt.world.catalog import ACTIONS
        from alt.world.evaluate import heldout_clips

        frames = next(heldout_clips(1, size=model.config.image_size)).frames  # [T, H, W, 3] uint8
        u = untrained.explain(frames, list(ACTIONS[:6]), r=4, num_frames=8)
    else:
        u = untrained.explain(str(min((Path(args.work) / "test").rglob("*.mp4"))), CLASSES, r=4, num_frames=8)
    u.model_name = "tiny model, random weights, untrained adapter"
    save_figure(VE.contributions_figure(u, k=6), OUT / "logit-split-untrained.png")


def picture_clip(exps: list, labels: list[str], which: str) -> int:
    """The clip the single-clip pictures show. Motion: the most confident correct one. World: among the
    correct clips of a temporal action (the classes no single frame tells apart), the least confident one,
    so that the counterfactuals have a probability that can still move."""
    right = [i for i, (e, y) in enumerate(zip(exps, labels)) if e.top_classes(1)[0][0] == y] or list(range(len(exps)))
    if which == "motion":
        return max(right, key=lambda i: exps[i].probs.max())
    from alt.world.catalog import TEMPORAL_ACTIONS

    temporal = [i for i in right if labels[i] in TEMPORAL_ACTIONS] or right
    return min(temporal, key=lambda i: exps[i].probs.max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["world", "motion"], default="world")
    parser.add_argument("--work", default="/tmp/alt-evidence", help="scratch folder (motion: datasets, trained model)")
    parser.add_argument("--run", default=None, help="motion: an already trained motion model folder")
    parser.add_argument("--pixel-steps", type=int, default=12)
    args = parser.parse_args()
    model, exps, curves, random_aucs, labels = heldout(args)
    OUT.mkdir(parents=True, exist_ok=True)
    for e in exps:
        e.model_name = LABELS[args.model]
    save_figure(VE.deletion_summary_figure(curves), OUT / "deletion-heldout.png")
    contribution = np.mean([c.auc("deletion", "contribution") for c in curves])
    summary = {"model": LABELS[args.model], "clips": len(curves),
               "top1": float(np.mean([e.top_classes(1)[0][0] == y for e, y in zip(exps, labels)])),
               "deletion_auc_contribution": contribution,
               "deletion_auc_attention": np.mean([c.auc("deletion", "attention") for c in curves]),
               "deletion_auc_random_mean_of_3_seeds": random_aucs.mean(),
               "ratio_contribution_to_random": contribution / random_aucs.mean()}

    pick = picture_clip(exps, labels, args.model)
    exp = exps[pick]
    summary["picture_clip"] = {"index": pick, "true_class": labels[pick]}
    save_figure(VE.contributions_figure(exp, k=6), OUT / "logit-split.png")
    save_figure(VE.region_contribution_figure(exp), OUT / "regions.png")
    summary["counterfactual"] = counterfactual_pictures(model, exp)
    save_figure(VE.curves_figure(model.evidence_curves(exp, "fast", steps=20)), OUT / "curves-fast.png")
    save_figure(VE.curves_figure(model.evidence_curves(exp, "pixel", steps=args.pixel_steps)), OUT / "curves-pixel.png")
    untrained_picture(model, args)
    (OUT / "deletion-heldout.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
