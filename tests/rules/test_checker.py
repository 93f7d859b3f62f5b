"""Tests for :mod:`summarizer.rules.checker` on a short fictional news text."""

from __future__ import annotations

import math
import unicodedata

import pytest

from summarizer.rules.checker import LocalChecker, LocalResult, check_claim_locally

SOURCE = (
    "The town of Marlow Vale abolished its river toll in 1996, after a long campaign by the ferry workers. "
    "Mayor Lena Okafor said on Tuesday that the new bridge would cost $3.5 million, about 24% more than "
    "first planned.  Two engineers, Ivo Brandt and Sara Quist, designed the bridge. The council will not "
    "vote on the budget before June 18. Residents described the old ferry as “slow but beloved”."
)


@pytest.fixture(scope="module")
def checker() -> LocalChecker:
    return LocalChecker(SOURCE)


def kinds(result: LocalResult) -> list[str]:
    return [s.kind for s in result.signals]


def span(ev) -> str:
    assert ev.start is not None and ev.end is not None
    return SOURCE[ev.start : ev.end]


# --- verbatim -----------------------------------------------------------------------------------------


def test_verbatim_claim_is_supported(checker):
    res = checker.check("Two engineers, Ivo Brandt and Sara Quist, designed the bridge.")
    assert res.verdict == "supported"
    assert res.decided
    assert res.confidence >= 0.9
    assert kinds(res) == ["verbatim"]
    assert span(res.evidence[0]) == "Two engineers, Ivo Brandt and Sara Quist, designed the bridge."


def test_verbatim_after_normalisation(checker):
    # case, and straight quotes where the source has curly ones
    res = checker.check("two engineers, Ivo Brandt and Sara Quist, designed the bridge")
    assert res.verdict == "supported"
    assert res.evidence[0].match == "normalized"
    res = checker.check('Residents described the old ferry as "slow but beloved".')
    assert res.verdict == "supported"
    # two sentences across the source's double space: each located
    res = checker.check(
        "About 24% more than first planned. Two engineers, Ivo Brandt and Sara Quist, designed the bridge."
    )
    assert res.verdict == "supported"
    assert [span(e) for e in res.evidence] == [
        "about 24% more than first planned.",
        "Two engineers, Ivo Brandt and Sara Quist, designed the bridge.",
    ]


# --- numbers --------------------------------------------------------------------------------------


def test_number_missing_is_not_in_source(checker):
    res = checker.check("Every day 4,200 cars will cross the new bridge.")
    assert res.verdict == "not_in_source"
    assert res.decided
    assert "number_missing" in kinds(res)
    signal = next(s for s in res.signals if s.kind == "number_missing")
    assert signal.text == "4,200"
    assert "4,200" in res.reason


def test_year_mismatch_in_matching_context_is_contradicted(checker):
    res = checker.check("Marlow Vale abolished the river toll in 1997.")
    assert res.verdict == "contradicted"
    assert "date_mismatch" in kinds(res)
    assert [span(e) for e in res.evidence] == ["1996"]
    assert "1997" in res.reason and "1996" in res.reason


def test_money_mismatch_evidence_points_at_the_source_amount(checker):
    res = checker.check("Okafor said the new bridge would cost $4.1 million.")
    assert res.verdict == "contradicted"
    assert "number_mismatch" in kinds(res)
    assert [span(e) for e in res.evidence] == ["$3.5 million"]


def test_percentage_and_money_in_other_forms_are_found(checker):
    res = checker.check("The bridge will cost 3.5 million dollars, 24 percent over the first plan.")
    assert not any(k.startswith("number") for k in kinds(res))
    res = checker.check("The bridge is to cost $3,500,000.")
    assert not any(k.startswith("number") for k in kinds(res))


def test_percentage_mismatch(checker):
    res = checker.check("The bridge would cost about 30% more than first planned.")
    assert res.verdict == "contradicted"
    assert [span(e) for e in res.evidence] == ["24%"]


def test_number_words(checker):
    # "twenty-four percent" is the source's 24%
    res = checker.check("The bridge costs twenty-four percent more than planned.")
    assert not any(k.startswith("number") for k in kinds(res))
    # "three engineers" against the source's "Two engineers"
    res = checker.check("Three engineers designed the bridge.")
    assert res.verdict == "contradicted"
    assert "number_mismatch" in kinds(res)
    assert [span(e) for e in res.evidence] == ["Two"]


def test_small_number_word_alone_is_not_decisive():
    res = check_claim_locally("Both friends met three times.", "Ann and Bo met at the cafe and talked.")
    assert res.verdict is None
    assert "number_missing" in kinds(res)


def test_list_markers_are_not_numbers():
    res = check_claim_locally("2) Ann met Bo at the cafe.", "Ann met Bo at the cafe.")
    assert not any(k.startswith("number") for k in kinds(res))


# --- dates, names, quotes ---------------------------------------------------------------------------


def test_month_day_mismatch(checker):
    res = checker.check("The council will not vote on the budget before June 19.")
    assert res.verdict == "contradicted"
    assert "date_mismatch" in kinds(res)
    assert [span(e) for e in res.evidence] == ["June 18"]


def test_missing_month_is_not_in_source(checker):
    res = checker.check("The toll was abolished in March 1996.")
    assert res.verdict == "not_in_source"
    assert "date_missing" in kinds(res)


def test_missing_weekday_is_reported_but_not_decisive(checker):
    res = checker.check("Okafor spoke about the bridge on Friday.")
    assert res.verdict is None
    assert "date_missing" in kinds(res)


def test_missing_name_is_not_in_source(checker):
    res = checker.check("Mayor Lena Okafor discussed the bridge with officials from Moscow.")
    assert res.verdict == "not_in_source"
    signal = next(s for s in res.signals if s.kind == "entity_missing")
    assert signal.text == "Moscow"


def test_sentence_openers_and_known_names_are_not_flagged(checker):
    res = checker.check("Overall, Okafor and Brandt are pleased with the bridge.")
    assert res.verdict is None
    assert res.signals == ()


def test_fuller_form_of_a_source_name_is_not_decisive():
    source = "President Reagan nominated her in 1981. Reagan called it a proud day."
    res = check_claim_locally("In 1981 Ronald Reagan nominated her.", source)
    assert res.verdict is None
    assert kinds(res) == ["entity_variant"]


def test_quoted_string_missing(checker):
    res = checker.check("Residents called the old ferry “fast and unloved”.")
    assert res.verdict == "not_in_source"
    assert "quote_missing" in kinds(res)
    assert next(s for s in res.signals if s.kind == "quote_missing").text == "fast and unloved"


def test_quoted_string_present_in_other_quote_marks(checker):
    res = checker.check('The old ferry was "slow but beloved", residents said.')
    assert "quote_missing" not in kinds(res)


# --- negation ---------------------------------------------------------------------------------------


def test_negation_dropped_is_contradicted(checker):
    res = checker.check("The council will vote on the budget before June 18.")
    assert res.verdict == "contradicted"
    assert "negation_flip" in kinds(res)
    assert "drops" in res.reason
    assert span(res.evidence[0]).startswith("The council will not vote")


def test_negation_added_is_contradicted(checker):
    res = checker.check("Two engineers, Ivo Brandt and Sara Quist, did not design the bridge.")
    assert res.verdict == "contradicted"
    assert "negation_flip" in kinds(res)
    assert "adds" in res.reason


def test_negation_in_another_clause_is_not_a_flip():
    source = (
        "There is no charge on the molecule as a whole, but each hydrogen atom has a slight positive charge."
    )
    res = check_claim_locally("Each hydrogen atom has a slight positive charge.", source)
    assert "negation_flip" not in kinds(res)


# --- undecided --------------------------------------------------------------------------------------


def test_paraphrase_with_everything_present_is_undecided(checker):
    res = checker.check(
        "Ivo Brandt and Sara Quist were the engineers behind the Marlow Vale bridge, "
        "whose $3.5 million price is 24% above the first plan."
    )
    assert res.verdict is None
    assert not res.decided
    assert res.confidence == 0.0
    assert res.signals == ()
    assert res.reason.startswith("undecided")


def test_empty_claim():
    res = check_claim_locally("   ", SOURCE)
    assert res.verdict is None


def test_convenience_function_matches_checker(checker):
    claim = "Marlow Vale abolished the river toll in 1997."
    assert check_claim_locally(claim, SOURCE) == checker.check(claim)


# --- number extraction ------------------------------------------------------------------------------


def test_rounded_claim_numbers_match_precise_source_numbers():
    res = check_claim_locally(
        "The company sold about 3.5 million units.", "The company sold 3,460,000 units."
    )
    assert not any(k.startswith("number") for k in kinds(res))
    res = check_claim_locally("The company sold 3.6 million units.", "The company sold 3,460,000 units.")
    assert res.verdict == "contradicted"


def test_spoken_decimals_in_transcripts():
    source = "Marketing: we have to keep it under twelve euros and fifty cents, so."
    res = check_claim_locally("The product must cost under 12.50 euros.", source)
    assert not any(k.startswith("number") for k in kinds(res))


# --- Unicode forms of the source (issue 10, item 12) ----------------------------------------------------

PLAIN = "José García met Ana Tanaka in Osaka on March 3, 2024, and they signed the final accord."


@pytest.mark.parametrize(
    "written",
    [
        unicodedata.normalize("NFD", PLAIN),  # decomposed accents
        PLAIN.replace("Tanaka", "Ｔａｎａｋａ").replace("Osaka", "Ｏｓａｋａ"),  # full-width letters
        PLAIN.replace(" ", "\u00a0"),  # non-breaking spaces
        PLAIN.replace("final", "\ufb01nal"),  # a ligature
        PLAIN.replace("2024", "٢٠٢٤").replace("3,", "٣,"),  # Arabic-Indic digits
    ],
)
@pytest.mark.parametrize(
    "claim",
    [
        "José García met Ana Tanaka in Osaka.",
        "Jose Garcia met Tanaka in 2024.",
        "García and Tanaka signed the final accord on March 3, 2024.",
    ],
)
def test_names_numbers_and_dates_in_any_unicode_form_are_found(written: str, claim: str) -> None:
    res = LocalChecker(written).check(claim)
    assert res.verdict != "not_in_source", res.reason
    assert not {"entity_missing", "number_missing", "date_missing"} & set(kinds(res))


def test_a_claim_in_unicode_forms_is_read_like_plain_text() -> None:
    res = LocalChecker(PLAIN).check("Ｔａｎａｋａ met José García in 1999.")
    assert res.verdict in ("contradicted", "not_in_source")
    assert "entity_missing" not in kinds(res)  # the names are found; the year is not


def test_evidence_offsets_point_into_the_original_text() -> None:
    source = unicodedata.normalize(
        "NFD", "Café owner José Núñez paid 1,200 euros in 2019 for the new terrace. "
    )
    source += PLAIN
    res = LocalChecker(source).check("Café owner José Núñez paid 1,500 euros in 2019 for the new terrace.")
    assert res.verdict == "contradicted"
    assert res.evidence
    for ev in res.evidence:
        assert ev.start is not None and ev.end is not None
        assert source[ev.start : ev.end] == ev.quote == "1,200"


def test_a_verbatim_claim_in_decomposed_accents_is_supported() -> None:
    source = unicodedata.normalize(
        "NFD", "Café owner José Núñez paid 1,200 euros in 2019 for the new terrace. "
    )
    claim = "Café owner José Núñez paid 1,200 euros in 2019"
    verbatim = LocalChecker(source + PLAIN).check(claim)
    assert verbatim.verdict == "supported"
    ev = verbatim.evidence[0]
    assert source[ev.start : ev.end] == unicodedata.normalize("NFD", claim)


# --- the one splitter, the public profile, one Signal (issue 10, item 15; issue 11) -----------------------


def test_abbreviations_do_not_split_a_verbatim_claim() -> None:
    source = "Mr. Kim met Dr. Smith at the U.S. Embassy on Jan. 5. They spoke for an hour."
    res = LocalChecker(source).check("Mr. Kim met Dr. Smith at the U.S. Embassy on Jan. 5.")
    assert res.verdict == "supported"
    assert [source[e.start : e.end] for e in res.evidence] == [
        "Mr. Kim met Dr. Smith at the U.S. Embassy on Jan. 5."
    ]
    checker = LocalChecker(source)
    assert len(checker.sentences) == 2
    assert source[checker.sentences[0].start : checker.sentences[0].end].endswith("Jan. 5.")


def test_public_profile_for_the_calibrated_checker(checker) -> None:
    from summarizer.rules.checker import content_stems

    stems = content_stems("The engineers designed the new bridge")
    assert stems == ["enginee", "design", "new", "bridge"]
    assert all(checker.has_stem(s) for s in ("enginee", "design", "bridge"))
    assert not checker.has_stem("zeppeli")
    n = len(checker.sentences)
    assert checker.idf("zeppeli") == pytest.approx(math.log(1 + n))  # an unknown stem: the highest idf
    assert checker.idf("bridge") < checker.idf("zeppeli")
    ranked = checker.best_sentences(stems, limit=2)
    assert ranked and ranked[0][0] > 0
    best = checker.sentences[ranked[0][1]]
    assert "designed the bridge" in SOURCE[best.start : best.end]
    assert {"enginee", "design", "bridge"} <= best.stems


def test_signals_are_the_public_type_and_say_whether_they_settled_the_claim(checker) -> None:
    from summarizer.types import Signal

    res = checker.check("The toll was abolished in 1997.")
    assert res.verdict == "contradicted"
    assert all(isinstance(s, Signal) for s in res.signals)
    assert any(s.decisive for s in res.signals)
