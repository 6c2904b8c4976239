"""Evidence: which entities and frames moved ALT's prediction, and what happens when they are taken away.

ALT's video vector is Z = mean_t normalise(cls_t) + out_proj(mean_q x_q) (alt/model/adapter.py), and
out_proj is affine, so with n real queries

    logit_a = s / ||Z|| * ( sum_t normalise(cls_t) . c_a / T  +  sum_q out_proj(x_q) . c_a / n )

(s is CLIP's logit scale, c_a the class embedding). Every class logit splits exactly into one part per
frame (the CLIP frame-mean) and one part per adapter query (one per frame and entity); 1/||Z|| is a
common factor. Modules:

    cache     AdapterCache: what the counterfactuals need from the forward pass (no torch import)
    views     numpy views of the split: per entity, per frame, per region (no torch import)
    curves_data  EvidenceCurves: deletion/insertion curves and their AUCs (no torch import)
    contrib   the split itself, computed from the forward pass's own tensors (alt/explain.py calls it)
    counterfactual  drop entities or regions and re-run only the adapter and the head
    curves    deletion/insertion curves, fast (adapter keys) or pixel (blur and re-encode)

Names are imported lazily, so the torch-free modules stay torch-free.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AdapterCache": "cache", "EvidenceCurves": "curves_data", "ORDERS": "curves_data", "MODES": "curves_data",
    "attach_evidence": "contrib", "counterfactual": "counterfactual", "counterfactual_batch": "counterfactual",
    "fast_curves": "curves", "pixel_curves": "curves", "evidence_curves": "curves", "region_order": "views",
    "entity_contributions": "views", "frame_contributions": "views", "region_contributions": "views",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"alt.evidence.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'alt.evidence' has no attribute {name!r}")
