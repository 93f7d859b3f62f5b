"""One plan for both clients: a pipeline is a generator of the model calls it needs.

A pipeline yields each call it needs — :class:`_Ask` for a structured JSON answer, :class:`_Scores` for
independent short answers read from log-probabilities — and is sent each answer: ``(value, mode)`` for an
``_Ask``; for ``_Scores``, one :class:`~summarizer.llm.logprobs.LogprobAnswer` per prompt (each None when
the server offers no log-probabilities), which the client asks in one call where the server takes lists
of prompts and one call each elsewhere. A ``ContextLengthError`` or ``TruncatedOutputError`` is thrown into it at the yield, so the
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


@dataclass(frozen=True)
class _Scores:
    """Short answers to independent prompts, all asked before any is read (one call where the server
    takes prompt lists, :mod:`summarizer.llm.prompt_lists`)."""

    items: tuple[_Score, ...]


_Plan = Generator["_Ask | _Scores", Any, R]
_THROWN = (ContextLengthError, TruncatedOutputError)


def _run(plan: _Plan[R], llm: LLM, usage: Usage) -> R:
    try:
        ask = next(plan)
        while True:
            try:
                if isinstance(ask, _Scores):
                    answer: Any = llm.logprobs_many(
                        [s.messages for s in ask.items], usage=usage, max_tokens=[s.max_tokens for s in ask.items]
                    )
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
                if isinstance(ask, _Scores):
                    answer: Any = await llm.logprobs_many(
                        [s.messages for s in ask.items], usage=usage, max_tokens=[s.max_tokens for s in ask.items]
                    )
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
