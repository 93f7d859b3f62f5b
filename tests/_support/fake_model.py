"""A FAKE model for pipeline tests: an in-process stand-in for :class:`summarizer.llm.client.LLM`.

No HTTP, no SDK, no JSON on a wire: the pipeline calls :meth:`FakeModel.structured`, :meth:`FakeModel.text`
or :meth:`FakeModel.logprobs` as it would call the real client, and the fake answers from a *script* the
test gives. It is a fixture, never a recording: use it where a test is about what the pipeline does with
answers (grounding, aggregation, batching, chunking), and the HTTP fakes (``faults.FakeServer``,
``fake_openai_server``) or a cassette where the request on the wire or the client's own handling matters.

A script is either a sequence of answers, taken one per call (running out fails the test, naming the call),
or a function ``answer(call) -> answer`` that sees each :class:`FakeCall` (its messages, the output model,
the schema name). An answer is one of

* for ``structured``: a pydantic model instance, a ``dict`` (validated into the output model) or a JSON
  ``str`` (parsed, then validated). An answer that fails validation is "re-asked" as the real client does:
  the next answer is taken, at most ``config.MAX_REASKS`` times, then :class:`InvalidOutputError`;
* for ``text``: a ``str``;
* for ``logprobs``: ``None`` (the server offers none), a ``LogprobAnswer``, or ``{token: logprob}`` for a
  one-token answer (see :func:`logprob_answer`);
* for any call: an exception instance, raised as the client would raise it (``ContextLengthError``, ...).

Every call adds ``tokens`` (prompt, completion; or a function of the call) to the caller's :class:`Usage`
as one call, as the client does for every attempt; a
``ContextLengthError`` adds nothing (a rejected request has no usage). ``calls`` keeps every call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from summarizer import config, errors
from summarizer.settings import Settings
from summarizer.types import Usage

try:  # the real answer type, once the client has it
    from summarizer.llm.logprobs import LogprobAnswer, TokenLogprob  # type: ignore[import-not-found]
except ImportError:  # the same shape, until then

    @dataclass(frozen=True)
    class TokenLogprob:  # type: ignore[no-redef]
        """One generated token, its log-probability, and the most likely alternatives at its place."""

        token: str
        logprob: float
        top: tuple[tuple[str, float], ...]

    @dataclass(frozen=True)
    class LogprobAnswer:  # type: ignore[no-redef]
        """A short plain-text answer with its tokens' log-probabilities."""

        content: str
        tokens: tuple[TokenLogprob, ...]
        finish_reason: str | None


__all__ = ["FakeCall", "FakeModel", "LogprobAnswer", "ScriptExhausted", "TokenLogprob", "logprob_answer"]

T = TypeVar("T", bound=BaseModel)


class ScriptExhausted(AssertionError):
    """The pipeline made a call the test's script has no answer for."""


@dataclass
class FakeCall:
    """One call the pipeline made: which method, its messages and, for ``structured``, the output asked for."""

    kind: str  # "structured", "text" or "logprobs"
    messages: list[dict[str, str]]
    max_tokens: int
    output: type[BaseModel] | None = None
    schema_name: str | None = None
    reask: int = 0  # 0 for the first attempt, n for the n-th re-ask after an invalid answer
    top: int | None = None

    @property
    def user(self) -> str:
        """The last user message: where the per-call material is."""
        return next(m["content"] for m in reversed(self.messages) if m["role"] == "user")


Script = Iterable[Any] | Callable[[FakeCall], Any]


@dataclass
class FakeModel:
    """A fake stand-in for ``LLM`` (same methods, answers from ``script``). See the module docstring."""

    script: Script = ()
    model: str = "gpt-4o-mini"
    tokens: tuple[int, int] | Callable[[FakeCall], tuple[int, int]] = (100, 20)
    calls: list[FakeCall] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.settings = Settings(model=self.model, base_url="http://fake-model.invalid/v1", api_key="sk-fake")
        self.mode = "json_schema"
        self._answer: Callable[[FakeCall], Any]
        if callable(self.script):
            self._answer = self.script
        else:
            queue = iter(list(self.script))

            def next_answer(call: FakeCall) -> Any:
                try:
                    return next(queue)
                except StopIteration:
                    raise ScriptExhausted(
                        f"no scripted answer for call {len(self.calls)} ({call.kind} {call.schema_name or ''}): "
                        f"{call.user[-200:]!r}"
                    ) from None

            self._answer = next_answer

    # --- the client's interface -------------------------------------------------------------------------

    def prepare(self, *outputs: type[BaseModel]) -> None:
        """Nothing to prepare: no client, no imports."""

    def structured(
        self,
        messages: list[dict[str, str]],
        output: type[T],
        *,
        schema_name: str,
        usage: Usage,
        max_tokens: int,
    ) -> tuple[T, str]:
        for reask in range(config.MAX_REASKS + 1):
            call = FakeCall("structured", messages, max_tokens, output, schema_name, reask)
            answer = self._take(call, usage)
            if isinstance(answer, output):
                return answer, self.mode
            try:
                if isinstance(answer, (str, bytes)):
                    return output.model_validate_json(answer), self.mode
                return output.model_validate(answer), self.mode
            except ValidationError as exc:
                error = exc
        raise errors.InvalidOutputError(
            f"the fake's answer failed validation after {config.MAX_REASKS} re-asks: {error.errors()[0]['msg']}"
        )

    def text(self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int) -> str:
        answer = self._take(FakeCall("text", messages, max_tokens), usage)
        if not isinstance(answer, str):
            raise TypeError(f"a text call needs a str answer, the script gave {type(answer).__name__}")
        return answer

    def logprobs(
        self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int, top: int = 20
    ) -> LogprobAnswer | None:
        answer = self._take(FakeCall("logprobs", messages, max_tokens, top=top), usage)
        if answer is None or isinstance(answer, LogprobAnswer):
            return answer
        if isinstance(answer, Mapping):
            return logprob_answer(answer, top=top)
        raise TypeError(
            f"a logprobs call needs None, a LogprobAnswer or a mapping, not {type(answer).__name__}"
        )

    # --- the script ---------------------------------------------------------------------------------------

    def _take(self, call: FakeCall, usage: Usage) -> Any:
        self.calls.append(call)
        answer = self._answer(call)
        if isinstance(answer, errors.ContextLengthError):
            raise answer  # rejected before any token was counted
        prompt_tokens, completion_tokens = self.tokens(call) if callable(self.tokens) else self.tokens
        usage.add(prompt_tokens, completion_tokens)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def count(self, kind: str | None = None, schema_name: str | None = None) -> int:
        """How many calls were made (of one kind, for one schema)."""
        return sum(
            (kind is None or c.kind == kind) and (schema_name is None or c.schema_name == schema_name)
            for c in self.calls
        )


def logprob_answer(alternatives: Mapping[str, float], *, top: int = 20) -> LogprobAnswer:
    """A one-token answer: the most likely of ``alternatives`` ({token: logprob}), the others its top list."""
    if not alternatives:
        raise ValueError("a logprob answer needs at least one token")
    ranked = sorted(alternatives.items(), key=lambda kv: kv[1], reverse=True)[:top]
    for token, logprob in ranked:
        if logprob > 0 or math.isnan(logprob):
            raise ValueError(f"not a log-probability: {token!r} {logprob}")
    token, logprob = ranked[0]
    return LogprobAnswer(token, (TokenLogprob(token, logprob, tuple(ranked)),), "stop")
