"""Content words, the one way the package reads them: the stopword test and the stemmer.

The local checks match a claim's content words with the source's; grounding asks whether a quote carries
enough of its claim's (:func:`summarizer.text.grounding.carries_claim`). Both use these functions, so a
word counts the same everywhere.
"""

from __future__ import annotations

import unicodedata

from .lexicon import _NEGATIONS, _TOKEN_RE, STOPWORDS

__all__ = ["STOPWORDS", "content_stems", "evidence_terms", "stem"]


def stem(word: str) -> str:
    """A crude stem: case folded, common inflections stripped, cut to seven characters."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:7]


def content_stems(text: str) -> list[str]:
    """The stems of the content words of ``text``, in order: no stopwords, negations or bare numbers."""
    return [
        stem(t)
        for t in _TOKEN_RE.findall(text)
        if t.lower() not in STOPWORDS and t.lower() not in _NEGATIONS and not t.isdigit()
    ]


def _wide(token: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in token)


def evidence_terms(text: str) -> set[str]:
    """What a quote or a claim says, as comparable terms: content stems and numbers; in scripts written
    without spaces (Chinese, Japanese), pairs of adjacent characters."""
    terms: set[str] = set()
    for token in _TOKEN_RE.findall(text):
        low = token.lower()
        if low in STOPWORDS:
            continue
        if _wide(token):
            terms.update(token[k : k + 2] for k in range(max(1, len(token) - 1)))
        elif token.isdigit():
            terms.add(token.lstrip("0") or "0")
        elif low not in _NEGATIONS:
            terms.add(stem(token))
    return terms
