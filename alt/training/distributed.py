"""torch.distributed glue for `alt train` / `alt eval` under torchrun (one process per device).

`torchrun --nproc_per_node N -m alt.cli train ...` sets RANK, WORLD_SIZE, LOCAL_RANK and the
rendezvous; `init_distributed` then joins the group (nccl on GPUs, gloo on CPU). Without those
variables everything here is a no-op for a single process. Only rank 0 writes files.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

logger = logging.getLogger(__name__)


@dataclass
class DistInfo:
    """Where this process sits in the job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(device: str | None = None, timeout_minutes: float = 30.0) -> DistInfo:
    """Join the torchrun process group when WORLD_SIZE > 1, and pick this process's device.

    Args:
        device: "cpu", "cuda" or None (CUDA when available). Under torchrun a CUDA process uses
            cuda:LOCAL_RANK.
    """
    from alt.hub.specs import pick_device

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    dev = pick_device(device)
    if dev.type == "cuda" and world > 1:
        dev = torch.device("cuda", local)
        torch.cuda.set_device(dev)
    info = DistInfo(rank, world, local, dev)
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if dev.type == "cuda" else "gloo"
        dist.init_process_group(backend, timeout=timedelta(minutes=timeout_minutes))
        logger.info("rank %d/%d joined the %s process group on %s", rank, world, backend, dev)
    return info


def cleanup() -> None:
    """Leave the process group, if any."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def all_reduce(values: Sequence[float], info: DistInfo, op: str = "sum") -> list[float]:
    """Sum (or max) a few numbers over all processes (float64 on the process's device)."""
    if not info.enabled:
        return list(values)
    t = torch.tensor(list(values), dtype=torch.float64, device=info.device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX if op == "max" else dist.ReduceOp.SUM)
    return t.tolist()


def broadcast_object(obj, info: DistInfo):
    """Rank 0's Python object, on every process."""
    if not info.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0, device=info.device if info.device.type == "cuda" else None)
    return box[0]


class ListSampler(torch.utils.data.Sampler[int]):
    """Yields a fixed list of indices (a shard, a resumed epoch's remainder)."""

    def __init__(self, indices: Sequence[int]) -> None:
        self.indices = list(indices)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


def epoch_order(n: int, epoch: int, seed: int, info: DistInfo) -> list[int]:
    """This process's shuffled indices for one training epoch (DistributedSampler's order).

    Every process draws the same permutation for (seed, epoch), pads it to a multiple of the world
    size and takes every world_size-th index, exactly like `DistributedSampler(shuffle=True)`; being a
    plain list it can be cut to resume an epoch half way.
    """
    sampler = torch.utils.data.DistributedSampler(range(n), num_replicas=info.world_size, rank=info.rank,
                                                  shuffle=True, seed=seed, drop_last=False)
    sampler.set_epoch(epoch)
    return list(sampler)


def shard(n: int, info: DistInfo) -> list[int]:
    """Evaluation shard: every world_size-th index, no padding, so each video counts once."""
    return list(range(info.rank, n, info.world_size))
