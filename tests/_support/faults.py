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


# --- answers with log-probabilities (the claim checker's scoring calls) -----------------------------------


def logprob_body(
    tokens: list[tuple[str, dict[str, float]]],
    *,
    prompt_tokens: int = 100,
    model: str = "gpt-4o-mini",
) -> dict[str, Any]:
    """A chat.completion whose content is the tokens' text, with OpenAI-shaped ``logprobs``: each token is
    given with the probabilities of its alternatives (the token itself must be among them)."""
    import math

    content = []
    for token, alternatives in tokens:
        top = [
            {"token": alt, "logprob": math.log(p) if p > 0 else -9999.0, "bytes": list(alt.encode())}
            for alt, p in sorted(alternatives.items(), key=lambda kv: -kv[1])
        ]
        chosen = next(t["logprob"] for t in top if t["token"] == token)
        content.append({"token": token, "logprob": chosen, "bytes": list(token.encode()), "top_logprobs": top})
    body = completion_body("".join(t for t, _ in tokens), prompt_tokens=prompt_tokens,
                           completion_tokens=len(tokens), model=model)  # fmt: skip
    body["choices"][0]["logprobs"] = {"content": content, "refusal": None}
    return body


def yes_no(p_yes: float, number: int = 1) -> list[tuple[str, dict[str, float]]]:
    """The tokens of one answer line, "<number> Yes" (or "No"), with P(Yes) = ``p_yes`` at the answer."""
    answer = " Yes" if p_yes >= 0.5 else " No"
    return [(str(number), {str(number): 0.99, "Yes": 0.01}), (answer, {" Yes": p_yes, " No": 1.0 - p_yes})]


def scoring(p_yes: Callable[[str], float], **kwargs: Any) -> Step:
    """A step answering a scoring call: P(Yes) for the (one) numbered claim of the request, by ``p_yes``."""

    def step(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        assert body.get("logprobs") is True, "not a scoring call"
        user = body["messages"][-1]["content"]
        claim = user.split("Claims:\n1. ", 1)[1].split("\n", 1)[0]
        return httpx2.Response(200, json=logprob_body(yes_no(p_yes(claim)), **kwargs))

    return step


def model_answers(usage: tuple[int, int] | None = None) -> Step:
    """A 200 with the answer the fake model server (:mod:`tests._support.fake_openai_server`) makes from
    the request: a summary draft quoting the document, verdicts, or a decomposition — in-process, no HTTP."""
    from tests._support.fake_openai_server import FakeOpenAIServer

    fake = FakeOpenAIServer(usage=usage)

    def step(request: httpx2.Request) -> httpx2.Response:
        code, payload = fake.answer(json.loads(request.content))
        return httpx2.Response(code, json=payload)

    return step
