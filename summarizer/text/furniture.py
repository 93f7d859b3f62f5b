"""Page furniture: the lines of a text that belong to the web page, not to the article.

Share buttons, "Most Commented" boxes, cookie notices, newsletter sign-ups, menus at the top and link boxes
at the bottom. :func:`find_furniture` returns their spans; :class:`summarizer.text.documents.Document`
keeps them in its text (offsets keep working) and leaves them out of what the model reads.
"""

from __future__ import annotations

import re

__all__ = ["find_furniture"]

# --- page furniture ---------------------------------------------------------------------------------
_WS = r"[^\S\n]+"  # whitespace inside one line
_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|telegram|messenger|bluesky|threads"
    r"|mastodon|instagram|tiktok|youtube|e-?mail)"
)
_LIST_HEADINGS = [
    r"most (?:commented|read|popular|viewed|shared|e-?mailed|watched|recent)"
    r"(?: (?:articles|stories|news|posts|today|this week|now))?",
    r"(?:related|recommended|trending|popular|latest|more) (?:articles|stories|posts|content|news|reads|links)",
    r"related",
    r"recommended(?: for you)?",
    r"trending(?: now)?",
    r"you (?:may|might) also (?:like|enjoy)",
    r"(?:more )?from (?:around|across) the (?:web|site)",
    r"editor'?s'? picks",
    r"read next",
    r"more (?:on|about) this (?:story|topic)",
    r"more (?:from|by) (?:this|our|the) (?:author|writer|site|section)",
    r"more stories from [^\n]{1,40}",
]
_PHRASES = [
    *_LIST_HEADINGS,
    r"share|tweet",
    rf"(?:share|tweet|post|pin|e-?mail|print)(?: (?:this|the))? (?:article|story|page|post|link)"
    rf"(?: (?:on|via|to|with) {_SOCIAL})?",
    rf"(?:share|tweet|post|pin|e-?mail)(?: (?:this|it))? (?:on|via|to|with) {_SOCIAL}",
    r"copy the link",
    r"advertisement|advert|sponsored(?: content)?|paid content|ad feature",
    r"(?:story|article) continues below(?: (?:this )?advertisement)?",
    r"subscribe(?: (?:now|today|here))?",
    r"subscribe to (?:our|the) [^\n]{1,40}",
    r"sign up(?: (?:now|here|today))?",
    r"sign up (?:for|to) (?:our|the) (?:free )?(?:daily |weekly )?newsletters?(?: (?:here|now|today))?",
    r"(?:get|join) our (?:free )?newsletters?",
    r"newsletter sign-?up",
    r"read more(?: (?:here|about this|stories|articles))?",
    r"read (?:the )?full (?:story|article)",
    r"continue reading(?: (?:here|below))?",
    r"click here(?: [^\n]{1,80})?",
    rf"follow us(?: on {_SOCIAL}(?:(?:,| and| &| or)+ {_SOCIAL})*)?",
    rf"(?:like|find|join) us on {_SOCIAL}",
    r"(?:this|our) (?:web)?site uses cookies[^\n]{0,250}",
    r"we use cookies (?:and similar technologies )?(?:to|on|for) [^\n]{0,250}",
    r"by (?:continuing to (?:use|browse)|using) (?:this|our) (?:web)?site[^\n]{0,200}cookies[^\n]{0,200}",
    r"(?:accept|reject|allow)(?: all)? cookies|cookie (?:policy|settings|preferences)",
    r"manage (?:cookie )?preferences",
    r"(?:show|view|hide|read) (?:all )?(?:\d+ )?comments|leave a (?:comment|reply)",
    r"join the (?:conversation|discussion)",
    r"back to top|skip to (?:main )?content|skip navigation|toggle navigation",
    r"privacy policy|terms (?:of (?:use|service)|and conditions)|contact us|about us",
    # a year is required after "(c)": "(c) the trust shall ..." is a clause of a list, not a notice
    r"©[^\n]{0,120}|(?:\(c\)|copyright)(?: ©| \(c\))? \d{4}[^\n]{0,120}",
    r"all rights reserved",
    r"listen to (?:this )?(?:article|story)",
    r"\d+ min(?:ute)?s? read",
]
#: Navigation words that are furniture only next to other furniture at the top (never on their own:
#: "Search" or "Home" may be a title).
_WEAK = [
    r"home",
    r"menu",
    r"search",
    r"sign in",
    r"log ?in",
    r"register",
    r"(?:\d+ )?comments?",
    r"e-?mail|print|post|pin|copy link",
]
_DECOR = r"(?:[-–—*•·|»›>]+[^\S\n]*)?"
_TAIL = r"[^\S\n]*[:.!»›>→…|]*"


def _alternation(phrases: list[str]) -> str:
    return "|".join(f"(?:{p.replace(' ', _WS)})" for p in phrases)


#: One furniture phrase on a line of its own (used on single lines, and for the whole-text scan below).
_FURNITURE_LINE_RE = re.compile(
    rf"^[^\S\n]*{_DECOR}(?:{_alternation(_PHRASES)}){_TAIL}[^\S\n]*$", re.IGNORECASE | re.MULTILINE
)
# Whole-text scans run on lower-cased text prefixed with "\n": without IGNORECASE the regex engine skips
# most alternatives on their first character, and a literal "\n" start is found by a fast search.
# That is about four times faster than the pattern above on a large document.
_FURNITURE_SCAN_BODY = rf"[^\S\n]*{_DECOR}(?:{_alternation(_PHRASES)}){_TAIL}[^\S\n]*(?=\n|\Z)"
_FURNITURE_SCAN_LOWER_RE = re.compile(rf"\n{_FURNITURE_SCAN_BODY}")
_FURNITURE_SCAN_RE = re.compile(rf"\n{_FURNITURE_SCAN_BODY}", re.IGNORECASE)
#: How many lines at the top and bottom are examined for furniture blocks.
_MAX_EDGE_LINES = 200
#: Headings of link boxes ("Most Commented", "Related articles"): headlines may follow them.
_LIST_HEADING_RE = re.compile(rf"{_DECOR}(?:{_alternation(_LIST_HEADINGS)}){_TAIL}", re.IGNORECASE)
_WEAK_RE = re.compile(rf"{_DECOR}(?:{_alternation(_WEAK)}){_TAIL}", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SHORT_WORDS = 5
_HEADLINE_WORDS = 12

# Line classes for the leading/trailing block scan.
_BLANK, _PHRASE, _LIST, _WEAK_LINE, _SHORT, _HEADLINE, _TEXT = range(7)


def _classify(line: str) -> int:
    stripped = line.strip()
    if not stripped:
        return _BLANK
    if _FURNITURE_LINE_RE.fullmatch(line):
        return _LIST if _LIST_HEADING_RE.fullmatch(stripped) else _PHRASE
    if _WEAK_RE.fullmatch(stripped):
        return _WEAK_LINE
    if _SENTENCE_END_RE.search(stripped):
        return _TEXT
    words = len(stripped.split())
    if words <= _SHORT_WORDS:
        return _SHORT
    return _HEADLINE if words <= _HEADLINE_WORDS else _TEXT


def _leading_lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, class) of the lines at the top that could be furniture, stopping at real text."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    while len(out) < _MAX_EDGE_LINES:
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        kind = _classify(text[pos:end])
        if kind not in (_BLANK, _PHRASE, _LIST, _WEAK_LINE, _SHORT):
            break
        out.append((pos, end, kind))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _trailing_lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, class) of the lines at the bottom that could be furniture, in document order."""
    out: list[tuple[int, int, int]] = []
    end = len(text)
    while len(out) < _MAX_EDGE_LINES:
        start = text.rfind("\n", 0, end) + 1
        kind = _classify(text[start:end])
        if kind == _TEXT:
            break
        out.append((start, end, kind))
        if start == 0:
            break
        end = start - 1
    out.reverse()
    return out


def find_furniture(text: str) -> tuple[tuple[int, int], ...]:
    """Spans ``[start, end)`` of the page-furniture lines of ``text`` (the line, not its newline).

    A line is furniture when it is one of the known phrases ("Share this article", "Most read:",
    "Advertisement", cookie notices, ...). Short lines (at most five words, no sentence-final
    punctuation) are furniture only inside a furniture block at an edge of the text: at the top when
    they sit between two phrase lines (a menu), at the bottom when they follow a phrase line; after a
    link-box heading such as "Most Commented", headline-length lines (up to twelve words) are too.
    Sentences and a title at the top are never furniture.
    """
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() only ever lengthens: equal length means offsets agree
        scan = _FURNITURE_SCAN_LOWER_RE.finditer("\n" + lowered)
    else:
        scan = _FURNITURE_SCAN_RE.finditer("\n" + text)
    # Matches start at the "\n" put (or found) before the line: in `text` the line starts right there.
    spans: set[tuple[int, int]] = {(m.start(), m.end() - 1) for m in scan}

    # Top: short lines sandwiched between phrase (or navigation-word) lines, at least one a phrase.
    leading = _leading_lines(text)
    bounds = [i for i, (_, _, kind) in enumerate(leading) if kind in (_PHRASE, _LIST, _WEAK_LINE)]
    if len(bounds) >= 2 and any(leading[i][2] != _WEAK_LINE for i in bounds):
        for start, end, kind in leading[bounds[0] : bounds[-1] + 1]:
            if kind in (_SHORT, _WEAK_LINE):
                spans.add((start, end))

    # Bottom: everything from the first phrase line on, while the block stays furniture-like.
    block: list[tuple[int, int]] = []
    opened = after_list = False
    for start, end, kind in _trailing_lines(text):
        if kind in (_PHRASE, _LIST):
            opened = True
            after_list = kind == _LIST or after_list
            block.append((start, end))
        elif opened and (kind in (_SHORT, _WEAK_LINE) or (kind == _HEADLINE and after_list)):
            block.append((start, end))
        elif kind != _BLANK:
            # A short line before any phrase, or a headline not under a link-box heading: restart.
            block.clear()
            opened = after_list = False
    spans.update(block)
    return tuple(sorted((s, e) for s, e in spans if s < e))
