"""``summarizer batch prepare`` (summarizer.batch.api.prepare): request files, limits, manifest, estimate,
and a prepare interrupted or run twice."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from summarizer import config, pricing
from summarizer.batch.api import prepare
from summarizer.batch.api.manifest import RequestFiles
from summarizer.batch.tasks import summarize_task
from summarizer.cache import ResultCache
from summarizer.errors import ConfigError, InputError
from summarizer.llm.prompts import load_prompt
from summarizer.text.documents import load_document
from tests._support.batch_jobs import MODEL, api_settings, long_text, read_jsonl, spec
from tests._support.batches import article, make_docs

URL = "http://test.invalid/v1"


def request_lines(job: Path) -> list[dict[str, Any]]:
    manifest = json.loads((job / "manifest.json").read_text())
    return [line for f in manifest["files"] for line in read_jsonl(job / f"{f['name']}.jsonl")]


def test_one_request_per_document_in_the_documented_format(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 5)
    report = prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    assert report.documents == 5 and report.requests == 5 and len(report.files) == 1

    lines = request_lines(tmp_path / "job")
    assert len({line["custom_id"] for line in lines}) == 5  # unique in the file
    for line in lines:
        assert set(line) == {"custom_id", "method", "url", "body"}
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        assert line["body"]["model"] == MODEL  # one model per file
    listing = read_jsonl(tmp_path / "job" / "documents.jsonl")
    assert [d["id"] for d in listing] == [str(p) for p in docs]
    assert [d["sha256"] for d in listing] == [load_document(p).sha256 for p in docs]
    assert sorted(c for d in listing for c in d["requests"]) == sorted(line["custom_id"] for line in lines)


def test_the_manifest_records_inputs_model_prompts_and_the_estimate_at_batch_prices(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 3)
    report = prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    manifest = json.loads((tmp_path / "job" / "manifest.json").read_text())
    assert manifest["inputs"] == [str(tmp_path / "docs")]
    assert manifest["spec"]["model"] == MODEL and manifest["spec"]["kind"] == "summarize"
    assert manifest["prompts"] == {"summarize": load_prompt("summarize").version, "merge": load_prompt("merge").version}
    assert manifest["limits"] == {"requests_per_file": config.BATCH_MAX_REQUESTS_PER_FILE,
                                  "bytes_per_file": config.BATCH_MAX_FILE_BYTES}  # fmt: skip
    # the online batch's estimate, priced at batch prices (half)
    estimate = summarize_task(api_settings(URL), None).estimate
    expected = [estimate(load_document(p)) for p in docs]
    p, c = sum(e.prompt_tokens for e in expected), sum(e.completion_tokens for e in expected)
    assert manifest["estimate"]["prompt_tokens"] == p == report.prompt_tokens
    online = sum(e.cost_usd or 0 for e in expected)
    # each cost is rounded to 8 decimals, and so is their sum
    assert manifest["estimate"]["cost_usd_online"] == pytest.approx(online, abs=1e-7)
    assert manifest["estimate"]["cost_usd_batch"] == pytest.approx(online * config.BATCH_PRICE_FACTOR, abs=1e-7)
    assert report.cost_usd == pytest.approx(pricing.estimate_cost(MODEL, p, c, batch=True), abs=1e-7)


def test_files_are_split_at_the_request_and_byte_limits(tmp_path: Path) -> None:
    make_docs(tmp_path / "docs", 5)
    by_count = prepare([str(tmp_path / "docs")], str(tmp_path / "a"), spec(URL), max_requests=2)
    assert [f["requests"] for f in by_count.files] == [2, 2, 1]
    assert [f["name"] for f in by_count.files] == ["r1-001", "r1-002", "r1-003"]

    one = len((tmp_path / "a" / "r1-003.jsonl").read_bytes())
    by_bytes = prepare([str(tmp_path / "docs")], str(tmp_path / "b"), spec(URL), max_bytes=int(one * 2.5))
    assert [f["requests"] for f in by_bytes.files] == [2, 2, 1]
    for f in by_bytes.files:
        size = (tmp_path / "b" / f"{f['name']}.jsonl").stat().st_size
        assert size == f["bytes"] <= one * 2.5
    assert sorted(c["custom_id"] for c in request_lines(tmp_path / "a")) == sorted(
        c["custom_id"] for c in request_lines(tmp_path / "b")
    )
    with pytest.raises(ConfigError, match="over the"):
        prepare([str(tmp_path / "docs")], str(tmp_path / "c"), spec(URL), max_bytes=one // 2)


def test_a_request_two_documents_share_is_sent_once(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(article(1), encoding="utf-8")
    (folder / "b.txt").write_text(article(1), encoding="utf-8")  # the same text under another name
    report = prepare([str(folder)], str(tmp_path / "job"), spec(URL))
    assert report.documents == 2 and report.requests == 1


def test_a_long_document_asks_for_its_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pricing, "context_window", lambda model: 4000)
    (tmp_path / "long.txt").write_text(long_text(60), encoding="utf-8")
    report = prepare([str(tmp_path / "long.txt")], str(tmp_path / "job"), spec(URL))
    lines = request_lines(tmp_path / "job")
    assert report.requests == len(lines) > 2
    assert {line["body"]["response_format"]["json_schema"]["name"] for line in lines} == {"summary"}


def test_cached_documents_and_bad_ones_send_nothing(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 3)
    (tmp_path / "docs" / "empty.txt").write_text("   \n", encoding="utf-8")
    task = summarize_task(api_settings(URL), None)
    with ResultCache() as cache:
        cache.put(task.key_for(load_document(docs[0])), "summary", {"cached": True})
    report = prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    assert report.documents == 4 and report.cached == 1 and report.requests == 2
    assert [i for i, _ in report.failed] == [str(tmp_path / "docs" / "empty.txt")]


def test_prepare_twice_changes_nothing_and_other_options_are_refused(tmp_path: Path) -> None:
    make_docs(tmp_path / "docs", 3)
    first = prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    stamp = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "job").iterdir()}
    again = prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    assert again.already and again.requests == first.requests
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "job").iterdir()} == stamp
    with pytest.raises(ConfigError, match="other inputs or options"):
        prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL, verify=True))


def test_an_interrupted_prepare_leaves_no_job_and_runs_again_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_docs(tmp_path / "docs", 5)
    add = RequestFiles.add
    calls = {"n": 0}

    def interrupted(self: RequestFiles, custom_id: str, line: bytes) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return add(self, custom_id, line)

    monkeypatch.setattr(RequestFiles, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    assert not (tmp_path / "job" / "manifest.json").exists()
    monkeypatch.setattr(RequestFiles, "add", add)

    report = prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    prepare([str(tmp_path / "docs")], str(tmp_path / "ref"), spec(URL))
    assert report.requests == 5
    assert (tmp_path / "job" / "r1-001.jsonl").read_bytes() == (tmp_path / "ref" / "r1-001.jsonl").read_bytes()


def test_standard_input_cannot_be_a_job(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="standard input"):
        prepare(["-"], str(tmp_path / "job"), spec(URL))


def test_a_second_command_on_the_same_job_is_refused(tmp_path: Path) -> None:
    from summarizer.batch.api.manifest import Job

    make_docs(tmp_path / "docs", 1)
    prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    with Job(tmp_path / "job"), pytest.raises(ConfigError, match="another summarizer command"):
        Job(tmp_path / "job")
    assert os.path.exists(tmp_path / "job" / ".lock")


def test_a_folder_that_holds_other_files_is_not_made_a_job(tmp_path: Path) -> None:
    make_docs(tmp_path / "docs", 1)
    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "r1-notes.jsonl").write_text("mine\n")
    with pytest.raises(ConfigError, match="not empty"):
        prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(URL))
    assert (tmp_path / "job" / "r1-notes.jsonl").read_text() == "mine\n"
