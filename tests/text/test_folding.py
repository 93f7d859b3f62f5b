"""Character folds with a map back to the original (summarizer.text.folding)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.folding import canonical, canonical_char, fold_char


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        (unicodedata.normalize("NFD", "José García"), "Jose Garcia"),  # decomposed accents
        ("José García", "Jose Garcia"),  # composed
        ("Ｔａｎａｋａ", "Tanaka"),  # full-width letters
        ("ﬁnal ﬂoor", "final floor"),  # ligatures
        ("10\u00a0000\u202fkm", "10 000 km"),  # non-breaking spaces
        ("O’Brien said “yes”", 'O\'Brien said "yes"'),  # curly quotes
        ("1990–91, −5 and 3—4", "1990-91, -5 and 3-4"),  # dashes and the minus sign
        ("٢٠٢٤ and १२", "2024 and 12"),  # digits of other scripts
        ("３ｋｍ", "3km"),  # full-width digits
        ("co\u00adoperate\u200b", "cooperate"),  # soft hyphen and zero-width space
        ("Straße İstanbul", "Straße Istanbul"),  # case kept: ß stays, İ loses its dot
    ],
)
def test_canonical_folds_and_keeps_case(written: str, folded: str) -> None:
    assert canonical(written).text == folded


def test_fold_char_is_canonical_and_case_folded() -> None:
    assert fold_char("É") == "e"
    assert fold_char("ß") == "ss"
    assert fold_char("Ｔ") == "t"
    assert fold_char("İ") == "i"
    assert canonical_char("Ｔ") == "T"


def test_span_maps_back_to_the_original_with_its_accents() -> None:
    text = "Met " + unicodedata.normalize("NFD", "José García") + " in the ﬁeld."
    folded = canonical(text)
    at = folded.text.index("Garcia")
    start, end = folded.span(at, at + len("Garcia"))
    assert text[start:end] == unicodedata.normalize("NFD", "García")  # the accent after the i included
    at = folded.text.index("field")
    start, end = folded.span(at, at + len("field"))
    assert text[start:end] == "ﬁeld"


def test_ascii_text_is_its_own_map() -> None:
    folded = canonical("plain ASCII text")
    assert folded.text == "plain ASCII text" and folded.marks == []
    assert folded.span(6, 11) == (6, 11)


ALPHABET = "ab AB.\u00e9\u0301\ufb01\u00a0\u2019\u2013\u200b\u0663\uff34\u00df"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40), st.data())
def test_every_span_maps_to_an_original_span_that_folds_back(text: str, data: st.DataObject) -> None:
    folded = canonical(text)
    n = len(folded.text)
    if n == 0:
        return
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(i + 1, n))
    start, end = folded.span(i, j)
    assert 0 <= start < end <= len(text)
    assert folded.text[i:j] in canonical(text[start:end]).text
