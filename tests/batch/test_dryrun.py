"""The dry run of a batch: per-document estimates, cached and already-done documents
(summarizer.batch.dryrun)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import batch
from summarizer.batch import collect_inputs
from summarizer.cache import ResultCache
from tests._support.batches import make_docs, settings_for, summarize_run
from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback


def test_dry_run_marks_cached_and_done_documents(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 3)
    (tmp_path / "in" / "broken.txt").write_bytes(b"")
    inputs = collect_inputs([str(tmp_path / "in")])
    out = tmp_path / "r.jsonl"
    s = settings_for(server)
    task = batch.summarize_task(s)
    with ResultCache(tmp_path / "c.sqlite3") as cache:
        summarize_run(server, inputs[1:2], out, cache=cache)
        summarize_run(server, inputs[2:3], tmp_path / "elsewhere.jsonl", cache=cache)
        dry = batch.dry_run_batch(inputs, task.estimate, cache=cache, key_for=task.key_for, output=str(out))
    status = {r.id: r.status for r in dry.rows}
    assert [status[it.id] for it in inputs] == ["error", "done", "cached", "new"]  # broken.txt sorts first
    assert dry.calls_documents == 1 and dry.prompt_tokens == dry.rows[-1].prompt_tokens
    text = batch.format_dry_run(dry, "gpt-4o-mini")
    assert "already in the output" in text and "cached: no call" in text and "file is empty" in text
    assert "dry run: 1 of 4 document(s)" in text
    assert json.loads(batch.format_dry_run(dry, "gpt-4o-mini", "json"))["to_run"] == 1


def test_dry_run_reads_the_results_file_as_the_run_does(tmp_path: Path) -> None:
    """One reader: a torn last line is not done; a foreign file or another kind is refused, as a run would."""
    from summarizer.errors import ConfigError
    from summarizer.pipeline.estimates import Estimate

    make_docs(tmp_path / "in", 2)
    inputs = collect_inputs([str(tmp_path / "in")])
    ids = [it.id for it in inputs]
    out = tmp_path / "r.jsonl"
    line = {"id": ids[0], "status": "ok", "kind": "summary", "result": {}}
    torn = json.dumps({**line, "id": ids[1]})[:-5]
    out.write_text(json.dumps(line) + "\n" + torn, encoding="utf-8")

    def estimate(document: object) -> Estimate:
        return Estimate.of("gpt-4o-mini", 1, 10, 5)

    dry = batch.dry_run_batch(inputs, estimate, output=str(out), kind="summary")
    assert [r.status for r in dry.rows] == ["done", "new"]
    with pytest.raises(ConfigError, match="holds summary results, not check results"):
        batch.dry_run_batch(inputs, estimate, output=str(out), kind="check")
    out.write_text("not a results file\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a batch result line"):
        batch.dry_run_batch(inputs, estimate, output=str(out))
