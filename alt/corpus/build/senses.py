"""Reading action labels with WordNet: action verbs, nouns, compounds, phrases, and Lesk.

Without a POS tagger a label's words are classified with WordNet alone:

* an ``-ing`` word whose verb lemma differs from it ("jumping" -> "jump") is an action verb;
  a label with none ("brush hair", "long jump") takes the word with the highest share of
  verb senses, if that share is at least :data:`VERB_SHARE`;
* runs of words that are a WordNet noun compound ("ice cream", "punching bag") are one unit;
* the other content words with noun senses are nouns, lemmatised with morphy;
* two adjacent modifiers + noun not in WordNet ("eye makeup") make a phrase.

:func:`lesk` then picks the sense that fits the label (simplified Lesk: overlap of the label's
words with the sense's gloss, examples, lemmas and hypernyms, plus a bonus for visible things
and a smaller one for the most frequent sense; ties go to the more frequent sense; named
individuals are skipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alt.corpus.build.vocab import KEEP_PLURAL_LEXNAMES, LIGHT_VERBS, STOP_WORDS, VISUAL_LEXNAMES
from alt.corpus.build.wordnet import Synset, WordNet

#: Minimum share of verb senses for the verb of a label without an ``-ing`` word.
VERB_SHARE = 0.4
#: Lesk bonus for senses in :data:`VISUAL_LEXNAMES` and for the most frequent sense.
VISUAL_BONUS = 1.0
FIRST_SENSE_BONUS = 0.5
_WORD = re.compile(r"[a-z]+")


@dataclass
class LabelParse:
    """What a label contributes. All lemmas use spaces, not underscores."""

    label: str
    verbs: list[str] = field(default_factory=list)      # action verb lemmas ("jump")
    nouns: list[str] = field(default_factory=list)      # noun lemmas and WordNet compounds
    phrases: list[tuple[str, str]] = field(default_factory=list)  # (phrase, head noun lemma)
    context: set[str] = field(default_factory=set)      # stemmed content words for Lesk


def stem(word: str) -> str:
    """A crude suffix stripper used only to compare words in Lesk ("pools" ~ "pool")."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """Lower-case words of ``text`` minus stop words."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def noun_lemma(wn: WordNet, word: str) -> str | None:
    """The noun lemma of ``word``: singular unless the plural has an object sense of its own."""
    bases = wn.morphy(word, "n")
    if not bases:
        return None
    singular = [b for b in bases if b != word]
    if word in bases and any(s.lexname in KEEP_PLURAL_LEXNAMES for s in wn.synsets(word, "n")):
        return word
    return singular[0] if singular else bases[0]


def _verb_share(wn: WordNet, word: str) -> tuple[float, str | None]:
    verbs = [b for b in wn.morphy(word, "v") if b not in LIGHT_VERBS]
    if not verbs:
        return 0.0, None
    n_v = len(wn.synsets(verbs[0], "v"))
    others = 0
    for pos in ("n", "a"):
        bases = wn.morphy(word, pos)
        others += len(wn.synsets(bases[0], pos)) if bases else 0
    return n_v / (n_v + others), verbs[0]


def _is_person(wn: WordNet, word: str) -> bool:
    senses = wn.synsets(word, "n")
    return bool(senses) and senses[0].lexname == "noun.person"


def parse_label(wn: WordNet, label: str) -> LabelParse:
    """Split a humanised label into action verbs, nouns, compounds and phrases.

    Parenthesised words ("hurling (sport)") only add Lesk context, and words after "not"
    ("petting animal (not cat)") are ignored.
    """
    out = LabelParse(label)
    main = re.sub(r"\([^)]*\)", " ", label)
    for group in re.findall(r"\(([^)]*)\)", label):
        if not group.strip().startswith("not"):
            out.context.update(stem(w) for w in content_words(group))
    raw = [w for w in re.findall(r"[a-z]+(?:'s)?", main.lower()) if len(w) > 1]
    possessive = {i for i, w in enumerate(raw) if w.endswith("'s")}
    words = [w.removesuffix("'s") for w in raw]
    kind: list[str] = ["stop" if w in STOP_WORDS else "" for w in words]

    _mark_verbs(wn, words, kind, out)  # 1. action verbs
    _mark_compounds(wn, words, kind, out)  # 2. WordNet compounds
    lemmas = _mark_nouns(wn, words, kind, out)  # 3. nouns
    _mark_phrases(wn, words, kind, lemmas, possessive, out)  # 4. modifier + noun phrases
    out.context.update(stem(w) for w in words if w not in STOP_WORDS)
    out.context.update(stem(v) for v in out.verbs)
    out.context.update(stem(x) for n in out.nouns for x in n.split())
    return out


def _mark_verbs(wn: WordNet, words: list[str], kind: list[str], out: LabelParse) -> None:
    """Mark the action verbs in `kind` and add their lemmas to `out.verbs`: every ``-ing`` word with a
    different verb lemma, or else the word with the highest share of verb senses (at least VERB_SHARE)."""
    for i, w in enumerate(words):
        if not kind[i] and w.endswith("ing") and len(w) > 4:
            bases = [b for b in wn.morphy(w, "v") if b != w]
            if bases:
                kind[i] = "verb"
                if bases[0] not in LIGHT_VERBS:
                    out.verbs.append(bases[0])
    if "verb" in kind:
        return
    best = (0.0, -1, None)
    for i, w in enumerate(words):
        if not kind[i]:
            share, lemma = _verb_share(wn, w)
            if share > best[0]:
                best = (share, i, lemma)
    if best[0] >= VERB_SHARE and best[2]:
        kind[best[1]] = "verb"
        out.verbs.append(best[2])


def _mark_compounds(wn: WordNet, words: list[str], kind: list[str], out: LabelParse) -> None:
    """Mark runs of words that are a WordNet noun compound, longest first, left to right, and add them
    to `out.nouns`. A run holding a verb counts only if the compound is a visible thing."""
    i = 0
    while i < len(words):
        for n in (3, 2):
            span = words[i: i + n]
            if len(span) < n or any(k == "stop" for k in kind[i: i + n]):
                continue
            head = noun_lemma(wn, span[-1]) or span[-1]
            compound = " ".join(span[:-1] + [head])
            senses = wn.synsets(compound, "n")
            if senses and ("verb" not in kind[i: i + n] or senses[0].lexname in VISUAL_LEXNAMES):
                out.nouns.append(compound)
                kind[i: i + n] = ["compound"] * n
                i += n - 1
                break
        i += 1


def _mark_nouns(wn: WordNet, words: list[str], kind: list[str], out: LabelParse) -> list[str | None]:
    """Mark the remaining words with noun senses (added to `out.nouns`) and adjectives; returns each
    word's noun lemma (None where it is not a noun)."""
    lemmas: list[str | None] = [None] * len(words)
    for i, w in enumerate(words):
        if not kind[i]:
            lemma = noun_lemma(wn, w)
            if lemma and lemma not in STOP_WORDS:
                kind[i], lemmas[i] = "noun", lemma
                out.nouns.append(lemma)
            elif wn.morphy(w, "a"):
                kind[i] = "adj"
    return lemmas


def _mark_phrases(wn: WordNet, words: list[str], kind: list[str], lemmas: list[str | None],
                  possessive: set[int], out: LabelParse) -> None:
    """Add modifier + noun phrases to `out.phrases`.

    A phrase is exactly two modifier+noun words between non-nouns ("speed bag", not "rock scissors
    paper"); possessives ("person's head") and person modifiers ("dry") don't count.
    """
    padded = ["", *kind, ""]
    for i in range(1, len(words)):
        if (kind[i] == "noun" and kind[i - 1] in ("noun", "adj") and lemmas[i]
                and padded[i - 1] not in ("noun", "adj") and padded[i + 2] != "noun"
                and i - 1 not in possessive and not _is_person(wn, words[i - 1])):
            out.phrases.append((f"{words[i - 1]} {lemmas[i]}", lemmas[i]))


def signature(wn: WordNet, sense: Synset) -> set[str]:
    """Stemmed words of a sense's gloss, examples, lemmas and its hypernyms' lemmas and glosses."""
    text = [sense.definition, *sense.examples, *sense.lemmas]
    for hyper, _ in wn.related(sense, "@") + wn.related(sense, "@i"):
        text += [hyper.definition, *hyper.lemmas]
    return {stem(w) for t in text for w in content_words(t)}


def lesk(wn: WordNet, senses: list[Synset], context: set[str], exclude: set[str] = frozenset()) -> Synset | None:
    """The sense whose signature overlaps ``context`` most (visual bonus; ties: most frequent).

    Args:
        wn: the WordNet the senses come from.
        senses: candidate senses, most frequent first.
        context: stemmed context words (e.g. from the labels the unit occurs in).
        exclude: stemmed words not to count (the unit's own words).

    Returns:
        The chosen sense, or None when ``senses`` is empty.
    """
    ctx = context - exclude
    # instances ("Cook": the navigator) are named individuals, never what a video shows
    common = [s for s in senses if not any(p[0] == "@i" for p in s.pointers)] or senses
    best, best_score = None, float("-inf")
    for rank, sense in enumerate(common):
        score = len(signature(wn, sense) & ctx)
        score += VISUAL_BONUS * (sense.lexname in VISUAL_LEXNAMES) + FIRST_SENSE_BONUS * (rank == 0)
        if score > best_score:  # strict: earlier (more frequent) senses win ties
            best, best_score = sense, score
    return best
