"""ALT World: measured explanations of a model (default `world`) against the world's ground truth.

    python bench/bench_world.py [--model world] [--per-class 8] [--curves fast|pixel|none] [--json out.json]

Prints markdown tables: the targets of issue 14 with the measured values, the summary (pointing, IoU,
attention focus, deletion/insertion AUCs by order, ALT vs frame-mean top-1), per class and per entity,
then the cost of loading the model and explaining one 8-frame clip on this machine: a cold load in a
fresh process (`--fresh`, default on, so caches already in this process do not flatter it) and the median
of warm `explain` calls. The same evaluation as `alt world eval` (alt/world/evaluate.py).

On a CPU shared with other work, run torch with OMP_WAIT_POLICY=PASSIVE: OpenMP threads that spin while
waiting for a descheduled sibling make every parallel op tens of times slower under load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_seconds

_COLD = """
import sys, time, json
t0 = time.perf_counter()
import torch
import open_clip  # noqa: F401  (imported before the clock starts: `alt` imports it lazily, at the first load)
import alt.model.alt_model, alt.explain  # noqa: F401,E401
from alt.hub.specs import load_model
from alt.world.catalog import ACTIONS
from alt.world.evaluate import heldout_clips
from alt.heap import freeze_long_lived
clip = next(heldout_clips(1, num_frames=8, actions=["waving a hand"]))
freeze_long_lived()  # the imports' objects, as app.py freezes its imports and model (alt/heap.py)
t1 = time.perf_counter()
model = load_model(sys.argv[1], "cpu")
t2 = time.perf_counter()
exp = model.explain(clip.frames, list(ACTIONS))
t3 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "load_s": t2 - t1, "explain_s": t3 - t2, "load_and_explain_s": t3 - t1,
                  "predicted": exp.class_names[int(exp.probs.argmax())]}))
"""


def cold_start(spec: str) -> dict:
    """Load and first explain in a fresh Python process (imports timed apart)."""
    out = subprocess.run([sys.executable, "-c", _COLD, spec], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent, env=os.environ.copy())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="world")
    parser.add_argument("--per-class", type=int, default=8)
    parser.add_argument("--curves", default="pixel", choices=["fast", "pixel", "none"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    from alt.hub.specs import load_model
    from alt.world.catalog import ACTIONS
    from alt.world.evaluate import EvalSettings, evaluate_world, heldout_clips
    from alt.world.report import SPEED_TARGET_S, full_report

    cold = cold_start(args.model)
    model = load_model(args.model, "cpu")
    clip = next(heldout_clips(1, num_frames=8, actions=["waving a hand"]))
    warm = median_seconds(lambda: model.explain(clip.frames, list(ACTIONS)), args.repeats)
    t0 = time.perf_counter()
    report = evaluate_world(model, EvalSettings(per_class=args.per_class, curve_mode=args.curves))
    report["speed"] = {"cold": cold, "warm_explain_s": warm}
    print(f"# ALT World evaluation: model `{args.model}`, {report['clips']} held-out clips "
          f"({time.perf_counter() - t0:.0f} s)\n")
    print(full_report(report))
    print("\n### Cost on this machine\n")
    print("| measure | seconds |\n| --- | ---: |")
    print(f"| load `{args.model}` + explain one 8-frame clip, fresh process (target < {SPEED_TARGET_S}) | "
          f"{cold['load_and_explain_s']:.3f} |")
    print(f"| of which load | {cold['load_s']:.3f} |\n| of which first explain | {cold['explain_s']:.3f} |")
    print(f"| Python imports before that (not counted) | {cold['imports_s']:.3f} |")
    print(f"| warm explain, median of {args.repeats} | {warm:.3f} |")
    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, torch threads {__import__('torch').get_num_threads()}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
