"""The progress bar of a batch: on a terminal only (summarizer.batch.progress)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from summarizer import batch
from summarizer.batch import collect_inputs
from tests._support.batches import make_docs, summarize_run
from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback


def test_progress_bar_only_on_a_terminal(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 2)
    inputs = collect_inputs([str(tmp_path / "in")])
    piped = io.StringIO()
    quiet = batch.ProgressBar(file=piped)
    assert not quiet.enabled
    summarize_run(server, inputs, tmp_path / "a.jsonl", cache=None, progress=quiet)
    assert piped.getvalue() == ""
    shown = io.StringIO()
    bar = batch.ProgressBar(file=shown, enabled=True, desc="summarize")
    summarize_run(server, inputs, tmp_path / "b.jsonl", cache=None, progress=bar)
    text = shown.getvalue()
    assert "2/2" in text and "ok 2" in text and "failed 0" in text and "tok" in text and "$" in text
