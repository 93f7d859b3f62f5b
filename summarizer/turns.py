"""Turns: batch worker threads run the tool's own code one at a time, and give way only to wait.

A batch runs ``--jobs`` threads under one GIL. Left to the interpreter, the threads whose answers came
back together share the GIL in 5 ms slices, so they all finish their CPU work (validation, grounding,
the next document's prompt) at about the same time, at the end of the burst, and send their next
requests together: the whole wave pays ``jobs x CPU per document`` before any request goes out, on every
wave. With turns, one thread runs until it waits for the model server, then the next: the first answer
back is the first next request out, the requests stay spread, and each wave costs one document's CPU.
Throughput under the GIL is the same; the latency of each document is not.

A worker holds a turn with :meth:`Turns.held`; the code that waits for the server wraps the wait in
:func:`waiting`, which gives the turn up meanwhile. Outside a batch (no turn held), :func:`waiting` does
nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Turns", "waiting"]

_local = threading.local()


class Turns:
    """One turn, shared by the threads that take part (a lock: whoever asks next while it is free)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Run the body in this thread's turn (given up meanwhile by :func:`waiting`)."""
        if getattr(_local, "turns", None) is not None:
            raise RuntimeError("this thread already takes turns")
        self._lock.acquire()
        _local.turns = self
        try:
            yield
        finally:
            _local.turns = None
            self._lock.release()


@contextmanager
def waiting() -> Iterator[None]:
    """Give up this thread's turn (if it holds one) while the body waits; take it back afterwards."""
    turns: Turns | None = getattr(_local, "turns", None)
    if turns is None:
        yield
        return
    turns._lock.release()
    try:
        yield
    finally:
        turns._lock.acquire()
