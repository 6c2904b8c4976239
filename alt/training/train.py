"""`alt train`'s entry point: fit ALT's adapter (and optionally the top of the image tower) on videos.

    alt train --data k400/train --val k400/val --model clip:ViT-B-16/openai --out runs/k400 --epochs 30
    alt train --data mine/train --model tiny --out runs/mine --max-minutes 5     # default recipe, sized to 5 min
    alt train --data mine/train --out runs/paper --recipe paper                  # the paper's recipe
    alt train --data hmdb/trainlist01.txt --labels hmdb/labels.txt --shots 2 --model runs/k400 --out runs/h2
    torchrun --nproc_per_node 8 -m alt.cli train ...          # DistributedDataParallel, one GPU each

Settings and recipes: alt/training/settings.py; the optimisation loop: alt/training/loop.py; the
schedule: alt/training/schedule.py; resumable state: alt/training/state.py; the end-of-run warning:
alt/training/verdict.py; the command-line options: alt/cli/train.py.
"""

from __future__ import annotations

from typing import Any

from alt.training.settings import TrainSettings, check_settings


def train(s: TrainSettings, keep_process_group: bool = False) -> dict[str, Any]:
    """Run one training job (single process, or one rank under torchrun). Returns the summary dict.

    Args:
        keep_process_group: stay in the torchrun process group afterwards (when evaluation follows).
    """
    from alt.training.distributed import cleanup, init_distributed
    from alt.training.loop import run

    s = s.resolved()  # the recipe fills what was left unset
    check_settings(s)
    info = init_distributed(s.device)
    try:
        return run(s, info)
    finally:
        if not keep_process_group:
            cleanup()
