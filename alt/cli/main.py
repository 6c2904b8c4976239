"""`alt`'s parser and entry point: one sub-command per module of this package.

Every expected failure is an `ALTError` (alt/errors.py): `main` prints its message as one line on
stderr and exits 2, instead of a traceback. Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from alt.cli import corpus, evaluate, explain, push, train, world


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alt", description="ALT Explorer: why a video-language model recognises an action")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("explain", help="explain one clip; write JSON, PNG, PDF, MP4 and ZIP")
    explain.add_explain_arguments(p)
    p.set_defaults(func=explain.run_explain)

    p = sub.add_parser("classify", help="class probabilities for one clip, as JSON on stdout")
    explain.add_clip_arguments(p)
    p.set_defaults(func=explain.run_classify)

    p = sub.add_parser("train", help="train the adapter (few-shot or full) on a dataset folder or list file")
    train.add_train_arguments(p)
    p.set_defaults(func=train.run_train)

    p = sub.add_parser("eval", help="top-1/top-5 with temporal views, ALT vs the CLIP baseline")
    evaluate.add_eval_arguments(p)
    p.set_defaults(func=evaluate.run_eval)

    tools = sub.add_parser("corpus", help="entity corpus tools").add_subparsers(dest="corpus_command", required=True)
    p = tools.add_parser("build", help="build an entity corpus from label lists (offline, deterministic)")
    corpus.add_build_arguments(p)
    p.set_defaults(func=corpus.run_build)

    p = sub.add_parser("push", help="upload a checkpoint folder to the Hugging Face Hub")
    push.add_push_arguments(p)
    p.set_defaults(func=push.run_push)

    world.add_world_commands(sub)
    return parser


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
