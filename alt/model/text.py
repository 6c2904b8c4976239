"""Text embeddings for class names and corpus entities, with caches.

Class names: each name is put into every prompt template, encoded by the CLIP text tower,
L2-normalised, averaged over templates and normalised again (CLIP's zero-shot recipe). Results are
cached per process (a small LRU keyed by the text-tower weights fingerprint, names and templates) and on
disk under `$ALT_CACHE_DIR/classes` (at most `MAX_CLASS_FILES` sets, the least recently used removed first;
files are named and checked by a sha256 of weights, names and templates, and never hold the names themselves),
so a restarted process answers class lists it has seen without building the tokenizer (open_clip's BPE
tables take about 0.2 s of pure Python to build) or running the text tower.

Entities: "{unit}: {description}" for every corpus entry, encoded in batches once per
(text-tower weights, corpus content) and cached on disk as safetensors under
`$ALT_CACHE_DIR` (default ~/.cache/alt-explorer/entities), so thousands of entities cost one pass.
Per-call extra entities are never written to disk and are kept in memory in a small LRU, so a server
that sees many different extra words holds at most `max_extra_sets` such sets.

The fingerprint follows the weights without rehashing them on every call: it is recomputed when any
text-tower tensor is replaced, cast, moved or changed in place (PyTorch's per-tensor version counter),
e.g. by `load_state_dict` or an optimizer step. Writes through `tensor.data` bypass version counters and
are not seen.

Text is always encoded with autocast off (in the model's own dtype), so cached embeddings do not
depend on whether the first caller ran under autocast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

logger = logging.getLogger(__name__)

Tokenizer = Callable[[list[str]], torch.Tensor]


MAX_CLASS_FILES = 256  # class-name sets kept on disk (each A x D float32, a few KB)


def cache_root() -> Path:
    """$ALT_CACHE_DIR, or ~/.cache/alt-explorer."""
    return Path(os.environ.get("ALT_CACHE_DIR") or Path.home() / ".cache" / "alt-explorer")


def cache_dir() -> Path:
    """Where entity embeddings are cached ($ALT_CACHE_DIR/entities)."""
    return cache_root() / "entities"


def classes_dir() -> Path:
    """Where class-name embeddings are cached ($ALT_CACHE_DIR/classes)."""
    return cache_root() / "classes"


# _aligned: tensors read from safetensors can start at any byte of the file's buffer (40 bytes past a 64-byte
# boundary, measured), and the CPU matmul kernels then take another path with other roundings: z @ e.T differed
# in the last bit from the same values computed in memory. `.clone()` gives them PyTorch's own 64-byte-aligned
# storage, so an explanation is bit-identical whether its text embeddings came from the tower or the disk cache
# (and counterfactuals, which copy them, reproduce it exactly).


def _write_atomically(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> None:
    """safetensors written to a temporary name, then renamed (readers never see half a file); OSError is logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp), metadata=metadata)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not write text-embedding cache %s: %s", path, exc)


def _prune(folder: Path, keep: int) -> None:
    """Remove the least recently used files of `folder` beyond `keep` (by modification time)."""
    try:
        files = sorted(folder.glob("*.safetensors"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # another process pruned first
        logger.debug("pruning %s: %s", folder, exc)


def _read_cached(path: Path, count: int, what: str, key: str | None = None) -> torch.Tensor | None:
    """Embeddings [count, D] from a disk-cache file, or None: missing, damaged (logged), another row count, or,
    with `key`, a file whose metadata holds another key. A file read is touched: pruned last."""
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            if key is not None and (f.metadata() or {}).get("key") != key:
                return None
            emb = f.get_tensor("embeddings").clone()  # see _aligned
        os.utime(path)
    except Exception as exc:  # a damaged cache file is recomputed, never trusted
        logger.warning("ignoring unreadable %s cache %s: %s", what, path, exc)
        return None
    return emb if emb.shape[0] == count else None


def encode_texts(clip: torch.nn.Module, tokenizer: Tokenizer, texts: Sequence[str], batch_size: int = 256,
                 progress: Callable[[int, int], None] | None = None) -> torch.Tensor:
    """Encode texts with the CLIP text tower in batches. Returns L2-normalised float32 [n, D] on CPU,
    an ordinary tensor without gradient (never an inference-mode one: callers cache it for training too)."""
    device = next(clip.parameters()).device
    out = []
    with torch.inference_mode(False), torch.no_grad(), torch.autocast(device_type=device.type, enabled=False):
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


class LRU:
    """A thread-safe least-recently-used map holding at most `maxsize` tensors."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> torch.Tensor | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: torch.Tensor) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)


class TextEmbeddings:
    """Class-name and entity embeddings for one CLIP model. Thread-safe; never mutates the model.

    Args:
        clip: the open_clip model whose text tower encodes.
        tokenizer: open_clip tokenizer for that model.
        max_cached: class-name sets kept in memory.
        max_corpora: corpus embedding tables kept in memory (each [E, D] float32).
        max_extra_sets: per-call extra-entity sets kept in memory (each at most
            alt.validate.MAX_EXTRA_ENTITIES x D float32).
        max_class_files: class-name sets kept in the disk cache.
    """

    def __init__(self, clip: torch.nn.Module, tokenizer: Tokenizer, max_cached: int = 256,
                 max_corpora: int = 4, max_extra_sets: int = 8, max_class_files: int = MAX_CLASS_FILES) -> None:
        self.clip = clip
        self.tokenizer = tokenizer
        self.max_class_files = max_class_files
        self._lock = threading.Lock()
        self._classes = LRU(max_cached)  # (fingerprint, names, templates) -> [A, D]
        self._entities = LRU(max_corpora)  # corpora, from disk or the tower -> [E, D]
        self._extras = LRU(max_extra_sets)  # per-call extra entities, memory only -> [E_extra, D]
        self._fingerprint: tuple[tuple, str] | None = None  # (weights version token, sha256)

    def _text_tensors(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.clip.state_dict().items() if not k.startswith("visual.")}

    def fingerprint(self) -> str:
        """sha256 of the text tower's weights, rehashed only when a weight tensor changed (see module doc)."""
        tensors = self._text_tensors()
        token = tuple((k, v.data_ptr(), v._version, v.dtype, str(v.device)) for k, v in tensors.items())
        with self._lock:
            if self._fingerprint is not None and self._fingerprint[0] == token:
                return self._fingerprint[1]
        digest = weights_fingerprint(tensors)
        with self._lock:
            self._fingerprint = (token, digest)
        return digest

    # Both caches are shared by explain (run under inference mode) and training, so their tensors are made
    # outside inference mode: an inference-mode tensor could not take part in a training step.
    @torch.inference_mode(False)
    @torch.no_grad()
    def classes(self, names: Sequence[str], templates: Sequence[str]) -> torch.Tensor:
        """Zero-shot class embeddings, normalised. float32 [A, D] on CPU."""
        key = (self.fingerprint(), tuple(names), tuple(templates))
        emb = self._classes.get(key)
        if emb is not None:
            return emb
        # the disk holds a hash of the names, never the names (in a served app they are what users typed)
        digest = hashlib.sha256(f"{key[0]}:{json.dumps([list(names), list(templates)])}".encode()).hexdigest()
        path = classes_dir() / f"{digest[:32]}.safetensors"
        emb = _read_cached(path, len(names), "class-name", digest)
        if emb is None:
            texts = [tpl.format(name) for name in names for tpl in templates]
            emb = encode_texts(self.clip, self.tokenizer, texts)  # [A * n_tpl, D]
            emb = F.normalize(emb.view(len(names), len(templates), -1).mean(1), dim=-1)  # [A, D]
            _write_atomically(path, {"embeddings": emb}, {"key": digest})
            _prune(path.parent, self.max_class_files)
        self._classes.put(key, emb)
        return emb

    @torch.inference_mode(False)
    @torch.no_grad()
    def entities(self, texts: Sequence[str], content_hash: str, use_disk: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> torch.Tensor:
        """Entity embeddings for a corpus, from memory, the disk cache, or the text tower. float32 [E, D].

        `use_disk=False` is for per-call texts (explain's extra entities): never written to disk, and kept
        in memory in the small extra-entity LRU instead of the corpus one.
        """
        key = hashlib.sha256(f"{self.fingerprint()}:{content_hash}".encode()).hexdigest()[:32]
        memory = self._entities if use_disk else self._extras
        emb = memory.get(key)
        if emb is not None:
            return emb
        path = cache_dir() / f"{key}.safetensors"
        emb = _read_cached(path, len(texts), "entity") if use_disk else None
        if emb is None:
            logger.info("embedding %d entities (cached afterwards in %s)", len(texts), path.parent)
            emb = encode_texts(self.clip, self.tokenizer, texts, progress=progress)
            if use_disk:
                _write_atomically(path, {"embeddings": emb})
        memory.put(key, emb)
        return emb
