"""Short answers read from the model's log-probabilities: the request and the answer, for both clients.

The claim checker asks for a few tokens ("1 Yes") with ``logprobs: true`` and ``top_logprobs`` and reads
the probabilities of the alternatives at each answer position instead of the text. This module builds
that request and turns the response into a :class:`LogprobAnswer`; :class:`~summarizer.llm.client.LLM`
and :class:`~summarizer.llm.client.AsyncLLM` send it. A server or model that offers no log-probabilities
(reasoning models, servers that reject the parameter or return none) gives ``None``: the caller falls
back to JSON verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import config, errors
from ..settings import Settings
from ..types import Usage
from .error_map import _error_text, excerpt

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = ["LogprobAnswer", "TokenLogprob", "offers_logprobs", "read_response", "rejects_logprobs", "request"]

#: Alternatives asked for at each position (OpenAI's maximum is 20).
TOP_LOGPROBS = 20


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token, its log-probability, and the most likely alternatives at its place."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class LogprobAnswer:
    """A short plain-text answer with its tokens' log-probabilities."""

    content: str
    tokens: tuple[TokenLogprob, ...]
    finish_reason: str | None


def offers_logprobs(model: str) -> bool:
    """False for model families that take no ``logprobs`` (OpenAI's reasoning models)."""
    return re.match(r"^(o\d|gpt-5)", model.lower().split("/")[-1]) is None


def request(settings: Settings, messages: list[dict[str, str]], *, max_tokens: int) -> dict[str, Any]:
    """The keyword arguments of ``chat.completions.create`` for a short answer with log-probabilities.

    The messages go in ``extra_body`` (the same JSON on the wire, without the SDK's per-call walk), as for
    structured calls."""
    return {
        "model": settings.model,
        "messages": [],
        "extra_body": {"messages": messages},
        "temperature": config.TEMPERATURE,
        "max_tokens": max_tokens,
        "logprobs": True,
        "top_logprobs": TOP_LOGPROBS,
    }


def rejects_logprobs(exc: Exception) -> bool:
    """Whether ``exc`` is a server's "400: logprobs not supported" (then the caller falls back)."""
    import openai

    if not isinstance(exc, openai.BadRequestError):
        return False
    code, message = _error_text(exc)
    return "logprob" in f"{code} {message}".lower()


def read_response(response: ChatCompletion, usage: Usage) -> LogprobAnswer | None:
    """The answer and its log-probabilities; None when the server sent none. Usage is counted either way."""
    from openai.types.chat import ChatCompletion

    if not isinstance(response, ChatCompletion):
        raise errors.APIError(f"the server's answer is not a chat completion: {excerpt(str(response), 80)}")
    if response.usage is not None:
        usage.add(response.usage.prompt_tokens, response.usage.completion_tokens)
    else:
        usage.add(0, 0)
    if not response.choices:
        raise errors.APIError("the server returned no choices")
    choice = response.choices[0]
    if getattr(choice.message, "refusal", None):
        raise errors.RefusalError(f"the model refused: {excerpt(str(choice.message.refusal))}")
    if choice.finish_reason == "content_filter":
        raise errors.RefusalError("the provider's content filter stopped the answer")
    items = choice.logprobs.content if choice.logprobs is not None else None
    if not items:
        return None
    tokens = tuple(
        TokenLogprob(
            item.token,
            float(item.logprob),
            tuple((alt.token, float(alt.logprob)) for alt in (item.top_logprobs or ())),
        )
        for item in items
    )
    return LogprobAnswer(choice.message.content or "", tokens, choice.finish_reason)
