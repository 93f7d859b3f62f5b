"""Names a claim writes (capitalised words and acronyms) that the source does not contain.

A missing name settles a claim (``entity_missing``) unless it may be something else: a capitalised word
at a sentence start ("Overall, ..."; ``name_missing``), or a fuller or generic form of a name the source
has ("New York City", "Ronald Reagan", "... processing (NLP)"; ``entity_variant``).
"""

from __future__ import annotations

import re

from ..text.sentences import ends_with_abbreviation
from ..types import Evidence, Signal
from .lexicon import (
    _CAPITALISED_RE,
    _COMMON_OPENERS,
    _GENERIC_ABBREVIATIONS,
    _GENERIC_NAME_WORDS,
    _MONTH_ABBR,
    _MONTHS,
    _PERIOD_CODE_RE,
    _TENS,
    _TOKEN_RE,
    _UNITS,
    _WEEKDAYS,
    STOPWORDS,
)
from .source import SourceProfile

__all__ = ["name_signals"]


def at_sentence_start(text: str, pos: int) -> bool:
    """Whether ``text[pos]`` opens a sentence (or a line, a clause after a colon, a bullet)."""
    before = text[:pos].rstrip()
    while before and before[-1] in "\"'“”‘’([*-–—•":
        before = before[:-1].rstrip()
    if not before:
        return True
    if before[-1] in "!?:;\n":
        return True
    if before[-1] == ".":
        return ends_with_abbreviation(before[:-1]) is None
    return "\n" in text[len(before) : pos]


def _defines_acronym(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is an acronym in parentheses after its expansion: "... processing (NLP)"."""
    if not (text[:start].endswith("(") and text[end : end + 1] == ")"):
        return False
    letters = [c.lower() for c in text[start:end] if c.isupper()]
    if len(letters) < 2:
        return False
    words = [w for w in re.split(r"[\s\-]+", text[: start - 1]) if w and w.lower() not in STOPWORDS]
    initials = [w[0].lower() for w in words[-len(letters) :]]
    return initials == letters


def _runs(claim: str) -> list[list[re.Match[str]]]:
    """The claim's capitalised words, grouped into runs separated by single spaces ("New York City")."""
    runs: list[list[re.Match[str]]] = []
    for m in _CAPITALISED_RE.finditer(claim):
        if m.start() > 0 and (claim[m.start() - 1].isalnum() or claim[m.start() - 1] in "$€£¥"):
            continue
        if runs and claim[runs[-1][-1].end() : m.start()] == " ":
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _not_a_name(source: SourceProfile, bare: str, word: str) -> bool:
    """Whether the capitalised ``bare`` is no name to look for, or one the source has."""
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
        or source.has_word(bare)
    ):
        return True
    if "-" in bare:  # "Sims-centric", "AI-driven": only the capitalised parts are names
        caps = [p for p in bare.split("-") if p[:1].isupper()]
        if caps and all(p.lower() in _GENERIC_ABBREVIATIONS or source.has_word(p) for p in caps):
            return True
    return False


def name_signals(source: SourceProfile, claim: str) -> list[tuple[Signal, Evidence | None]]:
    """Capitalised words and acronyms (names, roughly) of ``claim`` that ``source`` does not contain."""
    out: list[tuple[Signal, Evidence | None]] = []
    lower_words = {w.lower() for w in _TOKEN_RE.findall(claim) if w.islower()}
    for run in _runs(claim):
        missing: list[str] = []
        initial_missing = False
        for i, m in enumerate(run):
            word = m.group().rstrip(".")
            bare = re.sub(r"['’]s$", "", word)
            if _not_a_name(source, bare, word):
                continue
            low = bare.lower()
            starts_sentence = i == 0 and at_sentence_start(claim, m.start())
            acronym = sum(c.isupper() for c in bare) >= 2
            if starts_sentence and not acronym:
                if low in _COMMON_OPENERS or low in STOPWORDS or low in lower_words:
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
            and last.lower() in source.standalone_names
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
        out.append((Signal(kind=kind, text=text, detail=detail, decisive=decisive), None))
    return out
