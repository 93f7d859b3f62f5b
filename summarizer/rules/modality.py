"""Modality and attribution of a summary claim, read off its evidence sentence at zero tokens.

:func:`hedged_kind` finds a hedge ("rumored", "is expected to", "could"); :func:`attributed_to` finds who
the sentence quotes ("according to X", "X said"). The summary pipeline uses them to correct the model's
``kind`` and ``attribution`` when it grounds a draft (:mod:`summarizer.pipeline.assemble`).
"""

from __future__ import annotations

import re

__all__ = ["attributed_to", "hedged_kind", "said_by_pronoun"]

# --- modality and attribution read off the evidence (zero tokens) ----------------------------------------

_HEDGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "speculation",
        re.compile(
            r"\b(rumou?red|speculat\w*|reportedly|allegedly|unconfirmed|possib(?:le|ly|ility))\b", re.I
        ),
    ),
    (
        "prediction",
        re.compile(
            r"\b(expected to|is set to|are set to|predict\w*|forecast\w*|projected|likely to|will likely|estimat\w*)\b",
            re.I,
        ),
    ),
    (
        "plan",
        re.compile(
            r"\b(plans? to|intends? to|aims? to|proposed|proposes|will (?:begin|start|launch|hold))\b", re.I
        ),
    ),
    ("speculation", re.compile(r"\b(may|might|could)\b", re.I)),
)
_NAME = r"(?:[A-Z][\w’'.-]*(?:\s+(?:of|for|and|the|&|[A-Z][\w’'.-]*))*)"
_COMMON = r"(?:[Tt]he\s+(?:[a-z]+['’]s\s+)?(?:[a-z]+\s+)?[a-z]+)"  # "the department", "the city's office"
_SAYERS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b[Aa]ccording to ((?:the\s+)?(?:[a-z]+['’]s\s+)?{_NAME}|{_COMMON})"),
    re.compile(
        rf"(?:^|[,.;]\s+|\s)((?:[Tt]he\s+)?{_NAME}|{_COMMON})(?:,[^,]{{1,80}},)?\s+"
        r"(?:said|says|told|stated|predicted|wrote|added|emphasi[sz]ed|announced|warned|argued|claimed)\b"
    ),
)
_NOT_SAYERS = re.compile(
    r"^(?:it|he|she|they|this|that|there|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$"
)


def hedged_kind(evidence_text: str, claim_text: str = "") -> str | None:
    """The modality the wording shows (speculation, prediction, plan), or None for a plain statement."""
    for kind, pattern in _HEDGES:
        if pattern.search(claim_text) or pattern.search(evidence_text):
            return kind
    return None


def attributed_to(evidence_text: str) -> str | None:
    """Who the sentence attributes its content to ("according to X", "X said"), or None."""
    for pattern in _SAYERS:
        m = pattern.search(evidence_text)
        if m:
            who = re.sub(r"^[Tt]he\s+", "the ", m.group(1).strip(" ,."))
            if not _NOT_SAYERS.match(who):
                return who
    return None


_PRONOUN_SAYER = re.compile(
    r"(?:^|[,.;\u201d\"]\s*|\s)(?:[Hh]e|[Ss]he)\s+(?:also\s+)?"
    r"(?:said|says|told|stated|predicted|wrote|added|emphasi[sz]ed|announced|warned|argued|claimed|"
    r"proposed|proposes|suggested|recommended)\b"
)


def said_by_pronoun(evidence_text: str) -> bool:
    """Whether the sentence's source is "he" or "she" ("He proposed ...", "..., she said"): then who it
    is stands in a sentence before."""
    return bool(_PRONOUN_SAYER.search(evidence_text))
