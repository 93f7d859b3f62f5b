"""What the command line writes: the output format (by ``-f``, the ``-o`` suffix, or the terminal), the
rendering, files written atomically, and log lines with every API key redacted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..report.terminal import terminal_safe
from ..settings import redact

if TYPE_CHECKING:
    from ..report.render import Format

_SUFFIX_FORMATS = {
    ".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html",
}  # fmt: skip


def _render(result: Any, source: str, fmt: Format) -> str:
    """A summary or check report in ``fmt``; HTML also needs the source text the offsets point into."""
    from ..types import Summary

    if fmt == "html":
        from ..report.html import render_html

        return render_html(result, source)
    from ..report.render import render_check, render_summary

    return render_summary(result, fmt) if isinstance(result, Summary) else render_check(result, fmt)


def _output_format(args: argparse.Namespace) -> Format:
    if args.format:
        return cast("Format", args.format)
    if args.output:
        return cast("Format", _SUFFIX_FORMATS.get(Path(args.output).suffix.lower(), "json"))
    return "text" if sys.stdout.isatty() else "json"


def _write(text: str, output: str | None) -> None:
    """Print, or write ``output`` (atomically; kept in the cache when that fails: see report/save.py)."""
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..report.save import save_text

    save_text(text, output)


class _RedactSecrets(logging.Filter):
    """Keep API keys out of every log line, also at -vv; show control characters, never send them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = terminal_safe(redact(record.getMessage())), None
        return True


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("summarizer: %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbosity < 2:
        for noisy in ("httpx", "httpx2", "httpcore", "openai"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
