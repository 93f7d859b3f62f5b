"""The check pipeline: claims (or a summary) and a source in, claim-by-claim verdicts out.

1. Claims: given as a list, or decomposed from a free-text summary (by the model, or by sentences at
   zero cost), each pointing back to its span in the summary.
2. Zero-token checks (:mod:`summarizer.rules`): a claim the local evidence settles is decided
   with ``decided_by="local"`` and never reaches the model; otherwise its signals go to the model as hints.
3. Model checks, batched (:mod:`summarizer.pipeline.model_check`): many claims per call, the source first
   and the claims last (so the shared prefix is cached), each batch small enough that its verdict JSON
   cannot be cut off. A source too long for the context window is split on sentence boundaries; each
   batch sees the chunks most relevant to its claims, and verdicts are aggregated per claim across windows.
4. Every evidence quote is located in the source; a verdict whose evidence cannot be found is downgraded
   to ``not_in_source`` and says so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import config, pricing
from ..llm.client import LLM
from ..llm.connect import ClientLike, llm_for
from ..llm.drafts import Decomposition
from ..llm.limits import scoped
from ..llm.prompts import load_prompt
from ..rules.checker import LocalChecker, LocalResult
from ..settings import resolve_settings
from ..text import sentences
from ..text.grounding import SourceIndex
from ..types import CheckProvenance, CheckReport, ClaimCheck, Evidence, Usage, VerdictCounts
from .claims import Mode, Split, needs_model
from .model_check import _ModelChecker, _signals
from .sources import Source, as_document

__all__ = ["Mode", "Split", "acheck", "check", "decompose"]


@dataclass
class _Item:
    """One claim on its way through the pipeline."""

    text: str
    span: Evidence | None = None
    local: LocalResult | None = None
    result: ClaimCheck | None = None
    hints: list[str] = field(default_factory=list)


def decompose(
    summary: str, *, split: Split = "model", llm: LLM | None = None, usage: Usage | None = None
) -> list[tuple[str, Evidence]]:
    """Atomic claims of ``summary``, each with its span in the summary."""
    if split == "sentences":
        out = []
        for s, e in sentences.sentence_spans(summary):
            text = summary[s:e].strip()
            if text:
                start = s + summary[s:e].index(text)
                out.append(
                    (text, Evidence(quote=text, start=start, end=start + len(text), match="exact", score=1.0))
                )
        return out
    index = SourceIndex(summary)
    llm = llm or LLM(resolve_settings())
    messages = load_prompt("decompose").render(summary, max_claims=config.MAX_DECOMPOSED_CLAIMS)
    result, _ = llm.structured(
        messages,
        Decomposition,
        schema_name="decomposition",
        usage=usage if usage is not None else Usage(),
        max_tokens=config.DECOMPOSE_MAX_TOKENS,
    )
    claims = [(c.claim.strip(), index.locate(c.quote)) for c in result.claims if c.claim.strip()]
    return claims[: config.MAX_DECOMPOSED_CLAIMS]


@scoped  # one document: its deadline counts from here (summarizer.llm.limits)
def check(
    source: Source,
    claims: Sequence[str] | None = None,
    *,
    summary: str | None = None,
    mode: Mode = "hybrid",
    split: Split = "model",
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client: ClientLike | None = None,
    llm: LLM | None = None,
) -> CheckReport:
    """Check ``claims`` (or the claims of ``summary``) against ``source``; return a :class:`CheckReport`.

    ``mode``: ``hybrid`` (local checks, then the model for what they leave open), ``local`` (zero tokens;
    an undecided claim is reported ``not_in_source`` with confidence 0), or ``model`` (every claim to
    the model; local signals still go along as hints). ``source`` and ``client`` are taken as
    :func:`summarizer.summarize` takes them.
    """
    started = time.perf_counter()
    document = as_document(source)
    usage = Usage()
    if llm is None and needs_model(mode, summary, split):
        llm = llm_for(client, model=model, base_url=base_url, api_key=api_key)
    prompts_used: dict[str, str] = {}

    items = [_Item(text=c.strip()) for c in claims or () if c.strip()]
    if summary is not None:
        if split == "model":
            prompts_used["decompose"] = load_prompt("decompose").version
        items += [
            _Item(text=t, span=span) for t, span in decompose(summary, split=split, llm=llm, usage=usage)
        ]

    checker = LocalChecker(document.text)
    for item in items:
        item.local = checker.check(item.text)
        if mode != "model" and item.local.verdict is not None:
            item.result = _from_local(item)
        else:
            item.hints = [s.detail for s in item.local.signals]

    open_items = [it for it in items if it.result is None]
    warnings: list[str] = []
    if open_items and mode == "local":
        for it in open_items:
            it.result = _undecided(it)
        warnings.append(f"{len(open_items)} claim(s) could not be settled without a model (mode local)")
    elif open_items:
        assert llm is not None
        prompts_used["check"] = load_prompt("check").version
        _ModelChecker(llm, document, usage, warnings).run(open_items)

    results = [it.result for it in items if it.result is not None]
    counts = VerdictCounts(**{v: sum(r.verdict == v for r in results) for v in VerdictCounts.model_fields})
    if not results:
        warnings.append("no claims to check: score is null")
    used_model = llm.settings.model if llm is not None and usage.calls else None
    usage.cost_usd = pricing.usage_cost(used_model, usage)
    usage.seconds = round(time.perf_counter() - started, 3)
    return CheckReport(
        score=round(counts.supported / len(results), 4) if results else None,
        counts=counts,
        claims=results,
        usage=usage,
        provenance=CheckProvenance.of_source(document, model=used_model, prompts=prompts_used),
        warnings=warnings,
    )


def _from_local(item: _Item) -> ClaimCheck:
    local = item.local
    assert local is not None and local.verdict is not None
    return ClaimCheck(
        claim=item.text,
        verdict=local.verdict,
        evidence=list(local.evidence),
        reason=local.reason,
        confidence=local.confidence,
        decided_by="local",
        signals=_signals(local),
        claim_span=item.span,
    )


def _undecided(item: _Item) -> ClaimCheck:
    return ClaimCheck(
        claim=item.text,
        verdict="not_in_source",
        evidence=[],
        reason="not settled by the local checks, and mode local calls no model",
        confidence=0.0,
        decided_by="local",
        signals=_signals(item.local),
        claim_span=item.span,
    )


# --- the async twin: a thin wrapper for now -------------------------------------------------------------


async def acheck(
    source: Source,
    claims: Sequence[str] | None = None,
    *,
    summary: str | None = None,
    mode: Mode = "hybrid",
    split: Split = "model",
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client: ClientLike | None = None,
) -> CheckReport:
    """The asynchronous twin of :func:`check`, with the same arguments and result.

    For now it runs :func:`check` in a worker thread (``asyncio.to_thread``), so the event loop is not
    blocked while the model answers; its calls are synchronous ones made with the same settings (a
    :class:`~summarizer.llm.client.AsyncLLM` or an ``openai.AsyncOpenAI`` given as ``client`` lends its
    settings to a synchronous twin).
    """
    import asyncio

    from ..llm.client import AsyncLLM

    llm = None
    if needs_model(mode, summary, split):
        if isinstance(client, AsyncLLM):
            client = LLM(client.settings)
        llm = llm_for(client, model=model, base_url=base_url, api_key=api_key)
    return await asyncio.to_thread(check, source, claims, summary=summary, mode=mode, split=split, llm=llm)
