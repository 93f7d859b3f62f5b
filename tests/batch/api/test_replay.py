"""The online pipelines driven by batch answers (summarizer.batch.api.replay): what a document asks for, in
which order, and that its result is the online path's."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from summarizer import config, errors, pricing
from summarizer.batch.api.replay import ReplayLLM, _Blocked, _Pending, drive
from summarizer.batch.api.wire import Answer, BodyEncoder
from summarizer.batch.inputs import BatchInput
from summarizer.batch.tasks import _call, check_task, summarize_task
from summarizer.calibration.profile import profile_for_model
from summarizer.text.documents import Document, document_from_text, load_document
from tests._support.batch_jobs import api_settings, fixture_answer, long_text, online_run, stable
from tests._support.fake_openai_server import FakeOpenAIServer
from tests._support.faults import completion_body
from tests._support.paths import EXAMPLE

SETTINGS = api_settings("http://test.invalid/v1")


class Rounds:
    """Drive one document round after round; each round's needed requests answered by ``answer``."""

    def __init__(self, document: Document, *, verify: bool = False, task: Any = None) -> None:
        self.answers: dict[str, Answer] = {}
        self.llm = ReplayLLM(SETTINGS, self.answers.get)
        self.task = task(self.llm) if task else summarize_task(SETTINGS, self.llm, verify=verify)
        self.document = document
        self.encoder = BodyEncoder()
        self.rounds: list[list[dict[str, Any]]] = []  # the bodies needed by each round

    def drive(self) -> Any:
        item = BatchInput(id="doc", path=None, text=self.document.text)
        return drive(self.llm, lambda: _call(self.task.work, self.document, item))

    def next(self, answer: Any = None) -> Any:
        outcome = self.drive()
        if outcome.waiting:
            bodies = []
            for custom_id, kwargs in outcome.trace.needed:
                body = json.loads(self.encoder.body(kwargs))
                bodies.append(body)
                self.answers[custom_id] = (answer or fixture_answer)(custom_id, body)
            self.rounds.append(bodies)
        return outcome

    def finish(self, limit: int = 10) -> Any:
        for _ in range(limit):
            outcome = self.next()
            if not outcome.waiting:
                return outcome
        raise AssertionError("never finished")


def schema(body: dict[str, Any]) -> str:
    if body.get("logprobs"):
        return "score"  # a short Yes/No answer read from its log-probabilities
    fmt = body.get("response_format") or {}
    return str((fmt.get("json_schema") or {}).get("name") or fmt.get("type"))


def test_a_pending_answer_blocks_when_read_never_when_held() -> None:
    pending: Any = _Pending("abc")
    held = [pending, (pending, "json_schema")]
    assert held[0] is pending
    for use in (lambda: pending.title, lambda: list(pending), lambda: bool(pending), lambda: str(pending),
                lambda: pending == 1, lambda: isinstance(pending, dict), lambda: {pending}, lambda: f"{pending}"):  # fmt: skip
        with pytest.raises(_Blocked):
            use()
    assert not isinstance(_Blocked("x"), Exception)  # no `except Exception` in a pipeline swallows it


def test_a_document_waits_for_its_request_then_gets_the_online_result() -> None:
    document = load_document(EXAMPLE)
    rounds = Rounds(document)
    first = rounds.next()
    assert first.waiting and len(first.trace.needed) == 1 and first.trace.used == []
    done = rounds.next()
    assert done.result is not None and done.error is None and done.trace.used == [first.trace.needed[0][0]]

    online, _ = online_run(document, SETTINGS)
    assert stable(done.result.model_dump(mode="json")) == stable(online.model_dump(mode="json"))
    # the tokens a batch answered are priced at batch prices: half the online price
    usage = done.result.usage
    assert usage.calls == 1 and usage.prompt_tokens == online.usage.prompt_tokens
    assert usage.cost_usd == pytest.approx(online.usage.cost_usd * config.BATCH_PRICE_FACTOR, abs=1e-8)
    assert usage.cost_usd == pricing.estimate_cost("gpt-4o-mini", usage.prompt_tokens, usage.completion_tokens, batch=True)


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(pricing, "context_window", lambda model: 4000)
    return 4000


def test_a_long_document_asks_every_part_first_and_the_merge_in_the_next_round(small_window: int) -> None:
    text = long_text(60)
    document = document_from_text(text)
    rounds = Rounds(document)
    done = rounds.finish()
    assert done.result is not None, done.error
    map_round, merge_round = rounds.rounds  # two rounds: the parts together, then the merge
    assert len(map_round) > 2 and all(schema(b) == "summary" for b in map_round)
    (merge,) = merge_round
    assert schema(merge) == "merge"
    # the merge is built from the parts' answers (dependency order)
    for body in map_round:
        title = json.loads(fixture_answer("x", body).body["choices"][0]["message"]["content"])["title"]
        assert title in merge["messages"][-1]["content"]

    online, sent = online_run(document, SETTINGS)
    assert [json.loads(b) for b in sent] == map_round + merge_round  # the very requests of the online path
    assert stable(done.result.model_dump(mode="json")) == stable(online.model_dump(mode="json"))
    assert done.result.usage.calls == len(map_round) + 1


def invalid_then_valid(bad_times: int) -> Any:
    seen: dict[str, int] = {"n": 0}

    def answer(custom_id: str, body: dict[str, Any]) -> Answer:
        seen["n"] += 1
        if seen["n"] <= bad_times:  # each bad answer its own (an identical re-ask is an identical request)
            return Answer(custom_id, 200, completion_body(json.dumps({"title": seen["n"]})))
        return fixture_answer(custom_id, body)

    return answer


def test_an_answer_that_fails_validation_is_asked_again_in_the_next_round() -> None:
    rounds = Rounds(document_from_text(EXAMPLE.read_text(encoding="utf-8")))
    answer = invalid_then_valid(1)
    rounds.next(answer)
    reask = rounds.next(answer)  # the first answer fails validation: a re-ask is needed
    assert reask.waiting
    ((_, kwargs),) = reask.trace.needed
    messages = kwargs["extra_body"]["messages"]  # type: ignore[index]
    assert messages[-2] == {"role": "assistant", "content": '{"title": 1}'}
    assert "not valid" in messages[-1]["content"]
    done = rounds.next(answer)
    assert done.result is not None and done.result.usage.calls == 2  # both answers count, as online


def test_answers_that_keep_failing_validation_fail_the_document() -> None:
    rounds = Rounds(document_from_text(EXAMPLE.read_text(encoding="utf-8")))
    answer = invalid_then_valid(99)
    outcome = None
    for _ in range(config.MAX_REASKS + 2):
        outcome = rounds.next(answer)
    assert outcome is not None and isinstance(outcome.error, errors.InvalidOutputError)
    assert len(rounds.rounds) == config.MAX_REASKS + 1


def test_a_context_overflow_answer_plans_the_document_in_parts() -> None:
    rounds = Rounds(document_from_text(long_text(30)))
    overflow = Answer("x", 400, {"error": {"message": "This model's maximum context length is 8192 tokens.",
                                           "code": "context_length_exceeded", "type": "invalid_request_error"}})  # fmt: skip
    first = rounds.next(lambda custom_id, body: overflow)
    assert first.waiting
    parts = rounds.next()  # the server said it does not fit: the plan asks for its parts instead
    assert parts.waiting and len(rounds.rounds[1]) >= 2
    assert all(schema(b) == "summary" for b in rounds.rounds[1])
    assert rounds.finish().result is not None


def test_a_server_that_rejects_json_schema_gets_json_object() -> None:
    rounds = Rounds(document_from_text(EXAMPLE.read_text(encoding="utf-8")))
    rejected = Answer("x", 400, {"error": {"message": "response_format json_schema is not supported", "type": "invalid_request_error"}})  # fmt: skip
    rounds.next(lambda custom_id, body: rejected)
    rounds.next()
    assert rounds.rounds[1][0]["response_format"] == {"type": "json_object"}
    assert rounds.finish().result.provenance.response_format == "json_object"


def test_a_refusal_fails_the_document() -> None:
    rounds = Rounds(document_from_text(EXAMPLE.read_text(encoding="utf-8")))
    rounds.next(lambda custom_id, body: Answer(custom_id, 200, completion_body(None, refusal="no")))
    outcome = rounds.next()
    assert isinstance(outcome.error, errors.RefusalError)


def test_a_check_job_drives_the_online_check_pipeline() -> None:
    """Claims the zero-token checks leave open go to the model as the online check sends them: scoring
    calls of the profile's claims per call, all in one round."""
    text = EXAMPLE.read_text(encoding="utf-8")
    claims = ["The bridge vote was postponed because of the storm.", "The council met on Tuesday."]

    def task(llm: Any) -> Any:
        return check_task(SETTINGS, llm, claims=claims, mode="model")

    rounds = Rounds(document_from_text(text), task=task)
    done = rounds.finish()
    assert done.result is not None, done.error
    (check_round,) = rounds.rounds
    calls = math.ceil(len(claims) / profile_for_model(SETTINGS.model).claims_per_call)
    assert [schema(b) for b in check_round] == ["score"] * calls
    assert [c.claim for c in done.result.claims] == claims
    assert done.result.usage.calls == calls
    assert all(c.scored_by == "logprobs" for c in done.result.claims)


def paraphrasing(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The chat fixture, but a summary whose claims are paraphrases (the local checks cannot settle them)."""
    code, response = FakeOpenAIServer().answer(body)
    if schema(body) == "summary":
        draft = json.loads(response["choices"][0]["message"]["content"])
        for claim in draft["claims"]:
            claim["claim"] = "The harbour council looked at the bridge plans."
        draft["claims"] = draft["claims"][:1]
        response["choices"][0]["message"]["content"] = json.dumps(draft)
    return code, response


def test_verify_checks_the_summary_claims_in_a_second_round() -> None:
    document = load_document(EXAMPLE)
    rounds = Rounds(document, verify=True)

    def answer(custom_id: str, body: dict[str, Any]) -> Answer:
        return Answer(custom_id, *paraphrasing(body))

    for _ in range(5):
        done = rounds.next(answer)
        if not done.waiting:
            break
    assert done.result is not None, done.error
    assert [[schema(b) for b in r] for r in rounds.rounds] == [["summary"], ["score"]]
    online, _ = online_run(document, SETTINGS, verify=True, answer=paraphrasing)
    assert stable(done.result.model_dump(mode="json")) == stable(online.model_dump(mode="json"))
    assert done.result.verification is not None and done.result.verification.usage.calls == 1
    assert done.result.usage.calls == 2
    assert done.result.usage.cost_usd == pytest.approx(online.usage.cost_usd / 2, abs=1e-8)
