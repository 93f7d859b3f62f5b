"""A claim sentence that a source sentence repeats, but with a negation added or removed."""

from __future__ import annotations

import re

from ..text.sentences import sentence_spans
from ..types import Evidence, Signal
from .lexicon import _NEGATION_RE
from .source import SourceProfile
from .words import content_stems

__all__ = ["negation_signals"]

_CLAUSE_RE = re.compile(
    r"[,;:()\[\]]|\s[-–—]\s|\b(?:but|while|whereas|although|though|however|yet)\b", re.IGNORECASE
)

_Clause = tuple[str, frozenset[str], bool]


def _clauses(sentence: str) -> list[_Clause]:
    """(text, content stems, negated) of each clause of ``sentence``."""
    out = []
    for part in _CLAUSE_RE.split(sentence):
        stems = frozenset(content_stems(part))
        if stems:
            out.append((part.strip(), stems, bool(_NEGATION_RE.search(part))))
    return out


def _negation_flip(claim: list[_Clause], source: list[_Clause]) -> tuple[str, bool] | None:
    """A claim clause whose closest source clause says the same with the opposite polarity:
    (the claim clause, whether the claim added the negation)."""
    for text, stems, negated in claim:
        if len(stems) < 2 or not source:
            continue
        best = max(source, key=lambda c: (len(stems & c[1]) / len(stems), -len(c[1] - stems)))
        if len(stems & best[1]) / len(stems) >= 0.6 and best[2] != negated:
            return text, negated
    return None


def negation_signals(source: SourceProfile, claim: str) -> list[tuple[Signal, Evidence | None]]:
    """``negation_flip`` for each sentence of ``claim`` that a source sentence otherwise repeats."""
    out: list[tuple[Signal, Evidence | None]] = []
    for start, end in sentence_spans(claim):
        sentence = claim[start:end]
        stems = set(content_stems(sentence))
        if len(stems) < 3:
            continue
        claim_clauses = _clauses(sentence)
        claim_negated = any(negated for _, _, negated in claim_clauses)
        for coverage, sid in source.best_sentences(stems, limit=3):
            src = source.sentences[sid]
            if coverage < 0.85:
                break
            back = len(src.stems & stems) / max(1, len(src.stems))
            if back < 0.6:
                continue
            if claim_negated and not src.negated:
                # a negation added to a sentence the source states without any
                clause, added = sentence, True
            else:
                # otherwise compare clause by clause: "no overall charge, but a slight positive
                # charge on each atom" does not negate "the atoms have a positive charge"
                flip = _negation_flip(claim_clauses, _clauses(source.sentence_text(sid)))
                if flip is None:
                    continue
                clause, added = flip
            which = "adds a negation to" if added else "drops the negation of"
            detail = f"the claim {which} a source sentence it otherwise repeats"
            signal = Signal(kind="negation_flip", text=clause, detail=detail, decisive=True)
            out.append((signal, source.evidence(src.start, src.end)))
            break
    return out
