"""alt corpus build: units, kinds, descriptions, determinism, and reproducing the default corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from alt.cli import main as alt_main
from alt.corpus.build.builder import build_corpus
from alt.corpus.build.senses import parse_label
from alt.corpus.build.wordnet import WordNet, WordNetMissingError
from alt.corpus.entities import DEFAULT_CORPUS, EntityCorpus
from alt.corpus.labels import LABELS_DIR

WORDNET = Path("/usr/share/wordnet")
pytestmark = pytest.mark.skipif(
    not (WORDNET / "index.noun").exists(),
    reason="WordNet missing: install it with `sudo apt-get install wordnet-base` (CI does)",
)
LABELS = ["jumping into pool", "playing guitar", "brush_hair", "ApplyEyeMakeup", "petting animal (not cat)"]


@pytest.fixture(scope="module")
def labels_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("labels") / "mine.txt"
    path.write_text("\n".join(LABELS) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(labels_file) -> EntityCorpus:
    return build_corpus([labels_file])


def test_label_parse_finds_verbs_nouns_and_ignores_negations():
    wn = WordNet()
    assert parse_label(wn, "jumping into pool").verbs == ["jump"]
    assert parse_label(wn, "jumping into pool").nouns == ["pool"]
    assert parse_label(wn, "brush hair").verbs == ["brush"]
    assert parse_label(wn, "eating ice cream").nouns == ["ice cream"]  # WordNet compound, one unit
    assert parse_label(wn, "brushing teeth").nouns == ["tooth"]       # morphy lemma
    assert "cat" not in parse_label(wn, "petting animal (not cat)").nouns


def test_small_build_has_units_kinds_and_glosses(small):
    kinds = {e.unit: e.kind for e in small}
    assert kinds["jump"] == "motion" and kinds["pool"] in ("object", "scene")
    assert kinds["guitar"] == "object" and kinds["hair"] == "body_part" and kinds["tooth"] == "body_part"
    assert kinds["head"] == kinds["foot"] == kinds["hand"] == "body_part"  # always included
    guitar = small[small.index("guitar")]
    assert "stringed instrument" in guitar.description and guitar.source.split(":")[1].startswith("guitar.n")
    assert small[small.index("jump")].actions == ("jumping into pool",)
    assert "apply eye makeup" in small[small.index("makeup")].actions
    assert small[small.index("cat")].actions == ()  # "(not cat)" is no evidence for a cat
    assert "guitarist" in small


def test_build_is_deterministic_and_ordered(labels_file, small):
    again = build_corpus([labels_file])
    assert again.to_jsonl() == small.to_jsonl()
    order = [(("object", "body_part", "scene", "motion", "role", "attribute").index(e.kind), e.unit) for e in small]
    assert order == sorted(order)


def test_cli_writes_file_and_reports_errors(labels_file, tmp_path, small):
    out = tmp_path / "c.jsonl"
    assert alt_main(["corpus", "build", "--labels", str(labels_file), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == small.to_jsonl()
    # a missing label file is an input error: one line, exit code 2 like every other command
    assert alt_main(["corpus", "build", "--labels", str(tmp_path / "missing.txt"), "--out", str(out)]) == 2


def test_missing_wordnet_says_how_to_install(tmp_path, labels_file):
    with pytest.raises(WordNetMissingError, match="apt-get install wordnet-base"):
        build_corpus([labels_file], wordnet_dir=tmp_path)


def test_default_corpus_is_reproduced_byte_for_byte(tmp_path):
    out = tmp_path / "default.jsonl"
    files = [str(LABELS_DIR / f"{n}.txt") for n in ("kinetics400", "hmdb51", "ucf101")]
    assert alt_main(["corpus", "build", "--labels", *files, "--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_CORPUS.read_bytes(), (
        "alt/corpus/data/default.jsonl is stale: rebuild it with `alt corpus build "
        "--labels kinetics400 hmdb51 ucf101 --out alt/corpus/data/default.jsonl`")
