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
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..text.grounding import SourceIndex, normalize
from ..types import Evidence
from .dates import _month_days, _month_number
from .lexicon import (
    _ABBREVIATIONS,
    _ALIASES,
    _CAPITALISED_RE,
    _COMMON_OPENERS,
    _ELISION_RE,
    _GENERIC_ABBREVIATIONS,
    _GENERIC_NAME_WORDS,
    _LIST_MARKER_RE,
    _MONTH_ABBR,
    _MONTH_RE,
    _MONTHS,
    _NEGATION_RE,
    _NEGATIONS,
    _PERIOD_CODE_RE,
    _QUOTE_RE,
    _SENTENCE_END_RE,
    _STOPWORDS,
    _TENS,
    _TITLES,
    _TOKEN_RE,
    _UNITS,
    _WEEKDAY_RE,
    _WEEKDAYS,
    _WORD_RE,
)
from .numbers import NumberMention, extract_numbers

__all__ = [
    "CONFIDENCE",
    "DECISIVE",
    "LocalChecker",
    "LocalResult",
    "Signal",
    "Verdict",
    "check_claim_locally",
]

logger = logging.getLogger(__name__)


Verdict = Literal["supported", "contradicted", "not_in_source"]

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


@dataclass(frozen=True)
class Signal:
    """One local finding about a claim."""

    kind: str
    """``verbatim``, ``number_missing``, ``number_mismatch``, ``date_missing``, ``date_mismatch``,
    ``quote_missing``, ``entity_missing``, ``negation_flip``; never decisive: ``entity_variant`` (a
    fuller or generic form of a name the source has: "New York City", "Ronald Reagan") and
    ``name_missing`` (an unknown capitalised word at a sentence start: a name or just a word)."""
    text: str
    """The claim fragment concerned, e.g. ``"1996"`` or ``"Moscow"``."""
    detail: str
    """One human-readable line."""
    decisive: bool = False
    """Whether this signal alone settles the claim."""


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


# --- small text helpers ---------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude stem: case folded, common inflections stripped, cut to seven characters."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:7]


def content_stems(text: str) -> list[str]:
    """The stems of ``text``'s content words (no stopwords, negations or bare numbers)."""
    return _content_stems(text)


def _content_stems(text: str) -> list[str]:
    return [
        _stem(t)
        for t in _TOKEN_RE.findall(text)
        if t.lower() not in _STOPWORDS and t.lower() not in _NEGATIONS and not t.isdigit()
    ]


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (abbreviations such as "Mr." do not end one)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        before = text[start : m.start()].rstrip("\"'”’)]")
        last = before.rsplit(None, 1)[-1].lower().rstrip(".") if before.strip() else ""
        if before.endswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _at_sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    while before and before[-1] in "\"'“”‘’([*-–—•":
        before = before[:-1].rstrip()
    if not before:
        return True
    if before[-1] in "!?:;\n":
        return True
    if before[-1] == ".":
        last = before[:-1].rsplit(None, 1)[-1].lower() if before[:-1].strip() else ""
        return last not in _ABBREVIATIONS
    return "\n" in text[len(before) : pos]


# --- the source, prepared once --------------------------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    stems: frozenset[str]
    negated: bool


def _words_of(tokens: Iterable[str]) -> set[str]:
    """Every word form of ``tokens``, case folded, with possessives and hyphenated parts added."""
    words: set[str] = set()
    for token in tokens:
        w = token.lower().replace("’", "'")
        words.add(w)
        if w.endswith("'s"):
            words.add(w[:-2])
        if "-" in w or "." in w or "'" in w:
            words.update(p for p in re.split(r"[-.']", w) if p)
            words.add(re.sub(r"[-.']", "", w))
    return words


class LocalChecker:
    """Checks many claims against one source; the source is analysed once, in the constructor."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._index: SourceIndex | None = None
        self._squashed = re.sub(r"[^0-9a-z]+", "", source.lower())
        tokens = set(_WORD_RE.findall(source))
        self._raw_tokens = {t.rstrip(".") for t in tokens}
        self.words = _words_of(tokens)
        self.numbers = extract_numbers(source, source_side=True)
        self.month_days = _month_days(source)
        self._date_pairs = {(m, d) for m, d, _, _ in self.month_days}
        # leniently: "OPINIONApril 11" in scraped text still names April
        self._months = {
            num
            for name, num in (_MONTHS | _MONTH_ABBR).items()
            if name in self.words or (name in _MONTHS and name.capitalize() in source)
        }
        self._months |= {m for m, _ in self._date_pairs if 1 <= m <= 12}
        self._standalone_names = _standalone_names(source)
        self._weekdays = {w for w in _WEEKDAYS if w in self.words or w + "s" in self.words}
        self._alias_words: set[str] = set()
        for group in _ALIASES:
            if any(self._has_alias(member) for member in group):
                self._alias_words |= {p for member in group for p in (member, *member.split())}
        self.sentences: list[_Sentence] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for start, end in self._sentence_windows(source):
            text = source[start:end]
            stems = frozenset(_content_stems(text))
            sid = len(self.sentences)
            self.sentences.append(_Sentence(start, end, stems, bool(_NEGATION_RE.search(text))))
            for s in stems:
                self._postings[s].append(sid)
        n = max(1, len(self.sentences))
        self._idf = {s: math.log(1 + n / len(ids)) for s, ids in self._postings.items()}
        number_starts = [num.start for num in self.numbers]
        self._numbers_by_sentence: dict[int, list[NumberMention]] = {}
        for sid, sent in enumerate(self.sentences):
            lo = bisect.bisect_left(number_starts, sent.start)
            hi = bisect.bisect_left(number_starts, sent.end)
            if hi > lo:
                self._numbers_by_sentence[sid] = self.numbers[lo:hi]

    @staticmethod
    def _sentence_windows(text: str, max_tokens: int = 60, stride: int = 30) -> list[tuple[int, int]]:
        """Sentences; overlong ones (transcripts without punctuation) cut into overlapping windows."""
        windows: list[tuple[int, int]] = []
        for start, end in _split_sentences(text):
            tokens = list(_TOKEN_RE.finditer(text, start, end))
            if len(tokens) <= max_tokens:
                windows.append((start, end))
                continue
            for i in range(0, len(tokens) - stride, stride):
                chunk = tokens[i : i + max_tokens]
                windows.append((chunk[0].start(), chunk[-1].end()))
        return windows

    # --- presence tests -----------------------------------------------------------------------

    def has_number(self, num: NumberMention) -> bool:
        if any(num.matches(s.value) for s in self.numbers):
            return True
        if num.kind == "percent" and any(num.matches(s.value * 100) for s in self.numbers if s.value < 1):
            return True
        # the same digits at another scale ("$3.5 million" against a table "in millions": 3.5)
        bare = re.sub(r"[^\d.]", "", num.raw.split()[0]) if not num.from_words else ""
        return bool(bare) and num.value >= 1000 and any(s.raw.strip("$€£¥") == bare for s in self.numbers)

    @property
    def index(self) -> SourceIndex:
        """The :class:`~summarizer.text.grounding.SourceIndex` of the source (built on first use)."""
        if self._index is None:
            self._index = SourceIndex(self.source)
        return self._index

    @property
    def normalized(self) -> str:
        """The source as :func:`~summarizer.text.grounding.normalize` folds it."""
        return self.index.normalized

    def _has_alias(self, member: str) -> bool:
        if len(member.replace(".", "")) <= 3:  # "US", "U.S.", "UK": upper case only, "us" is a pronoun
            return member.upper().rstrip(".") in self._raw_tokens
        if " " in member:
            return all(part in self.words for part in member.split()) and member in self.source.lower()
        return member in self.words

    def has_word(self, word: str) -> bool:
        w = word.lower().replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if w in self._alias_words or w.rstrip(".") in self._alias_words:
            return True
        forms = {w, re.sub(r"[-.']", "", w)}
        if w.endswith("s"):
            forms.add(w[:-1])
        if any(f in self.words or f + "s" in self.words for f in forms):
            return True
        if "-" in w and all(p in self.words for p in w.split("-") if p):
            return True
        # derived forms: "Japanese" from "Japan", "American" from "America"
        if any(w[:k] in self.words for k in range(max(4, len(w) - 3), len(w))):
            return True
        # glued or split spellings ("BestInsuranceXYZ", "A.V."); lenient: "Mark" inside "market" counts
        squashed = re.sub(r"[^0-9a-z]", "", w)
        return len(squashed) >= 4 and squashed in self._squashed

    # --- retrieval ----------------------------------------------------------------------------

    def idf(self, stem: str) -> float:
        """The inverse sentence frequency of ``stem`` (a stem no sentence has counts as the rarest)."""
        return self._idf.get(stem, math.log(1 + len(self.sentences)))

    def has_stem(self, stem: str) -> bool:
        """Whether any sentence of the source has ``stem``."""
        return stem in self._postings

    def best_sentences(self, stems: Iterable[str], *, limit: int = 3) -> list[tuple[float, int]]:
        """Source sentences sharing the most (idf-weighted) stems with ``stems``: (coverage, id)."""
        wanted = set(stems)
        total = sum(self._idf.get(s, math.log(1 + len(self.sentences))) for s in wanted)
        if not wanted or total == 0:
            return []
        scores: dict[int, float] = defaultdict(float)
        for s in wanted:
            for sid in self._postings.get(s, ()):
                scores[sid] += self._idf[s]
        ranked = sorted(((v / total, sid) for sid, v in scores.items()), reverse=True)
        return ranked[:limit]

    def _evidence(self, start: int, end: int) -> Evidence:
        return Evidence(quote=self.source[start:end], start=start, end=end, match="exact", score=1.0)

    # --- the checks ---------------------------------------------------------------------------

    def check(self, claim: str) -> LocalResult:
        claim = claim.strip()
        if not claim:
            return LocalResult(None, 0.0, (), (), "empty claim")
        verbatim = self._verbatim(claim)
        if verbatim is not None:
            signal = Signal("verbatim", claim, "the claim stands in the source as written", decisive=True)
            return LocalResult(
                "supported",
                CONFIDENCE["verbatim"],
                (signal,),
                verbatim,
                "the claim stands verbatim in the source",
            )
        signals: list[tuple[Signal, Evidence | None]] = []
        signals += self._check_numbers(claim)
        signals += self._check_dates(claim)
        signals += self._check_quotes(claim)
        signals += self._check_names(claim)
        signals += self._check_negation(claim)
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
        parts = [claim[s:e] for s, e in _split_sentences(claim)] or [claim]
        found: list[Evidence] = []
        for part in parts:
            n = normalize(part).rstrip(" .,;:!?")
            if len(n) < 8 or n not in self.normalized:
                return None
            ev = self.index.locate(part)
            if ev.match not in ("exact", "normalized"):
                return None
            found.append(ev)
        return tuple(found)

    def _context_stems(self, claim: str, start: int, end: int, width: int = 6) -> list[str]:
        tokens = list(_TOKEN_RE.finditer(claim))
        before = [t.group() for t in tokens if t.end() <= start][-width:]
        after = [t.group() for t in tokens if t.start() >= end][:width]
        return _content_stems(" ".join(before + after))

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
                    (Signal(kind, num.raw, detail, decisive=True), self._evidence(other.start, other.end))
                )
                continue
            kind = "date_missing" if is_year else "number_missing"
            detail = f"{num.raw} does not occur in the source"
            decisive = not num.from_words or num.value >= 10
            out.append((Signal(kind, num.raw, detail, decisive=decisive), None))
        return out

    def _check_dates(self, claim: str) -> list[tuple[Signal, Evidence | None]]:
        out: list[tuple[Signal, Evidence | None]] = []
        covered: list[tuple[int, int]] = []
        for month, day, start, end in _month_days(claim):
            covered.append((start, end))
            text = claim[start:end]
            if (month, day) in self._date_pairs:
                continue
            same_month = [(s, e) for m, _, s, e in self.month_days if m == month]
            if same_month:
                days = ", ".join(sorted({self.source[s:e] for s, e in same_month})[:3])
                detail = f"{text} is not in the source, which has {days}"
                evidence = self._evidence(*same_month[0]) if len(same_month) == 1 else None
                out.append((Signal("date_mismatch", text, detail, decisive=len(same_month) == 1), evidence))
            else:
                out.append(
                    (
                        Signal("date_missing", text, f"{text} does not occur in the source", decisive=True),
                        None,
                    )
                )
        for m in _MONTH_RE.finditer(claim):
            if any(s <= m.start() < e for s, e in covered):
                continue
            name = m.group()
            if (
                name in ("May", "March")
                and not re.match(r"\s+(?:\d|of\b)", claim[m.end() :])
                and not re.search(
                    r"\b(?:in|of|since|until|by|from|early|late|mid|last|next)\s*-?$", claim[: m.start()]
                )
            ):
                continue  # the verb, not the month
            if _month_number(name) not in self._months:
                out.append(
                    (
                        Signal("date_missing", name, f"{name} does not occur in the source", decisive=True),
                        None,
                    )
                )
        for m in _WEEKDAY_RE.finditer(claim):
            weekday = m.group().lower().rstrip("s")
            if weekday not in self._weekdays:
                # not decisive: summaries resolve "tomorrow" or a date to a weekday
                detail = f"{m.group()} does not occur in the source"
                out.append((Signal("date_missing", m.group(), detail, decisive=False), None))
        return out

    def _check_quotes(self, claim: str) -> list[tuple[Signal, Evidence | None]]:
        out: list[tuple[Signal, Evidence | None]] = []
        for m in _QUOTE_RE.finditer(claim):
            quote = m.group(1).strip(" ,.;:")
            parts = [p for p in _ELISION_RE.split(quote) if _TOKEN_RE.search(p)]
            if not parts or all(self._has_quote(p) for p in parts):
                continue
            absent = [
                w for w in _TOKEN_RE.findall(quote) if _stem(w) not in self._postings and not self.has_word(w)
            ]
            absent = [w for w in absent if w.lower() not in _STOPWORDS]
            words = _TOKEN_RE.findall(quote)
            speech = len(words) >= 4 and sum(w[0].isupper() for w in words) <= len(words) / 2
            if absent:
                detail = f'the quoted "{quote}" is not in the source ({", ".join(absent[:3])} nowhere)'
            else:
                detail = f'the quoted "{quote}" is not in the source as written (its words are)'
            # decisive: words the source lacks, or a misquoted phrase; a title written differently is not
            out.append((Signal("quote_missing", quote, detail, decisive=bool(absent) or speech), None))
        return out

    def _has_quote(self, text: str) -> bool:
        if normalize(text).strip(" ,.;:") in self.normalized:
            return True
        return self.index.locate(text).found

    def _check_names(self, claim: str) -> list[tuple[Signal, Evidence | None]]:
        """Capitalised words and acronyms (names, roughly) that the source does not contain."""
        out: list[tuple[Signal, Evidence | None]] = []
        lower_words = {w.lower() for w in _TOKEN_RE.findall(claim) if w.islower()}
        runs: list[list[re.Match[str]]] = []
        for m in _CAPITALISED_RE.finditer(claim):
            if m.start() > 0 and (claim[m.start() - 1].isalnum() or claim[m.start() - 1] in "$€£¥"):
                continue
            if runs and claim[runs[-1][-1].end() : m.start()] == " ":
                runs[-1].append(m)
            else:
                runs.append([m])
        for run in runs:
            missing: list[str] = []
            initial_missing = False
            for i, m in enumerate(run):
                word = m.group().rstrip(".")
                bare = re.sub(r"['’]s$", "", word)
                low = bare.lower()
                if (
                    low in _MONTHS
                    or low.rstrip("s") in _WEEKDAYS
                    or low.rstrip(".") in _MONTH_ABBR
                    or _PERIOD_CODE_RE.match(bare)
                    or word == "I"
                    or low in _UNITS
                    or low in _TENS
                    or low.rstrip(".") in _GENERIC_ABBREVIATIONS
                    or self.has_word(bare)
                ):
                    continue
                if "-" in bare:  # "Sims-centric", "AI-driven": only the capitalised parts are names
                    caps = [p for p in bare.split("-") if p[:1].isupper()]
                    if caps and all(p.lower() in _GENERIC_ABBREVIATIONS or self.has_word(p) for p in caps):
                        continue
                starts_sentence = i == 0 and _at_sentence_start(claim, m.start())
                acronym = sum(c.isupper() for c in bare) >= 2
                if starts_sentence and not acronym:
                    if low in _COMMON_OPENERS or low in _STOPWORDS or low in lower_words:
                        continue
                    initial_missing = True
                missing.append(bare)
            if not missing:
                continue
            text = claim[run[0].start() : run[-1].end()]
            distinctive = [w for w in missing if w.lower() not in _GENERIC_NAME_WORDS]
            last = re.sub(r"['’]s$", "", run[-1].group().rstrip("."))
            # "Ronald Reagan" where the source says "(President) Reagan": a name the source uses on its own
            fuller_name = (
                len(run) in (2, 3)
                and last not in missing
                and last.lower() not in _GENERIC_NAME_WORDS
                and last.lower() in self._standalone_names
            )
            defined = len(run) == 1 and _defines_acronym(claim, run[0].start(), run[0].end())
            if initial_missing and len(missing) == 1:
                kind, decisive = "name_missing", False  # "Overall, ..." or a name: cannot tell
            elif not distinctive or fuller_name or defined:
                # "New York City" for "New York", "Ronald Reagan" for "Reagan", "... processing (NLP)"
                kind, decisive = "entity_variant", False
            else:
                kind, decisive = "entity_missing", True
            detail = f"{', '.join(missing)} ({text}) does not occur in the source"
            out.append((Signal(kind, text, detail, decisive=decisive), None))
        return out

    def _check_negation(self, claim: str) -> list[tuple[Signal, Evidence | None]]:
        """A claim sentence that a source sentence repeats, but with a negation added or removed."""
        out: list[tuple[Signal, Evidence | None]] = []
        for start, end in _split_sentences(claim):
            sentence = claim[start:end]
            stems = set(_content_stems(sentence))
            if len(stems) < 3:
                continue
            claim_clauses = _clauses(sentence)
            claim_negated = any(negated for _, _, negated in claim_clauses)
            for coverage, sid in self.best_sentences(stems, limit=3):
                src = self.sentences[sid]
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
                    flip = _negation_flip(claim_clauses, _clauses(self.source[src.start : src.end]))
                    if flip is None:
                        continue
                    clause, added = flip
                which = "adds a negation to" if added else "drops the negation of"
                detail = f"the claim {which} a source sentence it otherwise repeats"
                out.append(
                    (
                        Signal("negation_flip", clause, detail, decisive=True),
                        self._evidence(src.start, src.end),
                    )
                )
                break
        return out


def _standalone_names(text: str) -> set[str]:
    """Capitalised words that ``text`` uses alone inside a sentence ("Reagan said", "President
    Reagan"), case folded: surnames, typically, rather than the last word of a longer name."""
    names: set[str] = set()
    for m in re.finditer(r"(?<![\w'’.-])([A-Z][a-z]+)(?![\w'’-])", text):
        before = text[max(0, m.start() - 40) : m.start()].rstrip()
        if not before or before[-1] in '.!?:;"“\n':
            continue  # at a sentence start
        prev = re.search(r"([\w.'’-]+)$", before)
        prev_word = prev.group(1).rstrip(".") if prev else ""
        after = text[m.end() : m.end() + 2]
        if prev_word[:1].isupper() and prev_word.lower() not in _TITLES:
            continue  # the end of a longer name
        if re.match(r" [A-Z]", after):
            continue  # the start of a longer name
        names.add(m.group(1).lower())
    return names


def _defines_acronym(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is an acronym in parentheses after its expansion: "... processing (NLP)"."""
    if not (text[:start].endswith("(") and text[end : end + 1] == ")"):
        return False
    letters = [c.lower() for c in text[start:end] if c.isupper()]
    if len(letters) < 2:
        return False
    words = [w for w in re.split(r"[\s\-]+", text[: start - 1]) if w and w.lower() not in _STOPWORDS]
    initials = [w[0].lower() for w in words[-len(letters) :]]
    return initials == letters


_CLAUSE_RE = re.compile(
    r"[,;:()\[\]]|\s[-–—]\s|\b(?:but|while|whereas|although|though|however|yet)\b", re.IGNORECASE
)


def _clauses(sentence: str) -> list[tuple[str, frozenset[str], bool]]:
    """(text, content stems, negated) of each clause of ``sentence``."""
    out = []
    for part in _CLAUSE_RE.split(sentence):
        stems = frozenset(_content_stems(part))
        if stems:
            out.append((part.strip(), stems, bool(_NEGATION_RE.search(part))))
    return out


def _negation_flip(
    claim: list[tuple[str, frozenset[str], bool]], source: list[tuple[str, frozenset[str], bool]]
) -> tuple[str, bool] | None:
    """A claim clause whose closest source clause says the same with the opposite polarity:
    (the claim clause, whether the claim added the negation)."""
    for text, stems, negated in claim:
        if len(stems) < 2 or not source:
            continue
        best = max(source, key=lambda c: (len(stems & c[1]) / len(stems), -len(c[1] - stems)))
        if len(stems & best[1]) / len(stems) >= 0.6 and best[2] != negated:
            return text, negated
    return None


def check_claim_locally(claim: str, source: str) -> LocalResult:
    """Check one claim against ``source`` (build a :class:`LocalChecker` to check many)."""
    return LocalChecker(source).check(claim)
