"""One plan for both clients: a pipeline is a generator of the model calls it needs.

A pipeline yields each call it needs — :class:`_Ask` for a structured JSON answer, :class:`_Score` for a
short answer read from log-probabilities — and is sent each answer: ``(value, mode)`` for an ``_Ask``, a
:class:`~summarizer.llm.logprobs.LogprobAnswer` (or None when the server offers no log-probabilities) for
a ``_Score``. A ``ContextLengthError`` or ``TruncatedOutputError`` is thrown into it at the yield, so the
pipeline decides what to do (cut the document, split a batch) or lets it propagate. :func:`_run` and
:func:`_arun` make the calls with the sync or the async client, so both take exactly the same path.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from ..errors import ContextLengthError, TruncatedOutputError
from ..llm.client import LLM, AsyncLLM
from ..types import Usage

R = TypeVar("R")


@dataclass(frozen=True)
class _Ask:
    """A structured call: the answer must validate as ``output``."""

    messages: list[dict[str, str]]
    output: type[BaseModel]
    schema_name: str
    max_tokens: int


@dataclass(frozen=True)
class _Score:
    """A short plain answer whose tokens' log-probabilities are what is wanted."""

    messages: list[dict[str, str]]
    max_tokens: int


_Plan = Generator["_Ask | _Score", Any, R]
_THROWN = (ContextLengthError, TruncatedOutputError)


def _run(plan: _Plan[R], llm: LLM, usage: Usage) -> R:
    try:
        ask = next(plan)
        while True:
            try:
                if isinstance(ask, _Score):
                    answer: Any = llm.logprobs(ask.messages, usage=usage, max_tokens=ask.max_tokens)
                else:
                    answer = llm.structured(
                        ask.messages, ask.output, schema_name=ask.schema_name, usage=usage,
                        max_tokens=ask.max_tokens,
                    )  # fmt: skip
            except _THROWN as exc:
                ask = plan.throw(exc)
            else:
                ask = plan.send(answer)
    except StopIteration as done:
        return cast(R, done.value)


async def _arun(plan: _Plan[R], llm: AsyncLLM, usage: Usage) -> R:
    try:
        ask = next(plan)
        while True:
            try:
                if isinstance(ask, _Score):
                    answer: Any = await llm.logprobs(ask.messages, usage=usage, max_tokens=ask.max_tokens)
                else:
                    answer = await llm.structured(
                        ask.messages, ask.output, schema_name=ask.schema_name, usage=usage,
                        max_tokens=ask.max_tokens,
                    )  # fmt: skip
            except _THROWN as exc:
                ask = plan.throw(exc)
            else:
                ask = plan.send(answer)
    except StopIteration as done:
        return cast(R, done.value)
