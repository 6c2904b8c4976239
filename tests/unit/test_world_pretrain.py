"""ALT World pretraining: patch labels, seeded batches, the dense loss, and a shortened run that lowers the loss
(deterministically) and saves a strict-loading ALT checkpoint in float16."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from alt.world import ENTITIES
from alt.world.pretrain import LOG_FILE, PretrainSettings, dense_loss, pretrain
from alt.world.pretrain_data import make_batch, patch_labels

SKY, HAND, GRASS = ENTITIES.index("sky"), ENTITIES.index("hand"), ENTITIES.index("grass")


def test_a_thing_owns_a_patch_from_about_a_quarter_of_it():
    emap = np.full((8, 16), SKY)
    emap[:4, :4] = HAND  # left patch: 16 of 64 hand pixels (weighted 48 > 48 sky? tie goes to the lower index)
    emap[:5, :4] = HAND  # 20 hand pixels: 60 > 44 sky
    emap[:2, 8:10] = HAND  # right patch: 4 hand pixels, 60 sky: sky
    assert patch_labels(emap, 8).tolist() == [HAND, SKY]
    mostly = np.full((8, 8), GRASS)
    mostly[:3] = SKY
    assert patch_labels(mostly, 8).tolist() == [GRASS]  # among scene regions, the larger wins


def test_batches_are_a_pure_function_of_seed_and_step():
    a, b = make_batch(3, 5, 4), make_batch(3, 5, 4)
    assert a.frames.tobytes() == b.frames.tobytes() and a.captions == b.captions
    assert np.array_equal(a.labels, b.labels) and a.labels.shape == (4, 144)
    assert not np.array_equal(make_batch(3, 6, 4).frames, a.frames)
    x = a.pixels((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    assert x.shape == (4, 3, 96, 96) and x.dtype == torch.float32


def test_dense_loss_counts_patches_of_merged_regions_and_scores_the_regions_pick():
    ent = F.normalize(torch.eye(3, 4), dim=-1)  # 3 entities in a 4-d joint space
    region = torch.stack([ent[0], ent[2]])[None] * 5  # [1, 2, 4]: region 0 is entity 0, region 1 entity 2
    source = torch.tensor([[[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])  # region 0 holds patches 0 and 1
    labels = torch.tensor([[0, 1, 2]])  # patch 1 is entity 1, but it was merged into an entity-0 region
    loss, acc = dense_loss(region, source, labels, ent, torch.tensor(50.0))
    assert acc.item() == pytest.approx(2 / 3)
    assert loss.item() == pytest.approx(50.0 / 3, rel=1e-3)  # only patch 1 pays: log-odds 50 of entity 0 over 1


def test_shortened_pretraining_lowers_the_loss_deterministically_and_saves_an_alt_checkpoint(tmp_path):
    from alt.model.alt_model import ALTModel

    run = pretrain(PretrainSettings(out=str(tmp_path / "a"), steps=6, batch_size=12, log_every=1))
    log = [json.loads(line) for line in (tmp_path / "a" / LOG_FILE).read_text().splitlines()]
    losses = [r["loss"] for r in log if r["event"] == "step"]
    assert len(losses) == 6 and np.mean(losses[-2:]) < losses[0] - 0.5
    assert run["last"]["dense_acc"] > run["first"]["dense_acc"]
    # the first two steps do not depend on the run's length: same losses to the last bit
    again = pretrain(PretrainSettings(out=str(tmp_path / "b"), steps=2, batch_size=12, log_every=1))
    assert again["first"] == run["first"]
    log_b = [json.loads(line) for line in (tmp_path / "b" / LOG_FILE).read_text().splitlines()]
    assert [r["loss"] for r in log_b if r["event"] == "step"] == losses[:2]
    state = __import__("safetensors.torch", fromlist=["load_file"]).load_file(str(tmp_path / "a" / "model.safetensors"))
    assert {t.dtype for t in state.values()} == {torch.float16}
    model = ALTModel.from_pretrained(tmp_path / "a")  # strict keys; float16 cast back to float32
    assert model.dtype == torch.float32 and not model.config.adapter_trained
    assert list(model.corpus.units) == list(ENTITIES) and model.config.image_size == 96
    assert torch.equal(model.clip.visual.conv1.weight.half(), state["clip.visual.conv1.weight"])
