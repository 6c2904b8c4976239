"""The `alt` command: one module per command (explain/classify, train, eval, corpus build, push).

Commands call the library and get results back; only this package prints them (output.emit). Every
expected failure is an `alt.errors.ALTError`, caught once in `main`: one line on stderr, exit code 2.
"""

from alt.cli.main import build_parser, main
from alt.cli.output import emit

__all__ = ["build_parser", "emit", "main"]
