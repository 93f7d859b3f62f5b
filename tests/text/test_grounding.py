"""Tests for :mod:`summarizer.text.grounding`: example-based on a news paragraph, then property-based."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from summarizer import config
from summarizer.text.grounding import (
    SourceIndex,
    carries_claim,
    locate,
    normalize,
    normalize_with_map,
    strip_sentence_markers,
)

# A fictional news paragraph with curly quotes, an en dash, a double space and a line break mid-sentence.
NEWS = (
    "Mayor Lena Okafor said on Tuesday that the city’s new tram line would open “before the first snow,” "
    "weeks ahead of the schedule published in March.  The council will vote on the final budget on June 18–19, "
    "and officials expect the project to cost about $42 million,\nroughly a third more than first planned. "
    "Residents near the depot have complained about night-time noise; Okafor promised “a full review” of the works."
)

WRAPPING = "\"'‘’“”"


def span(ev) -> str:
    assert ev.start is not None and ev.end is not None
    return NEWS[ev.start : ev.end]


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    starts_clean = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    ends_clean = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return starts_clean and ends_clean and not text[start].isspace() and not text[end - 1].isspace()


# --- example tests ------------------------------------------------------------------------------------


def test_exact_match_offsets():
    quote = "the city’s new tram line would open"
    ev = locate(quote, NEWS)
    assert ev.match == "exact"
    assert ev.score == 1.0
    assert ev.start == NEWS.index(quote)
    assert ev.end == ev.start + len(quote)
    assert span(ev) == quote
    assert ev.quote == quote


def test_exact_match_at_document_edges():
    assert (locate("Mayor Lena", NEWS).start, locate("Mayor Lena", NEWS).end) == (0, 10)
    ev = locate("of the works.", NEWS)
    assert ev.match == "exact"
    assert ev.end == len(NEWS)


@pytest.mark.parametrize(
    ("quote", "original"),
    [
        # straight apostrophe for the curly one
        ("the city's new tram line", "the city’s new tram line"),
        # straight double quotes inside the quote
        ('would open "before the first snow,"', "would open “before the first snow,”"),
        # hyphen for the en dash
        ("final budget on June 18-19", "final budget on June 18–19"),
        # different case
        ("MAYOR LENA OKAFOR SAID", "Mayor Lena Okafor said"),
        # collapsed double space
        ("published in March. The council", "published in March.  The council"),
        # line break inside the sentence written as a space
        ("about $42 million, roughly a third", "about $42 million,\nroughly a third"),
        # everything at once, plus extra whitespace inside
        (
            'CITY\'S new  tram\tline would open "BEFORE the first snow,"',
            "city’s new tram line would open “before the first snow,”",
        ),
        ('Okafor promised "a FULL review"', "Okafor promised “a full review”"),
    ],
)
def test_normalized_match_maps_back_to_original_span(quote, original):
    assert quote not in NEWS
    ev = locate(quote, NEWS)
    assert ev.match == "normalized"
    assert ev.score == 1.0
    assert ev.start == NEWS.index(original)
    assert span(ev) == original
    assert normalize(span(ev)) == normalize(quote)


@pytest.mark.parametrize(
    "quote",
    [
        '"officials expect the project to cost about $42 million"',
        "“officials expect the project to cost about $42 million”",
        "'officials expect the project to cost about $42 million'",
        '  “ "officials expect the project to cost about $42 million" ”  ',
    ],
)
def test_quote_wrapped_in_quotation_marks(quote):
    inner = "officials expect the project to cost about $42 million"
    ev = locate(quote, NEWS)
    assert ev.match == "exact"
    assert span(ev) == inner
    assert ev.quote == quote  # the evidence keeps the quote as given


def test_quote_keeping_its_own_curly_quotes_matches_exactly():
    quote = "promised “a full review”"
    ev = locate(quote, NEWS)
    assert ev.match == "exact"
    assert span(ev) == quote


def test_trailing_period_not_in_source():
    # The source has a comma after "million"; the quote ends the sentence with a period.
    ev = locate("officials expect the project to cost about $42 million.", NEWS)
    assert ev.match == "normalized"
    assert span(ev) == "officials expect the project to cost about $42 million"


def test_trailing_period_in_source_is_kept():
    ev = locate("roughly a third more than first planned.", NEWS)
    assert ev.match == "exact"
    assert span(ev).endswith("planned.")


@pytest.mark.parametrize("ellipsis", ["...", " ... ", "…", " … "])
def test_elided_quote(ellipsis):
    quote = f"Mayor Lena Okafor said{ellipsis}the city’s new tram line would open"
    ev = locate(quote, NEWS)
    assert ev.match == "fuzzy"
    assert 0.0 < ev.score <= 1.0
    assert ev.start == 0
    assert span(ev) == "Mayor Lena Okafor said on Tuesday that the city’s new tram line would open"


def test_elided_quote_parts_out_of_order_is_not_found():
    ev = locate("the city’s new tram line would open ... Mayor Lena Okafor said", NEWS)
    assert ev.match == "not_found"


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (
            "the council will vote on the draft budget",
            "The council will vote on the final budget",
        ),
        (
            "Residents near the depot have grumbled about night-time noise",
            "Residents near the depot have complained about night-time noise",
        ),
        (
            "officials expect the project to cost nearly $42 million",
            "officials expect the project to cost about $42 million",
        ),
    ],
)
def test_fuzzy_match_with_one_word_changed(quote, expected):
    ev = locate(quote, NEWS)
    assert ev.match == "fuzzy"
    assert config.FUZZY_THRESHOLD / 100 <= ev.score < 1.0
    assert ev.start is not None and ev.end is not None
    assert on_word_boundaries(NEWS, ev.start, ev.end)
    assert span(ev) == expected


def test_fuzzy_span_snaps_to_whole_words():
    # The quote starts and ends inside words; the located span must be widened to whole words.
    quote = "ouncil will vote on the draft budget on Ju"
    ev = locate(quote, NEWS)
    assert ev.match == "fuzzy"
    assert ev.start is not None and ev.end is not None
    assert on_word_boundaries(NEWS, ev.start, ev.end)
    assert "council will vote on the final budget" in span(ev)


def test_fuzzy_threshold_is_read_from_config(monkeypatch):
    quote = "the council will vote on the draft budget"
    assert locate(quote, NEWS).match == "fuzzy"
    monkeypatch.setattr(config, "FUZZY_THRESHOLD", 99.0)
    ev = locate(quote, NEWS)
    assert ev.match == "not_found"
    assert (ev.start, ev.end, ev.score) == (None, None, 0.0)


@pytest.mark.parametrize(
    "quote",
    [
        "The stadium will close in December for renovation works",
        "Governor Amara Bello vetoed the transit bill",
        "officials expect the bridge to collapse",
    ],
)
def test_absent_quote_is_not_found(quote):
    ev = locate(quote, NEWS)
    assert ev.match == "not_found"
    assert ev.start is None
    assert ev.end is None
    assert ev.score == 0.0
    assert not ev.found
    assert ev.quote == quote


@pytest.mark.parametrize("quote", ["", " ", "   \n\t ", '""', "“ ”", "''"])
def test_empty_or_whitespace_quote_is_not_found(quote):
    ev = locate(quote, NEWS)
    assert ev.match == "not_found"
    assert (ev.start, ev.end, ev.score) == (None, None, 0.0)


@pytest.mark.parametrize("quote", ["tram lime", "Okafer", "June 18-20", "the citi", "$43 million"])
def test_short_quotes_never_match_fuzzily(quote):
    assert len(normalize(quote)) < config.FUZZY_MIN_CHARS
    ev = locate(quote, NEWS)
    assert ev.match == "not_found"
    assert (ev.start, ev.end, ev.score) == (None, None, 0.0)


def test_short_quote_still_matches_exactly_and_normalized():
    assert locate("tram", NEWS).match == "exact"
    ev = locate("JUNE 18-19", NEWS)
    assert ev.match == "normalized"
    assert span(ev) == "June 18–19"


def test_source_index_agrees_with_locate():
    index = SourceIndex(NEWS)
    quotes = [
        "the city’s new tram line would open",
        "the city's new tram line",
        "Mayor Lena Okafor said ... the city’s new tram line would open",
        "the council will vote on the draft budget",
        "The stadium will close in December for renovation works",
    ]
    for quote in quotes:
        assert index.locate(quote) == locate(quote, NEWS)


def test_normalize_examples():
    assert normalize("  A\u00a0 “B”\n–\tC…  ") == 'a "b" - c...'
    assert normalize("Straße") == "strasse"
    assert normalize("a\u200bb") == "ab"
    text = "Ab  ß"
    folded, positions = normalize_with_map(text)
    assert folded == "ab ss"
    assert len(positions) == len(folded)
    assert positions == [0, 1, 3, 4, 4]


def test_casefold_expansion_maps_offsets_back():
    doc = "Die STRASSE heißt Hauptstraße, sagte er."
    ev = locate("die strasse heisst hauptstrasse", doc)
    assert ev.match == "normalized"
    assert doc[ev.start : ev.end] == "Die STRASSE heißt Hauptstraße"
    ev = locate("hauptstrasse, sagte", doc)
    assert doc[ev.start : ev.end] == "Hauptstraße, sagte"


# --- regressions: spans never cut a multi-character fold, never end on whitespace -------------------


@pytest.mark.parametrize(
    ("quote", "doc", "expected"),
    [
        ("S", "ßs", (1, 2)),
        ("F", "\ufb00f", (1, 2)),  # the ligature "ﬀ" folds to "ff": a hit inside it is skipped
        ("STRAS", "Straße, Strasse", (8, 13)),
    ],
)
def test_normalized_match_respects_casefold_expansions(quote, doc, expected):
    ev = locate(quote, doc)
    assert normalize(doc[ev.start : ev.end]) == normalize(quote)
    assert (ev.start, ev.end) == expected


def test_trailing_ellipsis_after_space_does_not_capture_whitespace():
    doc = "the new tram line  would open"
    ev = locate("the new tram line ...", doc)
    assert ev.match == "normalized"
    assert doc[ev.start : ev.end] == "the new tram line"


# --- property-based tests -----------------------------------------------------------------------------

LETTERS = "abcdeisABCDEISxyz0123456789"
SPACES = "  \n\t"
QUOTES = "'\"‘’“”"
DASHES = "-–—"
NON_ASCII = "éÉßẞİ"
ALPHABET = LETTERS + SPACES + QUOTES + DASHES + NON_ASCII

documents = st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=80)
OTHER_WHITESPACE = st.text(alphabet=st.sampled_from(" \t\n\r\u00a0\u2003"), min_size=1, max_size=3)

_SWAPS = {
    "'": "‘’",
    "‘": "'’",
    "’": "'‘",
    '"': "“”",
    "“": '"”',
    "”": '"“',
    "-": "–—",
    "–": "-",
    "—": "-–",
}


@st.composite
def doc_and_span(draw):
    """A document and a span [i, j) of it whose first and last characters are not whitespace."""
    doc = draw(documents)
    solid = [k for k, c in enumerate(doc) if not c.isspace()]
    assume(solid)
    i = draw(st.sampled_from(solid))
    last = draw(st.sampled_from([k for k in solid if k >= i]))
    return doc, i, last + 1


@st.composite
def perturbed(draw, text: str) -> str:
    """``text`` with case changes, whitespace runs replaced, curly/straight quotes and dashes swapped."""
    out: list[str] = []
    for token in re.split(r"(\s+)", text):
        if not token:
            continue
        if token.isspace():
            out.append(draw(OTHER_WHITESPACE))
            continue
        for ch in token:
            options = [ch, ch.upper(), ch.lower(), ch.swapcase()]
            options += list(_SWAPS.get(ch, ""))
            out.append(draw(st.sampled_from(options)))
    return "".join(out)


def count_overlapping(needle: str, haystack: str) -> int:
    return sum(1 for k in range(len(haystack) - len(needle) + 1) if haystack.startswith(needle, k))


def is_wrapped(text: str) -> bool:
    """A quote whose ends are both quotation marks is unwrapped before matching (by design)."""
    return len(text) >= 2 and text[0] in WRAPPING and text[-1] in WRAPPING


PROPS = settings(max_examples=200, deadline=None)


@PROPS
@given(doc_and_span())
def test_unperturbed_substring_matches_exactly(case):
    doc, i, j = case
    sub = doc[i:j]
    assume(not is_wrapped(sub))
    ev = locate(sub, doc)
    assert ev.match == "exact"
    assert ev.score == 1.0
    assert doc[ev.start : ev.end] == sub
    assert ev.start == doc.find(sub)


@PROPS
@given(doc_and_span(), st.data())
def test_perturbed_substring_is_located(case, data):
    doc, i, j = case
    sub = doc[i:j]
    assume(not is_wrapped(sub))
    quote = data.draw(perturbed(sub), label="quote")
    assert normalize(quote) == normalize(sub)  # sanity: the perturbation only changes folded features

    ev = locate(quote, doc)
    assert ev.match in {"exact", "normalized"}
    assert ev.score == 1.0
    assert ev.start is not None and ev.end is not None
    assert 0 <= ev.start < ev.end <= len(doc)
    assert normalize(doc[ev.start : ev.end]) == normalize(sub)
    if count_overlapping(normalize(sub), normalize(doc)) == 1:
        assert (ev.start, ev.end) == (i, j)


@PROPS
@given(documents)
def test_normalize_map_is_consistent(doc):
    folded, positions = normalize_with_map(doc)
    assert len(positions) == len(folded)
    assert positions == sorted(positions)
    assert all(0 <= p < len(doc) for p in positions)
    assert folded == folded.strip()
    assert "  " not in folded
    for ch, p in zip(folded, positions, strict=True):
        if ch == " ":
            assert doc[p].isspace()
        else:
            assert not doc[p].isspace()
            assert ch in normalize(doc[p])


@st.composite
def doc_and_quote(draw):
    """A document and a quote: either random text or a substring with random edits (exercises fuzzy)."""
    doc = draw(st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=120))
    if draw(st.booleans()):
        return doc, draw(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40))
    i = draw(st.integers(0, len(doc) - 1))
    j = draw(st.integers(i + 1, len(doc)))
    chars = list(doc[i:j])
    for _ in range(draw(st.integers(0, 3))):
        k = draw(st.integers(0, len(chars)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        new = draw(st.sampled_from(ALPHABET))
        if op == "insert":
            chars.insert(k, new)
        elif k < len(chars):
            if op == "delete":
                del chars[k]
            else:
                chars[k] = new
    if draw(st.booleans()):
        k = draw(st.integers(0, len(chars)))
        chars[k:k] = list(draw(st.sampled_from(["...", " … "])))
    return doc, "".join(chars)


@settings(max_examples=300, deadline=None)
@given(doc_and_quote())
def test_found_evidence_has_valid_offsets(case):
    doc, quote = case
    ev = locate(quote, doc)
    assert ev.quote == quote
    assert 0.0 <= ev.score <= 1.0
    if ev.match == "not_found":
        assert (ev.start, ev.end, ev.score) == (None, None, 0.0)
        return
    assert ev.start is not None and ev.end is not None
    assert 0 <= ev.start < ev.end <= len(doc)
    located = doc[ev.start : ev.end]
    assert not located[0].isspace()
    assert not located[-1].isspace()
    if ev.match in {"exact", "normalized"}:
        assert ev.score == 1.0
    if ev.match == "exact":
        assert located in quote
    if ev.match == "fuzzy" and "..." not in normalize(quote):
        assert ev.score >= config.FUZZY_THRESHOLD / 100


# --- Unicode: decomposed accents, full-width letters, ligatures, spaces, digits (issue 10, item 12) --------


@pytest.mark.parametrize(
    ("source_form", "quote"),
    [
        (lambda t: unicodedata.normalize("NFD", t), "José García met Ana Tanaka"),
        (lambda t: t.replace("Tanaka", "Ｔａｎａｋａ"), "José García met Ana Tanaka"),
        (lambda t: t.replace("fi", "\ufb01"), "the final offer"),
        (lambda t: t.replace(" ", "\u00a0"), "José García met Ana Tanaka"),
        (lambda t: t.replace("2024", "٢٠٢٤"), "in March 2024"),
    ],
)
def test_unicode_forms_of_the_source_are_found(source_form, quote) -> None:
    plain = "José García met Ana Tanaka in March 2024 to discuss the final offer."
    source = source_form(plain)
    ev = locate(quote, source)
    assert ev.match in ("exact", "normalized")
    assert normalize(source[ev.start : ev.end]) == normalize(quote)
    assert not unicodedata.combining(source[ev.end : ev.end + 1] or "x")  # the last letter's accent kept


def test_accents_and_case_fold_away() -> None:
    assert normalize("JOSÉ") == normalize("jose") == normalize(unicodedata.normalize("NFD", "José"))


# --- the [n] sentence marker copied into a quote (issue 10, item 13) ----------------------------------

MARKED = (
    "The council met on Tuesday. The leading party won a majority of the seats in the vote. "
    "Turnout was higher than at any election since 1998."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("[2] The leading party won a majority of the seats", "The leading party won a majority of the seats"),
        ("[2]The leading party won a majority of the seats", "The leading party won a majority of the seats"),
        ("[2] The leading party won", "The leading party won"),
        ("[12] The leading party won a majority", "The leading party won a majority"),
        (
            "[2] the leading party won a majority of the seats in the vote.",
            "The leading party won a majority of the seats in the vote.",
        ),
        # and a word dropped: fuzzy, word-aligned, inside the sentence
        ("[2] The leading party won a majority of seats", "The leading party won a majority of the seats"),
    ],
)
def test_sentence_marker_is_stripped_and_the_span_stays_in_its_sentence(quote, expected) -> None:
    ev = locate(quote, MARKED)
    assert ev.found
    assert MARKED[ev.start : ev.end] == expected
    assert ev.quote == quote


def test_fuzzy_span_never_starts_in_the_previous_sentence() -> None:
    # the alignment of a quote with a stray prefix would take ". " from the end of sentence 1
    ev = locate("x. The leading party won a majority of the seats in a vote", MARKED)
    assert ev.match == "fuzzy"
    assert MARKED[ev.start : ev.end].startswith("The leading")


def test_marker_kept_when_the_source_has_it() -> None:
    source = "Smith was elected in 1998.[12] He served two terms."
    ev = locate("in 1998.[12] He served", source)
    assert ev.match == "exact"


_WORDS = ["council", "party", "vote", "seats", "turnout", "mayor", "bridge", "budget", "river", "school"]


@st.composite
def numbered_case(draw):
    """A source of sentences of random words, one sentence, and a quote of a run of its words: maybe
    with its [n] marker, maybe with one word changed."""
    n = draw(st.integers(2, 6))
    sents = []
    for _ in range(n):
        words = draw(st.lists(st.sampled_from(_WORDS), min_size=4, max_size=12))
        sents.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
    k = draw(st.integers(0, n - 1))
    words = sents[k].rstrip(".").split(" ")
    i = draw(st.integers(0, len(words) - 3))
    j = draw(st.integers(i + 3, len(words)))
    quote_words = words[i:j]
    if draw(st.booleans()):
        m = draw(st.integers(0, len(quote_words) - 1))
        quote_words[m] = draw(st.sampled_from(_WORDS))
    quote = " ".join(quote_words)
    if draw(st.booleans()):
        quote = f"[{k + 1}] {quote}"
    return " ".join(sents), quote


@settings(max_examples=200, deadline=None)
@given(numbered_case())
def test_spans_never_reach_into_a_neighbouring_sentence(case) -> None:
    from summarizer.text.sentences import sentence_spans

    source, quote = case
    ev = locate(quote, source)
    if not ev.found:
        return
    assert ev.start is not None and ev.end is not None
    sentences = sentence_spans(source)
    inside = [(s, e) for s, e in sentences if s <= ev.start and ev.end <= e]
    assert inside, (source, quote, source[ev.start : ev.end])  # within one sentence
    located = source[ev.start : ev.end]
    if ev.match in ("exact", "normalized"):
        assert normalize(located) == normalize(strip_sentence_markers(quote)).rstrip(".")
    assert on_word_boundaries(source, ev.start, ev.end)
    assert located[0].isalnum() and (located[-1].isalnum() or located[-1] == ".")


# --- one-word evidence proves nothing (issue 10, item 11) ---------------------------------------------

CLAIM = "The council will vote on the final budget on June 18-19."


@pytest.mark.parametrize("quote", ["the", ".", "on", "The council", "budget", "vote on the"])
def test_a_quote_that_does_not_carry_the_claim_does_not_count(quote) -> None:
    assert not carries_claim(quote, CLAIM)


@pytest.mark.parametrize(
    "quote",
    [
        "The council will vote on the final budget",
        "vote on the final budget",
        "final budget on June 18–19",
    ],
)
def test_a_quote_that_carries_the_claim_counts(quote) -> None:
    assert carries_claim(quote, CLAIM)


def test_without_a_claim_the_quote_must_hold_content_words() -> None:
    assert not carries_claim("the")
    assert not carries_claim("the council")
    assert carries_claim("the council will vote")


def test_one_word_evidence_is_not_found_whatever_sentence_it_cites() -> None:
    from summarizer.text.grounding import NumberedSource

    source = NumberedSource.from_text(NEWS)
    for quote in ("the", ".", "The"):
        for n in (1, 2, 3):
            ev = source.evidence(n, quote)
            assert ev.match == "not_found", (quote, n, ev)


def test_one_word_evidence_with_a_claim_falls_back_to_a_sentence_only_by_the_claim() -> None:
    from summarizer.text.grounding import NumberedSource

    source = NumberedSource.from_text(NEWS)
    unrelated = "A new stadium opens in the spring with seats for forty thousand fans."
    assert source.evidence(2, "the", unrelated).match == "not_found"
    ev = source.evidence(2, "the", CLAIM)  # the claim itself resembles sentence 2: that sentence stands in
    assert ev.match == "sentence" and NEWS[ev.start : ev.end].startswith("The council will vote")


# --- bounded work per quote (issue 10, item 14) ---------------------------------------------------------


def test_fuzzy_work_is_bounded_for_a_huge_quote_on_a_huge_one_line_source(monkeypatch) -> None:
    from summarizer.text import grounding

    seen: list[tuple[int, int]] = []
    real = grounding.fuzz.partial_ratio_alignment

    def spy(needle, haystack, **kwargs):
        seen.append((len(needle), len(haystack)))
        return real(needle, haystack, **kwargs)

    monkeypatch.setattr(grounding.fuzz, "partial_ratio_alignment", spy)
    words = [f"w{k % 997}x{k % 13}" for k in range(250_000)]
    source = " ".join(words)  # ~2 MB, one line, no sentence end
    at = len(source) // 2
    quote = source[at : at + 20_000].replace("x1 ", "y1 ")  # neither exact nor normalised
    numbered = grounding.NumberedSource.from_text(source)
    numbered.evidence(1, quote, "")
    numbered.index.locate(quote)
    assert seen, "the fuzzy step ran"
    assert all(n <= config.FUZZY_MAX_QUOTE_CHARS for n, _ in seen)
    per_call_haystack = 2 * config.FUZZY_MAX_QUOTE_CHARS + config.FUZZY_MAX_HAYSTACK_CHARS
    assert all(h <= per_call_haystack for _, h in seen)
    locates = 4  # the cited sentence, then anywhere (its neighbours are the same span), twice
    assert len(seen) <= locates * 2 * config.FUZZY_MAX_WINDOWS  # head and tail, in bounded windows


def test_long_quote_is_still_located_by_its_head_and_tail() -> None:
    sentences = [
        f"Sentence {k} tells of item {k * 7} in the ward of {k % 11} and its budget." for k in range(400)
    ]
    source = " ".join(sentences)
    at = source.index("Sentence 100 ")
    end = source.index("Sentence 130 ")
    quote = source[at:end].replace("budget", "budgets")  # fuzzy, and longer than the cap
    assert len(quote) > config.FUZZY_MAX_QUOTE_CHARS
    ev = locate(quote, source)
    assert ev.match == "fuzzy"
    assert abs(ev.start - at) <= 2 and abs(ev.end - (end - 1)) <= 12
