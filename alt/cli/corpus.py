"""`alt corpus build`: an entity corpus from label lists (offline, deterministic; alt/corpus/build/)."""

from __future__ import annotations

import argparse
import logging

from alt.cli.output import emit

logger = logging.getLogger(__name__)


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    """The `corpus build` options."""
    from alt.corpus.build.builder import DEFAULT_LLM_MODEL
    from alt.corpus.labels import BUILTIN_LABELS

    parser.add_argument("--labels", nargs="+", required=True, metavar="FILE",
                        help=f"label files, one class per line, or shipped lists: {', '.join(BUILTIN_LABELS)}")
    parser.add_argument("--out", required=True, help="output corpus file (.jsonl)")
    parser.add_argument("--wordnet-dir", default=None,
                        help="WordNet 3.0 database folder (default: $ALT_WORDNET_DIR or /usr/share/wordnet)")
    parser.add_argument("--llm-endpoint", default=None,
                        help="OpenAI-compatible base URL for phrase descriptions (off by default; "
                             "the key is read from $OPENAI_API_KEY)")
    parser.add_argument("--llm-model", default=None, help=f"LLM model name (default {DEFAULT_LLM_MODEL})")


def run_build(args: argparse.Namespace) -> int:
    """Build and save the corpus; print the output path and counts per kind."""
    from alt.corpus.build.builder import build_corpus
    from alt.corpus.entities import KINDS

    corpus = build_corpus(args.labels, wordnet_dir=args.wordnet_dir,
                          llm_endpoint=args.llm_endpoint, llm_model=args.llm_model)
    corpus.save(args.out)
    counts = {k: sum(e.kind == k for e in corpus) for k in KINDS}
    emit(f"{len(corpus)} entities ({', '.join(f'{k} {n}' for k, n in counts.items())}) -> {args.out}")
    return 0
