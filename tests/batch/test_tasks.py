"""What a batch does to each document: the cache key of a task (summarizer.batch.tasks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import batch
from summarizer.batch import collect_inputs
from summarizer.settings import Settings
from tests._support.batches import SECRET, make_docs, settings_for
from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback


def test_cache_key_changes_with_model_and_parameters(tmp_path: Path, server: FakeOpenAIServer) -> None:
    make_docs(tmp_path / "in", 1)
    doc = collect_inputs([str(tmp_path / "in")])[0].load()
    s = settings_for(server)
    key = batch.summarize_task(s).key_for(doc)
    assert key == batch.summarize_task(s).key_for(doc)
    assert key != batch.summarize_task(s, verify=True).key_for(doc)
    other = Settings(model="gpt-4o", base_url=server.url, api_key=SECRET)
    assert key != batch.summarize_task(other).key_for(doc)
    assert SECRET not in json.dumps(batch.summarize_task(s).key_for(doc))
