"""The source as the zero-token checks see it, prepared once: its words, numbers, dates, sentences, the
postings of their content stems and their idf.

The source is folded first (:func:`summarizer.text.folding.canonical`: NFKC, accents dropped, straight
quotes, ASCII dashes and digits, case kept), and so is every claim, so "José García" written in
decomposed accents or "Ｔａｎａｋａ" in full-width letters is the name a claim writes plainly. Offsets that
leave this module (sentences, evidence) are offsets of the original text.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..text.folding import canonical
from ..text.grounding import SourceIndex
from ..text.sentences import sentence_spans
from ..types import Evidence
from .dates import _month_days
from .lexicon import _ALIASES, _MONTH_ABBR, _MONTHS, _NEGATION_RE, _TITLES, _TOKEN_RE, _WEEKDAYS, _WORD_RE
from .numbers import NumberMention, extract_numbers
from .words import content_stems

__all__ = ["Sentence", "SourceProfile", "sentence_windows"]


@dataclass(frozen=True)
class Sentence:
    """A sentence of the source (or a window of an overlong one): offsets into the original text."""

    start: int
    end: int
    stems: frozenset[str]
    """Its content stems (:func:`summarizer.rules.words.content_stems`)."""
    negated: bool
    """Whether it holds a negation."""


def sentence_windows(text: str, max_tokens: int = 60, stride: int = 30) -> list[tuple[int, int]]:
    """The sentences of ``text`` (:func:`summarizer.text.sentences.sentence_spans`); overlong ones
    (transcripts without punctuation) cut into overlapping windows of ``max_tokens`` words."""
    windows: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        tokens = list(_TOKEN_RE.finditer(text, start, end))
        if len(tokens) <= max_tokens:
            windows.append((start, end))
            continue
        for i in range(0, len(tokens) - stride, stride):
            chunk = tokens[i : i + max_tokens]
            windows.append((chunk[0].start(), chunk[-1].end()))
    return windows


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


class SourceProfile:
    """One source, analysed once for the zero-token checks (:class:`~summarizer.rules.checker.LocalChecker`
    adds the checks).

    ``source`` is the text as given; ``text`` is its folded form, which every regular expression reads;
    ``sentences`` carry offsets of ``source``.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._canonical = folded = canonical(source)
        self.text = text = folded.text
        self._index: SourceIndex | None = None
        self._squashed = re.sub(r"[^0-9a-z]+", "", text.lower())
        tokens = set(_WORD_RE.findall(text))
        self._raw_tokens = {t.rstrip(".") for t in tokens}
        self.words = _words_of(tokens)
        self.numbers = extract_numbers(text, source_side=True)
        self.month_days = _month_days(text)
        self._date_pairs = {(m, d) for m, d, _, _ in self.month_days}
        # leniently: "OPINIONApril 11" in scraped text still names April
        self._months = {
            num
            for name, num in (_MONTHS | _MONTH_ABBR).items()
            if name in self.words or (name in _MONTHS and name.capitalize() in text)
        }
        self._months |= {m for m, _ in self._date_pairs if 1 <= m <= 12}
        self.standalone_names = _standalone_names(text)
        self._weekdays = {w for w in _WEEKDAYS if w in self.words or w + "s" in self.words}
        self._alias_words: set[str] = set()
        for group in _ALIASES:
            if any(self._has_alias(member) for member in group):
                self._alias_words |= {p for member in group for p in (member, *member.split())}
        self.sentences: list[Sentence] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        number_starts = [num.start for num in self.numbers]
        self._numbers_by_sentence: dict[int, list[NumberMention]] = {}
        for start, end in sentence_windows(text):
            window = text[start:end]
            stems = frozenset(content_stems(window))
            sid = len(self.sentences)
            lo, hi = folded.span(start, end)
            self.sentences.append(Sentence(lo, hi, stems, bool(_NEGATION_RE.search(window))))
            for s in stems:
                self._postings[s].append(sid)
            first, last = bisect.bisect_left(number_starts, start), bisect.bisect_left(number_starts, end)
            if last > first:
                self._numbers_by_sentence[sid] = self.numbers[first:last]
        n = max(1, len(self.sentences))
        self._idf = {s: math.log(1 + n / len(ids)) for s, ids in self._postings.items()}
        self._unknown_idf = math.log(1 + len(self.sentences))

    # --- the folded text and the original ----------------------------------------------------------

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

    def sentence_text(self, sid: int) -> str:
        """Sentence ``sid``, folded as the checks read it."""
        sentence = self.sentences[sid]
        return canonical(self.source[sentence.start : sentence.end]).text

    def evidence(self, start: int, end: int) -> Evidence:
        """The original text at [start, end) (original offsets) as exact evidence."""
        return Evidence(quote=self.source[start:end], start=start, end=end, match="exact", score=1.0)

    def evidence_at(self, start: int, end: int) -> Evidence:
        """Evidence for the folded text's [start, end), mapped back to the original."""
        return self.evidence(*self._canonical.span(start, end))

    # --- presence tests ----------------------------------------------------------------------------

    def has_number(self, num: NumberMention) -> bool:
        if any(num.matches(s.value) for s in self.numbers):
            return True
        if num.kind == "percent" and any(num.matches(s.value * 100) for s in self.numbers if s.value < 1):
            return True
        # the same digits at another scale ("$3.5 million" against a table "in millions": 3.5)
        bare = re.sub(r"[^\d.]", "", num.raw.split()[0]) if not num.from_words else ""
        return bool(bare) and num.value >= 1000 and any(s.raw.strip("$€£¥") == bare for s in self.numbers)

    def _has_alias(self, member: str) -> bool:
        if len(member.replace(".", "")) <= 3:  # "US", "U.S.", "UK": upper case only, "us" is a pronoun
            return member.upper().rstrip(".") in self._raw_tokens
        if " " in member:
            return all(part in self.words for part in member.split()) and member in self.text.lower()
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

    def has_stem(self, stem: str) -> bool:
        """Whether any sentence of the source has the content stem ``stem``."""
        return stem in self._postings

    # --- retrieval -------------------------------------------------------------------------------------

    def idf(self, stem: str) -> float:
        """The inverse document frequency of ``stem`` over the source's sentences; a stem no sentence has
        gets the highest, ``log(1 + sentences)``."""
        return self._idf.get(stem, self._unknown_idf)

    def best_sentences(self, stems: Iterable[str], *, limit: int = 3) -> list[tuple[float, int]]:
        """Source sentences sharing the most (idf-weighted) stems with ``stems``: (coverage, id)."""
        wanted = sorted(set(stems))  # a fixed order: the same sums, to the last bit, in every process
        total = math.fsum(self.idf(s) for s in wanted)
        if not wanted or total == 0:
            return []
        scores: dict[int, float] = defaultdict(float)
        for s in wanted:
            for sid in self._postings.get(s, ()):
                scores[sid] += self._idf[s]
        ranked = sorted(((v / total, sid) for sid, v in scores.items()), reverse=True)
        return ranked[:limit]
