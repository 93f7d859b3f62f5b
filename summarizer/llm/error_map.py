"""How a failure of the SDK (or of the transport under it) becomes one exception of :mod:`summarizer.errors`.

:func:`map_error` picks the class by cause (authentication, connection, rate limit, context overflow,
any other API error) and keeps the HTTP status and the server's request id on it; the helpers read the
error's code and message out of the body the server sent. An exception that is not a failure of the
model or of the transport (a ``TypeError`` of our own code inside the SDK call, ...) is not mapped: it
propagates as it is, never reported as a model error.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .. import errors

if TYPE_CHECKING:
    import openai

__all__ = ["excerpt", "map_error"]


def excerpt(text: str, limit: int = 200) -> str:
    """``text`` for an error message: on one line (whitespace collapsed), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _error_text(exc: openai.APIStatusError) -> tuple[str, str]:
    body = exc.body if isinstance(exc.body, dict) else {}
    inner = body.get("error", body) if isinstance(body, dict) else {}
    code = str((inner or {}).get("code") or (inner or {}).get("type") or "")
    message = str((inner or {}).get("message") or exc.message or "")
    return code, message


def _rejects_response_format(exc: openai.BadRequestError) -> bool:
    code, message = _error_text(exc)
    text = f"{code} {message}".lower()
    return "response_format" in text or "json_schema" in text or "structured output" in text


def _is_context_overflow(exc: openai.APIStatusError) -> bool:
    code, message = _error_text(exc)
    text = f"{code} {message}".lower()
    return (
        "context_length_exceeded" in text
        or "exceed_context_size" in text
        or "maximum context length" in text
        or "exceeds the available context size" in text
    )


def _url(exc: openai.APIError, endpoint: str | None) -> str:
    """Where the failed request went: its URL, else the endpoint it was meant for."""
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    return str(url) if url is not None else (endpoint or "the model server")


def map_error(exc: BaseException, endpoint: str | None = None) -> errors.SummarizerError | None:
    """The library's exception for an SDK (or transport) exception; None when ``exc`` is neither (a
    programming error: the caller re-raises it as it is). ``endpoint`` names the server in the message
    when the exception does not carry its request."""
    import openai

    if isinstance(exc, errors.SummarizerError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return errors.ConnectionFailedError(
            f"the model server at {_url(exc, endpoint)} did not answer in time (after retries)"
        )
    if isinstance(exc, openai.APIConnectionError):
        return errors.ConnectionFailedError(
            f"could not connect to the model server at {_url(exc, endpoint)} "
            f"({excerpt(str(exc.__cause__ or exc))})"
        )
    if isinstance(exc, openai.APIStatusError):
        data: dict[str, Any] = {"status_code": exc.status_code, "request_id": exc.request_id}
        if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return errors.AuthenticationError(
                f"the API rejected the credentials (HTTP {exc.status_code}); "
                "check OPENAI_API_KEY (or AZURE_OPENAI_API_KEY for Azure)",
                **data,
            )
        code, message = _error_text(exc)
        if _is_context_overflow(exc):
            return errors.ContextLengthError(
                f"the prompt does not fit the model's context window: {excerpt(message)}", **data
            )
        if isinstance(exc, openai.RateLimitError):
            if code == "insufficient_quota":
                return errors.APIError("the API account has no quota left (insufficient_quota)", **data)
            return errors.RateLimitError(
                "still rate-limited after retries (HTTP 429); try again later or lower --jobs", **data
            )
        return errors.APIError(f"the API answered HTTP {exc.status_code}: {excerpt(message or code)}", **data)
    if isinstance(exc, json.JSONDecodeError):
        return errors.APIError(f"the server's answer is not valid JSON ({exc.msg})")
    if isinstance(exc, openai.OpenAIError):
        return errors.APIError(excerpt(str(exc)))
    return None
