"""Dates as a text writes them: month names and abbreviations, "June 18", "18 June", ISO and slashed dates."""

from __future__ import annotations

from .lexicon import _DAY_MONTH_RE, _ISO_DATE_RE, _MONTH_ABBR, _MONTH_DAY_RE, _MONTHS, _SLASH_DATE_RE

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
