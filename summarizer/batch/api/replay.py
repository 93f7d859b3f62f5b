"""The online pipelines, driven by the answers in batch files: no second pipeline.

A batch job runs exactly the work an online batch runs for each document (:mod:`summarizer.batch.tasks`:
``summarize``, ``--verify``, ``check``), handing it a :class:`ReplayLLM` instead of the online client.
:class:`ReplayLLM` is one of the online client's family (:class:`summarizer.llm.client._Client`, like
``LLM`` and ``AsyncLLM``): every call the work makes is built by the online client's own code
(``_Client._structured_call``, then :meth:`summarizer.llm.client._Call.request`); only the sending differs.
Its keyword arguments name the request (:func:`~.wire.request_id`), and:

* if the request has an answer (a batch output line, or one asked online earlier), the answer goes
  through the online client's own answer reading: validation against the schema the call asked for,
  re-asks, refusals, ``length``, structured-output fallback, context overflow;
* if it has none, the request is noted as *needed* and the work is handed a :class:`_Pending` answer and
  carries on. The summary plan (:func:`summarizer.pipeline.summary._plan`) then asks its next call, so
  all of a long document's map calls are found at once, in dependency order; as soon as the work *reads*
  a pending answer (to build a merge prompt, to ground a draft) it stops (:class:`_Blocked`), and the
  document waits for the needed requests.

Run again with more answers, the work gets further: the map answers give the merge request (a follow-up
batch), a failed validation gives the re-ask. Whatever a document needs is always asked by the same code
the online path runs, so a request line is what the online path would send. :func:`drive` runs one
document's work and says which: done (the result), failed (the error), or waiting (the needed requests).

A check job runs the check pipeline the same way: its scoring calls (a short answer read from
``logprobs``: :meth:`ReplayLLM.logprobs`, built and read by the online client's code like
:meth:`ReplayLLM.structured`) are all asked before any is read, so a document's claims go in one round;
JSON verdicts (the fallback, ``--scorer verdicts``, ``--explain``) take a round per batch of claims.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, cast

from ... import errors, pricing
from ...llm.client import MODES, _Client
from .wire import Answer, BodyEncoder, request_id

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ...llm.logprobs import LogprobAnswer
    from ...settings import Settings
    from ...types import Usage

__all__ = ["Decision", "Outcome", "ReplayLLM", "Trace", "drive"]

T = TypeVar("T", bound="BaseModel")

#: What to do about a request with no usable answer: use the (error) answer as it is, ask it online now,
#: or note it as needed (the document waits for a batch to answer it).
Decision = Literal["use", "online", "need"]


class _Blocked(BaseException):
    """The work read an answer that is not there yet: the document waits.

    A BaseException, so that no ``except Exception`` in a pipeline can mistake it for a failure.
    """


def _blocked(self: _Pending, *args: object, **kwargs: object) -> NoReturn:
    raise _Blocked(object.__getattribute__(self, "custom_id"))


class _Pending:
    """The answer to a request that has none yet. Any use of it (an attribute, iteration, truth, str,
    equality, ``isinstance``) raises :class:`_Blocked`; holding it (in a variable, a list) does not."""

    __slots__ = ("custom_id",)

    def __init__(self, custom_id: str) -> None:
        object.__setattr__(self, "custom_id", custom_id)

    def __getattr__(self, name: str) -> NoReturn:
        _blocked(self)

    @property  # type: ignore[misc]
    def __class__(self) -> NoReturn:  # type: ignore[override]  # isinstance() looks here
        _blocked(self)

    __setattr__ = __iter__ = __len__ = __bool__ = __getitem__ = __contains__ = _blocked
    __str__ = __repr__ = __format__ = __eq__ = __ne__ = __lt__ = __int__ = __float__ = _blocked
    __hash__ = _blocked


@dataclass
class Trace:
    """What one document's work asked for."""

    needed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (custom_id, request kwargs)
    used: list[str] = field(default_factory=list)  # custom_ids whose answers the work read
    failed: list[tuple[str, Answer]] = field(default_factory=list)  # error answers the work was given
    online: int = 0  # requests asked online during this drive
    #: tokens answered at batch prices, by the Usage object they were added to
    batch_tokens: dict[int, list[int]] = field(default_factory=dict)

    def add_batch_tokens(self, usage: Usage, response: Any) -> None:
        got = getattr(response, "usage", None)
        if got is None:
            return
        tokens = self.batch_tokens.setdefault(id(usage), [0, 0])
        tokens[0] += got.prompt_tokens or 0
        tokens[1] += got.completion_tokens or 0


class ReplayLLM(_Client):
    """A stand-in for :class:`summarizer.llm.client.LLM` that answers from batch answers.

    ``lookup(custom_id)`` gives the stored answer or None; ``decide(custom_id, answer)`` says what to do
    when there is no usable one (default: an error answer is used as it is, a missing or not-run one is
    needed); ``ask_online(custom_id, kwargs)`` asks a request online now and returns its answer (already
    stored). Per-document state is per thread: call :func:`drive`.
    """

    def __init__(
        self,
        settings: Settings,
        lookup: Callable[[str], Answer | None],
        *,
        decide: Callable[[str, Answer | None], Decision] | None = None,
        ask_online: Callable[[str, dict[str, Any]], Answer] | None = None,
        encoder: BodyEncoder | None = None,
    ) -> None:
        self._local = threading.local()  # before the client's set-up, which sets the mode
        super().__init__(settings)
        self.lookup = lookup
        self.decide = decide or _default_decision
        self.ask_online = ask_online
        self.encoder = encoder or BodyEncoder()

    # --- per document ------------------------------------------------------------------------------

    @property
    def trace(self) -> Trace:
        trace: Trace | None = getattr(self._local, "trace", None)
        if trace is None:
            raise RuntimeError("ReplayLLM used outside drive()")
        return trace

    @property
    def mode(self) -> str:
        return cast(str, getattr(self._local, "mode", MODES[0]))

    @mode.setter
    def mode(self, value: str) -> None:
        self._local.mode = value

    def begin(self) -> Trace:
        self._local.trace = Trace()
        self._local.mode = MODES[0]  # each document starts as a fresh online client does
        return self._local.trace

    def end(self) -> None:
        self._local.trace = None

    # --- the client's surface ----------------------------------------------------------------------

    def prepare(self, *outputs: type[BaseModel]) -> None:
        """The online client's one-time set-up; nothing to do here (no SDK client; schemas are built on
        first use)."""

    def structured(
        self,
        messages: list[dict[str, str]],
        output: type[T],
        *,
        schema_name: str,
        usage: Usage,
        max_tokens: int,
    ) -> tuple[T, str]:
        """What :meth:`summarizer.llm.client.LLM.structured` returns, from stored answers (or a pending one).

        The request building and the answer reading are the online client's (``_structured_call``, then
        :class:`~summarizer.llm.client._Call`), in :meth:`LLM.structured`'s order; only where the answer
        comes from differs.
        """
        trace = self.trace
        call = self._structured_call(messages, output, schema_name, usage, max_tokens)
        while True:
            kwargs = call.request()
            custom_id = request_id(kwargs)
            answer = self._answer(custom_id, kwargs, trace)
            if answer is None:
                trace.needed.append((custom_id, kwargs))
                return cast(T, _Pending(custom_id)), call.mode
            trace.used.append(custom_id)
            if not answer.ok:
                trace.failed.append((custom_id, answer))
                if answer.status_code is None:
                    raise errors.ConnectionFailedError(f"the request was not answered ({answer.describe()})")
                call.on_error(answer.status_error(self.encoder.client()))  # a weaker mode, or raises
                continue
            self.mode = call.mode
            response = answer.completion()
            value = call.on_response(response)  # validation; re-ask (None); refusal, length: raise
            if not answer.online:
                trace.add_batch_tokens(usage, response)
            if value is not None:
                return value, call.mode

    def logprobs(self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int) -> LogprobAnswer | None:
        """What :meth:`summarizer.llm.client.LLM.logprobs` returns, from stored answers (or a pending one):
        the online client's request (:func:`summarizer.llm.logprobs.request`) and answer reading
        (:func:`~summarizer.llm.logprobs.read_response`); only where the answer comes from differs."""
        from ...llm import logprobs as lp
        from ...llm.client import _reraise

        if self.supports_logprobs is False or not lp.offers_logprobs(self.settings.model):
            return None
        trace = self.trace
        kwargs = lp.request(self.settings, messages, max_tokens=max_tokens)
        custom_id = request_id(kwargs)
        answer = self._answer(custom_id, kwargs, trace)
        if answer is None:
            trace.needed.append((custom_id, kwargs))
            return cast("LogprobAnswer", _Pending(custom_id))
        trace.used.append(custom_id)
        if not answer.ok:
            trace.failed.append((custom_id, answer))
            if answer.status_code is None:
                raise errors.ConnectionFailedError(f"the request was not answered ({answer.describe()})")
            exc = answer.status_error(self.encoder.client())
            if lp.rejects_logprobs(exc):
                self.supports_logprobs = False
                return None
            _reraise(exc, self.settings)
        response = answer.completion()
        result = lp.read_response(response, usage)
        if not answer.online:
            trace.add_batch_tokens(usage, response)
        self.supports_logprobs = result is not None
        return result

    def logprobs_many(
        self, conversations: list[list[dict[str, str]]], *, usage: Usage, max_tokens: list[int]
    ) -> list[LogprobAnswer | None]:
        """:meth:`logprobs` for each conversation: a Batch API request is one prompt."""
        return [self.logprobs(c, usage=usage, max_tokens=m) for c, m in zip(conversations, max_tokens, strict=True)]

    def text(self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int) -> str:
        raise errors.ConfigError("plain-text calls (the naive baseline) do not run in a batch job")

    def _answer(self, custom_id: str, kwargs: dict[str, Any], trace: Trace) -> Answer | None:
        answer = self.lookup(custom_id)
        if answer is not None and answer.ok:
            return answer
        decision = self.decide(custom_id, answer)
        if decision == "use":
            return answer
        if decision == "online" and self.ask_online is not None:
            trace.online += 1
            return self.ask_online(custom_id, kwargs)
        return None


def _default_decision(custom_id: str, answer: Answer | None) -> Decision:
    return "use" if answer is not None and not answer.not_run else "need"


@dataclass
class Outcome:
    """One document's drive: ``result`` (done), ``error`` (failed), or neither (waiting for ``trace.needed``)."""

    result: BaseModel | None
    error: Exception | None
    trace: Trace

    @property
    def waiting(self) -> bool:
        return self.result is None and self.error is None


def drive(llm: ReplayLLM, work: Callable[[], BaseModel]) -> Outcome:
    """Run one document's ``work`` (which calls ``llm``) as far as the stored answers take it."""
    trace = llm.begin()
    try:
        result = work()
    except _Blocked:
        return Outcome(None, None, trace)
    except Exception as exc:  # the document's failure, as the online batch would record it
        return Outcome(None, exc, trace)
    finally:
        llm.end()
    if trace.needed:  # it finished without reading an answer it asked for: never trust such a result
        return Outcome(None, None, trace)
    _batch_prices(result, trace, llm.settings.model)
    return Outcome(result, None, trace)


def _batch_prices(result: BaseModel, trace: Trace, model: str) -> None:
    """Price the tokens a batch answered at batch prices (the pipelines priced every token online)."""
    if not trace.batch_tokens:
        return

    def discount(*usages: Usage | None) -> float:
        p = sum(trace.batch_tokens.get(id(u), [0, 0])[0] for u in usages if u is not None)
        c = sum(trace.batch_tokens.get(id(u), [0, 0])[1] for u in usages if u is not None)
        online = pricing.estimate_cost(model, p, c) or 0.0
        return online - (pricing.estimate_cost(model, p, c, batch=True) or 0.0)

    usage: Usage | None = getattr(result, "usage", None)
    verification = getattr(result, "verification", None)
    inner: Usage | None = getattr(verification, "usage", None)
    if inner is not None and inner.cost_usd is not None:
        inner.cost_usd = round(max(0.0, inner.cost_usd - discount(inner)), 8)
    if usage is not None and usage.cost_usd is not None:
        usage.cost_usd = round(max(0.0, usage.cost_usd - discount(usage, inner)), 8)
