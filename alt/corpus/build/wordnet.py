"""A small, dependency-free reader of the Princeton WordNet 3.0 database files.

The corpus builder needs four things from WordNet: which parts of speech a word has, its
lemma (morphy), its senses in frequency order with their glosses and lexicographer files, and
a few pointers (hypernyms, part meronyms, derivations). This module reads them straight from
the plain-text database (``index.*``, ``data.*``, ``*.exc``) that Debian's ``wordnet-base``
package installs in ``/usr/share/wordnet``; nltk's reader would need a ``lexnames`` file that
package lacks, and it refuses paths outside its own data folders.

Format reference: the WordNet manual pages ``wndb(5WN)`` and ``morphy(7WN)``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from alt.errors import WordNetMissingError

logger = logging.getLogger(__name__)

#: Where Debian/Ubuntu's ``wordnet-base`` puts the database; ``ALT_WORDNET_DIR`` overrides it.
DEFAULT_WORDNET_DIR = Path("/usr/share/wordnet")
INSTALL_HINT = (
    "WordNet 3.0 database not found in {path}. Install it with "
    "`sudo apt-get install wordnet-base` (Debian/Ubuntu), or point ALT_WORDNET_DIR / "
    "--wordnet-dir at a folder holding index.noun, data.noun, noun.exc, ... (any WordNet 3.0 'dict' folder)."
)
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}

# The 45 lexicographer files of WordNet 3.0 (the `lexnames` file), indexed by lex_filenum.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()

# morphy's detachment rules (morphy(7WN)), tried in this order.
_RULES = {
    "n": [("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
          ("shes", "sh"), ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
          ("ing", "e"), ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}
_MARKER = re.compile(r"\([a-z]+\)$")  # adjective position markers such as "(a)", "(ip)"


@dataclass(frozen=True)
class Synset:
    """One WordNet sense.

    Attributes:
        name: nltk-style name, e.g. ``"hand.n.01"`` (first lemma, POS, sense number).
        pos: ``"n"``, ``"v"``, ``"a"`` or ``"r"`` (adjective satellites are reported as ``"a"``).
        offset: byte offset in ``data.<pos>``; with ``pos`` it identifies the synset.
        lexname: lexicographer file, e.g. ``"noun.body"``.
        lemmas: the synset's words, lower case, spaces instead of underscores.
        definition: the gloss without its examples.
        examples: the quoted example sentences of the gloss.
        pointers: ``(symbol, pos, offset, source_word, target_word)``; word numbers count from
            1, and 0 means the whole synset (a semantic pointer).
    """

    name: str
    pos: str
    offset: int
    lexname: str
    lemmas: tuple[str, ...]
    definition: str
    examples: tuple[str, ...] = ()
    pointers: tuple[tuple[str, str, int, int, int], ...] = field(default=(), repr=False)


class WordNet:
    """Read-only access to a WordNet 3.0 database folder.

    Args:
        path: folder with ``index.noun``, ``data.noun``, ``noun.exc`` etc.; default
            ``$ALT_WORDNET_DIR`` or ``/usr/share/wordnet``.

    Raises:
        WordNetMissingError: the folder or one of its files is missing (message says how to install).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or os.environ.get("ALT_WORDNET_DIR") or DEFAULT_WORDNET_DIR)
        for pos_file in POS_FILES.values():
            for stem in ("index.", "data."):
                if not (self.path / f"{stem}{pos_file}").is_file():
                    raise WordNetMissingError(INSTALL_HINT.format(path=self.path))
        self._index: dict[str, dict[str, list[int]]] = {}
        self._data: dict[str, bytes] = {}
        self._exc: dict[str, dict[str, list[str]]] = {}
        self._cache: dict[tuple[str, int], Synset] = {}

    # -- raw files -------------------------------------------------------------------------
    def _index_of(self, pos: str) -> dict[str, list[int]]:
        if pos not in self._index:
            table: dict[str, list[int]] = {}
            with open(self.path / f"index.{POS_FILES[pos]}", encoding="utf-8") as fp:
                for line in fp:
                    if line.startswith(" "):  # licence header
                        continue
                    parts = line.split()
                    n_synsets, n_ptrs = int(parts[2]), int(parts[3])
                    table[parts[0]] = [int(x) for x in parts[6 + n_ptrs: 6 + n_ptrs + n_synsets]]
            self._index[pos] = table
        return self._index[pos]

    def _exceptions(self, pos: str) -> dict[str, list[str]]:
        if pos not in self._exc:
            table: dict[str, list[str]] = {}
            exc = self.path / f"{POS_FILES[pos]}.exc"
            if exc.is_file():
                with open(exc, encoding="utf-8") as fp:
                    for line in fp:
                        parts = line.split()
                        if len(parts) >= 2:
                            table[parts[0]] = parts[1:]
            self._exc[pos] = table
        return self._exc[pos]

    def _line(self, pos: str, offset: int) -> str:
        if pos not in self._data:
            self._data[pos] = (self.path / f"data.{POS_FILES[pos]}").read_bytes()
        data = self._data[pos]
        return data[offset: data.index(b"\n", offset)].decode("utf-8")

    # -- public API ------------------------------------------------------------------------
    def has(self, lemma: str, pos: str) -> bool:
        """Whether ``lemma`` (spaces or underscores) is an entry for ``pos``."""
        return lemma.lower().replace(" ", "_") in self._index_of(pos)

    def morphy(self, word: str, pos: str) -> list[str]:
        """All base forms of ``word`` found in WordNet for ``pos``, exception list first.

        Unlike nltk's ``morphy`` (which returns only the first) this returns every
        candidate so the caller can choose, e.g. between ``"glasses"`` and ``"glass"``.
        """
        form = word.lower().replace(" ", "_")
        found: list[str] = []
        for base in self._exceptions(pos).get(form, []):
            if self.has(base, pos) and base not in found:
                found.append(base)
        if self.has(form, pos) and form not in found:
            found.append(form)
        for old, new in _RULES[pos]:
            if form.endswith(old):
                base = form[: len(form) - len(old)] + new
                if base and self.has(base, pos) and base not in found:
                    found.append(base)
        return [f.replace("_", " ") for f in found]

    def synsets(self, lemma: str, pos: str) -> list[Synset]:
        """Senses of an exact lemma (no morphology), most frequent first."""
        offsets = self._index_of(pos).get(lemma.lower().replace(" ", "_"), [])
        return [self.synset(pos, off) for off in offsets]

    def synset(self, pos: str, offset: int) -> Synset:
        """The synset at ``offset`` of ``data.<pos>``."""
        key = (pos, offset)
        if key not in self._cache:
            self._cache[key] = self._parse(pos, self._line(pos, offset))
        return self._cache[key]

    def related(self, synset: Synset, symbol: str, source: str | None = None) -> list[tuple[Synset, int]]:
        """Targets of the pointers with ``symbol`` (``"@"`` hypernym, ``"%p"`` part meronym, ...).

        Args:
            synset: where the pointers start.
            symbol: the pointer symbol (wndb(5WN)).
            source: keep only lexical pointers that start at this lemma of ``synset``.

        Returns:
            ``(synset, word)`` pairs; ``word`` is the target lemma's number, 0 for a semantic pointer.
        """
        out = []
        for sym, pos, off, src, tgt in synset.pointers:
            if sym != symbol or (source is not None and (src == 0 or synset.lemmas[src - 1] != source)):
                continue
            out.append((self.synset(pos, off), tgt))
        return out

    def _parse(self, pos: str, line: str) -> Synset:
        head, _, gloss = line.partition(" | ")
        parts = head.split()
        offset, lex_num = int(parts[0]), int(parts[1])
        n_words = int(parts[3], 16)
        words = [_MARKER.sub("", parts[4 + 2 * i]) for i in range(n_words)]
        i = 4 + 2 * n_words
        n_ptrs = int(parts[i])
        pointers = []
        for j in range(n_ptrs):
            sym, off, ptr_pos, src_tgt = parts[i + 1 + 4 * j: i + 5 + 4 * j]
            ptr_pos = "a" if ptr_pos == "s" else ptr_pos
            pointers.append((sym, ptr_pos, int(off), int(src_tgt[:2], 16), int(src_tgt[2:], 16)))
        definition, examples = _split_gloss(gloss.strip())
        first = words[0].lower()
        offsets = self._index_of(pos).get(first, [])
        number = offsets.index(offset) + 1 if offset in offsets else 1
        return Synset(
            name=f"{first}.{pos}.{number:02d}",
            pos=pos,
            offset=offset,
            lexname=LEXNAMES[lex_num] if lex_num < len(LEXNAMES) else "unknown",
            lemmas=tuple(w.lower().replace("_", " ") for w in words),
            definition=definition,
            examples=examples,
            pointers=tuple(pointers),
        )


def _split_gloss(gloss: str) -> tuple[str, tuple[str, ...]]:
    """Split a gloss into its definition and its quoted examples."""
    examples = tuple(m.strip() for m in re.findall(r'"([^"]*)"', gloss))
    definition = re.split(r';?\s*"', gloss, maxsplit=1)[0].strip().rstrip(";").strip()
    return definition or gloss, examples


@functools.lru_cache(maxsize=4)
def load_wordnet(path: str | None = None) -> WordNet:
    """A cached :class:`WordNet` for ``path`` (``None``: the default location)."""
    return WordNet(path)
