"""The video adapter (PAPER.md, step 4), in reading order.

Queries are the aligned entity embeddings (one per frame and entity, alt/align.py); keys and values
are every frame's region embeddings, plus a temporal convolution on the visual side (per patch
position, pooled back to regions: see `region_motion`) and learned temporal positions. Each block:
self-attention over the queries, cross-attention from the queries to all frames' regions, FFN. The
video vector is

    Z = mean_t normalise(cls_t) + out_proj(mean_q query_q)

Initialisation is chosen so that an untrained adapter changes nothing and already explains sensibly:
- `out_proj` starts at zero, so an untrained ALT predicts exactly CLIP's frame-mean answer;
- every residual branch (self-attention, cross-attention, FFN, the query/key MLPs, the temporal conv
  and position terms) ends in a zero-initialised layer, so at initialisation the query stream is the
  entity embedding itself and the key stream is the region embedding itself;
- attention is cosine attention per head with query/key projections starting as identity, so the
  first cross-attention follows entity-region similarity before any training.

Precision: the projections and the FFN follow the caller's autocast (bf16/fp16 on a GPU); the
attention logits and their softmax are float32 with autocast off, so the weights the Attention tab
shows sum to 1 to float32 accuracy and are returned as float32.

Letters: B clips, T frames, R regions, K = T*R keys, Q queries, D joint dim, H heads.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class ResidualMLP(nn.Module):
    """x + fc2(gelu(fc1(ln(x)))), with fc2 zero-initialised: the identity at initialisation."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.ln = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(F.gelu(self.fc1(self.ln(x))))


class CosineAttention(nn.Module):
    """Multi-head attention on per-head cosine similarity times a learnable per-head scale.

    q/k projections start as identity; the output projection starts at zero (a residual branch that
    is off at initialisation).
    """

    def __init__(self, dim: int, heads: int, logit_scale: float) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"adapter width {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.v_proj, self.out_proj = nn.Linear(dim, dim), nn.Linear(dim, dim)
        for lin in (self.q_proj, self.k_proj):
            nn.init.eye_(lin.weight)
            nn.init.zeros_(lin.bias)
        nn.init.zeros_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)
        self.log_scale = nn.Parameter(torch.full((heads, 1, 1), math.log(logit_scale)))

    def forward(
        self, x_q: torch.Tensor, x_k: torch.Tensor, x_v: torch.Tensor, key_mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend.

        Args:
            x_q: [B, Q, D]; x_k, x_v: [B, K, D]; key_mask: True for real keys, bool [B, K].
        Returns:
            output [B, Q, D] and float32 attention weights [B, H, Q, K] (each row sums to 1; a row
            whose keys are all masked is all zeros, so its output is `out_proj`'s bias).
        """
        return self.attend(x_q, *self.keys(x_k, x_v), key_mask=key_mask)

    def _split(self, t: torch.Tensor) -> torch.Tensor:
        b, _, d = t.shape
        return t.view(b, -1, self.heads, d // self.heads).transpose(1, 2)  # [B, H, L, D/H]

    def keys(self, x_k: torch.Tensor, x_v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The key side alone (it does not depend on the queries, so callers may reuse it).

        Args:
            x_k, x_v: [B, K, D].
        Returns:
            normalised float32 keys [B, H, K, D/H] and values [B, H, K, D/H].
        """
        k_in, v = self._split(self.k_proj(x_k)), self._split(self.v_proj(x_v))
        with torch.autocast(device_type=k_in.device.type, enabled=False):
            k = F.normalize(k_in.float(), dim=-1)
        return k, v

    def attend(self, x_q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
               key_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend with keys and values from `keys`: x_q [B, Q, D] -> output [B, Q, D], weights [B, H, Q, K]."""
        b, q_len, d = x_q.shape
        q_in = self._split(self.q_proj(x_q))  # [B, H, Q, D/H]
        with torch.autocast(device_type=q_in.device.type, enabled=False):  # what the heatmap shows: float32
            q = F.normalize(q_in.float(), dim=-1)
            logits = q @ k.transpose(-1, -2)  # [B, H, Q, K]
            scale = self.log_scale.float().exp()  # [H, 1, 1]
            grad = torch.is_grad_enabled()  # without autograd: scale and mask in place, two [B, H, Q, K] buffers fewer
            logits = logits * scale if grad else logits.mul_(scale)  # the same products either way
            if key_mask is not None and not bool(key_mask.all()):  # an all-True mask changes nothing
                mask = ~key_mask[:, None, None, :]
                logits = logits.masked_fill(mask, float("-inf")) if grad else logits.masked_fill_(mask, float("-inf"))
            weights = logits.softmax(dim=-1)  # [B, H, Q, K] float32
            if key_mask is not None and not bool(key_mask.any(-1).all()):  # no key left: read nothing, not NaN
                weights = weights.masked_fill(~key_mask.any(-1)[:, None, None, None], 0.0)
        out = (weights.to(v.dtype) @ v).transpose(1, 2).reshape(b, q_len, d)  # [B, Q, D]
        return self.out_proj(out), weights


class AdapterBlock(nn.Module):
    """Self-attention over queries, cross-attention to region tokens, FFN; pre-norm residuals.

    The cross-attention's query/key path is not layer-normed, so that at initialisation its logits
    are exactly the cosine similarity of entity and region embeddings (per head).
    """

    def __init__(self, dim: int, heads: int, mlp_ratio: float, logit_scale: float) -> None:
        super().__init__()
        self.ln_self = nn.LayerNorm(dim)
        self.self_attn = CosineAttention(dim, heads, logit_scale)
        self.ln_value = nn.LayerNorm(dim)
        self.cross_attn = CosineAttention(dim, heads, logit_scale)
        self.ffn = ResidualMLP(dim, int(dim * mlp_ratio))

    def forward(
        self, q: torch.Tensor, q_mask: torch.Tensor, kv: torch.Tensor, key_mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """q [B, Q, D], q_mask bool [B, Q], kv [B, K, D] -> q [B, Q, D], cross weights [B, H, Q, K]."""
        return self.attend(q, q_mask, self.cross_keys(kv), key_mask)

    def cross_keys(self, kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The cross-attention's keys and values for tokens kv [B, K, D] (see `CosineAttention.keys`)."""
        return self.cross_attn.keys(kv, self.ln_value(kv))

    def attend(self, q: torch.Tensor, q_mask: torch.Tensor, keys: tuple[torch.Tensor, torch.Tensor],
               key_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The block with precomputed `cross_keys`; key_mask: True for keys the queries may read, bool [B, K]."""
        h = self.ln_self(q)
        q = q + self.self_attn(h, h, h, key_mask=q_mask)[0]
        out, weights = self.cross_attn.attend(q, *keys, key_mask=key_mask)
        q = self.ffn(q + out)
        return q, weights


class VideoAdapter(nn.Module):
    """Entity queries attend over all frames' regions; returns the adapter's contribution to Z."""

    def __init__(self, dim: int, layers: int, heads: int, mlp_ratio: float, logit_scale: float,
                 temporal_kernel: int, max_frames: int) -> None:
        super().__init__()
        self.query_mlp = ResidualMLP(dim, dim // 2)  # entity embedding -> query
        self.key_mlp = ResidualMLP(dim, dim // 2)  # region embedding -> key/value token
        self.temporal_pos = nn.Parameter(torch.zeros(max_frames, dim))  # [T_max, D]
        # depthwise over time at every patch position (regions differ per frame, patches do not)
        self.temporal_conv = nn.Conv1d(dim, dim, temporal_kernel, padding=temporal_kernel // 2, groups=dim)
        nn.init.zeros_(self.temporal_conv.weight)
        nn.init.zeros_(self.temporal_conv.bias)
        self.blocks = nn.ModuleList(AdapterBlock(dim, heads, mlp_ratio, logit_scale) for _ in range(layers))
        self.ln_out = nn.LayerNorm(dim)
        self.out_proj = nn.Linear(dim, dim)
        nn.init.zeros_(self.out_proj.weight)  # untrained ALT == CLIP frame-mean
        nn.init.zeros_(self.out_proj.bias)

    def forward(
        self,
        queries: torch.Tensor,
        query_mask: torch.Tensor,
        query_frame: torch.Tensor,
        region_emb: torch.Tensor,
        region_ids: torch.Tensor,
        region_size: torch.Tensor,
        key_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Run the adapter.

        Args:
            queries: grouped entity embeddings. [B, Q, D]
            query_mask: True for real queries. bool [B, Q]
            query_frame: frame of each query. int64 [B, Q]
            region_emb: region embeddings of every frame. [B, T, R, D]
            region_ids: region of every patch. int64 [B, T, P]
            region_size: patches in every region. [B, T, R]
            key_mask: True for the regions the queries may read (default all). bool [B, T*R]
        Returns:
            the adapter term added to Z [B, D], and per-layer cross-attention weights [B, H, Q, T*R].
        """
        keys = self.cross_keys(self.key_tokens(region_emb, region_ids, region_size))
        query_out, weights = self.query_outputs(queries, query_mask, query_frame, keys, key_mask)
        return self.pool(query_out, query_mask), weights

    def key_tokens(self, region_emb: torch.Tensor, region_ids: torch.Tensor, region_size: torch.Tensor) -> torch.Tensor:
        """The visual tokens the queries read: key MLP + temporal conv + temporal position. [B, T*R, D]"""
        b, t, r, d = region_emb.shape
        if t > self.temporal_pos.shape[0]:
            raise ValueError(f"{t} frames exceed the adapter's {self.temporal_pos.shape[0]}-frame position table")
        motion = self.region_motion(region_emb, region_ids, region_size)  # [B, T, R, D]
        kv = self.key_mlp(region_emb) + motion + self.temporal_pos[:t, None, :]  # [B, T, R, D]
        return kv.reshape(b, t * r, d)  # [B, K, D]

    def cross_keys(self, kv: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Every block's cross-attention keys and values for tokens kv [B, K, D] (independent of the queries)."""
        return [blk.cross_keys(kv) for blk in self.blocks]

    def query_outputs(self, queries: torch.Tensor, query_mask: torch.Tensor, query_frame: torch.Tensor,
                      keys: list[tuple[torch.Tensor, torch.Tensor]],
                      key_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The query stream through every block, layer-normed, before pooling.

        Args:
            queries, query_mask, query_frame, key_mask: as in `forward`; keys: from `cross_keys`.
        Returns:
            per-query outputs `ln_out(q)` [B, Q, D] and per-layer cross-attention weights [B, H, Q, K].
        """
        q = self.query_mlp(queries) + self.temporal_pos[query_frame]  # [B, Q, D]
        weights = []
        for blk, kv in zip(self.blocks, keys):
            q, w = blk.attend(q, query_mask, kv, key_mask)
            weights.append(w)
        return self.ln_out(q), weights

    def pool(self, query_out: torch.Tensor, query_mask: torch.Tensor) -> torch.Tensor:
        """The adapter term: out_proj of the mean over real queries. [B, Q, D], bool [B, Q] -> [B, D]"""
        m = query_mask[..., None].to(query_out.dtype)  # [B, Q, 1]
        pooled = (query_out * m).sum(1) / m.sum(1).clamp_min(1)  # [B, D]
        return self.out_proj(pooled)

    def region_motion(self, region_emb: torch.Tensor, region_ids: torch.Tensor,
                      region_size: torch.Tensor) -> torch.Tensor:
        """Temporal convolution on the visual side, per patch, pooled back to each frame's regions.

        Regions are re-formed in every frame, so the convolution runs where time is well defined: at
        each patch position, over the embeddings of the regions holding that patch in successive
        frames. Each region then gets the size-weighted mean over its patches, i.e. how its own
        area changes over time. Zero-initialised: contributes nothing before training.

        Args:
            region_emb: [B, T, R, D]; region_ids: int64 [B, T, P]; region_size: [B, T, R].
        Returns:
            per-region motion features. [B, T, R, D]
        """
        b, t, r, d = region_emb.shape
        p = region_ids.shape[-1]
        index = region_ids[..., None].expand(b, t, p, d)  # [B, T, P, D]
        patches = region_emb.gather(2, index)  # [B, T, P, D] each patch carries its region's embedding
        series = patches.permute(0, 2, 3, 1).reshape(b * p, d, t)  # [B*P, D, T]
        conv = self.temporal_conv(series).reshape(b, p, d, t).permute(0, 3, 1, 2)  # [B, T, P, D]
        pooled = torch.zeros_like(region_emb).scatter_add(2, index, conv.to(region_emb.dtype))  # [B, T, R, D]
        return pooled / region_size[..., None].clamp_min(1).to(pooled.dtype)
