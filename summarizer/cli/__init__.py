"""Command line: parse arguments, call the library, print the rendering, map errors to exit codes.

Nothing here computes a result; see :mod:`summarizer.pipeline` and friends for that. :func:`main` is the
``summarizer`` entry point; the arguments are defined in :mod:`~summarizer.cli.parser`, each command in
:mod:`~summarizer.cli.commands`, formats, files and log lines in :mod:`~summarizer.cli.output`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import EXIT_INTERRUPTED, SummarizerError
from ..report.terminal import terminal_safe
from .batch_api import cmd_batch
from .commands import (
    _cmd_cache,
    _cmd_calibrate,
    _cmd_check,
    _cmd_eval,
    _cmd_local,
    _cmd_report,
    _cmd_schema,
    _cmd_summarize,
)
from .output import _configure_logging
from .parser import build_parser

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    _configure_logging(getattr(args, "verbose", 0))
    try:
        handler = {
            "summarize": _cmd_summarize,
            "check": _cmd_check,
            "report": _cmd_report,
            "eval": _cmd_eval,
            "calibrate": _cmd_calibrate,
            "cache": _cmd_cache,
            "schema": _cmd_schema,
            "local": _cmd_local,
            "batch": cmd_batch,
        }[args.command]
        return handler(args)
    except SummarizerError as exc:
        print(f"summarizer: error: {terminal_safe(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 1

