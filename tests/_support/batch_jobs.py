"""Helpers of the Batch API tests: a job's settings and spec, the online path's request bytes, answers
made up by the chat fixture, and result lines compared without their volatile fields."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx2

from summarizer.batch.api import JobSpec
from summarizer.batch.api.wire import Answer
from summarizer.batch.tasks import summarize_task
from summarizer.llm.client import LLM
from summarizer.settings import Settings
from summarizer.text.documents import Document
from tests._support.fake_openai_server import FakeOpenAIServer

MODEL = "gpt-4o-mini"
KEY = "sk-test-batch-0123456789abcdef"


def api_settings(url: str, *, model: str = MODEL) -> Settings:
    return Settings(model=model, base_url=url, api_key=KEY, max_retries=0, timeout=20)


def spec(url: str, **kw: Any) -> JobSpec:
    return JobSpec(kind=kw.pop("kind", "summarize"), model=kw.pop("model", MODEL), endpoint=url, **kw)


def online_run(
    document: Document, settings: Settings, *, verify: bool = False, answer: Any = None
) -> tuple[Any, list[bytes]]:
    """The online path's result for ``document`` (answered by ``answer(body) -> (status, body)``, by default
    the chat fixture's), and the bodies it sent."""
    answer = answer or FakeOpenAIServer().answer
    sent: list[bytes] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.content)
        code, body = answer(json.loads(request.content))
        return httpx2.Response(code, json=body)

    llm = LLM(settings, http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    return summarize_task(settings, llm, verify=verify).work(document), sent


def online_bodies(document: Document, settings: Settings, *, verify: bool = False) -> list[bytes]:
    """The request bodies the online path sends for ``document`` (answered by the chat fixture)."""
    return online_run(document, settings, verify=verify)[1]


def long_text(paragraphs: int, seed: int = 3) -> str:
    """Distinct sentences in paragraphs of four: long enough to need parts in a small context window."""
    rng = random.Random(seed)
    places = ["Northgate", "Eastwick", "Harbourside", "Millbrook", "Riverton", "Ashford"]
    things = ["bridge", "budget", "ferry", "school", "tunnel", "reservoir", "levy", "pier"]
    out = []
    for p in range(paragraphs):
        out.append(" ".join(
            f"The {rng.choice(places)} {rng.choice(things)} committee reviewed item {p}-{i}, "
            f"costing {rng.randint(2, 990)} thousand dollars."
            for i in range(4)
        ))  # fmt: skip
    return "\n\n".join(out)


def fixture_answer(custom_id: str, body: dict[str, Any]) -> Answer:
    """The chat fixture's answer to a request body, as a batch output line would carry it."""
    code, response = FakeOpenAIServer().answer(body)
    return Answer(custom_id, code, response)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


_VOLATILE = {"created_at", "seconds", "cost_usd"}


def stable(value: Any) -> Any:
    """A result line without what differs from run to run (times) or by price list (costs)."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value
