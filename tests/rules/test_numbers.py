"""Numbers as written: digits, words, percentages, money, years (summarizer.rules.numbers)."""

from __future__ import annotations

import pytest

from summarizer.rules.numbers import extract_numbers


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("$3.5 million", 3.5e6, "money"),
        ("1,250 people", 1250.0, "number"),
        ("12.5%", 12.5, "percent"),
        ("40 per cent", 40.0, "percent"),
        ("in 1996", 1996.0, "year"),
        ("twenty-four", 24.0, "number"),
        ("a hundred and twenty", 120.0, "number"),
        ("€2bn", 2e9, "money"),
    ],
)
def test_extract_numbers(text, value, kind):
    numbers = extract_numbers(text)
    assert len(numbers) == 1
    assert numbers[0].value == pytest.approx(value)
    assert numbers[0].kind == kind
