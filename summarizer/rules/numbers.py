"""Numbers as a text writes them: digits, words, percentages, money, years, with the rounding they imply."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .lexicon import (
    _NUMBER_RE,
    _NUMBER_WORD_RE,
    _ORDINAL_WORD_RE,
    _ORDINALS,
    _PERCENT_AFTER_RE,
    _SCALES,
    _SOURCE_ONLY_WORD_RE,
    _SOURCE_ONLY_WORDS,
    _SPOKEN_DECIMAL_RE,
    _TENS,
    _UNITS,
)

__all__ = ["NumberKind", "NumberMention", "extract_numbers"]

NumberKind = Literal["number", "percent", "money", "year"]


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
