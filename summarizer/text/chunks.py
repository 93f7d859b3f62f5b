"""Token-bounded chunks of a text, cut on sentence boundaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .sentences import sentence_spans
from .tokens import encoding_for_model

if TYPE_CHECKING:
    import tiktoken

__all__ = ["chunk_spans"]


def chunk_spans(text: str, model: str, max_tokens: int) -> list[tuple[int, int]]:
    """Split ``text`` into [start, end) spans of at most ``max_tokens`` tokens, on sentence boundaries.

    A single sentence longer than the budget is cut on token boundaries. Offsets are into ``text``.
    """
    enc = encoding_for_model(model)
    chunks: list[tuple[int, int]] = []
    cur_start: int | None = None
    cur_end = 0
    cur_tokens = 0
    for s, e in sentence_spans(text):
        n = len(enc.encode(text[s:e], disallowed_special=()))
        if n > max_tokens:
            if cur_start is not None:
                chunks.append((cur_start, cur_end))
                cur_start, cur_tokens = None, 0
            chunks.extend(_cut_long(text, s, e, enc, max_tokens))
            continue
        if cur_start is not None and cur_tokens + n > max_tokens:
            chunks.append((cur_start, cur_end))
            cur_start, cur_tokens = None, 0
        if cur_start is None:
            cur_start = s
        cur_end = e
        cur_tokens += n
    if cur_start is not None:
        chunks.append((cur_start, cur_end))
    return chunks


def _cut_long(
    text: str, start: int, end: int, enc: tiktoken.Encoding, max_tokens: int
) -> Sequence[tuple[int, int]]:
    tokens = enc.encode(text[start:end], disallowed_special=())
    spans = []
    pos = start
    for i in range(0, len(tokens), max_tokens):
        piece = enc.decode(tokens[i : i + max_tokens])
        spans.append((pos, min(end, pos + len(piece))))
        pos += len(piece)
    return spans
