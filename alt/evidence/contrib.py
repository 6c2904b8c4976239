"""The exact logit split, computed in explain's collection step from the forward pass's own tensors.

    logit_a = s / ||Z|| * ( sum_t n_t . c_a / T  +  sum_q out_proj(x_q) . c_a / n )

with n_t = normalise(cls_t), x_q = ln_out(q) the adapter's per-query outputs before pooling (kept in
`ALTOutput.query_out`), Z = mean_t n_t + out_proj(mean_q x_q) exactly as `ALTModel.head` forms it, s
CLIP's logit scale and c_a the class embedding. The parts are computed in float64 from the float32
tensors, so they sum to the float32 logit up to that logit's own rounding (about 1e-6). The query terms
include out_proj's bias (bias / n each), so an untrained adapter (out_proj all zero) has exactly zero
query terms, and taking every query away leaves exactly the frame-mean baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F

from alt.evidence.cache import AdapterCache

if TYPE_CHECKING:
    from alt.explanation import Explanation
    from alt.model.alt_model import ALTModel, ALTOutput


@torch.no_grad()
def logit_parts(model: ALTModel, out: ALTOutput, class_emb: torch.Tensor) -> dict[str, np.ndarray]:
    """Split every class logit of clip 0 of a forward pass.

    Args:
        model: the model that ran the pass.
        out: its output (with `query_out`).
        class_emb: the normalised class embeddings it used. [A, D]
    Returns:
        {"logits": [A], "baseline_logits": [A], "frame_contrib": [A, T], "query_contrib": [A, Q],
        "baseline_frame_contrib": [A, T]}, float32 numpy; Q counts the real queries of clip 0.
    """
    if out.query_out is None:
        raise ValueError("this forward pass kept no per-query adapter outputs (ALTOutput.query_out)")
    t = out.tokens.cls_emb.shape[0] // out.logits.shape[0]
    q = int(out.queries.mask[0].sum())
    query_out, mask = out.query_out[:1], out.queries.mask[:1]  # [1, Q, D], [1, Q]
    with torch.autocast(device_type=query_out.device.type, enabled=False):
        n_t = F.normalize(out.tokens.cls_emb[:t].float(), dim=-1)  # [T, D], as in ALTModel.head
        base = n_t[None].mean(1)  # [1, D]
        z = base + model.adapter.pool(query_out, mask).float()  # [1, D], the Z of the forward pass
        scale = model.logit_scale().double()
        cls = class_emb.to(z.device).double()  # [A, D]
        w, b = model.adapter.out_proj.weight.double(), model.adapter.out_proj.bias.double()  # [D, D], [D]
        # out_proj(x_q) . c_a = x_q . (W^T c_a) + b . c_a: project the A classes, not the Q queries, through W
        query_dot = (query_out[0, :q].double() @ (cls @ w).T + cls @ b).T / q  # [A, Q]
        frame_dot = (n_t.double() @ cls.T).T / t  # [A, T]
        k_alt = scale / z.double().norm().clamp_min(1e-12)  # F.normalize's eps
        k_base = scale / base.double().norm().clamp_min(1e-12)
        parts = {
            "logits": out.logits[0].float(),
            "baseline_logits": out.baseline_logits[0].float(),
            "frame_contrib": k_alt * frame_dot,
            "query_contrib": k_alt * query_dot,  # [A, Q]
            "baseline_frame_contrib": k_base * frame_dot,
        }
    return {k: v.float().cpu().numpy() for k, v in parts.items()}


def adapter_cache(out: ALTOutput, class_emb: torch.Tensor, entity_emb: torch.Tensor) -> AdapterCache:
    """Copy what counterfactuals need from clip 0 of a forward pass to the CPU (see AdapterCache)."""
    tokens = out.tokens
    t = tokens.cls_emb.shape[0] // out.logits.shape[0]
    q = int(out.queries.mask[0].sum())
    keep = lambda x: x.detach().to("cpu", copy=True)
    return AdapterCache(
        cls_emb=keep(tokens.cls_emb[:t]), region_emb=keep(tokens.region_emb[:t]),
        region_ids=keep(tokens.region_ids[:t]).long(), region_size=keep(tokens.size[:t]),
        query_emb=keep(out.queries.emb[0, :q]), query_frame=keep(out.queries.frame[0, :q]),
        class_emb=keep(class_emb), entity_emb=entity_emb.detach().cpu())


def attach_evidence(exp: Explanation, model: ALTModel, out: ALTOutput, class_emb: torch.Tensor,
                    entity_emb: torch.Tensor) -> Explanation:
    """Fill the Explanation's logit split and its AdapterCache from the forward pass (in place)."""
    for name, value in logit_parts(model, out, class_emb).items():
        setattr(exp, name, value)
    exp.adapter_cache = adapter_cache(out, class_emb, entity_emb)
    return exp
