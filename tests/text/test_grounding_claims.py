"""A claim's evidence found from its own words within the sentence it cites (summarizer.text.grounding:
claim_span_in_sentence, locate_claim): the summary draft copies no words of the source."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from summarizer import config
from summarizer.rules.words import evidence_terms
from summarizer.text.grounding import NumberedSource, claim_span_in_sentence, locate_claim, normalize

ARTICLE = (
    "Council Set to Vote on Harbour Bridge Repairs as Costs Climb\n\n"
    "The city council of Port Aldine is expected to vote next Tuesday on a repair plan for the 84-year-old "
    "Harbour Bridge, after engineers reported that corrosion on the main cables is worse than earlier "
    "inspections suggested. "
    "The vote, rumored to be scheduled for March 11, would be the largest single spending decision the "
    "council has taken since the bridge was last restored in 1998. "
    "According to the city’s Department of Transport on the 3rd, the repairs are estimated to cost 212 "
    "million dollars, up from the 145 million dollars quoted in last year’s budget. "
    "The department said that traffic on the bridge would be limited to two lanes during the work, which it "
    "expects to last about 30 months."
)
SOURCE = NumberedSource.from_text(ARTICLE)


def sentence(n: int) -> str:
    start, end = SOURCE.spans[n - 1]
    return ARTICLE[start:end]


def test_the_shortest_stretch_holding_the_claims_words() -> None:
    s = sentence(4)
    found = claim_span_in_sentence(s, "The estimated cost is 212 million dollars.")
    assert found is not None
    start, end, score = found
    assert s[start:end] == "estimated to cost 212 million dollars" and score == 1.0


def test_a_missing_word_lowers_the_score_and_no_shared_word_finds_nothing() -> None:
    s = sentence(4)
    found = claim_span_in_sentence(s, "The repairs will cost 212 million euros.")
    assert found is not None and found[2] < 1.0
    assert s[found[0] : found[1]] == "repairs are estimated to cost 212 million"
    assert claim_span_in_sentence(s, "Tomatoes ripen in August.") is None
    assert claim_span_in_sentence(s, "It is.") is None  # stop words only


def test_a_verbatim_claim_is_exact_and_its_quote_is_the_source_text() -> None:
    ev = locate_claim(SOURCE, 5, "traffic on the bridge would be limited to two lanes.")
    assert ev.match == "exact"
    assert ARTICLE[ev.start : ev.end] == ev.quote == "traffic on the bridge would be limited to two lanes"
    ev = locate_claim(SOURCE, 4, "the Repairs are estimated to cost 212 MILLION dollars")
    assert ev.match == "normalized" and ev.quote == "the repairs are estimated to cost 212 million dollars"


def test_a_reworded_claim_gets_the_stretch_of_its_sentence() -> None:
    ev = locate_claim(SOURCE, 5, "Traffic is limited to two lanes.")
    assert ev.match == "fuzzy" and ev.score == 1.0
    assert ARTICLE[ev.start : ev.end] == ev.quote == "traffic on the bridge would be limited to two lanes"


@pytest.mark.parametrize("cited", [2, 4, 1, 99, 0])
def test_a_claim_cited_off_is_found_in_the_sentence_that_holds_it(cited: int) -> None:
    ev = locate_claim(SOURCE, cited, "The vote is scheduled for March 11.")
    assert ev.match == "fuzzy" and ARTICLE[ev.start : ev.end] == "vote, rumored to be scheduled for March 11"


def test_a_sentence_sharing_one_word_is_not_the_claims_stretch() -> None:
    """The cited sentence holds only "bridge": the claim's stretch is in the sentence that holds them all."""
    ev = locate_claim(SOURCE, 5, "The decision is the largest single spending since the bridge was restored.")
    assert ev.match == "fuzzy"
    assert (
        ev.quote
        == "largest single spending decision the council has taken since the bridge was last restored"
    )


def test_a_claim_held_by_no_stretch_falls_back_to_the_most_similar_sentence() -> None:
    ev = locate_claim(SOURCE, 3, "Corrosion on the cables was found by divers in the harbour last winter.")
    assert ev.match == "sentence" and ev.quote == sentence(2)


def test_an_unrelated_or_empty_claim_is_not_found() -> None:
    for claim in ("Tomatoes ripen in August.", "", "  .  "):
        ev = locate_claim(SOURCE, 2, claim)
        assert ev.match == "not_found" and ev.start is None and ev.end is None


def test_the_threshold_is_read_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    claim = "The repairs will cost 212 million euros."  # one content word of five missing
    assert locate_claim(SOURCE, 4, claim).match != "fuzzy"
    monkeypatch.setattr(config, "FUZZY_THRESHOLD", 60.0)
    assert locate_claim(SOURCE, 4, claim).match == "fuzzy"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_run_of_a_sentences_words_is_located_within_it(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, len(SOURCE.spans)), label="sentence")
    words = sentence(n).split()
    i = data.draw(st.integers(0, len(words) - 3), label="from")
    j = data.draw(st.integers(i + 3, min(len(words), i + 12)), label="to")
    claim = " ".join(words[i:j])
    assume(len(evidence_terms(claim)) >= 2)  # "would be the" says nothing: not found, rightly
    cited = data.draw(st.sampled_from([n, n - 1, n + 1]), label="cited")
    ev = locate_claim(SOURCE, cited, claim.upper() if data.draw(st.booleans()) else claim)
    assert ev.found and ev.start is not None and ev.end is not None
    assert ev.quote == ARTICLE[ev.start : ev.end]
    if ev.match in ("exact", "normalized"):
        assert normalize(ev.quote) == normalize(claim).rstrip(".!?;:")
