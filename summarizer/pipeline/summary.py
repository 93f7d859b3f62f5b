"""The summarize pipeline: document → prompt → model → validation → grounding → :class:`Summary`.

One model call per document (plus bounded re-asks when an answer fails validation).

A document whose prompt does not fit the model's context window (by tiktoken's count, or by the
server's own ``context_length_exceeded``) is summarised map-reduce instead: its numbered sentences are
split into consecutive chunks on sentence boundaries (paragraph boundaries preferred), each chunk is
summarised with the same prompt (one call per chunk; sentences keep their global numbers), and one more
call (``prompts/merge.txt``) merges the parts' titles, TL;DRs and key points. Claims from every part are
grounded against the full document, de-duplicated and capped. Calls grow linearly: chunks + 1. That part
is :mod:`summarizer.pipeline.longdoc`; turning a draft into the result is :mod:`summarizer.pipeline.assemble`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from .. import config, pricing
from ..errors import ContextLengthError
from ..llm.client import LLM, AsyncLLM
from ..llm.connect import Client, ClientLike, async_llm_for, llm_for
from ..llm.drafts import SummaryDraft
from ..llm.limits import document_scope
from ..llm.prompts import PromptTemplate, load_prompt
from ..settings import Settings
from ..text import tokens
from ..text.documents import Document
from ..text.grounding import NumberedSource
from ..types import CheckReport, Summary, Usage
from .assemble import _assemble, as_read, numbered
from .longdoc import ChunkPlan, _LongDocument
from .plan import _arun, _Ask, _Plan, _run
from .sources import Source, as_document

__all__ = ["asummarize", "build_messages", "estimate_calls", "summarize"]

log = logging.getLogger(__name__)

PROMPT_NAME = "summarize"


def build_messages(
    document: Document, prompt: PromptTemplate | None = None, source: NumberedSource | None = None
) -> list[dict[str, str]]:
    """The chat messages for one document: instructions, then the document, then per-call material."""
    prompt = prompt or load_prompt(PROMPT_NAME)
    source = source or numbered(document)
    return prompt.render(
        as_read(source.render()), max_key_points=config.MAX_KEY_POINTS, max_claims=config.MAX_CLAIMS
    )


def check_fits(messages: list[dict[str, str]], model: str) -> int:
    """Prompt tokens of ``messages``; raise :class:`ContextLengthError` when they cannot fit the model."""
    n = tokens.count_message_tokens(messages, model)
    window = pricing.context_window(model)
    if window is not None and n + config.OUTPUT_RESERVE > window:
        raise ContextLengthError(
            f"the document needs about {n} prompt tokens; {model} has a {window}-token context window"
        )
    return n


def ensure_fits(messages: list[dict[str, str]], model: str) -> None:
    """:func:`check_fits`, tokenizing only when the prompt's bytes (a bound on its tokens) leave doubt."""
    window = pricing.context_window(model)
    if window is None or tokens.max_message_tokens(messages) + config.OUTPUT_RESERVE <= window:
        return
    check_fits(messages, model)


def _plan(document: Document, settings: Settings, usage: Usage) -> _Plan[Summary]:
    prompt = load_prompt(PROMPT_NAME)
    source = numbered(document)
    messages = build_messages(document, prompt, source)
    try:
        ensure_fits(messages, settings.model)
    except ContextLengthError as exc:
        log.info("%s: summarising in parts", exc.message)
        rejected = False
    else:
        try:
            draft, mode = yield _Ask(messages, SummaryDraft, "summary", config.SUMMARY_MAX_TOKENS)
        except ContextLengthError as exc:
            log.info("the server says the document does not fit (%s): summarising in parts", exc.message)
            rejected = True
        else:
            return _assemble(draft, document, settings, prompt, usage, mode, source)
    long = _LongDocument(document, prompt, source, settings, usage, server_rejected=rejected)
    return (yield from long.run())


# --- entry points -------------------------------------------------------------------------------------


def estimate_calls(document: Document, model: str) -> tuple[int, int]:
    """The model calls and prompt tokens :func:`summarize` plans for ``document`` (before any re-ask).

    One call when the document fits; else one per chunk plus one merge (whose prompt is estimated,
    since it holds the parts' answers). For ``--dry-run`` and batch estimates: never raises for length.
    """
    prompt = load_prompt(PROMPT_NAME)
    source = numbered(document)
    messages = build_messages(document, prompt, source)
    try:
        return 1, check_fits(messages, model)
    except ContextLengthError:
        pass
    return ChunkPlan(prompt, source, model, server_rejected=False).estimate()


def summarize(
    source: Source,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client: ClientLike | None = None,
    llm: LLM | None = None,
    verify: bool = False,
    check_options: Mapping[str, Any] | None = None,
) -> Summary:
    """Summarise a document into a grounded :class:`Summary`.

    ``source``: text (``str``), a :class:`Document`, or a ``pathlib.Path`` read like the command line
    reads a file (a ``str`` that only names an existing file is refused: see
    :mod:`summarizer.pipeline.sources`). Where to call: ``client`` (a :class:`summarizer.Client`, made once
    and reused, or an ``openai.OpenAI``), else ``model``/``base_url``/``api_key``, then
    ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` (or Azure's), then the bundled local server (``llm``: a
    model client of this package, as the batch passes it). A document too long for the model's context
    window is summarised in parts and merged (see the module docstring).

    ``verify``: also check the summary's own claims against the document (:func:`summarizer.check`, with
    the same client and ``check_options``: its ``scorer``, ``explain``, ``profile``, ``claims_per_call``);
    the report is ``result.verification`` and its usage is included in ``result.usage``.
    """
    document = as_document(source)
    llm = llm or llm_for(client, model=model, base_url=base_url, api_key=api_key)
    with document_scope():  # the document's deadline counts from here, its verification included
        usage, started = Usage(), time.perf_counter()
        result = _run(_plan(document, llm.settings, usage), llm, usage)
        usage.seconds = round(time.perf_counter() - started, 3)
        if verify:
            from .checking import check

            _attach(result, check(document, [c.text for c in result.claims], llm=llm, **(check_options or {})))
    return result


async def asummarize(
    source: Source,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client: ClientLike | None = None,
    llm: AsyncLLM | None = None,
    verify: bool = False,
    check_options: Mapping[str, Any] | None = None,
) -> Summary:
    """The asynchronous twin of :func:`summarize` (``client`` may be an ``openai.AsyncOpenAI``)."""
    document = as_document(source)
    if client is not None and not isinstance(client, (Client, LLM, AsyncLLM)):
        client = Client(openai_client=client)  # one Client, so the verification can use its twin
    llm = llm or async_llm_for(client, model=model, base_url=base_url, api_key=api_key)
    with document_scope():
        usage, started = Usage(), time.perf_counter()
        result = await _arun(_plan(document, llm.settings, usage), llm, usage)
        usage.seconds = round(time.perf_counter() - started, 3)
        if verify:
            from .checking import acheck

            claims = [c.text for c in result.claims]
            verifier = client if isinstance(client, Client) else llm
            _attach(result, await acheck(document, claims, client=verifier, **(check_options or {})))
    return result


def _attach(result: Summary, verification: CheckReport) -> None:
    """A summary's verification: the report, and its usage counted in the summary's."""
    result.verification = verification
    result.usage.include(verification.usage)
