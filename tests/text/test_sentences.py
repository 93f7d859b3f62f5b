"""The one sentence splitter (summarizer.text.sentences)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.sentences import ends_with_abbreviation, sentence_spans, sentence_starts


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    "expected",
    [
        ["Mr. Kim met Dr. Smith at the U.S. Embassy on Jan. 5.", "He left at 5 p.m. and went home."],
        ["The firm moved to the U.S.", "The next year it grew."],
        ["Shares of Acme Inc. rose 3.5% on Monday.", "Analysts were surprised."],
        ["George W. Bush met J. K. Rowling in Washington, D.C. on Friday.", "It went well."],
        ['"Is it over?" she asked.', "Nobody answered."],
        ["He paused... and went on.", "Then he stopped!"],
        ["See Fig. 3 and No. 5 on p. 12.", "The results hold."],
        ["The vote is set for Sept. 18.", "Critics, e.g. the union, object."],
        ["He said no.", "Smith left at once."],
        ["Gov. Newsom signed it on Oct. 3, 2023.", "Sen. Padilla was there."],
        ['"We will win," he said.', '"They will not," she replied.'],
        ["It cost $4.2 million (about €3.9 million).", "The city paid."],
        ["Main St.", "The shop is closed."],
    ],
)
def test_abbreviations_initials_and_quotes(expected: list[str]) -> None:
    assert sentences(" ".join(expected)) == expected


def test_lowercased_tokenised_text_is_split() -> None:
    text = "( cnn ) two heroes are among the survivors in kathmandu , nepal . and they are struggling . dr. jennifer smith said so ."
    assert sentences(text) == [
        "( cnn ) two heroes are among the survivors in kathmandu , nepal .",
        "and they are struggling .",
        "dr. jennifer smith said so .",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Harbour Bridge toll vote\n\nThe council met.", ["Harbour Bridge toll vote", "The council met."]),
        ("Anna: are we on for tonight\nBob: yes, at 8", ["Anna: are we on for tonight", "Bob: yes, at 8"]),
        ("- The toll goes\n- The bridge stays", ["- The toll goes", "- The bridge stays"]),
        ("1. First item\n2. Second item", ["1. First item", "2. Second item"]),
        (
            "The mayor met with\nPresident Varga on Monday.",
            ["The mayor met with\nPresident Varga on Monday."],
        ),
        ("Costs rose (again)\nThe council met.", ["Costs rose (again)", "The council met."]),
        ("the line runs\non in lowercase.", ["the line runs\non in lowercase."]),
        ("東京は晴れ。大阪は雨。", ["東京は晴れ。", "大阪は雨。"]),
    ],
)
def test_line_breaks_bullets_speakers_and_cjk(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_hard_wrapped_text_runs_on_across_full_lines() -> None:
    prose = (
        "The council of Port Aldine is expected to vote next Tuesday on a plan for\n"
        "Harbour Bridge, after engineers reported that corrosion on the main cables\n"
        "Is worse than the earlier inspections suggested to the transport board of\n"
        "Port Aldine and its neighbours. The vote would be the largest decision in\n"
        "Years for a council that has delayed the work twice since the last survey.\n"
        "Short closing line\n"
        "The end."
    )
    got = sentences(prose)
    assert got[0].startswith("The council") and got[0].endswith("its neighbours.")
    assert got[1].startswith("The vote") and got[1].endswith("last survey.")
    assert got[2:] == ["Short closing line", "The end."]


def test_ends_with_abbreviation() -> None:
    assert ends_with_abbreviation("met Dr") == "dr"
    assert ends_with_abbreviation("in the U.S") == "u.s"
    assert ends_with_abbreviation("George W") == "w"
    assert ends_with_abbreviation("in kathmandu ") is None
    assert ends_with_abbreviation("the city") is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abc ABC.!?\n\"'’”(1-."), max_size=120))
def test_spans_are_ordered_trimmed_and_cover_every_visible_character(text: str) -> None:
    spans = sentence_spans(text)
    assert sentence_starts(text) == [s for s, _ in spans]
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert not text[previous_end:start].strip()  # only whitespace between sentences
        previous_end = end
    assert not text[previous_end:].strip()
