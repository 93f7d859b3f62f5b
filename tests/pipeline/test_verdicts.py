"""JSON verdicts (``check(..., scorer="verdicts")``, also the fallback on servers without log-probabilities):
batched calls, source windows, evidence location, downgrades, aggregation.

Every model answer here is a fixture built in the test and served by an in-test ``httpx2.MockTransport``
(tests/_support/faults.py); no cassette is used or written. The sources are short fictional texts.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from summarizer import config, pricing
from summarizer.llm.client import LLM
from summarizer.pipeline import checking
from summarizer.settings import Settings
from summarizer.text import tokens
from summarizer.types import CheckReport
from tests._support.faults import FakeServer, completion_body, ok

MODEL = "gpt-4o-mini"


def check(*args: Any, **kwargs: Any) -> CheckReport:
    """The check pipeline with the JSON-verdict scorer (the subject of this module)."""
    return checking.check(*args, scorer="verdicts", **kwargs)


SOURCE = (
    "The town of Brellin opened a new library on the east bank of the river. "
    "The mayor, Odile Varga, said the building cost 4 million euros. "
    "Construction took two years and employed local carpenters. "
    "Volunteers planted forty oak trees around the site. "
    "The library will open on Sundays during the summer."
)
VOLUNTEERS = "Volunteers planted forty oak trees around the site."
SUNDAYS = "The library will open on Sundays during the summer."
VERBATIM = "Construction took two years and employed local carpenters."

#: Settled locally: a name the source lacks, a number the source has otherwise, a verbatim sentence.
NAME_MISSING = "Mayor Henrik Salo opened the library."
NUMBER_MISMATCH = "The library cost 9 million euros."
#: Left open by the local checks (no signal at all, or only a weak one).
GARDEN = "The library has a reading garden."
MONDAYS = "The library opens on Mondays."  # a weekday the source lacks: a non-decisive signal
TREES = "Volunteers planted trees near the library."

Verdicts = list[dict[str, Any]]
Answerer = Callable[[list[str], str], Verdicts]


# --- fixtures: a fake model server that reads the request -------------------------------------------


def make_llm(server: FakeServer, model: str = MODEL) -> LLM:
    settings = Settings(model=model, base_url="http://test.invalid/v1", api_key="sk-test-0000", max_retries=0)
    return LLM(settings, http_client=server.client())


def parse_request(body: dict[str, Any]) -> tuple[str, list[str], str]:
    """(source window, numbered claims in order, the whole last user message) of a check request."""
    user = body["messages"][-1]["content"]
    window = re.search(r"<source>\n(.*)\n</source>", user, re.DOTALL)
    assert window is not None, user
    tail = user.split("Check these claims against the source above:\n", 1)[1]
    numbered = re.findall(r"^(\d+)\. (.*)$", tail, re.MULTILINE)
    assert [int(n) for n, _ in numbered] == list(range(1, len(numbered) + 1)), numbered
    return window.group(1), [text for _, text in numbered], user


def verdicts(*items: Verdicts | dict[str, Any], **kwargs: Any) -> Callable[[httpx2.Request], httpx2.Response]:
    """A step answering with a fixed verdict list."""
    flat = [v for item in items for v in (item if isinstance(item, list) else [item])]
    return ok(json.dumps({"verdicts": flat}), **kwargs)


def answering(fn: Answerer, **kwargs: Any) -> Callable[[httpx2.Request], httpx2.Response]:
    """A step whose verdicts depend on the claims and the source window of the request."""

    def step(request: httpx2.Request) -> httpx2.Response:
        window, claims, _ = parse_request(json.loads(request.content))
        content = json.dumps({"verdicts": fn(claims, window)})
        return httpx2.Response(200, json=completion_body(content, **kwargs))

    return step


def v(id: int, verdict: str, quote: str = "", reason: str = "fixture", sentence: int = 0) -> dict[str, Any]:
    return {"id": id, "sentence": sentence, "quote": quote, "verdict": verdict, "reason": reason}


def plain(window: str) -> str:
    """A window of numbered sentences ("[n] text" lines) back to running text, whitespace folded."""
    return " ".join(re.sub(r"^\[\d+\] ", "", line) for line in window.splitlines() if line != "[...]")


def all_not_in_source(claims: list[str], window: str) -> Verdicts:
    return [v(i, "not_in_source") for i in range(1, len(claims) + 1)]


def never_called() -> FakeServer:
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError(f"unexpected model call: {request.content[:200]!r}")

    return FakeServer(fail)


def by_claim(report: CheckReport) -> dict[str, Any]:
    return {c.claim: c for c in report.claims}


def assert_located(evidence: Any, source: str, quote: str) -> None:
    assert evidence.found
    assert evidence.match in ("exact", "normalized")
    assert evidence.start == source.index(quote)
    assert source[evidence.start : evidence.end] == quote


# --- 1./2. settled without the model -------------------------------------------------------------------


def test_local_signals_settle_claims_without_a_model_call() -> None:
    server = never_called()
    report = check(SOURCE, [NAME_MISSING, NUMBER_MISMATCH, VERBATIM], mode="hybrid", llm=make_llm(server))

    assert server.count == 0
    assert report.usage.calls == 0
    assert report.usage.prompt_tokens == report.usage.completion_tokens == 0
    assert report.provenance.model is None
    assert report.provenance.prompts == {}
    got = by_claim(report)
    assert all(c.decided_by == "local" for c in report.claims)

    name = got[NAME_MISSING]
    assert name.verdict == "not_in_source"
    assert name.confidence > 0.5
    assert any(s.kind == "entity_missing" and "Henrik" in s.text for s in name.signals)

    number = got[NUMBER_MISMATCH]
    assert number.verdict == "contradicted"
    assert [s.kind for s in number.signals] == ["number_mismatch"]
    # the source's own value is the evidence, at its offsets
    assert number.evidence and SOURCE[number.evidence[0].start : number.evidence[0].end] == "4 million"

    verbatim = got[VERBATIM]
    assert verbatim.verdict == "supported"
    assert_located(verbatim.evidence[0], SOURCE, VERBATIM)


# --- 3. one batched call for the open claims ----------------------------------------------------------


def test_hybrid_sends_open_claims_in_one_batch_and_maps_verdicts_by_id() -> None:
    # answered out of order: verdicts are matched by id, not by position
    server = FakeServer(
        verdicts(
            v(3, "supported", VOLUNTEERS, "the source says volunteers planted trees"),
            v(1, "not_in_source", "", "no garden is mentioned"),
            v(2, "contradicted", SUNDAYS, "it opens on Sundays"),
            prompt_tokens=400,
            completion_tokens=60,
        )
    )
    claims = [GARDEN, NAME_MISSING, MONDAYS, TREES]
    report = check(SOURCE, claims, mode="hybrid", llm=make_llm(server))

    assert server.count == 1
    body = server.bodies[0]
    window, numbered, user = parse_request(body)
    assert plain(window) == " ".join(SOURCE.split())
    assert window.startswith("[1] ")
    assert numbered == [GARDEN, MONDAYS, TREES]  # the locally settled claim is not sent
    assert body["messages"][-1]["role"] == "user"
    assert user.index(window) < user.index(f"1. {GARDEN}") < user.index(f"2. {MONDAYS}")
    assert user.index(f"2. {MONDAYS}") < user.index(f"3. {TREES}")
    # the weak signal goes along as a hint under its claim, and only there
    assert f"2. {MONDAYS}\n   (local check: Mondays does not occur in the source)\n3. " in user
    assert user.count("(local check:") == 1
    assert body["max_tokens"] == 3 * config.CHECK_TOKENS_PER_CLAIM + config.CHECK_TOKENS_MARGIN
    assert body["response_format"]["json_schema"]["name"] == "verdicts"

    assert [c.claim for c in report.claims] == claims  # the caller's order
    got = by_claim(report)
    assert got[NAME_MISSING].decided_by == "local"
    for claim in (GARDEN, MONDAYS, TREES):
        assert got[claim].decided_by == "model"

    trees = got[TREES]
    assert trees.verdict == "supported"
    assert trees.reason == "the source says volunteers planted trees"
    assert len(trees.evidence) == 1
    assert_located(trees.evidence[0], SOURCE, VOLUNTEERS)

    mondays = got[MONDAYS]
    assert mondays.verdict == "contradicted"
    assert_located(mondays.evidence[0], SOURCE, SUNDAYS)
    assert [s.kind for s in mondays.signals] == ["date_missing"]

    garden = got[GARDEN]
    assert garden.verdict == "not_in_source"
    assert garden.evidence == []

    assert report.usage.calls == 1
    assert (report.usage.prompt_tokens, report.usage.completion_tokens) == (400, 60)
    assert report.usage.cost_usd == pricing.estimate_cost(MODEL, 400, 60)
    assert report.provenance.model == MODEL
    assert set(report.provenance.prompts) == {"check"}
    assert report.warnings == []


def test_mode_model_sends_locally_decidable_claims_too_with_their_signals_as_hints() -> None:
    server = FakeServer(answering(all_not_in_source))
    report = check(SOURCE, [NAME_MISSING, VERBATIM], mode="model", llm=make_llm(server))

    assert server.count == 1
    _, numbered, user = parse_request(server.bodies[0])
    assert numbered == [NAME_MISSING, VERBATIM]
    assert "(local check: Henrik, Salo (Mayor Henrik Salo) does not occur in the source)" in user
    assert all(c.decided_by == "model" for c in report.claims)


# --- 4. downgrade of evidence that is not in the source -----------------------------------------------


@pytest.mark.parametrize("verdict", ["supported", "contradicted"])
def test_verdict_whose_quote_is_not_in_the_source_is_downgraded(verdict: str) -> None:
    invented = "The library was paid for by a national lottery grant in spring."
    server = FakeServer(verdicts(v(1, verdict, invented, "the model says so")))
    report = check(SOURCE, [GARDEN], llm=make_llm(server))

    result = report.claims[0]
    assert result.verdict == "not_in_source"
    assert result.decided_by == "model"
    assert "downgraded" in result.reason
    assert verdict in result.reason
    assert "the model says so" in result.reason
    assert result.confidence < 0.5
    assert [e.match for e in result.evidence] == ["not_found"]
    assert result.evidence[0].start is None
    assert report.score == 0.0


def test_supported_with_an_empty_quote_is_downgraded() -> None:
    server = FakeServer(verdicts(v(1, "supported", "", "trust me")))
    report = check(SOURCE, [GARDEN], llm=make_llm(server))
    result = report.claims[0]
    assert result.verdict == "not_in_source"
    assert "downgraded" in result.reason
    assert result.evidence == []


@pytest.mark.parametrize("quote", ["the", ".", "The", "[2] the"])
@pytest.mark.parametrize("sentence", [0, 1, 4])
def test_supported_with_a_one_word_quote_is_downgraded(quote: str, sentence: int) -> None:
    # "the" stands in every sentence; it proves nothing about the claim (issue 10, item 11)
    server = FakeServer(verdicts(v(1, "supported", quote, "trust me", sentence=sentence)))
    report = check(SOURCE, [GARDEN], llm=make_llm(server))
    result = report.claims[0]
    assert result.verdict == "not_in_source"
    assert "downgraded" in result.reason
    assert all(not e.found for e in result.evidence)


# --- 5. batching ---------------------------------------------------------------------------------------

NOUNS = [
    "telescopes", "umbrellas", "chessboards", "bicycles", "easels", "lanterns", "violins", "kites",
    "globes", "typewriters", "hammocks", "compasses", "snowshoes", "puppets", "microscopes",
]  # fmt: skip


def test_more_open_claims_than_a_batch_take_ceil_n_over_batch_calls() -> None:
    size = config.CHECK_BATCH_SIZE
    n = 2 * size + 1
    assert n <= len(NOUNS)
    claims = [f"The library lends out {noun} to readers." for noun in NOUNS[:n]]
    server = FakeServer(answering(all_not_in_source))

    report = check(SOURCE, claims, llm=make_llm(server))

    assert server.count == math.ceil(n / size) == report.usage.calls
    sent: list[str] = []
    for body in server.bodies:
        _, numbered, _ = parse_request(body)
        assert 1 <= len(numbered) <= size
        assert (
            body["max_tokens"] == len(numbered) * config.CHECK_TOKENS_PER_CLAIM + config.CHECK_TOKENS_MARGIN
        )
        sent += numbered
    assert sorted(sent) == sorted(claims)  # each open claim asked exactly once
    assert [len(parse_request(b)[1]) for b in server.bodies] == [size, size, 1]
    assert all(c.decided_by == "model" and c.verdict == "not_in_source" for c in report.claims)
    assert report.counts.not_in_source == n


# --- 6. truncated verdicts: split the batch and retry ------------------------------------------------


def test_truncated_batch_is_split_in_halves_and_retried() -> None:
    def answer(claims: list[str], window: str) -> Verdicts:
        return [
            v(i, "supported", VOLUNTEERS) if c == TREES else v(i, "not_in_source")
            for i, c in enumerate(claims, 1)
        ]

    server = FakeServer(
        ok('{"verdicts": [{"id": 1, "quote": "Volun', finish_reason="length", completion_tokens=7),
        answering(answer),
    )
    claims = [GARDEN, TREES, MONDAYS]
    report = check(SOURCE, claims, llm=make_llm(server))

    assert server.count == 3
    asked = [parse_request(b)[1] for b in server.bodies]
    assert asked == [claims, [GARDEN], [TREES, MONDAYS]]
    per = config.CHECK_TOKENS_PER_CLAIM
    assert [b["max_tokens"] for b in server.bodies] == [
        3 * per + config.CHECK_TOKENS_MARGIN,
        1 * per + config.CHECK_TOKENS_MARGIN,
        2 * per + config.CHECK_TOKENS_MARGIN,
    ]
    assert [c.claim for c in report.claims] == claims
    got = by_claim(report)
    assert got[TREES].verdict == "supported"  # id 1 of the second half is the batch's claim 2
    assert_located(got[TREES].evidence[0], SOURCE, VOLUNTEERS)
    assert got[GARDEN].verdict == got[MONDAYS].verdict == "not_in_source"
    assert report.warnings == []
    # the cut-off response is counted too
    assert report.usage.calls == 3
    assert report.usage.prompt_tokens == 300
    assert report.usage.completion_tokens == 7 + 20 + 20


def test_truncated_single_claim_gets_twice_the_room_then_no_verdict() -> None:
    server = FakeServer(ok('{"verdicts": [', finish_reason="length"))
    report = check(SOURCE, [GARDEN, VERBATIM], llm=make_llm(server))
    assert server.count == 2  # once, then once more with twice the room
    first, second = (server.bodies[i]["max_tokens"] for i in range(2))
    assert second == 2 * first
    got = by_claim(report)
    assert got[GARDEN].verdict == "not_in_source" and got[GARDEN].confidence < 0.5
    assert got[VERBATIM].verdict == "supported"  # the rest of the report stands
    assert any("cut off twice" in w for w in report.warnings)
    assert report.usage.calls == 2


def test_truncated_single_claim_recovers_with_more_room() -> None:
    server = FakeServer(ok('{"verdicts": [', finish_reason="length"), verdicts(v(1, "supported", VOLUNTEERS)))
    report = check(SOURCE, [TREES], llm=make_llm(server))
    assert server.count == 2 and report.claims[0].verdict == "supported"


# --- 7. missing and out-of-range ids -------------------------------------------------------------------


def test_missing_verdict_is_not_in_source_with_a_warning_and_stray_ids_are_ignored() -> None:
    server = FakeServer(
        verdicts(
            v(0, "supported", VOLUNTEERS),
            v(1, "not_in_source"),
            v(3, "supported", VOLUNTEERS),
            v(4, "supported", VOLUNTEERS),
            v(-2, "contradicted", SUNDAYS),
        )
    )
    report = check(SOURCE, [GARDEN, MONDAYS, TREES], llm=make_llm(server))

    got = by_claim(report)
    assert got[GARDEN].verdict == "not_in_source"
    assert got[TREES].verdict == "supported"
    missing = got[MONDAYS]
    assert missing.verdict == "not_in_source"
    assert missing.evidence == []
    assert "no verdict" in missing.reason
    assert report.warnings == [f"the model gave no verdict for: {MONDAYS!r}"]
    assert report.counts.model_dump() == {"supported": 1, "contradicted": 0, "not_in_source": 2}


def test_verdicts_numbered_their_own_way_are_taken_in_order_when_they_line_up() -> None:
    # a lone claim's verdict under another number (the local model answered id 12 on WiCE)
    report = check(
        SOURCE, [TREES], mode="model", llm=make_llm(FakeServer(verdicts(v(12, "supported", VOLUNTEERS))))
    )
    assert report.claims[0].verdict == "supported" and not report.warnings
    # as many verdicts as claims, none numbered 1..n: in order (each quote carries its claim's words)
    server = FakeServer(verdicts(v(7, "supported", VOLUNTEERS), v(8, "contradicted", SUNDAYS)))
    got = by_claim(check(SOURCE, [TREES, MONDAYS], mode="model", llm=make_llm(server)))
    assert (got[TREES].verdict, got[MONDAYS].verdict) == ("supported", "contradicted")


# --- 8. a source longer than the context window --------------------------------------------------------


def _long_source(special: dict[int, str], n: int = 160) -> str:
    """Many distinct fictional sentences (about 3,000 tokens), with ``special`` ones at given indexes."""
    rng = random.Random(1234)

    def word() -> str:
        return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))

    sentences = [
        f"Archive {word()} noted that the {word()} {word()} stood near the {word()} {word()}."
        for _ in range(n)
    ]
    for i, text in special.items():
        sentences[i] = text
    return " ".join(sentences)


HERONS = "The lighthouse keeper Mirela Tosk counted herons at Cape Vantor."
HERONS_CLAIM = "Mirela Tosk saw herons at Cape Vantor."
FURNACE = "The glassblower Anselm Quibe repaired the furnace at Dunmarrow."
FURNACE_CLAIM = "Anselm Quibe fixed a furnace at Dunmarrow."
FROZE_CLAIM = "The harbour froze solid every winter."
FROZE_QUOTE = "The harbour froze solid every winter and the ferries stopped."


@pytest.fixture
def tiny_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """A context window so small that the long source must be chunked (budget: the 512-token floor)."""
    monkeypatch.setattr(pricing, "context_window", lambda model: 2000)


def test_long_source_batch_sees_the_relevant_chunk_not_the_whole_source(tiny_context: None) -> None:
    source = _long_source({80: HERONS})
    assert tokens.count_tokens(source, MODEL) > 2500
    server = FakeServer(verdicts(v(1, "supported", HERONS, "the keeper counted herons there")))

    report = check(source, [HERONS_CLAIM], llm=make_llm(server))

    assert server.count == 1
    window, numbered, _ = parse_request(server.bodies[0])
    assert numbered == [HERONS_CLAIM]
    assert HERONS in window
    assert "\n[...]\n" in window  # more than one chunk, packed into one window
    assert len(window) < len(source) // 2
    assert source not in window
    result = report.claims[0]
    assert result.verdict == "supported"
    assert result.decided_by == "model"
    assert source.index(HERONS) > len(source) // 3  # deep inside
    assert_located(result.evidence[0], source, HERONS)


def test_long_source_verdicts_are_aggregated_across_windows(tiny_context: None) -> None:
    source = _long_source({12: HERONS, 140: FURNACE})
    keys = {HERONS_CLAIM: HERONS, FURNACE_CLAIM: FURNACE}

    def answer(claims: list[str], window: str) -> Verdicts:
        out = []
        for i, claim in enumerate(claims, 1):
            if claim == FROZE_CLAIM:  # a hallucinated contradiction, in every window
                out.append(v(i, "contradicted", FROZE_QUOTE, "the harbour froze"))
            elif keys[claim] in window:
                verdict = "supported" if claim == HERONS_CLAIM else "contradicted"
                out.append(v(i, verdict, keys[claim], f"window has: {keys[claim]}"))
            else:
                out.append(v(i, "not_in_source", "", "this window says nothing"))
        return out

    server = FakeServer(answering(answer))
    claims = [HERONS_CLAIM, FURNACE_CLAIM, FROZE_CLAIM]
    report = check(source, claims, llm=make_llm(server))

    # one batch, several windows: every window is asked about every claim of the batch
    assert server.count >= 2
    windows = [parse_request(b)[0] for b in server.bodies]
    for body in server.bodies:
        assert sorted(parse_request(body)[1]) == sorted(claims)
    assert all(len(w) < len(source) for w in windows)
    # each claim's sentence is missing from some window: the other windows said not_in_source
    assert any(HERONS in w for w in windows) and any(HERONS not in w for w in windows)
    assert any(FURNACE in w for w in windows) and any(FURNACE not in w for w in windows)
    assert report.usage.calls == server.count

    assert [c.claim for c in report.claims] == claims
    got = by_claim(report)
    assert got[HERONS_CLAIM].verdict == "supported"
    assert_located(got[HERONS_CLAIM].evidence[0], source, HERONS)
    assert got[FURNACE_CLAIM].verdict == "contradicted"
    assert_located(got[FURNACE_CLAIM].evidence[0], source, FURNACE)
    froze = got[FROZE_CLAIM]
    assert froze.verdict == "not_in_source"  # contradicted needs evidence that stands in the source
    assert "downgraded" in froze.reason
    assert report.score == round(1 / 3, 4)


def test_short_source_is_sent_whole_in_one_window() -> None:
    server = FakeServer(answering(all_not_in_source))
    check(SOURCE, [GARDEN], llm=make_llm(server))
    window, _, _ = parse_request(server.bodies[0])
    assert plain(window) == " ".join(SOURCE.split())
    assert window.startswith("[1] ")
    assert "[...]" not in window


# --- 9./10. score and counts ----------------------------------------------------------------------------


def test_score_is_the_rounded_share_of_supported_claims() -> None:
    report = check(SOURCE, [VERBATIM, NUMBER_MISMATCH, NAME_MISSING], mode="local")
    assert report.counts.model_dump() == {"supported": 1, "contradicted": 1, "not_in_source": 1}
    assert report.score == round(1 / 3, 4) == 0.3333


def test_counts_sum_to_the_number_of_claims_across_local_and_model_verdicts() -> None:
    server = FakeServer(
        verdicts(v(1, "supported", VOLUNTEERS), v(2, "contradicted", SUNDAYS), v(3, "not_in_source"))
    )
    claims = [VERBATIM, NUMBER_MISMATCH, NAME_MISSING, TREES, MONDAYS, GARDEN, f"  {SUNDAYS}  ", ""]
    report = check(SOURCE, claims, llm=make_llm(server))

    counts = report.counts.model_dump()
    assert sum(counts.values()) == len(report.claims) == 7  # the empty claim is dropped
    assert counts == {"supported": 3, "contradicted": 2, "not_in_source": 2}
    for verdict, n in counts.items():
        assert sum(c.verdict == verdict for c in report.claims) == n
    assert report.score == round(3 / 7, 4)
    assert report.claims[-1].claim == SUNDAYS  # stripped


# --- 11./12. decomposing a summary ----------------------------------------------------------------------

# --- a second, zero-token look at what the model calls supported ------------------------------------


def test_supported_verdict_whose_evidence_has_another_number_is_downgraded() -> None:
    """mode model: the claim reaches the model, which calls it supported; its own evidence says 4 million."""
    server = FakeServer(
        verdicts(v(1, "supported", "the building cost 4 million euros", "it says so", sentence=2))
    )
    report = check(SOURCE, [NUMBER_MISMATCH], mode="model", llm=make_llm(server))
    result = report.claims[0]
    assert server.count == 1
    assert result.verdict == "not_in_source" and result.decided_by == "model"
    assert "downgraded" in result.reason and "9 million" in result.reason
    assert result.evidence and result.evidence[0].found  # the cited evidence is still shown


def test_second_look_leaves_names_to_the_model() -> None:
    """A name outside the evidence sentence is no objection: evidence often says "she" for it."""
    claim = "Odile Varga planted forty oak trees around the site."
    server = FakeServer(verdicts(v(1, "supported", VOLUNTEERS, "it says so", sentence=4)))
    report = check(SOURCE, [claim], mode="model", llm=make_llm(server))
    assert report.claims[0].verdict == "supported"


def test_supported_verdict_with_the_claims_details_in_its_evidence_stands() -> None:
    server = FakeServer(verdicts(v(1, "supported", VOLUNTEERS, "it says so", sentence=4)))
    report = check(SOURCE, [TREES], llm=make_llm(server))
    assert report.claims[0].verdict == "supported"
    assert_located(report.claims[0].evidence[0], SOURCE, VOLUNTEERS)


def test_page_furniture_is_never_evidence_for_a_verdict() -> None:
    source = SOURCE + "\nMost Commented\nShare this article\n"
    server = FakeServer(verdicts(v(1, "supported", "Most Commented", "it is there")))
    report = check(source, [GARDEN], llm=make_llm(server))
    result = report.claims[0]
    assert result.verdict == "not_in_source" and "downgraded" in result.reason
    assert all(e.start is None or e.start < source.index("Most Commented") for e in result.evidence)

