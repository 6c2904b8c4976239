"""Model specs: one string names a model everywhere (app `--model`, CLI `--model`, `alt.load_model`).

- `clip:NAME[/PRETRAINED]`: an untrained ALT around an open_clip model (default `clip:ViT-B-16/openai`);
- a local folder written by `save_pretrained`, or a Hub repo id `org/name[@revision]`;
- `tiny`: the tiny random preset, so the app and CLI can be tried offline in seconds.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import torch

from alt.errors import ModelSpecError, WeightsError
from alt.model.alt_model import ALTModel
from alt.model.config import ALTConfig

logger = logging.getLogger(__name__)

DEFAULT_SPEC = "clip:ViT-B-16/openai"


def tiny_model(seed: int = 0) -> ALTModel:
    """The tiny preset with deterministic random weights (same weights in every process)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ALTModel(ALTConfig.preset("tiny"))


def pick_device(device: str | None = None) -> torch.device:
    """`device` if given, else CUDA when available, else CPU."""
    if device:
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelSpecError(f"device {device!r} asked for, but no CUDA GPU is available; use --device cpu")
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether a TCP connection to the Hugging Face Hub (or $HF_ENDPOINT) opens within `timeout_s`."""
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((url.hostname or "huggingface.co", url.port or 443), timeout=timeout_s).close()
        return True
    except OSError:
        return False


def needs_hub(spec: str) -> bool:
    """Whether loading `spec` may download from the Hub (CLIP weights or a Hub checkpoint)."""
    return spec.startswith("clip:") and "/" in spec or (spec.count("/") == 1 and not Path(spec).expanduser().is_dir())


def use_cache_if_offline(spec: str) -> None:
    """When the Hub cannot be reached, switch huggingface_hub to its local cache (HF_HUB_OFFLINE=1),
    so a missing download fails at once instead of after minutes of retries."""
    if needs_hub(spec) and not os.environ.get("HF_HUB_OFFLINE") and not hub_reachable():
        logger.warning("the Hugging Face Hub is not reachable: using locally cached weights only")
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:  # huggingface_hub reads the variable at import; update its constant too
            from huggingface_hub import constants

            constants.HF_HUB_OFFLINE = True
        except (ImportError, AttributeError):
            pass


def load_model(spec: str = DEFAULT_SPEC, device: str | None = None) -> ALTModel:
    """Load the model a spec names, on `device` (default: GPU if present, else CPU), in eval mode."""
    spec = spec.strip()
    if not spec:
        raise ModelSpecError("empty model spec; use e.g. 'clip:ViT-B-16/openai', 'tiny', a folder or 'org/name'")
    use_cache_if_offline(spec)
    if spec == "tiny":
        model = tiny_model()
    elif spec.startswith("clip:"):
        name, _, pretrained = spec[len("clip:"):].partition("/")
        if not name:
            raise ModelSpecError(f"{spec!r}: name an open_clip model, e.g. clip:ViT-B-16/openai")
        try:
            model = ALTModel.from_clip(name, pretrained=pretrained or None)
        except WeightsError as exc:
            raise ModelSpecError(str(exc)) from exc
        except Exception as exc:  # open_clip/huggingface_hub raise many kinds when weights cannot be had
            raise ModelSpecError(
                f"could not load CLIP {name}/{pretrained or 'random'} ({exc}). open_clip downloads these weights "
                "from the Hugging Face Hub: connect once (they are cached), or use --model tiny offline") from exc
    else:
        if not Path(spec).expanduser().is_dir() and spec.count("/") != 1:
            raise ModelSpecError(f"{spec!r} is not 'tiny', 'clip:NAME/PRETRAINED', a checkpoint folder or 'org/name'")
        model = ALTModel.from_pretrained(spec)
    model.to(pick_device(device))
    model.config.spec = spec
    return model.eval()
