"""The client's short answers with log-probabilities: the request, the answer, and when there are none.

Every response is a fixture built in the test (tests/_support/faults.py)."""

from __future__ import annotations

import asyncio
import math

import pytest

from summarizer import errors
from summarizer.llm.client import LLM, AsyncLLM
from summarizer.settings import Settings
from summarizer.types import Usage
from tests._support.faults import FakeServer, api_error, logprob_body, ok, yes_no

MESSAGES = [{"role": "user", "content": "Is it? Answer 1 Yes or 1 No."}]


def settings(model: str = "gpt-4o-mini") -> Settings:
    return Settings(model=model, base_url="http://test.invalid/v1", api_key="sk-test-0000", max_retries=0)


def test_the_request_asks_for_top_logprobs_and_nothing_else_new() -> None:
    server = FakeServer(lambda request: __import__("httpx2").Response(200, json=logprob_body(yes_no(0.8))))
    usage = Usage()
    answer = LLM(settings(), http_client=server.client()).logprobs(MESSAGES, usage=usage, max_tokens=2)

    body = server.bodies[0]
    assert body["logprobs"] is True and body["top_logprobs"] == 20 and body["max_tokens"] == 2
    assert body["messages"] == MESSAGES and body["temperature"] == 0 and "response_format" not in body
    assert answer is not None and answer.content == "1 Yes"
    assert [t.token for t in answer.tokens] == ["1", " Yes"]
    assert dict(answer.tokens[1].top)[" Yes"] == pytest.approx(math.log(0.8))
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 100, 2)


def test_an_answer_without_logprobs_is_none_and_remembered() -> None:
    server = FakeServer(ok("1 Yes", completion_tokens=2))
    llm = LLM(settings(), http_client=server.client())
    usage = Usage()
    assert llm.logprobs(MESSAGES, usage=usage, max_tokens=2) is None
    assert usage.calls == 1  # the call happened and is counted
    assert llm.logprobs(MESSAGES, usage=usage, max_tokens=2) is None
    assert server.count == 1  # not asked again


def test_a_server_that_rejects_the_parameter_gives_none() -> None:
    server = FakeServer(api_error(400, "'logprobs' is not supported with this model", err_type="invalid_request_error"))
    llm = LLM(settings(), http_client=server.client())
    assert llm.logprobs(MESSAGES, usage=Usage(), max_tokens=2) is None
    assert llm.supports_logprobs is False


def test_other_errors_are_mapped_as_for_any_call() -> None:
    server = FakeServer(api_error(401, "bad key", err_type="invalid_request_error"))
    with pytest.raises(errors.AuthenticationError):
        LLM(settings(), http_client=server.client()).logprobs(MESSAGES, usage=Usage(), max_tokens=2)


@pytest.mark.parametrize("model", ["o3-mini", "o1", "gpt-5-mini"])
def test_reasoning_models_are_not_asked(model: str) -> None:
    server = FakeServer(ok("never"))
    assert LLM(settings(model), http_client=server.client()).logprobs(MESSAGES, usage=Usage(), max_tokens=2) is None
    assert server.count == 0


def test_the_async_twin_sends_the_same_request_and_reads_the_same_answer() -> None:
    import httpx2

    step = lambda request: httpx2.Response(200, json=logprob_body(yes_no(0.3)))  # noqa: E731
    sync_server, async_server = FakeServer(step), FakeServer(step)
    sync = LLM(settings(), http_client=sync_server.client()).logprobs(MESSAGES, usage=Usage(), max_tokens=2)
    allm = AsyncLLM(settings(), http_client=async_server.async_client())
    asynchronous = asyncio.run(allm.logprobs(MESSAGES, usage=Usage(), max_tokens=2))
    assert sync_server.bodies == async_server.bodies
    assert sync == asynchronous
