"""A damaged job folder (summarizer.batch.api.manifest, .integrity): every command says which file is wrong,
in one line, and does nothing else: no traceback, no request sent, no result written, never "done".
Against the fake chat server and the fake Batch API (tests/_support)."""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch.api import cancel, collect, prepare, run, status, submit
from summarizer.batch.api.manifest import Job, read_manifest
from summarizer.errors import ConfigError
from tests._support.batch_jobs import api_settings, read_jsonl, spec
from tests._support.batches import make_docs
from tests._support.fake_batch_api import FakeBatchAPI
from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fakes are on loopback

URL = "http://test.invalid/v1"


def prepared(tmp_path: Path, url: str = URL, n: int = 2, **kw: Any) -> Path:
    make_docs(tmp_path / "docs", n)
    prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(url), use_cache=False, **kw)
    return tmp_path / "job"


def edit_manifest(job: Path, change: Callable[[dict[str, Any]], object]) -> None:
    path = job / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


# --- request files (batch run, batch submit) ---------------------------------------------------------


def corrupt_second_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1][:40] + b"\n"  # cut inside the JSON
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (corrupt_second_line, "r1-001.jsonl: line 2 is not a batch request line (not JSON: "),
        (lambda p: p.write_bytes(p.read_bytes() + b'{"custom_id": "x", "method": "POST"}\n'),
         "r1-001.jsonl: line 4 is not a batch request line (request x: no body)"),
        (lambda p: p.write_bytes(p.read_bytes() + b"[1, 2]\n"), "line 4 is not a batch request line (not a JSON object)"),
        (lambda p: p.write_bytes(b"".join(p.read_bytes().splitlines(keepends=True)[:2])),
         "r1-001.jsonl: holds 2 request(s) where the manifest has 3"),
        (lambda p: p.unlink(), "r1-001.jsonl: missing"),
    ],
)  # fmt: skip
def test_run_refuses_a_damaged_request_file_before_sending_anything(
    tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url, n=3)
        damage(job / "r1-001.jsonl")
        with pytest.raises(ConfigError) as err:
            run(str(job), api_settings(server.url))
        assert server.requests == 0
    assert message in err.value.message and "\n" not in err.value.message
    assert not (job / "r1-001.output.jsonl").exists()
    assert read_manifest(job)["files"][0]["ran_on"] is None  # not marked as run


def test_submit_uploads_nothing_from_a_damaged_request_file(tmp_path: Path) -> None:
    with FakeBatchAPI() as api:
        job = prepared(tmp_path, api.url, n=4, max_requests=2)
        corrupt_second_line(job / "r1-002.jsonl")
        with pytest.raises(ConfigError, match=r"r1-002\.jsonl: line 2 is not a batch request line"):
            submit(str(job), api_settings(api.url))
        assert api.uploads == 0 and api.created == 0  # r1-001 is good, but nothing goes from a damaged job
    assert all(f["input_file_id"] is None and f["intent"] is None for f in read_manifest(job)["files"])


# --- the manifest --------------------------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data[key]  # type: ignore[index]
        if value is _DELETE:
            del data[last]
        else:
            data[last] = value

    return change


_DELETE = object()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("limits", "x"), "limits should be a JSON object (got 'x')"),
        (_set("limits.requests_per_file", 0), "limits.requests_per_file should be greater than or equal to 1"),
        (_set("documents", "2"), "documents should be a whole number (got '2')"),
        (_set("spec.model", _DELETE), "spec.model is missing"),
        (_set("spec.claims", "one claim"), "spec.claims should be a JSON list"),
        (_set("spec.kind", "translate"), "spec.kind should be 'summarize' or 'check'"),
        (_set("files", {"name": "r1-001"}), "files should be a JSON list"),
        (_set("files.0.round", "1"), "files[0].round should be a whole number (got '1')"),
        (_set("files.0.requests", None), "files[0].requests should be a whole number (got None)"),
        (_set("files.0.name", "../../etc/passwd"), "files[0].name should match pattern"),
        (_set("files.0.intent", "launch"), "files[0].intent should be 'upload' or 'create'"),
        (_set("files.0.downloaded", "yes"), "files[0].downloaded should be true or false"),
        (_set("job_id", 7), "job_id should be a string (got 7)"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_one_line_naming_the_field(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    job = prepared(tmp_path)
    edit_manifest(job, change)
    before = (job / "manifest.json").read_bytes()
    with pytest.raises(ConfigError) as err:
        collect(str(job), str(tmp_path / "out.jsonl"))
    assert err.value.message.startswith(f"{job / 'manifest.json'}: not a valid job manifest: ")
    assert message in err.value.message and "\n" not in err.value.message
    assert (job / "manifest.json").read_bytes() == before  # not rewritten
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("command", ["status", "run", "submit", "cancel", "prepare"])
def test_every_command_validates_the_manifest(tmp_path: Path, command: str) -> None:
    job = prepared(tmp_path)
    edit_manifest(job, _set("limits", "x"))
    calls: dict[str, Callable[[], object]] = {
        "status": lambda: status(str(job), None),
        "run": lambda: run(str(job), api_settings(URL)),
        "submit": lambda: submit(str(job), api_settings(URL)),
        "cancel": lambda: cancel(str(job), api_settings(URL)),
        "prepare": lambda: prepare([str(tmp_path / "docs")], str(job), spec(URL), use_cache=False),
    }
    with pytest.raises(ConfigError, match=r"manifest\.json: not a valid job manifest: limits should be"):
        calls[command]()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "manifest.json: not a valid job manifest (not JSON: "),
        ("[1, 2]", "manifest.json: not a valid job manifest: the manifest should be a JSON object"),
        ('{"format": 99}', "a batch job of another format (99)"),
    ],
)
def test_a_manifest_that_is_not_one_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    job = prepared(tmp_path)
    good = (job / "manifest.json").read_text()
    (job / "manifest.json").write_text(text)
    for read in (Job, read_manifest, lambda j: Job(j, create=True)):
        with pytest.raises(ConfigError) as err:
            read(job)
        assert message in err.value.message and "\n" not in err.value.message
    (job / "manifest.json").write_text(good)
    with Job(job) as again:  # the refusals let the job's lock go
        assert again.prepared


def test_a_manifest_keeps_the_fields_it_does_not_check(tmp_path: Path) -> None:
    """Validation refuses the wrong shape only: fields a later version adds, and those no step reads, stay."""
    job = prepared(tmp_path)
    edit_manifest(job, lambda m: m.update(added_later={"x": 1}, tool_version=None))
    with Job(job) as j:
        j.save()
    assert read_manifest(job)["added_later"] == {"x": 1}


# --- the state -----------------------------------------------------------------------------------------


def test_a_missing_state_is_an_error_not_a_job_with_nothing_to_do(tmp_path: Path) -> None:
    job = prepared(tmp_path)
    (job / "state.sqlite3").unlink()
    for command in (lambda: collect(str(job), str(tmp_path / "out.jsonl")), lambda: status(str(job), None)):
        with pytest.raises(ConfigError, match=r"state\.sqlite3: missing: this job's documents and the answers"):
            command()
    assert not (job / "state.sqlite3").exists()  # not recreated empty
    assert not (tmp_path / "out.jsonl").exists()


def test_a_state_without_the_manifests_documents_is_damaged(tmp_path: Path) -> None:
    job = prepared(tmp_path, n=3)
    db = sqlite3.connect(job / "state.sqlite3")
    db.execute("DELETE FROM documents WHERE n = 2")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match=r"state\.sqlite3: holds 2 document\(s\) where the manifest has 3"):
        collect(str(job), str(tmp_path / "out.jsonl"))
    assert not (tmp_path / "out.jsonl").exists()
    (job / "state.sqlite3").write_bytes(b"")  # emptied: sqlite reads it as a new database
    with pytest.raises(ConfigError, match=r"holds 0 document\(s\) where the manifest has 3"):
        status(str(job), None)


# --- the list of documents -----------------------------------------------------------------------------


def _swap_first_two(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([lines[1], lines[0], *lines[2:]]))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_text("{bad\n"), "documents.jsonl: line 1 is not a document of the list"),
        (lambda p: p.write_text(""), "documents.jsonl: lists 0 of the job's 2 document(s)"),
        (_swap_first_two, "documents.jsonl: line 1 lists document"),
        (lambda p: p.write_text(p.read_text() + p.read_text().splitlines(keepends=True)[0]),
         "line 3 lists document"),
    ],
)  # fmt: skip
def test_collect_refuses_a_damaged_list_of_documents(
    tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url)
        run(str(job), api_settings(server.url))  # every answer is in: a good collect would say "done"
    damage(job / "documents.jsonl")
    with pytest.raises(ConfigError) as err:
        collect(str(job), str(tmp_path / "out.jsonl"))
    assert message in err.value.message and "\n" not in err.value.message
    assert not (tmp_path / "out.jsonl").exists()


def test_a_missing_list_of_documents_is_logged_and_the_paid_answers_still_collected(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url)
        run(str(job), api_settings(server.url))
    (job / "documents.jsonl").unlink()
    with caplog.at_level(logging.WARNING, logger="summarizer.batch.api.integrity"):
        report = collect(str(job), str(tmp_path / "out.jsonl"))
    assert report.outcome.done == 2 and report.exit_code == 0
    assert "documents.jsonl: missing" in caplog.text


def test_an_intact_job_collects_after_the_checks(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url, n=3)
        run(str(job), api_settings(server.url))
    report = collect(str(job), str(tmp_path / "out.jsonl"))
    assert report.outcome.done == 3 and report.waiting == 0 and report.exit_code == 0
    assert [line["status"] for line in read_jsonl(tmp_path / "out.jsonl")] == ["ok"] * 3


def test_an_answer_line_that_is_not_one_is_logged_and_its_request_asked_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpenAIServer() as server:
        job = prepared(tmp_path, server.url)
        run(str(job), api_settings(server.url))
    output = job / "r1-001.output.jsonl"
    output.write_bytes(b"{torn\n" + output.read_bytes().splitlines(keepends=True)[1])
    with caplog.at_level(logging.WARNING, logger="summarizer.batch.api.manifest"):
        report = collect(str(job), str(tmp_path / "out.jsonl"))
    assert "r1-001.output.jsonl: the line at byte 0 is not an answer line" in caplog.text
    assert report.outcome.done == 1 and report.waiting == 1 and report.followup_requests == 1


# --- limits and intervals ------------------------------------------------------------------------------


@pytest.mark.parametrize(("max_requests", "max_bytes"), [(0, None), (-1, None), (None, 0), (None, 1023)])
def test_a_zero_limit_is_refused_not_taken_for_the_default(
    tmp_path: Path, max_requests: int | None, max_bytes: int | None
) -> None:
    make_docs(tmp_path / "docs", 1)
    with pytest.raises(ConfigError, match="a batch file must hold at least one request and 1 KB"):
        prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL), max_requests=max_requests,
                max_bytes=max_bytes)  # fmt: skip
    assert not (tmp_path / "job" / "manifest.json").exists()


@pytest.mark.parametrize("interval", [0.0, -5.0, math.nan, math.inf])
def test_status_refuses_to_wait_without_an_interval(tmp_path: Path, interval: float) -> None:
    job = prepared(tmp_path)
    with pytest.raises(ConfigError, match="--interval must be a number of seconds above 0"):
        status(str(job), None, wait=True, interval=interval)
    assert status(str(job), None, interval=interval).documents == 2  # without --wait it is not used
