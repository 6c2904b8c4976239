"""EntityCorpus: the entities ALT aligns image regions to, as data (no torch, no embedding).

A corpus file is JSON Lines, one entity per line::

    {"actions": ["brushing teeth"], "description": "hard bonelike structures in the jaws ...",
     "kind": "body_part", "source": "label:tooth.n.01", "unit": "tooth"}

``unit`` is the entity's name (unique), ``kind`` one of :data:`KINDS`, ``description`` the text
that explains it (a WordNet gloss by default), ``source`` where it came from, and ``actions`` the
class names it was drawn from (may be empty). The text the CLIP text encoder embeds for an entity
is ``"{unit}: {description}"`` (:meth:`EntityCorpus.texts`). A corpus is immutable: adding
run-time extras returns a new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alt.errors import CorpusError

logger = logging.getLogger(__name__)

#: Kinds a corpus file may hold.
KINDS = ("object", "body_part", "scene", "motion", "role", "attribute")
#: Kind of user-supplied entities added at run time (never valid in a file).
EXTRA_KIND = "extra"
FIELDS = ("actions", "description", "kind", "source", "unit")
#: The corpus shipped with the project, built by ``alt corpus build`` (package data; see assets/README.md).
DEFAULT_CORPUS = Path(str(resources.files("alt.corpus").joinpath("data", "default.jsonl")))
MAX_UNIT_CHARS = 100


@dataclass(frozen=True)
class Entity:
    """One corpus entry. See the module docstring for the meaning of each field."""

    unit: str
    kind: str
    description: str
    source: str
    actions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What the text encoder embeds: ``"{unit}: {description}"``."""
        return f"{self.unit}: {self.description}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``actions`` as a list)."""
        return {"unit": self.unit, "kind": self.kind, "description": self.description,
                "source": self.source, "actions": list(self.actions)}

    @classmethod
    def from_dict(cls, data: Any, where: str = "entity", *, allow_extra: bool = False) -> Entity:
        """Validate and build an entity from a JSON object.

        Raises:
            CorpusError: missing or unknown fields, wrong types, empty unit, unknown kind.
        """
        if not isinstance(data, dict):
            raise CorpusError(f"{where}: expected a JSON object, got {type(data).__name__}")
        missing = [f for f in FIELDS if f not in data]
        if missing:
            raise CorpusError(f"{where}: missing field(s) {', '.join(missing)}")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise CorpusError(f"{where}: unknown field(s) {', '.join(unknown)}")
        for name in ("unit", "kind", "description", "source"):
            if not isinstance(data[name], str):
                raise CorpusError(f"{where}: field {name!r} must be a string")
        unit = data["unit"]
        if not unit.strip() or unit != unit.strip() or "\n" in unit:
            raise CorpusError(f"{where}: unit must be a non-empty single-line string without "
                              f"surrounding spaces, got {unit!r}")
        if len(unit) > MAX_UNIT_CHARS:
            raise CorpusError(f"{where}: unit longer than {MAX_UNIT_CHARS} characters")
        kinds = KINDS + ((EXTRA_KIND,) if allow_extra else ())
        if data["kind"] not in kinds:
            raise CorpusError(f"{where}: unknown kind {data['kind']!r} (expected one of {', '.join(kinds)})")
        if not data["description"].strip():
            raise CorpusError(f"{where}: empty description for unit {unit!r}")
        actions = data["actions"]
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise CorpusError(f"{where}: field 'actions' must be a list of strings")
        return cls(unit, data["kind"], data["description"], data["source"], tuple(actions))


class EntityCorpus:
    """An immutable, validated list of entities.

    Args:
        entities: the entities, in order (their index is the entity id used by the model).
        name: where the corpus came from, for messages.
        allow_extra: accept kind ``"extra"`` (only corpora made by :meth:`with_extras`).

    Raises:
        CorpusError: empty, duplicate units, or invalid entities.
    """

    def __init__(self, entities: Iterable[Entity], *, name: str = "<memory>", allow_extra: bool = False) -> None:
        self._entities = tuple(entities)
        self.name = name
        if not self._entities:
            raise CorpusError(f"{name}: the corpus is empty")
        self._index: dict[str, int] = {}
        for i, ent in enumerate(self._entities):
            Entity.from_dict(ent.to_dict(), f"{name}: entity {i}", allow_extra=allow_extra)
            if ent.unit in self._index:
                raise CorpusError(f"{name}: duplicate unit {ent.unit!r} (entities {self._index[ent.unit]} and {i})")
            self._index[ent.unit] = i

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def load(cls, spec: str | Path = "default") -> EntityCorpus:
        """Load ``"default"`` (the shipped corpus) or a JSONL file.

        Raises:
            CorpusError: unreadable or malformed file (names the file and line).
        """
        path = DEFAULT_CORPUS if str(spec) == "default" else Path(spec)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise CorpusError(f"{path}: cannot read corpus file ({err})") from err
        return cls.from_jsonl(text, name=str(path))

    @classmethod
    def from_jsonl(cls, text: str, *, name: str = "<string>") -> EntityCorpus:
        """Parse JSON Lines text (blank lines are ignored)."""
        entities = []
        units: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{name}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(f"{where}: invalid JSON ({err.msg})") from err
            ent = Entity.from_dict(data, where)
            if ent.unit in units:
                raise CorpusError(f"{where}: duplicate unit {ent.unit!r} (first on line {units[ent.unit]})")
            units[ent.unit] = number
            entities.append(ent)
        if not entities:
            raise CorpusError(f"{name}: the corpus is empty")
        return cls(entities, name=name)

    @classmethod
    def from_entities(cls, entities: Iterable[Entity | dict[str, Any]], *, name: str = "<memory>") -> EntityCorpus:
        """Build from :class:`Entity` objects or dicts with the five fields."""
        items = [e if isinstance(e, Entity) else Entity.from_dict(e, f"{name}: entity {i}")
                 for i, e in enumerate(entities)]
        return cls(items, name=name)

    def with_extras(self, words: Sequence[str], *, wordnet_dir: str | Path | None = None) -> EntityCorpus:
        """A NEW corpus with user-supplied words appended as kind ``"extra"``.

        Words already in the corpus (or repeated) are skipped. The description is the first
        WordNet gloss of the word (noun, then verb, then adjective) when WordNet is installed,
        else the word itself. ``self`` is never changed.

        Raises:
            CorpusError: an empty or over-long word.
        """
        from alt.corpus.build.wordnet import WordNetMissingError, load_wordnet

        try:
            wn = load_wordnet(str(wordnet_dir) if wordnet_dir else None)
        except WordNetMissingError:
            wn = None
        extras: list[Entity] = []
        seen = set(self._index)
        for word in words:
            unit = " ".join(str(word).split())
            if not unit:
                raise CorpusError(f"extra entity {word!r}: empty word")
            if unit in seen:
                continue
            seen.add(unit)
            description, source = unit, "extra"
            for pos in ("n", "v", "a") if wn else ():
                bases = wn.morphy(unit, pos)
                if bases:
                    sense = wn.synsets(bases[0], pos)[0]
                    description, source = sense.definition, f"extra:{sense.name}"
                    break
            extras.append(Entity(unit, EXTRA_KIND, description, source, ()))
        if not extras:
            return self
        return EntityCorpus(self._entities + tuple(extras), name=f"{self.name}+extras", allow_extra=True)

    # -- access ----------------------------------------------------------------------------
    @property
    def entities(self) -> tuple[Entity, ...]:
        """All entities, in id order."""
        return self._entities

    @property
    def units(self) -> list[str]:
        """Entity names, in id order."""
        return [e.unit for e in self._entities]

    def index(self, unit: str) -> int:
        """Id of the entity named ``unit``. Raises ``KeyError`` if absent."""
        try:
            return self._index[unit]
        except KeyError:
            raise KeyError(f"no entity {unit!r} in corpus {self.name}") from None

    def texts(self) -> list[str]:
        """``"{unit}: {description}"`` for every entity: the text encoder's input."""
        return [e.text for e in self._entities]

    def __len__(self) -> int:
        return len(self._entities)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self._entities)

    def __getitem__(self, i: int) -> Entity:
        return self._entities[i]

    def __contains__(self, unit: object) -> bool:
        return unit in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntityCorpus) and self._entities == other._entities

    def __hash__(self) -> int:
        return hash(self._entities)

    def __repr__(self) -> str:
        return f"EntityCorpus({len(self)} entities from {self.name})"

    # -- serialisation ---------------------------------------------------------------------
    def to_jsonl(self) -> str:
        """Canonical text: one JSON object per line, sorted keys, UTF-8 kept, trailing newline."""
        return "".join(json.dumps(e.to_dict(), sort_keys=True, ensure_ascii=False) + "\n"
                       for e in self._entities)

    def content_hash(self) -> str:
        """sha256 hex digest of :meth:`to_jsonl` (keys embedding caches); computed once, the corpus being immutable
        (every explain call asks for it)."""
        digest = self.__dict__.get("_content_hash")
        if digest is None:
            digest = self.__dict__["_content_hash"] = hashlib.sha256(self.to_jsonl().encode("utf-8")).hexdigest()
        return digest

    def save(self, path: str | Path) -> Path:
        """Write the canonical JSONL to ``path`` (parent folders created).

        Raises:
            CorpusError: the corpus holds run-time extras, which never go to disk.
        """
        if any(e.kind == EXTRA_KIND for e in self._entities):
            raise CorpusError("refusing to save run-time extra entities; save the base corpus instead")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_jsonl(), encoding="utf-8", newline="\n")
        logger.info("wrote %d entities to %s", len(self), path)
        return path
