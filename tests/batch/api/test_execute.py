"""``summarizer batch run`` (summarizer.batch.api.execute): request files executed on an OpenAI-compatible
server. Against the fake chat server (tests/_support/fake_openai_server.py), and against the real local
llama-server in a cassette (cassettes/batch/api/test_run/)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer import config
from summarizer.batch.api import collect, prepare, run
from summarizer.batch.api import execute as run_module
from summarizer.errors import ConnectionFailedError
from summarizer.llm.client import LLM
from summarizer.settings import Settings
from summarizer.text.documents import load_document
from tests._support.batch_jobs import api_settings, online_bodies, read_jsonl, spec
from tests._support.batches import make_docs
from tests._support.fake_openai_server import FakeOpenAIServer
from tests._support.paths import EXAMPLE, RECORDED_BASE_URL

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback


def prepared(tmp_path: Path, url: str, n: int) -> str:
    make_docs(tmp_path / "docs", n)
    prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(url))
    return str(tmp_path / "job")


def test_run_writes_the_batch_output_format_with_bounded_concurrency(tmp_path: Path) -> None:
    with FakeOpenAIServer(latency=0.05) as server:
        job = prepared(tmp_path, server.url, 8)
        report = run(job, api_settings(server.url), jobs=2)
        assert (report.sent, report.ok, report.failed) == (8, 8, 0)
        assert server.max_in_flight <= 2 and server.requests == 8
        url = server.url
    lines = read_jsonl(Path(job) / "r1-001.output.jsonl")
    requested = {line["custom_id"] for line in read_jsonl(Path(job) / "r1-001.jsonl")}
    assert {line["custom_id"] for line in lines} == requested
    for line in lines:
        assert set(line) == {"id", "custom_id", "response", "error"} and line["error"] is None
        assert line["response"]["status_code"] == 200 and line["response"]["request_id"]
        assert line["response"]["body"]["object"] == "chat.completion"
    assert not (Path(job) / "r1-001.errors.jsonl").exists()
    manifest = json.loads((Path(job) / "manifest.json").read_text())
    assert manifest["files"][0]["ran_on"] == url == manifest["answered_by"]
    report = collect(job, str(tmp_path / "out.jsonl"))
    assert report.outcome.done == 8 and report.exit_code == 0


def test_each_body_sent_is_byte_for_byte_the_online_paths(tmp_path: Path) -> None:
    url = "http://test.invalid/v1"
    job = prepared(tmp_path, url, 3)
    sent: list[bytes] = []
    fake = FakeOpenAIServer()

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.content)
        code, body = fake.answer(json.loads(request.content))
        return httpx2.Response(code, json=body)

    settings = api_settings(url)
    client = LLM(settings, http_client=httpx2.Client(transport=httpx2.MockTransport(handler))).client
    run(job, settings, jobs=1, client=client)
    online = [b for p in sorted((tmp_path / "docs").iterdir()) for b in online_bodies(load_document(p), settings)]
    assert sorted(sent) == sorted(online) and len(sent) == 3


def test_an_interrupted_run_sends_only_what_it_did_not_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url, 6)
        send = run_module._send
        calls = {"n": 0}

        def interrupted(*args: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 4:
                raise KeyboardInterrupt
            return send(*args)

        monkeypatch.setattr(run_module, "_send", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run(job, api_settings(server.url), jobs=1)
        sent = server.requests
        assert 3 <= sent < 6 and len(read_jsonl(Path(job) / "r1-001.output.jsonl")) == sent  # every answer kept
        monkeypatch.setattr(run_module, "_send", send)
        report = run(job, api_settings(server.url), jobs=1)
        assert report.skipped == sent and report.sent == 6 - sent and server.requests == 6  # none sent twice
    assert len({x["custom_id"] for x in read_jsonl(Path(job) / "r1-001.output.jsonl")}) == 6


def test_a_torn_last_line_is_asked_again(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url, 3)
        run(job, api_settings(server.url))
        output = Path(job) / "r1-001.output.jsonl"
        data = output.read_bytes()
        output.write_bytes(data[: len(data) - 40])  # killed mid-write
        manifest = json.loads((Path(job) / "manifest.json").read_text())
        manifest["files"][0]["ran_on"] = None
        (Path(job) / "manifest.json").write_text(json.dumps(manifest))
        report = run(job, api_settings(server.url))
        assert report.sent == 1 and report.skipped == 2 and server.requests == 4
    assert len(read_jsonl(output)) == 3


def test_refused_requests_go_to_the_errors_file(tmp_path: Path) -> None:
    with FakeOpenAIServer(fail_tags={"DOC-2"}) as server:
        job = prepared(tmp_path, server.url, 3)
        report = run(job, api_settings(server.url))
    assert report.ok == 2 and report.failed == 1
    (error,) = read_jsonl(Path(job) / "r1-001.errors.jsonl")
    assert error["response"]["status_code"] == 400 and "refused DOC-2" in error["response"]["body"]["error"]["message"]
    collected = collect(job, str(tmp_path / "out.jsonl"))
    assert collected.exit_code == 6 and [f.id for f in collected.outcome.failures] == [str(tmp_path / "docs" / "doc02.txt")]


def test_an_unreachable_server_stops_the_run(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
    job = prepared(tmp_path, url, 2)
    with pytest.raises(ConnectionFailedError):
        run(job, api_settings(url))
    manifest = json.loads((Path(job) / "manifest.json").read_text())
    assert manifest["files"][0]["ran_on"] is None
    assert not (Path(job) / "r1-001.output.jsonl").exists()


@pytest.mark.vcr(ignore_hosts=["online.invalid"])  # the online path's bytes, built in-process for comparison
def test_batch_run_on_the_local_server(tmp_path: Path) -> None:
    """The example article through prepare → run (the real local llama-server, recorded) → collect.

    The request the server got is the online path's, byte for byte; the answer goes through the online
    path's validation and grounding into a summary whose evidence stands in the article.
    """
    settings = Settings(model=config.LOCAL_MODEL, base_url=RECORDED_BASE_URL, api_key=config.LOCAL_API_KEY)
    job = str(tmp_path / "job")
    prepare([str(EXAMPLE)], job, spec(RECORDED_BASE_URL, model=config.LOCAL_MODEL))
    sent: list[bytes] = []
    http = httpx2.Client(event_hooks={"request": [lambda request: sent.append(request.read())]})
    client = LLM(settings, http_client=http).client
    report = run(job, settings, jobs=1, client=client)
    assert report.ok == 1 and report.failed == 0

    document = load_document(EXAMPLE)
    online = online_bodies(document, replace(settings, base_url="http://online.invalid/v1"))
    assert sent == online  # byte-identical to what the online path sends
    out = tmp_path / "out.jsonl"
    collected = collect(job, str(out))
    assert collected.exit_code == 0 and collected.outcome.done == 1
    (line,) = read_jsonl(out)
    assert line["status"] == "ok" and line["kind"] == "summary" and line["sha256"] == document.sha256
    result = line["result"]
    assert result["usage"]["calls"] == 1 and result["usage"]["cost_usd"] == 0.0
    assert result["provenance"]["model"] == config.LOCAL_MODEL
    grounded = [c for c in result["claims"] if c["grounded"]]
    assert len(grounded) >= len(result["claims"]) * 0.7
    for claim in grounded:
        for ev in claim["evidence"]:
            if ev["match"] == "exact":
                assert document.text[ev["start"] : ev["end"]] == ev["quote"].strip()
