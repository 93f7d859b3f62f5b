"""Batch throughput against the fake OpenAI-compatible server (tests/fake_openai_server.py) with a fixed
latency per call, run in a subprocess so its CPU is not counted as the tool's.

    .venv/bin/python benchmarks/batch_throughput.py                     # 100 docs, --jobs 16, 0.2 s/call
    .venv/bin/python benchmarks/batch_throughput.py --docs 200 --jobs 8 --latency 0.5

Prints wall time, the ideal (calls x latency / jobs), their ratio (target <= 1.25), the tool's own CPU
time per document (this process: loading, prompt building, token counting, the HTTP client, validation,
grounding, the cache and the fsync'd JSONL output), and the same for a second, fully cached run.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import batch, tokens  # noqa: E402
from summarizer.cache import ResultCache  # noqa: E402
from summarizer.llm import LLM, Settings  # noqa: E402

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
        [sys.executable, str(ROOT / "tests" / "fake_openai_server.py"), "--latency", str(latency)],
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


def timed_run(inputs: list[batch.BatchInput], task: batch.Task, output: Path, cache: ResultCache, jobs: int):
    c0, t0 = time.process_time(), time.perf_counter()
    outcome = batch.run_batch(
        inputs, task.work, jobs=jobs, output=str(output), cache=cache, key_for=task.key_for
    )
    return outcome, time.perf_counter() - t0, time.process_time() - c0


def summarize_alone(inputs: list[batch.BatchInput], settings: Settings) -> float:
    """CPU milliseconds per document of plain summarize() calls, one after the other, no batch."""
    from summarizer.summarize import summarize

    llm = LLM(settings)
    summarize(inputs[0].load(), llm=llm)  # warm the client
    c0 = time.process_time()
    for item in inputs[1:]:
        summarize(item.load(), llm=llm)
    return 1000 * (time.process_time() - c0) / (len(inputs) - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds per model call at the fake server"
    )
    parser.add_argument("--tokens", type=int, default=1000, help="tokens per generated article")
    args = parser.parse_args(argv)

    rng = random.Random(7)
    c_cold, t_cold = time.process_time(), time.perf_counter()
    tokens.count_tokens("warm up", MODEL)  # loads the bundled tokenizer (once per process)
    cold = (time.perf_counter() - t_cold, time.process_time() - c_cold)

    server, url = start_server(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "docs"
            folder.mkdir()
            for i in range(1, args.docs + 1):
                (folder / f"doc{i:04d}.txt").write_text(article(i, args.tokens, rng), encoding="utf-8")
            inputs = batch.collect_inputs([str(folder)])
            settings = Settings(model=MODEL, base_url=url, api_key="sk-bench-not-a-key", max_retries=0)
            task = batch.summarize_task(settings, LLM(settings))
            with ResultCache(Path(tmp) / "results.sqlite3") as cache:
                first, wall, cpu = timed_run(inputs, task, Path(tmp) / "one.jsonl", cache, args.jobs)
                second, wall2, cpu2 = timed_run(inputs, task, Path(tmp) / "two.jsonl", cache, args.jobs)
                alone = summarize_alone(inputs[:20], settings)
    finally:
        stats = stop_server(server)

    calls = first.usage.calls
    ideal = calls * args.latency / args.jobs
    per_doc = 1000 * cpu / args.docs
    print(
        f"documents: {args.docs} (~{args.tokens} tokens each), --jobs {args.jobs}, latency {args.latency} s/call"
    )
    print(f"tokenizer load (once per process, not in the figures below): {cold[1]:.2f} s CPU")
    print(f"run 1: {first.done} ok, {first.failed} failed, {calls} calls")
    print(f"  wall time      {wall:.2f} s")
    print(f"  ideal          {ideal:.2f} s  (calls x latency / jobs)")
    print(f"  ratio          {wall / ideal:.2f}  (target <= 1.25)")
    print(f"  tool CPU       {cpu:.2f} s total, {per_doc:.1f} ms per document")
    print(
        f"    load + summarize() alone, one thread: {alone:.1f} ms; the rest: batch machinery, GIL contention"
    )
    if cpu > 0.8 * ideal:
        print(
            f"  note: {cpu:.2f} s of CPU under one GIL against a {ideal:.2f} s ideal: the run is CPU-bound, "
            "and threads waiting for the GIL stretch every call"
        )
    print(f"run 2 (cached): {second.cached} from cache, {second.usage.calls} calls")
    print(f"  wall time      {wall2:.2f} s, tool CPU {1000 * cpu2 / args.docs:.1f} ms per document")
    print(f"fake server (separate process): {stats['requests']} requests, {stats['cpu_s']:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
