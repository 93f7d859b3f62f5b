"""Zero-token checks of a claim against its source, run before any model call.

The checks are lexical and deterministic: they compare what a claim *names* (numbers, dates, names,
quoted strings) with what the source contains, and look for a sentence of the source that the claim
repeats with a negation added or removed. Each finding is a :class:`Signal`; a few of them are decisive
enough to settle the claim without a model (:attr:`LocalResult.verdict`), the rest are reported for the
model or the reader to weigh.

Which signals settle a claim was measured on the labelled dev sets in ``/work/shared/eval`` (SummEdits,
WiCE, Factcheck-GPT; see ``benchmarks/eval_local.py``). Decided verdicts are meant to be right far more
often than a model would be, so the rules are conservative:

* ``supported`` only when the claim stands verbatim in the source (after :func:`summarizer.text.grounding.normalize`);
* ``contradicted`` when a sentence of the source says the same thing with another number (or date) in
  the place of the claim's, or with a negation added or removed;
* ``not_in_source`` when the claim holds a number, date, quoted string or proper name that the source
  does not contain in any form we can recognise.

Everything else is ``verdict=None``: undecided, for the model.

The source is analysed once (:class:`~summarizer.rules.source.SourceProfile`, which :class:`LocalChecker`
extends); names and negations are read in :mod:`~summarizer.rules.names` and
:mod:`~summarizer.rules.negation`; numbers, dates and quotations, and the decision, here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..text.folding import canonical
from ..text.grounding import normalize
from ..text.sentences import sentence_spans
from ..types import Evidence, Signal, Verdict
from .dates import _month_days, date_signals
from .lexicon import (
    _ELISION_RE,
    _LIST_MARKER_RE,
    _QUOTE_RE,
    _TOKEN_RE,
    _WORD_RE,
    STOPWORDS,
)
from .names import name_signals
from .negation import negation_signals
from .numbers import NumberMention, extract_numbers
from .source import Sentence, SourceProfile
from .words import content_stems, stem

__all__ = [
    "CONFIDENCE",
    "DECISIVE",
    "RULE_VERDICTS",
    "LocalChecker",
    "LocalResult",
    "Sentence",
    "Signal",
    "Verdict",
    "check_claim_locally",
    "content_stems",
]

logger = logging.getLogger(__name__)


#: Confidence attached to each kind of decided verdict: the precision of the rule on the dev sets
#: (``benchmarks/eval_local.py``), rounded down.
CONFIDENCE: dict[str, float] = {
    "verbatim": 0.95,  # 3/4 (the miss: a quiz page that prints the false statement as a question)
    "number_mismatch": 0.95,  # 226/228 on SummEdits, WiCE and Factcheck-GPT (supported vs rest)
    "date_mismatch": 0.9,  # 58/61
    "negation_flip": 0.85,  # 20/20, one domain only (SummEdits)
    "number_missing": 0.95,  # 342/354
    "date_missing": 0.9,  # 233/250
    "quote_missing": 0.9,  # 86/90
    "entity_missing": 0.9,  # 1287/1358
}

#: Signal kinds that settle a claim on their own, and the verdict they give.
DECISIVE: dict[str, Verdict] = {
    "number_mismatch": "contradicted",
    "date_mismatch": "contradicted",
    "negation_flip": "contradicted",
    "number_missing": "not_in_source",
    "date_missing": "not_in_source",
    "quote_missing": "not_in_source",
    "entity_missing": "not_in_source",
}
#: The verdict each kind of decisive finding gives, a claim standing verbatim in the source included.
RULE_VERDICTS: dict[str, Verdict] = {"verbatim": "supported", **DECISIVE}


@dataclass(frozen=True)
class LocalResult:
    """What the local checks conclude about one claim."""

    verdict: Verdict | None
    """None: undecided, the claim goes to the model."""
    confidence: float
    """Estimated probability that ``verdict`` is right; 0.0 when undecided."""
    signals: tuple[Signal, ...]
    evidence: tuple[Evidence, ...]
    """Located spans of the source: the verbatim match, or the source's value where a claim's differs."""
    reason: str
    """One line explaining the verdict (or why there is none)."""

    @property
    def decided(self) -> bool:
        return self.verdict is not None


class LocalChecker(SourceProfile):
    """Checks many claims against one source; the source is analysed once, in the constructor.

    What it knows of the source (words, numbers, dates, sentences with their content stems, ``idf``,
    ``has_stem``, ``best_sentences``) is :class:`~summarizer.rules.source.SourceProfile`'s.
    """

    def check(self, claim: str) -> LocalResult:
        """The signals of ``claim`` and, when they settle it, its verdict."""
        claim = canonical(claim.strip()).text
        if not claim:
            return LocalResult(None, 0.0, (), (), "empty claim")
        verbatim = self._verbatim(claim)
        if verbatim is not None:
            signal = Signal(
                kind="verbatim", text=claim, detail="the claim stands in the source as written", decisive=True
            )
            return LocalResult(
                "supported",
                CONFIDENCE["verbatim"],
                (signal,),
                verbatim,
                "the claim stands verbatim in the source",
            )
        signals: list[tuple[Signal, Evidence | None]] = []
        signals += self._check_numbers(claim)
        signals += date_signals(self, claim)
        signals += self._check_quotes(claim)
        signals += name_signals(self, claim)
        signals += negation_signals(self, claim)
        return self._decide(signals)

    def _decide(self, found: list[tuple[Signal, Evidence | None]]) -> LocalResult:
        signals = tuple(s for s, _ in found)
        evidence = tuple(e for _, e in found if e is not None)
        decisive = [s for s in signals if s.decisive]
        if not decisive:
            reason = "; ".join(s.detail for s in signals) if signals else "nothing checkable locally"
            return LocalResult(None, 0.0, signals, evidence, f"undecided: {reason}")
        contradicting = [s for s in decisive if DECISIVE[s.kind] == "contradicted"]
        lead = contradicting[0] if contradicting else decisive[0]
        verdict = DECISIVE[lead.kind]
        confidence = max(CONFIDENCE[s.kind] for s in decisive if DECISIVE[s.kind] == verdict)
        others = len(decisive) - 1
        reason = lead.detail + (f" (and {others} more finding{'s' * (others > 1)})" if others else "")
        return LocalResult(verdict, confidence, signals, evidence, reason)

    def _verbatim(self, claim: str) -> tuple[Evidence, ...] | None:
        if not all(w.lower() in self.words for w in _WORD_RE.findall(claim)):
            return None  # a word the source lacks: cannot stand in it (and the index need not be built)
        parts = [claim[s:e] for s, e in sentence_spans(claim)] or [claim]
        found: list[Evidence] = []
        for part in parts:
            n = normalize(part).rstrip(" .,;:!?")
            if len(n) < 8 or n not in self.normalized:
                return None
            ev = self.index.locate(part)
            if ev.match not in ("exact", "normalized") or ev.start is None or ev.end is None:
                return None
            found.append(ev.model_copy(update={"quote": self.source[ev.start : ev.end]}))  # the source's words
        return tuple(found)

    def _context_stems(self, claim: str, start: int, end: int, width: int = 6) -> list[str]:
        tokens = list(_TOKEN_RE.finditer(claim))
        before = [t.group() for t in tokens if t.end() <= start][-width:]
        after = [t.group() for t in tokens if t.start() >= end][:width]
        return content_stems(" ".join(before + after))

    def _mismatch(
        self, claim: str, num: NumberMention, claim_values: list[float]
    ) -> tuple[NumberMention, float] | None:
        """The source's number in the sentence that matches the claim's context of ``num``."""
        context = set(self._context_stems(claim, num.start, num.end))
        if len(context) < 2:
            return None
        compatible = {
            "year": ("year",),
            "percent": ("percent",),
            "money": ("money", "number"),
            "number": ("number", "money"),
        }[num.kind]
        for coverage, sid in self.best_sentences(context, limit=5):
            if coverage < 0.5:
                break
            shared = context & self.sentences[sid].stems
            if len(shared) < 2:
                continue
            candidates = [
                n
                for n in self._numbers_by_sentence.get(sid, [])
                if n.kind in compatible
                and n.from_words == num.from_words
                and not any(n.matches(v) or abs(n.value - v) < 1e-9 for v in claim_values)
            ]
            if len(candidates) == 1:
                return candidates[0], coverage
        return None

    def _check_numbers(self, claim: str) -> list[tuple[Signal, Evidence | None]]:
        out: list[tuple[Signal, Evidence | None]] = []
        numbers = extract_numbers(claim)
        date_spans = [(s, e) for _, _, s, e in _month_days(claim)]
        values = [n.value for n in numbers]
        for num in numbers:
            if any(s <= num.start < e for s, e in date_spans):
                continue  # the day of "June 18" is checked as a date
            line_start = claim.rfind("\n", 0, num.start) + 1
            if _LIST_MARKER_RE.match(claim, num.start) and not claim[line_start : num.start].strip(" \t("):
                continue  # "2) The group ...": a list marker, not a number
            if self.has_number(num):
                continue
            is_year = num.kind == "year"
            mismatch = self._mismatch(claim, num, values)
            if mismatch is not None:
                other, _ = mismatch
                kind = "date_mismatch" if is_year else "number_mismatch"
                detail = f"the claim's {num.raw} is not in the source; the matching source sentence has {other.raw}"
                out.append(
                    (
                        Signal(kind=kind, text=num.raw, detail=detail, decisive=True),
                        self.evidence_at(other.start, other.end),
                    )
                )
                continue
            kind = "date_missing" if is_year else "number_missing"
            detail = f"{num.raw} does not occur in the source"
            decisive = not num.from_words or num.value >= 10
            out.append((Signal(kind=kind, text=num.raw, detail=detail, decisive=decisive), None))
        return out

    def _check_quotes(self, claim: str) -> list[tuple[Signal, Evidence | None]]:
        out: list[tuple[Signal, Evidence | None]] = []
        for m in _QUOTE_RE.finditer(claim):
            quote = m.group(1).strip(" ,.;:")
            parts = [p for p in _ELISION_RE.split(quote) if _TOKEN_RE.search(p)]
            if not parts or all(self._has_quote(p) for p in parts):
                continue
            absent = [
                w for w in _TOKEN_RE.findall(quote) if not self.has_stem(stem(w)) and not self.has_word(w)
            ]
            absent = [w for w in absent if w.lower() not in STOPWORDS]
            words = _TOKEN_RE.findall(quote)
            speech = len(words) >= 4 and sum(w[0].isupper() for w in words) <= len(words) / 2
            if absent:
                detail = f'the quoted "{quote}" is not in the source ({", ".join(absent[:3])} nowhere)'
            else:
                detail = f'the quoted "{quote}" is not in the source as written (its words are)'
            # decisive: words the source lacks, or a misquoted phrase; a title written differently is not
            signal = Signal(kind="quote_missing", text=quote, detail=detail, decisive=bool(absent) or speech)
            out.append((signal, None))
        return out

    def _has_quote(self, text: str) -> bool:
        if normalize(text).strip(" ,.;:") in self.normalized:
            return True
        return self.index.locate(text).found


def check_claim_locally(claim: str, source: str) -> LocalResult:
    """Check one claim against ``source`` (build a :class:`LocalChecker` to check many)."""
    return LocalChecker(source).check(claim)
