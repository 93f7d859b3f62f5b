"""Long documents: map-reduce summarisation, against fake models built in the test.

No cassette is used or written here: every answer is built in the test from the request it answers. A
summary call is answered with a valid ``SummaryDraft`` whose claims quote the numbered sentences of the
chunk it was shown; a merge call (schema ``merge``) with a ``MergeDraft`` built from the parts it got.
Where the request on the wire matters, the answers go over HTTP (``FakeModel`` below, behind
tests/_support/faults.py); where only the pipeline's handling of them does, the in-process fake of
tests/_support/fake_model.py answers the same way with no HTTP at all (``run_in_process``).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from typing import Any

import httpx2
import pytest

from summarizer import config, pricing
from summarizer.errors import ContextLengthError
from summarizer.llm.client import LLM, AsyncLLM, _Call
from summarizer.llm.drafts import SummaryDraft
from summarizer.pipeline.assemble import numbered
from summarizer.pipeline.summary import asummarize, build_messages, summarize
from summarizer.settings import Settings
from summarizer.text import tokens
from summarizer.text.documents import document_from_text
from summarizer.types import Summary, Usage
from tests._support import fake_model
from tests._support.faults import FakeServer, api_error, completion_body

_SENTENCE = re.compile(r"^\[(\d+)\] (.+)$", re.MULTILINE)
#: A sentence repeated at the start of every paragraph-block, quoted by every part (same evidence span).
REFRAIN = "The harbour commission publishes its findings every spring."
SHARED_CLAIM = REFRAIN


# --- the fake model ------------------------------------------------------------------------------------


def _document_block(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    return content[content.find("<document>") : content.rfind("</document>")]


def schema_name(body: dict[str, Any]) -> str:
    return str(body["response_format"]["json_schema"]["name"])


def sentence_ids(body: dict[str, Any]) -> list[int]:
    return [int(n) for n, _ in _SENTENCE.findall(_document_block(body))]


def summary_answer(body: dict[str, Any]) -> dict[str, Any]:
    """Claims on the chunk's first, middle and last sentences (their first words, after a prefix), one
    claim every part repeats word for word (the refrain), and one whose words differ in every part but
    stand at the same place: the refrain elided at a different word (found at its first occurrence)."""
    sentences = _SENTENCE.findall(_document_block(body))
    picks = [sentences[0], sentences[len(sentences) // 2], sentences[-1]]
    claims = [  # (short, as a model's claims are: the parts' first claims are what the merge reads)
        {"n": int(n), "claim": f"Sentence {n} says: {' '.join(text.split()[:8])}"}
        for n, text in dict.fromkeys(picks)
    ]
    first = int(sentences[0][0])
    words = REFRAIN.rstrip(".").split()
    cut = 2 + first % (len(words) - 3)
    elided = " ".join([*words[:cut], "...", *words[cut + 1 :]])
    claims[1:1] = [{"n": first, "claim": SHARED_CLAIM}, {"n": first, "claim": elided}]  # kept by the cap
    return {
        "title": f"Part from sentence {first}",
        "tldr": f"Sentences {first} to {sentences[-1][0]}.",
        "entities": [
            {"name": "Harbour Commission", "type": "organization"},
            {"name": f"Ward {first}", "type": "location"},
        ],
        "events": [{"date": "every spring", "what": "The commission publishes its findings."}],
        "claims": claims,
    }


def merge_answer(body: dict[str, Any]) -> dict[str, Any]:
    parts = re.findall(r"^## Part (\d+)", _document_block(body), re.MULTILINE)
    return {
        "title": f"Merged from {len(parts)} parts",
        "tldr": "A long harbour report.",
        "key_points": ["Merged."],
    }


class FakeModel:
    """Answers every structured call from its request; ``reject`` decides which get HTTP 400 instead."""

    def __init__(self, reject: Any = None) -> None:
        self.reject = reject or (lambda k, body: False)
        self.usage: list[tuple[int, int]] = []  # what each answered call reported

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        k = len(self.server.requests) - 1  # the FakeServer recorded this request already
        if self.reject(k, body):
            return api_error(
                400,
                "This model's maximum context length is 8192 tokens.",
                err_code="context_length_exceeded",
                err_type="invalid_request_error",
            )(request)
        answer = merge_answer(body) if schema_name(body) == "merge" else summary_answer(body)
        prompt_tokens, completion_tokens = 1000 + k, 50 + k
        self.usage.append((prompt_tokens, completion_tokens))
        return httpx2.Response(
            200,
            json=completion_body(
                json.dumps(answer), prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            ),
        )

    def serve(self) -> FakeServer:
        self.server = FakeServer(self)
        return self.server


def settings(model: str = "gpt-4o-mini") -> Settings:
    return Settings(model=model, base_url="http://test.invalid/v1", api_key="sk-test", max_retries=0)


def run(
    text: str, model: FakeModel | None = None, llm_model: str = "gpt-4o-mini"
) -> tuple[Summary, FakeServer]:
    model = model or FakeModel()
    server = model.serve()
    result = summarize(text, llm=LLM(settings(llm_model), http_client=server.client()))
    return result, server


def in_process(reject: Any = None, model: str = "gpt-4o-mini") -> fake_model.FakeModel:
    """The answers of ``FakeModel`` from the in-process fake: the pipeline calls it directly, no HTTP.
    ``reject(call)`` decides which calls the "server" turns down as too long for its context window."""

    def answer(call: fake_model.FakeCall) -> Any:
        if reject is not None and reject(call):
            return ContextLengthError("the fake's context window is full")
        body = {"messages": call.messages}
        return merge_answer(body) if call.schema_name == "merge" else summary_answer(body)

    return fake_model.FakeModel(answer, model=model)


def run_in_process(text: str, model: fake_model.FakeModel | None = None) -> tuple[Summary, fake_model.FakeModel]:
    model = model or in_process()
    return summarize(text, llm=model), model  # type: ignore[arg-type]  # a stand-in for LLM


# --- documents -----------------------------------------------------------------------------------------

_NOUNS = [
    "bridge",
    "council",
    "budget",
    "river",
    "school",
    "levy",
    "road",
    "park",
    "mayor",
    "plan",
    "report",
    "reservoir",
    "ferry",
    "pier",
    "tunnel",
]
_VERBS = [
    "approved",
    "delayed",
    "reviewed",
    "funded",
    "rejected",
    "expanded",
    "inspected",
    "audited",
    "proposed",
    "debated",
]
_PLACES = [
    "Northgate",
    "Eastwick",
    "Harbourside",
    "Millbrook",
    "Riverton",
    "Ashford",
    "Kingsmere",
    "Westfield",
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
]


def long_text(paragraphs: int, seed: int = 7) -> str:
    """Varied, unique sentences in paragraphs of five; the refrain opens every tenth paragraph."""
    rng = random.Random(seed)
    out = []
    for p in range(paragraphs):
        sentences = [REFRAIN] if p % 10 == 0 else []
        for i in range(5 - len(sentences)):
            sentences.append(
                f"In {rng.choice(_MONTHS)} the {rng.choice(_PLACES)} {rng.choice(_NOUNS)} committee "
                f"{rng.choice(_VERBS)} item {p}-{i}, costing {rng.randint(2, 990)} thousand dollars "
                f"for the {rng.choice(_NOUNS)} and the {rng.choice(_NOUNS)}."
            )
        out.append(" ".join(sentences))
    return "\n\n".join(out)


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> int:
    """A 4,000-token window for every model: chunk budget (4000 - prompt - 2048 reserve) * margin."""
    monkeypatch.setattr(pricing, "context_window", lambda model: 4000)
    return 4000


# --- checks ----------------------------------------------------------------------------------------------


def assert_evidence_in_full_text(result: Summary, text: str) -> None:
    source = numbered(document_from_text(text))
    sentences = {text[s:e] for s, e in source.spans}
    for claim in result.claims:
        assert claim.grounded, claim.text
        for ev in claim.evidence:
            assert ev.start is not None and ev.end is not None
            span = text[ev.start : ev.end]
            assert span == ev.quote or span in sentences, (claim.text, span, ev.quote)


def assert_partition(map_bodies: list[dict[str, Any]], n_sentences: int) -> None:
    """The chunks' sentence numbers are global, consecutive, and cover the document once."""
    seen = [n for body in map_bodies for n in sentence_ids(body)]
    assert seen == list(range(1, n_sentences + 1))


# --- tests ------------------------------------------------------------------------------------------------


def test_a_document_that_fits_is_one_call_with_the_same_request() -> None:
    text = long_text(4)
    result, server = run(text)

    assert server.count == 1 and result.usage.calls == 1
    body = server.bodies[0]
    document = document_from_text(text)
    assert body["messages"] == build_messages(document)
    expected = _Call(
        settings(), build_messages(document), SummaryDraft, "summary", Usage(), config.SUMMARY_MAX_TOKENS
    ).request()
    expected.update(expected.pop("extra_body", {}))  # extra_body is merged into the JSON on the wire
    assert body == json.loads(json.dumps(expected))  # the request cassettes match on
    assert not any(w.startswith("long document") for w in result.warnings)
    assert result.title == "Part from sentence 1"


def test_a_document_far_below_the_window_is_not_tokenized(monkeypatch: pytest.MonkeyPatch) -> None:
    # its UTF-8 bytes bound its tokens: no count needed (nor the tokenizer's 0.5 s load)
    def refuse(*args: object, **kwargs: object) -> int:
        raise AssertionError("tokenized a prompt that surely fits")

    monkeypatch.setattr(tokens, "count_message_tokens", refuse)
    result, server = run(long_text(4))
    assert server.count == 1 and result.title == "Part from sentence 1"


def test_a_long_document_is_mapped_then_merged(small_window: int) -> None:
    text = long_text(60)
    model = FakeModel()
    result, server = run(text, model)

    bodies = server.bodies
    map_bodies = [b for b in bodies if schema_name(b) == "summary"]
    merge_bodies = [b for b in bodies if schema_name(b) == "merge"]
    chunks = len(map_bodies)
    assert chunks >= 4 and len(merge_bodies) == 1 and bodies[-1] is merge_bodies[0]
    assert server.count == result.usage.calls == chunks + 1
    assert f"long document: summarised in {chunks} parts and merged" in result.warnings
    assert result.title == f"Merged from {chunks} parts"
    assert result.provenance.prompt == "summarize"

    # every chunk fits the window, by the count check_fits uses
    for body in map_bodies:
        assert (
            tokens.count_message_tokens(body["messages"], "gpt-4o-mini") + config.OUTPUT_RESERVE
            <= small_window
        )
    n_sentences = len(numbered(document_from_text(text)).spans)
    assert_partition(map_bodies, n_sentences)
    # the merge call gets every part's title as data
    merge_doc = _document_block(merge_bodies[0])
    for body in map_bodies:
        assert f"Title: Part from sentence {sentence_ids(body)[0]}" in merge_doc

    # evidence offsets are into the full document, the last chunk's claims included
    assert_evidence_in_full_text(result, text)
    last_first = sentence_ids(map_bodies[-1])[0]
    last_claims = [c for c in result.claims if c.text.startswith(f"Sentence {last_first} says:")]
    assert last_claims, "no claim from the last chunk"
    ev = last_claims[0].evidence[0]
    assert ev.start is not None and ev.start > len(text) // 2
    assert text[ev.start : ev.end] == ev.quote

    # de-duplicated: same text once, same evidence span once
    texts = [c.text for c in result.claims]
    assert texts.count(SHARED_CLAIM) == 1
    refrain_claims = [c for c in result.claims if "..." in c.text]
    assert len(refrain_claims) == 1 and text[refrain_claims[0].evidence[0].start or 0 :].startswith(REFRAIN)
    # (within one part two claims may share a quote, as in a single call; across parts they may not)
    assert len(result.claims) <= config.LONG_MAX_CLAIMS
    assert len({c.text for c in result.claims}) == len(result.claims)
    # entities by case-folded name, events by text
    names = [e.name.casefold() for e in result.entities]
    assert len(names) == len(set(names)) and names.count("harbour commission") == 1
    assert len(result.events) == 1

    # usage sums every call
    assert result.usage.prompt_tokens == sum(p for p, _ in model.usage)
    assert result.usage.completion_tokens == sum(c for _, c in model.usage)
    assert result.usage.cost_usd is not None and result.usage.cost_usd > 0


def test_claims_are_capped_round_robin_over_the_parts(small_window: int) -> None:
    result, model = run_in_process(long_text(120))
    chunks = model.count(schema_name="summary")
    assert model.count() == chunks + model.count(schema_name="merge")  # a merge or more: parts' first claims
    assert chunks * 3 > config.LONG_MAX_CLAIMS  # more claims than the cap, so it applies
    assert len(result.claims) == config.LONG_MAX_CLAIMS
    assert any(w.startswith(f"long document: kept {config.LONG_MAX_CLAIMS} of") for w in result.warnings)
    # every part's first claim survives the cap
    for call in (c for c in model.calls if c.schema_name == "summary"):
        first = sentence_ids({"messages": call.messages})[0]
        assert any(c.text.startswith(f"Sentence {first} says:") for c in result.claims)


def test_calls_grow_linearly_with_length(small_window: int) -> None:
    calls = {}
    for paragraphs in (40, 80, 160):
        result, model = run_in_process(long_text(paragraphs))
        calls[paragraphs] = result.usage.calls
        assert model.count() == result.usage.calls
    assert 1.6 <= calls[80] / calls[40] <= 2.4
    assert 1.6 <= calls[160] / calls[80] <= 2.4


def test_the_server_says_context_length_exceeded_so_the_document_is_chunked() -> None:
    """tiktoken says the document fits; the server (its own tokenizer) disagrees: summarise in parts."""
    text = long_text(12)
    model = FakeModel(reject=lambda k, body: k == 0)
    result, server = run(text, model)

    bodies = server.bodies
    assert bodies[0]["messages"] == build_messages(document_from_text(text))  # the single call, rejected
    map_bodies = [b for b in bodies[1:] if schema_name(b) == "summary"]
    assert len(map_bodies) >= 2 and schema_name(bodies[-1]) == "merge"
    assert server.count == len(map_bodies) + 2  # the rejected single call + chunks + merge
    assert result.usage.calls == len(map_bodies) + 1  # a rejected request has no usage
    assert_partition(map_bodies, len(numbered(document_from_text(text)).spans))
    assert_evidence_in_full_text(result, text)
    assert f"long document: summarised in {len(map_bodies)} parts and merged" in result.warnings


def test_a_chunk_the_server_rejects_is_halved_and_redone(small_window: int) -> None:
    text = long_text(40)
    first_chunk: list[int] = []

    def reject(k: int, body: dict[str, Any]) -> bool:  # the server holds about half what tiktoken thinks
        if schema_name(body) != "summary":
            return False
        if not first_chunk:
            first_chunk.extend(sentence_ids(body))
        return len(sentence_ids(body)) > len(first_chunk) * 0.6

    result, server = run(text, FakeModel(reject))
    bodies = server.bodies
    # redone at half the budget (in tokens: a chunk may end early, at a paragraph break)
    assert len(first_chunk) // 4 <= len(sentence_ids(bodies[1])) <= len(first_chunk) * 0.6
    answered = [b for b in bodies if schema_name(b) == "summary" and not reject(0, b)]
    assert_partition(answered, len(numbered(document_from_text(text)).spans))
    assert result.usage.calls == len(answered) + 1
    assert_evidence_in_full_text(result, text)


def test_a_chunk_the_server_keeps_rejecting_fails_after_bounded_halvings(small_window: int) -> None:
    model = in_process(reject=lambda call: True)
    with pytest.raises(ContextLengthError):
        run_in_process(long_text(40), model)
    assert 1 <= model.count() <= 1 + config.MAX_CHUNK_HALVINGS


def test_a_sentence_longer_than_a_chunk_is_cut(small_window: int) -> None:
    words = " ".join(f"clause{i} of the endless sentence" for i in range(900))  # one ~4,500-token sentence
    text = f"{long_text(3)}\n\n{words}.\n\n{long_text(3, seed=3)}"
    result, server = run(text)
    assert server.count >= 3
    for body in server.bodies[:-1]:
        assert tokens.count_message_tokens(body["messages"], "gpt-4o-mini") + config.OUTPUT_RESERVE <= 4000
    assert_evidence_in_full_text(result, text)


def test_a_50k_token_document_in_a_few_seconds() -> None:
    """The local model's 8,192-token window: about a dozen parts, offsets into all 230,000 characters."""
    text = long_text(390, seed=50)  # 50,300 tokens, 230,000 characters
    assert 48_000 <= tokens.count_tokens(text, config.LOCAL_MODEL) <= 60_000
    t0 = time.process_time()
    result, model = run_in_process(text, in_process(model=config.LOCAL_MODEL))
    cpu = time.process_time() - t0

    chunks = model.count() - 1
    assert 8 <= chunks <= 20 and result.usage.calls == chunks + 1
    assert [c.schema_name for c in model.calls] == ["summary"] * chunks + ["merge"]
    assert_partition([{"messages": c.messages} for c in model.calls[:-1]], len(numbered(document_from_text(text)).spans))
    assert_evidence_in_full_text(result, text)
    assert max(ev.end or 0 for c in result.claims for ev in c.evidence) > len(text) * 0.9
    assert result.usage.cost_usd == 0.0
    assert cpu < 20, f"{cpu:.1f}s of CPU"


def test_asummarize_takes_the_same_path(small_window: int) -> None:
    text = long_text(40)
    sync_result, sync_server = run(text)

    model = FakeModel()
    server = model.serve()
    llm = AsyncLLM(settings(), http_client=server.async_client())
    result = asyncio.run(asummarize(text, llm=llm))

    assert server.bodies == sync_server.bodies
    timeless = {"seconds"}  # wall time differs between any two runs
    assert result.usage.model_dump(exclude=timeless) == sync_result.usage.model_dump(exclude=timeless)
    dump = {"exclude": {"provenance": {"created_at"}, "usage": timeless}}
    assert result.model_dump(**dump) == sync_result.model_dump(**dump)


def test_parts_too_many_for_one_merge_are_merged_in_groups_first(small_window: int) -> None:
    result, model = run_in_process(long_text(400))
    map_bodies = [c for c in model.calls if c.schema_name == "summary"]
    merge_bodies = [c for c in model.calls if c.schema_name == "merge"]
    assert len(merge_bodies) >= 3 and model.calls[-1] is merge_bodies[-1]
    for call in merge_bodies:
        assert tokens.count_message_tokens(call.messages, "gpt-4o-mini") + config.OUTPUT_RESERVE <= small_window
    assert len(merge_bodies) < len(map_bodies) / 4  # still linear: a few merges per many parts
    assert result.usage.calls == len(map_bodies) + len(merge_bodies)
    assert result.title.startswith("Merged from")
    assert_evidence_in_full_text(result, text=long_text(400))


def test_estimate_calls_matches_what_summarize_does(small_window: int) -> None:
    from summarizer.pipeline.summary import estimate_calls

    assert estimate_calls(document_from_text(long_text(2)), "gpt-4o-mini")[0] == 1
    text = long_text(60)
    calls, prompt_tokens = estimate_calls(document_from_text(text), "gpt-4o-mini")
    result, server = run(text)
    assert calls == server.count == result.usage.calls
    sent = sum(tokens.count_message_tokens(b["messages"], "gpt-4o-mini") for b in server.bodies)
    assert 0.8 * sent <= prompt_tokens <= 1.25 * sent
