"""`alt train`'s entry point: fit ALT's adapter (and optionally the top of the image tower) on videos.

    alt train --data k400/train --val k400/val --model clip:ViT-B-16/openai --out runs/k400 --epochs 30
    alt train --data hmdb/trainlist01.txt --labels hmdb/labels.txt --shots 2 --model runs/k400 --out runs/h2
    torchrun --nproc_per_node 8 -m alt.cli train ...          # DistributedDataParallel, one GPU each

Settings: alt/training/settings.py; the optimisation loop: alt/training/loop.py; resumable state:
alt/training/state.py; the command-line options: alt/cli/train.py.
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

    check_settings(s)
    info = init_distributed(s.device)
    try:
        return run(s, info)
    finally:
        if not keep_process_group:
            cleanup()
