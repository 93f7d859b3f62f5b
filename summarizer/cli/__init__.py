"""The command line (``summarizer``); see :mod:`summarizer.cli.commands`."""

from __future__ import annotations

from .commands import main

__all__ = ["main"]
