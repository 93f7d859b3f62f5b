"""Locate evidence quotes in the source and compute their character offsets.

This is the only place offsets are computed. Matching is local and deterministic, in three steps:

1. exact: the quote stands in the source as is;
2. normalized: it stands there after folding whitespace runs, quotation marks, dashes, ellipses and case
   (:func:`normalize`), and the match is mapped back to offsets in the original text;
3. fuzzy: an approximate alignment (rapidfuzz) scoring at least ``config.FUZZY_THRESHOLD``.

A quote found by none of them is ``match="not_found"`` with null offsets, and never counts as support.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz

from .. import config
from ..types import Evidence

__all__ = ["SourceIndex", "locate", "normalize", "normalize_with_map"]

_FOLD: dict[str, str] = {}
for _ch in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4":
    _FOLD[_ch] = "'"
for _ch in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb":
    _FOLD[_ch] = '"'
for _ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d":
    _FOLD[_ch] = "-"
for _ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
    _FOLD[_ch] = ""
_FOLD["\u2026"] = "..."

_WRAPPING = "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb"
_ELLIPSIS = re.compile(r"\s*\.\.\.\s*")


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    folded = _FOLD.get(ch)
    return ch.casefold() if folded is None else folded


_RUNS = re.compile(r"\s+|\S+")
_ASCII_FOLD = str.maketrans({"`": "'"})
#: The one-to-one folds (quotes, dashes): a word that is ASCII after them takes the fast path.
_ONE_TO_ONE = str.maketrans({ch: folded for ch, folded in _FOLD.items() if len(folded) == 1})


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; ``positions[i]`` is the index in ``text`` of normalised char ``i``.

    Whitespace runs become one space (none at the ends); curly quotes become straight ones; dashes
    become ``-``; ``…`` becomes ``...``; zero-width characters vanish; letters are case-folded.
    """
    out: list[str] = []
    positions: list[int] = []
    pending_space = False
    for m in _RUNS.finditer(text):
        start, word = m.start(), m.group()
        if word[0].isspace():
            pending_space = bool(out)
            continue
        if not word.isascii():
            word = word.translate(_ONE_TO_ONE)  # same length: positions are unchanged
        if word.isascii():  # fast path: one character in, one out
            folded_word = word.lower().translate(_ASCII_FOLD)
            word_positions: Iterable[int] = range(start, start + len(word))
        else:
            parts = [_fold(ch) for ch in word]
            folded_word = "".join(parts)
            word_positions = [i for i, part in enumerate(parts, start) for _ in part]
        if not folded_word:  # only zero-width characters
            continue
        if pending_space:
            out.append(" ")
            positions.append(start - 1)
            pending_space = False
        out.append(folded_word)
        positions.extend(word_positions)
    return "".join(out), positions


def normalize(text: str) -> str:
    """The folded form of ``text`` used for matching (see :func:`normalize_with_map`)."""
    return normalize_with_map(text)[0]


def _clean_quote(quote: str) -> str:
    q = quote.strip()
    while len(q) >= 2 and q[0] in _WRAPPING and q[-1] in _WRAPPING:
        q = q[1:-1].strip()
    return q


class SourceIndex:
    """A source prepared once for locating many quotes in it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.normalized, self._positions = normalize_with_map(source)

    def _span(self, nstart: int, nend: int) -> tuple[int, int]:
        """Map a [nstart, nend) span of the normalised text back to the original text."""
        return self._positions[nstart], self._positions[nend - 1] + 1

    def locate(self, quote: str) -> Evidence:
        """Find ``quote`` in the source: exact, then normalised, then fuzzy; else ``not_found``."""
        q = _clean_quote(quote)
        if not q:
            return Evidence(quote=quote, start=None, end=None, match="not_found", score=0.0)
        at = self.source.find(q)
        if at >= 0:
            return Evidence(quote=quote, start=at, end=at + len(q), match="exact", score=1.0)
        nq = normalize(q)
        for candidate in (nq, nq.rstrip(".,;:").rstrip()):
            at = self._find_aligned(candidate) if candidate else -1
            if at >= 0:
                start, end = self._span(at, at + len(candidate))
                return Evidence(quote=quote, start=start, end=end, match="normalized", score=1.0)
        return self._locate_elided(quote, nq) or self._locate_fuzzy(quote, nq)

    def _find_aligned(self, needle: str, begin: int = 0) -> int:
        """First hit of ``needle`` in the normalised text that starts and ends on whole source characters.

        A character can fold to several (``ß`` → ``ss``); a hit inside one would map to a span holding a
        character the quote does not contain, so such hits are skipped.
        """
        pos, n = self._positions, len(self.normalized)
        at = self.normalized.find(needle, begin)
        while at >= 0:
            end = at + len(needle)
            if (at == 0 or pos[at - 1] != pos[at]) and (end == n or pos[end] != pos[end - 1]):
                return at
            at = self.normalized.find(needle, at + 1)
        return -1

    def _locate_elided(self, quote: str, nq: str) -> Evidence | None:
        """A quote shortened with '...': every part found, in order, close together."""
        parts = [p for p in _ELLIPSIS.split(nq) if p]
        if len(parts) < 2 or min(len(p) for p in parts) < 4:
            return None
        first = cursor = self._find_aligned(parts[0])
        if first < 0:
            return None
        cursor = first + len(parts[0])
        for part in parts[1:]:
            at = self._find_aligned(part, cursor)
            if at < 0 or at - cursor > 3 * len(nq):
                return None
            cursor = at + len(part)
        start, end = self._span(first, cursor)
        kept = sum(len(p) for p in parts)
        return Evidence(
            quote=quote, start=start, end=end, match="fuzzy", score=round(kept / (cursor - first), 3)
        )

    def _snap_to_words(self, nstart: int, nend: int) -> tuple[int, int]:
        """Widen a span that cuts a word to the whole word; drop spaces at its edges."""
        text = self.normalized
        while 0 < nstart < nend and text[nstart - 1].isalnum() and text[nstart].isalnum():
            nstart -= 1
        while nstart < nend < len(text) and text[nend - 1].isalnum() and text[nend].isalnum():
            nend += 1
        while nstart < nend and text[nstart] == " ":
            nstart += 1
        while nend > nstart and text[nend - 1] == " ":
            nend -= 1
        return nstart, nend

    def _locate_fuzzy(self, quote: str, nq: str) -> Evidence:
        if len(nq) >= config.FUZZY_MIN_CHARS and len(nq) <= len(self.normalized):
            found = fuzz.partial_ratio_alignment(nq, self.normalized, score_cutoff=config.FUZZY_THRESHOLD)
            if found is not None and found.dest_end > found.dest_start:
                nstart, nend = found.dest_start, found.dest_end
                nstart, nend = self._snap_to_words(nstart, nend)
                start, end = self._span(nstart, nend)
                return Evidence(
                    quote=quote, start=start, end=end, match="fuzzy", score=round(found.score / 100, 3)
                )
        return Evidence(quote=quote, start=None, end=None, match="not_found", score=0.0)


def locate(quote: str, source: str) -> Evidence:
    """Locate one quote in ``source`` (build a :class:`SourceIndex` to locate many)."""
    return SourceIndex(source).locate(quote)


class NumberedSource:
    """A source shown to the model as numbered sentences, so evidence can be cited by number.

    Small models copy long passages poorly but pick a sentence number reliably. The model cites a
    sentence and copies the words that state its claim; :meth:`evidence` locates those words (in the
    cited sentence first, then anywhere), and when they cannot be found falls back to the cited sentence
    itself with ``match="sentence"``: located, verbatim, but chosen by number rather than by words.
    """

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text = text
        self.spans = spans
        self._index: SourceIndex | None = None
        self._folded: dict[tuple[int, int], str] = {}  # sentence span -> normalised text, filled on need

    @property
    def index(self) -> SourceIndex:
        """The whole source prepared for search, built on first need (most words are in their sentence)."""
        if self._index is None:
            self._index = SourceIndex(self.text)
        return self._index

    @classmethod
    def from_text(cls, text: str, exclude: tuple[tuple[int, int], ...] = ()) -> NumberedSource:
        """Number the sentences of ``text``, leaving out those inside ``exclude`` (page furniture)."""
        from .sentences import sentence_spans

        spans = []
        for s, e in sentence_spans(text):
            body = text[s:e].strip()
            if not body:
                continue
            start = s + text[s:e].index(body)
            end = start + len(body)
            if any(fs <= start and end <= fe for fs, fe in exclude):
                continue
            spans.append((start, end))
        return cls(text, spans)

    def render(self, ids: list[int] | None = None) -> str:
        """``[n] sentence`` lines (1-based numbers), for all sentences or the given ids in order."""
        chosen = range(1, len(self.spans) + 1) if ids is None else ids
        return "\n".join(f"[{n}] {' '.join(self.text[slice(*self.spans[n - 1])].split())}" for n in chosen)

    def sentence(self, n: int) -> tuple[int, int] | None:
        return self.spans[n - 1] if 1 <= n <= len(self.spans) else None

    def evidence(self, n: int, quote: str, claim: str = "") -> Evidence:
        """Evidence for words ``quote`` said to stand in sentence ``n`` (and to state ``claim``).

        The words are located in the cited sentence, then anywhere. When they cannot be found, the
        sentence most similar to the words and the claim is taken (the cited one and its neighbours
        are favoured: small models often cite one off), if it is similar enough; else ``not_found``.
        """
        span = self.sentence(n)
        q = quote.strip()
        if span is not None and q:
            start, end = span
            local = SourceIndex(self.text[start:end]).locate(q)
            if local.found and local.start is not None and local.end is not None:
                return local.model_copy(update={"start": start + local.start, "end": start + local.end})
        if q:
            anywhere = self.index.locate(q)
            if anywhere.found:
                return anywhere
        best = self._most_similar(n, f"{q} {claim}".strip())
        if best is not None:
            (start, end), similarity = best
            return Evidence(
                quote=self.text[start:end], start=start, end=end, match="sentence", score=round(similarity, 3)
            )
        return Evidence(quote=quote, start=None, end=None, match="not_found", score=0.0)

    def _most_similar(self, n: int, words: str) -> tuple[tuple[int, int], float] | None:
        if not words or not self.spans:
            return None
        target = normalize(words)
        scored = []
        for k, (s, e) in enumerate(self.spans, 1):
            folded = self._folded.get((s, e))
            if folded is None:
                folded = self._folded[(s, e)] = normalize(self.text[s:e])
            similarity = fuzz.token_set_ratio(target, folded) / 100
            bonus = 0.1 if k == n else 0.05 if abs(k - n) == 1 else 0.0
            scored.append((similarity + bonus, similarity, (s, e)))
        _, similarity, span = max(scored)
        return (span, similarity) if similarity >= config.SENTENCE_MIN_SIMILARITY else None
