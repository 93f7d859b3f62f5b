"""Token-bounded chunks on sentence boundaries (summarizer.text.chunks)."""

from __future__ import annotations

import itertools

from summarizer.text import chunks, tokens


def test_chunks_respect_budget_and_sentence_boundaries() -> None:
    sentences = [f"Sentence number {i} says something about item {i * 7}." for i in range(200)]
    text = " ".join(sentences)
    spans = chunks.chunk_spans(text, "gpt-4o", 100)
    enc = tokens.get_encoding("o200k_base")
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (s1, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 == s2  # contiguous, nothing lost
        assert text[s1:e1].rstrip().endswith(".")  # cut at a sentence end
    assert all(len(enc.encode(text[s:e])) <= 100 for s, e in spans)
    assert len(spans) > 5


def test_overlong_sentence_is_cut_on_tokens() -> None:
    text = "word " * 1000
    spans = chunks.chunk_spans(text.strip(), "gpt-4o", 50)
    assert "".join(text.strip()[s:e] for s, e in spans) == text.strip()
    enc = tokens.get_encoding("o200k_base")
    assert all(len(enc.encode(text.strip()[s:e])) <= 51 for s, e in spans)
