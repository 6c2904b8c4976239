"""The offline corpus builder: WordNet reader (wordnet), label parsing and Lesk (senses), curated word lists
(vocab), and the pipeline (builder)."""
