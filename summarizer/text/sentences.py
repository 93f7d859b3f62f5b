"""Sentence boundaries: where the numbered sentences the model reads begin and end."""

from __future__ import annotations

import re

__all__ = ["sentence_spans"]

# A sentence ends at . ! ? … (plus closing quotes/brackets) before whitespace and a capital, digit or
# opening quote; at a blank line; or at a line break after anything but a lowercase letter or comma.
_SENTENCE_END = re.compile(
    r"(?<=[.!?\u2026\u3002])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])"
    r"|\n\s*\n"
    r"|(?<![a-z,;])\n\s*(?=[\"'\u201c\u2018(\[]?[A-Z0-9])"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of ``text`` (paragraph breaks always end a sentence)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
