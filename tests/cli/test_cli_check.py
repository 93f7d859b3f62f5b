"""The ``check`` and ``schema check`` subcommands, in local mode (zero tokens: no model, no server).

``check`` reads claims from --claim, a --claims file (plain lines, a JSON list, JSONL) or a --summary file,
renders the report as JSON, text or markdown, and maps --fail-under to exit code 4.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from summarizer import cli, errors
from summarizer.types import CheckReport

SOURCE = (
    "The ferry company Norrow Lines added a night crossing to Isle Kettery in March. "
    "Tickets cost 12 euros for adults. "
    "The captain, Ines Halvard, has sailed the route for nine years. "
    "Passengers may bring bicycles on board."
)
PASS = "Tickets cost 12 euros for adults."
PASS2 = "Passengers may bring bicycles on board."
CONTRADICTED = "Tickets cost 15 euros for adults."
MISSING_NAME = "The captain, Tomas Brede, has sailed the route for nine years."
OPEN = "The crossing is popular with tourists."  # nothing the local checks can settle


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def profile(tmp_path: Path) -> str:
    from tests._support.profiles import write_test_profile

    return write_test_profile(tmp_path)


@pytest.fixture
def source(tmp_path: Path) -> str:
    path = tmp_path / "source.txt"
    path.write_text(SOURCE, encoding="utf-8")
    return str(path)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- formats -----------------------------------------------------------------------------------------


def test_check_json_is_a_valid_report(capsys: pytest.CaptureFixture[str], source: str, profile: str) -> None:
    code, out, err = run(
        capsys, "check", source, "--claim", PASS, "--claim", CONTRADICTED, "--claim", MISSING_NAME,
        "--claim", OPEN, "--mode", "local", "-f", "json", "--profile", profile,
    )  # fmt: skip
    assert code == 0, err
    report = CheckReport.model_validate_json(out)
    assert [c.claim for c in report.claims] == [PASS, CONTRADICTED, MISSING_NAME, OPEN]
    assert [c.verdict for c in report.claims] == [
        "supported",
        "contradicted",
        "not_in_source",
        "not_in_source",
    ]
    assert report.score == 0.25
    assert report.usage.calls == 0
    assert report.provenance.model is None
    assert report.provenance.source_path == source
    assert report.provenance.source_chars == len(SOURCE)
    ev = report.claims[0].evidence[0]
    assert SOURCE[ev.start : ev.end] == PASS  # type: ignore[index]
    assert [c.scored_by for c in report.claims] == ["rule", "rule", "rule", "features"]
    assert report.provenance.profile == "test-profile"
    assert report.claims[3].probability is not None and report.claims[3].probability < 0.5


def test_check_text_render(capsys: pytest.CaptureFixture[str], source: str, profile: str) -> None:
    code, out, err = run(
        capsys, "check", source, "--claim", PASS, "--claim", CONTRADICTED, "--claim", MISSING_NAME,
        "--claim", OPEN, "--mode", "local", "-f", "text", "--profile", profile,
    )  # fmt: skip
    assert code == 0, err
    assert "Faithfulness score: 0.25" in out
    assert "1 supported, 1 contradicted, 2 not in source" in out
    assert "3 of 4 settled locally" in out
    for claim in (PASS, CONTRADICTED, MISSING_NAME, OPEN):
        assert claim in out
    assert re.search(rf"✓ supported \[settled by a local finding, confidence 0\.\d\d\] {re.escape(PASS)}", out)
    assert re.search(
        rf"\? not in source \[P\(supported\) 0\.\d\d from local features only, calibrated; confidence [01]\.\d\d\] "
        rf"{re.escape(OPEN)}", out
    )


def test_check_markdown_render_puts_evidence_in_footnotes(
    capsys: pytest.CaptureFixture[str], source: str, profile: str
) -> None:
    code, out, err = run(
        capsys, "check", source, "--claim", PASS, "--claim", CONTRADICTED, "--claim", MISSING_NAME,
        "--claim", OPEN, "--mode", "local", "-f", "markdown", "--profile", profile,
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("# Claim check")
    assert "**Faithfulness 0.25** · ✓ 1 supported · ✗ 1 contradicted · ? 2 not in source" in out
    assert "3 of 4 claims settled locally" in out
    claim_lines = [line for line in out.splitlines() if re.match(r"\d\. \*\*", line)]
    assert [line.split("** — ")[0] for line in claim_lines] == [
        "1. **✓ Supported", "2. **✗ Contradicted", "3. **? Not in source", "4. **? Not in source",
    ]  # fmt: skip
    # every footnote reference has its definition, and each definition's offsets hold its quote
    refs = re.findall(r"\[\^(\d+)\](?!:)", out)
    notes = dict(re.findall(r"^\[\^(\d+)\]: (.*)$", out, flags=re.M))
    assert refs and sorted(set(refs)) == sorted(notes)
    for note in notes.values():
        m = re.fullmatch(r"“(.*)” — source characters (\d+)–(\d+) \((\w+)\)", note)
        assert m, note
        assert SOURCE[int(m[2]) : int(m[3])] == m[1]


def test_check_output_file_format_from_suffix(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path
) -> None:
    target = tmp_path / "report.md"
    code, out, _ = run(capsys, "check", source, "--claim", PASS, "--mode", "local", "-o", str(target))
    assert code == 0
    assert out == ""
    assert target.read_text(encoding="utf-8").startswith("# Claim check")


# --- the --claims file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("claims.txt", f"{PASS}\n\n   \n{CONTRADICTED}\n\n{OPEN}\n"),
        ("claims.json", json.dumps([PASS, CONTRADICTED, OPEN])),
        (
            "claims.json",
            json.dumps([{"claim": PASS}, {"claim": CONTRADICTED, "id": 7}, {"text": OPEN}], indent=2),
        ),
        ("claims.jsonl", "\n".join(json.dumps({"claim": c}) for c in (PASS, CONTRADICTED, OPEN)) + "\n\n"),
        ("claims.jsonl", "\n".join(json.dumps(c) for c in (PASS, CONTRADICTED, OPEN))),
        (
            "claims.txt",
            "\n".join(json.dumps({"claim": c, "n": i}) for i, c in enumerate((PASS, CONTRADICTED, OPEN))),
        ),
    ],
    ids=["plain-lines", "json-strings", "json-objects", "jsonl-objects", "jsonl-strings", "jsonl-by-content"],
)
def test_claims_file_formats(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path, name: str, content: str
) -> None:
    path = write(tmp_path, name, content)
    code, out, err = run(capsys, "check", source, "--claims", path, "--mode", "local", "-f", "json")
    assert code == 0, err
    report = CheckReport.model_validate_json(out)
    assert [c.claim for c in report.claims] == [PASS, CONTRADICTED, OPEN]


def test_claim_and_claims_file_combine_in_order(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "claims.txt", f"{CONTRADICTED}\n")
    code, out, _ = run(
        capsys, "check", source, "--claim", PASS, "--claims", path, "--mode", "local", "-f", "json"
    )
    assert code == 0
    assert [c.claim for c in CheckReport.model_validate_json(out).claims] == [PASS, CONTRADICTED]


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("claims.json", f'[\n  "{PASS}",\n  "{OPEN}"\n  "{CONTRADICTED}"\n]\n', "line 4"),
        ("claims.jsonl", f'{{"claim": "{PASS}"}}\n{{"claim": "{OPEN}"\n', "line 2"),
        ("claims.txt", f'{{"claim": "{PASS}"}}\n\n{{claim: oops}}\n', "line 3"),
    ],
    ids=["json-list", "jsonl", "jsonl-by-content"],
)
def test_invalid_json_claims_file_is_a_config_error_naming_file_and_line(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path, name: str, content: str, where: str
) -> None:
    path = write(tmp_path, name, content)
    code, out, err = run(capsys, "check", source, "--claims", path, "--mode", "local", "-f", "json")
    assert code == 3
    assert out == ""
    line = one_line(err)
    assert line.startswith("summarizer: error: ")
    assert path in line
    assert where in line
    assert "not valid JSON" in line


@pytest.mark.parametrize(
    "content",
    [json.dumps([PASS, 42]), json.dumps([{"statement": PASS}]), json.dumps({"claim": 3})],
    ids=["number-item", "object-without-claim", "jsonl-non-string"],
)
def test_claims_file_with_wrong_shapes_is_a_config_error(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path, content: str
) -> None:
    path = write(tmp_path, "claims.json", content)
    code, _, err = run(capsys, "check", source, "--claims", path, "--mode", "local")
    assert code == 3
    line = one_line(err)
    assert path in line and "'claim'" in line


# --- nothing to check ------------------------------------------------------------------------------------


def test_no_claims_given_is_nothing_to_check(capsys: pytest.CaptureFixture[str], source: str) -> None:
    code, out, err = run(capsys, "check", source, "--mode", "local")
    assert code == 3
    assert out == ""
    assert "nothing to check" in one_line(err)


def test_empty_json_list_claims_file_is_nothing_to_check(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "claims.json", "[]")
    code, _, err = run(capsys, "check", source, "--claims", path, "--mode", "local", "--fail-under", "0.5")
    assert code == 3
    assert "nothing to check" in one_line(err)


@pytest.mark.parametrize(("content", "message"), [("", "file is empty"), ("\n   \n", "only whitespace")])
def test_empty_claims_file_is_an_input_error_exit_2(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path, "claims.txt", content)
    code, _, err = run(capsys, "check", source, "--claims", path, "--mode", "local")
    assert code == 2
    line = one_line(err)
    assert path in line and message in line


# --- --fail-under ------------------------------------------------------------------------------------------


def test_fail_under_with_a_failing_claim_exits_4(capsys: pytest.CaptureFixture[str], source: str) -> None:
    code, out, err = run(
        capsys, "check", source, "--claim", PASS, "--claim", CONTRADICTED, "--mode", "local", "-f", "json",
        "--fail-under", "0.9",
    )  # fmt: skip
    assert code == errors.EXIT_BELOW_THRESHOLD == 4
    assert CheckReport.model_validate_json(out).score == 0.5  # the report is still written
    assert one_line(err) == "summarizer: faithfulness score 0.50 is below 0.90"


def test_fail_under_with_passing_claims_exits_0(capsys: pytest.CaptureFixture[str], source: str) -> None:
    code, out, err = run(
        capsys, "check", source, "--claim", PASS, "--claim", PASS2, "--mode", "local", "-f", "json",
        "--fail-under", "0.9",
    )  # fmt: skip
    assert code == 0, err
    assert err == ""
    assert CheckReport.model_validate_json(out).score == 1.0


def test_fail_under_equal_to_the_score_passes(capsys: pytest.CaptureFixture[str], source: str) -> None:
    code, _, _ = run(
        capsys, "check", source, "--claim", PASS, "--claim", CONTRADICTED, "--mode", "local", "-f", "json",
        "--fail-under", "0.5",
    )  # fmt: skip
    assert code == 0


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
@pytest.mark.parametrize("extra", [[], ["--fail-under", "0"], ["--claim", PASS]])
def test_an_empty_or_whitespace_claim_is_an_input_error(
    capsys: pytest.CaptureFixture[str], source: str, blank: str, extra: list[str]
) -> None:
    """`--claim ""` used to exit 0 with no claims, no score and no word about it."""
    code, out, err = run(capsys, "check", source, "--claim", blank, "--mode", "local", "-f", "json", *extra)
    assert code == errors.InputError.exit_code == 2
    assert out == ""
    assert one_line(err) == "summarizer: error: --claim is empty or only whitespace: give the claim's text"


@pytest.mark.parametrize("content", [json.dumps([PASS, "  "]), json.dumps([{"claim": ""}]), '{"claim": " "}'])
def test_an_empty_claim_in_a_claims_file_is_a_config_error(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path, content: str
) -> None:
    path = write(tmp_path, "claims.json", content)
    code, out, err = run(capsys, "check", source, "--claims", path, "--mode", "local")
    assert code == 3 and out == ""
    line = one_line(err)
    assert path in line and "the claim is empty" in line


def test_a_null_score_fails_any_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    from summarizer.cli.commands import _threshold

    assert _threshold(None, 0.0) == errors.EXIT_BELOW_THRESHOLD
    assert "score is undefined" in one_line(capsys.readouterr().err)
    assert _threshold(None, None) == 0


@pytest.mark.parametrize("value", ["2", "-0.1", "abc"])
def test_fail_under_out_of_range_is_an_argparse_error(
    capsys: pytest.CaptureFixture[str], source: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", source, "--claim", PASS, "--mode", "local", "--fail-under", value])
    assert exc.value.code == 2
    assert "--fail-under" in capsys.readouterr().err


# --- --summary ---------------------------------------------------------------------------------------------


def test_summary_split_by_sentences_in_local_mode(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path
) -> None:
    summary = f"{PASS} The ferry sails to Isle Kettery at night.\n\n{CONTRADICTED}"
    path = write(tmp_path, "summary.txt", summary)
    code, out, err = run(
        capsys, "check", source, "--summary", path, "--split", "sentences", "--mode", "local", "-f", "json"
    )
    assert code == 0, err
    report = CheckReport.model_validate_json(out)
    assert report.usage.calls == 0
    assert report.provenance.model is None
    assert [c.claim for c in report.claims] == [
        PASS,
        "The ferry sails to Isle Kettery at night.",
        CONTRADICTED,
    ]
    for c in report.claims:
        assert c.claim_span is not None
        assert summary[c.claim_span.start : c.claim_span.end] == c.claim  # type: ignore[index]
    assert report.claims[0].verdict == "supported"
    assert report.claims[2].verdict == "contradicted"


def test_missing_source_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope.txt"), "--claim", PASS, "--mode", "local")
    assert code == 2
    assert "file not found" in one_line(err)


# --- schema ------------------------------------------------------------------------------------------------


def test_schema_check_prints_the_report_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "check")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "CheckReport"
    assert {"score", "claims", "counts", "usage", "provenance"} <= set(schema["properties"])
    assert schema == CheckReport.model_json_schema()


def test_local_mode_splits_a_summary_by_sentences_unless_told_otherwise(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--mode local promises no model: a --summary is cut by sentences without --split (no server is
    reachable here, so a model split would fail)."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    path = write(tmp_path, "summary.txt", f"{PASS} {CONTRADICTED}")
    code, out, err = run(capsys, "check", source, "--summary", path, "--mode", "local", "-f", "json")
    assert code == 0, err
    report = CheckReport.model_validate_json(out)
    assert report.usage.calls == 0 and [c.claim for c in report.claims] == [PASS, CONTRADICTED]


def test_the_output_may_not_be_one_of_the_inputs(
    capsys: pytest.CaptureFixture[str], source: str, tmp_path: Path
) -> None:
    claims = write(tmp_path, "claims.txt", PASS)
    for argv in (
        ("check", source, "--claim", PASS, "--mode", "local", "-o", source),
        ("check", source, "--claims", claims, "--mode", "local", "-o", claims),
    ):
        before = Path(argv[-1]).read_text(encoding="utf-8")
        code, _, err = run(capsys, *argv)
        assert code == 3 and "is also an input" in one_line(err)
        assert Path(argv[-1]).read_text(encoding="utf-8") == before


def test_standard_input_feeds_one_input_only(capsys: pytest.CaptureFixture[str], source: str) -> None:
    code, _, err = run(capsys, "check", "-", "--claims", "-", "--mode", "local")
    assert code == 3
    assert "standard input (-) can feed only one of the source and --claims" in one_line(err)


def test_a_url_as_source_says_that_urls_are_not_fetched(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "https://example.com/article", "--claim", PASS, "--mode", "local")
    assert code == 2
    assert "a URL; summarizer reads files, not the web" in one_line(err)
