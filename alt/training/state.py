"""Resumable training state: safetensors + JSON, never pickle.

`out/resume/` holds a complete checkpoint (written by `save_checkpoint`, loadable on its own) plus

    training_state.safetensors   optimizer moments per trainable tensor ("optim.<param name>.<key>"),
                                 the CPU random-number state ("rng.torch")
    training_state.json          epoch, step, batches done in the epoch, total steps, the GradScaler
                                 state, the optimizer's hyper-parameters, and a fingerprint of the run
                                 (base config, what trains, classes, trainable tensor shapes)

Resuming with another model, other classes or another `--train` is refused with `ResumeError`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from alt.errors import ResumeError

logger = logging.getLogger(__name__)

STATE_JSON = "training_state.json"
STATE_TENSORS = "training_state.safetensors"
RESUME_DIR = "resume"
STATE_VERSION = 1


def resume_folder(path: str | Path) -> Path:
    """The folder holding the resume state: `path` itself or `path/resume`."""
    p = Path(path).expanduser()
    for cand in (p, p / RESUME_DIR):
        if (cand / STATE_JSON).is_file():
            return cand
    raise ResumeError(f"--resume {p}: no {STATE_JSON} there or in {p / RESUME_DIR}; pass the --out folder of an "
                      "earlier `alt train` run")


def fingerprint(model: torch.nn.Module, spec: str, train_mode: str, class_names: list[str],
                named_params: list[tuple[str, torch.nn.Parameter]]) -> dict[str, Any]:
    """What must match for a resume to make sense."""
    config = json.loads(json.dumps(model.config.to_dict()))  # tuples -> lists, as after a reload
    config.pop("adapter_trained", None)
    return {"model": spec, "config": config, "train": train_mode, "classes": list(class_names),
            "trainable": {n: list(p.shape) for n, p in named_params}}


def check_fingerprint(saved: dict[str, Any], current: dict[str, Any], folder: Path) -> None:
    """Raise ResumeError naming the first thing that differs."""
    problems = []
    if saved.get("train") != current["train"]:
        problems.append(f"it trained --train {saved.get('train')}, this run asks for {current['train']}")
    if saved.get("classes") != current["classes"]:
        a, b = saved.get("classes") or [], current["classes"]
        problems.append(f"its {len(a)} classes differ from this dataset's {len(b)}"
                        + (f" (e.g. {a[0]!r} vs {b[0]!r})" if a and b and a[0] != b[0] else ""))
    if saved.get("config") != current["config"]:
        keys = sorted(k for k in set(saved.get("config", {})) | set(current["config"])
                      if saved.get("config", {}).get(k) != current["config"].get(k))
        problems.append(f"its model config differs in {', '.join(keys[:5])}")
    if saved.get("trainable") != current["trainable"]:
        problems.append("its trainable tensors differ (names or shapes)")
    if problems:
        raise ResumeError(f"cannot resume from {folder}: {'; '.join(problems)}. Start a new run (another --out) "
                          "or resume with the original settings")


def save_state(folder: Path, optimizer: torch.optim.Optimizer, named_params: list[tuple[str, torch.nn.Parameter]],
               progress: dict[str, Any], fp: dict[str, Any], scaler: torch.amp.GradScaler | None) -> None:
    """Write training_state.{safetensors,json} into `folder` (the model itself is saved by the caller)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {id(p): n for n, p in named_params}
    sd = optimizer.state_dict()
    order = [p for g in optimizer.param_groups for p in g["params"]]  # state_dict's integer ids follow this order
    tensors: dict[str, torch.Tensor] = {"rng.torch": torch.get_rng_state()}
    for idx, st in sd["state"].items():
        pname = names[id(order[idx])]
        for key, val in st.items():
            t = val if torch.is_tensor(val) else torch.tensor(val)
            tensors[f"optim.{pname}.{key}"] = t.detach().cpu().contiguous()
    groups = [{k: v for k, v in g.items() if k != "params"} | {"params": [names[id(order[i])] for i in g["params"]]}
              for g in sd["param_groups"]]
    meta = {"version": STATE_VERSION, "progress": progress, "fingerprint": fp, "param_groups": groups,
            "scaler": scaler.state_dict() if scaler is not None and scaler.is_enabled() else None}
    tmp = folder / (STATE_TENSORS + ".tmp")
    save_file(tensors, str(tmp))
    tmp.replace(folder / STATE_TENSORS)
    (folder / STATE_JSON).write_text(json.dumps(meta, indent=2, default=_jsonable) + "\n")


def _jsonable(v: Any) -> Any:
    if isinstance(v, (tuple, set)):
        return list(v)
    if torch.is_tensor(v):
        return v.tolist()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


def read_state(folder: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The JSON part and the tensors of a resume folder, with clear errors."""
    try:
        meta = json.loads((folder / STATE_JSON).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ResumeError(f"{folder / STATE_JSON} is unreadable ({exc}); the run cannot be resumed") from exc
    if meta.get("version") != STATE_VERSION:
        raise ResumeError(f"{folder / STATE_JSON} has version {meta.get('version')}; expected {STATE_VERSION}")
    try:
        tensors = load_file(str(folder / STATE_TENSORS))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ResumeError(f"{folder / STATE_TENSORS} is missing or damaged ({exc})") from exc
    return meta, tensors


def load_state(meta: dict[str, Any], tensors: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer,
               named_params: list[tuple[str, torch.nn.Parameter]], scaler: torch.amp.GradScaler | None) -> None:
    """Restore optimizer moments, hyper-parameters, RNG and scaler into freshly built objects."""
    by_id = {id(p): n for n, p in named_params}
    order = [p for g in optimizer.param_groups for p in g["params"]]
    saved_groups = meta["param_groups"]
    if [g["params"] for g in saved_groups] != [[by_id[id(p)] for p in g["params"]] for g in optimizer.param_groups]:
        raise ResumeError("the optimizer's parameter groups differ from the saved run (another --train?)")
    state: dict[int, dict[str, Any]] = {}
    for idx, p in enumerate(order):
        prefix = f"optim.{by_id[id(p)]}."
        entries = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        if entries:
            state[idx] = {k: v.to(p.device) if k != "step" else v for k, v in entries.items()}
    position = {id(p): i for i, p in enumerate(order)}
    groups = []
    for g, saved in zip(optimizer.param_groups, saved_groups):
        groups.append({**{k: v for k, v in saved.items() if k != "params"},
                       "params": [position[id(p)] for p in g["params"]]})
    optimizer.load_state_dict({"state": state, "param_groups": groups})
    if "rng.torch" in tensors:
        torch.set_rng_state(tensors["rng.torch"])
    if scaler is not None and meta.get("scaler"):
        scaler.load_state_dict(meta["scaler"])
    logger.info("resumed optimizer state for %d tensors", len(state))
