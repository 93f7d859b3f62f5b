"""Fault fixtures for the model client: a scripted in-test server behind ``httpx2.MockTransport``.

Every response here is built in the test process from the helpers below; nothing is recorded and
nothing is ever written to ``cassettes/``. A :class:`FakeServer` answers request *n* with step *n* of
its script (the last step repeats forever) and keeps every request it saw, with its parsed JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

#: One scripted answer: given the request, return a response or raise a transport exception.
Step = Callable[[httpx2.Request], httpx2.Response]


def completion_body(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
    model: str = "gpt-4o-mini",
) -> dict[str, Any]:
    """A minimal chat.completion JSON body (OpenAI shape)."""
    return {
        "id": "chatcmpl-fixture",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def ok(content: str | None, **kwargs: Any) -> Step:
    """A 200 with one chat completion (see :func:`completion_body` for the keyword arguments)."""
    body = completion_body(content, **kwargs)
    return lambda request: httpx2.Response(200, json=body)


def status(code: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Step:
    """An error status with an optional JSON body and headers."""
    return lambda request: httpx2.Response(code, json=body or {}, headers=headers or {})


def api_error(
    code: int, message: str, *, err_code: Any = None, err_type: str | None = None, **extra: Any
) -> Step:
    """An error status with an ``{"error": {...}}`` body as OpenAI (and llama.cpp) send it."""
    error: dict[str, Any] = {"message": message, "type": err_type, "code": err_code, **extra}
    return status(code, {"error": error})


def raises(exc_type: type[httpx2.RequestError], message: str) -> Step:
    """A transport failure: the handler raises ``exc_type`` as a real transport would."""

    def step(request: httpx2.Request) -> httpx2.Response:
        raise exc_type(message, request=request)

    return step


class FakeServer:
    """A scripted model server. Use as the handler of ``httpx2.MockTransport``."""

    def __init__(self, *steps: Step) -> None:
        if not steps:
            raise ValueError("a FakeServer needs at least one step")
        self.steps = steps
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        step = self.steps[min(len(self.requests), len(self.steps) - 1)]
        self.requests.append(request)
        return step(request)

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def async_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self))


def model_answers(usage: tuple[int, int] | None = None) -> Step:
    """A 200 with the answer the fake model server (:mod:`tests._support.fake_openai_server`) makes from
    the request: a summary draft quoting the document, verdicts, or a decomposition — in-process, no HTTP."""
    from tests._support.fake_openai_server import FakeOpenAIServer

    fake = FakeOpenAIServer(usage=usage)

    def step(request: httpx2.Request) -> httpx2.Response:
        code, payload = fake.answer(json.loads(request.content))
        return httpx2.Response(code, json=payload)

    return step
