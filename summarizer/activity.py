"""What the library is doing now, for whoever shows it: a status line on a terminal.

A single document on the local model runs for minutes; the steps that take time say what they are doing
with :func:`report` (starting the local server, sending the prompt, waiting for the answer). Nothing is
shown unless a listener is installed with :func:`listening` (the command line installs one when standard
error is a terminal, never on a pipe). The listener is kept in a context variable, so a batch's worker
threads, which have their own context, report nothing to it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

__all__ = ["Listener", "listening", "report"]

#: Told each step as it starts, in a few words ("waiting for the answer of gpt-4o-mini").
Listener = Callable[[str], None]

_listener: contextvars.ContextVar[Listener | None] = contextvars.ContextVar("summarizer_activity", default=None)


def report(step: str) -> None:
    """Say what is being done now (nothing happens without a listener)."""
    listener = _listener.get()
    if listener is not None:
        listener(step)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Tell ``listener`` every step reported in this context."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
