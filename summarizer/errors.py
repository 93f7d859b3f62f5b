"""One exception hierarchy, one class per cause, each with the CLI exit code it maps to; and the exit codes
of the command line that no exception carries."""

from __future__ import annotations

# --- exit codes of the command line (the error classes carry their own) --------------------------------
EXIT_BELOW_THRESHOLD = 4
EXIT_BUDGET = 5
EXIT_SOME_FAILED = 6
EXIT_INTERRUPTED = 130


class SummarizerError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(SummarizerError):
    """The document cannot be used: missing, empty, binary, unreadable or too large."""

    exit_code = 2


class ConfigError(SummarizerError):
    """Settings are missing or contradictory (model, base URL, local server not set up)."""

    exit_code = 3


class MissingDependencyError(ConfigError):
    """A package a feature needs is not installed (or fails to import): the message names it and the
    pip command that installs it. A configuration error of the environment, with its own exit code."""

    exit_code = 7


class BudgetExceededError(SummarizerError):
    """The estimated cost is over --max-cost: nothing was started."""

    exit_code = 5


class ModelError(SummarizerError):
    """Base class of failures while talking to the model.

    ``status_code`` is the HTTP status the server answered (None when there was no answer: a connection
    failure, a timeout, or a bad answer to a 200); ``request_id`` is the server's ``x-request-id`` (None
    when it sent none), to quote to the provider.
    """

    exit_code = 10

    def __init__(self, message: str, *, status_code: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id


class AuthenticationError(ModelError):
    """The API rejected the key (401/403)."""

    exit_code = 11


class ConnectionFailedError(ModelError):
    """The server could not be reached or did not answer in time, after the SDK's retries."""

    exit_code = 12


class TimedOutError(ConnectionFailedError):
    """A time limit was hit: ``limit`` is ``"timeout"`` (one request got no answer within ``seconds``,
    after the SDK's retries) or ``"deadline"`` (the document took longer than ``seconds`` in all, a
    slowly dripping answer included)."""

    def __init__(self, message: str, *, limit: str, seconds: float) -> None:
        super().__init__(message)
        self.limit = limit
        self.seconds = seconds


class RateLimitError(ModelError):
    """Still rate-limited (429) after the SDK's retries, which honour Retry-After."""

    exit_code = 13


class ContextLengthError(ModelError):
    """The prompt does not fit the model's context window."""

    exit_code = 14


class TruncatedOutputError(ModelError):
    """The model stopped at its token limit (finish_reason ``length``): the JSON is incomplete."""

    exit_code = 15


class RefusalError(ModelError):
    """The model refused, or the provider's content filter stopped the answer."""

    exit_code = 16


class InvalidOutputError(ModelError):
    """The answer still failed validation after the bounded re-asks."""

    exit_code = 17


class APIError(ModelError):
    """Any other error status from the API (bad request, 5xx after retries, ...)."""

    exit_code = 18


__all__ = [
    "EXIT_BELOW_THRESHOLD",
    "EXIT_BUDGET",
    "EXIT_INTERRUPTED",
    "EXIT_SOME_FAILED",
    "APIError",
    "AuthenticationError",
    "BudgetExceededError",
    "ConfigError",
    "ConnectionFailedError",
    "ContextLengthError",
    "InputError",
    "InvalidOutputError",
    "MissingDependencyError",
    "ModelError",
    "RateLimitError",
    "RefusalError",
    "SummarizerError",
    "TimedOutError",
    "TruncatedOutputError",
]
