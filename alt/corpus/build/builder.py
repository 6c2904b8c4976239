"""``alt corpus build``: an entity corpus from action label lists, offline and deterministic.

Pipeline (see assets/README.md, "Labels and corpus"):

1. read and humanise the labels (:mod:`alt.corpus.labels`);
2. per label: action verbs -> ``motion``, nouns and WordNet compounds, modifier+noun phrases
   (:func:`alt.corpus.build.senses.parse_label`);
3. pick every unit's WordNet sense by Lesk over the words of all labels it occurs in; its
   lexicographer file gives the kind (``noun.body`` -> body_part, ``noun.location`` -> scene,
   ``noun.person`` -> role, ...), its gloss the description; abstract senses are dropped;
4. add the fixed vocabularies (body parts, scenes, primitive motions, roles, attributes),
   the visible part meronyms of label objects ("bicycle" -> "pedal") and the agent nouns of
   label verbs ("dance" -> "dancer");
5. de-duplicate by lemma (first source wins, actions are merged), sort by kind then unit;
6. optionally describe phrases with an LLM (any OpenAI-compatible endpoint; off by default).

Usage: ``alt corpus build --labels kinetics400 hmdb51 ucf101 --out c.jsonl`` (alt/cli/corpus.py).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from alt.corpus.build.senses import content_words, lesk, parse_label, stem
from alt.corpus.build.vocab import INVISIBLE_WORDS, LEXNAME_KIND, VOCAB
from alt.corpus.build.wordnet import Synset, WordNet
from alt.corpus.entities import KINDS, Entity, EntityCorpus
from alt.corpus.labels import humanize_label, load_labels

logger = logging.getLogger(__name__)
DEFAULT_LLM_MODEL = "gpt-4o-mini"
AGENT_SUFFIXES = ("er", "or", "ist", "ant", "ent")
LLM_PROMPT = ("In one short sentence, describe what '{unit}' looks like in a video of a person "
              "{action}. Describe only its visual appearance; do not repeat the words '{unit}'.")


@dataclass
class _Unit:
    unit: str
    kind: str
    description: str
    source: str
    actions: set[str] = field(default_factory=set)
    context: str = ""  # one action, for the LLM prompt


def _read_labels(label_files: list[str | Path]) -> list[str]:
    labels: list[str] = []
    for spec in label_files:
        for name in load_labels(spec):
            if name not in labels:
                labels.append(name)
    return labels


def _occurrences(wn: WordNet, labels: list[str]) -> tuple[dict, dict]:
    """(unit, pos) -> labels it occurs in, and phrase -> (head, labels)."""
    occ: dict[tuple[str, str], list[str]] = {}
    phrases: dict[str, tuple[str, list[str]]] = {}
    for label in tqdm(labels, desc="parsing labels", disable=None):
        parsed = parse_label(wn, label)
        for verb in parsed.verbs:
            occ.setdefault((verb, "v"), []).append(label)
        for noun in parsed.nouns:
            occ.setdefault((noun, "n"), []).append(label)
        for phrase, head in parsed.phrases:
            phrases.setdefault(phrase, (head, []))[1].append(label)
    return occ, phrases


def _context(wn: WordNet, labels: list[str]) -> set[str]:
    return set().union(*(parse_label(wn, a).context for a in labels)) if labels else set()


def _label_units(wn: WordNet, labels: list[str]) -> tuple[list[_Unit], list[tuple[_Unit, Synset]]]:
    occ, phrases = _occurrences(wn, labels)
    units: list[_Unit] = []
    senses: list[tuple[_Unit, Synset]] = []
    # a lemma seen as both noun and verb keeps the reading with more labels (ties: noun)
    for (unit, pos), acts in tqdm(sorted(occ.items()), desc="disambiguating", disable=None):
        other = occ.get((unit, "n" if pos == "v" else "v"), [])
        if len(other) > len(acts) or (pos == "v" and len(other) == len(acts)):
            continue
        sense = lesk(wn, wn.synsets(unit, pos), _context(wn, acts), {stem(w) for w in unit.split()})
        kind = "motion" if pos == "v" else LEXNAME_KIND.get(sense.lexname) if sense else None
        if sense is None or kind is None:
            logger.debug("dropping %r (%s)", unit, sense.lexname if sense else "no sense")
            continue
        item = _Unit(unit, kind, sense.definition, f"label:{sense.name}", set(other) | set(acts), acts[0])
        units.append(item)
        senses.append((item, sense))
    head_senses = {item.unit: (item.kind, sense) for item, sense in senses}
    for phrase, (head, acts) in sorted(phrases.items()):
        # the head keeps the sense it got from all its labels ("speed bag": bag.n.01)
        kind, sense = head_senses.get(head, (None, None))
        if kind in ("object", "body_part", "scene"):
            units.append(_Unit(phrase, kind, f"a kind of {head}: {sense.definition}",
                               "phrase:template", set(acts), acts[0]))
    return units, senses


def _vocab_units(wn: WordNet) -> tuple[list[_Unit], list[tuple[_Unit, Synset]]]:
    units, chosen = [], []
    for kind, (words, lexnames, context) in VOCAB.items():
        pos = {"motion": "v", "attribute": "a"}.get(kind, "n")
        ctx = {stem(w) for w in content_words(context)}
        for word in words:
            lemma = word.replace("_", " ")
            senses = wn.synsets(lemma, pos)
            # Lesk among the senses in a fitting lexicographer file ("back": the body part)
            fitting = [s for s in senses if s.lexname in lexnames] or senses
            sense = lesk(wn, fitting, ctx, {stem(lemma)})
            if sense is None:
                logger.warning("vocabulary word %r has no WordNet %s sense; skipped", lemma, pos)
                continue
            item = _Unit(lemma, kind, sense.definition, f"vocab:{sense.name}", context=lemma)
            units.append(item)
            chosen.append((item, sense))
    return units, chosen


def _related_units(wn: WordNet, senses: list[tuple[_Unit, Synset]]) -> list[_Unit]:
    """Visible part meronyms of objects/body parts and agent nouns (roles) of motions."""
    units = []
    for item, sense in senses:
        if item.kind == "motion" and sense.pos == "v":
            agents = [(t.lemmas[w - 1] if w else t.lemmas[0], t) for t, w in
                      wn.related(sense, "+", source=item.unit) if t.lexname == "noun.person"]
            # prefer agent nouns ("trainer") to patients ("trainee")
            agents.sort(key=lambda a: not a[0].endswith(AGENT_SUFFIXES))
            for name, target in agents[:1]:
                units.append(_Unit(name, "role", target.definition, f"derived:{target.name}",
                                   set(item.actions), item.context))
        elif item.kind in ("object", "body_part"):
            for part, _ in wn.related(sense, "%p"):
                name, kind = part.lemmas[0], LEXNAME_KIND.get(part.lexname)
                # body-part meronyms are mostly internal (uvea, trachea); the vocabulary has the visible ones
                if kind != "object" or not part.name.endswith(".01"):
                    continue
                if INVISIBLE_WORDS & set(name.split()) or len(name.split()) > 2:
                    continue
                units.append(_Unit(name, kind, part.definition, f"meronym:{part.name}",
                                   set(item.actions), item.context))
    return units


def _merge(groups: list[list[_Unit]]) -> list[_Unit]:
    """De-duplicate by unit: the first occurrence wins, actions are merged."""
    merged: dict[str, _Unit] = {}
    for group in groups:
        for item in group:
            if item.unit in merged:
                merged[item.unit].actions |= item.actions
            else:
                merged[item.unit] = item
    return sorted(merged.values(), key=lambda u: (KINDS.index(u.kind), u.unit))


def _llm_describe(items: list[_Unit], endpoint: str, model: str) -> None:
    """Replace phrase descriptions with LLM answers; failures keep the template (logged)."""
    url = endpoint.rstrip("/")
    url = url if url.endswith("/chat/completions") else url + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if os.environ.get("OPENAI_API_KEY"):
        headers["Authorization"] = f"Bearer {os.environ['OPENAI_API_KEY']}"
    for item in tqdm(items, desc="LLM descriptions", disable=None):
        prompt = LLM_PROMPT.format(unit=item.unit, action=item.context)
        body = {"model": model, "temperature": 0, "messages": [{"role": "user", "content": prompt}]}
        request = urllib.request.Request(url, json.dumps(body).encode(), headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = json.load(response)["choices"][0]["message"]["content"]
        except (OSError, ValueError, KeyError, IndexError, TypeError) as err:
            logger.warning("LLM description of %r failed (%s); keeping the template", item.unit, err)
            continue
        if text and text.strip():
            item.description, item.source = " ".join(text.split()), f"phrase:llm:{model}"


def build_corpus(label_files: list[str | Path], *, wordnet_dir: str | Path | None = None,
                 llm_endpoint: str | None = None, llm_model: str | None = None) -> EntityCorpus:
    """Build an entity corpus from label files (see the module docstring).

    Args:
        label_files: label files (one class name per line) or names of shipped lists
            ("kinetics400", "hmdb51", "ucf101", ...).
        wordnet_dir: WordNet 3.0 database folder; default ``$ALT_WORDNET_DIR`` or /usr/share/wordnet.
        llm_endpoint: base URL of an OpenAI-compatible API (e.g. ``http://localhost:8000/v1``) to
            describe phrases; ``None`` (default) keeps everything offline and deterministic.
        llm_model: model name for the endpoint (default ``gpt-4o-mini``).

    Returns:
        The corpus; the same inputs give the same corpus, byte for byte, without an LLM.

    Raises:
        WordNetMissingError: WordNet is not installed (the message says how to install it).
        ValueError: a label file is empty or has duplicates; FileNotFoundError: no such file.
    """
    wn = WordNet(wordnet_dir)
    labels = _read_labels(label_files)
    logger.info("building a corpus from %d labels", len(labels))
    label_units, label_senses = _label_units(wn, labels)
    vocab, vocab_senses = _vocab_units(wn)
    # vocabulary senses and kinds win, but vocabulary words found in labels get those actions
    items = _merge([vocab, label_units, _related_units(wn, label_senses + vocab_senses)])
    if llm_endpoint:
        _llm_describe([u for u in items if u.source.startswith("phrase:")], llm_endpoint,
                      llm_model or DEFAULT_LLM_MODEL)
    entities = [Entity(u.unit, u.kind, u.description, u.source, tuple(sorted(u.actions))) for u in items]
    return EntityCorpus(entities, name="built corpus")


__all__ = ["build_corpus", "humanize_label"]
