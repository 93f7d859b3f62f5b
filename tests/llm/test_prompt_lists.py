"""A document's claim prompts in one call to a llama-server (summarizer.llm.prompt_lists).

The fixtures of the first tests are built here (tests/_support/faults.py); the last test replays traffic
recorded from the local llama-server (cassettes/llm/test_prompt_lists/)."""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import replace
from typing import Any

import httpx2
import pytest

from summarizer import Client, config, errors
from summarizer.llm import prompt_lists
from summarizer.llm.client import LLM, AsyncLLM
from summarizer.pipeline.scoring import score_claims
from summarizer.settings import Settings, resolve_settings
from summarizer.text.documents import document_from_text
from summarizer.types import Usage
from tests._support.faults import FakeServer, logprob_body, status, yes_no
from tests._support.paths import EXAMPLE, RECORDED_BASE_URL

CONVERSATIONS = [
    [{"role": "system", "content": "Judge."}, {"role": "user", "content": f"Source. Claim {k}?"}] for k in (1, 2, 3)
]
CHATML = "<|im_start|>{}\n{}<|im_end|>\n"


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "model": "qwen2.5-coder-1.5b-instruct",
        "base_url": "http://127.0.0.1:8080/v1",
        "api_key": "sk-no-key-required",
        "max_retries": 0,
        "prompt_lists": True,
    }
    values.update(overrides)
    return Settings(**values)


def render(body: dict[str, Any]) -> str:
    """What llama-server's /apply-template renders for ChatML (the bundled model's template)."""
    text = "".join(CHATML.format(m["role"], m["content"]) for m in body["messages"])
    return text + "<|im_start|>assistant\n"


def result(index: int, p_yes: float, prompt_tokens: int = 50) -> dict[str, Any]:
    """One result of llama-server's /completion, reduced to the fields asked for."""
    answer = " Yes" if p_yes >= 0.5 else " No"
    top = [{"id": 1, "token": " Yes", "bytes": [], "logprob": math.log(p_yes)},
           {"id": 2, "token": " No", "bytes": [], "logprob": math.log(1 - p_yes)}]  # fmt: skip
    first = {"id": 3, "token": "1", "bytes": [], "logprob": -0.01, "top_logprobs": [{"token": "1", "logprob": -0.01}]}
    chosen = {"id": 1, "token": answer, "bytes": [], "logprob": max(t["logprob"] for t in top), "top_logprobs": top}
    return {"index": index, "content": "1" + answer, "tokens_predicted": 2, "tokens_evaluated": prompt_tokens,
            "stop_type": "limit", "completion_probabilities": [first, chosen]}  # fmt: skip


class LlamaServer:
    """A fixture llama-server: renders ChatML at /apply-template and answers /completion lists with
    P(Yes) given per prompt (results sent out of order, as the server's slots may finish them)."""

    def __init__(self, p_yes: list[float]) -> None:
        self.p_yes = p_yes

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        if request.url.path == "/apply-template":
            return httpx2.Response(200, json={"prompt": render(body)})
        assert request.url.path == "/completion", request.url
        results = [result(i, p) for i, p in enumerate(self.p_yes[: len(body["prompt"])])]
        return httpx2.Response(200, json=list(reversed(results)))


def test_a_template_rendered_with_placeholders_is_filled_per_conversation() -> None:
    roles = ("system", "user")
    template = prompt_lists.Template(roles, {"prompt": render(prompt_lists.template_body(roles))})

    for conversation in CONVERSATIONS:
        assert template.fill(conversation) == render({"messages": conversation})
    with pytest.raises(ValueError):
        template.fill([{"role": "user", "content": "x"}])


@pytest.mark.parametrize(
    "rendered",
    [
        {"prompt": "<|im_start|>system\nJUDGE<|im_end|>"},  # a template that changes the content
        {"answer": "no prompt"},
        "not an object",
    ],
)
def test_a_template_that_does_not_keep_each_content_once_is_refused(rendered: Any) -> None:
    with pytest.raises(errors.APIError):
        prompt_lists.Template(("system", "user"), rendered)


def test_a_template_that_repeats_a_content_is_refused() -> None:
    body = prompt_lists.template_body(("user",))
    twice = render(body) + body["messages"][0]["content"]
    with pytest.raises(errors.APIError, match="changes or repeats"):
        prompt_lists.Template(("user",), {"prompt": twice})


def test_results_are_read_in_the_prompts_order_and_counted_as_one_call() -> None:
    usage = Usage()
    data = [result(2, 0.2, 30), result(0, 0.9, 10), result(1, 0.6, 20)]
    answers = prompt_lists.read_results(data, 3, usage)

    p_yes = [math.exp(dict(a.tokens[1].top)[" Yes"]) for a in answers if a is not None]
    assert p_yes == pytest.approx([0.9, 0.6, 0.2])
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 60, 6)
    assert answers[0] is not None and answers[0].finish_reason == "length"


def test_a_result_without_probabilities_is_none_and_a_wrong_count_an_error() -> None:
    bare = {"index": 0, "content": "1 Yes", "tokens_predicted": 2, "tokens_evaluated": 9}
    assert prompt_lists.read_results([bare], 1, Usage()) == [None]
    with pytest.raises(errors.APIError, match="2 result"):
        prompt_lists.read_results([result(0, 0.5), result(1, 0.5)], 3, Usage())
    broken = dict(result(0, 0.5), completion_probabilities=[{"token": "1"}])
    with pytest.raises(errors.APIError, match="malformed"):
        prompt_lists.read_results(broken, 1, Usage())


def test_the_urls_are_the_servers_own_beside_v1() -> None:
    s = settings(base_url="http://127.0.0.1:8080/v1/")
    assert prompt_lists.template_url(s) == "http://127.0.0.1:8080/apply-template"
    assert prompt_lists.completion_url(s) == "http://127.0.0.1:8080/completion"


def test_the_client_asks_the_template_once_then_one_call_per_list() -> None:
    server = FakeServer(LlamaServer([0.9, 0.6, 0.2]))
    llm = LLM(settings(), http_client=server.client())
    usage = Usage()

    first = llm.logprobs_many(CONVERSATIONS, usage=usage, max_tokens=[2, 2, 3])
    second = llm.logprobs_many(CONVERSATIONS[:2], usage=usage, max_tokens=[2, 2])

    assert [r.url.path for r in server.requests] == ["/apply-template", "/completion", "/completion"]
    body = server.bodies[1]
    assert body["prompt"] == [render({"messages": c}) for c in CONVERSATIONS]
    assert body["n_predict"] == 3 and body["n_probs"] == 20 and body["temperature"] == 0
    assert [a is not None for a in first + second] == [True] * 5
    assert usage.calls == 2 and llm.supports_prompt_lists is True


def test_the_async_client_takes_the_same_path() -> None:
    server = FakeServer(LlamaServer([0.9, 0.6, 0.2]))

    async def run() -> list[Any]:
        llm = AsyncLLM(settings(), http_client=server.async_client())
        return await llm.logprobs_many(CONVERSATIONS, usage=Usage(), max_tokens=[2, 2, 2])

    answers = asyncio.run(run())
    assert [r.url.path for r in server.requests] == ["/apply-template", "/completion"]
    assert all(a is not None for a in answers)


@pytest.mark.parametrize("code", [404, 405, 501])
def test_a_server_without_prompt_lists_is_asked_one_chat_call_each_and_remembered(code: int) -> None:
    chat = httpx2.Response(200, json=logprob_body(yes_no(0.8)))
    server = FakeServer(status(code), *[lambda request: chat] * 6)
    llm = LLM(settings(), http_client=server.client())
    usage = Usage()

    answers = llm.logprobs_many(CONVERSATIONS, usage=usage, max_tokens=[2, 2, 2])
    again = llm.logprobs_many(CONVERSATIONS, usage=usage, max_tokens=[2, 2, 2])

    paths = [r.url.path for r in server.requests]
    assert paths == ["/apply-template"] + ["/v1/chat/completions"] * 6
    assert llm.supports_prompt_lists is False and usage.calls == 6
    assert all(a is not None for a in answers + again)


def test_a_server_error_is_not_taken_for_a_missing_endpoint() -> None:
    server = FakeServer(status(500, {"error": {"message": "boom"}}))
    llm = LLM(settings(), http_client=server.client())
    with pytest.raises(errors.APIError, match="boom"):
        llm.logprobs_many(CONVERSATIONS, usage=Usage(), max_tokens=[2, 2, 2])
    assert llm.supports_prompt_lists is None


def test_other_endpoints_and_single_prompts_use_the_chat_endpoint() -> None:
    chat = httpx2.Response(200, json=logprob_body(yes_no(0.8)))
    for s, conversations in ((settings(prompt_lists=False), CONVERSATIONS), (settings(), CONVERSATIONS[:1])):
        server = FakeServer(lambda request: chat)
        LLM(s, http_client=server.client()).logprobs_many(
            conversations, usage=Usage(), max_tokens=[2] * len(conversations)
        )
        assert {r.url.path for r in server.requests} == {"/v1/chat/completions"}


def test_the_bundled_server_takes_prompt_lists_and_an_api_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_settings().prompt_lists is True  # no key, no base URL: the bundled local server
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert resolve_settings("gpt-4o-mini").prompt_lists is False
    assert resolve_settings(base_url="http://127.0.0.1:9999/v1").prompt_lists is False
    monkeypatch.setenv("SUMMARIZER_PROMPT_LISTS", "1")  # your own llama-server
    assert resolve_settings(base_url="http://127.0.0.1:9999/v1").prompt_lists is True
    assert resolve_settings(base_url="http://127.0.0.1:9999/v1", prompt_lists=False).prompt_lists is False
    assert Client(base_url="http://127.0.0.1:9999/v1", prompt_lists=False).settings.prompt_lists is False
    monkeypatch.setenv("SUMMARIZER_PROMPT_LISTS", "maybe")
    with pytest.raises(errors.ConfigError, match="SUMMARIZER_PROMPT_LISTS must be 1 or 0"):
        resolve_settings()


CLAIMS = [
    "The toll was abolished in 2004.",
    "The mayor resigned.",
    "Engineers found cracks in the cables.",
    "The repairs cost more than expected.",
]


@pytest.mark.vcr
def test_recorded_lists_give_the_chat_paths_log_odds_in_one_call() -> None:
    """Recorded from the local llama-server: the same claims scored through the chat endpoint (one call
    each) and as one prompt list; the filled template is the chat endpoint's prompt, so the log-odds agree."""
    document = document_from_text(EXAMPLE.read_text(encoding="utf-8"))
    base = resolve_settings(config.LOCAL_MODEL, RECORDED_BASE_URL)
    by_path = {}
    for lists in (False, True):
        usage = Usage()
        llm = LLM(replace(base, prompt_lists=lists))
        by_path[lists] = (score_claims(llm, document, CLAIMS, usage, claims_per_call=1), usage.calls)

    (chat, chat_calls), (listed, list_calls) = by_path[False], by_path[True]
    assert (chat_calls, list_calls) == (len(CLAIMS), 1)
    assert chat is not None and listed is not None and None not in chat + listed
    assert listed == pytest.approx(chat, abs=0.1)
    assert len({round(v, 2) for v in chat if v is not None}) > 1  # the claims are told apart
