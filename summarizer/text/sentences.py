"""The one sentence splitter: numbering, grounding, chunking and the local checks all cut text here.

Rule-based and fast (a regular expression finds the candidate boundaries, a few tests decide them), made
for news and other prose, and robust to what the inputs hold:

* a period after an abbreviation ("Mr.", "Dr.", "Jan.", "U.S.", "p.m.", "Inc.", an initial "W.") ends a
  sentence only when a word that typically opens a sentence follows ("... in the U.S. The ..."); a title
  ("Mr.", "Dr.", "Gov.") never does;
* ``?``, ``!`` and an ellipsis end a sentence unless a lowercase word follows (``"Really?" she asked``);
  a period ends one before a lowercase word too, so lower-cased and tokenised text ("... nepal . and
  they ...") is split as well;
* a blank line always ends a sentence; a single line break ends one before a capital, a digit or an
  opening quote, unless the line runs on: it ends in a lowercase letter, a comma or a semicolon ("met
  with\nPresident Putin"), or fills a hard-wrapped text's width; a bullet, a list number or a speaker
  label ("Anna: ...") at the start of a line always starts a sentence;
* CJK full stops end a sentence with no space after them.

``benchmarks/sentences.py`` compares it with pysbd on news text (agreement and speed) and on a set of
hard cases. Spans never hold leading or trailing whitespace.
"""

from __future__ import annotations

import re

__all__ = [
    "ABBREVIATIONS",
    "NUMBERED",
    "TITLES",
    "ends_with_abbreviation",
    "sentence_spans",
    "sentence_starts",
]


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Abbreviations before a name: a period after them never ends a sentence.
TITLES = _words(
    """
    mr mrs ms mx dr prof rev fr gen sen rep gov lt col capt sgt maj adm cmdr hon pres supt insp messrs
    mme mlle brig cpl pvt
    """
)

#: Abbreviations before a number ("No. 5", "Jan. 5", "Fig. 2", "p. 12"); many are words too ("no",
#: "art", "sun"), so a period after them ends a sentence unless a number or a lowercase word follows.
NUMBERED = _words(
    """
    no nos vol vols fig figs p pp ch sec art para approx est ca ed eds op tel ext jan feb mar apr jun jul
    aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun min max avg dist
    """
)

#: Every abbreviation the splitter knows. A period after the ones that are neither titles nor
#: :data:`NUMBERED` ends a sentence only before a word that typically opens one ("... the U.S. The").
ABBREVIATIONS = (
    TITLES
    | NUMBERED
    | _words(
        """
        jr sr st vs etc inc ltd co corp bros plc llc cf al viz mt ft ave blvd rd hwy univ assn intl natl govt dept
        e.g i.e u.s u.k u.n u.s.a a.m p.m ph.d b.a m.a m.d d.c l.a n.y
        """
    )
)

#: Capitalised words that typically open a sentence: after an abbreviation, they say a sentence ended.
_OPENERS = _words(
    """
    The A An This That These Those There Then Their They He She It Its We I You Our My His Her But And
    Or So Yet If When While After Before As In On At For From By With Without Although Though However
    Meanwhile Still Also Now Today Yesterday Last Next Some Many Most Several Both Each All No Not
    What Who Why How Where Which Officials Police Authorities According Earlier Later
    """
)

# A candidate boundary: terminal punctuation (plus closing quotes and brackets) before whitespace or the
# end, a CJK full stop anywhere, or a line break.
_CANDIDATE = re.compile(
    r"(?P<term>\.{3}|[.!?\u2026]+)(?P<close>[\"'\u201d\u2019)\]]*(?:[ \t]+(?:''|[\u201d\u2019]))?)(?=\s|$)"
    r"|(?P<cjk>[\u3002\uff01\uff1f]+[\u300d\u300f\u201d\uff09]*)"
    r"|(?P<nl>\n)"
)
_LAST_TOKEN = re.compile(r"(\S*)$")
_NEXT_WORD = re.compile(r"\s*([\"'\u201c\u2018(\[`]*)\s*(\S*)")
_LINE_START = re.compile(
    r"[ \t]*(?:[-\u2022*\u25aa\u25cf\u2013\u2014]\s|\d{1,2}[.)]\s|\(?[a-zA-Z][.)]\s|[A-Z][\w .'\-]{0,30}:\s)"
)
_OPENS_SENTENCE = re.compile(r"[\"'\u201c\u2018(\[]?[A-Z0-9]")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*\(?\d{1,2}$")


def ends_with_abbreviation(before: str) -> str | None:
    """The abbreviation (case folded, without its last period) that ``before`` ends with, if any.

    ``before`` is the text up to a period. Known abbreviations, single letters ("W") and dotted forms
    ("U.S", "p.m") count; a word written with a space before the period ("nepal .") does not.
    """
    token = _LAST_TOKEN.search(before)
    word = token.group(1) if token else ""
    word = word.lstrip("\"'\u201c\u2018([").lower()
    if not word:
        return None
    if word in ABBREVIATIONS:
        return word
    if len(word) == 1 and word.isalpha():
        return word
    if "." in word and all(part.isalpha() and len(part) <= 3 for part in word.split(".")):
        return word  # dotted: "u.s", "a.m", "ph.d"
    return None


def _wrap_width(text: str) -> int:
    """The width ``text`` is hard-wrapped at (most of its lines fill a similar width, at most 100), or 0."""
    lengths = sorted(len(line) for line in text.split("\n", 2000)[:2000] if line.strip())
    if len(lengths) < 5:
        return 0
    width = lengths[int(len(lengths) * 0.9) - 1]
    if width > 100 or width < 30:
        return 0
    full = sum(1 for n in lengths if n >= 0.6 * width)
    return width if full >= 0.6 * len(lengths) else 0


def _period_ends(text: str, at: int, after: int) -> bool:
    """Whether the period at ``text[at]`` ends a sentence; ``after`` is where the next text begins."""
    before = text[:at] if at < 64 else text[at - 64 : at]
    if before[-1:].isspace():
        return True  # tokenised text: "nepal . and"
    if before[-1:].isdigit() and _LIST_NUMBER.search(before):
        return False  # "1. " at the start of a line: a list number
    abbreviation = ends_with_abbreviation(before)
    if abbreviation is None:
        return True
    if abbreviation in TITLES:
        return False
    nxt = _NEXT_WORD.match(text, after)
    word = nxt.group(2).rstrip(",;:.!?\"'\u201d\u2019)") if nxt else ""
    if not word or word[0].islower():
        return False  # "e.g. the", "3 p.m. on Friday"
    if abbreviation in NUMBERED:
        return not word[0].isdigit() and word[0] not in "$\u20ac\u00a3#"
    return word in _OPENERS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the sentences of ``text``, in order, with no surrounding whitespace."""
    width = _wrap_width(text) if "\n" in text else 0
    cuts: list[int] = []  # a sentence ends at or before each cut
    for m in _CANDIDATE.finditer(text):
        end = m.end()
        if m.group("nl") is not None:
            if _line_break_ends(text, m.start(), width):
                cuts.append(end)
        elif m.group("cjk") is not None or _terminal_ends(text, m.start(), end, m.group("term")):
            cuts.append(end)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(text)]:
        if cut > start:
            _append_trimmed(text, start, cut, spans)
            start = cut
    return spans


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of ``text`` begins."""
    return [s for s, _ in sentence_spans(text)]


def _terminal_ends(text: str, at: int, after: int, term: str) -> bool:
    """Whether the terminal punctuation ``term`` at ``text[at:]`` (closing quotes up to ``after``) ends a
    sentence."""
    nxt = _NEXT_WORD.match(text, after)
    if nxt is None or not nxt.group(2):
        return False  # the end of the text: the last span ends there anyway
    if term == ".":
        return _period_ends(text, at, after)
    spaced = text[at - 1 : at].isspace()  # tokenised text: "hard ? and"
    return spaced or not nxt.group(2)[0].islower()  # '"Really?" she asked', "he paused... and went on"


def _line_break_ends(text: str, at: int, width: int) -> bool:
    """Whether the line break at ``text[at]`` ends a sentence (``width``: the wrap width, 0 if unwrapped)."""
    nxt = at + 1
    if _LINE_START.match(text, nxt):
        return True  # a bullet, a list number or a speaker label opens the next line
    line = text[text.rfind("\n", 0, at) + 1 : at]
    if not line.strip():
        return True  # a blank line
    rest = text[nxt : nxt + 200].lstrip(" \t")
    if not rest or rest[0] == "\n":
        return True
    if rest[0].islower():
        return False  # the sentence runs on
    opens = bool(_OPENS_SENTENCE.match(rest))
    if width:  # hard-wrapped: a full line runs on, a short one ends a paragraph or a heading
        return opens and len(line.rstrip()) < 0.6 * width
    # a line that ends in a lowercase letter, a comma or a semicolon runs on ("met with\nPresident Putin");
    # any other line end before a capital, a digit or an opening quote ends a sentence
    return opens and not re.match(r"[a-z,;]", line.rstrip()[-1:])


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
