"""Time limits on the model (summarizer.llm.limits): a timeout per request, a deadline per document, and
errors that say which was hit — against deliberately slow servers built in the test."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from pydantic import BaseModel

from summarizer import Client, cli, config, errors, summarize
from summarizer.llm.client import LLM, AsyncLLM
from summarizer.settings import Settings, resolve_settings
from summarizer.types import Usage
from tests._support.paths import EXAMPLE
from tests._support.slow_server import SlowServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

MESSAGES = [{"role": "user", "content": "Answer."}]


class Answer(BaseModel):
    title: str
    points: list[str]


def settings(url: str, **kw: Any) -> Settings:
    values: dict[str, Any] = {"model": "gpt-4o-mini", "base_url": url, "api_key": "sk-test-00000000", "max_retries": 0}
    return Settings(**{**values, **kw})


def ask(llm: LLM) -> Any:
    return llm.structured(MESSAGES, Answer, schema_name="answer", usage=Usage(), max_tokens=64)


def test_a_server_that_never_answers_hits_the_request_timeout() -> None:
    with SlowServer("silent") as server:
        started = time.monotonic()
        with pytest.raises(errors.TimedOutError) as info:
            ask(LLM(settings(server.url, timeout=0.4, max_retries=1, deadline=30)))
        took = time.monotonic() - started
    assert info.value.limit == "timeout" and info.value.seconds == 0.4
    assert "request timeout of 0.4 s" in info.value.message and "2 attempts" in info.value.message
    assert server.url in info.value.message and server.requests == 2
    assert took < 5


def test_a_dripping_answer_is_stopped_by_the_deadline() -> None:
    """A byte every 0.2 s: no read ever waits past the 2 s timeout; the 1.2 s deadline ends it."""
    with SlowServer("drip", interval=0.2) as server:
        started = time.monotonic()
        with pytest.raises(errors.TimedOutError) as info:
            ask(LLM(settings(server.url, timeout=2, deadline=1.2)))
        took = time.monotonic() - started
    assert info.value.limit == "deadline" and "deadline of 1.2 s" in info.value.message
    assert info.value.exit_code == errors.ConnectionFailedError.exit_code
    assert 1.0 < took < 4


def test_the_async_client_keeps_the_same_deadline() -> None:
    async def run(llm: AsyncLLM) -> Any:
        return await llm.structured(MESSAGES, Answer, schema_name="answer", usage=Usage(), max_tokens=64)

    with SlowServer("drip", interval=0.2) as server:
        started = time.monotonic()
        with pytest.raises(errors.TimedOutError) as info:
            asyncio.run(run(AsyncLLM(settings(server.url, timeout=2, deadline=1.0))))
        took = time.monotonic() - started
    assert info.value.limit == "deadline" and took < 4


def test_the_deadline_shortens_each_attempt_and_refuses_retries_after_it() -> None:
    """Timeout 30 s, 5 retries, deadline 1 s: a silent server holds the call about a second, not 3 min."""
    with SlowServer("silent") as server:
        started = time.monotonic()
        with pytest.raises(errors.TimedOutError) as info:
            ask(LLM(settings(server.url, timeout=30, max_retries=5, deadline=1.0)))
        took = time.monotonic() - started
    assert info.value.limit == "deadline" and took < 4


def test_the_deadline_is_per_document_across_its_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """All the calls of one check share one deadline; summarize(..., verify=True) is one document, its
    check counted from the summary's start; the next document has its own."""
    from summarizer import check
    from summarizer.llm import limits
    from summarizer.pipeline import checking
    from tests._support.faults import FakeServer, model_answers

    ends: list[float] = []
    real_now = limits.Limits.now

    def spy(timeout: float, deadline: float, endpoint: str) -> limits.Limits:
        bounds = real_now(timeout, deadline, endpoint)
        ends.append(bounds.ends)
        return bounds

    monkeypatch.setattr(limits.Limits, "now", staticmethod(spy))
    server = FakeServer(model_answers())
    client = Client(base_url="http://fake.invalid/v1", api_key="sk-test-00000000")
    client.llm._http_client = server.client()
    text = EXAMPLE.read_text(encoding="utf-8")
    claims = [f"Residents talked about plan {chr(65 + i)} again." for i in range(8)]
    check(text, claims, mode="model", client=client, claims_per_call=1)
    assert server.count == len(ends) == len(claims) and len(set(ends)) == 1  # a call a claim, one deadline

    starts: list[float | None] = []
    real_check = checking.check

    def check_spy(*args: Any, **kwargs: Any) -> Any:
        starts.append(limits._started.get())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(checking, "check", check_spy)
    ends.clear()
    summarize(text, client=client, verify=True)
    assert starts and starts[0] is not None and ends[0] == starts[0] + client.settings.deadline
    summarize(text, client=client)
    assert ends[-1] > ends[0]


def test_the_command_line_takes_timeout_and_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    with SlowServer("drip", interval=0.2) as server:
        code = cli.main(["summarize", str(EXAMPLE), "--base-url", server.url, "--timeout", "2", "--deadline", "1"])
    err = capsys.readouterr().err
    assert code == errors.ConnectionFailedError.exit_code
    assert err.count("\n") == 1 and "deadline of 1 s" in err and "--deadline" in err


def test_timeout_and_deadline_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    remote = resolve_settings(base_url="https://api.example.invalid/v1")
    assert (remote.timeout, remote.deadline) == (config.REQUEST_TIMEOUT, config.DOCUMENT_DEADLINE)
    on_this_machine = resolve_settings(base_url="http://127.0.0.1:8080/v1")
    assert (on_this_machine.timeout, on_this_machine.deadline) == (
        config.LOCAL_REQUEST_TIMEOUT, config.LOCAL_DOCUMENT_DEADLINE,
    )  # fmt: skip
    assert resolve_settings().timeout == config.LOCAL_REQUEST_TIMEOUT  # the bundled server
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "45")
    monkeypatch.setenv("SUMMARIZER_DEADLINE", "300")
    s = resolve_settings(base_url="https://api.example.invalid/v1")
    assert (s.timeout, s.deadline) == (45.0, 300.0)
    assert resolve_settings(base_url="https://x.invalid/v1", timeout=5, deadline=9).timeout == 5.0
    assert Client(base_url="https://x.invalid/v1", api_key="k", timeout=7, deadline=8).settings.deadline == 8.0
    for bad in ("0", "-3", "nan", "soon"):
        monkeypatch.setenv("SUMMARIZER_TIMEOUT", bad)
        with pytest.raises(errors.ConfigError, match=r"SUMMARIZER_TIMEOUT|timeout"):
            resolve_settings(base_url="https://x.invalid/v1")


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_bad_timeouts_on_the_command_line_are_refused(capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["summarize", str(EXAMPLE), "--timeout", value])
    assert exc.value.code == 2 and "--timeout" in capsys.readouterr().err
