"""The one chunker: runs of consecutive sentences under a token budget, on sentence boundaries.

Used by map-reduce over long documents (:mod:`summarizer.pipeline.longdoc`) and by the windows of a long
source shown to the claim checker. The pieces:

* :func:`pack_end` / :func:`pack` — runs of consecutive units (sentences) whose token sizes fit a budget,
  ending at a paragraph break when one falls late enough in the run;
* :func:`paragraph_breaks` — which sentences a blank line precedes;
* :func:`cut_on_whitespace` — a sentence longer than any budget, cut into pieces on whitespace;
* :func:`chunk_spans` — all of it over a text: character spans of chunks of at most ``max_tokens``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import config
from .sentences import sentence_spans
from .tokens import encoding_for_model

if TYPE_CHECKING:
    import tiktoken

__all__ = ["chunk_spans", "cut_on_whitespace", "pack", "pack_end", "paragraph_breaks"]

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


def pack_end(
    sizes: Sequence[int],
    start: int,
    budget: int,
    breaks: Sequence[bool] | None = None,
    min_fill: float = config.PARAGRAPH_MIN_FILL,
) -> int:
    """Where the run of units that starts at ``start`` ends (exclusive).

    As many consecutive units as fit ``budget`` (one at least, even if it alone is larger). With
    ``breaks`` (``breaks[k]``: a paragraph break stands before unit ``k``), a run that would end
    mid-paragraph ends at the last paragraph break instead, if the run is ``min_fill`` of the budget by
    then.
    """
    n = len(sizes)
    used, j = sizes[start], start + 1
    last_break, used_at_break = 0, 0
    while j < n and used + sizes[j] <= budget:
        if breaks is not None and breaks[j]:
            last_break, used_at_break = j, used
        used += sizes[j]
        j += 1
    if breaks is not None and j < n and not breaks[j] and last_break and used_at_break >= min_fill * budget:
        return last_break
    return j


def pack(
    sizes: Sequence[int],
    budget: int,
    breaks: Sequence[bool] | None = None,
    min_fill: float = config.PARAGRAPH_MIN_FILL,
) -> list[tuple[int, int]]:
    """Every run of :func:`pack_end`, in order: [start, end) indices covering all the units."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(sizes):
        j = pack_end(sizes, i, budget, breaks, min_fill)
        runs.append((i, j))
        i = j
    return runs


def paragraph_breaks(text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """``breaks[k]``: whether a blank line stands between span ``k - 1`` and span ``k`` (never for 0)."""
    return [False] + [
        _PARAGRAPH_BREAK.search(text, spans[k - 1][1], spans[k][0]) is not None for k in range(1, len(spans))
    ]


def cut_on_whitespace(
    text: str, start: int, end: int, enc: tiktoken.Encoding, limit: int
) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into pieces of about ``limit`` tokens at most, on whitespace where it can
    (on a token boundary where a piece holds none); the pieces hold no surrounding whitespace."""
    body = text[start:end]
    toks = enc.encode(body, disallowed_special=())
    if len(toks) <= limit:
        return [(start, end)]
    _, offsets = enc.decode_with_offsets(toks)
    cuts: list[tuple[int, int]] = []
    a, k = 0, 0  # the piece's first character, and the token that holds it
    while k + limit < len(toks):
        cut = ws = offsets[k + limit]
        while ws > a + 1 and not body[ws - 1].isspace():
            ws -= 1
        if ws > a + 1:
            cut = ws - 1
        cuts.append((a, cut))
        a = cut
        while a < len(body) and body[a].isspace():
            a += 1
        k = bisect.bisect_right(offsets, a) - 1
    cuts.append((a, len(body)))
    pieces = []
    for ps, pe in cuts:
        piece = body[ps:pe]
        stripped = piece.strip()
        if stripped:
            at = start + ps + piece.index(stripped)
            pieces.append((at, at + len(stripped)))
    return pieces


def chunk_spans(text: str, model: str, max_tokens: int) -> list[tuple[int, int]]:
    """``text`` as [start, end) spans of at most ``max_tokens`` tokens each, on sentence boundaries.

    Runs of whole sentences, ending at a paragraph break where one falls late enough; a sentence longer
    than the budget is cut on whitespace. Offsets are into ``text``; the spans hold every sentence, in
    order, with only whitespace between them.
    """
    enc = encoding_for_model(model)
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units += cut_on_whitespace(text, s, e, enc, max(1, max_tokens - 1))
    # one token more per sentence for what separates it from the next (a space, a line break)
    sizes = [len(enc.encode(text[s:e], disallowed_special=())) + 1 for s, e in units]
    breaks = paragraph_breaks(text, units)
    return [(units[i][0], units[j - 1][1]) for i, j in pack(sizes, max_tokens, breaks)]
