"""From the model's draft to the :class:`~summarizer.types.Summary`: evidence located from each claim within
the sentence it cites, claims checked for page furniture, kind and attribution read off the evidence at
zero cost, usage and provenance filled in.
"""

from __future__ import annotations

import re
from typing import cast

from .. import config, pricing
from ..llm.drafts import SummaryDraft
from ..llm.prompts import PromptTemplate
from ..rules import modality
from ..settings import Settings
from ..text.documents import Document
from ..text.grounding import NumberedSource, locate_claim, normalize, strip_sentence_markers
from ..types import Claim, ClaimKind, Entity, Event, Evidence, Provenance, Summary, Usage

__all__ = [
    "as_read",
    "dated_events",
    "entities",
    "ground_draft",
    "key_points",
    "numbered",
    "read_modality",
    "summary_provenance",
]


def numbered(document: Document) -> NumberedSource:
    """The document's sentences, numbered, page furniture left out: what the model reads."""
    return NumberedSource.from_text(document.text, exclude=document.furniture)


_STRAIGHT_QUOTE = re.compile(r'"')


def as_read(rendered: str) -> str:
    """Numbered sentences as the summary model reads them: straight double quotes made typographic.

    The model writes its claims with the words of the sentences, inside JSON strings; a sentence's own
    ``"`` ended the string there (the claim cut short, "... told reporters that the council "), while
    ``“`` and ``”`` are ordinary characters. Grounding folds them back (they match either way).
    """

    def curl(m: re.Match[str]) -> str:
        before = rendered[m.start() - 1] if m.start() else " "
        return "\u201c" if before.isspace() or before in "([{-\u2013\u2014" else "\u201d"

    return _STRAIGHT_QUOTE.sub(curl, rendered)


def ground_draft(
    draft: SummaryDraft, document: Document, source: NumberedSource | None = None
) -> tuple[list[Claim], list[str]]:
    """Locate every claim's evidence in the document; flag claims whose evidence is not found."""
    source = source or numbered(document)
    claims: list[Claim] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for draft_claim in draft.claims:
        text = strip_sentence_markers(draft_claim.claim)  # a "[4]" the model copied is no part of it
        key = " ".join(text.lower().split())
        if not key or key in seen:
            continue
        seen.add(key)
        evidence: list[Evidence] = []
        ev = locate_claim(source, draft_claim.n, text)
        if not (ev.found and ev.start is not None and document.in_furniture(ev.start, ev.end or ev.start)):
            evidence.append(ev)  # page furniture is never evidence
        if not evidence:
            warnings.append(f"dropped claim whose only evidence is page furniture: {text!r}")
            continue
        grounded = any(ev.found for ev in evidence)
        if not grounded:
            warnings.append(f"ungrounded claim (no evidence found in the source): {text!r}")
        kind, attribution = read_modality(text, source, evidence)
        claims.append(
            Claim(
                text=text,
                kind=kind,
                attribution=attribution,
                evidence=evidence,
                grounded=grounded,
            )
        )
    return claims, warnings


def read_modality(claim: str, source: NumberedSource, evidence: list[Evidence]) -> tuple[ClaimKind, str]:
    """A claim's kind and attribution, read off its evidence at zero tokens (the model writes neither).

    The clauses of the evidence sentence the span overlaps (or the claim's own words) carry its hedge:
    "rumored" or "could" make it ``speculation``, "is expected to" a ``prediction``, "plans to" a
    ``plan``; otherwise it is a ``fact``. The sentence's source ("according to X", "X said") is its
    attribution; otherwise the ``article`` states it.
    """
    located = [ev for ev in evidence if ev.start is not None]
    if not located:
        return cast(ClaimKind, modality.hedged_kind("", claim) or "fact"), "article"
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
    kind = cast(ClaimKind, modality.hedged_kind(clauses or sentence, claim) or "fact")
    return kind, modality.attributed_to(sentence) or _named_before(claim, source, s0, sentence) or "article"


#: How many sentences back "he" or "she" may name its speaker.
_PRONOUN_REACH = 2


def _named_before(claim: str, source: NumberedSource, start: int, sentence: str) -> str | None:
    """Who "he" or "she" is, when the sentence quotes one: named in the claim (which is self-contained),
    else the source of one of the sentences just before ("Councillor Tomas Reyes said ... He proposed")."""
    if not modality.said_by_pronoun(sentence):
        return None
    named = modality.attributed_to(claim)
    if named:
        return named
    k = next((k for k, (s, _) in enumerate(source.spans) if s == start), 0)
    for s, e in reversed(source.spans[max(0, k - _PRONOUN_REACH) : k]):
        named = modality.attributed_to(source.text[s:e])
        if named:
            return named
    return None


#: What a model writes as a name when it has none.
_NO_NAMES = frozenset({"none", "n/a", "na", "null", "unknown", "-", "nil"})


def entities(draft: SummaryDraft) -> list[Entity]:
    """The draft's entities, each name once (under the first type given), none that stands for "none"."""
    out: dict[str, Entity] = {}
    for entity in draft.entities:
        name = entity.name.strip()
        if name and name.casefold() not in _NO_NAMES:
            out.setdefault(name.casefold(), Entity(name=name, type=entity.type))
    return list(out.values())


def dated_events(draft: SummaryDraft, folded_source: str) -> tuple[list[Event], list[str]]:
    """The draft's events whose date the source writes (``folded_source``: its :func:`normalize` form),
    and a warning for each other one: a date the document does not write came from elsewhere (the worked
    example of the prompt, say), and an event is never grounded otherwise."""
    kept: list[Event] = []
    warnings: list[str] = []
    for event in draft.events:
        date = normalize(event.date).strip(" .,;")
        if date and date in folded_source:
            kept.append(Event(date=event.date, description=event.what))
        else:
            warnings.append(f"dropped event whose date is not in the source: {event.date!r} ({event.what!r})")
    return kept, warnings


def key_points(claims: list[Claim]) -> list[str]:
    """The summary's key points: its first claims (most important first), the grounded ones."""
    grounded = [c.text for c in claims if c.grounded] or [c.text for c in claims]
    return grounded[: config.MAX_KEY_POINTS]


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
    events, event_warnings = dated_events(draft, normalize(document.text))
    usage.cost_usd = pricing.usage_cost(settings.model, usage)
    return Summary(
        title=draft.title,
        tldr=draft.tldr,
        key_points=key_points(claims) or [draft.tldr],
        entities=entities(draft),
        events=events,
        claims=claims,
        usage=usage,
        provenance=summary_provenance(document, settings.model, prompt, response_format),
        warnings=warnings + event_warnings,
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
