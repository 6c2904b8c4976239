"""Token merging by bipartite soft matching (Bolya et al., "Token Merging: Your ViT but Faster", 2023).

Written from the paper's description, as small pure functions:

1. `match_tokens` splits the tokens into two alternating sets A (even positions) and B (odd
   positions), pairs every A token with its most similar B token (cosine similarity of the attention
   keys, averaged over heads), and keeps the r most similar pairs as merges. The class token sits at
   position 0 of A and is never merged.
2. `merge_weighted` applies that plan to any per-token tensor: each merged A token is folded into its
   B partner as a size-weighted average, so a token always holds the mean of the patches it covers.
3. `merge_sum` applies the same plan by summation; used for the sizes themselves and for the source
   map (which original patches each token holds).

Shapes: B batch (frames), N tokens in, M = N - r tokens out, C channels, P original tokens.
The output keeps the class token first, then the unmerged A tokens in their original order, then B.

Precision: the matching scores are computed in float32 with autocast off, whatever the caller's
autocast or the tokens' dtype, so a bf16 GPU run picks the same merges as a float32 CPU run given
the same keys. The weighted average is taken in float32 and returned in the tokens' own dtype, so a
bf16 or fp16 model keeps one dtype through every layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from alt.model.schedule import merge_cap


@dataclass(frozen=True)
class MergePlan:
    """Which tokens merge where, for one layer.

    Attributes:
        keep_a: indices into A of the A tokens that stay, ascending (the class token first). [B, Na - r]
        src_a: indices into A of the A tokens that merge away. [B, r]
        dst_b: index into B of the partner of each `src_a` token. [B, r]
    """

    keep_a: torch.Tensor
    src_a: torch.Tensor
    dst_b: torch.Tensor

    @property
    def r(self) -> int:
        return int(self.src_a.shape[1])


def match_tokens(metric: torch.Tensor, r: int, protect_cls: bool = True) -> MergePlan:
    """Bipartite soft matching.

    Args:
        metric: per-token similarity features, e.g. attention keys averaged over heads. [B, N, C]
        r: pairs to merge; reduced to `merge_cap(N)` if larger.
        protect_cls: never merge token 0 (the class token).
    Returns:
        the MergePlan; apply it with `merge_weighted` / `merge_sum`.
    """
    b, n, _ = metric.shape
    r = min(r, merge_cap(n, protect_cls))
    with torch.autocast(device_type=metric.device.type, enabled=False):  # decisions: float32, never bf16
        metric = metric.float()
        metric = metric / metric.norm(dim=-1, keepdim=True).clamp_min(1e-6)
        a, bset = metric[:, ::2], metric[:, 1::2]  # [B, Na, C], [B, Nb, C]
        sim = a @ bset.transpose(1, 2)  # [B, Na, Nb] cosine similarity, float32
    if protect_cls:
        sim[:, 0, :] = -torch.inf
    best_sim, best_b = sim.max(dim=-1)  # [B, Na]; on ties the lowest B index (torch.max's documented rule)
    order = best_sim.argsort(dim=-1, descending=True, stable=True)  # [B, Na] most similar first
    src_a = order[:, :r]  # [B, r]
    keep_a = order[:, r:].sort(dim=-1).values  # [B, Na - r], original order: class token stays first
    dst_b = best_b.gather(1, src_a)  # [B, r]
    return MergePlan(keep_a=keep_a, src_a=src_a, dst_b=dst_b)


def merge_sum(x: torch.Tensor, plan: MergePlan) -> torch.Tensor:
    """Apply a plan by summing merged tokens into their partners. [B, N, C] -> [B, N - r, C]"""
    a, bset = x[:, ::2], x[:, 1::2]  # [B, Na, C], [B, Nb, C]
    c = x.shape[-1]
    kept = a.gather(1, plan.keep_a[..., None].expand(-1, -1, c))  # [B, Na - r, C]
    moved = a.gather(1, plan.src_a[..., None].expand(-1, -1, c))  # [B, r, C]
    bset = bset.scatter_add(1, plan.dst_b[..., None].expand(-1, -1, c), moved)  # [B, Nb, C]
    return torch.cat([kept, bset], dim=1)


def merge_weighted(x: torch.Tensor, size: torch.Tensor, plan: MergePlan) -> tuple[torch.Tensor, torch.Tensor]:
    """Size-weighted average merge.

    Args:
        x: token features. [B, N, C]
        size: patches held by each token. [B, N, 1]
        plan: from `match_tokens`.
    Returns:
        merged features [B, N - r, C] in x's dtype, and merged sizes [B, N - r, 1] in size's dtype.
    """
    new_size = merge_sum(size, plan)  # [B, M, 1]
    weighted = _weighted_sum(x.float(), size.float(), plan)  # [B, M, C] float32: sums of many tokens
    return weighted.div_(new_size.float()).to(x.dtype), new_size


def _weighted_sum(x: torch.Tensor, size: torch.Tensor, plan: MergePlan) -> torch.Tensor:
    """`merge_sum(x * size, plan)` written straight into its output: the same products and the same additions
    in the same order (so the same bits), without materialising x * size or concatenating. [B, N, C] -> [B, M, C]
    With autograd recording (training), the plain formula: out= writes are not differentiable."""
    if torch.is_grad_enabled() and (x.requires_grad or size.requires_grad):
        return merge_sum(x * size, plan)
    a, bset = x[:, ::2], x[:, 1::2]  # [B, Na, C], [B, Nb, C]
    sa, sb = size[:, ::2], size[:, 1::2]  # [B, Na, 1], [B, Nb, 1]
    c, keep = x.shape[-1], plan.keep_a.shape[1]
    out = x.new_empty(x.shape[0], keep + bset.shape[1], c)  # [B, M, C]: kept A tokens, then B
    torch.mul(a.gather(1, plan.keep_a[..., None].expand(-1, -1, c)), sa.gather(1, plan.keep_a[..., None]),
              out=out[:, :keep])
    torch.mul(bset, sb, out=out[:, keep:])
    moved = a.gather(1, plan.src_a[..., None].expand(-1, -1, c)) * sa.gather(1, plan.src_a[..., None])  # [B, r, C]
    out[:, keep:].scatter_add_(1, plan.dst_b[..., None].expand(-1, -1, c), moved)
    return out


def merged_index(plan: MergePlan, num_tokens: int) -> torch.Tensor:
    """Where each of the N tokens goes under a plan: its index among the N - r output tokens (a merged A token
    goes where its B partner goes), in the output order of `merge_sum`. int64 [B, N]

    Following an index map through the layers, `owner = merged_index(plan, N).gather(1, owner)`, tracks which
    token holds each original patch with [B, P] integers instead of a [B, M, P] source map;
    `source_from_owner` gives the map (the same 0/1 values `merge_sum` would) when it is needed.
    """
    b, keep = plan.keep_a.shape
    na, nb = (num_tokens + 1) // 2, num_tokens // 2
    dev = plan.keep_a.device
    new_a = torch.empty(b, na, dtype=torch.long, device=dev)  # [B, Na]
    new_a.scatter_(1, plan.keep_a, torch.arange(keep, device=dev).expand(b, keep))
    new_a.scatter_(1, plan.src_a, plan.dst_b + keep)
    out = torch.empty(b, num_tokens, dtype=torch.long, device=dev)  # [B, N]
    out[:, ::2] = new_a
    out[:, 1::2] = torch.arange(keep, keep + nb, device=dev)
    return out


def source_from_owner(owner: torch.Tensor, num_tokens: int) -> torch.Tensor:
    """0/1 source map, token x original token, from the owner index of every original token.
    [B, P] -> float32 [B, M, P]"""
    return torch.nn.functional.one_hot(owner, num_tokens).transpose(1, 2).float()


def regions_from_source(source: torch.Tensor) -> torch.Tensor:
    """Region id of every original patch, from a source map without the class token.

    Args:
        source: 0/1 map, region x patch (each patch in exactly one region). [B, R, P]
    Returns:
        int64 region index of every patch, 0..R-1. [B, P]
    """
    return source.argmax(dim=1)
