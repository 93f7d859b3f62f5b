"""The one chunker (summarizer.text.chunks): runs of sentences under a token budget."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text import chunks, tokens


def test_chunks_respect_budget_and_sentence_boundaries() -> None:
    sentences = [f"Sentence number {i} says something about item {i * 7}." for i in range(200)]
    text = " ".join(sentences)
    spans = chunks.chunk_spans(text, "gpt-4o", 100)
    enc = tokens.get_encoding("o200k_base")
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (s1, e1), (s2, _) in itertools.pairwise(spans):
        assert not text[e1:s2].strip()  # nothing lost between chunks
        assert text[s1:e1].endswith(".")  # cut at a sentence end
    assert all(len(enc.encode(text[s:e])) <= 100 for s, e in spans)
    assert len(spans) > 5


def test_overlong_sentence_is_cut_on_whitespace() -> None:
    text = ("word " * 1000).strip()
    spans = chunks.chunk_spans(text, "gpt-4o", 50)
    assert " ".join(text[s:e] for s, e in spans) == text
    enc = tokens.get_encoding("o200k_base")
    assert all(len(enc.encode(text[s:e])) <= 50 for s, e in spans)
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def test_abbreviations_do_not_end_a_chunk() -> None:
    text = "Mr. Kim met Dr. Smith at the U.S. Embassy on Jan. 5. " * 40
    for s, e in chunks.chunk_spans(text.strip(), "gpt-4o", 40):
        assert text[s:e].startswith("Mr. Kim") and text[s:e].endswith("Jan. 5.")


def test_chunks_prefer_paragraph_ends() -> None:
    para = " ".join(f"Sentence {i} of the paragraph." for i in range(6))
    text = "\n\n".join([para] * 6)
    enc = tokens.get_encoding("o200k_base")
    budget = int(len(enc.encode(para)) * 1.6)  # one paragraph and a half would fit
    spans = chunks.chunk_spans(text, "gpt-4o", budget)
    assert all(text[e : e + 2] in ("\n\n", "") for _, e in spans)  # every chunk ends a paragraph


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=60), st.integers(1, 120), st.data())
def test_pack_covers_every_unit_in_order_under_budget(sizes, budget, data) -> None:
    breaks = data.draw(st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))
    runs = chunks.pack(sizes, budget, breaks)
    assert runs[0][0] == 0 and runs[-1][1] == len(sizes)
    for (_, j), (i2, _) in itertools.pairwise(runs):
        assert j == i2
    for i, j in runs:
        assert j > i
        assert j - i == 1 or sum(sizes[i:j]) <= budget  # over budget only a single unit, alone


def test_pack_matches_the_model_checker_windows() -> None:
    # runs of consecutive sentences under a budget: what the claim checker's windows need
    sizes = [10, 20, 30, 40, 50]
    assert chunks.pack(sizes, 60) == [(0, 3), (3, 4), (4, 5)]
