"""A status line on the terminal while one document is worked on: the current step and its elapsed time,
redrawn twice a second on standard error, cleared at the end. Only on a terminal (never on a pipe), and not
with -v (the log lines say it then). The steps come from :mod:`summarizer.activity`.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import TextIO

from .. import activity
from ..report.terminal import terminal_safe

__all__ = ["status_line"]

_CLEAR = "\r\x1b[K"


class _StatusLine:
    def __init__(self, stream: TextIO, tick: float) -> None:
        self.stream, self.tick = stream, tick
        self.step = ""
        self.since = time.monotonic()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="status-line", daemon=True)

    def __call__(self, step: str) -> None:
        with self.lock:
            self.step, self.since = step, time.monotonic()
        self._draw()

    def _run(self) -> None:
        while not self.stop.wait(self.tick):
            self._draw()

    def _draw(self) -> None:
        with self.lock:
            if not self.step:
                return
            elapsed = int(time.monotonic() - self.since)
            line = f"summarizer: {terminal_safe(self.step)} … {elapsed} s"
            try:
                self.stream.write(_CLEAR + line[:200])
                self.stream.flush()
            except (OSError, ValueError):  # the terminal went away
                self.stop.set()

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=2)
        with self.lock:
            if self.step:
                with contextlib.suppress(OSError, ValueError):
                    self.stream.write(_CLEAR)
                    self.stream.flush()


@contextlib.contextmanager
def status_line(*, enabled: bool = True, stream: TextIO | None = None, tick: float = 0.5) -> Iterator[None]:
    """Show the library's steps on ``stream`` (standard error) for the duration, if it is a terminal."""
    stream = stream if stream is not None else sys.stderr
    if not enabled or not _is_terminal(stream):
        yield
        return
    line = _StatusLine(stream, tick)
    line.thread.start()
    try:
        with activity.listening(line):
            yield
    finally:
        line.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
