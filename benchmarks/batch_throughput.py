"""Batch throughput against the fake OpenAI-compatible server (tests/_support/fake_openai_server.py) with a fixed
latency per call, run in a subprocess so its CPU is not counted as the tool's; the batch runs in-process.

    .venv/bin/python benchmarks/batch_throughput.py                  # 100 docs, --jobs 16, 0.2 0.5 1 2 s/call
    .venv/bin/python benchmarks/batch_throughput.py --latency 0.2 --repeat 5
    .venv/bin/python benchmarks/batch_throughput.py --docs 200 --jobs 8 --latency 0.5

For each latency, the median of ``--repeat`` runs (each with a fresh client, cache and output file) of:
the wall time; the ideal (calls x latency / jobs); the wave bound (ceil(docs / jobs) x latency, what a
tool with zero overhead takes, since --jobs documents are in flight at a time); the ratio to the ideal
(target <= 1.25); and the tool's own CPU time per document (this process: loading, prompt building,
the HTTP client, validation, grounding, the cache and the fsync'd JSONL output; everything but waiting
on the model). Then the same batch again from the cache, and summarize() alone in one thread.

The set-up before the first request (imports, the client, schemas; once per process) is measured and
printed apart: it is not part of a batch's throughput. The machine may be shared: figures are noisy,
hence the medians. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import batch  # noqa: E402
from summarizer.cache import ResultCache  # noqa: E402
from summarizer.llm.client import LLM  # noqa: E402
from summarizer.settings import Settings  # noqa: E402
from summarizer.text import tokens  # noqa: E402

MODEL = "gpt-4o-mini"
WORDS = [
    "council",
    "harbour",
    "bridge",
    "vote",
    "mayor",
    "budget",
    "million",
    "construction",
    "traffic",
    "residents",
    "committee",
    "report",
    "engineers",
    "river",
    "crossing",
    "contract",
    "tender",
    "delay",
    "cost",
    "estimate",
    "proposal",
    "public",
    "meeting",
    "officials",
    "funding",
    "grant",
    "state",
    "federal",
    "project",
    "design",
    "steel",
    "concrete",
    "lanes",
    "cyclists",
    "pedestrians",
    "ferry",
    "port",
]


def article(n: int, target_tokens: int, rng: random.Random) -> str:
    """A made-up news article of about ``target_tokens`` tokens, tagged DOC-n."""
    sentences = [f"DOC-{n} is a report on the harbour council and its plans for the new bridge."]
    while tokens.count_tokens(" ".join(sentences), MODEL) < target_tokens:
        words = rng.choices(WORDS, k=rng.randint(10, 22))
        number = rng.randint(2, 900)
        sentences.append(
            f"The {words[0]} {' '.join(words[1:])} was put at {number} million dollars.".capitalize()
        )
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs) + "\n"


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "_support" / "fake_openai_server.py"), "--latency", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"the fake server did not start: {url!r}")
    return proc, url


def stop_server(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = proc.communicate(input="", timeout=30)
    return json.loads(out.strip().splitlines()[-1])


def timed_run(
    inputs: list[batch.BatchInput], task: batch.Task, output: Path, cache: ResultCache, jobs: int
) -> tuple[batch.BatchOutcome, float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    outcome = batch.run_batch(
        inputs, task.work, jobs=jobs, output=str(output), cache=cache, key_for=task.key_for
    )
    return outcome, time.perf_counter() - t0, time.process_time() - c0


def new_task(url: str) -> batch.Task:
    settings = Settings(model=MODEL, base_url=url, api_key="sk-bench-not-a-key", max_retries=0)
    return batch.summarize_task(settings, LLM(settings))  # a fresh client: connections are set up anew


def summarize_alone(inputs: list[batch.BatchInput], url: str) -> float:
    """CPU milliseconds per document of plain summarize() calls, one after the other, no batch."""
    from summarizer import summarize

    llm = LLM(Settings(model=MODEL, base_url=url, api_key="sk-bench-not-a-key", max_retries=0))
    summarize(inputs[0].load(), llm=llm)  # warm the client
    c0 = time.process_time()
    for item in inputs[1:]:
        summarize(item.load(), llm=llm)
    return 1000 * (time.process_time() - c0) / (len(inputs) - 1)


@dataclass
class Row:
    latency: float
    walls: list[float]
    cpus: list[float]  # ms per document
    calls: int

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument(
        "--latency",
        type=float,
        nargs="+",
        default=[0.2, 0.5, 1.0, 2.0],
        help="seconds per model call at the fake server (one or more)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per latency (the median is shown)")
    parser.add_argument("--tokens", type=int, default=1000, help="tokens per generated article")
    args = parser.parse_args(argv)

    rng = random.Random(7)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        for i in range(1, args.docs + 1):
            (folder / f"doc{i:04d}.txt").write_text(article(i, args.tokens, rng), encoding="utf-8")
        inputs = batch.collect_inputs([str(folder)])
        runs = 0
        for latency in args.latency:
            server, url = start_server(latency)
            try:
                row = Row(latency, [], [], 0)
                for _ in range(args.repeat):
                    runs += 1
                    c0, t0 = time.process_time(), time.perf_counter()
                    task = new_task(url)
                    if runs == 1:
                        setup = (time.perf_counter() - t0, time.process_time() - c0)
                    with ResultCache(Path(tmp) / f"cache{runs}.sqlite3") as cache:
                        out, wall, cpu = timed_run(
                            inputs, task, Path(tmp) / f"run{runs}.jsonl", cache, args.jobs
                        )
                        assert out.done == args.docs and out.failed == 0, batch.format_outcome(out)
                        row.walls.append(wall)
                        row.cpus.append(1000 * cpu / args.docs)
                        row.calls = out.usage.calls
                        if runs == 1:  # the same batch again, every result from the cache
                            again, wall2, cpu2 = timed_run(
                                inputs, task, Path(tmp) / "again.jsonl", cache, args.jobs
                            )
                            cached = (again.cached, again.usage.calls, wall2, 1000 * cpu2 / args.docs)
                rows.append(row)
                if latency == args.latency[0]:
                    alone = summarize_alone(inputs[:21], url)
            finally:
                stats = stop_server(server)

    waves = math.ceil(args.docs / args.jobs)
    print(
        f"{args.docs} documents (~{args.tokens} tokens each), --jobs {args.jobs} ({waves} waves), "
        f"median of {args.repeat} runs per latency"
    )
    print(
        f"set-up before the first request (imports, client, schemas; once per process): "
        f"{setup[0]:.2f} s wall, {setup[1]:.2f} s CPU (not in the figures below)"
    )
    print()
    print(
        "| latency | wall (median) | runs | ideal | wave bound | ratio to ideal | over wave bound | "
        "tool CPU / doc |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        ideal = row.calls * row.latency / args.jobs
        bound = waves * row.latency
        spread = ", ".join(f"{w:.2f}" for w in sorted(row.walls))
        verdict = "ok" if row.wall <= 1.25 * ideal else "over 1.25"
        print(
            f"| {row.latency:g} s | {row.wall:.2f} s | {spread} | {ideal:.2f} s | {bound:.2f} s | "
            f"{row.wall / ideal:.2f} ({verdict}) | +{1000 * (row.wall - bound):.0f} ms | {row.cpu:.1f} ms |"
        )
    print()
    n_cached, calls2, wall2, cpu2 = cached
    print(
        f"the same batch again (cache): {n_cached} from cache, {calls2} model calls, {wall2:.2f} s, "
        f"{cpu2:.1f} ms CPU per document"
    )
    print(f"summarize() alone, one thread, document loading included: {alone:.1f} ms CPU per document")
    print(
        f"fake server (separate process, last latency): {stats['requests']} requests, {stats['cpu_s']:.2f} s CPU"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
