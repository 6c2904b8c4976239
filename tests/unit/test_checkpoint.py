"""save_pretrained / from_pretrained: identical outputs, Hub-style offline cache, clear errors."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from alt import ALTModel, load_model
from alt.hub.checkpoint import CheckpointError

CLASSES = ["running", "jumping", "swimming"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def saved(tiny, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt") / "alt-tiny"
    tiny.save_pretrained(folder)
    return folder


def test_save_writes_config_weights_corpus_and_card(saved):
    assert {p.name for p in saved.iterdir()} >= {"config.json", "model.safetensors", "corpus.jsonl", "README.md"}
    assert json.loads((saved / "config.json").read_text())["format"] == "alt-explorer"
    assert "Adapter trained:** no" in (saved / "README.md").read_text()


def test_folder_round_trip_gives_identical_outputs(tiny, saved, frames):
    loaded = ALTModel.from_pretrained(saved)
    a, b = tiny.explain(frames, CLASSES), loaded.explain(frames, CLASSES)
    assert np.array_equal(a.probs, b.probs) and np.array_equal(a.attention, b.attention)
    assert a.entity_names == b.entity_names


def _hub_cache(saved: Path, root: Path, repo: str = "org/alt-tiny") -> Path:
    """Lay out a Hugging Face Hub cache folder holding `saved` as repo@main."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    base = root / f"models--{repo.replace('/', '--')}"
    snap = base / "snapshots" / commit
    shutil.copytree(saved, snap)
    (base / "refs").mkdir(parents=True)
    (base / "refs" / "main").write_text(commit)
    return root


def test_hub_cache_round_trip_offline(tiny, saved, frames, tmp_path):
    cache = _hub_cache(saved, tmp_path / "hub")
    np.save(tmp_path / "frames.npy", frames)
    script = (
        "import json, sys, numpy as np\n"
        "from alt import ALTModel\n"
        "from alt.errors import CheckpointError\n"
        "m = ALTModel.from_pretrained('org/alt-tiny')\n"
        f"e = m.explain(np.load(sys.argv[1]), {CLASSES!r})\n"
        "try:\n    ALTModel.from_pretrained('org/not-cached')\n    err = ''\n"
        "except CheckpointError as exc:\n    err = str(exc)\n"
        "print(json.dumps({'probs': e.probs.tolist(), 'err': err}))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "frames.npy")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert np.array_equal(np.float32(result["probs"]), tiny.explain(frames, CLASSES).probs)
    assert "not in the local Hugging Face cache" in result["err"]


def test_load_model_spec_reads_a_folder(saved):
    assert load_model(str(saved)).config.clip_name == "tiny"


def test_truncated_weights_are_a_clear_error(saved, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(saved, bad)
    data = (bad / "model.safetensors").read_bytes()
    (bad / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated"):
        ALTModel.from_pretrained(bad)


@pytest.mark.parametrize("change, match",
                         [("drop", "missing keys"), ("add", "unexpected keys"), ("shape", "wrong shape")])
def test_mismatched_keys_are_a_clear_error(saved, tmp_path, change, match):
    bad = tmp_path / "bad"
    shutil.copytree(saved, bad)
    state = load_file(str(bad / "model.safetensors"))
    if change == "drop":
        state.pop("adapter.out_proj.weight")
    elif change == "add":
        state["adapter.extra"] = state["adapter.out_proj.bias"].clone()
    else:
        state["adapter.out_proj.bias"] = state["adapter.out_proj.bias"][:3].clone()
    save_file(state, str(bad / "model.safetensors"))
    with pytest.raises(CheckpointError, match=match):
        ALTModel.from_pretrained(bad)


def test_config_of_another_architecture_is_a_clear_error(saved, tmp_path):
    bad = tmp_path / "bert"
    shutil.copytree(saved, bad)
    (bad / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 768}))
    with pytest.raises(CheckpointError, match="not an ALT Explorer checkpoint"):
        ALTModel.from_pretrained(bad)


def test_unknown_repo_offline_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="not in the local Hugging Face cache"):
        ALTModel.from_pretrained("nobody/no-such-alt", local_files_only=True, cache_dir=tmp_path)


def test_folder_without_config_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="no config.json"):
        ALTModel.from_pretrained(tmp_path)


def test_a_config_not_from_a_preset_saves_and_explains_to_json(small_corpus, frames, tmp_path):
    model = ALTModel.from_clip("ViT-B-32", pretrained=None)
    model._corpus = small_corpus
    assert model.config.preset_name is None and model.config.to_dict()["preset_name"] is None
    json.loads(model.explain(frames[:2], CLASSES).to_json())  # every field JSON-able
    model.save_pretrained(tmp_path / "b32")
    assert ALTModel.from_pretrained(tmp_path / "b32").config.clip_name == "ViT-B-32"
