"""The Batch API path end to end: prepare → run (a fake server adding a fixed latency per call, in its own
process) → collect, for 1,000 and 4,000 documents; the tool's own CPU per document and the peak memory of
each step.

    .venv/bin/python benchmarks/batch_api.py                    # 1,000 and 4,000 documents, 0.05 s/call
    .venv/bin/python benchmarks/batch_api.py --docs 1000 --latency 0.2 --jobs 32

Each step runs in its own process (``--step``), so its peak resident memory (``ru_maxrss``) is its own and
its CPU time counts only the step itself (after the imports, which are printed apart): prepare (load,
cache lookup, estimate, the request built by the SDK, the request file), run (posting each request line
to the fake server, ``--jobs`` at a time, and writing the output file), collect (reading the answers,
validation, grounding, the cache, the fsync'd results file). The documents are made up, about
``--tokens`` tokens each. Target: prepare and collect at most 5 ms of CPU per document, and memory flat
in the number of documents (the steps stream). The machine may be shared: figures are noisy. Not a
test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = "gpt-4o-mini"
KEY = "sk-bench-not-a-key"
_WORDS = """council harbour bridge vote mayor budget million construction traffic residents committee report
engineers river crossing contract tender delay cost estimate proposal public meeting officials funding grant
state federal project design steel concrete lanes cyclists pedestrians ferry port"""
WORDS = _WORDS.split()


def article(n: int, target_tokens: int, rng: random.Random) -> str:
    """A made-up news article of about ``target_tokens`` tokens (about 1.3 tokens a word), tagged DOC-n."""
    sentences = [f"DOC-{n} is a report on the harbour council and its plans for the new bridge."]
    words = 15
    while words * 1.3 < target_tokens:
        picked = rng.choices(WORDS, k=rng.randint(10, 22))
        words += len(picked) + 6
        sentences.append(f"The {' '.join(picked)} was put at {rng.randint(2, 900)} million dollars.".capitalize())
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs) + "\n"


def step(name: str, folder: str, job: str, url: str, jobs: int) -> dict[str, float]:
    """One step, in this process: its CPU and wall time (imports and set-up apart) and peak memory."""
    c0 = time.process_time()
    from summarizer.batch.api import JobSpec, collect, prepare, run
    from summarizer.settings import Settings

    settings = Settings(model=MODEL, base_url=url, api_key=KEY, max_retries=0, timeout=60)
    setup_cpu = time.process_time() - c0
    c1, t1 = time.process_time(), time.perf_counter()
    if name == "prepare":
        report = prepare([folder], job, JobSpec(kind="summarize", model=MODEL, endpoint=url))
        count = report.documents
    elif name == "run":
        count = run(job, settings, jobs=jobs).ok
    else:
        result = collect(job, str(Path(job).parent / "results.jsonl"), settings=settings)
        assert result.outcome.failed == 0 and result.waiting == 0, result.as_dict()
        count = result.outcome.done
    return {
        "count": count,
        "cpu_s": time.process_time() - c1,
        "wall_s": time.perf_counter() - t1,
        "setup_cpu_s": setup_cpu,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def in_child(name: str, folder: Path, job: Path, url: str, jobs: int, cache: Path) -> dict[str, float]:
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, "--folder", str(folder), "--job", str(job), "--url", url,
         "--jobs", str(jobs)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "_support" / "fake_openai_server.py"), "--latency", str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"the fake server did not start: {url!r}")
    return proc, url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per call at the fake server")
    parser.add_argument("--jobs", type=int, default=16, help="requests in flight during run")
    parser.add_argument("--tokens", type=int, default=1000, help="tokens per generated article")
    parser.add_argument("--step", choices=["prepare", "run", "collect"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step, args.folder, args.job, args.url, args.jobs)))
        return 0

    rng = random.Random(7)
    print(f"documents of about {args.tokens} tokens; fake server {args.latency} s/call; run with {args.jobs} in flight")
    print(f"{'docs':>6}  {'step':<8} {'CPU ms/doc':>10}  {'wall s':>7}  {'peak MB':>8}  {'set-up CPU s':>12}")
    server, url = start_server(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in args.docs:
                folder = Path(tmp) / f"docs{n}"
                folder.mkdir()
                for i in range(1, n + 1):
                    (folder / f"doc{i:05d}.txt").write_text(article(i, args.tokens, rng), encoding="utf-8")
                job = Path(tmp) / f"run{n}" / "job"
                job.parent.mkdir()
                for name in ("prepare", "run", "collect"):
                    got = in_child(name, folder, job, url, args.jobs, Path(tmp) / f"cache{n}")
                    assert got["count"] == n, (name, got)
                    print(
                        f"{n:>6}  {name:<8} {1000 * got['cpu_s'] / n:>10.2f}  {got['wall_s']:>7.2f}  "
                        f"{got['maxrss_mb']:>8.1f}  {got['setup_cpu_s']:>12.2f}",
                        flush=True,
                    )
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
