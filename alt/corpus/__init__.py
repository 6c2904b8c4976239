"""The entity corpus: EntityCorpus (entities), the shipped label lists (labels, data/labels/), the
default corpus (data/default.jsonl), and build/, the offline WordNet + Lesk builder behind
`alt corpus build`. No torch: embedding entities is the model's job (alt/model/text.py)."""

from alt.corpus.entities import DEFAULT_CORPUS, KINDS, Entity, EntityCorpus
from alt.errors import CorpusError

__all__ = ["DEFAULT_CORPUS", "KINDS", "CorpusError", "Entity", "EntityCorpus"]
