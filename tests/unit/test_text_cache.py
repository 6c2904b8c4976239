"""Text caches: keyed by the text-tower weights, bounded in memory, independent of the caller's autocast."""

import torch

from alt.hub.specs import tiny_model
from alt.model.text import TextEmbeddings, cache_dir

NAMES = ["running", "jumping"]
TEMPLATES = ["a video of a person {}."]


def test_class_cache_follows_a_change_of_the_text_weights():
    model = tiny_model()
    text = model.text
    before, fp_before = text.classes(NAMES, TEMPLATES), text.fingerprint()
    model.load_state_dict(tiny_model(seed=1).state_dict())  # other weights, copied in place
    after = text.classes(NAMES, TEMPLATES)
    assert text.fingerprint() != fp_before
    assert not torch.allclose(before, after)
    fresh = TextEmbeddings(model.clip, model.tokenizer).classes(NAMES, TEMPLATES)
    assert torch.equal(after, fresh)  # what a new cache computes, not the stale entry


def test_fingerprint_is_not_recomputed_while_the_weights_stay_the_same(monkeypatch):
    model = tiny_model()
    text = model.text
    text.fingerprint()
    calls = []
    monkeypatch.setattr("alt.model.text.weights_fingerprint", lambda state: calls.append(1) or "x")
    text.classes(NAMES, TEMPLATES)
    assert calls == []
    with torch.no_grad():
        model.clip.token_embedding.weight.mul_(2)  # an in-place change bumps the tensor's version
    assert text.fingerprint() == "x" and calls == [1]


def test_extra_entity_sets_are_bounded_and_never_written_to_disk():
    model = tiny_model()
    text = TextEmbeddings(model.clip, model.tokenizer, max_extra_sets=3)
    before = set(cache_dir().glob("*")) if cache_dir().is_dir() else set()
    for i in range(7):
        words = [f"word{i}", f"thing{i}"]
        emb = text.entities(words, f"extra:{i}", use_disk=False)
        assert emb.shape[0] == 2
    assert len(text._extras) == 3 and len(text._entities) == 0
    after = set(cache_dir().glob("*")) if cache_dir().is_dir() else set()
    assert after == before


def test_text_embeddings_do_not_depend_on_the_callers_autocast():
    model = tiny_model()
    plain = TextEmbeddings(model.clip, model.tokenizer).classes(NAMES, TEMPLATES)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under = TextEmbeddings(model.clip, model.tokenizer).classes(NAMES, TEMPLATES)
    assert torch.equal(plain, under)


def _no_tokenizer(texts):
    raise AssertionError("the tokenizer was used")


def test_class_names_seen_before_come_from_disk_without_the_tokenizer():
    from alt.model.text import classes_dir

    model = tiny_model()
    names = ["skating", "rowing a boat"]
    first = TextEmbeddings(model.clip, model.tokenizer).classes(names, TEMPLATES)
    again = TextEmbeddings(model.clip, _no_tokenizer).classes(names, TEMPLATES)  # a new process, in effect
    assert torch.equal(first, again)
    other = tiny_model(seed=1)  # other text weights: another key, computed afresh
    assert not torch.allclose(TextEmbeddings(other.clip, other.tokenizer).classes(names, TEMPLATES), first)
    assert len(list(classes_dir().glob("*.safetensors"))) >= 2


def test_class_disk_cache_is_bounded_and_a_damaged_file_is_recomputed():
    from alt.model.text import classes_dir

    model = tiny_model(seed=2)
    text = TextEmbeddings(model.clip, model.tokenizer, max_class_files=3)
    for i in range(6):
        text.classes([f"action {i}", "other"], TEMPLATES)
    assert len(list(classes_dir().glob("*.safetensors"))) == 3
    names = [f"action {5}", "other"]
    want = text.classes(names, TEMPLATES)
    for path in classes_dir().glob("*.safetensors"):
        path.write_bytes(b"damaged")
    fresh = TextEmbeddings(model.clip, model.tokenizer, max_class_files=3).classes(names, TEMPLATES)
    assert torch.equal(fresh, want)


def test_explain_with_warm_caches_never_builds_the_tokenizer(tmp_path):
    """A restarted process explaining class names it has seen: embeddings from disk, no BPE tables built."""
    import numpy as np

    from alt.hub.specs import load_model

    frames = np.random.default_rng(0).integers(0, 255, (4, 48, 48, 3), dtype=np.uint8)
    load_model("tiny", "cpu").explain(frames, ["kicking", "throwing"])
    fresh = load_model("tiny", "cpu")
    fresh.explain(frames, ["kicking", "throwing"])
    assert fresh._tokenizer is None


def test_class_disk_cache_never_stores_the_names_themselves():
    from alt.model.text import classes_dir

    model = tiny_model(seed=3)
    TextEmbeddings(model.clip, model.tokenizer).classes(["a private label xyzzy"], TEMPLATES)
    assert all(b"xyzzy" not in p.read_bytes() for p in classes_dir().glob("*.safetensors"))


def test_embeddings_read_from_disk_compute_exactly_like_computed_ones():
    """Disk-cached text embeddings give bit-identical matmuls (safetensors buffers can be misaligned, and the
    CPU kernels then round differently), so an explanation does not depend on the cache's state."""
    model = tiny_model(seed=4)
    names = ["digging", "sawing wood"]
    computed = TextEmbeddings(model.clip, model.tokenizer).classes(names, TEMPLATES)
    loaded = TextEmbeddings(model.clip, _no_tokenizer).classes(names, TEMPLATES)
    assert loaded.data_ptr() % 64 == 0
    z = torch.randn(3, computed.shape[1], generator=torch.Generator().manual_seed(0))
    assert torch.equal(z @ computed.T, z @ loaded.T)
