"""The summarize pipeline: document → prompt → model → validation → grounding → :class:`Summary`.

One model call per document (plus bounded re-asks when an answer fails validation).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import cast

from . import config, local_checks, tokens
from .documents import Document, document_from_text
from .errors import ContextLengthError
from .grounding import NumberedSource
from .llm import LLM, AsyncLLM, Settings, resolve_settings
from .prompts import PromptTemplate, load_prompt
from .schemas import (
    Claim,
    ClaimKind,
    DraftClaim,
    Entity,
    Event,
    Evidence,
    Provenance,
    Summary,
    SummaryDraft,
    Usage,
)
from .version import get_version

__all__ = ["asummarize", "build_messages", "ground_draft", "numbered", "summarize"]

log = logging.getLogger(__name__)

PROMPT_NAME = "summarize"


def numbered(document: Document) -> NumberedSource:
    """The document's sentences, numbered, page furniture left out: what the model reads."""
    return NumberedSource.from_text(document.text, exclude=document.furniture)


def build_messages(
    document: Document, prompt: PromptTemplate | None = None, source: NumberedSource | None = None
) -> list[dict[str, str]]:
    """The chat messages for one document: instructions, then the document, then per-call material."""
    prompt = prompt or load_prompt(PROMPT_NAME)
    source = source or numbered(document)
    return prompt.render(source.render(), max_key_points=config.MAX_KEY_POINTS, max_claims=config.MAX_CLAIMS)


def check_fits(messages: list[dict[str, str]], model: str) -> int:
    """Prompt tokens of ``messages``; raise :class:`ContextLengthError` when they cannot fit the model."""
    n = tokens.count_message_tokens(messages, model)
    window = tokens.context_window(model)
    if window is not None and n + config.OUTPUT_RESERVE > window:
        raise ContextLengthError(
            f"the document needs about {n} prompt tokens; {model} has a {window}-token context window"
        )
    return n


def ground_draft(
    draft: SummaryDraft, document: Document, source: NumberedSource | None = None
) -> tuple[list[Claim], list[str]]:
    """Locate every claim's evidence in the document; flag claims whose evidence is not found."""
    source = source or numbered(document)
    claims: list[Claim] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for draft_claim in draft.claims:
        key = " ".join(draft_claim.text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        evidence: list[Evidence] = []
        ev = source.evidence(draft_claim.sentence, draft_claim.quote, draft_claim.text)
        if not (ev.found and ev.start is not None and document.in_furniture(ev.start, ev.end or ev.start)):
            evidence.append(ev)  # page furniture is never evidence
        if not evidence:
            warnings.append(f"dropped claim whose only evidence is page furniture: {draft_claim.text!r}")
            continue
        grounded = any(ev.found for ev in evidence)
        if not grounded:
            warnings.append(f"ungrounded claim (no evidence found in the source): {draft_claim.text!r}")
        kind, attribution = _read_modality(draft_claim, source, evidence)
        claims.append(
            Claim(
                text=draft_claim.text,
                kind=kind,
                attribution=attribution,
                evidence=evidence,
                grounded=grounded,
            )
        )
    return claims, warnings


def _read_modality(
    claim: DraftClaim, source: NumberedSource, evidence: list[Evidence]
) -> tuple[ClaimKind, str]:
    """The model's kind and attribution, corrected at zero cost where the evidence sentence is explicit.

    A claim the model calls a plain ``fact`` whose sentence is hedged ("rumored", "is expected to",
    "could") takes that modality; one it gives to the ``article`` whose sentence names a source
    ("according to X", "X said") is attributed to X.
    """
    kind, attribution = claim.kind, claim.attribution
    located = [ev for ev in evidence if ev.start is not None]
    if not located:
        return kind, attribution
    ev = located[0]
    start, end = ev.start or 0, ev.end or 0
    s0, e0 = next(((s, e) for s, e in source.spans if s <= start < e), (start, end))
    sentence = source.text[s0:e0]
    # the clauses the evidence overlaps carry its hedging ("The vote, rumored to be set for May 1, ...")
    clauses = " ".join(
        sentence[m.start() : m.end()]
        for m in re.finditer(r"[^,;:\u2013\u2014]+", sentence)
        if s0 + m.start() < end and start < s0 + m.end()
    )
    if kind == "fact":
        kind = cast(ClaimKind, local_checks.hedged_kind(clauses or sentence, claim.text) or kind)
    if attribution.strip().lower() in ("article", "the article", "document", "the document", ""):
        attribution = local_checks.attributed_to(sentence) or "article"
    return kind, attribution


def _assemble(
    draft: SummaryDraft,
    document: Document,
    settings: Settings,
    prompt: PromptTemplate,
    usage: Usage,
    response_format: str,
    source: NumberedSource,
) -> Summary:
    claims, warnings = ground_draft(draft, document, source)
    usage.cost_usd = tokens.estimate_cost(settings.model, usage.prompt_tokens, usage.completion_tokens)
    return Summary(
        title=draft.title,
        tldr=draft.tldr,
        key_points=draft.key_points,
        entities=[Entity(name=e.name, type=e.type) for e in draft.entities],
        events=[Event(date=e.date, description=e.description) for e in draft.events],
        claims=claims,
        usage=usage,
        provenance=Provenance(
            model=settings.model,
            prompt=prompt.name,
            prompt_version=prompt.version,
            response_format=response_format,
            source_sha256=document.sha256,
            source_path=document.path,
            source_chars=len(document.text),
            created_at=datetime.now(timezone.utc),
            tool_version=get_version(),
        ),
        warnings=warnings,
    )


def _as_document(source: str | Document) -> Document:
    return source if isinstance(source, Document) else document_from_text(source)


def summarize(
    source: str | Document,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    llm: LLM | None = None,
) -> Summary:
    """Summarise a document (text or :class:`Document`) into a grounded :class:`Summary`.

    Settings come from the arguments, then ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` (or Azure's), then
    the bundled local server. Pass ``llm`` to reuse one client across many documents.
    """
    document = _as_document(source)
    llm = llm or LLM(resolve_settings(model, base_url, api_key))
    prompt = load_prompt(PROMPT_NAME)
    source = numbered(document)
    messages = build_messages(document, prompt, source)
    check_fits(messages, llm.settings.model)
    usage = Usage()
    draft, mode = llm.structured(
        messages, SummaryDraft, schema_name="summary", usage=usage, max_tokens=config.SUMMARY_MAX_TOKENS
    )
    return _assemble(draft, document, llm.settings, prompt, usage, mode, source)


async def asummarize(
    source: str | Document,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    llm: AsyncLLM | None = None,
) -> Summary:
    """The asynchronous twin of :func:`summarize`."""
    document = _as_document(source)
    llm = llm or AsyncLLM(resolve_settings(model, base_url, api_key))
    prompt = load_prompt(PROMPT_NAME)
    source = numbered(document)
    messages = build_messages(document, prompt, source)
    check_fits(messages, llm.settings.model)
    usage = Usage()
    draft, mode = await llm.structured(
        messages, SummaryDraft, schema_name="summary", usage=usage, max_tokens=config.SUMMARY_MAX_TOKENS
    )
    return _assemble(draft, document, llm.settings, prompt, usage, mode, source)
