"""The app serves its page before torch and the weights load (issue 12: a second start under 10 s).

`alt.hub.specs.spec_config` reads a spec's config without torch; `ui.model_slot.ModelSlot` lets requests
made while the weights load wait for them; Gradio's ffprobe answer is kept per file version.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from tests.helpers.server import ROOT


def test_spec_config_reads_the_config_without_importing_torch_or_open_clip():
    code = ("import sys; from alt.hub.specs import spec_config\n"
            "for spec in ('tiny', 'world', 'clip:ViT-B-16/openai'):\n"
            "    c = spec_config(spec); assert c.spec == spec and c.max_r > 0, spec\n"
            "bad = {'torch', 'open_clip', 'gradio'} & set(sys.modules); assert not bad, bad")
    env_code = "import os; os.environ['HF_HUB_OFFLINE'] = '1'\n" + code
    subprocess.run([sys.executable, "-c", env_code], cwd=ROOT, check=True, timeout=120)


@pytest.mark.parametrize("spec", ["tiny", "world"])
def test_spec_config_gives_the_sizes_of_the_loaded_model(spec):
    from alt.hub.specs import load_model, spec_config

    light, model = spec_config(spec), load_model(spec, "cpu")
    for attr in ("image_size", "patch_size", "num_layers", "max_r", "r", "prompt_templates", "adapter_trained",
                 "spec"):
        assert getattr(light, attr) == getattr(model.config, attr), attr
    assert light.max_r == model.max_r and light.num_regions(3) == model.num_regions(3)


def test_spec_config_of_the_default_spec_matches_open_clip_without_importing_it():
    import open_clip

    from alt.hub.specs import spec_config
    from alt.model.config import ALTConfig

    light = spec_config("clip:ViT-B-16/openai")
    full = ALTConfig.for_clip("ViT-B-16", "openai").resolved()
    assert light.clip_config["vision_cfg"] == open_clip.get_model_config("ViT-B-16")["vision_cfg"]
    assert (light.image_size, light.grid, light.num_layers, light.max_r, light.r) == \
        (full.image_size, full.grid, full.num_layers, full.max_r, full.r) == (224, 14, 12, 98, 8)


def test_spec_config_refuses_a_bad_spec_before_anything_loads(tmp_path):
    from alt.errors import ALTError
    from alt.hub.specs import spec_config

    with pytest.raises(ALTError, match="is not 'tiny'"):
        spec_config("no-such-model")
    with pytest.raises(ALTError, match="config.json"):
        spec_config(str(tmp_path))  # a folder without a checkpoint


def test_a_request_made_while_the_model_loads_waits_for_it(tiny):
    from ui.model_slot import ModelSlot

    slot = ModelSlot(tiny.config)
    assert not slot.loaded and slot.max_r == tiny.max_r and slot.device == "loading"
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(slot.get(wait_s=30)))
    waiter.start()
    time.sleep(0.3)
    assert got == []  # still waiting
    slot.put(tiny)
    waiter.join(5)
    assert got == [tiny] and slot.loaded and slot.device == "cpu"


def test_a_model_that_failed_to_load_or_is_late_gives_its_reason(tiny):
    from ui.model_slot import ModelNotReady, ModelSlot

    slot = ModelSlot(tiny.config)
    with pytest.raises(ModelNotReady, match="still loading"):
        slot.get(wait_s=0.05)
    slot.fail("no weights in the cache")
    with pytest.raises(ModelNotReady, match="could not be loaded: no weights in the cache"):
        slot.get(wait_s=1)


def test_handlers_before_the_weights_show_loading_and_explain_once_they_are_in(tiny, tmp_path, monkeypatch):
    import ui
    from tests.helpers.clipgen import make_clip
    from ui.model_slot import ModelSlot

    slot = ModelSlot(tiny.config)
    demo = ui.build(slot)
    banner = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "alt-banner")
    assert "loading its weights" in banner.value
    handlers = next(fn.fn for fn in demo.fns.values() if fn.name == "banner").__self__
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    (tmp_path / "upload").mkdir()
    clip = make_clip(tmp_path / "upload" / "c.mp4", num_frames=12, size=(64, 48))
    result: list = []
    caller = threading.Thread(target=lambda: result.append(handlers.explain(str(clip), "a, b", 4, 0)))
    caller.start()
    time.sleep(0.3)
    assert result == []  # the request waits for the weights
    slot.put(tiny)
    caller.join(60)
    assert result and result[0].class_names == ["a", "b"]
    assert "on `cpu`" in handlers.banner() and "loading" not in handlers.banner()


def test_gradio_probes_each_video_file_version_once(tmp_path, monkeypatch):
    from gradio import processing_utils

    from tests.helpers.clipgen import make_clip
    from ui import media

    calls: list[str] = []
    monkeypatch.setattr(processing_utils, "video_is_playable", lambda p: calls.append(p) or True)
    media.remember_playable_answers()
    media.remember_playable_answers()  # a second call does not wrap twice
    clip = make_clip(tmp_path / "c.mp4", num_frames=6, size=(32, 32))
    assert all(processing_utils.video_is_playable(str(clip)) for _ in range(3))
    assert len(calls) == 1
    make_clip(clip, num_frames=8, size=(32, 32))  # a new version of the file is probed again
    processing_utils.video_is_playable(str(clip))
    assert len(calls) == 2
