"""Text embeddings for class names and corpus entities, with caches.

Class names: each name is put into every prompt template, encoded by the CLIP text tower,
L2-normalised, averaged over templates and normalised again (CLIP's zero-shot recipe). Results are
cached per process (a small LRU keyed by names and templates).

Entities: "{unit}: {description}" for every corpus entry, encoded in batches once per
(text-tower weights, corpus content) and cached on disk as safetensors under
`$ALT_CACHE_DIR` (default ~/.cache/alt-explorer/entities), so thousands of entities cost one pass.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

logger = logging.getLogger(__name__)

Tokenizer = Callable[[list[str]], torch.Tensor]


def cache_dir() -> Path:
    """Where entity embeddings are cached ($ALT_CACHE_DIR or ~/.cache/alt-explorer)."""
    root = os.environ.get("ALT_CACHE_DIR") or Path.home() / ".cache" / "alt-explorer"
    return Path(root) / "entities"


def encode_texts(clip: torch.nn.Module, tokenizer: Tokenizer, texts: Sequence[str], batch_size: int = 256,
                 progress: Callable[[int, int], None] | None = None) -> torch.Tensor:
    """Encode texts with the CLIP text tower in batches. Returns L2-normalised float32 [n, D] on CPU,
    an ordinary tensor without gradient (never an inference-mode one: callers cache it for training too)."""
    device = next(clip.parameters()).device
    out = []
    with torch.inference_mode(False), torch.no_grad():
        for start in range(0, len(texts), batch_size):
            tokens = tokenizer(list(texts[start:start + batch_size])).to(device)  # [b, ctx]
            out.append(F.normalize(clip.encode_text(tokens).float(), dim=-1).cpu())
            if progress is not None:
                progress(min(start + batch_size, len(texts)), len(texts))
    if not out:
        return torch.zeros(0, clip.text_projection.shape[-1] if hasattr(clip, "text_projection") else 0)
    return torch.cat(out)


def weights_fingerprint(state: dict[str, torch.Tensor]) -> str:
    """sha256 over tensor names, shapes and bytes: changes when any weight changes."""
    h = hashlib.sha256()
    for name, tensor in sorted(state.items()):
        h.update(name.encode() + str(tuple(tensor.shape)).encode())
        h.update(tensor.detach().float().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


class TextEmbeddings:
    """Class-name and entity embeddings for one CLIP model. Thread-safe; never mutates the model.

    Args:
        clip: the open_clip model whose text tower encodes.
        tokenizer: open_clip tokenizer for that model.
        max_cached: class-name sets kept in memory.
    """

    def __init__(self, clip: torch.nn.Module, tokenizer: Tokenizer, max_cached: int = 256) -> None:
        self.clip = clip
        self.tokenizer = tokenizer
        self._lock = threading.Lock()
        self._classes: OrderedDict[tuple, torch.Tensor] = OrderedDict()
        self._entities: dict[str, torch.Tensor] = {}
        self._fingerprint: str | None = None
        self._max_cached = max_cached

    def invalidate(self) -> None:
        """Forget cached embeddings (call after the text tower's weights change)."""
        with self._lock:
            self._classes.clear()
            self._entities.clear()
            self._fingerprint = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            text_parts = {k: v for k, v in self.clip.state_dict().items() if not k.startswith("visual.")}
            self._fingerprint = weights_fingerprint(text_parts)
        return self._fingerprint

    # Both caches are shared by explain (run under inference mode) and training, so their tensors are made
    # outside inference mode: an inference-mode tensor could not take part in a training step.
    @torch.inference_mode(False)
    @torch.no_grad()
    def classes(self, names: Sequence[str], templates: Sequence[str]) -> torch.Tensor:
        """Zero-shot class embeddings, normalised. float32 [A, D] on CPU."""
        key = (tuple(names), tuple(templates))
        with self._lock:
            if key in self._classes:
                self._classes.move_to_end(key)
                return self._classes[key]
        texts = [tpl.format(name) for name in names for tpl in templates]
        emb = encode_texts(self.clip, self.tokenizer, texts)  # [A * n_tpl, D]
        emb = F.normalize(emb.view(len(names), len(templates), -1).mean(1), dim=-1)  # [A, D]
        with self._lock:
            self._classes[key] = emb
            while len(self._classes) > self._max_cached:
                self._classes.popitem(last=False)
        return emb

    @torch.inference_mode(False)
    @torch.no_grad()
    def entities(self, texts: Sequence[str], content_hash: str, use_disk: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> torch.Tensor:
        """Entity embeddings for a corpus, from memory, the disk cache, or the text tower. float32 [E, D]."""
        key = hashlib.sha256(f"{self.fingerprint()}:{content_hash}".encode()).hexdigest()[:32]
        with self._lock:
            if key in self._entities:
                return self._entities[key]
        path = cache_dir() / f"{key}.safetensors"
        emb = None
        if use_disk and path.is_file():
            try:
                emb = load_file(str(path))["embeddings"]
                if emb.shape[0] != len(texts):
                    emb = None
            except Exception as exc:  # a damaged cache file is rebuilt, never trusted
                logger.warning("ignoring unreadable entity cache %s: %s", path, exc)
                emb = None
        if emb is None:
            logger.info("embedding %d entities (cached afterwards in %s)", len(texts), path.parent)
            emb = encode_texts(self.clip, self.tokenizer, texts, progress=progress)
            if use_disk:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
                    save_file({"embeddings": emb.contiguous()}, str(tmp))
                    os.replace(tmp, path)
                except OSError as exc:
                    logger.warning("could not write entity cache %s: %s", path, exc)
        with self._lock:
            self._entities[key] = emb
        return emb
