"""`alt train` with its defaults learns what single frames cannot show (issue 13).

Each dataset is generated here: classes that only temporal order separates (the direction an object
crosses the frame; whether it appears, disappears, briefly appears or briefly disappears), at several
resolutions, clip lengths, clip counts, object sizes and speeds, and background textures. Every fit is
`alt train` with nothing but --data, --model tiny, --out, --max-minutes (and --seed); a separate
held-out set, generated with another seed, is scored with `alt eval`. The frame-mean baseline must stay
near chance there (<= 0.40 with four classes), and ALT must reach >= 0.90 for every seed.
"""

from __future__ import annotations

import json
import time

import pytest
import torch

from alt.cli import main
from tests.helpers.motion_data import MotionSpec, make_task_dataset

# name -> (what the clips look like, training clips per class)
DATASETS = {
    "directions-64px-12f": (MotionSpec(task="direction", size=64, num_frames=12, obj_frac=0.25, speed=(0.7, 1.0),
                                       shape="square", texture="noise", ext=".avi"), 16),
    "appearing-96px-24f": (MotionSpec(task="appearing", size=96, num_frames=24, obj_frac=0.2, speed=(0.0, 0.6),
                                      shape="disc", texture="stripes", ext=".mp4"), 24),
    "directions-128px-32f": (MotionSpec(task="direction", size=128, num_frames=32, obj_frac=0.14, speed=(0.5, 0.8),
                                        shape="disc", texture="checker", ext=".avi"), 40),
}
SEEDS = (0, 1, 2)
HELD_OUT_PER_CLASS = 16
MAX_MINUTES = 4.0  # the cap of one fit; the default schedule ends well before it on an idle machine


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Train and evaluate every (dataset, seed) once; the rows of the README's table."""
    rows = []
    for name, (spec, per_class) in DATASETS.items():
        for seed in SEEDS:
            root = tmp_path_factory.mktemp(f"{name}-{seed}")
            make_task_dataset(root / "train", spec, per_class, seed=100 + seed)
            make_task_dataset(root / "test", spec, HELD_OUT_PER_CLASS, seed=200 + seed)
            rows.append(_fit_and_score(name, seed, root))
    with open(tmp_path_factory.getbasetemp() / "train_defaults.json", "w") as fh:
        json.dump(rows, fh, indent=1)
    return rows


def _fit_and_score(name: str, seed: int, root) -> dict:
    threads = torch.get_num_threads()
    start = time.monotonic()
    assert main(["train", "--data", str(root / "train"), "--model", "tiny", "--out", str(root / "run"),
                 "--max-minutes", str(MAX_MINUTES), "--seed", str(seed)]) == 0
    minutes = (time.monotonic() - start) / 60
    summary = json.loads((root / "run" / "metrics.jsonl").read_text().splitlines()[-1])
    torch.set_num_threads(1)  # scoring speed only: one thread is never slower for the tiny model on a shared CPU
    try:
        assert main(["eval", "--data", str(root / "test"), "--model", str(root / "run"), "--views", "1",
                     "--num-workers", "0", "--out", str(root / "eval.json")]) == 0
    finally:
        torch.set_num_threads(threads)
    res = json.loads((root / "eval.json").read_text())
    row = {"dataset": name, "seed": seed, "alt_top1": round(res["top1"], 3),
           "baseline_top1": round(res["baseline_top1"], 3), "minutes": round(minutes, 2),
           "held_out_videos": res["num_videos"], "warnings": summary["warnings"], "stopped": summary["stopped"]}
    print(f"\n{name} seed {seed}: ALT {row['alt_top1']:.3f}, baseline {row['baseline_top1']:.3f}, "
          f"{minutes:.2f} min ({summary['stopped']})")
    return row


@pytest.mark.slow
def test_defaults_learn_temporal_order_that_the_frame_mean_cannot(results, capsys):
    with capsys.disabled():
        print("\n| dataset | seed | ALT top-1 | baseline top-1 | minutes |\n|---|---|---|---|---|")
        for r in results:
            print(f"| {r['dataset']} | {r['seed']} | {r['alt_top1']:.3f} | {r['baseline_top1']:.3f} | {r['minutes']:.2f} |")
    for r in results:
        assert r["held_out_videos"] == 4 * HELD_OUT_PER_CLASS
        assert r["baseline_top1"] <= 0.40, r  # chance is 0.25: the frames alone do not tell the classes apart
        assert r["alt_top1"] >= 0.90, r
        assert not r["warnings"], r
        assert r["minutes"] <= 5.0, r
