"""One plan for both clients: a pipeline is a generator of the model calls it needs.

The pipeline yields each call it needs (:class:`_Ask`) and is sent each answer as ``(value, mode)``; a
``ContextLengthError`` is thrown into it at the yield. :func:`_run` and :func:`_arun` make the calls with
the sync or the async client, so both take exactly the same path.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel

from ..errors import ContextLengthError
from ..llm.client import LLM, AsyncLLM
from ..types import Summary, Usage


@dataclass(frozen=True)
class _Ask:
    messages: list[dict[str, str]]
    output: type[BaseModel]
    schema_name: str
    max_tokens: int


_Plan = Generator[_Ask, tuple[Any, str], Summary]


def _run(plan: _Plan, llm: LLM, usage: Usage) -> Summary:
    try:
        ask = next(plan)
        while True:
            try:
                answer = llm.structured(
                    ask.messages,
                    ask.output,
                    schema_name=ask.schema_name,
                    usage=usage,
                    max_tokens=ask.max_tokens,
                )
            except ContextLengthError as exc:
                ask = plan.throw(exc)
            else:
                ask = plan.send(answer)
    except StopIteration as done:
        return cast(Summary, done.value)


async def _arun(plan: _Plan, llm: AsyncLLM, usage: Usage) -> Summary:
    try:
        ask = next(plan)
        while True:
            try:
                answer = await llm.structured(
                    ask.messages,
                    ask.output,
                    schema_name=ask.schema_name,
                    usage=usage,
                    max_tokens=ask.max_tokens,
                )
            except ContextLengthError as exc:
                ask = plan.throw(exc)
            else:
                ask = plan.send(answer)
    except StopIteration as done:
        return cast(Summary, done.value)
