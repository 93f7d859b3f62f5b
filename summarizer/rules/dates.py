"""Dates as a text writes them (month names and abbreviations, "June 18", "18 June", ISO and slashed
dates), and the dates of a claim that its source does not have."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..types import Evidence, Signal
from .lexicon import (
    _DAY_MONTH_RE,
    _ISO_DATE_RE,
    _MONTH_ABBR,
    _MONTH_DAY_RE,
    _MONTH_RE,
    _MONTHS,
    _SLASH_DATE_RE,
    _WEEKDAY_RE,
)

if TYPE_CHECKING:
    from .source import SourceProfile

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


def date_signals(source: SourceProfile, claim: str) -> list[tuple[Signal, Evidence | None]]:
    """Dates of ``claim`` (a month and day, a month, a weekday) that ``source`` does not have, or has
    with another day."""
    out: list[tuple[Signal, Evidence | None]] = []
    covered: list[tuple[int, int]] = []
    for month, day, start, end in _month_days(claim):
        covered.append((start, end))
        text = claim[start:end]
        if (month, day) in source._date_pairs:
            continue
        same_month = [(s, e) for m, _, s, e in source.month_days if m == month]
        if same_month:
            days = ", ".join(sorted({source.text[s:e] for s, e in same_month})[:3])
            detail = f"{text} is not in the source, which has {days}"
            evidence = source.evidence_at(*same_month[0]) if len(same_month) == 1 else None
            signal = Signal(kind="date_mismatch", text=text, detail=detail, decisive=len(same_month) == 1)
            out.append((signal, evidence))
        else:
            out.append(
                (
                    Signal(
                        kind="date_missing",
                        text=text,
                        detail=f"{text} does not occur in the source",
                        decisive=True,
                    ),
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
        if _month_number(name) not in source._months:
            out.append(
                (
                    Signal(
                        kind="date_missing",
                        text=name,
                        detail=f"{name} does not occur in the source",
                        decisive=True,
                    ),
                    None,
                )
            )
    for m in _WEEKDAY_RE.finditer(claim):
        weekday = m.group().lower().rstrip("s")
        if weekday not in source._weekdays:
            # not decisive: summaries resolve "tomorrow" or a date to a weekday
            detail = f"{m.group()} does not occur in the source"
            out.append((Signal(kind="date_missing", text=m.group(), detail=detail), None))
    return out
