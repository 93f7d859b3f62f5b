"""Time limits on the model: a timeout for one request, and a deadline for one document.

* **timeout** (``Settings.timeout``, ``--timeout``, ``SUMMARIZER_TIMEOUT``): how long one HTTP request may
  wait for the server (connecting, sending, and between two pieces of the answer). The SDK retries a
  request that timed out (``max_retries``).
* **deadline** (``Settings.deadline``, ``--deadline``, ``SUMMARIZER_DEADLINE``): the wall-clock time one
  document may take, every call, retry and re-ask included, from the moment its pipeline starts
  (:func:`document_scope`: ``summarize``, ``check`` and their async twins open one; a summary's
  verification shares its document's). It also bounds an answer that drips in a byte every few seconds,
  which no per-read timeout catches: the answer's body is read against the deadline.

On the HTTP clients this package builds, two event hooks enforce the deadline on every attempt (the SDK's
retries included): the request hook refuses an attempt once the deadline has passed and shortens its
timeouts to what is left; the response hook reads the body against the deadline. A model client the
caller made (``Client(openai_client=...)``) keeps its own HTTP client: its calls are refused once the
deadline has passed and each call's timeout is shortened to what is left, but a slow drip is bounded only
by its read timeout there. Either limit raises :class:`~summarizer.errors.TimedOutError`, which says which.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from ..errors import TimedOutError

__all__ = ["Limits", "add_hooks", "document_scope", "scoped"]

F = TypeVar("F", bound=Callable[..., Any])

#: When the current document's pipeline started (time.monotonic), or None outside one.
_started: contextvars.ContextVar[float | None] = contextvars.ContextVar("summarizer_document", default=None)
#: The limits of the call being made now, read by the HTTP hooks.
_current: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("summarizer_limits", default=None)


@contextlib.contextmanager
def document_scope() -> Iterator[None]:
    """One document's pipeline: its deadline counts from here (an enclosing scope, if any, counts instead)."""
    if _started.get() is not None:
        yield
        return
    token = _started.set(time.monotonic())
    try:
        yield
    finally:
        _started.reset(token)


def scoped(fn: F) -> F:
    """Run ``fn`` (a pipeline entry point) in a :func:`document_scope`."""

    @wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with document_scope():
            return fn(*args, **kwargs)

    return inner  # type: ignore[return-value]


@dataclass(frozen=True)
class Limits:
    """The limits of one call: the request ``timeout``, and the absolute ``ends`` (monotonic) of the
    document's ``deadline`` of that many seconds."""

    timeout: float
    deadline: float
    ends: float
    endpoint: str

    @classmethod
    def now(cls, timeout: float, deadline: float, endpoint: str) -> Limits:
        started = _started.get()
        return cls(timeout, deadline, (time.monotonic() if started is None else started) + deadline, endpoint)

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def passed(self) -> bool:
        return self.remaining() <= 0

    def request_timeout(self) -> float:
        """The timeout for the next attempt: the request timeout, or less when the deadline is nearer.
        Raises :class:`TimedOutError` when the deadline has passed."""
        left = self.remaining()
        if left <= 0:
            raise self.deadline_error()
        return min(self.timeout, left)

    def deadline_error(self) -> TimedOutError:
        return TimedOutError(
            f"the document's deadline of {self.deadline:g} s passed while waiting for the model server at "
            f"{self.endpoint} (--deadline / SUMMARIZER_DEADLINE)",
            limit="deadline",
            seconds=self.deadline,
        )

    def timeout_error(self, url: str, attempts: int) -> TimedOutError:
        if self.passed():
            return self.deadline_error()
        return TimedOutError(
            f"no answer from the model server at {url} within the request timeout of {self.timeout:g} s "
            f"({attempts} attempt{'s' if attempts != 1 else ''}; --timeout / SUMMARIZER_TIMEOUT)",
            limit="timeout",
            seconds=self.timeout,
        )

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """These limits, for the HTTP hooks, while a call is made."""
        token = _current.set(self)
        try:
            yield
        finally:
            _current.reset(token)


# --- the HTTP hooks ------------------------------------------------------------------------------------


def _clip(request: Any) -> None:
    limits = _current.get()
    if limits is None:
        return
    left = limits.request_timeout()  # raises once the deadline has passed: no attempt after it
    timeouts = dict(request.extensions.get("timeout") or {})
    request.extensions["timeout"] = {k: (left if v is None else min(v, left)) for k, v in timeouts.items()} or {
        "connect": left, "read": left, "write": left, "pool": left,
    }  # fmt: skip


def _deadline_stream(stream: Any, limits: Limits) -> Any:
    """``stream`` (a response body) read against the deadline: a piece that arrives after it raises."""
    import httpx2

    if isinstance(stream, httpx2.AsyncByteStream):

        class AsyncBody(httpx2.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                async for chunk in stream:
                    if limits.passed():
                        raise limits.deadline_error()
                    yield chunk

            async def aclose(self) -> None:
                await stream.aclose()

        return AsyncBody()

    class Body(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for chunk in stream:
                if limits.passed():
                    raise limits.deadline_error()
                yield chunk

        def close(self) -> None:
            stream.close()

    return Body()


def _on_request(request: Any) -> None:
    _clip(request)


def _on_response(response: Any) -> None:
    limits = _current.get()
    if limits is not None:
        response.stream = _deadline_stream(response.stream, limits)


async def _on_request_async(request: Any) -> None:
    _clip(request)


async def _on_response_async(response: Any) -> None:
    _on_response(response)


def add_hooks(http_client: Any, *, asynchronous: bool) -> Any:
    """``http_client`` (an httpx client) with the deadline's request and response hooks added (once)."""
    hooks = http_client.event_hooks
    request, response = (_on_request_async, _on_response_async) if asynchronous else (_on_request, _on_response)
    if request not in hooks["request"]:
        http_client.event_hooks = {
            "request": [*hooks["request"], request],
            "response": [*hooks["response"], response],
        }
    return http_client
