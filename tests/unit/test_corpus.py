"""EntityCorpus: format, validation, immutability, extras, and the shipped corpus/labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alt.corpus.entities import KINDS, CorpusError, Entity, EntityCorpus
from alt.corpus.labels import BUILTIN_LABELS, humanize_label, load_labels, read_label_file

GOOD = {"unit": "hand", "kind": "body_part", "description": "the end of the arm",
        "source": "vocab:hand.n.01", "actions": ["clapping"]}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _small() -> EntityCorpus:
    return EntityCorpus.from_entities([
        GOOD,
        Entity("ball", "object", "round object that is hit or thrown", "label:ball.n.01", ("kicking ball",)),
        Entity("jump", "motion", "move forward by leaps and bounds", "label:jump.v.01"),
    ])


def test_save_load_roundtrip_is_byte_identical(tmp_path):
    corpus = _small()
    path = corpus.save(tmp_path / "sub" / "corpus.jsonl")
    text = path.read_bytes()
    again = EntityCorpus.load(path)
    assert again == corpus and again.content_hash() == corpus.content_hash()
    assert again.save(tmp_path / "b.jsonl").read_bytes() == text
    assert text.endswith(b"\n") and json.loads(text.splitlines()[0]) == dict(sorted(GOOD.items()))


def test_accessors():
    corpus = _small()
    assert len(corpus) == 3 and corpus.units == ["hand", "ball", "jump"]
    assert corpus.index("ball") == 1 and "jump" in corpus and corpus[2].kind == "motion"
    assert corpus.texts()[0] == "hand: the end of the arm"
    with pytest.raises(KeyError, match="nope"):
        corpus.index("nope")


def test_content_hash_changes_with_content():
    a = _small()
    b = EntityCorpus.from_entities([*a.entities[:2], Entity("jump", "motion", "leap", "x")])
    assert a.content_hash() != b.content_hash() and len(a.content_hash()) == 64


@pytest.mark.parametrize("line, message", [
    ("{not json", "invalid JSON"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "kind"}), "missing field"),
    (json.dumps({**GOOD, "kind": "vehicle"}), "unknown kind"),
    (json.dumps({**GOOD, "kind": "extra"}), "unknown kind"),
    (json.dumps({**GOOD, "unit": "  "}), "unit must be"),
    (json.dumps({**GOOD, "description": ""}), "empty description"),
    (json.dumps({**GOOD, "actions": "clapping"}), "list of strings"),
    (json.dumps({**GOOD, "colour": "red"}), "unknown field"),
    (json.dumps(GOOD), "duplicate unit"),
    ("[1, 2]", "JSON object"),
])
def test_malformed_line_names_file_and_line(tmp_path, line, message):
    path = _write(tmp_path, [json.dumps({**GOOD, "unit": "arm"}), json.dumps(GOOD), line])
    with pytest.raises(CorpusError, match=message) as info:
        EntityCorpus.load(path)
    assert f"{path}:3" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_empty_or_missing_corpus_refused(tmp_path):
    with pytest.raises(CorpusError, match="empty"):
        EntityCorpus.load(_write(tmp_path, ["", "  "]))
    with pytest.raises(CorpusError, match="empty"):
        EntityCorpus.from_entities([])
    with pytest.raises(CorpusError, match="cannot read"):
        EntityCorpus.load(tmp_path / "absent.jsonl")


def test_with_extras_returns_new_corpus_and_never_mutates(tmp_path):
    corpus = _small()
    before = corpus.to_jsonl()
    more = corpus.with_extras(["zebra", "hand", "zebra", "qwxzv"], wordnet_dir=tmp_path / "no-wordnet")
    assert corpus.to_jsonl() == before and len(corpus) == 3
    assert more.units == ["hand", "ball", "jump", "zebra", "qwxzv"]
    assert more[-1].kind == "extra" and more[-1].description == "qwxzv"  # no WordNet: the word itself
    with pytest.raises(CorpusError, match="extra"):
        more.save(tmp_path / "x.jsonl")
    with pytest.raises(CorpusError, match="empty word"):
        corpus.with_extras(["  "])
    assert corpus.with_extras(["hand"]) is corpus


@pytest.mark.skipif(not Path("/usr/share/wordnet/index.noun").exists(), reason="wordnet-base not installed")
def test_extras_take_wordnet_gloss():
    extra = _small().with_extras(["zebras"])[-1]
    assert extra.unit == "zebras" and "striped" in extra.description and extra.source.startswith("extra:zebra.n")


def test_default_corpus_is_valid_and_large():
    corpus = EntityCorpus.load("default")
    assert len(corpus) >= 1000
    assert {e.kind for e in corpus} == set(KINDS)
    for part in ("head", "face", "hand", "arm", "leg", "foot", "torso", "finger"):
        assert corpus[corpus.index(part)].kind == "body_part"
    assert corpus.to_jsonl().encode() == Path(corpus.name).read_bytes()  # canonical on disk


@pytest.mark.parametrize("name", sorted(BUILTIN_LABELS))
def test_label_lists_have_official_counts(name):
    raw = load_labels(name, humanize=False)
    assert len(raw) == BUILTIN_LABELS[name] == len(set(raw)) == len(set(load_labels(name)))


def test_humanize_label():
    assert humanize_label("ApplyEyeMakeup") == "apply eye makeup"
    assert humanize_label("YoYo") == "yo yo"
    assert humanize_label("brush_hair") == "brush hair"
    assert humanize_label("passing American football (in game)") == "passing american football (in game)"
    assert load_labels("ucf101")[0] == "apply eye makeup" and load_labels("hmdb51")[0] == "brush hair"


def test_label_file_errors(tmp_path):
    path = tmp_path / "l.txt"
    path.write_text("# comment\nrunning\n\nrunning\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"l.txt:4: duplicate"):
        read_label_file(path)
    path.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no class names"):
        read_label_file(path)
