"""`alt`'s parser and entry point: one sub-command per module of this package.

Every expected failure is an `ALTError` (alt/errors.py): `main` prints its message as one line on
stderr and exits 2, instead of a traceback. Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from alt.cli import corpus, evaluate, explain, push, train, world


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alt",
                                     description="ALT Explorer: why a video-language model recognises an action")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    _command(sub, "explain", "explain one clip; write JSON, PNG, PDF, MP4 and ZIP",
             explain.add_explain_arguments, explain.run_explain)
    _command(sub, "classify", "class probabilities for one clip, as JSON on stdout",
             explain.add_clip_arguments, explain.run_classify)
    _command(sub, "train", "train the adapter (few-shot or full) on a dataset folder or list file",
             train.add_train_arguments, train.run_train)
    _command(sub, "eval", "top-1/top-5 with temporal views, ALT vs the CLIP frame-mean baseline",
             evaluate.add_eval_arguments, evaluate.run_eval)
    tools = sub.add_parser("corpus", help="entity corpus tools").add_subparsers(dest="corpus_command", required=True)
    _command(tools, "build", "build an entity corpus from label lists (offline, deterministic)",
             corpus.add_build_arguments, corpus.run_build)
    _command(sub, "push", "upload a checkpoint folder to the Hugging Face Hub", push.add_push_arguments, push.run_push)
    world.add_world_commands(sub)
    return parser


def _command(sub: argparse._SubParsersAction, name: str, help: str,
             add_arguments: Callable[[argparse.ArgumentParser], None],
             run: Callable[[argparse.Namespace], int]) -> None:
    """Add the sub-command `name`: its options (`add_arguments`), and `run` as what it does."""
    p = sub.add_parser(name, help=help)
    add_arguments(p)
    p.set_defaults(func=run)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    from alt.errors import ALTError

    name = " ".join(filter(None, [args.command, getattr(args, "corpus_command", None),
                               getattr(args, "world_command", None)]))
    try:
        return int(args.func(args) or 0)
    except ALTError as exc:
        sys.stderr.write(f"alt {name}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"alt {name}: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
