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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .text.grounding import SourceIndex, normalize
from .types import Evidence

__all__ = [
    "LocalChecker",
    "LocalResult",
    "Signal",
    "Verdict",
    "check_claim_locally",
    "extract_numbers",
]

logger = logging.getLogger(__name__)


def _words(words: str) -> list[str]:
    return words.split()


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


Verdict = Literal["supported", "contradicted", "not_in_source"]
NumberKind = Literal["number", "percent", "money", "year"]

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


# --- vocabulary -----------------------------------------------------------------------------------

_UNITS = {
    w: i
    for i, w in enumerate(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        )
        + _words("sixteen seventeen eighteen nineteen")
    )
}
_TENS = {w: 10 * i for i, w in enumerate(_words("twenty thirty forty fifty sixty seventy eighty ninety"), 2)}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINALS = {
    w: i
    for i, w in enumerate(_words("third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"), 3)
}
_ORDINALS |= {"twentieth": 20, "thirtieth": 30}
#: Read in the source only ("first" and "second" are too often not numbers to be checked in a claim).
_SOURCE_ONLY_WORDS = {"first": 1, "second": 2, "dozen": 12, "half": 0.5, "once": 1, "twice": 2, "single": 1}
_NUM_WORD = r"(?:" + "|".join([*_UNITS, *_TENS, "hundred", *_SCALES]) + r")"
_NUMBER_WORD_RE = re.compile(
    rf"\b(?:a\s+(?=hundred|thousand|million|billion|trillion))?{_NUM_WORD}(?:[\s-]+(?:and\s+)?{_NUM_WORD})*\b",
    re.IGNORECASE,
)
_ORDINAL_WORD_RE = re.compile(r"\b(?:" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)
_SOURCE_ONLY_WORD_RE = re.compile(r"\b(?:" + "|".join(_SOURCE_ONLY_WORDS) + r")\b", re.IGNORECASE)
_PERCENT_AFTER_RE = re.compile(r"\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
_SPOKEN_NUMBER = r"(?:\d+|(?:(?:" + "|".join([*_UNITS, *_TENS]) + r")(?:[\s-]+(?=[a-z]))?)+)"
#: Decimals as spoken in transcripts: "twelve point five", "twelve euros and fifty (cents)".
_SPOKEN_DECIMAL_RE = re.compile(
    rf"\b(?P<a>{_SPOKEN_NUMBER})\s+(?:point|dot|(?:dollars?|euros?|pounds?|bucks)\s+and(?:\s+\w)?)\s+"
    rf"(?P<b>{_SPOKEN_NUMBER})\b",
    re.IGNORECASE,
)

_MONTHS = {
    name: i
    for i, name in enumerate(
        _words("january february march april may june july august september october november december"), 1
    )
}
_MONTH_ABBR = {name[:3]: num for name, num in _MONTHS.items()} | {"sept": 9}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAME = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" + (
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_MONTH_DAY_RE = re.compile(rf"\b(?P<month>{_MONTH_NAME})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]?\d)")
_DAY_MONTH_RE = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAME})\b")
_MONTH_RE = re.compile(rf"\b{_MONTH_NAME}(?=\W|$)")
_WEEKDAY_RE = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASH_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")

_NUMBER_RE = re.compile(
    r"(?<![\w.,])(?<![A-Za-z]-)"
    r"(?P<cur>[$€£¥]\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<ord>st|nd|rd|th)?"
    r"(?P<scale>\s?(?:thousand|million|billion|trillion)\b|(?:mn|bn|[kKmMbB])\b)?"
    r"(?P<pct>\s?%|\s?percent\b|\s?per\s?cent\b|\s?percentage points?\b)?"
)
_LIST_MARKER_RE = re.compile(r"\d{1,2}[.)](?:\s|$)")
_PERIOD_CODE_RE = re.compile(r"^(?:Q[1-4]|H[12]|FY\d{2,4}|\d{1,2}[QH])$")

_NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|unable|lack|lacks|lacked)\b|n['’]t\b",
    re.IGNORECASE,
)
_NEGATIONS = _wordset(
    """
    not no never none nobody nothing neither nor without cannot unable lack lacks lacked
    """
)

_STOPWORDS = _wordset(
    """
    a an the and or but if then than so as of at by for from in into on onto to with within about
    over under up down out off again further once here there when where why how all any both each
    few more most other some such only own same too very can will just should would could may might
    must shall do does did doing done be been being am is are was were have has had having i me my
    we our you your he him his she her it its they them their this that these those what which who
    whom whose also however while because until during before after above below between through
    against among per via yet said says say one ones
    """
)

#: Capitalised words that begin sentences without being names (checked only at a sentence start).
_COMMON_OPENERS = _wordset(
    """
    additionally also although overall finally furthermore moreover meanwhile however therefore thus
    hence later lastly firstly secondly thirdly next then afterwards subsequently ultimately
    consequently instead similarly likewise besides nevertheless nonetheless still yet though
    despite notably importantly interestingly unfortunately fortunately initially eventually
    currently recently today tomorrow yesterday both either neither each every many several some
    most few all none no not nothing nobody everyone everybody someone somebody anyone he she it
    they we you i his her its their our your my this that these those there here what when where
    which who why how whether while after before since during in on at by for from with without to
    of as an a the and but or so if because although though unless until upon within throughout
    across according among along around about above below under over between into onto out further
    other another such one two three four five six seven eight nine ten speaker speakers host hosts
    participants participant group team company customer client agent author authors paper study
    researchers document podcast meeting discussion conversation email call summary article text
    report episode transcript dialogue chapter section user users
    """
)

#: Abbreviations that are ordinary vocabulary rather than names: their absence from the source says little.
_GENERIC_ABBREVIATIONS = _wordset(
    """
    yoy qoq mom ytd ttm ceo cfo coo cto cmo vp svp evp eps ebit ebitda gaap ipo gdp cpi kpi roi faq
    diy ok tv pc am pm a.m p.m usd eur gbp r&d m&a q&a ai ml it hr pr fyi asap etc aka
    """
)

#: Words that are part of many names without being what distinguishes them ("New York City").
_GENERIC_NAME_WORDS = _wordset(
    """
    city town village county state states region province district area territory republic kingdom
    north south east west northern southern eastern western central upper lower greater new old
    great river lake sea ocean bay mountain mountains mount island islands park street road avenue
    square university college school academy institute court department ministry office agency
    council committee commission board company corporation group party club church hospital museum
    library center centre hall house beach coast valley bridge tower station airport port harbour
    harbor national international federal royal united general first second
    """
)

#: Spellings of the same very common names, any of which counts for the others.
_ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"united states", "u.s", "us", "usa", "u.s.a", "america", "american", "americans"}),
    frozenset({"united kingdom", "u.k", "uk", "britain", "british", "great britain"}),
    frozenset({"european union", "eu"}),
    frozenset({"united nations", "un", "u.n"}),
)

_ABBREVIATIONS = _wordset(
    """
    mr mrs ms dr prof st vs etc inc ltd co corp jr sr no fig e.g i.e u.s u.k approx est dept gen gov
    sen rep
    """
)

_WORD_RE = re.compile(r"[^\W_](?:[\w&]|['’.\-](?=[^\W_]))*")
_CAPITALISED_RE = re.compile(r"[A-Z][\w]*(?:['’\-&.][\w]+)*")
_ELISION_RE = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\.\.\.|…)\s*")
_QUOTE_RE = re.compile(r"[\"“”]([^\"“”]{2,200}?)[\"“”]")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+|\s+\.\s+|;\s+")
_TOKEN_RE = re.compile(r"[^\W_]+")


# --- small text helpers ---------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude stem: case folded, common inflections stripped, cut to seven characters."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:7]


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


# --- numbers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberMention:
    """A number as written in a text, with its value and the rounding its writing implies."""

    value: float
    raw: str
    start: int
    end: int
    kind: NumberKind
    tolerance: float
    from_words: bool = False

    def matches(self, other: float) -> bool:
        return abs(self.value - other) <= self.tolerance + 1e-9 * max(1.0, abs(self.value))


def _tolerance(digits: str, scale: float) -> float:
    """Half a unit of the last significant digit written: "3.5 million" is 3.45-3.55 million."""
    if "." in digits:
        return 0.5 * 10 ** -len(digits.split(".")[1]) * scale
    plain = digits.replace(",", "")
    zeros = len(plain) - len(plain.rstrip("0"))
    if scale > 1:
        return 0.5 * 10**zeros * scale
    return 0.5 * 10**zeros if zeros >= 2 and len(plain) > zeros else 0.0


def _scale_value(word: str | None, currency: bool) -> float:
    if not word:
        return 1.0
    w = word.strip().lower()
    if w in _SCALES:
        return _SCALES[w]
    if not currency:
        return 1.0  # "5m" is as likely metres or minutes as millions
    return {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}.get(w, 1.0)


def _parse_number_words(words: Sequence[str]) -> float | None:
    total = 0.0
    current = 0.0
    seen = False
    for w in words:
        if w in ("a", "and"):
            continue
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _spoken_value(phrase: str) -> float | None:
    phrase = phrase.strip()
    if phrase.isdigit():
        return float(phrase)
    return _parse_number_words([w for w in re.split(r"[\s-]+", phrase.lower()) if w])


def extract_numbers(text: str, *, source_side: bool = False) -> list[NumberMention]:
    """Numbers written in digits or words, percentages and money amounts, years.

    ``source_side`` reads more leniently (ordinals such as "first", digits inside codes such as "Q3"):
    what the source may contain should be over-collected, what a claim asserts should not.
    """
    found: list[NumberMention] = []
    taken: list[tuple[int, int]] = []
    kind: NumberKind
    for m in _NUMBER_RE.finditer(text):
        digits = m.group("num")
        currency = m.group("cur") is not None
        scale = _scale_value(m.group("scale"), currency)
        try:
            base = float(digits.replace(",", ""))
        except ValueError:
            continue
        end = m.end() if (m.group("scale") and scale != 1.0) or m.group("pct") else m.end("num")
        if m.group("ord"):
            end = m.end("ord")
        kind = "number"
        if m.group("pct"):
            kind = "percent"
        elif currency:
            kind = "money"
        elif (
            len(digits) == 4
            and digits.isdigit()
            and 1000 <= base <= 2100
            and scale == 1.0
            and not m.group("ord")
            and not (m.end() < len(text) and text[m.end() : m.end() + 1].isalpha())
        ):
            kind = "year"
        if kind == "number" and len(digits) == 2 and digits.isdigit():
            century = re.search(r"(?<!\d)(\d{2})\d{2}\s?[-–/]\s?$", text[max(0, m.start() - 8) : m.start()])
            if century:  # "2018–19"
                kind, base = "year", float(century.group(1) + digits)
        raw = text[m.start() : end].strip()
        tolerance = 0.0 if kind == "year" else _tolerance(digits, scale)
        found.append(NumberMention(base * scale, raw, m.start(), m.start() + len(raw), kind, tolerance))
        taken.append((m.start(), end))
    taken_starts = [s for s, _ in taken]
    for m in _NUMBER_WORD_RE.finditer(text):
        words = [w for w in re.split(r"[\s-]+", m.group().lower()) if w]
        if not source_side and words == ["one"]:
            continue  # "one of them": too often not a count to be checked in a claim
        value = _parse_number_words(words)
        if value is None:
            continue
        i = bisect.bisect_left(taken_starts, m.end())
        if i and taken[i - 1][1] > m.start():
            continue  # part of a number already read ("3.5 million")
        kind = "percent" if _PERCENT_AFTER_RE.match(text, m.end()) else "number"
        found.append(NumberMention(value, m.group(), m.start(), m.end(), kind, 0.0, from_words=True))
    word_values = _ORDINALS | _SOURCE_ONLY_WORDS if source_side else _ORDINALS
    for rx in (_ORDINAL_WORD_RE, _SOURCE_ONLY_WORD_RE) if source_side else (_ORDINAL_WORD_RE,):
        for m in rx.finditer(text):
            value = word_values[m.group().lower()]
            found.append(NumberMention(value, m.group(), m.start(), m.end(), "number", 0.0, True))
    if source_side:
        for m in re.finditer(r"(?<=[A-Za-z])\d+|\d+(?=[A-Za-z])", text):
            found.append(NumberMention(float(m.group()), m.group(), m.start(), m.end(), "number", 0.0))
        for m in _SPOKEN_DECIMAL_RE.finditer(text):
            whole, cents = _spoken_value(m.group("a")), _spoken_value(m.group("b"))
            if whole is not None and cents is not None and cents < 100:
                money = " and" in m.group().lower()  # "twelve euros and five (cents)" is 12.05
                value = float(f"{int(whole)}.{int(cents):02d}" if money else f"{int(whole)}.{int(cents)}")
                raw = m.group().strip()
                found.append(NumberMention(value, raw, m.start(), m.start() + len(raw), "number", 0.0, True))
    found.sort(key=lambda n: n.start)
    return found


# --- dates ----------------------------------------------------------------------------------------


def _month_number(name: str) -> int:
    n = name.lower().rstrip(".")
    return _MONTHS.get(n) or _MONTH_ABBR[n[:4] if n.startswith("sept") else n[:3]]


def _month_days(text: str) -> list[tuple[int, int, int, int]]:
    """(month, day, start, end) of every "June 18" / "18 June" / ISO or slashed date."""
    out: list[tuple[int, int, int, int]] = []
    for rx in (_MONTH_DAY_RE, _DAY_MONTH_RE):
        for m in rx.finditer(text):
            day = int(m.group("day"))
            if 1 <= day <= 31:
                out.append((_month_number(m.group("month")), day, m.start(), m.end()))
    for m in _ISO_DATE_RE.finditer(text):
        out.append((int(m.group(2)), int(m.group(3)), m.start(), m.end()))
    for m in _SLASH_DATE_RE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        out.append((a, b, m.start(), m.end()))
        out.append((b, a, m.start(), m.end()))
    return out


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


_TITLES = _wordset(
    """
    mr mrs ms dr prof professor president justice judge senator sen governor gov mayor king queen
    prince princess sir lady lord pope chancellor minister secretary general coach captain
    """
)


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
