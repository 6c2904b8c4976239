"""Make the pictures of docs/readme/evidence.md (written to docs/evidence/).

    python scripts/make_evidence_figures.py [--work /tmp/alt-evidence] [--run FOLDER]

Model: the tiny preset (random CLIP weights) whose adapter is trained on the synthetic motion-direction
clips (tests/helpers/evidence_motion.py, the recipe of tests/integration/test_train.py); --run reuses a
trained folder whose held-out clips are in --work/test. Its explanations mean something about motion
direction only: the towers are random, the entities are 16 test words. A trained "ALT World" model may
replace it later. One more picture uses the untrained tiny model (random weights, query terms zero).
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
LABEL = "tiny model: random CLIP weights, adapter trained on synthetic motion clips"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/alt-evidence", help="scratch folder (datasets, trained model)")
    parser.add_argument("--run", default=None, help="an already trained motion model folder")
    parser.add_argument("--pixel-steps", type=int, default=12)
    args = parser.parse_args()
    work = Path(args.work)
    run = Path(args.run) if args.run else train_motion_model(work, test_per_class=8, max_minutes=30)
    model = ALTModel.from_pretrained(run)
    OUT.mkdir(parents=True, exist_ok=True)

    exps, curves, random_aucs = heldout_curves(model, work / "test")
    for e in exps:
        e.model_name = LABEL
    save_figure(VE.deletion_summary_figure(curves), OUT / "deletion-heldout.png")
    contribution = np.mean([c.auc("deletion", "contribution") for c in curves])
    summary = {"clips": len(curves), "deletion_auc_contribution": contribution,
               "deletion_auc_attention": np.mean([c.auc("deletion", "attention") for c in curves]),
               "deletion_auc_random_mean_of_3_seeds": random_aucs.mean(),
               "ratio_contribution_to_random": contribution / random_aucs.mean()}

    exp = exps[int(np.argmax([e.probs.max() for e in exps]))]  # the most confident held-out clip
    save_figure(VE.contributions_figure(exp, k=6), OUT / "logit-split.png")
    save_figure(VE.region_contribution_figure(exp), OUT / "regions.png")
    top = [exp.entity_names[int(e)] for e in entity_contributions(exp)[0][:3]]  # the 3 pushing most for it
    new = model.counterfactual(exp, drop_entities=top)
    save_figure(VE.counterfactual_figure(exp, new, ", ".join(f"'{e}'" for e in top)),
                OUT / "counterfactual-entities.png")
    r = exp.num_regions  # the 5% of regions with the largest contribution, out of the keys
    regions = [(int(i) // r, int(i) % r) for i in region_order(exp, "contribution")[: round(0.05 * r * exp.num_frames)]]
    new_r = model.counterfactual(exp, drop_regions=regions)
    save_figure(VE.counterfactual_figure(exp, new_r, f"the top {len(regions)} regions"),
                OUT / "counterfactual-regions.png")
    summary["counterfactual"] = {"classes": exp.class_names, "before": exp.probs.tolist(), "entities": top,
                                 "after_entities": new.tolist(), "regions": len(regions),
                                 "after_regions": new_r.tolist()}
    save_figure(VE.curves_figure(model.evidence_curves(exp, "fast", steps=20)), OUT / "curves-fast.png")
    save_figure(VE.curves_figure(model.evidence_curves(exp, "pixel", steps=args.pixel_steps)), OUT / "curves-pixel.png")

    from alt.hub.specs import tiny_model
    untrained = tiny_model()
    untrained._corpus, untrained.config.prompt_templates = model.corpus, ["{}"]
    u = untrained.explain(str(min((work / "test").rglob("*.mp4"))), CLASSES, r=4, num_frames=8)
    u.model_name = "tiny model, random weights, untrained adapter"
    save_figure(VE.contributions_figure(u, k=6), OUT / "logit-split-untrained.png")
    (OUT / "deletion-heldout.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
