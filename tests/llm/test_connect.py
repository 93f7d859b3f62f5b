"""A model endpoint configured once in code (summarizer.llm.connect): Client, and client= everywhere."""

from __future__ import annotations

import asyncio
from pathlib import Path

import openai
import pytest

import summarizer
from summarizer import Client, acheck, asummarize, check, summarize
from summarizer.errors import ConfigError
from summarizer.llm.client import LLM, AsyncLLM
from summarizer.llm.connect import async_llm_for, llm_for
from tests._support.faults import FakeServer, model_answers

TEXT = (
    "The harbour council voted 7 to 2 on Tuesday to approve the new bridge. "
    "Construction is expected to start in March. The mayor said it would ease traffic.\n"
)


def sdk_client(server: FakeServer, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="sk-test-0000000000", base_url="http://fake.invalid/v1", http_client=server.client(), **kwargs
    )


def test_client_settings_come_from_its_arguments_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-000000000000")
    client = Client("gpt-4o", timeout=30, max_retries=1, temperature=0.2)
    s = client.settings
    assert (s.model, s.timeout, s.max_retries, s.temperature, s.api_key) == (
        "gpt-4o", 30.0, 1, 0.2, "sk-env-000000000000"
    )
    assert "sk-env" not in repr(client)
    with pytest.raises(ConfigError, match="timeout"):
        Client(timeout=float("nan"))
    with pytest.raises(ConfigError, match="max_retries"):
        Client(max_retries=-1)
    with pytest.raises(ConfigError, match="temperature"):
        Client(temperature=5)


def test_one_client_serves_summarize_and_check() -> None:
    server = FakeServer(model_answers())
    client = Client(openai_client=sdk_client(server))
    summary = summarize(TEXT, client=client)
    report = check(TEXT, ["The bridge opens in 1999."], mode="model", client=client)
    assert summary.claims and report.claims[0].decided_by == "model"
    assert server.count == 2 and client.llm is client.llm  # one LLM, reused
    assert {b["model"] for b in server.bodies} == {"gpt-4o-mini"}


def test_an_openai_client_can_be_passed_directly_and_its_settings_are_kept() -> None:
    server = FakeServer(model_answers())
    given = sdk_client(server, max_retries=0, timeout=7.0)
    summary = summarize(TEXT, client=given)
    assert summary.provenance.model == "gpt-4o-mini" and server.count == 1
    llm = llm_for(given)
    assert llm.client is given and llm.settings.max_retries == 0 and llm.settings.timeout == 7.0


def test_temperature_reaches_the_request() -> None:
    server = FakeServer(model_answers())
    summarize(TEXT, client=Client(openai_client=sdk_client(server), temperature=0.3))
    assert server.bodies[0]["temperature"] == 0.3


def test_the_async_twins_take_the_same_client() -> None:
    server = FakeServer(model_answers())
    given = openai.AsyncOpenAI(api_key="sk-test-0000000000", base_url="http://fake.invalid/v1",
                               http_client=server.async_client())  # fmt: skip
    client = Client(openai_client=given)
    summary = asyncio.run(asummarize(TEXT, client=client))
    assert summary.claims and client.async_llm.client is given
    # a synchronous twin of the same settings serves the synchronous calls
    twin = client.llm.client
    assert isinstance(twin, openai.OpenAI) and str(twin.base_url) == str(given.base_url)


def test_acheck_is_the_twin_of_check() -> None:
    sync_server, async_server = FakeServer(model_answers()), FakeServer(model_answers())
    given = openai.AsyncOpenAI(api_key="sk-test-0000000000", base_url="http://fake.invalid/v1",
                               http_client=async_server.async_client())  # fmt: skip
    claims = ["The council voted 7 to 2.", "The bridge opens in 1999."]
    report = asyncio.run(acheck(TEXT, claims, client=Client(openai_client=given)))
    again = check(TEXT, claims, client=Client(openai_client=sdk_client(sync_server)))
    assert [c.verdict for c in report.claims] == [c.verdict for c in again.claims]
    assert [c.probability for c in report.claims] == [c.probability for c in again.claims]
    assert async_server.bodies == sync_server.bodies  # the same requests, awaited
    assert summarizer.acheck is acheck


def test_client_and_model_are_not_both_given() -> None:
    with pytest.raises(ConfigError, match="not beside client"):
        summarize(TEXT, client=Client(), model="gpt-4o")
    with pytest.raises(ConfigError, match=r"openai\.OpenAI or openai\.AsyncOpenAI"):
        Client(openai_client=object())


def test_resolution_rules() -> None:
    llm = LLM(Client().settings)
    assert llm_for(llm) is llm
    allm = AsyncLLM(Client().settings)
    assert async_llm_for(allm) is allm
    with pytest.raises(ConfigError):
        llm_for(allm)
    assert llm_for(model="gpt-4o", base_url="http://x.invalid/v1").settings.model == "gpt-4o"


def test_a_path_and_a_document_are_accepted_by_check_too(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    report = check(path, ["The council voted 7 to 2 on Tuesday."], mode="local")
    assert report.provenance.source_path == str(path)


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_with_nothing_configured_the_local_endpoint_is_named_and_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No key and no server: stderr says which endpoint is called and why; the connection error names the
    URL and what to do."""
    import logging

    from summarizer.errors import ConnectionFailedError
    from summarizer.llm import client as client_module

    monkeypatch.setattr(client_module, "_said", set())
    monkeypatch.setenv("SUMMARIZER_LOCAL_PORT", "9")  # nothing listens on the discard port
    caplog.set_level(logging.INFO, logger="summarizer")
    with pytest.raises(ConnectionFailedError) as info:
        summarize(TEXT, client=Client(max_retries=0))
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1
    said = warned[0].getMessage()
    assert "http://127.0.0.1:9/v1" in said and "no OPENAI_API_KEY, OPENAI_BASE_URL" in said
    assert "http://127.0.0.1:9/v1/chat/completions" in info.value.message
    assert "summarizer local start" in info.value.message and "OPENAI_API_KEY" in info.value.message
    with pytest.raises(ConnectionFailedError):
        summarize(TEXT, client=Client(max_retries=0))
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1  # said once


def test_a_configured_endpoint_is_named_at_info_level(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from summarizer.llm import client as client_module

    monkeypatch.setattr(client_module, "_said", set())
    monkeypatch.setenv("OPENAI_BASE_URL", "http://fake.invalid/v1")
    caplog.set_level(logging.INFO, logger="summarizer")
    client = Client()
    client.llm._http_client = FakeServer(model_answers()).client()
    summarize(TEXT, client=client)
    (said,) = [r for r in caplog.records if "calling the model" in r.getMessage()]
    assert said.levelno == logging.INFO and "OPENAI_BASE_URL" in said.getMessage()
