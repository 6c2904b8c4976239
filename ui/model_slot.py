"""The app's one model, which may still be loading: the page is served from its config first.

`app.py` reads the spec's config (no torch), builds and serves the page, then imports torch and loads the
weights, so a browser sees the page in seconds. A request that arrives before the weights waits here;
if loading failed, it gets the reason. A slot made with `ModelSlot.ready_with(model)` never waits.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel
    from alt.model.config import ALTConfig

WAIT_S = 600.0  # longest a request waits for the weights (a first CLIP download can take minutes)


class ModelNotReady(RuntimeError):
    """The model did not load (its reason), or is still loading after WAIT_S."""


class ModelSlot:
    """A model's config at once, the model itself once loaded. Read-only for requests."""

    def __init__(self, config: ALTConfig, device: str | None = None) -> None:
        self.config = config
        self._device = device
        self._model: ALTModel | None = None
        self._error: str | None = None
        self._done = threading.Event()

    @classmethod
    def ready_with(cls, model: ALTModel) -> ModelSlot:
        slot = cls(model.config)
        slot.put(model)
        return slot

    # ---- what the page shows before the weights --------------------------------------------------
    @property
    def max_r(self) -> int:
        return self.config.max_r

    @property
    def device(self) -> str:
        """The model's device once loaded; before, the one asked for, or "loading"."""
        return str(self._model.device) if self._model is not None else (self._device or "loading")

    @property
    def loaded(self) -> bool:
        return self._model is not None

    # ---- the loader's side -------------------------------------------------------------------------
    def put(self, model: ALTModel) -> None:
        """The weights are in: waiting requests go on with `model` (whose config replaces the page's)."""
        self.config = model.config
        self._model = model
        self._done.set()

    def fail(self, reason: str) -> None:
        """Loading failed: waiting and later requests get `reason`."""
        self._error = reason
        self._done.set()

    # ---- the requests' side ------------------------------------------------------------------------
    def get(self, wait_s: float = WAIT_S) -> ALTModel:
        """The model, waiting up to `wait_s` for it to load.

        Raises:
            ModelNotReady: loading failed (with its reason) or is still going on after `wait_s`.
        """
        if not self._done.wait(wait_s):
            raise ModelNotReady(f"the model is still loading after {wait_s:.0f} s; try again in a minute")
        if self._model is None:
            raise ModelNotReady(f"the model could not be loaded: {self._error}")
        return self._model
