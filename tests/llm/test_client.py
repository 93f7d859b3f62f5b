"""Fault injection for summarizer.llm.client: every response comes from an in-test MockTransport
(tests/_support/faults.py).

No cassette is used or written here: each fixture response is built in the test. SDK retry backoff is
shrunk to about a millisecond so the transport-retry cases stay fast, and every retry delay the SDK
computes is recorded so the tests can see that Retry-After is honoured.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import openai._base_client
import pytest
from pydantic import BaseModel, ConfigDict, Field

from summarizer import config, errors
from summarizer.llm.client import LLM, AsyncLLM, parse_json
from summarizer.llm.drafts import strict_json_schema
from summarizer.settings import Settings, resolve_settings
from summarizer.types import Usage
from tests._support.faults import FakeServer, api_error, ok, raises, status
from tests._support.messages import check_message

API_KEY = "sk-test-000000000000"
MAX_RETRIES = 2
MESSAGES = [
    {"role": "system", "content": "You summarise documents as JSON."},
    {"role": "user", "content": "Summarise: the harbour bridge vote passed."},
]
VALID = json.dumps({"title": "Bridge vote", "points": ["The vote passed."]})
#: A JSON string cut off mid-value: not parseable.
TRUNCATED = '{"title": "Bridge vote", "points": ["The vo'
#: Parseable JSON that fails the schema (points missing).
SCHEMA_INVALID = json.dumps({"title": "Bridge vote"})


class Answer(BaseModel):
    """The tiny output model of these tests."""

    model_config = ConfigDict(extra="forbid")
    title: str
    points: list[str] = Field(min_length=1)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "base_url": "http://test.invalid/v1",
        "api_key": API_KEY,
        "max_retries": MAX_RETRIES,
    }
    values.update(overrides)
    return Settings(**values)


def make_llm(server: FakeServer, **overrides: Any) -> LLM:
    return LLM(settings(**overrides), http_client=server.client())


def ask(llm: LLM, usage: Usage | None = None) -> tuple[Answer, str]:
    return llm.structured(
        MESSAGES, Answer, schema_name="answer", usage=usage if usage is not None else Usage(), max_tokens=256
    )


@pytest.fixture(autouse=True)
def retry_delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Near-zero exponential backoff; returns the delays the SDK chose, one per retry."""
    monkeypatch.setattr(openai._base_client, "INITIAL_RETRY_DELAY", 0.001)
    delays: list[float] = []
    real = openai._base_client.BaseClient._calculate_retry_timeout

    def recording(self: Any, *args: Any, **kwargs: Any) -> float:
        delay = real(self, *args, **kwargs)
        delays.append(delay)
        return delay

    monkeypatch.setattr(openai._base_client.BaseClient, "_calculate_retry_timeout", recording)
    return delays


# --- 1. success in strict json_schema mode ---------------------------------------------------------


def test_success_strict_json_schema() -> None:
    server = FakeServer(ok(VALID, prompt_tokens=321, completion_tokens=45))
    llm = make_llm(server)
    usage = Usage()

    value, mode = ask(llm, usage)

    assert value == Answer(title="Bridge vote", points=["The vote passed."])
    assert mode == "json_schema" == llm.mode
    assert server.count == 1
    body = server.bodies[0]
    assert server.requests[0].url.path == "/v1/chat/completions"
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == MESSAGES
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "strict": True, "schema": strict_json_schema(Answer)},
    }
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["title", "points"]
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 321, 45)


def test_the_body_holds_exactly_the_request() -> None:
    # messages and schema travel in extra_body (past the SDK's per-call transform): same JSON as create()
    server = FakeServer(ok(VALID))
    ask(make_llm(server))
    assert server.bodies[0] == {
        "model": "gpt-4o-mini",
        "messages": MESSAGES,
        "temperature": config.TEMPERATURE,
        "max_tokens": 256,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "strict": True, "schema": strict_json_schema(Answer)},
        },
    }


def test_prepare_makes_no_call_and_the_first_call_still_works() -> None:
    server = FakeServer(ok(VALID))
    llm = make_llm(server)
    llm.prepare(Answer)
    assert server.count == 0
    assert ask(llm)[0].title == "Bridge vote"


def test_request_carries_the_key_only_in_the_authorization_header() -> None:
    server = FakeServer(ok(VALID))
    ask(make_llm(server))
    request = server.requests[0]
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in request.content.decode()


# --- 2./3. rate limits: the SDK retries, nothing else does ------------------------------------------


def test_429_with_retry_after_then_200_recovers(retry_delays: list[float]) -> None:
    server = FakeServer(
        status(
            429,
            {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
            {"retry-after-ms": "3"},
        ),
        ok(VALID, prompt_tokens=50, completion_tokens=7),
    )
    usage = Usage()

    value, _ = ask(make_llm(server), usage)

    assert value.title == "Bridge vote"
    assert server.count == 2  # one SDK retry, no retry layer of our own
    assert retry_delays == [0.003]  # the SDK honoured Retry-After (retry-after-ms wins over backoff)
    # Usage.calls counts responses with a completion body: the 429 has none, so it is not counted.
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 50, 7)


def test_429_forever_raises_rate_limit_error_after_sdk_retries_only() -> None:
    server = FakeServer(
        status(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}})
    )
    usage = Usage()

    with pytest.raises(errors.RateLimitError) as info:
        ask(make_llm(server), usage)

    assert type(info.value) is errors.RateLimitError
    assert info.value.exit_code == 13
    check_message(info.value, "429", "rate-limited")
    assert server.count == MAX_RETRIES + 1
    assert usage.calls == 0


def test_max_retries_zero_means_exactly_one_request() -> None:
    server = FakeServer(status(429, {"error": {"message": "Rate limit reached"}}))
    with pytest.raises(errors.RateLimitError):
        ask(make_llm(server, max_retries=0))
    assert server.count == 1


def test_429_insufficient_quota_is_an_api_error() -> None:
    server = FakeServer(api_error(429, "You exceeded your current quota", err_code="insufficient_quota"))
    with pytest.raises(errors.APIError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.APIError
    check_message(info.value, "insufficient_quota")


# --- 4. server errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 503])
def test_5xx_then_success_recovers(code: int) -> None:
    server = FakeServer(status(code, {"error": {"message": "server trouble"}}), ok(VALID))
    usage = Usage()
    value, _ = ask(make_llm(server), usage)
    assert value.points == ["The vote passed."]
    assert server.count == 2
    assert usage.calls == 1


def test_mixed_5xx_within_retry_budget_recovers() -> None:
    server = FakeServer(status(502), status(503), ok(VALID))
    value, _ = ask(make_llm(server))
    assert value.title == "Bridge vote"
    assert server.count == 3


def test_500_forever_raises_api_error() -> None:
    server = FakeServer(api_error(500, "The server had an error while processing your request.\nSorry!"))
    with pytest.raises(errors.APIError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.APIError
    check_message(info.value, "HTTP 500", "server had an error")
    assert server.count == MAX_RETRIES + 1


# --- 5. authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [401, 403])
def test_rejected_key_raises_authentication_error_without_the_key(code: int) -> None:
    # The server echoes the key, as some servers do: it must not reach our message.
    server = FakeServer(api_error(code, f"Incorrect API key provided: {API_KEY}", err_code="invalid_api_key"))
    with pytest.raises(errors.AuthenticationError) as info:
        ask(make_llm(server))
    exc = info.value
    assert type(exc) is errors.AuthenticationError
    assert exc.exit_code == 11
    check_message(exc, f"HTTP {code}", "credentials")
    assert API_KEY not in str(exc) and API_KEY not in exc.message
    assert server.count == 1  # never retried


# --- 6. transport failures -------------------------------------------------------------------------


def test_connection_error_raises_connection_failed() -> None:
    server = FakeServer(raises(httpx2.ConnectError, "[Errno 111] Connection refused"))
    with pytest.raises(errors.ConnectionFailedError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.ConnectionFailedError
    assert info.value.exit_code == 12
    check_message(info.value, "could not connect", "connection refused")
    assert server.count == MAX_RETRIES + 1


def test_read_timeout_raises_connection_failed() -> None:
    server = FakeServer(raises(httpx2.ReadTimeout, "timed out"))
    with pytest.raises(errors.ConnectionFailedError) as info:
        ask(make_llm(server, timeout=42))
    assert type(info.value) is errors.TimedOutError and info.value.exit_code == 12
    assert (info.value.limit, info.value.seconds) == ("timeout", 42)
    check_message(info.value, "request timeout of 42 s", f"{MAX_RETRIES + 1} attempts", "--timeout")
    assert server.count == MAX_RETRIES + 1


@pytest.mark.parametrize("exc_type", [httpx2.ReadError, httpx2.RemoteProtocolError])
def test_connection_reset_mid_answer_raises_connection_failed(exc_type: type[httpx2.RequestError]) -> None:
    server = FakeServer(raises(exc_type, "[Errno 104] Connection reset by peer"))
    with pytest.raises(errors.ConnectionFailedError) as info:
        ask(make_llm(server))
    check_message(info.value, "could not connect")
    assert server.count == MAX_RETRIES + 1


def test_connection_errors_name_the_url() -> None:
    server = FakeServer(raises(httpx2.ConnectError, "[Errno 111] Connection refused"))
    with pytest.raises(errors.ConnectionFailedError) as info:
        ask(make_llm(server, max_retries=0))
    assert "http://test.invalid/v1/chat/completions" in info.value.message
    assert info.value.status_code is None and info.value.request_id is None


@pytest.mark.parametrize(
    ("step", "error", "code"),
    [
        (api_error(500, "boom"), errors.APIError, 500),
        (api_error(401, "bad key", err_code="invalid_api_key"), errors.AuthenticationError, 401),
        (api_error(429, "slow down"), errors.RateLimitError, 429),
        (api_error(400, "maximum context length exceeded", err_code="context_length_exceeded"),
         errors.ContextLengthError, 400),
    ],
    ids=["5xx", "401", "429", "context"],
)
def test_model_errors_keep_the_status_and_request_id(step: Any, error: type[errors.ModelError], code: int) -> None:
    def with_request_id(request: httpx2.Request) -> httpx2.Response:
        response = step(request)
        response.headers["x-request-id"] = "req_abc123"
        return response

    server = FakeServer(with_request_id)
    with pytest.raises(error) as info:
        ask(make_llm(server, max_retries=0))
    assert info.value.status_code == code and info.value.request_id == "req_abc123"


@pytest.mark.parametrize("bug", [TypeError, AttributeError, KeyError])
def test_a_programming_error_inside_the_call_is_not_a_model_error(bug: type[Exception]) -> None:
    def broken(request: httpx2.Request) -> httpx2.Response:
        raise bug("our own bug")

    with pytest.raises(bug):
        ask(make_llm(FakeServer(broken)))


def test_a_programming_error_in_async_text_and_structured_is_not_a_model_error() -> None:
    def broken(request: httpx2.Request) -> httpx2.Response:
        raise TypeError("our own bug")

    server = FakeServer(broken)
    llm = AsyncLLM(settings(), http_client=server.async_client())
    with pytest.raises(TypeError):
        asyncio.run(llm.structured(MESSAGES, Answer, schema_name="answer", usage=Usage(), max_tokens=64))
    with pytest.raises(TypeError):
        make_llm(server).text(MESSAGES, usage=Usage(), max_tokens=8)


def test_connection_error_then_success_recovers() -> None:
    server = FakeServer(raises(httpx2.ConnectError, "Connection reset"), ok(VALID))
    value, _ = ask(make_llm(server))
    assert value.title == "Bridge vote"
    assert server.count == 2


# --- 7. context overflow ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "needle"),
    [
        pytest.param(
            {
                "message": "This model's maximum context length is 128000 tokens. However, your messages "
                "resulted in 130512 tokens. Please reduce the length of the messages.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            },
            "maximum context length",
            id="openai",
        ),
        pytest.param(
            {
                "code": 400,
                "message": "the request exceeds the available context size, try increasing it",
                "type": "exceed_context_size_error",
            },
            "exceeds the available context size",
            id="llama.cpp",
        ),
    ],
)
def test_context_overflow_raises_context_length_error(error: dict[str, Any], needle: str) -> None:
    server = FakeServer(status(400, {"error": error}))
    with pytest.raises(errors.ContextLengthError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.ContextLengthError
    assert info.value.exit_code == 14
    check_message(info.value, "context window", needle)
    assert server.count == 1


def test_other_400_is_an_api_error() -> None:
    server = FakeServer(api_error(400, "Invalid value for 'temperature'", err_code="invalid_value"))
    with pytest.raises(errors.APIError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.APIError
    check_message(info.value, "HTTP 400", "temperature")
    assert server.count == 1


# --- 8./9. bad finishes ----------------------------------------------------------------------------


def test_finish_length_raises_truncated_and_counts_usage() -> None:
    server = FakeServer(ok(TRUNCATED, finish_reason="length", prompt_tokens=900, completion_tokens=256))
    usage = Usage()
    with pytest.raises(errors.TruncatedOutputError) as info:
        ask(make_llm(server), usage)
    assert type(info.value) is errors.TruncatedOutputError
    check_message(info.value, "token limit", "256")
    assert server.count == 1  # not re-asked: a longer answer would be cut off again
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 900, 256)


def test_refusal_raises_refusal_error() -> None:
    server = FakeServer(ok(None, refusal="I'm sorry,\nI can't help with that."))
    usage = Usage()
    with pytest.raises(errors.RefusalError) as info:
        ask(make_llm(server), usage)
    assert type(info.value) is errors.RefusalError
    assert info.value.exit_code == 16
    check_message(info.value, "refused", "I can't help with that")
    assert server.count == 1
    assert usage.calls == 1


def test_content_filter_raises_refusal_error() -> None:
    server = FakeServer(ok(None, finish_reason="content_filter"))
    with pytest.raises(errors.RefusalError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.RefusalError
    check_message(info.value, "content filter")
    assert server.count == 1


def test_no_choices_is_an_api_error() -> None:
    server = FakeServer(
        lambda request: httpx2.Response(200, json={"id": "x", "object": "chat.completion", "choices": []})
    )
    usage = Usage()
    with pytest.raises(errors.APIError) as info:
        ask(make_llm(server), usage)
    assert type(info.value) is errors.APIError
    check_message(info.value, "no choices")
    assert usage.calls == 1


def test_non_json_200_is_a_typed_error() -> None:
    server = FakeServer(
        lambda request: httpx2.Response(
            200, text="<html>Sign in</html>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(errors.ModelError) as info:
        ask(make_llm(server))
    check_message(info.value)
    assert server.count == 1


# --- 10./11. validation and re-ask -----------------------------------------------------------------


def test_invalid_json_then_valid_reasks_once() -> None:
    server = FakeServer(
        ok(TRUNCATED, prompt_tokens=100, completion_tokens=10), ok(VALID, completion_tokens=12)
    )
    usage = Usage()

    value, _ = ask(make_llm(server), usage)

    assert value.title == "Bridge vote"
    assert server.count == 2
    first, second = server.bodies
    assert first["messages"] == MESSAGES
    reask = second["messages"]
    assert reask[: len(MESSAGES)] == MESSAGES
    assert len(reask) == len(MESSAGES) + 2
    assert reask[-2] == {"role": "assistant", "content": TRUNCATED}
    assert reask[-1]["role"] == "user"
    assert "not valid JSON" in reask[-1]["content"]
    text = json.dumps(reask)
    assert text.count(json.dumps(TRUNCATED)[1:-1]) == 1  # the bad answer, once
    assert text.count("not valid JSON") == 1  # the error, once
    assert second["response_format"] == first["response_format"]
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (2, 200, 22)


def test_reask_prompt_does_not_grow() -> None:
    bad_again = '{"title": "Bridge vote", "points": '
    server = FakeServer(
        ok(TRUNCATED, prompt_tokens=100, completion_tokens=10),
        ok(bad_again, prompt_tokens=110, completion_tokens=11),
        ok(VALID, prompt_tokens=120, completion_tokens=12),
    )
    usage = Usage()

    value, _ = ask(make_llm(server), usage)

    assert value.points == ["The vote passed."]
    assert server.count == 3
    third = server.bodies[2]["messages"]
    assert len(third) == len(MESSAGES) + 2  # one assistant + one user, not +4
    assert third[: len(MESSAGES)] == MESSAGES
    assert third[-2] == {"role": "assistant", "content": bad_again}
    assert all(TRUNCATED not in m["content"] for m in third)  # the first failure is gone
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (3, 330, 33)


def test_schema_invalid_every_time_raises_invalid_output() -> None:
    server = FakeServer(ok(SCHEMA_INVALID))
    usage = Usage()
    with pytest.raises(errors.InvalidOutputError) as info:
        ask(make_llm(server), usage)
    assert type(info.value) is errors.InvalidOutputError
    assert info.value.exit_code == 17
    check_message(info.value, f"after {1 + config.MAX_REASKS} attempts", "points")
    assert server.count == 1 + config.MAX_REASKS
    assert usage.calls == 1 + config.MAX_REASKS
    # every re-ask carries exactly one failed answer
    assert [len(b["messages"]) for b in server.bodies] == [len(MESSAGES)] + [
        len(MESSAGES) + 2
    ] * config.MAX_REASKS


def test_schema_invalid_reask_names_the_field() -> None:
    server = FakeServer(ok(json.dumps({"title": "T", "points": []})), ok(VALID))
    ask(make_llm(server))
    feedback = server.bodies[1]["messages"][-1]["content"]
    assert feedback.startswith("That answer is not valid: points:")


# --- 12. structured-output fallback ----------------------------------------------------------------

REJECT_SCHEMA = api_error(
    400,
    "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
    err_type="invalid_request_error",
    param="response_format",
)
REJECT_OBJECT = api_error(
    400,
    "Invalid parameter: 'response_format' of type 'json_object' is not supported with this model.",
    err_type="invalid_request_error",
    param="response_format",
)


def test_rejected_json_schema_falls_back_to_json_object_then_text() -> None:
    server = FakeServer(REJECT_SCHEMA, REJECT_OBJECT, ok(VALID))
    llm = make_llm(server)
    usage = Usage()

    value, mode = ask(llm, usage)

    assert value.title == "Bridge vote"
    assert mode == "text" == llm.mode
    assert server.count == 3
    schema_text = json.dumps(strict_json_schema(Answer), separators=(",", ":"))
    first, second, third = server.bodies
    assert first["response_format"]["type"] == "json_schema"
    assert schema_text not in first["messages"][-1]["content"]
    assert second["response_format"] == {"type": "json_object"}
    assert second["messages"][:-1] == MESSAGES[:-1]
    assert second["messages"][-1]["content"].startswith(MESSAGES[-1]["content"])
    assert schema_text in second["messages"][-1]["content"]
    assert "response_format" not in third
    assert schema_text in third["messages"][-1]["content"]
    assert usage.calls == 1  # the rejections had no completion

    # The next call on this client starts in the mode the server accepted.
    value, mode = ask(llm)
    assert mode == "text"
    assert server.count == 4
    assert "response_format" not in server.bodies[3]


def test_json_object_accepted_is_remembered() -> None:
    server = FakeServer(REJECT_SCHEMA, ok(VALID))
    llm = make_llm(server)
    assert llm.mode == "json_schema"
    _, mode = ask(llm)
    assert mode == "json_object" == llm.mode
    ask(llm)
    assert server.count == 3
    assert server.bodies[2]["response_format"] == {"type": "json_object"}


def test_rejection_in_text_mode_is_an_api_error() -> None:
    server = FakeServer(REJECT_SCHEMA)  # rejects every mode, even a request with no response_format
    with pytest.raises(errors.APIError) as info:
        ask(make_llm(server))
    assert type(info.value) is errors.APIError
    check_message(info.value, "HTTP 400", "response_format")
    assert server.count == 3  # json_schema, json_object, text: one request each


def test_reask_in_json_object_mode_keeps_schema_once() -> None:
    server = FakeServer(REJECT_SCHEMA, ok(TRUNCATED), ok(VALID))
    _, mode = ask(make_llm(server))
    assert mode == "json_object"
    reask = server.bodies[2]
    schema_text = json.dumps(strict_json_schema(Answer), separators=(",", ":"))
    assert len(reask["messages"]) == len(MESSAGES) + 2
    assert json.dumps(reask["messages"]).count(json.dumps(schema_text)[1:-1]) == 1


# --- 13. parse_json --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        '{"a": 1}',
        '  {"a": 1}\n',
        '```json\n{"a": 1}\n```',
        '```\n{"a": 1}\n```',
        'Here is the JSON you asked for:\n```json\n{"a": 1}\n```\nLet me know if you need more.',
        'Sure! {"a": 1} Hope this helps.',
        'Result:\n{"a": 1}',
    ],
)
def test_parse_json_accepts_fences_and_prose(content: str) -> None:
    assert parse_json(content) == {"a": 1}


@pytest.mark.parametrize("content", ["", "no json here", TRUNCATED])
def test_parse_json_rejects_non_json(content: str) -> None:
    with pytest.raises(ValueError):
        parse_json(content)


def test_fenced_answer_is_accepted_end_to_end() -> None:
    server = FakeServer(ok(f"Here you go:\n```json\n{VALID}\n```"))
    value, _ = ask(make_llm(server))
    assert value.title == "Bridge vote"
    assert server.count == 1


# --- 14. resolve_settings --------------------------------------------------------------------------


def test_azure_settings_call_the_deployment_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.invalid")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key-000")
    server = FakeServer(ok(VALID))
    llm = LLM(resolve_settings(model="summaries-deployment"), http_client=server.client())
    ask(llm)
    url = server.requests[0].url
    assert url.host == "example.openai.azure.invalid"
    assert url.path == "/openai/deployments/summaries-deployment/chat/completions"
    assert url.params["api-version"] == "2024-10-21"
    assert server.requests[0].headers["api-key"] == "az-key-000"


# --- 15. the async client takes the same paths -----------------------------------------------------


async def _ask_async(llm: AsyncLLM, usage: Usage) -> tuple[Answer, str]:
    try:
        return await llm.structured(MESSAGES, Answer, schema_name="answer", usage=usage, max_tokens=256)
    finally:
        await llm.client.close()


def test_async_reask_then_success() -> None:
    server = FakeServer(ok(TRUNCATED, completion_tokens=10), ok(VALID, completion_tokens=12))
    llm = AsyncLLM(settings(), http_client=server.async_client())
    usage = Usage()

    value, mode = asyncio.run(_ask_async(llm, usage))

    assert value.title == "Bridge vote"
    assert mode == "json_schema"
    assert server.count == 2
    reask = server.bodies[1]["messages"]
    assert len(reask) == len(MESSAGES) + 2
    assert reask[-2] == {"role": "assistant", "content": TRUNCATED}
    assert "not valid JSON" in reask[-1]["content"]
    assert (usage.calls, usage.completion_tokens) == (2, 22)


def test_async_401_raises_authentication_error() -> None:
    server = FakeServer(api_error(401, f"Incorrect API key provided: {API_KEY}", err_code="invalid_api_key"))
    llm = AsyncLLM(settings(), http_client=server.async_client())
    with pytest.raises(errors.AuthenticationError) as info:
        asyncio.run(_ask_async(llm, Usage()))
    assert type(info.value) is errors.AuthenticationError
    assert info.value.exit_code == 11
    check_message(info.value, "HTTP 401")
    assert API_KEY not in str(info.value)
    assert server.count == 1


def test_async_429_retries_then_fails_like_sync() -> None:
    server = FakeServer(status(429, {"error": {"message": "Rate limit reached"}}, {"retry-after-ms": "1"}))
    llm = AsyncLLM(settings(), http_client=server.async_client())
    with pytest.raises(errors.RateLimitError):
        asyncio.run(_ask_async(llm, Usage()))
    assert server.count == MAX_RETRIES + 1


def test_async_fallback_is_remembered() -> None:
    server = FakeServer(REJECT_SCHEMA, ok(VALID))
    llm = AsyncLLM(settings(), http_client=server.async_client())

    async def twice() -> None:
        await llm.structured(MESSAGES, Answer, schema_name="answer", usage=Usage(), max_tokens=256)
        await _ask_async(llm, Usage())

    asyncio.run(twice())
    assert llm.mode == "json_object"
    assert [b.get("response_format", {}).get("type") for b in server.bodies] == [
        "json_schema",
        "json_object",
        "json_object",
    ]


def test_async_client_is_a_twin_with_prepare_and_text() -> None:
    """AsyncLLM has what LLM has (prepare, text, structured), and sends the same requests."""
    public = {name for name in dir(LLM) if not name.startswith("_")}
    assert public == {name for name in dir(AsyncLLM) if not name.startswith("_")}

    sync_server, async_server = FakeServer(ok("Yes.", completion_tokens=2)), FakeServer(ok("Yes.", completion_tokens=2))
    sync_llm = LLM(settings(), http_client=sync_server.client())
    async_llm = AsyncLLM(settings(), http_client=async_server.async_client())
    sync_llm.prepare(Answer)
    async_llm.prepare(Answer)
    assert sync_server.count == async_server.count == 0  # prepare calls nothing

    sync_usage, async_usage = Usage(), Usage()
    assert sync_llm.text(MESSAGES, usage=sync_usage, max_tokens=4) == "Yes."

    async def run() -> str:
        try:
            return await async_llm.text(MESSAGES, usage=async_usage, max_tokens=4)
        finally:
            await async_llm.client.close()

    assert asyncio.run(run()) == "Yes."
    assert sync_server.bodies == async_server.bodies
    assert sync_usage == async_usage and async_usage.calls == 1
