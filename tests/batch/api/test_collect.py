"""``summarizer batch collect`` (summarizer.batch.api.collect) against a FAKE of the Files and Batches
endpoints (tests/_support/fake_batch_api.py): the online batch's lines, the cache, expired, cancelled and
failed batches, partial error files, follow-up rounds, online retries, and a collect interrupted."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from summarizer import pricing
from summarizer.batch import run_batch, summarize_task
from summarizer.batch.api import collect, prepare, status, submit
from summarizer.batch.api.collect import _Collect
from summarizer.batch.api.manifest import Job
from summarizer.batch.inputs import collect_inputs
from summarizer.cache import ResultCache
from summarizer.llm.client import LLM
from tests._support.batch_jobs import api_settings, long_text, read_jsonl, spec, stable
from tests._support.batches import make_docs
from tests._support.fake_batch_api import FakeBatchAPI

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake API is on loopback


@pytest.fixture
def api() -> Any:
    with FakeBatchAPI() as fake:
        yield fake


def submitted(tmp_path: Path, api: FakeBatchAPI, n: int = 4, **kw: Any) -> str:
    if not (tmp_path / "docs").exists():
        make_docs(tmp_path / "docs", n)
    job = str(tmp_path / "job")
    prepare([str(tmp_path / "docs")], job, spec(api.url, **kw.pop("spec", {})), **kw)
    submit(job, api_settings(api.url))
    return job


def do_collect(job: str, api: FakeBatchAPI, out: Path, **kw: Any) -> Any:
    return collect(job, str(out), settings=api_settings(api.url), **kw)


def files(job: str) -> list[dict[str, Any]]:
    return json.loads((Path(job) / "manifest.json").read_text())["files"]


def test_collect_writes_the_lines_an_online_batch_writes_and_fills_the_cache(
    tmp_path: Path, api: FakeBatchAPI
) -> None:
    job = submitted(tmp_path, api)
    api.run_all()
    report = do_collect(job, api, tmp_path / "batch.jsonl")
    assert report.exit_code == 0 and report.outcome.done == 4 and report.waiting == 0
    batch_lines = read_jsonl(tmp_path / "batch.jsonl")

    # the same documents through an online batch (another cache, the same endpoint and fixture answers)
    settings = api_settings(api.url)
    task = summarize_task(settings, LLM(settings))
    inputs = collect_inputs([str(tmp_path / "docs")])
    run_batch(inputs, task.work, output=str(tmp_path / "online.jsonl"), cache=None, key_for=task.key_for)
    online_lines = read_jsonl(tmp_path / "online.jsonl")
    assert api.chat_calls == 4
    by_id = {line["id"]: line for line in online_lines}
    assert [stable(line) for line in batch_lines] == [stable(by_id[line["id"]]) for line in batch_lines]
    for line in batch_lines:  # at batch prices: half of what the online batch paid
        online_usage = by_id[line["id"]]["result"]["usage"]
        assert line["result"]["usage"]["cost_usd"] == pytest.approx(online_usage["cost_usd"] / 2, abs=1e-8)

    # a later online run of the same documents, with the cache: no call at all
    with ResultCache() as cache:
        outcome = run_batch(inputs, task.work, output=str(tmp_path / "again.jsonl"), cache=cache, key_for=task.key_for)
    assert outcome.cached == 4 and api.chat_calls == 4

    again = do_collect(job, api, tmp_path / "batch.jsonl")  # collecting again: nothing new, nothing lost
    assert again.outcome.resumed == 4 and again.outcome.done == 0
    assert len(read_jsonl(tmp_path / "batch.jsonl")) == 4


def test_an_expired_batch_keeps_its_answers_and_the_rest_goes_to_a_follow_up_round(tmp_path: Path) -> None:
    with FakeBatchAPI(expire_after=2) as api:
        job = submitted(tmp_path, api, n=5)
        api.run_all()
        report = do_collect(job, api, tmp_path / "out.jsonl")
        assert report.outcome.done == 2 and report.waiting == 3
        assert report.requeued == 3 and [f["name"] for f in report.followup_files] == ["r2-001"]
        assert len(read_jsonl(Path(job) / "r2-001.jsonl")) == 3
        assert api.created == 1  # collect never submits by itself

        api.expire_after = None
        submit(job, api_settings(api.url))
        api.run_all()
        final = do_collect(job, api, tmp_path / "out.jsonl")
        assert final.outcome.done == 3 and final.waiting == 0 and final.outcome.resumed == 2
        assert sorted(Counter(api.ran).values()) == [1] * 5  # every request run once: nothing paid twice
        assert len({line["id"] for line in read_jsonl(tmp_path / "out.jsonl")}) == 5


def test_a_cancelled_batch_keeps_its_partial_answers(tmp_path: Path) -> None:
    from summarizer.batch.api import cancel

    with FakeBatchAPI(per_step=2) as api:
        job = submitted(tmp_path, api, n=5)
        api.step()
        api.step()
        cancel(job, api_settings(api.url))
        api.run_all()
        report = do_collect(job, api, tmp_path / "out.jsonl")
        assert report.outcome.done == 2 and report.requeued == 3
        assert all(f["batch_status"] == "cancelled" for f in files(job) if f["batch_id"])


def test_a_batch_that_failed_validation_is_sent_again_in_a_follow_up_round(tmp_path: Path) -> None:
    with FakeBatchAPI(fail_validation=True) as api:
        job = submitted(tmp_path, api, n=3)
        api.run_all()
        report = do_collect(job, api, tmp_path / "out.jsonl")
        assert report.outcome.done == 0 and report.requeued == 3 and report.waiting == 3


def test_a_refused_request_fails_its_document_and_is_retried_online_with_one_flag(tmp_path: Path) -> None:
    with FakeBatchAPI() as api:
        job = submitted(tmp_path, api, n=3)
        lines = read_jsonl(Path(job) / "r1-001.jsonl")
        refused = lines[1]["custom_id"]
        api.error_ids = {refused: 400}
        api.run_all()
        report = do_collect(job, api, tmp_path / "out.jsonl")
        assert report.exit_code == 6 and report.outcome.failed == 1 and report.outcome.done == 2
        ((custom_id, doc_id, why),) = report.failed_requests
        assert custom_id == refused and "HTTP 400" in why
        out = read_jsonl(tmp_path / "out.jsonl")
        assert [line["status"] for line in out] == ["ok", "error", "ok"]
        assert out[1]["id"] == doc_id and out[1]["error"]["type"] == "APIError"
        assert api.chat_calls == 0

        retried = do_collect(job, api, tmp_path / "out.jsonl", retry_online=True)
        assert retried.exit_code == 0 and retried.online_calls == 1 and api.chat_calls == 1
        assert [line["status"] for line in read_jsonl(tmp_path / "out.jsonl")] == ["ok", "ok", "ok"]
        do_collect(job, api, tmp_path / "out.jsonl", retry_online=True)
        assert api.chat_calls == 1  # answered online once; never asked again


def test_a_request_asked_online_keeps_to_the_documents_deadline_as_the_online_client_does(tmp_path: Path) -> None:
    with FakeBatchAPI(chat_delay=20.0) as api:
        job = submitted(tmp_path, api, n=1)
        api.error_ids = {read_jsonl(Path(job) / "r1-001.jsonl")[0]["custom_id"]: 400}
        api.run_all()
        settings = replace(api_settings(api.url), deadline=0.5)
        started = time.monotonic()
        report = collect(job, str(tmp_path / "out.jsonl"), settings=settings, retry_online=True)
        assert time.monotonic() - started < 10 and api.chat_calls == 1
        (line,) = read_jsonl(tmp_path / "out.jsonl")
        assert line["status"] == "error" and line["error"]["type"] == "TimedOutError"
        assert "deadline of 0.5 s" in line["error"]["message"] and report.exit_code == 6


def test_a_server_error_line_is_not_a_failure_but_a_request_to_send_again(tmp_path: Path) -> None:
    with FakeBatchAPI() as api:
        job = submitted(tmp_path, api, n=2)
        api.error_ids = {read_jsonl(Path(job) / "r1-001.jsonl")[0]["custom_id"]: 500}
        api.run_all()
        report = do_collect(job, api, tmp_path / "out.jsonl")
        assert report.outcome.failed == 0 and report.outcome.done == 1 and report.requeued == 1


def test_documents_wait_for_a_batch_still_running_even_with_the_online_flags(tmp_path: Path) -> None:
    with FakeBatchAPI(per_step=2) as api:
        job = submitted(tmp_path, api, n=4)
        api.step()
        api.step()  # two of four run; the batch is still in progress
        report = do_collect(job, api, tmp_path / "out.jsonl", online_merge=True, retry_online=True)
        assert report.outcome.done == 0 and report.waiting == 4 and report.in_flight == 4
        assert report.followup_files == [] and api.chat_calls == 0  # nothing asked twice
        api.run_all()
        assert do_collect(job, api, tmp_path / "out.jsonl").outcome.done == 4


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pricing, "context_window", lambda model: 4000)


def long_job(tmp_path: Path, api: FakeBatchAPI) -> str:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "long.txt").write_text(long_text(60), encoding="utf-8")
    make_docs(tmp_path / "docs", 1)
    return submitted(tmp_path, api)


def test_a_long_document_is_merged_in_a_follow_up_batch(tmp_path: Path, api: FakeBatchAPI, small_window: None) -> None:
    job = long_job(tmp_path, api)
    parts = files(job)[0]["requests"] - 1
    api.run_all()
    first = do_collect(job, api, tmp_path / "out.jsonl")
    assert first.outcome.done == 1 and first.waiting == 1 and first.followup_requests == 1
    (merge,) = read_jsonl(Path(job) / "r2-001.jsonl")
    assert merge["body"]["response_format"]["json_schema"]["name"] == "merge"
    assert merge["body"]["messages"][-1]["content"].count("## Part ") == parts

    submit(job, api_settings(api.url))
    api.run_all()
    final = do_collect(job, api, tmp_path / "out.jsonl")
    assert final.outcome.done == 1 and final.waiting == 0
    (line,) = [x for x in read_jsonl(tmp_path / "out.jsonl") if x["id"].endswith("long.txt")]
    assert line["result"]["usage"]["calls"] == parts + 1
    assert line["result"]["warnings"][0] == f"long document: summarised in {parts} parts and merged"


def test_online_merge_finishes_a_long_document_in_one_collect(tmp_path: Path, api: FakeBatchAPI, small_window: None) -> None:
    job = long_job(tmp_path, api)
    api.run_all()
    report = do_collect(job, api, tmp_path / "out.jsonl", online_merge=True)
    assert report.outcome.done == 2 and report.waiting == 0 and report.followup_files == []
    assert report.online_calls == 1 and api.chat_calls == 1
    (line,) = [x for x in read_jsonl(tmp_path / "out.jsonl") if x["id"].endswith("long.txt")]
    usage = line["result"]["usage"]  # the parts at batch prices, the merge at the online price
    parts_p = usage["prompt_tokens"]
    assert usage["cost_usd"] < pricing.estimate_cost("gpt-4o-mini", parts_p, usage["completion_tokens"])


def test_an_interrupted_collect_loses_nothing_and_writes_nothing_twice(
    tmp_path: Path, api: FakeBatchAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = submitted(tmp_path, api, n=6)
    api.run_all()
    settle = _Collect._settle
    seen = {"n": 0}

    def interrupted(self: _Collect, *args: Any) -> None:
        seen["n"] += 1
        if seen["n"] == 4:
            raise KeyboardInterrupt
        settle(self, *args)

    monkeypatch.setattr(_Collect, "_settle", interrupted)
    with pytest.raises(KeyboardInterrupt):
        do_collect(job, api, tmp_path / "out.jsonl")
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 3
    monkeypatch.setattr(_Collect, "_settle", settle)
    report = do_collect(job, api, tmp_path / "out.jsonl")
    assert report.outcome.resumed == 3 and report.outcome.done == 3
    ids = [line["id"] for line in read_jsonl(tmp_path / "out.jsonl")]
    assert len(ids) == len(set(ids)) == 6 and api.chat_calls == 0 and api.created == 1


def test_an_answer_asked_online_is_kept_even_if_collect_is_interrupted_right_after(
    tmp_path: Path, api: FakeBatchAPI, small_window: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = long_job(tmp_path, api)
    api.run_all()
    store = Job.store_answer

    def stored_then_interrupted(self: Job, line: bytes, **kw: Any) -> Any:
        answer = store(self, line, **kw)
        if kw.get("online"):
            raise KeyboardInterrupt
        return answer

    monkeypatch.setattr(Job, "store_answer", stored_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        do_collect(job, api, tmp_path / "out.jsonl", online_merge=True, jobs=1)
    assert api.chat_calls == 1
    monkeypatch.setattr(Job, "store_answer", store)
    report = do_collect(job, api, tmp_path / "out.jsonl", online_merge=True)
    assert report.waiting == 0 and api.chat_calls == 1  # the merge was paid once


def test_a_document_changed_since_prepare_is_not_collected_against_old_answers(tmp_path: Path, api: FakeBatchAPI) -> None:
    job = submitted(tmp_path, api, n=2)
    api.run_all()
    (tmp_path / "docs" / "doc01.txt").write_text("Something else entirely. It changed.", encoding="utf-8")
    report = do_collect(job, api, tmp_path / "out.jsonl")
    assert report.outcome.failed == 1
    (failure,) = report.outcome.failures
    assert "changed since the job was prepared" in failure.message


def test_status_after_collect_counts_the_answers(tmp_path: Path, api: FakeBatchAPI) -> None:
    job = submitted(tmp_path, api, n=3)
    api.run_all()
    do_collect(job, api, tmp_path / "out.jsonl")
    st = status(job, api_settings(api.url))
    assert st.answered == 3 and st.failed_answers == 0 and st.settled


def test_jsonl_lines_and_relative_paths_are_named_as_the_online_batch_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.batch.api import run
    from tests._support.fake_openai_server import FakeOpenAIServer

    monkeypatch.chdir(tmp_path)
    make_docs(Path("docs"), 2)
    Path("items.jsonl").write_text(
        json.dumps({"id": "a", "text": "The ferry resumed on Monday. It had stopped for 3 weeks."}) + "\n"
        + json.dumps({"id": 7, "text": "The pier opened in May. It cost 4 million dollars."}) + "\n",
        encoding="utf-8",
    )
    specs = ["docs", "items.jsonl"]
    with FakeOpenAIServer() as server:
        prepare(specs, "job", spec(server.url))
        run("job", api_settings(server.url))
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")  # collect from another folder: the job knows where they were
        report = collect(str(tmp_path / "job"), str(tmp_path / "batch.jsonl"))
        assert report.outcome.done == 4 and report.exit_code == 0
        monkeypatch.chdir(tmp_path)
        settings = api_settings(server.url)
        task = summarize_task(settings, LLM(settings))
        run_batch(collect_inputs(specs), task.work, output="online.jsonl", key_for=task.key_for)
    batch_lines = read_jsonl(tmp_path / "batch.jsonl")
    online = {line["id"]: line for line in read_jsonl(tmp_path / "online.jsonl")}
    assert [line["id"] for line in batch_lines] == ["docs/doc01.txt", "docs/doc02.txt", "a", "7"]
    assert [stable(line) for line in batch_lines] == [stable(online[line["id"]]) for line in batch_lines]
    assert batch_lines[2]["result"]["provenance"]["source_path"] == "items.jsonl#a"


def test_a_request_two_waiting_documents_share_is_sent_again_once(tmp_path: Path) -> None:
    from tests._support.batches import article

    (tmp_path / "docs").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "docs" / name).write_text(article(1), encoding="utf-8")  # the same text twice
    with FakeBatchAPI(expire_after=0) as api:
        job = submitted(tmp_path, api)
        api.run_all()
        report = do_collect(job, api, tmp_path / "out.jsonl")
        assert report.waiting == 2 and report.requeued == 1
        assert len(read_jsonl(Path(job) / "r2-001.jsonl")) == 1
        api.expire_after = None
        submit(job, api_settings(api.url))
        api.run_all()
        assert do_collect(job, api, tmp_path / "out.jsonl").outcome.done == 2
        assert len(api.ran) == 1
