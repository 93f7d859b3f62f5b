"""From the model's draft to the :class:`~summarizer.types.Summary`: evidence located, claims checked for
page furniture, modality and attribution corrected at zero cost, usage and provenance filled in.
"""

from __future__ import annotations

import re
from typing import cast

from .. import pricing
from ..llm.drafts import DraftClaim, SummaryDraft
from ..llm.prompts import PromptTemplate
from ..rules import modality
from ..settings import Settings
from ..text.documents import Document
from ..text.grounding import NumberedSource
from ..types import Claim, ClaimKind, Entity, Event, Evidence, Provenance, Summary, Usage

__all__ = ["ground_draft", "numbered", "summary_provenance"]


def numbered(document: Document) -> NumberedSource:
    """The document's sentences, numbered, page furniture left out: what the model reads."""
    return NumberedSource.from_text(document.text, exclude=document.furniture)


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
        kind = cast(ClaimKind, modality.hedged_kind(clauses or sentence, claim.text) or kind)
    if attribution.strip().lower() in ("article", "the article", "document", "the document", ""):
        attribution = modality.attributed_to(sentence) or "article"
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
    usage.cost_usd = pricing.usage_cost(settings.model, usage)
    return Summary(
        title=draft.title,
        tldr=draft.tldr,
        key_points=draft.key_points,
        entities=[Entity(name=e.name, type=e.type) for e in draft.entities],
        events=[Event(date=e.date, description=e.description) for e in draft.events],
        claims=claims,
        usage=usage,
        provenance=summary_provenance(document, settings.model, prompt, response_format),
        warnings=warnings,
    )


def summary_provenance(
    document: Document, model: str, prompt: PromptTemplate, response_format: str
) -> Provenance:
    """A summary's provenance: ``document``, and the model, prompt and mode that summarised it (now)."""
    return Provenance.of_source(
        document,
        model=model,
        prompt=prompt.name,
        prompt_version=prompt.version,
        response_format=response_format,
    )
