"""Locate evidence quotes in the source and compute their character offsets.

This is the only place offsets are computed. Matching is local and deterministic, in three steps:

1. exact: the quote stands in the source as is;
2. normalized: it stands there after folding whitespace runs, quotation marks, dashes, ellipses and case
   (:func:`normalize`), and the match is mapped back to offsets in the original text;
3. fuzzy: an approximate alignment (rapidfuzz) scoring at least ``config.FUZZY_THRESHOLD``.

A quote found by none of them is ``match="not_found"`` with null offsets, and never counts as support.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from .. import config
from ..types import Evidence
from .folding import ONE_TO_ONE, fold_char, is_combining_mark
from .sentences import sentence_spans

__all__ = [
    "NumberedSource",
    "SourceIndex",
    "carries_claim",
    "locate",
    "normalize",
    "normalize_with_map",
    "strip_sentence_markers",
]

_ANCHOR = re.compile(r"\w{3,}")
_WRAPPING = "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb"
_ELLIPSIS = re.compile(r"\s*\.\.\.\s*")


_RUNS = re.compile(r"\s+|\S+")
_ASCII_FOLD = str.maketrans({"`": "'"})


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; ``positions[i]`` is the index in ``text`` of normalised char ``i``.

    Whitespace runs (any Unicode space) become one space (none at the ends); every other character is
    folded by :func:`~summarizer.text.folding.fold_char`: NFKC (full-width letters, ligatures, ``…``
    to ``...``), accents dropped, curly quotes straight, dashes ``-``, digits of any script ASCII,
    zero-width characters removed, case folded.
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
            word = word.translate(ONE_TO_ONE)  # same length: positions are unchanged
        if word.isascii():  # fast path: one character in, one out
            folded_word = word.lower().translate(_ASCII_FOLD)
            word_positions: Iterable[int] = range(start, start + len(word))
        else:
            parts = [fold_char(ch) for ch in word]
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


#: The ``[n]`` numbers of the numbered source, which a model may copy into its quote.
_MARKER = re.compile(r"\s*\[\d{1,6}\]\s*")


def strip_sentence_markers(quote: str) -> str:
    """``quote`` without the ``[n]`` sentence numbers a model copied from the numbered source."""
    return _clean_quote(_MARKER.sub(" ", quote))


def carries_claim(quote: str, claim: str = "") -> bool:
    """Whether ``quote`` carries enough of ``claim`` to ground or support it.

    A quote of a word or two ("the", ".") stands somewhere in any source; it proves nothing. Evidence
    needs ``config.EVIDENCE_MIN_CHARS`` characters (normalised) at least, and content words or numbers
    shared with the claim: ``config.EVIDENCE_MIN_SHARED_TERMS`` of them, or all the claim has when it
    has fewer. Without a claim, the quote must hold that many content words itself.
    """
    from ..rules.words import evidence_terms  # the one stemmer and stopword list of the package

    folded = normalize(quote)
    if len(folded) < config.EVIDENCE_MIN_CHARS:
        return False
    quoted = evidence_terms(folded)
    wanted = evidence_terms(normalize(claim)) if claim.strip() else set()
    if not wanted:
        return len(quoted) >= config.EVIDENCE_MIN_SHARED_TERMS
    return len(quoted & wanted) >= min(config.EVIDENCE_MIN_SHARED_TERMS, len(wanted))


def _wordish(ch: str) -> bool:
    return ch.isalnum() or is_combining_mark(ch)


@dataclass(frozen=True)
class _Alignment:
    score: float
    start: int  # [start, end) of the normalised text
    end: int


class SourceIndex:
    """A source prepared once for locating many quotes in it.

    The work of one :meth:`locate` is bounded whatever the sizes: exact and normalised search are
    linear scans in C, and the fuzzy step sees at most ``config.FUZZY_MAX_QUOTE_CHARS`` of the quote
    against at most ``config.FUZZY_MAX_HAYSTACK_CHARS`` of source per window, in at most
    ``config.FUZZY_MAX_WINDOWS`` windows.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.normalized, self._positions = normalize_with_map(source)

    def _span(self, nstart: int, nend: int) -> tuple[int, int]:
        """Map a [nstart, nend) span of the normalised text back to the original text (with the accents
        written after its last letter, in decomposed text)."""
        end = self._positions[nend - 1] + 1
        while end < len(self.source) and is_combining_mark(self.source[end]):
            end += 1
        return self._positions[nstart], end

    def _normalized_range(self, start: int, end: int) -> tuple[int, int]:
        """The [begin, end) of the normalised text that stands for the original [start, end)."""
        return bisect.bisect_left(self._positions, start), bisect.bisect_left(self._positions, end)

    def locate(self, quote: str, within: tuple[int, int] | None = None) -> Evidence:
        """Find ``quote`` in the source (or in its stretch ``within``, original offsets): exact, then
        normalised, then elided, then fuzzy; else ``not_found``.

        ``[n]`` sentence numbers copied from the numbered source are dropped from the quote first, unless
        the quote stands in the source with them.
        """
        start, end = within if within is not None else (0, len(self.source))
        q = _clean_quote(quote)
        at = self.source.find(q, start, end) if q else -1
        if at < 0 and q:
            q = strip_sentence_markers(q)
            at = self.source.find(q, start, end) if q else -1
        if not q:
            return _not_found(quote)
        if at >= 0:
            return Evidence(quote=quote, start=at, end=at + len(q), match="exact", score=1.0)
        nbegin, nend = self._normalized_range(start, end) if within is not None else (0, len(self.normalized))
        nq = normalize(q)
        for candidate in (nq, nq.rstrip(".,;:").rstrip()):
            at = self._find_aligned(candidate, nbegin, nend) if candidate else -1
            if at >= 0:
                s, e = self._span(at, at + len(candidate))
                return Evidence(quote=quote, start=s, end=e, match="normalized", score=1.0)
        return self._locate_elided(quote, nq, nbegin, nend) or self._locate_fuzzy(quote, q, nq, nbegin, nend)

    def _find_aligned(self, needle: str, begin: int = 0, end: int | None = None) -> int:
        """First hit of ``needle`` in the normalised text that starts and ends on whole source characters.

        A character can fold to several (``ß`` → ``ss``); a hit inside one would map to a span holding a
        character the quote does not contain, so such hits are skipped.
        """
        pos, n = self._positions, len(self.normalized)
        stop = n if end is None else end
        at = self.normalized.find(needle, begin, stop)
        while at >= 0:
            hit_end = at + len(needle)
            if (at == 0 or pos[at - 1] != pos[at]) and (hit_end == n or pos[hit_end] != pos[hit_end - 1]):
                return at
            at = self.normalized.find(needle, at + 1, stop)
        return -1

    def _locate_elided(self, quote: str, nq: str, begin: int, end: int) -> Evidence | None:
        """A quote shortened with '...': every part found, in order, close together."""
        parts = [p for p in _ELLIPSIS.split(nq) if p]
        if len(parts) < 2 or min(len(p) for p in parts) < 4:
            return None
        first = cursor = self._find_aligned(parts[0], begin, end)
        if first < 0:
            return None
        cursor = first + len(parts[0])
        for part in parts[1:]:
            at = self._find_aligned(part, cursor, end)
            if at < 0 or at - cursor > 3 * len(nq):
                return None
            cursor = at + len(part)
        start, stop = self._span(first, cursor)
        kept = sum(len(p) for p in parts)
        return Evidence(
            quote=quote, start=start, end=stop, match="fuzzy", score=round(kept / (cursor - first), 3)
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

    # --- fuzzy, bounded --------------------------------------------------------------------------

    def _locate_fuzzy(self, quote: str, q: str, nq: str, begin: int, end: int) -> Evidence:
        if len(nq) < config.FUZZY_MIN_CHARS or len(nq) > end - begin:
            return _not_found(quote)
        found = self._align_bounded(nq, begin, end)
        if found is None:
            return _not_found(quote)
        nstart, nend = self._snap_to_words(found.start, found.end)
        if nend <= nstart:
            return _not_found(quote)
        start, stop = _clip_to_sentences(self.source, q, *self._span(nstart, nend))
        if stop <= start:
            return _not_found(quote)
        return Evidence(quote=quote, start=start, end=stop, match="fuzzy", score=round(found.score / 100, 3))

    def _align_bounded(self, nq: str, begin: int, end: int) -> _Alignment | None:
        """The best alignment of ``nq`` in the normalised [begin, end); a quote longer than
        ``config.FUZZY_MAX_QUOTE_CHARS`` is aligned by its head and its tail, which must stand about as far
        apart as they do in the quote."""
        cap = config.FUZZY_MAX_QUOTE_CHARS
        if len(nq) <= cap:
            return self._align(nq, begin, end)
        piece = cap // 2
        head = self._align(nq[:piece], begin, end)
        if head is None:
            return None
        lo, hi = int(len(nq) * 0.8), int(len(nq) * 1.25)
        tail = self._align(nq[-piece:], head.start + lo - piece, min(end, head.start + hi))
        if tail is None or not lo <= tail.end - head.start <= hi:
            return None
        return _Alignment(min(head.score, tail.score), head.start, tail.end)

    def _align(self, needle: str, begin: int, end: int) -> _Alignment | None:
        """``needle`` aligned in the normalised [begin, end): in one piece when that stretch is short, else
        in windows around the needle's rarest words."""
        begin = max(0, begin)
        if end - begin < len(needle):
            return None
        if end - begin <= config.FUZZY_MAX_HAYSTACK_CHARS:
            windows = [(begin, end)]
        else:
            windows = _anchor_windows(self.normalized, needle, begin, end)
        best: _Alignment | None = None
        for ws, we in windows:
            cutoff = config.FUZZY_THRESHOLD if best is None else max(config.FUZZY_THRESHOLD, best.score)
            found = fuzz.partial_ratio_alignment(needle, self.normalized[ws:we], score_cutoff=cutoff)
            if (
                found is not None
                and found.dest_end > found.dest_start
                and (best is None or found.score > best.score)
            ):
                best = _Alignment(found.score, ws + found.dest_start, ws + found.dest_end)
        return best


def _anchor_windows(text: str, needle: str, begin: int, end: int) -> list[tuple[int, int]]:
    """Stretches of ``text`` (a normalised source) in [begin, end) around occurrences of ``needle``'s
    rarest words.

    A quote that aligns at ``FUZZY_THRESHOLD`` keeps most of its words as they are, so at least one
    of its three rarest words stands where it aligns. Bounded: 12 words counted, at most
    ``config.FUZZY_MAX_WINDOWS`` windows of about three times the needle's length.
    """
    # numbers first (distinctive), then the longest words; deterministic order
    words = sorted(set(_ANCHOR.findall(needle)), key=lambda w: (not w.isdigit(), -len(w), w))[:12]
    counted = sorted((text.count(w, begin, end), w) for w in words)
    anchors = [w for n, w in counted if n > 0][:3]
    slack = len(needle) // 4 + 8
    spans: list[tuple[int, int]] = []
    per_anchor = max(1, config.FUZZY_MAX_WINDOWS // max(1, len(anchors)))
    for word in anchors:
        offset = needle.find(word)
        at = text.find(word, begin, end)
        taken = 0
        while at >= 0 and taken < per_anchor:
            lo = max(begin, at - offset - slack)
            spans.append((lo, min(end, lo + len(needle) + 2 * slack)))
            taken += 1
            at = text.find(word, at + 1, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged[: config.FUZZY_MAX_WINDOWS]


def _clip_to_sentences(source: str, quote: str, start: int, end: int) -> tuple[int, int]:
    """The fuzzy span [start, end) of ``source``, kept inside the sentences ``quote`` reaches, and trimmed
    of the punctuation and spaces at its edges that the quote does not have (". The leading ..." for
    "The leading ...")."""
    reach = max(1, len(sentence_spans(quote)))
    lo = max(0, start - 400)
    around = [(lo + s, lo + e) for s, e in sentence_spans(source[lo : min(len(source), end + 400)])]
    touched = [(s, e) for s, e in around if s < end and start < e]
    if len(touched) > reach:
        best = max(
            range(len(touched) - reach + 1),
            key=lambda k: min(end, touched[k + reach - 1][1]) - max(start, touched[k][0]),
        )
        start = max(start, touched[best][0])
        end = min(end, touched[best + reach - 1][1])
    first, last = quote[:1], quote[-1:]
    while start < end and not _wordish(source[start]) and (_wordish(first) or source[start].isspace()):
        start += 1
    while end > start and not _wordish(source[end - 1]) and (_wordish(last) or source[end - 1].isspace()):
        end -= 1
    return start, end


def _not_found(quote: str) -> Evidence:
    return Evidence(quote=quote, start=None, end=None, match="not_found", score=0.0)


def locate(quote: str, source: str) -> Evidence:
    """Locate one quote in ``source`` (build a :class:`SourceIndex` to locate many)."""
    return SourceIndex(source).locate(quote)


class NumberedSource:
    """A source shown to the model as numbered sentences, so evidence can be cited by number.

    Small models copy long passages poorly but pick a sentence number reliably. The model cites a
    sentence and copies the words that state its claim; :meth:`evidence` locates those words (in the
    cited sentence first, then around it, then anywhere), and when they cannot be found falls back to the
    cited sentence itself with ``match="sentence"``: located, verbatim, but chosen by number rather than
    by words.
    """

    #: The sentence fallback compares at most this many characters of the words, and of each sentence,
    #: among at most this many sentences around the cited one: bounded work on any source.
    _SIMILAR_MAX_CHARS = 2_000
    _SIMILAR_MAX_SENTENCES = 2_000

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text = text
        self.spans = spans
        self._index: SourceIndex | None = None
        self._folded: dict[tuple[int, int], str] = {}  # sentence span -> normalised text, filled on need

    @property
    def index(self) -> SourceIndex:
        """The whole source prepared for search, built once, on first need."""
        if self._index is None:
            self._index = SourceIndex(self.text)
        return self._index

    @classmethod
    def from_text(cls, text: str, exclude: tuple[tuple[int, int], ...] = ()) -> NumberedSource:
        """Number the sentences of ``text``, leaving out those inside ``exclude`` (page furniture)."""
        spans = [
            (start, end)
            for start, end in sentence_spans(text)
            if not any(fs <= start and end <= fe for fs, fe in exclude)
        ]
        return cls(text, spans)

    def render(self, ids: list[int] | None = None) -> str:
        """``[n] sentence`` lines (1-based numbers), for all sentences or the given ids in order."""
        chosen = range(1, len(self.spans) + 1) if ids is None else ids
        return "\n".join(f"[{n}] {' '.join(self.text[slice(*self.spans[n - 1])].split())}" for n in chosen)

    def sentence(self, n: int) -> tuple[int, int] | None:
        return self.spans[n - 1] if 1 <= n <= len(self.spans) else None

    def evidence(self, n: int, quote: str, claim: str = "") -> Evidence:
        """Evidence for words ``quote`` said to stand in sentence ``n`` (and to state ``claim``).

        The words are located in the cited sentence, then in it and its neighbours, then anywhere; only
        words that carry the claim count (:func:`carries_claim`: "the" or "." never does). When they
        cannot be found or do not count, the sentence most similar to the words and the claim is taken
        (the cited one and its neighbours are favoured: small models often cite one off), if it is
        similar enough; else ``not_found``.
        """
        q = strip_sentence_markers(quote)
        enough = bool(q) and carries_claim(q, claim)
        if enough:
            for within in self._around(n):
                found = self.index.locate(q, within=within)
                if found.found:
                    return found.model_copy(update={"quote": quote})
        words = f"{q} {claim}".strip() if enough else claim.strip()
        best = self._most_similar(n, words) if words else None
        if best is not None:
            (start, end), similarity = best
            return Evidence(
                quote=self.text[start:end], start=start, end=end, match="sentence", score=round(similarity, 3)
            )
        return _not_found(quote)

    def _around(self, n: int) -> list[tuple[int, int] | None]:
        """Where to look for the words of sentence ``n``: in it, in it and its neighbours, anywhere."""
        span = self.sentence(n)
        if span is None:
            return [None]
        before = self.sentence(n - 1) or span
        after = self.sentence(n + 1) or span
        out: list[tuple[int, int] | None] = [span]
        if (before[0], after[1]) != span:
            out.append((before[0], after[1]))
        if out[-1] != (0, len(self.text)):
            out.append(None)
        return out

    def _most_similar(self, n: int, words: str) -> tuple[tuple[int, int], float] | None:
        if not words or not self.spans:
            return None
        target = normalize(words[: self._SIMILAR_MAX_CHARS])
        first = max(1, min(n, len(self.spans)) - self._SIMILAR_MAX_SENTENCES // 2)
        chosen = range(first, min(len(self.spans), first + self._SIMILAR_MAX_SENTENCES - 1) + 1)
        scored = []
        for k in chosen:
            s, e = self.spans[k - 1]
            folded = self._folded.get((s, e))
            if folded is None:
                folded = self._folded[(s, e)] = normalize(self.text[s : min(e, s + self._SIMILAR_MAX_CHARS)])
            similarity = fuzz.token_set_ratio(target, folded) / 100
            bonus = 0.1 if k == n else 0.05 if abs(k - n) == 1 else 0.0
            scored.append((similarity + bonus, similarity, (s, e)))
        if not scored:
            return None
        _, similarity, span = max(scored)
        return (span, similarity) if similarity >= config.SENTENCE_MIN_SIMILARITY else None


# --- a claim's span within the sentence it cites ---------------------------------------------------------
#
# The summary draft cites a sentence number and states the claim; it copies no words of the source. The
# evidence span is found here, from the claim's own words. Kept apart from the quote locator above, which
# it only calls.

__all__ += ["claim_span_in_sentence", "locate_claim"]

_WORD = re.compile(r"[^\W_]+(?:['’.,\-][^\W_]+)*")
#: How many sentences before the one that holds a claim may hold the names it was made self-contained with
#: ("He proposed that ..." after "Councillor Tomas Reyes said ...").
_CONTEXT_SENTENCES = 2
#: Stems this long or longer meet when one starts the other ("vote" and "voted", "restor" and "restora").
_MIN_PREFIX = 4


def _word_key(word: str) -> str:
    """A word as a claim and a sentence are compared: folded, possessive dropped, the package's stem."""
    from ..rules.words import stem  # the one stemmer of the package

    w = normalize(word)
    if w.endswith(("'s", "s'")):
        w = w[:-2]
    return w if any(ch.isdigit() for ch in w) else stem(w)


def _meets(key: str, wanted: AbstractSet[str]) -> str | None:
    """The claim key that sentence word ``key`` meets: the same stem, or one starting the other."""
    if key in wanted:
        return key
    if len(key) >= _MIN_PREFIX and not key[0].isdigit():
        for w in wanted:
            if len(w) >= _MIN_PREFIX and (key.startswith(w) or w.startswith(key)):
                return w
    return None


def _weight(key: str) -> int:
    """A content word's weight: its length, doubled for a number (the surest sign of the right sentence)."""
    return len(key) * (2 if any(ch.isdigit() for ch in key) else 1)


def _words(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((m.start(), m.end(), _word_key(m.group())) for m in _WORD.finditer(text))


@lru_cache(maxsize=16384)
def _sentence_words(text: str, start: int, end: int) -> tuple[tuple[int, int, str], ...]:
    """The keyed words of ``text[start:end]``, offsets into ``text`` (cached: a source's sentences are
    keyed once for all its claims)."""
    return tuple((start + s, start + e, key) for s, e, key in _words(text[start:end]))


def _content_keys(text: str) -> set[str]:
    from ..rules.words import STOPWORDS

    return {key for (s, e, key) in _words(text) if normalize(text[s:e]) not in STOPWORDS}


def _stretch_of(
    words: tuple[tuple[int, int, str], ...], wanted: set[str], context: AbstractSet[str] = frozenset()
) -> tuple[int, int, float] | None:
    """The smallest window of ``words`` holding every wanted key they hold; its share of ``wanted``.

    Keys found only in ``context`` (the sentences just before) count towards the share but stay out of the
    window, as long as the window itself holds at least half the weight.
    """
    met = ((i, _meets(key, wanted)) for i, (_, _, key) in enumerate(words))
    hits = [(i, key) for i, key in met if key is not None]
    present = {key for _, key in hits}
    if not present:
        return None
    best: tuple[int, int] | None = None
    counts: dict[str, int] = {}
    lo = 0
    for hi in range(len(hits)):  # the smallest window of hits holding every key the sentence has
        counts[hits[hi][1]] = counts.get(hits[hi][1], 0) + 1
        while len(counts) == len(present):
            i, j = hits[lo][0], hits[hi][0]
            if best is None or j - i < best[1] - best[0]:
                best = (i, j)
            key = hits[lo][1]
            counts[key] -= 1
            if not counts[key]:
                del counts[key]
            lo += 1
    assert best is not None
    total = sum(_weight(key) for key in wanted)
    inside = sum(_weight(key) for key in present)
    around = sum(_weight(key) for key in wanted - present if _meets(key, context))
    score = (inside + around) / total if 2 * inside >= total else inside / total
    return words[best[0]][0], words[best[1]][1], round(score, 3)


def claim_span_in_sentence(sentence: str, claim: str) -> tuple[int, int, float] | None:
    """The shortest stretch of ``sentence`` holding the claim's content words, and how well it holds them.

    Words are compared folded, possessives dropped, by the package's stem (:func:`summarizer.rules.words.stem`),
    a stem meeting another it starts ("vote" and "voted"); stop words do not count. The stretch runs from the first to
    the last sentence word that one of the claim's words meets, for the smallest such window holding
    every claim word the sentence has. The score is the share of the claim's content words, weighted by
    length (numbers twice), that stand in it: 1.0 when every one does. Returns ``(start, end, score)`` as
    offsets into ``sentence``, or None when no content word of the claim is there.
    """
    wanted = _content_keys(claim)
    return _stretch_of(_words(sentence), wanted) if wanted else None


def locate_claim(source: NumberedSource, n: int, claim: str) -> Evidence:
    """Evidence for a claim the model stated in its own words and said stands in sentence ``n``.

    In order, the first that finds it:

    1. the claim's words in the cited sentence, as a quote is looked for (exact, normalised, fuzzy);
    2. the claim's words anywhere in the source, likewise (a claim cited off);
    3. the stretch of a sentence holding the claim's content words (:func:`claim_span_in_sentence`),
       the sentence whose stretch holds most of them (the nearest to the cited one on a tie), when
       it holds at least ``config.FUZZY_THRESHOLD`` % of them: ``fuzzy``, scored by that share. Names
       the claim took from the sentences just before (to be self-contained) count, outside the stretch;
    4. the sentence most similar to the claim, whole, if similar enough: ``sentence``; else ``not_found``.

    The evidence's ``quote`` is always the source's own words at its span.
    """
    core = _clean_quote(claim).rstrip(".!?;:").rstrip()
    wanted = _content_keys(core)
    if not core or not wanted:
        return Evidence(quote=claim, start=None, end=None, match="not_found", score=0.0)
    span = source.sentence(n)
    if span is not None:
        within = source.index.locate(core, within=span)
        if within.found:
            return _verbatim(source, within)
    anywhere = source.index.locate(core)
    if anywhere.found:
        return _verbatim(source, anywhere)
    stretch = _best_stretch(source, n, wanted)
    if stretch is not None and stretch[2] * 100 >= config.FUZZY_THRESHOLD:
        start, end, score = stretch
        return Evidence(quote=source.text[start:end], start=start, end=end, match="fuzzy", score=score)
    best = source._most_similar(n, core)
    if best is None:
        return Evidence(quote=claim, start=None, end=None, match="not_found", score=0.0)
    (start, end), similarity = best
    return Evidence(
        quote=source.text[start:end], start=start, end=end, match="sentence", score=round(similarity, 3)
    )


def _prefix(key: str) -> str:
    """What two keys that meet (:func:`_meets`) always share."""
    return key[:_MIN_PREFIX]


@lru_cache(maxsize=16384)
def _sentence_prefixes(text: str, start: int, end: int) -> frozenset[str]:
    return frozenset(_prefix(key) for _, _, key in _sentence_words(text, start, end))


def _best_stretch(source: NumberedSource, n: int, wanted: set[str]) -> tuple[int, int, float] | None:
    """The best stretch over all sentences: the highest share, then the sentence nearest to ``n``.

    Sentences are tried in the order of an upper bound on their share (the claim words whose prefixes
    they hold, with the sentences just before), and the search stops when no bound can beat the best:
    a long document costs a set intersection per sentence, and the window work of a few.
    """
    text, spans = source.text, source.spans
    total = sum(_weight(key) for key in wanted)
    by_prefix: dict[str, int] = {}
    for key in wanted:
        by_prefix[_prefix(key)] = by_prefix.get(_prefix(key), 0) + _weight(key)
    wanted_prefixes = frozenset(by_prefix)
    prefixes = [_sentence_prefixes(text, s, e) & wanted_prefixes for s, e in spans]
    bounds = []
    for k, held in enumerate(prefixes, 1):
        if not held:
            continue
        around = set().union(*prefixes[max(0, k - 1 - _CONTEXT_SENTENCES) : k - 1])
        bound = sum(by_prefix[p] for p in held | around) / total
        bounds.append((bound, -abs(k - n), k))
    bounds.sort(reverse=True)
    best: tuple[float, int, tuple[int, int, float]] | None = None
    for bound, closeness, k in bounds:
        if best is not None and (bound, closeness) < (best[0], best[1]):
            break
        s, e = spans[k - 1]
        context = {
            key
            for prior in spans[max(0, k - 1 - _CONTEXT_SENTENCES) : k - 1]
            for _, _, key in _sentence_words(text, *prior)
        }
        found = _stretch_of(_sentence_words(text, s, e), wanted, context)
        if found is not None and (best is None or (found[2], closeness) > (best[0], best[1])):
            best = (found[2], closeness, found)
    return best[2] if best is not None else None


def _verbatim(source: NumberedSource, ev: Evidence) -> Evidence:
    """``ev`` with the source's own words at its span as its quote (the model wrote none)."""
    return ev.model_copy(update={"quote": source.text[ev.start or 0 : ev.end or 0]})
