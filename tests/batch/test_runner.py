"""Batches against the in-test fake OpenAI-compatible server (tests/_support/fake_openai_server.py, a
fixture), run by summarizer.batch.runner.

Streaming JSONL, the result cache, resume (simulated and after a real kill -9 and Ctrl-C), failures,
--max-cost, the --jobs bound, and no secret in anything written. Inputs, tasks, the dry run and the
progress bar have their own modules beside this one.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from summarizer import batch
from summarizer.batch import BudgetExceededError, collect_inputs, run_batch
from summarizer.cache import ResultCache
from summarizer.errors import ConfigError
from summarizer.llm.client import LLM
from summarizer.settings import Settings
from summarizer.types import CheckReport, Summary, Usage
from tests._support.batches import SECRET, article, make_docs, read_lines, settings_for, summarize_run
from tests._support.fake_openai_server import FakeOpenAIServer
from tests._support.paths import ROOT

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback


# --- streaming, errors, cache -------------------------------------------------------------------------


class LineWatcher:
    """A progress sink that records how many lines the output file held after each document."""

    def __init__(self, output: Path) -> None:
        self.output, self.total = output, 0
        self.seen: list[int] = []

    def start(self, total: int, initial: int) -> None:
        self.total = total

    def advance(self, outcome: batch.BatchOutcome) -> None:
        self.seen.append(len(self.output.read_bytes().splitlines()))

    def message(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def test_lines_stream_as_documents_complete_and_a_bad_one_does_not_stop_the_batch(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    docs = make_docs(tmp_path / "in", 5)
    (tmp_path / "in" / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    server.fail_tags = {"DOC-4"}
    out = tmp_path / "results.jsonl"
    watcher = LineWatcher(out)
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        outcome = summarize_run(
            server, collect_inputs([str(tmp_path / "in")]), out, cache=cache, jobs=2, progress=watcher
        )
    # each document's line is on disk (fsync'd) by the time it is reported done
    assert len(watcher.seen) == 6 and all(n >= i for i, n in enumerate(watcher.seen, 1))
    assert (outcome.done, outcome.failed, outcome.cached, outcome.resumed) == (4, 2, 0, 0)
    assert outcome.exit_code == batch.EXIT_SOME_FAILED
    assert outcome.usage.calls == 4 and outcome.usage.cost_usd and outcome.usage.cost_usd > 0
    assert {f.type for f in outcome.failures} == {"InputError", "APIError"}

    lines = {r["id"]: r for r in read_lines(out)}
    assert len(lines) == 6
    for p in docs:
        r = lines[str(p)]
        assert r["path"] == str(p) and r["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
        if "DOC-4" in p.read_text():
            assert r["status"] == "error" and r["result"] is None
            assert r["error"]["type"] == "APIError" and r["error"]["exit_code"] == 18
            continue
        assert r["status"] == "ok" and r["cached"] is False and r["error"] is None and r["kind"] == "summary"
        summary = Summary.model_validate(r["result"])
        assert summary.provenance.source_sha256 == r["sha256"]
        assert all(c.grounded for c in summary.claims)
    binary = lines[str(tmp_path / "in" / "binary.txt")]
    assert binary["status"] == "error" and binary["sha256"] is None
    assert binary["error"]["type"] == "InputError" and "binary" in binary["error"]["message"]
    assert binary["error"]["exit_code"] == 2


def test_second_run_makes_zero_model_calls_and_no_cache_calls_again(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    make_docs(tmp_path / "in", 4)
    inputs = collect_inputs([str(tmp_path / "in")])
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        first = summarize_run(server, inputs, tmp_path / "one.jsonl", cache=cache, jobs=3)
        assert first.done == 4 and server.requests == 4
        second = summarize_run(server, inputs, tmp_path / "two.jsonl", cache=cache, jobs=3)
        assert server.requests == 4  # zero model calls
        assert (second.done, second.cached, second.usage.calls) == (4, 4, 0)
    a = {r["id"]: r for r in read_lines(tmp_path / "one.jsonl")}
    b = {r["id"]: r for r in read_lines(tmp_path / "two.jsonl")}
    assert all(r["cached"] for r in b.values())
    assert {k: v["result"] for k, v in a.items()} == {k: v["result"] for k, v in b.items()}
    # --no-cache: cache=None calls the model again
    third = summarize_run(server, inputs, tmp_path / "three.jsonl", cache=None, jobs=3)
    assert third.cached == 0 and server.requests == 8


def test_a_cache_hit_names_the_file_read_this_time(tmp_path: Path, server: FakeOpenAIServer) -> None:
    (original,) = make_docs(tmp_path / "a", 1)
    copy = tmp_path / "b" / "same-text.txt"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())  # same content, so the same cache key
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        summarize_run(server, collect_inputs([str(original)]), tmp_path / "one.jsonl", cache=cache, jobs=1)
        summarize_run(server, collect_inputs([str(copy)]), tmp_path / "two.jsonl", cache=cache, jobs=1)
    assert server.requests == 1
    (line,) = read_lines(tmp_path / "two.jsonl")
    assert line["cached"] and line["result"]["provenance"]["source_path"] == str(copy)


# --- resume -------------------------------------------------------------------------------------------


def test_resume_keeps_ok_lines_retries_errors_and_drops_a_torn_line(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    docs = make_docs(tmp_path / "in", 6)
    out = tmp_path / "results.jsonl"

    def line(p: Path, status: str, result: Any, error: Any) -> str:
        record = {"id": str(p), "path": str(p), "sha256": "x", "kind": "summary", "status": status}
        return json.dumps({**record, "cached": False, "result": result, "error": error})

    ok_lines = [line(p, "ok", {"kept": i}, None) for i, p in enumerate(docs[:2])]
    error_line = line(docs[2], "error", None, {"type": "APIError", "message": "m", "exit_code": 18})
    torn = '{"id": "' + str(docs[3]) + '", "path": "'
    out.write_text("\n".join([*ok_lines, error_line]) + "\n" + torn, encoding="utf-8")

    outcome = summarize_run(server, collect_inputs([str(tmp_path / "in")]), out, cache=None, jobs=2)
    assert (outcome.resumed, outcome.done, outcome.failed) == (2, 4, 0)
    assert sorted(server.tags) == ["DOC-3", "DOC-4", "DOC-5", "DOC-6"]  # ok ones not paid again
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\n".join(ok_lines) + "\n")  # kept byte for byte
    ids = [r["id"] for r in read_lines(out)]
    assert Counter(ids) == Counter(str(p) for p in docs)  # each exactly once
    assert all(r["status"] == "ok" for r in read_lines(out))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_failures_are_retried_on_the_next_run(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 4)
    server.fail_times = {"DOC-2": 1}
    out = tmp_path / "results.jsonl"
    inputs = collect_inputs([str(tmp_path / "in")])
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        first = summarize_run(server, inputs, out, cache=cache, jobs=2)
        assert first.failed == 1 and first.failures[0].id.endswith("doc02.txt")
        second = summarize_run(server, inputs, out, cache=cache, jobs=2)
    assert (second.resumed, second.done, second.failed) == (3, 1, 0)
    assert server.tags.count("DOC-2") == 2 and server.requests == 5
    records = read_lines(out)
    assert len(records) == 4 and all(r["status"] == "ok" for r in records)


def test_output_that_is_not_a_results_file_is_left_alone(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 1)
    out = tmp_path / "notes.jsonl"
    out.write_text("my precious notes\nmore\n")
    with pytest.raises(ConfigError, match="not a batch result line"):
        summarize_run(server, collect_inputs([str(tmp_path / "in")]), out, cache=None)
    assert out.read_text() == "my precious notes\nmore\n" and server.requests == 0


def test_resuming_a_check_file_as_summaries_is_refused(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 1)
    out = tmp_path / "r.jsonl"
    out.write_text(json.dumps({"id": "z", "kind": "check", "status": "ok"}) + "\n")
    with pytest.raises(ConfigError, match="holds check results"):
        summarize_run(server, collect_inputs([str(tmp_path / "in")]), out, cache=None)


def test_a_second_batch_cannot_write_the_same_file(tmp_path: Path, server: FakeOpenAIServer) -> None:
    import fcntl

    make_docs(tmp_path / "in", 1)
    out = tmp_path / "r.jsonl"
    with open(out, "ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(ConfigError, match="another batch is writing"):
            summarize_run(server, collect_inputs([str(tmp_path / "in")]), out, cache=None)
    assert server.requests == 0


CHILD = textwrap.dedent(
    """
    import json, signal, sys
    # Ctrl-C raises KeyboardInterrupt here even when the test run itself was started in the background
    # (a non-interactive shell's `cmd &` ignores SIGINT, and a child inherits that)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from summarizer import batch
    from summarizer.cache import ResultCache
    from summarizer.llm.client import LLM
    from summarizer.settings import Settings

    url, out, folder, cache_path, jobs = sys.argv[1:6]
    s = Settings(model="gpt-4o-mini", base_url=url, api_key=sys.argv[6], max_retries=0, timeout=60)
    task = batch.summarize_task(s, LLM(s))
    cache = ResultCache(cache_path) if cache_path != "-" else None
    outcome = batch.run_batch(batch.collect_inputs([folder]), task.work, jobs=int(jobs), output=out,
                              cache=cache, key_for=task.key_for)
    print(json.dumps({"done": outcome.done, "resumed": outcome.resumed, "interrupted": outcome.interrupted}))
    sys.exit(outcome.exit_code)
    """
)


def _child(tmp_path: Path, srv: FakeOpenAIServer, out: Path, cache: str, jobs: int) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(script), srv.url, str(out), str(tmp_path / "in"), cache, str(jobs), SECRET]
    return subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for_lines(out: Path, n: int, proc: subprocess.Popen[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= n:
            return
        if proc.poll() is not None:
            raise AssertionError(f"child ended early: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"no {n} lines in {out} after {timeout} s")


def _wait_for_stderr(proc: subprocess.Popen[str], text: str, timeout: float = 20.0) -> str:
    """What the child has written to stderr, read until ``text`` appears (a fixed sleep instead let a
    loaded machine start another document before the child took its Ctrl-C)."""
    assert proc.stderr is not None
    fd, seen, deadline = proc.stderr.fileno(), b"", time.monotonic() + timeout
    while text.encode() not in seen:
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"no {text!r} on the child's stderr after {timeout} s: {seen.decode(errors='replace')}")
        if not select.select([fd], [], [], 0.05)[0]:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:  # the child ended without saying it
            raise AssertionError(f"no {text!r} on the child's stderr: {seen.decode(errors='replace')}")
        seen += chunk
    return seen.decode()


def _wait_in_flight(srv: FakeOpenAIServer, n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with srv.lock:
            if srv.in_flight >= n:
                return
        time.sleep(0.01)
    raise AssertionError(f"fewer than {n} calls in flight")


def test_kill_9_then_rerun_finishes_each_document_once_and_pays_once(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    """Without the cache, so that only the resumed output keeps anything from being paid twice."""
    n, jobs, before_kill = 10, 3, 4
    make_docs(tmp_path / "in", n)
    out = tmp_path / "results.jsonl"
    cache = "-"
    server.latency = 0.02
    server.hold_after(before_kill)  # answer 4 calls, then hold the next ones (they are in flight)
    proc = _child(tmp_path, server, out, cache, jobs)
    _wait_for_lines(out, before_kill, proc)
    _wait_in_flight(server, jobs)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    server.release()
    server.wait_idle()
    assert server.abandoned == jobs  # the calls in flight at the kill were never answered
    assert len(read_lines(out)) == before_kill

    proc = _child(tmp_path, server, out, cache, jobs)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert json.loads(stdout)["resumed"] == before_kill
    records = read_lines(out)
    assert Counter(r["id"] for r in records) == Counter(str(p) for p in sorted((tmp_path / "in").iterdir()))
    assert all(r["status"] == "ok" for r in records)
    # Nothing paid twice: every document was answered exactly once, in one run or the other.
    assert Counter(server.answered_tags) == Counter(f"DOC-{i}" for i in range(1, n + 1))
    assert server.requests == n + server.abandoned
    assert SECRET not in out.read_text() + stdout + stderr


def test_ctrl_c_finishes_running_documents_and_rerun_continues(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    n, jobs = 8, 2
    make_docs(tmp_path / "in", n)
    out = tmp_path / "results.jsonl"
    server.hold_after(3)
    proc = _child(tmp_path, server, out, "-", jobs)
    _wait_for_lines(out, 3, proc)
    _wait_in_flight(server, jobs)
    proc.send_signal(signal.SIGINT)
    # the child has taken the Ctrl-C (and will start nothing more) before the held calls are answered
    said = _wait_for_stderr(proc, "interrupted: finishing")
    server.release()  # the running documents complete after Ctrl-C
    stdout, rest = proc.communicate(timeout=30)
    stderr = said + rest
    assert proc.returncode == batch.EXIT_INTERRUPTED, stderr
    assert json.loads(stdout)["interrupted"] is True
    assert "finishing 2 running document(s)" in stderr
    assert len(read_lines(out)) == 3 + jobs  # whatever was running is in the output
    assert server.abandoned == 0

    proc = _child(tmp_path, server, out, "-", jobs)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert Counter(r["id"] for r in read_lines(out)) == Counter(
        str(p) for p in sorted((tmp_path / "in").iterdir())
    )
    assert Counter(server.answered_tags) == Counter(f"DOC-{i}" for i in range(1, n + 1))


# --- cost control -------------------------------------------------------------------------------------


def test_max_cost_refuses_to_start(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 5)
    inputs = collect_inputs([str(tmp_path / "in")])
    s = settings_for(server)
    task = batch.summarize_task(s)
    dry = batch.dry_run_batch(inputs, task.estimate)
    assert dry.calls_documents == 5 and dry.cost_usd is not None and dry.cost_usd > 0
    assert dry.prompt_tokens == sum(r.prompt_tokens for r in dry.rows) > 0
    out = tmp_path / "r.jsonl"
    with pytest.raises(BudgetExceededError, match="over --max-cost") as exc:
        summarize_run(server, inputs, out, cache=None, max_cost=dry.cost_usd * 0.9)
    assert exc.value.exit_code == 5
    assert server.requests == 0 and not out.exists()


def test_max_cost_stops_cleanly_when_spending_runs_ahead_of_the_estimate(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    make_docs(tmp_path / "in", 6)
    inputs = collect_inputs([str(tmp_path / "in")])
    server.usage = (1000, 40_000)  # each call costs ~$0.024, far over its ~$0.0007 estimate
    out = tmp_path / "r.jsonl"
    outcome = summarize_run(server, inputs, out, cache=None, jobs=1, max_cost=0.04)
    # doc 1 spends 0.024; doc 2 still fits (0.024 + estimate); after it 0.048 + estimate > 0.04: stop
    assert (outcome.done, outcome.stopped_by_budget, len(outcome.not_started)) == (2, True, 4)
    assert outcome.exit_code == batch.EXIT_BUDGET and server.requests == 2
    assert "--max-cost reached" in batch.format_outcome(outcome)
    server.usage = None
    rest = summarize_run(server, inputs, out, cache=None, jobs=2, max_cost=1.0)
    assert (rest.resumed, rest.done, rest.exit_code) == (2, 4, 0) and server.requests == 6
    assert len(read_lines(out)) == 6


def test_the_budget_is_the_output_files_and_a_rerun_does_not_spend_it_again(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    make_docs(tmp_path / "in", 6)
    inputs = collect_inputs([str(tmp_path / "in")])
    server.usage = (1000, 40_000)  # ~$0.024 a call
    out = tmp_path / "r.jsonl"
    first = summarize_run(server, inputs, out, cache=None, jobs=1, max_cost=0.04)
    assert first.stopped_by_budget and first.done == 2 and server.requests == 2
    # the same command again: the file's results already cost ~$0.048 of the $0.04, nothing more runs
    with pytest.raises(BudgetExceededError, match=r"already cost \$0\.04"):
        summarize_run(server, inputs, out, cache=None, jobs=1, max_cost=0.04)
    assert server.requests == 2
    task = batch.summarize_task(settings_for(server))
    dry = batch.dry_run_batch(inputs, task.estimate, output=str(out), kind="summary")
    assert dry.spent_usd == pytest.approx(2 * (1000 * 0.15 + 40_000 * 0.60) / 1e6) and dry.over_budget(0.04)
    assert "already cost" in batch.format_dry_run(dry, "gpt-4o-mini")
    # another output file is another budget
    other = summarize_run(server, inputs[:1], tmp_path / "other.jsonl", cache=None, jobs=1, max_cost=0.04)
    assert other.done == 1 and other.previously_spent_usd == 0


@pytest.mark.parametrize("budget", [float("nan"), float("inf"), -1.0])
def test_a_budget_must_be_finite_and_not_negative(tmp_path: Path, budget: float) -> None:
    make_docs(tmp_path / "in", 1)

    def estimate(document: object) -> Any:
        raise AssertionError("never estimated")

    with pytest.raises(ConfigError, match="finite amount"):
        run_batch(collect_inputs([str(tmp_path / "in")]), lambda d: Usage(), output=None,
                  max_cost=budget, estimate=estimate)  # fmt: skip


# --- concurrency and secrets --------------------------------------------------------------------------


def test_jobs_bound_concurrent_calls(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 12)
    server.latency = 0.1
    outcome = summarize_run(
        server, collect_inputs([str(tmp_path / "in")]), tmp_path / "r.jsonl", cache=None, jobs=3
    )
    assert outcome.done == 12
    # never more than --jobs, and --jobs are used: concurrent, not one by one (no wall-clock assertion:
    # speed is the benchmark's business, and a cold import would make a timer flaky)
    assert server.max_in_flight == 3


def test_workers_take_turns_at_their_own_work_and_wait_for_the_model_together(tmp_path: Path) -> None:
    import threading

    from summarizer import turns
    from summarizer.types import Usage

    make_docs(tmp_path / "in", 6)
    jobs = 3
    all_waiting = threading.Barrier(jobs, timeout=10)  # passes only when every worker waits at once
    lock = threading.Lock()
    inside, most = 0, 0

    def own_work() -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.005)  # lets another thread run, were it not for the turns
        with lock:
            inside -= 1

    def work(document: object) -> Usage:
        own_work()
        with turns.waiting():  # what the model client does around a call
            all_waiting.wait()
        own_work()
        return Usage()

    outcome = run_batch(
        collect_inputs([str(tmp_path / "in")]), work, jobs=jobs, output=str(tmp_path / "r.jsonl")
    )
    assert outcome.done == 6 and outcome.failed == 0
    assert most == 1


def test_no_secret_in_output_cache_or_errors(
    tmp_path: Path, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer import cli

    make_docs(tmp_path / "in", 3)
    server.fail_tags = {"DOC-2"}
    cache_dir = tmp_path / "cache"  # SUMMARIZER_CACHE_DIR (tests/conftest.py)
    out = tmp_path / "r.jsonl"
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    code = cli.main(["summarize", str(tmp_path / "in"), "--base-url", server.url, "-o", str(out), "-j", "2"])
    err = capsys.readouterr().err
    assert code == batch.EXIT_SOME_FAILED
    assert all(h == f"Bearer {SECRET}" for h in server.auth_headers) and server.requests == 3
    written = out.read_bytes() + b"".join(p.read_bytes() for p in cache_dir.iterdir() if p.is_file())
    assert written and SECRET.encode() not in written
    assert SECRET not in err
    assert "2 of 3 document(s) ok, 1 failed" in err and "DOC" not in err.split("\n")[0]


def test_secrets_are_scrubbed_from_error_messages(tmp_path: Path) -> None:
    make_docs(tmp_path / "in", 1)

    def leaky(document: object) -> Summary:
        raise RuntimeError(f"boom with {SECRET} and Bearer abcdefghijkl")

    out = tmp_path / "r.jsonl"
    outcome = run_batch(collect_inputs([str(tmp_path / "in")]), leaky, output=str(out), secrets=[SECRET])
    assert outcome.failed == 1 and outcome.failures[0].exit_code == 1
    text = out.read_text()
    assert SECRET not in text and "abcdefghijkl" not in text and "RuntimeError: boom" in text


# --- check batches, the command, the progress bar -----------------------------------------------------


def test_check_batch_with_per_line_claims(tmp_path: Path, server: FakeOpenAIServer) -> None:
    lines = [
        {"id": "one", "text": article(1), "claims": ["The council met on Friday.", "Pigs can fly."]},
        {"id": "two", "text": article(2), "summary": "The bridge is approved. It opens in 1999."},
        {"id": "three", "text": article(3)},  # takes the claims given on the command line
    ]
    src = tmp_path / "pairs.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "checks.jsonl"
    s = settings_for(server)
    inputs = collect_inputs([str(src)])
    task = batch.task_for("check", inputs, s, LLM(s), mode="model", claims=["The mayor resigned."])
    cache = str(tmp_path / "c.sqlite3")
    outcome = batch.run_task(inputs, task, output=str(out), cache_path=cache)
    assert outcome.exit_code == 0, outcome.failures
    calls = server.requests
    assert calls >= 3
    records = {r["id"]: r for r in read_lines(out)}
    assert {r["kind"] for r in records.values()} == {"check"}
    reports = {k: CheckReport.model_validate(r["result"]) for k, r in records.items()}
    assert [c.claim for c in reports["one"].claims] == ["The council met on Friday.", "Pigs can fly."]
    assert [c.claim for c in reports["three"].claims] == ["The mayor resigned."]
    assert len(reports["two"].claims) == 2  # decomposed from the summary
    again = tmp_path / "again.jsonl"
    assert batch.run_task(inputs, task, output=str(again), cache_path=cache).exit_code == 0
    assert server.requests == calls and all(r["cached"] for r in read_lines(again))


def test_check_with_nothing_to_check_is_a_config_error(tmp_path: Path) -> None:
    make_docs(tmp_path / "in", 1)
    inputs = collect_inputs([str(tmp_path / "in")])
    with pytest.raises(ConfigError, match="nothing to check"):
        batch.task_for("check", inputs, None)
    assert not batch.check_needs_model(inputs, mode="local", split="model")
    assert batch.check_needs_model(inputs, mode="local", split="model", summary="A summary.")
    assert batch.check_needs_model(inputs, mode="hybrid", split="sentences")


def test_command_dry_run_and_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from summarizer import cli

    make_docs(tmp_path / "in", 3)
    base = ["summarize", str(tmp_path / "in"), "--dry-run", "-m", "gpt-4o-mini", "--base-url", "http://127.0.0.1:9/v1"]
    assert cli.main([*base, "-f", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["to_run"] == 3 and len(info["rows"]) == 3 and info["estimated_cost_usd"] > 0
    assert cli.main([*base, "--max-cost", "0.000001"]) == batch.EXIT_BUDGET
    assert "over --max-cost" in capsys.readouterr().err
    # the library returns the estimate and prints nothing
    inputs = collect_inputs([str(tmp_path / "in")])
    s = Settings(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1", api_key=SECRET)
    dry = batch.dry_run_task(inputs, batch.task_for("summarize", inputs, s))
    assert dry.calls_documents == 3 and capsys.readouterr() == ("", "")


def test_stdout_output_streams_lines(
    tmp_path: Path, server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    make_docs(tmp_path / "in", 2)
    s = settings_for(server)
    task = batch.summarize_task(s, LLM(s))
    outcome = run_batch(collect_inputs([str(tmp_path / "in")]), task.work, output="-")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert outcome.done == 2 and sorted(r["status"] for r in lines) == ["ok", "ok"]
