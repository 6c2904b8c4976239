"""Saving and loading ALT checkpoints: config.json + model.safetensors + corpus.jsonl + README.md.

safetensors only: nothing is ever unpickled. Loading is strict and every failure says what to do:
a missing file, a truncated or foreign safetensors file, missing or unexpected keys, wrong shapes,
a config for another architecture, an unknown repo, an offline machine without a cached copy.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from alt.errors import CheckpointError
from alt.model.config import ALTConfig, ConfigError

if TYPE_CHECKING:  # torch and safetensors are imported where weights are read or written: reading a config needs neither
    import torch

    from alt.model.alt_model import ALTModel

logger = logging.getLogger(__name__)

FORMAT = "alt-explorer"
FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
CONFIG = "config.json"
CORPUS = "corpus.jsonl"
CARD = "README.md"


def save_checkpoint(model: "ALTModel", folder: Path, card_extra: dict | None = None) -> None:
    """Write config.json, model.safetensors, corpus.jsonl and a model card into `folder`."""
    from alt.hub.card import model_card

    folder.mkdir(parents=True, exist_ok=True)
    config = {"format": FORMAT, "format_version": FORMAT_VERSION, **model.config.to_dict()}
    (folder / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    from safetensors.torch import save_model

    save_model(model, str(folder / WEIGHTS), metadata={"format": "pt", "alt_format": FORMAT})
    model.corpus.save(folder / CORPUS)
    (folder / CARD).write_text(model_card(model.config, len(model.corpus), card_extra or {}))


def resolve_checkpoint(name: str, *, revision: str | None = None, cache_dir: str | Path | None = None,
                       force_download: bool = False, local_files_only: bool = False,
                       token: str | bool | None = None) -> Path:
    """A local folder holding the checkpoint: `name` itself, or a Hub snapshot (downloaded or cached).

    `org/name@rev` selects a revision. With HF_HUB_OFFLINE=1 only the local Hub cache is used.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise CheckpointError(f"{name} is a file; pass the folder written by save_pretrained")
    if "@" in name and revision is None:
        name, revision = name.split("@", 1)
    if name.count("/") != 1 or name.startswith((".", "/")):
        raise CheckpointError(f"no checkpoint folder at {name!r}, and it is not a Hub repo id of the form 'org/name'")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        return Path(snapshot_download(
            name, revision=revision, cache_dir=cache_dir, force_download=force_download,
            local_files_only=local_files_only, token=token, allow_patterns=[CONFIG, WEIGHTS, CORPUS, CARD]))
    except LocalEntryNotFoundError as exc:
        raise CheckpointError(
            f"{name} is not in the local Hugging Face cache and the Hub cannot be reached (offline, or "
            f"HF_HUB_OFFLINE=1). On a connected machine run `hf download {name}` (or load it once), "
            "or pass a local folder written by save_pretrained") from exc
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise CheckpointError(f"no accessible Hub repo {name!r}: check the name, or log in with `hf auth login` "
                              "if it is private") from exc
    except RevisionNotFoundError as exc:
        raise CheckpointError(f"repo {name!r} has no revision {revision!r}") from exc
    except HfHubHTTPError as exc:
        raise CheckpointError(f"could not download {name!r} from the Hub: {exc}") from exc


def read_config(folder: Path) -> ALTConfig:
    """The ALTConfig in folder/config.json, refusing configs of other formats."""
    path = folder / CONFIG
    if not path.is_file():
        raise CheckpointError(f"{folder} has no {CONFIG}: is it a folder written by ALTModel.save_pretrained?")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path} is not valid JSON ({exc}); re-save or re-download the checkpoint") from exc
    fmt = data.pop("format", None)
    version = data.pop("format_version", None)
    if fmt != FORMAT:
        arch = data.get("architectures") or data.get("model_type") or fmt
        raise CheckpointError(f"{path} describes a {arch!r} model, not an ALT Explorer checkpoint (format {FORMAT!r})")
    if version != FORMAT_VERSION:
        raise CheckpointError(f"{path} has format_version {version}; this ALT Explorer reads version {FORMAT_VERSION}")
    try:
        return ALTConfig.from_dict(data).resolved()
    except (ConfigError, TypeError) as exc:
        raise CheckpointError(f"{path}: {exc}") from exc


def load_state(path: Path) -> dict[str, torch.Tensor]:
    """Tensors of a safetensors file, with a clear error when it is missing or damaged."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if not path.is_file():
        raise CheckpointError(f"{path} is missing: the checkpoint needs its {WEIGHTS}")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path} is not a readable safetensors file ({exc}); it may be truncated: "
                              "download or copy it again") from exc


def check_keys(model: torch.nn.Module, state: dict[str, torch.Tensor], path: Path) -> None:
    """Exactly the model's keys, with the model's shapes."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing keys (e.g. {', '.join(missing[:3])})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected keys (e.g. {', '.join(unexpected[:3])})")
    wrong = [k for k in set(expected) & set(state) if tuple(expected[k].shape) != tuple(state[k].shape)]
    if wrong:
        k = sorted(wrong)[0]
        problems.append(f"{len(wrong)} tensors with the wrong shape (e.g. {k}: file {tuple(state[k].shape)}, "
                        f"model {tuple(expected[k].shape)})")
    if problems:
        raise CheckpointError(f"{path} does not match its config.json: {'; '.join(problems)}. "
                              "Was it saved by another version or for another architecture?")


def load_checkpoint(cls: type["ALTModel"], folder: Path, device: str | torch.device | None = None) -> "ALTModel":
    """Build the model described by folder/config.json and load its weights strictly."""
    from alt.corpus.entities import EntityCorpus

    config = read_config(folder)
    corpus_path = folder / CORPUS
    corpus = EntityCorpus.load(corpus_path) if corpus_path.is_file() else None
    if corpus is None:
        logger.warning("%s has no %s; using the default corpus", folder, CORPUS)
    model = cls(config, corpus=corpus)
    state = load_state(folder / WEIGHTS)
    check_keys(model, state, folder / WEIGHTS)
    model.load_state_dict(state, strict=True)
    if device is not None:
        model.to(device)
    return model.eval()
