"""``summarizer batch prepare|submit|status|cancel|collect|run`` from the command line, against a FAKE of the
Files and Batches endpoints (tests/_support/fake_batch_api.py) and the fake chat server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer import cli
from tests._support.batch_jobs import KEY, read_jsonl
from tests._support.batches import make_docs
from tests._support.fake_batch_api import FakeBatchAPI
from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fakes are on loopback


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_prepare_submit_status_collect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_docs(tmp_path / "docs", 3)
    job, out = str(tmp_path / "job"), str(tmp_path / "out.jsonl")
    with FakeBatchAPI(auto_step=True) as api:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", api.url)
        code, text, err = run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", job, "-m", "gpt-4o-mini")
        assert code == 0, err
        assert "3 document(s) → 3 request(s) in 1 file" in text and "at batch prices" in text

        code, text, err = run(capsys, "batch", "submit", job)
        assert code == 0, err
        assert "r1-001: 3 request(s) → batch batch-" in text
        assert run(capsys, "batch", "submit", job)[1].endswith("nothing to submit (every request file was submitted or run)\n")

        code, text, err = run(capsys, "batch", "status", job, "--wait", "--interval", "0.001", "-f", "json")
        assert code == 0, err
        st = json.loads(text)
        assert st["settled"] and st["files"][0]["batch_status"] == "completed"

        code, text, err = run(capsys, "batch", "collect", job, "-o", out)
        assert code == 0, err
        assert "3 of 3 document(s) ok" in err and "every document is done" in err
        assert [line["status"] for line in read_jsonl(Path(out))] == ["ok"] * 3
        assert api.created == 1 and api.uploads == 1
        assert KEY not in (tmp_path / "job" / "manifest.json").read_text()


def test_run_on_a_server_then_collect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_docs(tmp_path / "docs", 2)
    job = str(tmp_path / "job")
    with FakeOpenAIServer() as server:
        assert run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", job, "--base-url", server.url)[0] == 0
        code, text, err = run(capsys, "batch", "run", job, "--base-url", server.url)
        assert code == 0, err
        assert "2 request(s) sent, 2 answered" in text
        code, text, err = run(capsys, "batch", "collect", job, "-f", "json", "--base-url", server.url)
        assert code == 0, err
    lines = [json.loads(x) for x in text.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "ok"]  # the results on stdout, the report on stderr
    report = json.loads(err)
    assert report["ok"] == 2 and report["waiting"] == 0


def test_a_check_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_docs(tmp_path / "docs", 2)
    job = str(tmp_path / "job")
    with FakeOpenAIServer() as server:
        code, text, err = run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", job, "--base-url", server.url,
                              "--check", "--claim", "The bridge opened in 1932.", "--mode", "model", "-f", "json")  # fmt: skip
        assert code == 0, err
        assert json.loads(text)["requests"] == 2
        (line,) = read_jsonl(tmp_path / "job" / "r1-001.jsonl")[:1]
        assert line["body"]["logprobs"] is True and line["body"]["max_tokens"] == 2  # a scoring call
        assert run(capsys, "batch", "run", job, "--base-url", server.url)[0] == 0
        code, text, err = run(capsys, "batch", "collect", job, "-o", str(tmp_path / "out.jsonl"), "--base-url", server.url)
        assert code == 0, err
    lines = read_jsonl(tmp_path / "out.jsonl")
    assert [x["kind"] for x in lines] == ["check", "check"]
    assert all(x["result"]["claims"][0]["claim"] == "The bridge opened in 1932." for x in lines)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["batch", "collect", "{tmp}/nothing"], 3, "not a prepared batch job"),
        (["batch", "status", "{tmp}/nothing"], 3, "not a prepared batch job"),
        (["batch", "prepare", "{tmp}/missing.txt", "-o", "{tmp}/job"], 2, "missing.txt: not found"),
        (["batch", "prepare", "{tmp}/docs", "-o", "{tmp}/job", "--claim", "x"], 3, "add --check"),
        (["batch", "prepare", "{tmp}/docs", "-o", "{tmp}/job", "--check"], 3, "nothing to check: give --claim"),
        (["batch", "submit", "{tmp}/job"], 3, "the Batch API needs OPENAI_API_KEY"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    make_docs(tmp_path / "docs", 1)
    if argv[1] == "submit":
        assert run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", str(tmp_path / "job"))[0] == 0
    got, _out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert got == code
    assert err.count("\n") == 1 and err.startswith("summarizer: error: ") and message in err


def test_the_status_bar_counts_requests_over_the_batches(capsys: pytest.CaptureFixture[str]) -> None:
    from summarizer.batch.api.remote import JobStatus
    from summarizer.cli.batch_api import _StatusBar

    files = [
        {"name": "r1-001", "requests": 10, "batch_status": "in_progress", "counts": {"total": 10, "completed": 6, "failed": 1}},
        {"name": "r1-002", "requests": 5, "batch_status": None, "counts": None},
    ]
    bar = _StatusBar()
    bar.show(JobStatus("job", "gpt-4o-mini", 15, files))
    assert (bar._bar.n, bar._bar.total) == (7, 15)
    bar.close()
    err = capsys.readouterr().err
    assert "7/15" in err and "in_progress, not sent" in err


def test_reports_show_control_characters_instead_of_sending_them_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_docs(tmp_path / "docs", 1)
    (tmp_path / "docs" / "bad\x1b[2J.txt").write_bytes(b"")  # cannot run: named in the report
    code, out, err = run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", str(tmp_path / "job"))
    assert code == 0, err
    assert "bad\\x1b[2J.txt" in out and "\x1b" not in out


def _corrupt_request(job: Path) -> None:
    path = job / "r1-001.jsonl"
    path.write_bytes(path.read_bytes()[:50] + b"\n" + path.read_bytes())


def _edit_manifest(job: Path) -> None:
    manifest = json.loads((job / "manifest.json").read_text())
    manifest["limits"] = "x"
    (job / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("command", "damage", "message"),
    [
        ("run", _corrupt_request, "r1-001.jsonl: line 1 is not a batch request line (not JSON: "),
        ("collect", _edit_manifest, "manifest.json: not a valid job manifest: limits should be a JSON object (got 'x')"),
        ("status", _edit_manifest, "manifest.json: not a valid job manifest: limits should be a JSON object"),
        ("collect", lambda job: (job / "state.sqlite3").unlink(), "state.sqlite3: missing: "),
        ("collect", lambda job: (job / "documents.jsonl").write_text("{bad\n"),
         "documents.jsonl: line 1 is not a document of the list"),
    ],
)  # fmt: skip
def test_a_damaged_job_is_one_line_and_an_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, damage: Any, message: str
) -> None:
    """The bad-input sweep's findings: each was a traceback or a false "done" (exit 0)."""
    make_docs(tmp_path / "docs", 2)
    job, out = tmp_path / "job", tmp_path / "out.jsonl"
    with FakeOpenAIServer() as server:
        assert run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", str(job), "--base-url", server.url)[0] == 0
        damage(job)
        extra = ["-o", str(out)] if command == "collect" else []
        code, text, err = run(capsys, "batch", command, str(job), "--base-url", server.url, *extra)
        assert server.requests == 0
    assert code == 3
    assert err.count("\n") == 1 and err.startswith(f"summarizer: error: {job}") and message in err, err
    assert "done" not in text + err and not out.exists()


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_zero_request_limit_is_refused_like_a_negative_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    make_docs(tmp_path / "docs", 1)
    code, _out, err = run(capsys, "batch", "prepare", str(tmp_path / "docs"), "-o", str(tmp_path / "job"),
                          "--base-url", "http://test.invalid/v1", "--max-requests-per-file", value)  # fmt: skip
    assert code == 3 and err.count("\n") == 1
    assert "a batch file must hold at least one request" in err and f"--max-requests-per-file {value}" in err
    assert not (tmp_path / "job" / "manifest.json").exists()


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "soon"])
def test_a_status_interval_above_zero_is_checked_when_the_arguments_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["batch", "status", str(tmp_path / "job"), "--wait", "--interval", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "argument --interval: " in err and "Traceback" not in err
