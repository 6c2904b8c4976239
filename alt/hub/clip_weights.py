"""CLIP weights for `ALTModel.from_clip`, from the Hugging Face Hub as safetensors only.

open_clip itself falls back to a pickled `.bin` when a repo has no safetensors file; ALT Explorer
never unpickles a downloaded file, so it resolves the pretrained tag to its Hub repo with open_clip's
registry and downloads `open_clip_model.safetensors` itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from alt.errors import ClipWeightsError
from alt.hub.offline import OFFLINE_HINT, use_cache_if_offline

logger = logging.getLogger(__name__)

SAFE_WEIGHTS = "open_clip_model.safetensors"


def clip_weights_file(name: str, pretrained: str, cache_dir: str | Path | None = None) -> Path:
    """Local path of the safetensors weights for open_clip model `name` with tag `pretrained`.

    Raises:
        ClipWeightsError: unknown tag, no Hub repo, no safetensors file, or the Hub unreachable
            without a cached copy.
    """
    import open_clip
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError

    cfg = open_clip.get_pretrained_cfg(name, pretrained)
    if not cfg:
        tags = ", ".join(open_clip.list_pretrained_tags_by_model(name)) or "none"
        raise ClipWeightsError(f"open_clip has no pretrained tag {pretrained!r} for {name} (tags: {tags})")
    repo = (cfg.get("hf_hub") or "").strip("/")
    if not repo:
        raise ClipWeightsError(f"{name}/{pretrained} is not published on the Hugging Face Hub; ALT Explorer "
                               "loads CLIP weights from the Hub as safetensors only")
    if repo.count("/") > 1:  # "org/name/file" form
        repo = "/".join(repo.split("/")[:2])
    use_cache_if_offline()  # offline: fail at once from the local cache, no retries
    try:
        return Path(hf_hub_download(repo, SAFE_WEIGHTS, cache_dir=cache_dir))
    except LocalEntryNotFoundError as exc:
        raise ClipWeightsError(
            f"CLIP weights {name}/{pretrained} ({repo}) are not in the local Hugging Face cache and the Hub "
            f"cannot be reached. Connect once (`hf download {repo} {SAFE_WEIGHTS}`), or " + OFFLINE_HINT) from exc
    except EntryNotFoundError as exc:
        raise ClipWeightsError(f"{repo} has no {SAFE_WEIGHTS}; ALT Explorer does not unpickle .bin weights. "
                               "Pick another pretrained tag") from exc
    except HfHubHTTPError as exc:
        raise ClipWeightsError(f"could not download {repo}/{SAFE_WEIGHTS}: {exc}") from exc


def load_clip_weights(clip: torch.nn.Module, path: Path) -> None:
    """Load a safetensors CLIP state dict into `clip`, strictly."""
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise ClipWeightsError(f"{path} is not a readable safetensors file ({exc}); delete it and download "
                               "again") from exc
    result = clip.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise ClipWeightsError(f"{path} does not fit this architecture: missing {result.missing_keys[:3]}, "
                               f"unexpected {result.unexpected_keys[:3]}")
