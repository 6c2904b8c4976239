"""Region-aware image encoder: runs an open_clip VisionTransformer with token merging.

The entry point `encode_frames` re-runs the ViT's own modules (no copy of weights, no edit of
open_clip) with these modifications:

- Attention is computed from the block's `nn.MultiheadAttention` weights directly, so the keys are
  available as the merging metric, and log(token size) is added to the logits (proportional attention).
- After each block's attention, `r` tokens are merged by bipartite soft matching (alt/merge.py),
  with size-weighted averaging and source tracking; the class token is never merged.
- `ln_post` and `proj` are applied to every remaining token, giving region embeddings in CLIP's joint
  space, not only the class embedding.

With r=0 the result equals open_clip's `encode_image` (tests/test_encoder.py checks it), which catches
a skipped LayerScale, norm or projection.

Precision: the heavy matmuls (patch embedding, attention, MLP) follow the caller's autocast
or the tower's own dtype (a `.to(torch.bfloat16)` model runs in bf16 at every r); the merge matching is
float32 (alt/model/merge.py); ln_post and the projection into the joint space run in float32 (the
embeddings that the decisions compare); sizes and the source map are always float32 so counts stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from open_clip.transformer import ResidualAttentionBlock, VisionTransformer
from torch import nn

from alt.errors import EncoderError
from alt.model.merge import (
    match_tokens,
    merge_weighted,
    merged_index,
    regions_from_source,
    source_from_owner,
)
from alt.model.schedule import tokens_after_merging  # noqa: F401  (re-exported: callers size R with it)


@dataclass
class FrameTokens:
    """Per-frame output of the region-aware encoder (T frames, R regions, P patches, D joint dim).

    Attributes:
        cls_emb: class-token embedding, = open_clip `encode_image` when r=0. [T, D]
        region_emb: every merged token after ln_post and proj. [T, R, D]
        size: patches held by each region. [T, R]
        source: 0/1 map, which patches each region holds. [T, R, P]
        layer_region_ids: region of every patch after each layer, if recorded. [L, T, P]
    """

    cls_emb: torch.Tensor
    region_emb: torch.Tensor
    size: torch.Tensor
    source: torch.Tensor
    layer_region_ids: torch.Tensor | None = None

    @property
    def region_ids(self) -> torch.Tensor:
        """Region index of every patch. int64 [T, P]"""
        return regions_from_source(self.source)


def check_vision_tower(visual: nn.Module) -> None:
    """Raise EncoderError unless `visual` is an open_clip ViT this encoder can merge tokens in."""
    if not isinstance(visual, VisionTransformer):
        raise EncoderError(
            f"token merging needs an open_clip VisionTransformer, got {type(visual).__name__} "
            "(ResNet and timm towers are not supported)"
        )
    if visual.attn_pool is not None or visual.pool_type != "tok":
        raise EncoderError("token merging needs a ViT that pools with its class token (pool_type 'tok')")
    for blk in visual.transformer.resblocks:
        if not isinstance(blk, ResidualAttentionBlock) or not isinstance(blk.attn, nn.MultiheadAttention):
            raise EncoderError("token merging needs open_clip's ResidualAttentionBlock with nn.MultiheadAttention")


def _attention(
    attn: nn.MultiheadAttention, x: torch.Tensor, size: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Multi-head self-attention with the module's weights, plus keys for matching.

    Args:
        attn: the block's attention module (batch-first or not: we do not call it).
        x: normalised tokens. [B, N, C]
        size: token sizes for proportional attention, or None. [B, N, 1]
    Returns:
        attention output [B, N, C] and keys averaged over heads [B, N, C / heads].
    """
    b, n, c = x.shape
    h = attn.num_heads
    qkv = F.linear(x, attn.in_proj_weight, attn.in_proj_bias)  # [B, N, 3C]
    q, k, v = qkv.view(b, n, 3, h, c // h).permute(2, 0, 3, 1, 4)  # each [B, H, N, C/H]
    bias = None
    if size is not None:
        bias = size.log().to(q.dtype).view(b, 1, 1, n)  # [B, 1, 1, N] log size on every key
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)  # [B, H, N, C/H]
    out = out.transpose(1, 2).reshape(b, n, c)  # [B, N, C]
    return attn.out_proj(out), k.mean(dim=1)


def _embed_patches(visual: VisionTransformer, x: torch.Tensor) -> torch.Tensor:
    """Patchify, add the class token and positions, ln_pre. [T, 3, S, S] -> [T, N, C]"""
    x = visual.conv1(x)  # [T, C, Hp, Wp]
    x = x.flatten(2).transpose(1, 2)  # [T, P, C]
    cls = visual.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)  # [T, 1, C]
    x = torch.cat([cls, x], dim=1) + visual.positional_embedding.to(x.dtype)  # [T, N, C]
    return visual.ln_pre(x)


def _project(visual: VisionTransformer, tokens: torch.Tensor) -> torch.Tensor:
    """ln_post and proj on every token, float32 with autocast off, returned in the tower's dtype. [T, M, C] -> [T, M, D]

    This one small matmul (about 0.5% of a ViT-B/16's FLOPs) makes the embeddings that the class cosines
    and the region-entity picks compare; in bf16 it would round every component by up to 2^-9.
    """
    with torch.autocast(device_type=tokens.device.type, enabled=False):
        tokens = visual.ln_post(tokens.to(visual.ln_post.weight.dtype)).float()  # per-token norm
        if visual.proj is not None:
            tokens = tokens @ visual.proj.float()  # [T, M, D]
    return tokens.to(visual.conv1.weight.dtype)


def encode_frames(
    visual: VisionTransformer,
    x: torch.Tensor,
    r: int,
    proportional_attention: bool = True,
    record_layers: bool = False,
) -> FrameTokens:
    """Encode frames with token merging.

    Args:
        visual: an open_clip VisionTransformer (e.g. `clip.visual`), used unmodified.
        x: normalised frames. [T, 3, S, S]
        r: tokens merged per layer (capped per layer at half the mergeable tokens).
        proportional_attention: add log(size) to attention logits once tokens have merged.
        record_layers: also return the region of every patch after each layer.
    Returns:
        FrameTokens with R = tokens_after_merging(N, L, r) - 1 regions.
    Raises:
        EncoderError: the input size does not match the tower, or r is negative.
    """
    if r < 0:
        raise EncoderError(f"r must be >= 0, got {r}")
    side = visual.image_size[0]
    if x.ndim != 4 or x.shape[1] != 3 or tuple(x.shape[-2:]) != tuple(visual.image_size):
        raise EncoderError(f"expected frames of shape [T, 3, {side}, {side}], got {list(x.shape)}")
    x = x.to(visual.conv1.weight.dtype)  # a bf16/fp16 tower takes frames in its own dtype
    tokens = _embed_patches(visual, x)  # [T, N, C]
    t, n, _ = tokens.shape
    # sizes and the source map stay float32 under autocast: counts must be exact
    size = torch.ones(t, n, 1, dtype=torch.float32, device=tokens.device)  # [T, N, 1]
    owner = torch.arange(n, device=tokens.device).expand(t, n)  # [T, N] the token holding each original token
    merged_any = False
    layer_ids = []
    for blk in visual.transformer.resblocks:
        attn_out, metric = _attention(blk.attn, blk.ln_1(tokens),
                                      size if merged_any and proportional_attention else None)
        tokens = tokens + blk.ls_1(attn_out)
        if r > 0:
            plan = match_tokens(metric, r)
            owner = merged_index(plan, tokens.shape[1]).gather(1, owner)  # [T, N], integers: no [T, M, N] map
            tokens, size = merge_weighted(tokens, size, plan)  # [T, M, C], [T, M, 1]
            merged_any = merged_any or plan.r > 0
        tokens = tokens + blk.ls_2(blk.mlp(blk.ln_2(tokens)))
        if record_layers:
            layer_ids.append(owner[:, 1:] - 1)  # [T, P] region of every patch (token 0, the class token, never merges)
    source = source_from_owner(owner, tokens.shape[1])  # [T, M, N] 0/1, as summing the merges would give
    tokens = _project(visual, tokens)  # [T, M, D]
    return FrameTokens(
        cls_emb=tokens[:, 0],
        region_emb=tokens[:, 1:],
        size=size[:, 1:, 0],
        source=source[:, 1:, 1:],
        layer_region_ids=torch.stack(layer_ids) if record_layers else None,
    )
