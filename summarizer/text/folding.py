"""Character folds shared by grounding and the local checks, with a map back to the original offsets.

Sources and claims come written every way Unicode allows: decomposed accents (NFD), full-width letters,
ligatures, non-breaking and other spaces, curly quotes, Unicode dashes and minus signs, digits of other
scripts, zero-width characters. Two texts that read the same must compare equal, so both sides are folded
character by character:

* :func:`canonical_char` — NFKC (full-width letters, ligatures, ``…``), accents dropped (the combining
  diacritical marks), curly quotes made straight, dashes made ``-``, zero-width characters removed, digits
  of any script made ASCII, every space made ``" "`` (a line break ``"\\n"``); **case is kept**, since the
  local checks read capitals;
* :func:`fold_char` — the same, case-folded: what grounding compares.

:func:`canonical` folds a whole text with :func:`canonical_char` and keeps the map back to the original
(:class:`CanonicalText`), compactly: ASCII runs cost nothing, and only the characters that fold to more or
fewer than one leave a mark.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["ONE_TO_ONE", "CanonicalText", "canonical", "canonical_char", "fold_char", "is_combining_mark"]

_TABLE: dict[str, str] = {}
for _ch in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc\uff07":
    _TABLE[_ch] = "'"
for _ch in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02":
    _TABLE[_ch] = '"'
for _ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d":
    _TABLE[_ch] = "-"
for _ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
    _TABLE[_ch] = ""
_TABLE["\u2026"] = "..."

#: The folds that map one character to one (quotes, dashes): ``str.translate`` keeps offsets.
ONE_TO_ONE = str.maketrans({ch: folded for ch, folded in _TABLE.items() if len(folded) == 1})

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_MARK_BLOCKS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def is_combining_mark(ch: str) -> bool:
    """Whether ``ch`` is a combining diacritical mark (the accents that folding drops)."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _MARK_BLOCKS)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not is_combining_mark(c))
    return unicodedata.normalize("NFC", kept) if kept != decomposed else text


@lru_cache(maxsize=8192)
def canonical_char(ch: str) -> str:
    """``ch`` as the local checks compare it: NFKC, no accents, straight quotes, ASCII digits; case kept."""
    if ch < "\x80":
        return ch
    folded = _TABLE.get(ch)
    if folded is not None:
        return folded
    if ch.isspace():
        return "\n" if ch in _LINE_BREAKS else " "
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    out = _strip_marks(unicodedata.normalize("NFKC", ch))
    if out != ch:
        out = "".join(_TABLE.get(c, c) for c in out if not c.isspace())
    return out


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """``ch`` as grounding compares it: :func:`canonical_char`, case-folded (``ß`` → ``ss``)."""
    if ch == "`":
        return "'"
    out = canonical_char(ch).casefold()
    return _strip_marks(out) if not out.isascii() else out  # "İ" case-folds to "i" and a dot above


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class CanonicalText:
    """A text folded by :func:`canonical_char`, and the way back to offsets of the original.

    ``marks`` and ``shifts`` are parallel: from canonical offset ``marks[k]`` on, the original offset is
    the canonical one plus ``shifts[k]`` (until the next mark). Empty for a text that folds one to one.
    """

    text: str
    original: str
    marks: list[int] = field(default_factory=list)
    shifts: list[int] = field(default_factory=list)

    def to_original(self, at: int) -> int:
        """The original offset of canonical offset ``at``."""
        k = bisect.bisect_right(self.marks, at) - 1
        return at + (self.shifts[k] if k >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the canonical span [start, end), accents after its last letter included."""
        if not self.marks:
            return start, end
        if end <= start:
            at = self.to_original(start)
            return at, at
        first, last = self.to_original(start), self.to_original(end - 1) + 1
        while last < len(self.original) and is_combining_mark(self.original[last]):
            last += 1
        return first, last


def canonical(text: str) -> CanonicalText:
    """``text`` folded character by character with :func:`canonical_char`, mapped back to ``text``."""
    if text.isascii():
        return CanonicalText(text, text)
    parts: list[str] = []
    marks: list[int] = []
    shifts: list[int] = []
    out = 0  # canonical length so far
    last = 0
    for m in _NON_ASCII.finditer(text):
        parts.append(text[last : m.start()])
        out += m.start() - last
        for k, ch in enumerate(m.group(), m.start()):
            folded = canonical_char(ch)
            if len(folded) == 1:
                parts.append(folded)
                out += 1
                continue
            for j in range(1, len(folded)):  # the extra characters of an expansion map to ``ch`` too
                marks.append(out + j)
                shifts.append(k - (out + j))
            parts.append(folded)
            out += len(folded)
            marks.append(out)  # the next character: original k + 1 at canonical ``out``
            shifts.append(k + 1 - out)
        last = m.end()
    parts.append(text[last:])
    return CanonicalText("".join(parts), text, marks, shifts)
