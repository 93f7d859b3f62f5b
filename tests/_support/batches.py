"""Documents, settings and a summarize run for the batch tests, against the fake OpenAI-compatible server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer import batch
from summarizer.batch import BatchInput, run_batch
from summarizer.cache import ResultCache
from summarizer.llm.client import LLM
from summarizer.settings import Settings
from tests._support.fake_openai_server import FakeOpenAIServer

SECRET = "sk-secret-test-4f9a1c2b7d0e6a5f3b8c"


def article(n: int) -> str:
    return (
        f"DOC-{n} reports on the harbour council. The council voted {n} to 2 on Tuesday to approve the new "
        f"bridge. Construction is expected to start in March and to cost {10 + n} million dollars. "
        "The mayor said the project would ease traffic on the old crossing.\n"
    )


def make_docs(folder: Path, n: int, start: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = folder / f"doc{i:02d}.txt"
        p.write_text(article(i), encoding="utf-8")
        paths.append(p)
    return paths


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def settings_for(srv: FakeOpenAIServer) -> Settings:
    return Settings(model="gpt-4o-mini", base_url=srv.url, api_key=SECRET, max_retries=0, timeout=20)


def summarize_run(
    srv: FakeOpenAIServer, inputs: list[BatchInput], output: Path, *, cache: ResultCache | None, **kw: Any
) -> batch.BatchOutcome:
    s = settings_for(srv)
    task = batch.summarize_task(s, LLM(s))
    return run_batch(
        inputs,
        task.work,
        output=str(output),
        cache=cache,
        key_for=task.key_for,
        estimate=task.estimate,
        secrets=[SECRET],
        **kw,
    )
