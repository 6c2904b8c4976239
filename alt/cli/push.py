"""`alt push FOLDER org/name`: validate a checkpoint folder, then upload it to the Hugging Face Hub."""

from __future__ import annotations

import argparse

from alt.cli.output import emit


def add_push_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="folder written by save_pretrained or `alt train`")
    p.add_argument("repo_id", help="org/name on the Hub")
    p.add_argument("--private", action="store_true")
    p.add_argument("--message", default="Upload ALT checkpoint")


def run_push(args: argparse.Namespace) -> int:
    from alt.model.alt_model import ALTModel

    model = ALTModel.from_pretrained(args.folder)  # validates the folder before anything is uploaded
    url = model.push_to_hub(args.repo_id, private=args.private, commit_message=args.message)
    emit(str(url))
    return 0
