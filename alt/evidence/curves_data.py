"""EvidenceCurves: deletion and insertion curves of one explanation (numpy only, JSON-able).

Deletion: regions are taken away in an order (most important first) and the class probability is
read after each step; a good order makes it fall fast (low AUC). Insertion: the clip starts with
every region taken away and they come back in the same order; a good order makes it rise fast
(high AUC). AUC is the trapezoid area under probability vs fraction of regions, x in [0, 1].
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alt.evidence.views import ORDER_NAMES

ORDERS = ORDER_NAMES
MODES = ("fast", "pixel")
KINDS = ("deletion", "insertion")


def auc(fractions: np.ndarray, probs: np.ndarray) -> float:
    """Trapezoid area under probs [N] against fractions [N] (increasing, from 0 to 1)."""
    x, y = np.asarray(fractions, np.float64), np.asarray(probs, np.float64)
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))


@dataclass
class EvidenceCurves:
    """Deletion and insertion curves for one class of one explanation.

    Attributes:
        mode: "fast" (regions masked out of the adapter's keys and values; encoder output reused) or
            "pixel" (regions blurred in the input frames and the clip re-encoded).
        class_index: the class whose probability is tracked; class_name its name.
        fractions: fraction of the clip's T*R regions removed (deletion) or restored (insertion). float64 [N]
        regions_per_step: regions removed at each point. int64 [N]
        deletion, insertion: {order: class probability at each point, float64 [N]} for each order in
            "contribution", "attention", "random".
        blur_sigma: Gaussian blur in pixels (pixel mode), else 0.
        seed: seed of the random order.
    """

    mode: str
    class_index: int
    class_name: str
    fractions: np.ndarray
    regions_per_step: np.ndarray
    deletion: dict[str, np.ndarray] = field(default_factory=dict)
    insertion: dict[str, np.ndarray] = field(default_factory=dict)
    blur_sigma: float = 0.0
    seed: int = 0

    def curve(self, kind: str, order: str) -> np.ndarray:
        """One curve: kind "deletion" or "insertion", order as in `deletion`. float64 [N]"""
        return {"deletion": self.deletion, "insertion": self.insertion}[kind][order]

    def auc(self, kind: str, order: str) -> float:
        """Area under one curve (fraction on x from 0 to 1)."""
        return auc(self.fractions, self.curve(kind, order))

    def aucs(self) -> dict[str, dict[str, float]]:
        """{kind: {order: AUC}} for every curve held."""
        return {kind: {o: auc(self.fractions, c) for o, c in curves.items()}
                for kind, curves in (("deletion", self.deletion), ("insertion", self.insertion)) if curves}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values, AUCs included."""
        return {
            "mode": self.mode, "class_index": int(self.class_index), "class_name": self.class_name,
            "fractions": self.fractions.tolist(), "regions_per_step": self.regions_per_step.tolist(),
            "deletion": {k: v.tolist() for k, v in self.deletion.items()},
            "insertion": {k: v.tolist() for k, v in self.insertion.items()},
            "blur_sigma": float(self.blur_sigma), "seed": int(self.seed), "aucs": self.aucs(),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvidenceCurves:
        """Inverse of `to_dict` (the AUCs are recomputed, not read)."""
        arr = lambda v: np.asarray(v, np.float64)
        return cls(mode=data["mode"], class_index=int(data["class_index"]), class_name=data["class_name"],
                   fractions=arr(data["fractions"]),
                   regions_per_step=np.asarray(data["regions_per_step"], np.int64),
                   deletion={k: arr(v) for k, v in data.get("deletion", {}).items()},
                   insertion={k: arr(v) for k, v in data.get("insertion", {}).items()},
                   blur_sigma=float(data.get("blur_sigma", 0.0)), seed=int(data.get("seed", 0)))
