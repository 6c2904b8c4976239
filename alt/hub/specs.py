"""Model specs: one string names a model everywhere (app `--model`, CLI `--model`, `alt.load_model`).

- `clip:NAME[/PRETRAINED]`: an untrained ALT around an open_clip model (default `clip:ViT-B-16/openai`);
- a local folder written by `save_pretrained`, or a Hub repo id `org/name[@revision]`;
- `tiny`: the tiny random preset, so the app and CLI can be tried offline in seconds;
- `world`: the ALT World model shipped in the repository (assets/models/alt-world/, made by `alt world`),
  a small CLIP and a trained adapter for the synthetic world's actions, offline.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from alt.errors import ModelSpecError, WeightsError
from alt.hub.offline import OFFLINE_HINT, use_cache_if_offline
from alt.model.config import ALTConfig, open_clip_architecture

if TYPE_CHECKING:  # torch loads with the model, not with this module: `spec_config` works without it
    import torch

    from alt.model.alt_model import ALTModel

logger = logging.getLogger(__name__)

DEFAULT_SPEC = "clip:ViT-B-16/openai"
WORLD_MODEL_DIR = Path(__file__).resolve().parents[2] / "assets" / "models" / "alt-world"


def world_model_dir() -> Path:
    """The folder of the `world` spec: the repository's assets/models/alt-world (not part of a pip install)."""
    if not (WORLD_MODEL_DIR / "config.json").is_file():
        raise ModelSpecError(
            f"the ALT World model is not at {WORLD_MODEL_DIR}: it ships in the git repository's "
            "assets/models/alt-world/, not in the pip package. Use a clone of the repository, or pass the folder "
            "itself as the model spec (or rebuild it: `alt world pretrain`, `alt train`, `alt world release`)")
    return WORLD_MODEL_DIR


def tiny_model(seed: int = 0) -> ALTModel:
    """The tiny preset with deterministic random weights (same weights in every process)."""
    import torch

    from alt.model.alt_model import ALTModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ALTModel(ALTConfig.preset("tiny"))


def pick_device(device: str | None = None) -> torch.device:
    """`device` if given, else CUDA when available, else CPU."""
    import torch

    if device:
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelSpecError(f"device {device!r} asked for, but no CUDA GPU is available; use --device cpu")
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _clip_spec(spec: str) -> tuple[str, str | None]:
    """(name, pretrained tag or None) of a `clip:NAME[/PRETRAINED]` spec."""
    name, _, pretrained = spec[len("clip:"):].partition("/")
    if not name:
        raise ModelSpecError(f"{spec!r}: name an open_clip model, e.g. clip:ViT-B-16/openai")
    return name, pretrained or None


def _check_form(spec: str) -> str:
    spec = spec.strip()
    if not spec:
        raise ModelSpecError("empty model spec; use e.g. 'clip:ViT-B-16/openai', 'tiny', a folder or 'org/name'")
    if spec not in ("tiny", "world") and not spec.startswith("clip:") and not Path(spec).expanduser().is_dir() \
            and spec.count("/") != 1:
        raise ModelSpecError(f"{spec!r} is not 'tiny', 'world', 'clip:NAME/PRETRAINED', a checkpoint folder or 'org/name'")
    return spec


def spec_config(spec: str = DEFAULT_SPEC) -> ALTConfig:
    """The config of the model a spec names, read without torch and without loading weights.

    The app lays out its page from it and serves it while the model loads. A Hub checkpoint is
    downloaded (or found in the cache) here. For `clip:` specs the architecture comes from open_clip's
    JSON file, without the pretrained tag's details (QuickGELU), which only the weights need.
    """
    spec = _check_form(spec)
    use_cache_if_offline(spec)
    if spec == "tiny":
        config = ALTConfig.preset("tiny")  # its clip_config is written out: nothing to resolve
    elif spec.startswith("clip:"):
        name, pretrained = _clip_spec(spec)
        config = ALTConfig.for_clip(name, pretrained)
        config.clip_config = open_clip_architecture(name) or config.resolved().clip_config
    else:
        from alt.hub.checkpoint import read_config, resolve_checkpoint

        config = read_config(world_model_dir() if spec == "world" else resolve_checkpoint(spec))
    config.spec = spec
    return config


def load_model(spec: str = DEFAULT_SPEC, device: str | None = None) -> ALTModel:
    """Load the model a spec names, on `device` (default: GPU if present, else CPU), in eval mode."""
    from alt.model.alt_model import ALTModel

    spec = _check_form(spec)
    use_cache_if_offline(spec)
    if spec == "tiny":
        model = tiny_model()
    elif spec == "world":
        model = ALTModel.from_pretrained(world_model_dir())
    elif spec.startswith("clip:"):
        name, pretrained = _clip_spec(spec)
        try:
            model = ALTModel.from_clip(name, pretrained=pretrained)
        except WeightsError as exc:
            raise ModelSpecError(str(exc)) from exc
        except Exception as exc:  # open_clip/huggingface_hub raise many kinds when weights cannot be had
            raise ModelSpecError(
                f"could not load CLIP {name}/{pretrained or 'random'} ({exc}). open_clip downloads these weights "
                "from the Hugging Face Hub: connect once (they are cached), or " + OFFLINE_HINT) from exc
    else:
        model = ALTModel.from_pretrained(spec)
    model.to(pick_device(device))
    model.config.spec = spec
    return model.eval()
