"""`--format html` on summarize and check, and `summarizer report`: a saved result rendered again with no
model call, against its own source (checked by sha256) and never against a changed one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from summarizer import cli, config, errors
from summarizer.report.render import render_check
from summarizer.types import CheckReport
from tests._support.paths import EXAMPLE, RECORDED_BASE_URL

LOCAL = ["--base-url", RECORDED_BASE_URL, "-m", config.LOCAL_MODEL]
SOURCE = "The ferry added a night crossing in March.\nTickets cost 12 euros for adults.\n"
CLAIMS = ["--claim", "Tickets cost 12 euros for adults.", "--claim", "Tickets cost 15 euros."]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A source file and its check report saved as JSON (local mode: zero tokens)."""
    source = tmp_path / "article.txt"
    source.write_text(SOURCE, encoding="utf-8")
    result = tmp_path / "result.json"
    code, _, err = run(capsys, "check", str(source), *CLAIMS, "--mode", "local", "-o", str(result))
    assert code == 0, err
    return source, result


@pytest.mark.vcr
def test_summarize_format_html_writes_the_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run(capsys, "summarize", str(EXAMPLE), *LOCAL, "-o", str(target))  # format by suffix
    assert code == 0 and out == "", err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<mark class="ev' in page
    assert "Harbour Bridge" in page and "Evidence located" in page
    text = EXAMPLE.read_text(encoding="utf-8")
    assert f'data-chars="{len(text)}"' in page


def test_check_format_html(capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path]) -> None:
    source, _ = saved
    code, out, err = run(capsys, "check", str(source), *CLAIMS, "--mode", "local", "-f", "html")
    assert code == 0, err
    assert "Contradicted" in out and "Supported" in out and "Faithfulness <strong>0.50</strong>" in out


def test_report_renders_a_saved_result_again_identically(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path], tmp_path: Path
) -> None:
    _, result = saved
    pages = []
    for name in ("a.html", "b.html"):
        code, out, err = run(capsys, "report", str(result), "-o", str(tmp_path / name))
        assert code == 0 and out == "", err
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1] and b"Claim check" in pages[0]
    code, out, _ = run(capsys, "report", str(result), "-f", "markdown")
    assert code == 0
    assert out == render_check(CheckReport.model_validate_json(result.read_text()), "markdown")


def test_report_refuses_a_source_that_changed(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path]
) -> None:
    source, result = saved
    source.write_text(SOURCE.replace("12", "13"), encoding="utf-8")
    code, out, err = run(capsys, "report", str(result))
    assert code == 2 and out == ""
    assert "not the source of this result (sha256" in one_line(err)


def test_report_finds_a_moved_source_with_source_option_or_beside_the_result(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path], tmp_path: Path
) -> None:
    source, result = saved
    moved = tmp_path / "elsewhere.txt"
    shutil.move(source, moved)
    code, _, err = run(capsys, "report", str(result))
    assert code == 2 and "source file is not found: give --source" in one_line(err)
    code, out, err = run(capsys, "report", str(result), "--source", str(moved))
    assert code == 0 and "<!DOCTYPE html>" in out, err
    # a relative source path is also looked up beside the result file
    data = json.loads(result.read_text())
    data["provenance"]["source_path"] = "elsewhere.txt"
    result.write_text(json.dumps(data))
    code, out, err = run(capsys, "report", str(result))
    assert code == 0 and "elsewhere.txt" in out, err


def test_report_takes_one_line_of_a_batch(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path], tmp_path: Path
) -> None:
    source, result = saved
    data = json.loads(result.read_text())
    data["provenance"]["source_path"] = "a-cached-twin.txt"  # a cache hit may name another file
    line = {"id": "a", "path": str(source), "status": "ok", "result": data}
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(line) + "\n")
    code, out, err = run(capsys, "report", str(one), "-f", "text")
    assert code == 0 and "Faithfulness score: 0.50" in out, err
    two = tmp_path / "two.jsonl"
    two.write_text(json.dumps(line) + "\n" + json.dumps({**line, "id": "b"}) + "\n")
    code, _, err = run(capsys, "report", str(two))
    assert code == 3 and "holds 2 results: give -o FOLDER" in one_line(err)


def test_report_of_a_batch_writes_one_page_per_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, price in (("north.txt", "12"), ("south.txt", "14"), ("west.txt", "12")):
        (docs / name).write_text(SOURCE.replace("12", price), encoding="utf-8")
    results = tmp_path / "results.jsonl"
    code, _, err = run(capsys, "check", str(docs), *CLAIMS, "--mode", "local", "-o", str(results))
    assert code == 0, err
    (docs / "west.txt").write_text("changed since", encoding="utf-8")  # its report must be refused
    with results.open("a") as fh:  # a failed document has no result: it is left out
        fh.write(json.dumps({"id": "gone", "status": "error", "error": {"type": "InputError"}}) + "\n")
    code, out, err = run(capsys, "report", str(results), "-o", str(tmp_path / "pages"))
    assert code == errors.EXIT_SOME_FAILED
    assert "2 report(s) written" in out and "1 failed" in out
    assert "west.txt" in err and "not the source of this result" in err
    pages = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert len(pages) == 2 and all(p.endswith(".html") for p in pages)
    assert any("north" in p for p in pages) and any("south" in p for p in pages)
    south = next(p for p in (tmp_path / "pages").iterdir() if "south" in p.name).read_text(encoding="utf-8")
    assert "Faithfulness <strong>0.00</strong>" in south  # 14 euros in that source: both claims fail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a summarizer result"),
        ('{"counts": {}, "claims": "x"}', "not a valid check report"),
        ('{"title": "t"}', "not a valid summary"),
        ("", "is empty"),
        ("\udcff\udcfe binary", "not UTF-8 text"),
    ],
)
def test_report_of_a_file_that_is_not_a_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    code, _, err = run(capsys, "report", str(bad))
    assert code == 2 and message in one_line(err)


def test_report_refuses_offsets_outside_the_source(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path]
) -> None:
    _, result = saved
    data = json.loads(result.read_text())
    data["claims"][0]["evidence"][0]["end"] = 10_000
    result.write_text(json.dumps(data))
    code, _, err = run(capsys, "report", str(result))
    assert code == 2 and re.search(r"offsets \[\d+:10000\] lie outside the source", one_line(err))


def test_html_is_refused_for_a_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(SOURCE)
    code, _, err = run(capsys, "check", str(tmp_path), *CLAIMS, "--mode", "local", "-f", "html")
    assert code == 3 and "an HTML report shows one document" in one_line(err)


def test_the_bundled_example_result_renders_against_the_example_article(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # examples/harbour-bridge-vote.summary.json is a real result of the local model (summarize --verify);
    # its sha256 must still match the example article, or the README's report command would refuse it
    monkeypatch.chdir(EXAMPLE.parent.parent)
    code, out, err = run(capsys, "report", "examples/harbour-bridge-vote.summary.json")
    assert code == 0, err
    assert out.count('<li class="claim"') == 6 and "Faithfulness <strong>" in out


def test_report_of_a_batch_fed_by_jsonl_reads_each_source_from_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    items = tmp_path / "items.jsonl"
    lines = [{"id": "port/north", "text": SOURCE}, {"id": "port_north", "text": SOURCE.replace("12", "14")}]
    items.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    results = tmp_path / "results.jsonl"
    code, _, err = run(
        capsys, "check", str(items), *CLAIMS, "--mode", "local", "--no-cache", "-o", str(results)
    )
    assert code == 0, err
    code, out, err = run(capsys, "report", str(results), "-o", str(tmp_path / "pages"))
    assert code == 0 and "2 report(s) written" in out, err
    # two ids that make the same file name both keep their page
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "pages").iterdir()}
    assert sorted(pages) == ["port_north-2.html", "port_north.html"]
    assert "Faithfulness <strong>0.50</strong>" in pages["port_north.html"]
    assert "Faithfulness <strong>0.00</strong>" in pages["port_north-2.html"]
    # one result saved on its own names its source as "items.jsonl#id"
    single = tmp_path / "single.json"
    single.write_text(json.dumps(json.loads(results.read_text().splitlines()[0])["result"]))
    code, out, err = run(capsys, "report", str(single), "-f", "text")
    assert code == 0 and "Faithfulness score: 0.50" in out, err


def test_reading_a_result_back_needs_no_batch_machinery(tmp_path: Path) -> None:
    """report/load reads a JSONL input's line with text/jsonl.py, as the batch does, not through batch/."""
    import subprocess
    import sys

    from tests._support.paths import ROOT

    lines = tmp_path / "items.jsonl"
    lines.write_text(json.dumps({"id": "a", "text": "The council met on Monday."}) + "\n", encoding="utf-8")
    code = (
        "import sys\nfrom summarizer.report.load import _jsonl_document\n"
        f"doc = _jsonl_document({str(lines)!r}, 'a')\n"
        "assert doc.path.endswith('items.jsonl#a') and doc.text.startswith('The council'), doc\n"
        "assert 'summarizer.batch' not in sys.modules, 'batch imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("where", ["elsewhere", "inside-examples", "relative-path"])
def test_the_example_result_renders_from_any_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """The README's try-it: the result names ``examples/harbour-bridge-vote.txt`` (relative to the folder it
    was made in); it is found from any working folder, and its sha256 still checked."""
    repo = tmp_path / "repo"
    (repo / "examples").mkdir(parents=True)
    result = repo / "examples" / "harbour-bridge-vote.summary.json"
    shutil.copy(EXAMPLE.parent / result.name, result)
    shutil.copy(EXAMPLE, repo / "examples" / EXAMPLE.name)
    cwd = {"elsewhere": tmp_path / "other", "inside-examples": repo / "examples", "relative-path": tmp_path}[where]
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    given = str(result) if where != "relative-path" else "repo/examples/harbour-bridge-vote.summary.json"
    out = tmp_path / "report.html"
    code = cli.main(["report", given, "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (repo / "examples" / EXAMPLE.name).write_text("changed\n", encoding="utf-8")  # found, but not the source
    assert cli.main(["report", given, "-o", str(out)]) == errors.InputError.exit_code
    assert "not the source of this result" in capsys.readouterr().err


def test_report_refuses_a_result_of_another_schema_version(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path]
) -> None:
    _, result = saved
    data = json.loads(result.read_text())
    data["schema_version"] = "99"
    result.write_text(json.dumps(data))
    code, _, err = run(capsys, "report", str(result))
    assert code == 2 and "written with result schema 99; this version reads schema 1" in one_line(err)


def test_report_of_a_batch_refuses_a_file_name_for_its_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`report batch.jsonl -o rep.html` made a folder named rep.html."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("north.txt", "south.txt"):
        (docs / name).write_text(SOURCE, encoding="utf-8")
    results = tmp_path / "results.jsonl"
    assert run(capsys, "check", str(docs), *CLAIMS, "--mode", "local", "-o", str(results))[0] == 0
    code, _, err = run(capsys, "report", str(results), "-o", str(tmp_path / "rep.html"))
    assert code == 3 and "looks like a file name; name a folder" in one_line(err)
    assert not (tmp_path / "rep.html").exists()
