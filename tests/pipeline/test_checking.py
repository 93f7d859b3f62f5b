"""The check pipeline: claims in, trusted zero-token findings first, the rest scored from the model's
Yes/No log-probabilities and calibrated by a profile, evidence located, a report out.

Model answers are fixtures built in the test (tests/_support/faults.py: a scripted in-test server behind
``httpx2.MockTransport``) except in the two tests marked ``vcr``, whose cassettes were recorded from the
local llama-server with ``logprobs`` on. The JSON-verdict scorer has its own module, test_verdicts.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer import config
from summarizer.calibration.profile import Logistic, Profile, RuleStat, profile_for_model
from summarizer.errors import ConfigError
from summarizer.llm.client import LLM, AsyncLLM
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline.checking import acheck, check, decompose
from summarizer.pipeline.scoring import claim_units
from summarizer.rules.checker import LocalChecker
from summarizer.rules.features import claim_features
from summarizer.settings import Settings
from summarizer.text.grounding import normalize
from summarizer.types import CheckReport, Usage
from tests._support.faults import FakeServer, api_error, ok, scoring

MODEL = "gpt-4o-mini"

SOURCE = (
    "The town of Brellin opened a new library on the east bank of the river. "
    "The mayor, Odile Varga, said the building cost 4 million euros. "
    "Construction took two years and employed local carpenters. "
    "Volunteers planted forty oak trees around the site. "
    "The library will open on Sundays during the summer."
)
VERBATIM = "Construction took two years and employed local carpenters."
NAME_MISSING = "Mayor Henrik Salo opened the library."
NUMBER_MISMATCH = "The library cost 9 million euros."
GARDEN = "The library has a reading garden."
TREES = "Volunteers planted trees near the library."
SUNDAYS = "The library opens on Sundays in summer."
SUMMARY = (
    "Brellin opened a library on the east bank. It cost 4 million euros!\n\n"
    "Critics praised the reading rooms? Volunteers planted forty oak trees around the site."
)


def make_llm(server: FakeServer, model: str = MODEL) -> LLM:
    settings = Settings(model=model, base_url="http://test.invalid/v1", api_key="sk-test-0000", max_retries=0)
    return LLM(settings, http_client=server.client())


def never_called() -> FakeServer:
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError(f"unexpected model call: {request.content[:200]!r}")

    return FakeServer(fail)


def plain_profile(threshold: float = 0.5, local_bias: float = 0.0) -> Profile:
    """A profile whose probability is the model's own P(Yes) (log-odds weight 1, no other weight), and
    whose rules settle the three kinds the fixtures use."""
    rules = {
        "verbatim": RuleStat(verdict="supported", right=98, seen=98, settles=True),
        "entity_missing": RuleStat(verdict="not_in_source", right=48, seen=48, settles=True),
        "number_mismatch": RuleStat(verdict="contradicted", right=9, seen=10, settles=False),
    }
    return Profile(
        name="plain",
        models=[],
        prompt_version=None,
        claims_per_call=1,
        fused=Logistic(weights={"model_logit": 1.0}, bias=0.0, threshold=threshold),
        local=Logistic(weights={"coverage_best": 4.0}, bias=local_bias, threshold=0.5),
        rules=rules,
    )


def by_claim(report: CheckReport) -> dict[str, Any]:
    return {c.claim: c for c in report.claims}


def p_of(table: dict[str, float], default: float = 0.5) -> Any:
    return lambda claim: table.get(claim, default)


# --- trusted findings settle, the rest is scored -------------------------------------------------------


def test_trusted_findings_settle_without_a_call_with_the_profiles_precision() -> None:
    server = never_called()
    profile = plain_profile()
    report = check(SOURCE, [VERBATIM, NAME_MISSING], llm=make_llm(server), profile=profile)

    assert server.count == 0 and report.usage.calls == 0
    assert report.provenance.model is None and report.provenance.profile == "plain"
    got = by_claim(report)
    assert got[VERBATIM].verdict == "supported" and got[VERBATIM].scored_by == "rule"
    assert got[VERBATIM].confidence == pytest.approx(99 / 100)  # (98 + 1) / (98 + 2)
    assert got[VERBATIM].probability == pytest.approx(0.99)
    assert got[NAME_MISSING].verdict == "not_in_source" and got[NAME_MISSING].decided_by == "local"
    assert got[NAME_MISSING].confidence == pytest.approx(49 / 50)
    assert got[NAME_MISSING].probability == pytest.approx(1 / 50)


def test_a_verbatim_claim_too_rare_to_measure_takes_the_local_probability_not_a_smoothed_guess() -> None:
    rules = dict(plain_profile().rules)
    rules["verbatim"] = RuleStat(verdict="supported", right=1, seen=1, settles=True)  # settles by construction
    profile = plain_profile().model_copy(update={"rules": rules})
    report = check(SOURCE, [VERBATIM, NAME_MISSING], llm=make_llm(never_called()), profile=profile)

    got = by_claim(report)
    assert got[VERBATIM].verdict == "supported" and got[VERBATIM].scored_by == "rule"
    checker = LocalChecker(SOURCE)
    features = claim_features(checker, VERBATIM, checker.check(VERBATIM))
    expected = profile.local.probability(features)
    assert got[VERBATIM].confidence == pytest.approx(expected, abs=1e-4) and expected > 0.9
    assert got[VERBATIM].confidence != pytest.approx(2 / 3)  # not (1 + 1) / (1 + 2)
    assert got[NAME_MISSING].confidence == pytest.approx(49 / 50)  # measured: still its precision


def test_an_untrusted_finding_goes_to_the_model_with_the_finding_as_a_feature() -> None:
    server = FakeServer(scoring(lambda claim: 0.3))
    report = check(SOURCE, [NUMBER_MISMATCH], llm=make_llm(server), profile=plain_profile())

    assert server.count == 1  # number_mismatch does not settle in this profile: it is scored
    result = report.claims[0]
    assert result.scored_by == "logprobs" and result.decided_by == "model"
    assert result.verdict == "contradicted"  # unsupported, and a source number conflicts with it
    assert [s.kind for s in result.signals] == ["number_mismatch"]


def test_one_scoring_call_per_claim_source_first_claim_last_two_tokens_with_logprobs() -> None:
    server = FakeServer(scoring(p_of({GARDEN: 0.2, TREES: 0.9})))
    report = check(SOURCE, [GARDEN, TREES], llm=make_llm(server), profile=plain_profile())

    assert server.count == 2 and report.usage.calls == 2
    for body, claim in zip(server.bodies, [GARDEN, TREES], strict=True):
        assert body["logprobs"] is True and body["top_logprobs"] == 20
        assert body["max_tokens"] == 2  # "1" and " Yes": nothing more is needed, nothing more allowed
        assert body["temperature"] == 0
        assert "response_format" not in body
        system, *examples, user = body["messages"]
        assert system["role"] == "system" and "Yes or No" in system["content"]
        # worked examples first, each a one-claim question answered the way the checker reads answers
        assert [m["role"] for m in examples] == ["user", "assistant"] * (len(examples) // 2) and examples
        assert {m["content"] for m in examples[1::2]} == {"1 Yes", "1 No"}
        assert all(SOURCE not in m["content"] for m in examples)
        # the source (cached across a document's claims), the claim last
        assert user["role"] == "user"
        assert user["content"].index(SOURCE) < user["content"].index(f"1. {claim}")
        assert user["content"].rstrip().endswith("(for example: 1 Yes).")
    # the same prefix for every claim of the document: the examples, then the source
    prefixes = [(b["messages"][:-1], b["messages"][-1]["content"].split("Claims:")[0]) for b in server.bodies]
    assert prefixes[0] == prefixes[1]
    assert report.provenance.prompts.keys() == {"score"}


def test_a_profile_fitted_with_another_score_prompt_is_used_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    stale = plain_profile().model_copy(update={"name": "stale", "prompt_version": "0123456789ab"})
    current = plain_profile().model_copy(update={"name": "current", "prompt_version": load_prompt("score").version})
    with caplog.at_level(logging.WARNING, logger="summarizer.pipeline.checking"):
        for profile in (stale, stale, current):
            server = FakeServer(scoring(lambda claim: 0.9))
            assert check(SOURCE, [TREES], llm=make_llm(server), profile=profile).claims[0].verdict == "supported"
        local = check(SOURCE, [TREES], mode="local", profile=stale.model_copy(update={"name": "stale-local"}))
    assert local.usage.calls == 0
    warned = [r.getMessage() for r in caplog.records if "score prompt" in r.getMessage()]
    assert len(warned) == 1 and "'stale'" in warned[0] and "0123456789ab" in warned[0]


def test_the_verdict_and_its_confidence_are_the_profiles_probability() -> None:
    server = FakeServer(scoring(p_of({GARDEN: 0.2, TREES: 0.9})))
    report = check(SOURCE, [GARDEN, TREES], llm=make_llm(server), profile=plain_profile(threshold=0.5))
    got = by_claim(report)

    assert got[TREES].verdict == "supported"
    assert got[TREES].probability == pytest.approx(0.9, abs=1e-4)
    assert got[TREES].confidence == pytest.approx(0.9, abs=1e-4)
    assert got[GARDEN].verdict in ("not_in_source", "contradicted")
    assert got[GARDEN].probability == pytest.approx(0.2, abs=1e-4)
    assert got[GARDEN].confidence == pytest.approx(0.8, abs=1e-4)  # the probability of *its* verdict
    assert report.score == 0.5


def test_the_threshold_is_the_profiles() -> None:
    server = FakeServer(scoring(lambda claim: 0.6))
    strict = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile(threshold=0.7))
    lenient = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile(threshold=0.55))
    assert strict.claims[0].verdict != "supported"
    assert strict.claims[0].confidence == pytest.approx(0.4, abs=1e-4)  # a close call says so
    assert lenient.claims[0].verdict == "supported"


def test_a_claim_of_several_sentences_takes_its_least_supported_sentence() -> None:
    two = f"{TREES} {GARDEN}"
    server = FakeServer(scoring(p_of({TREES: 0.95, GARDEN: 0.1})))
    report = check(SOURCE, [two, TREES], llm=make_llm(server), profile=plain_profile())
    got = by_claim(report)

    asked = [b["messages"][-1]["content"].split("Claims:\n1. ")[1].split("\n")[0] for b in server.bodies]
    assert sorted(asked) == sorted([TREES, GARDEN])  # each distinct sentence once, though TREES is in both
    assert got[two].probability == pytest.approx(0.1, abs=1e-4)
    assert got[two].verdict != "supported"
    assert got[TREES].verdict == "supported"


def test_unsupported_is_contradicted_when_a_sentence_speaks_to_it_else_not_in_source() -> None:
    close = "Volunteers planted forty pine trees around the site."  # one sentence holds nearly all of it
    far = "The library has a rooftop telescope for astronomy lessons."
    server = FakeServer(scoring(lambda claim: 0.05))
    got = by_claim(check(SOURCE, [close, far], llm=make_llm(server), profile=plain_profile()))
    assert got[close].verdict == "contradicted"
    assert got[far].verdict == "not_in_source"


def test_evidence_is_the_best_matching_source_sentence_located_exactly() -> None:
    server = FakeServer(scoring(lambda claim: 0.9))
    result = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile()).claims[0]

    ev = result.evidence[0]
    assert ev.match == "sentence" and ev.found
    assert SOURCE[ev.start : ev.end] == "Volunteers planted forty oak trees around the site."
    assert ev.quote == SOURCE[ev.start : ev.end]
    assert 0.3 <= ev.score <= 1.0


def test_page_furniture_is_never_the_evidence_of_a_scored_claim() -> None:
    from summarizer.text.documents import document_from_text

    source = SOURCE + "\n\nMost Commented\nVolunteers planted trees near the library, readers say\n"
    document = document_from_text(source)
    assert document.furniture  # the list under "Most Commented" is furniture
    server = FakeServer(scoring(lambda claim: 0.9))
    result = check(document, [TREES], llm=make_llm(server), profile=plain_profile()).claims[0]
    assert result.evidence
    assert all(ev.start is not None and ev.start < source.index("Most Commented") for ev in result.evidence)


# --- when the model cannot be read ----------------------------------------------------------------------

VERDICTS = json.dumps(
    {"verdicts": [{"id": 1, "sentence": 4, "quote": "Volunteers planted forty oak trees", "verdict": "supported",
                   "reason": "the source says so"}]}
)


def test_a_server_without_logprobs_gets_json_verdicts_and_the_report_says_so() -> None:
    server = FakeServer(ok("1 Yes"), ok(VERDICTS))  # the first answer has no logprobs
    llm = make_llm(server)
    report = check(SOURCE, [TREES], llm=llm, profile=plain_profile())

    assert server.count == 2
    assert server.bodies[0]["logprobs"] is True and "logprobs" not in server.bodies[1]
    result = report.claims[0]
    assert result.scored_by == "verdict" and result.probability is None
    assert result.verdict == "supported"
    assert any("no log-probabilities" in w for w in report.warnings)
    assert set(report.provenance.prompts) == {"score", "check"}

    again = check(SOURCE, [TREES], llm=llm, profile=plain_profile())  # the client remembers
    assert server.count == 3 and again.claims[0].scored_by == "verdict"


def test_a_server_that_rejects_logprobs_gets_json_verdicts() -> None:
    server = FakeServer(api_error(400, "logprobs is not supported by this model", err_type="invalid_request_error"), ok(VERDICTS))
    report = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile())
    assert server.count == 2 and report.claims[0].scored_by == "verdict"


def test_a_reasoning_model_is_not_asked_for_logprobs() -> None:
    server = FakeServer(ok(VERDICTS))
    report = check(SOURCE, [TREES], llm=make_llm(server, model="o3-mini"), profile=plain_profile())
    assert server.count == 1 and "logprobs" not in server.bodies[0]
    assert report.claims[0].scored_by == "verdict"


def test_scorer_verdicts_asks_for_json_verdicts_only() -> None:
    server = FakeServer(ok(VERDICTS))
    report = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile(), scorer="verdicts")
    assert server.count == 1 and report.claims[0].scored_by == "verdict"
    assert not any("log-probabilities" in w for w in report.warnings)


def test_an_answer_that_is_not_yes_or_no_is_scored_on_the_local_features_with_a_warning() -> None:
    server = FakeServer(lambda request: httpx2.Response(200, json=_prose()))
    report = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile())
    result = report.claims[0]
    assert result.scored_by == "features" and result.probability is not None
    assert any("no Yes/No answer" in w for w in report.warnings)


def _prose() -> dict[str, Any]:
    from tests._support.faults import logprob_body

    return logprob_body([("The", {"The": 0.9, "I": 0.1}), (" source", {" source": 0.8, " text": 0.2})])


def test_explain_adds_the_models_reason_and_keeps_the_calibrated_verdict() -> None:
    disagree = json.dumps(
        {"verdicts": [{"id": 1, "sentence": 4, "quote": "Volunteers planted forty oak trees",
                       "verdict": "not_in_source", "reason": "it says oak trees, not trees near the library"}]}
    )
    server = FakeServer(scoring(lambda claim: 0.9), ok(disagree))
    report = check(SOURCE, [TREES], llm=make_llm(server), profile=plain_profile(), explain=True)

    assert server.count == 2 and server.bodies[1]["response_format"]["json_schema"]["name"] == "verdicts"
    result = report.claims[0]
    assert result.verdict == "supported" and result.scored_by == "logprobs"  # still the calibrated one
    assert "oak trees, not trees near the library" in result.reason
    assert result.reason.startswith("(the model's own verdict: not_in_source)")


# --- modes --------------------------------------------------------------------------------------------


def test_mode_local_scores_open_claims_from_the_local_features_calibrated_with_no_call() -> None:
    server = never_called()
    report = check(SOURCE, [GARDEN, TREES, NAME_MISSING], mode="local", llm=make_llm(server), profile=plain_profile())
    got = by_claim(report)

    assert server.count == 0 and report.usage.calls == 0 and report.provenance.model is None
    assert got[NAME_MISSING].scored_by == "rule"
    for claim in (GARDEN, TREES):
        assert got[claim].scored_by == "features" and got[claim].decided_by == "local"
        assert 0.0 < got[claim].probability < 1.0
    # more of TREES stands in a source sentence: a higher probability of support
    assert got[TREES].probability > got[GARDEN].probability


def test_mode_local_needs_no_model_settings_at_all() -> None:
    report = check(SOURCE, [GARDEN], mode="local")  # no llm, no key in the environment: nothing built
    assert report.usage.calls == 0
    assert report.claims[0].scored_by == "features"
    assert report.provenance.profile == profile_for_model(config.LOCAL_MODEL).name


def test_mode_model_scores_even_claims_a_finding_would_settle() -> None:
    server = FakeServer(scoring(lambda claim: 0.1))
    report = check(SOURCE, [NAME_MISSING], mode="model", llm=make_llm(server), profile=plain_profile())
    assert server.count == 1 and report.claims[0].scored_by == "logprobs"


@pytest.mark.parametrize("claims", [[], None])
def test_no_claims_gives_a_null_score_and_a_warning(claims: list[str] | None) -> None:
    server = never_called()
    report = check(SOURCE, claims, llm=make_llm(server))
    assert server.count == 0
    assert report.score is None and report.claims == []
    assert report.counts.model_dump() == {"supported": 0, "contradicted": 0, "not_in_source": 0}
    assert any("no claims" in w for w in report.warnings)
    assert report.usage.calls == 0 and report.provenance.model is None


def test_acheck_reaches_the_same_report_as_check() -> None:
    script = p_of({GARDEN: 0.2, TREES: 0.9})
    sync_server, async_server = FakeServer(scoring(script)), FakeServer(scoring(script))
    claims = [GARDEN, TREES, NAME_MISSING]
    sync = check(SOURCE, claims, llm=make_llm(sync_server), profile=plain_profile())
    settings = Settings(model=MODEL, base_url="http://test.invalid/v1", api_key="sk-test-0000", max_retries=0)
    allm = AsyncLLM(settings, http_client=async_server.async_client())
    asynchronous = asyncio.run(acheck(SOURCE, claims, llm=allm, profile=plain_profile()))

    assert sync_server.bodies == async_server.bodies
    strip = {"usage": {"seconds"}, "provenance": {"created_at"}}
    assert sync.model_dump(exclude=strip) == asynchronous.model_dump(exclude=strip)


# --- profiles -----------------------------------------------------------------------------------------


def test_a_profile_file_is_used_and_named_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(plain_profile(threshold=0.95).model_copy(update={"name": "mine"}).to_json())
    server = FakeServer(scoring(lambda claim: 0.9))
    report = check(SOURCE, [TREES], llm=make_llm(server), profile=str(path))
    assert report.provenance.profile == "mine"
    assert report.claims[0].verdict != "supported"  # 0.9 is under this profile's 0.95


def test_a_foreign_profile_is_a_one_line_config_error(tmp_path: Path) -> None:
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(ConfigError, match="not a calibration profile") as info:
        check(SOURCE, [TREES], mode="local", profile=path)
    assert "\n" not in str(info.value)


def test_the_shipped_profile_of_the_local_model_is_the_default_for_it() -> None:
    server = FakeServer(scoring(lambda claim: 0.9))
    report = check(SOURCE, [TREES], llm=make_llm(server, model=config.LOCAL_MODEL))
    assert report.provenance.profile == profile_for_model(config.LOCAL_MODEL).name
    assert report.claims[0].probability is not None and 0 < report.claims[0].probability < 1


# --- claims from a summary -------------------------------------------------------------------------


def test_decompose_by_sentences_gives_one_claim_per_sentence_with_spans() -> None:
    claims = decompose(SUMMARY, split="sentences")
    assert [c for c, _ in claims] == [
        "Brellin opened a library on the east bank.",
        "It cost 4 million euros!",
        "Critics praised the reading rooms?",
        "Volunteers planted forty oak trees around the site.",
    ]
    for text, span in claims:
        assert span.match == "exact"
        assert SUMMARY[span.start : span.end] == text


def test_check_summary_split_by_sentences_in_local_mode_calls_nothing() -> None:
    server = never_called()
    report = check(SOURCE, summary=SUMMARY, split="sentences", mode="local", llm=make_llm(server))

    assert server.count == 0
    assert report.usage.calls == 0
    assert report.provenance.model is None
    assert report.provenance.prompts == {}
    assert len(report.claims) == 4
    for result in report.claims:
        assert result.claim_span is not None
        assert SUMMARY[result.claim_span.start : result.claim_span.end] == result.claim
    got = by_claim(report)
    assert got["Volunteers planted forty oak trees around the site."].verdict == "supported"
    assert got["Volunteers planted forty oak trees around the site."].scored_by == "rule"  # verbatim


def test_claims_and_summary_together_keep_claims_first_without_spans() -> None:
    report = check(
        SOURCE, [VERBATIM], summary=NUMBER_MISMATCH, split="sentences", mode="local"
    )
    assert [c.claim for c in report.claims] == [VERBATIM, NUMBER_MISMATCH]
    assert report.claims[0].claim_span is None
    assert report.claims[1].claim_span is not None


def test_decompose_span_of_a_quoted_sentence_covers_the_quotes() -> None:
    summary = '"The vote passed." The mayor smiled.'
    text, span = decompose(summary, split="sentences")[0]
    assert text == '"The vote passed."'
    assert summary[span.start : span.end] == text


def test_decompose_repeated_sentences_get_their_own_spans() -> None:
    summary = "The mayor smiled. The library opened. The mayor smiled."
    spans = [(span.start, span.end) for _, span in decompose(summary, split="sentences")]
    assert spans[0] != spans[2]
    assert spans[2] == (summary.rindex("The mayor smiled."), len(summary))


DECOMPOSITION = {
    "claims": [
        {"quote": "Brellin opened a library on the east bank", "claim": "Brellin opened a library."},
        {"quote": "It cost 4 million euros", "claim": "The Brellin library cost 4 million euros."},
        {"quote": "the reading rooms were praised", "claim": "Critics praised the reading rooms."},
        {"quote": "anything", "claim": "   "},
    ]
}


def test_decompose_by_the_model_locates_each_claim_quote_in_the_summary() -> None:
    server = FakeServer(ok(json.dumps(DECOMPOSITION), prompt_tokens=250, completion_tokens=90))
    usage = Usage()

    claims = decompose(SUMMARY, split="model", llm=make_llm(server), usage=usage)

    assert server.count == 1
    body = server.bodies[0]
    assert body["max_tokens"] == config.DECOMPOSE_MAX_TOKENS
    assert body["response_format"]["json_schema"]["name"] == "decomposition"
    assert SUMMARY in body["messages"][-1]["content"]
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 250, 90)
    assert [c for c, _ in claims] == [
        "Brellin opened a library.",
        "The Brellin library cost 4 million euros.",
        "Critics praised the reading rooms.",
    ]  # the blank claim is dropped
    for (_, span), item in zip(claims[:2], DECOMPOSITION["claims"][:2], strict=True):
        assert span.found
        assert SUMMARY[span.start : span.end] == item["quote"]
    assert claims[2][1].match == "not_found"  # a quote that is not in the summary has no span


def test_check_summary_split_by_the_model_counts_the_decompose_call() -> None:
    server = FakeServer(ok(json.dumps(DECOMPOSITION)))
    report = check(SOURCE, summary=SUMMARY, split="model", mode="local", llm=make_llm(server))

    assert server.count == 1  # the decomposition; mode local asks nothing else
    assert report.usage.calls == 1
    assert report.provenance.model == MODEL
    assert set(report.provenance.prompts) == {"decompose"}
    spans = [c.claim_span for c in report.claims]
    assert all(s is not None for s in spans)
    assert SUMMARY[spans[1].start : spans[1].end] == "It cost 4 million euros"  # type: ignore[union-attr]


# --- recorded from the local llama-server (logprobs on) ------------------------------------------------

RECORDED_CLAIMS = [
    "The repairs are estimated to cost 212 million dollars.",  # verbatim: settled locally
    "The toll was abolished in 2005.",  # a year the source has otherwise
    "Mayor Elena Varga said the bridge carries roughly 61,000 vehicles a day.",
    "Councillor Tomas Reyes wants the vote postponed until an outside firm checks the figures.",
    "The bridge opened in 1941.",
    "Engineers said the cables are unsafe for current loads.",
]


def _recorded_llm(*, prompt_lists: bool = False) -> LLM:
    """The recorded local llama-server; ``prompt_lists`` as the bundled backend asks it (one call scores
    a document's claims, :mod:`summarizer.llm.prompt_lists`), else one chat call each."""
    from dataclasses import replace

    from summarizer.settings import resolve_settings
    from tests._support.paths import RECORDED_BASE_URL

    return LLM(replace(resolve_settings(config.LOCAL_MODEL, RECORDED_BASE_URL), prompt_lists=prompt_lists))


@pytest.mark.vcr
def test_check_example_claims_recorded(example_text: str) -> None:
    report = check(example_text, RECORDED_CLAIMS, llm=_recorded_llm())
    got = by_claim(report)

    assert got[RECORDED_CLAIMS[0]].scored_by == "rule" and got[RECORDED_CLAIMS[0]].verdict == "supported"
    assert got[RECORDED_CLAIMS[1]].verdict != "supported"
    scored = [c for c in report.claims if c.scored_by == "logprobs"]
    assert scored, "the open claims were scored from the recorded log-probabilities"
    per_call = profile_for_model(config.LOCAL_MODEL).claims_per_call
    # the open (one-sentence) claims share calls, per_call at a time: the source is one window
    assert report.usage.calls == math.ceil(len(scored) / per_call)
    assert report.usage.completion_tokens <= 3 * len(scored)  # "1 Yes\n" a claim
    assert report.provenance.model == config.LOCAL_MODEL and "score" in report.provenance.prompts
    assert report.provenance.profile == profile_for_model(config.LOCAL_MODEL).name
    for c in report.claims:
        assert c.probability is not None and 0.0 <= c.probability <= 1.0
        expected = c.probability if c.verdict == "supported" else 1 - c.probability
        assert c.confidence == pytest.approx(expected, abs=1e-4)
        for ev in c.evidence:
            assert ev.found and ev.start is not None and ev.end is not None
            located = example_text[ev.start : ev.end]
            if ev.match == "normalized":  # the claim's words, found after folding case and punctuation
                assert normalize(located).strip(" .") == normalize(ev.quote).strip(" .")
            else:
                assert located == ev.quote
            assert ev.start < example_text.index("Most Commented")
    assert report.score == round(report.counts.supported / len(report.claims), 4)


RECORDED_SUMMARY = (
    "Port Aldine's council will vote on Harbour Bridge repairs estimated at 212 million dollars. "
    "Mayor Elena Varga wants the work to start before winter, while Councillor Tomas Reyes wants the vote delayed. "
    "The toll, abolished in 2004, could return."
)


@pytest.mark.vcr
def test_check_summary_decomposed_recorded(example_text: str) -> None:
    report = check(example_text, summary=RECORDED_SUMMARY, llm=_recorded_llm(prompt_lists=True))

    assert report.claims and "decompose" in report.provenance.prompts
    for c in report.claims:  # every claim points back into the summary
        span = c.claim_span
        assert span is not None
        if span.found:
            assert span.start is not None and span.end is not None
            assert RECORDED_SUMMARY[span.start : span.end].strip()
    assert sum(c.claim_span is not None and c.claim_span.found for c in report.claims) >= len(report.claims) // 2
    open_claims = [c for c in report.claims if c.scored_by != "rule"]
    sentences = {u for c in open_claims for u in claim_units(c.claim)}
    assert len(sentences) > 1 and profile_for_model(config.LOCAL_MODEL).claims_per_call == 1
    # the decomposition, then every open claim sentence in its own prompt, all in one call (a prompt list)
    assert report.usage.calls == 2
    assert all(c.scored_by in ("rule", "logprobs") for c in report.claims)
