"""The Batch API's line formats (summarizer.batch.api.wire), checked against the documented format and
against the bytes the online path sends."""

from __future__ import annotations

import json

import openai
import pytest
from openai.types.chat import ChatCompletion

from summarizer import config
from summarizer.batch.api.replay import ReplayLLM, drive
from summarizer.batch.api.wire import (
    Answer,
    BodyEncoder,
    output_line,
    parse_output_line,
    request_id,
    request_line,
)
from summarizer.batch.tasks import summarize_task
from summarizer.text.documents import document_from_text, load_document
from tests._support.batch_jobs import MODEL, api_settings, online_bodies
from tests._support.batches import article
from tests._support.paths import EXAMPLE


def first_request(text: str) -> tuple[str, dict[str, object]]:
    settings = api_settings("http://test.invalid/v1")
    llm = ReplayLLM(settings, lambda custom_id: None)
    document = document_from_text(text)
    outcome = drive(llm, lambda: summarize_task(settings, llm).work(document))
    assert outcome.waiting
    ((custom_id, kwargs),) = outcome.trace.needed
    return custom_id, kwargs


def test_a_request_line_is_in_the_documented_batch_input_format() -> None:
    """{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {model, messages, ...}}"""
    custom_id, kwargs = first_request(article(1))
    line = request_line(custom_id, BodyEncoder().body(kwargs))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    record = json.loads(line)
    assert list(record) == ["custom_id", "method", "url", "body"]
    assert record["custom_id"] == custom_id and record["method"] == "POST"
    assert record["url"] == "/v1/chat/completions" == config.BATCH_ENDPOINT
    body = record["body"]
    assert body["model"] == MODEL
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]  # a worked example
    assert "DOC-1 reports on the harbour council" in body["messages"][-1]["content"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "summary"
    assert body["max_tokens"] == config.SUMMARY_MAX_TOKENS and body["temperature"] == config.TEMPERATURE


def test_the_body_in_the_line_is_byte_for_byte_what_the_online_path_sends() -> None:
    document = load_document(EXAMPLE)
    settings = api_settings("http://test.invalid/v1")
    (online,) = online_bodies(document, settings)
    llm = ReplayLLM(settings, lambda custom_id: None)
    outcome = drive(llm, lambda: summarize_task(settings, llm).work(document))
    ((custom_id, kwargs),) = outcome.trace.needed
    line = request_line(custom_id, BodyEncoder().body(kwargs))
    head = b'{"custom_id":"' + custom_id.encode() + b'","method":"POST","url":"/v1/chat/completions","body":'
    assert line.startswith(head)
    assert line[len(head) : -2] == online  # the bytes themselves, not only the same JSON


def test_the_custom_id_names_the_request() -> None:
    one, kwargs = first_request(article(1))
    again, _ = first_request(article(1))
    other, _ = first_request(article(2))
    assert one == again == request_id(kwargs)  # the same question, the same id, whoever asks it
    assert one != other
    assert len(one) == 32 and int(one, 16) >= 0


def test_output_lines_of_the_api_and_of_vllm_are_read() -> None:
    ok_body = {"id": "c", "object": "chat.completion", "created": 0, "model": MODEL,
               "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "{}"}}]}  # fmt: skip
    api_ok = json.dumps({"id": "batch_req_1", "custom_id": "a", "response": {"status_code": 200, "request_id": "r", "body": ok_body}, "error": None})  # fmt: skip
    refused = json.dumps({"id": "batch_req_2", "custom_id": "b", "response": {"status_code": 400, "request_id": "r", "body": {"error": {"message": "bad", "type": "invalid_request_error"}}}, "error": None})  # fmt: skip
    expired = json.dumps({"id": "batch_req_3", "custom_id": "c", "response": None, "error": {"code": "batch_expired", "message": "not run"}})  # fmt: skip
    busy = json.dumps({"id": "batch_req_4", "custom_id": "d", "response": {"status_code": 500, "request_id": "r", "body": {"error": {"message": "x"}}}, "error": None})  # fmt: skip

    a, b, c, d = (parse_output_line(x) for x in (api_ok, refused, expired, busy))
    assert a is not None and a.ok and not a.not_run
    completion = a.completion()
    assert isinstance(completion, ChatCompletion) and completion.choices[0].message.content == "{}"
    assert b is not None and not b.ok and not b.not_run  # a refusal is final: never sent again
    assert "HTTP 400: bad" in b.describe()
    error = b.status_error(BodyEncoder().client())
    assert isinstance(error, openai.BadRequestError) and error.status_code == 400
    assert c is not None and c.not_run and c.error_code == "batch_expired"  # not run, not paid: run it again
    assert d is not None and d.not_run
    assert parse_output_line(b"not json") is None
    assert parse_output_line(b'{"no": "custom_id"}') is None


def test_output_line_round_trips() -> None:
    line = output_line("abc", status_code=200, body={"x": 1}, request_id="req_1")
    answer = parse_output_line(line)
    assert answer == Answer("abc", 200, {"x": 1})
    record = json.loads(line)
    assert record["id"].startswith("batch_req_") and record["error"] is None
    assert record["response"] == {"status_code": 200, "request_id": "req_1", "body": {"x": 1}}
    failed = parse_output_line(output_line("abc", status_code=None, error=("request_timeout", "slow")))
    assert failed is not None and failed.not_run and failed.error_code == "request_timeout"


@pytest.mark.parametrize("bad", [b"", b"[]", b'{"custom_id": 3}'])
def test_lines_that_are_not_output_lines(bad: bytes) -> None:
    assert parse_output_line(bad) is None


@pytest.mark.parametrize("model", ["gpt-4o-mini", "o3-mini"])
@pytest.mark.parametrize("mode", ["json_schema", "json_object", "text"])
def test_bodies_encoded_here_are_the_sdks_for_every_shape_of_request(model: str, mode: str) -> None:
    from summarizer.llm.client import _Call
    from summarizer.llm.drafts import SummaryDraft
    from summarizer.types import Usage

    settings = api_settings("http://test.invalid/v1", model=model)
    messages = [{"role": "system", "content": "Sé breve. \u2028 \"quoted\" \\ tab\t"}, {"role": "user", "content": "<document>x</document>"}]
    call = _Call(settings, messages, SummaryDraft, "summary", Usage(), 100, mode=mode)
    encoder = BodyEncoder()
    first = encoder.body(call.request())  # learns the shape from the SDK
    call.last_failure = ("{bad", "not valid JSON")  # a re-ask: same shape, other messages
    for kwargs in (call.request(), _Call(settings, messages[::-1], SummaryDraft, "summary", Usage(), 7, mode=mode).request()):
        assert encoder.body(kwargs) == encoder.sdk_body(kwargs)
    assert first == encoder.sdk_body(_Call(settings, messages, SummaryDraft, "summary", Usage(), 100, mode=mode).request())


def test_a_shape_the_local_encoding_gets_wrong_keeps_coming_from_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.batch.api import wire

    _, kwargs = first_request(article(1))
    encoder = BodyEncoder()
    monkeypatch.setattr(wire, "_encode", lambda merged, order: b"{}")
    sdk = encoder.sdk_body(kwargs)
    assert encoder.body(kwargs) == sdk and encoder.body(kwargs) == sdk
