"""AdapterCache: the encoder output and adapter inputs of one explained clip, kept for counterfactuals.

An Explanation made by `model.explain` carries one (`exp.adapter_cache`), so removing an entity or a
region re-runs only the adapter and the head, never the encoder. It is runtime state: never written to
JSON (`Explanation.to_dict` leaves it out), dropped by `Explanation.without_cache()`, and it lives as
long as the Explanation holding it (in the app: one per user session). About
(T*R + Q + T + A) * D * 4 bytes, plus the adapter's keys once computed (2 * layers * T*R * D * 4):
about 10 MB for ViT-B/16 at 8 frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: this module does not import torch
    import torch


@dataclass
class AdapterCache:
    """Tensors of one forward pass (B = 1, on the CPU, in the dtype the model computed them).

    Attributes:
        cls_emb: class-token embedding of every frame. [T, D]
        region_emb: region embeddings. [T, R, D]
        region_ids: region of every patch. int64 [T, P]
        region_size: patches per region. [T, R]
        query_emb: the adapter queries (grouped entity embeddings), real ones only. [Q, D]
        query_frame: frame of each query. int64 [Q]
        class_emb: normalised class embeddings. [A, D]
        entity_emb: the entity embeddings the clip was aligned to (pixel curves re-align). [E, D]
        derived: per-model tensors computed on first use (the adapter's keys), keyed by the model's
            parameter versions so a trained or reloaded model never reuses stale ones.
    """

    cls_emb: torch.Tensor
    region_emb: torch.Tensor
    region_ids: torch.Tensor
    region_size: torch.Tensor
    query_emb: torch.Tensor
    query_frame: torch.Tensor
    class_emb: torch.Tensor
    entity_emb: torch.Tensor
    derived: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def num_frames(self) -> int:
        return int(self.region_emb.shape[0])

    @property
    def num_regions(self) -> int:
        return int(self.region_emb.shape[1])

    @property
    def num_queries(self) -> int:
        return int(self.query_emb.shape[0])

    def nbytes(self) -> int:
        """Bytes held, derived tensors included."""
        own = [self.cls_emb, self.region_emb, self.region_ids, self.region_size, self.query_emb,
               self.query_frame, self.class_emb, self.entity_emb]
        derived = [t for value in self.derived.values() for pair in value for t in pair]
        return int(sum(t.numel() * t.element_size() for t in own + derived))
