"""The command line: formats, output files, --dry-run, and one exit code per cause of failure."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from summarizer import cli, config, errors
from summarizer.text import tokens
from summarizer.types import Summary
from tests._support.paths import EXAMPLE, RECORDED_BASE_URL

LOCAL = ["--base-url", RECORDED_BASE_URL, "-m", config.LOCAL_MODEL]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("summarizer ")


@pytest.mark.vcr("test_summarize_formats.yaml")  # one recorded summary of the example, in three formats
@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_summarize_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = run(capsys, "summarize", str(EXAMPLE), *LOCAL, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        result = Summary.model_validate_json(out)
        text = EXAMPLE.read_text(encoding="utf-8")
        located = [ev for c in result.claims for ev in c.evidence if ev.found]
        assert located and all(ev.start is not None and ev.end is not None for ev in located)
        assert result.provenance.source_path == str(EXAMPLE)
        assert any(text[ev.start : ev.end] == ev.quote for ev in located if ev.match == "exact")
    elif fmt == "markdown":
        assert out.startswith("# ") and "## Claims" in out and "## Key points" in out
        # evidence as footnotes: the quoted span and its offsets, which hold that quote in the source
        notes = re.findall(r"^\[\^\d+\]: “(.*)” — source characters (\d+)–(\d+) \((\w+)", out, flags=re.M)
        text = EXAMPLE.read_text(encoding="utf-8")
        assert len(notes) >= len(re.findall(r"^\d+\. \*\*", out, flags=re.M))  # every claim has a note
        for quote, start, end, match in notes:
            if match in ("exact", "sentence"):
                assert " ".join(text[int(start) : int(end)].split()) == re.sub(r"\\(.)", r"\1", quote)
    else:
        assert "TL;DR:" in out and "Claims (" in out and "Usage: 1 call" in out


@pytest.mark.vcr
def test_output_file_format_from_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    code, out, _ = run(capsys, "summarize", str(EXAMPLE), *LOCAL, "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # written atomically
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # an ordinary file, not mkstemp's private one


def test_default_format_is_json_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run")
    assert code == 0 and json.loads(out)["calls"] == 1


def _tiktoken_reference(model: str, messages: list[dict[str, str]], tmp_path: Path) -> int:
    """Count with tiktoken's own loader (cache dir laid out as tiktoken expects), not ours."""
    import hashlib

    import tiktoken

    cache = tmp_path / "tiktoken"
    cache.mkdir()
    enc_dir = Path(tokens.__file__).parent / "encodings"
    for name in ("o200k_base", "cl100k_base"):
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        shutil.copy(enc_dir / f"{name}.tiktoken", cache / hashlib.sha1(url.encode()).hexdigest())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        enc = tiktoken.encoding_for_model(model)
        return 3 + sum(3 + len(enc.encode(m["role"])) + len(enc.encode(m["content"])) for m in messages)
    finally:
        del os.environ["TIKTOKEN_CACHE_DIR"]


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4"])
def test_dry_run_counts_tokens_exactly_and_calls_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: str
) -> None:
    from summarizer.pipeline.summary import build_messages
    from summarizer.text.documents import load_document

    expected = _tiktoken_reference(model, build_messages(load_document(EXAMPLE)), tmp_path)
    code, out, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run", "-m", model, "-f", "json")
    info = json.loads(out)
    assert code == 0
    assert info["prompt_tokens"] == expected
    assert info["encoding"] == ("cl100k_base" if model == "gpt-4" else "o200k_base")
    price_in, price_out = config.PRICES_PER_MILLION[model]
    cost = (expected * price_in + info["estimated_completion_tokens"] * price_out) / 1e6
    assert info["estimated_cost_usd"] == pytest.approx(cost)


def test_dry_run_text_says_unknown_price(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run", "-m", "mystery-model", "-f", "text")
    assert code == 0 and "unknown" in out and "o200k_base" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"   \n\t\n", "whitespace"), (b"\x00\x01\x02binary\x00", "binary")],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    code, out, err = run(capsys, "summarize", str(path), *LOCAL)
    assert code == errors.InputError.exit_code == 2
    assert out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "summarize", "no/such/file.txt")
    assert code == 2 and "not found" in err


def test_no_key_and_no_local_model_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "summarize", str(EXAMPLE))
    assert code == errors.ConfigError.exit_code
    assert "summarizer local setup" in err and "OPENAI_API_KEY" in err


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # a real refused connection on loopback port 9
def test_unreachable_server_is_a_connection_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "MAX_TRANSPORT_RETRIES", 0)
    code, _, err = run(capsys, "summarize", str(EXAMPLE), "--base-url", "http://127.0.0.1:9/v1")
    assert code == errors.ConnectionFailedError.exit_code
    assert "could not connect" in err and err.count("\n") == 1


def test_output_into_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "summarize", str(EXAMPLE), "--dry-run", "-o", str(tmp_path / "nope" / "x.json")
    )
    assert code == errors.ConfigError.exit_code and "folder does not exist" in err


@pytest.mark.parametrize(
    "error",
    [
        errors.AuthenticationError,
        errors.ConnectionFailedError,
        errors.RateLimitError,
        errors.ContextLengthError,
        errors.TruncatedOutputError,
        errors.RefusalError,
        errors.InvalidOutputError,
        errors.APIError,
    ],
)
def test_each_model_failure_has_its_own_exit_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, error: type[errors.ModelError]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error("what went wrong")

    monkeypatch.setattr("summarizer.pipeline.summary.summarize", fail)
    code, out, err = run(capsys, "summarize", str(EXAMPLE), *LOCAL)
    assert code == error.exit_code
    assert err == "summarizer: error: what went wrong\n" and out == ""


def test_schema_command_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and {"claims", "usage", "provenance"} <= set(schema["properties"])


@pytest.mark.vcr
def test_summarize_verify_checks_the_summary_claims(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "summarize", str(EXAMPLE), *LOCAL, "-f", "json", "--verify", "--fail-under", "0"
    )
    assert code == 0, err
    result = Summary.model_validate_json(out)
    report = result.verification
    assert report is not None
    assert [c.claim for c in report.claims] == [c.text for c in result.claims]
    assert result.usage.calls == 1 + report.usage.calls  # usage covers both steps
    assert report.counts.supported + report.counts.contradicted + report.counts.not_in_source == len(
        result.claims
    )


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_api_key_never_reaches_the_logs_even_at_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-SECRET-0123456789abcdefghij"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setattr(config, "MAX_TRANSPORT_RETRIES", 0)
    code, out, err = run(capsys, "summarize", str(EXAMPLE), "--base-url", "http://127.0.0.1:9/v1", "-vv")
    assert code == errors.ConnectionFailedError.exit_code
    assert "DEBUG" in err  # the debug log did run
    assert secret not in err and secret not in out and "SECRET" not in err


def test_batch_check_of_a_folder_streams_one_line_per_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The council approved a budget of 5 million euros on Monday.\n")
    (docs / "b.txt").write_text("The school opened in 1990 and has 300 pupils.\n")
    out = tmp_path / "results.jsonl"
    claim = "The budget was 7 million euros."
    code, _, err = run(capsys, "check", str(docs), "--claim", claim, "--mode", "local", "-o", str(out))
    assert code == 0, err
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(Path(line["path"]).name for line in lines) == ["a.txt", "b.txt"]
    assert all(line["status"] == "ok" and len(line["sha256"]) == 64 for line in lines)
    by_name = {Path(line["path"]).name: line["result"] for line in lines}
    assert by_name["a.txt"]["claims"][0]["verdict"] == "contradicted"  # 5 million in the source
    # a second run resumes: nothing to do, each document still once
    code, _, _ = run(capsys, "check", str(docs), "--claim", claim, "--mode", "local", "-o", str(out))
    assert code == 0 and len(out.read_text().splitlines()) == 2


def test_batch_dry_run_prints_per_document_and_total(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Document {name} says the bridge opened in 1941.\n")
    code, out, _ = run(capsys, "summarize", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--dry-run",
                       "-m", "gpt-4o-mini", "-f", "text")  # fmt: skip
    assert code == 0
    assert "a.txt" in out and "b.txt" in out and "2 of 2 document(s)" in out and "$" in out


def test_cache_command_reports_location(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cache")
    assert code == 0 and "results.sqlite3" in out


@pytest.mark.parametrize("budget", ["nan", "inf", "-0.5", "lots"])
def test_max_cost_must_be_a_finite_amount(capsys: pytest.CaptureFixture[str], budget: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["summarize", str(EXAMPLE), "--dry-run", "--max-cost", budget])
    assert exc.value.code == 2 and "--max-cost" in capsys.readouterr().err


def test_dry_run_with_verify_counts_the_check_too(capsys: pytest.CaptureFixture[str]) -> None:
    _, plain, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run", "-m", "gpt-4o-mini", "-f", "json")
    _, verified, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run", "--verify", "-m", "gpt-4o-mini", "-f", "json")
    assert json.loads(plain)["calls"] == 1 and json.loads(verified)["calls"] > 1
    assert json.loads(verified)["estimated_cost_usd"] > json.loads(plain)["estimated_cost_usd"]


def test_dry_run_on_the_bundled_server_counts_a_documents_scores_as_one_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No key, no base URL: the bundled llama-server takes a document's scoring prompts in one call."""
    _, local, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run", "--verify", "-f", "json")
    _, other, _ = run(capsys, "summarize", str(EXAMPLE), "--dry-run", "--verify", "-f", "json",
                      "-m", config.LOCAL_MODEL, "--base-url", "http://127.0.0.1:9/v1")  # fmt: skip
    assert json.loads(local)["calls"] == 2  # the summary, then its claims' prompts in one call
    assert json.loads(other)["calls"] == 1 + config.MAX_CLAIMS  # any other server: one call a prompt


@pytest.mark.parametrize(
    ("options", "named"),
    [(["--fail-under", "0.9"], "--fail-under"), (["--scorer", "verdicts"], "--scorer"), (["--explain"], "--explain"),
     (["--profile", "p.json"], "--profile"), (["--claims-per-call", "3"], "--claims-per-call")],
)  # fmt: skip
def test_options_of_the_check_need_verify(capsys: pytest.CaptureFixture[str], options: list[str], named: str) -> None:
    """`summarize --fail-under 0.99` without --verify exited 0: a CI gate that could never fire."""
    code, out, err = run(capsys, "summarize", str(EXAMPLE), "--dry-run", *options)
    assert code == errors.ConfigError.exit_code and out == ""
    (line,) = err.strip().splitlines()
    assert named in line and line.endswith("add --verify")


def test_an_argument_error_is_one_line_with_a_pointer_to_help(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse printed its usage block (7-11 lines) before the error."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", str(EXAMPLE), "--claim", "x", "--mode", "nope"])
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("summarizer check: error: argument --mode: invalid choice: 'nope'")
    assert line.endswith("(see summarizer check --help)")
