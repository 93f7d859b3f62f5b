"""Calls and tokens per article (summarize) and per claim (check), next to the anchors' counts.

Runs the real pipelines on CNN/DailyMail test articles (REALSumm's copy in ../shared/eval) against any
OpenAI-compatible server (the local llama-server by default), then checks each summary's own claims
(`summarize --verify`), and prints the figures.

    .venv/bin/python benchmarks/calls_tokens.py --articles 3
    OPENAI_API_KEY=... .venv/bin/python benchmarks/calls_tokens.py -m gpt-4o-mini --articles 20
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from realsumm import article_text

from summarizer import check, llama_server, summarize
from summarizer.llm.client import LLM
from summarizer.settings import resolve_settings

ANCHORS = [
    ("RAGAS faithfulness", "2 calls per answer (statements, then verdicts)"),
    ("DeepEval faithfulness", "4 calls per answer (truths, claims, verdicts, reason)"),
    ("DeepEval summarization", "7 calls per summary"),
    ("FActScore", "about 1 call per sentence + 1 per atomic fact"),
]



def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "eval"))
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("-m", "--model")
    parser.add_argument("--base-url")
    parser.add_argument("--out", default="results/calls_tokens.json")
    args = parser.parse_args()

    lines = Path(args.data, "realsumm_cnndm_articles.txt").read_text(encoding="utf-8").splitlines()
    settings = resolve_settings(args.model, args.base_url)
    rows = []
    with llama_server.serving() if settings.local else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if settings.local and base_url else settings)
        for i, line in enumerate(lines[: args.articles]):
            text = article_text(line)
            t0 = time.perf_counter()
            summary = summarize(text, llm=llm)
            t1 = time.perf_counter()
            report = check(text, [c.text for c in summary.claims], llm=llm)
            t2 = time.perf_counter()
            n = max(1, len(summary.claims))
            rows.append(
                {
                    "article": i,
                    "chars": len(text),
                    "summary_calls": summary.usage.calls,
                    "summary_prompt_tokens": summary.usage.prompt_tokens,
                    "summary_completion_tokens": summary.usage.completion_tokens,
                    "summary_seconds": round(t1 - t0, 1),
                    "claims": len(summary.claims),
                    "grounded": sum(c.grounded for c in summary.claims),
                    "check_calls": report.usage.calls,
                    "check_calls_per_claim": round(report.usage.calls / n, 3),
                    "check_tokens_per_claim": round(
                        (report.usage.prompt_tokens + report.usage.completion_tokens) / n, 1
                    ),
                    "settled_locally": sum(c.decided_by == "local" for c in report.claims),
                    "check_seconds": round(t2 - t1, 1),
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    _print(rows, settings.model)
    return 0


def _mean(rows: list[dict[str, float]], key: str) -> float:
    return sum(r[key] for r in rows) / max(1, len(rows))


def _print(rows: list[dict[str, float]], model: str) -> None:
    claims = sum(r["claims"] for r in rows)
    print(f"model: {model}; {len(rows)} CNN/DM articles, {claims} claims")
    print("| pipeline | calls | tokens | seconds |")
    print("|---|---|---|---|")
    print(
        f"| summarize, per article | {_mean(rows, 'summary_calls'):.2f} | "
        f"{_mean(rows, 'summary_prompt_tokens'):.0f} prompt + {_mean(rows, 'summary_completion_tokens'):.0f} "
        f"completion | {_mean(rows, 'summary_seconds'):.0f} |"
    )
    calls = sum(r["check_calls"] for r in rows) / max(1, claims)
    tokens = sum(r["check_tokens_per_claim"] * max(1, r["claims"]) for r in rows) / max(1, claims)
    local_share = sum(r["settled_locally"] for r in rows) / max(1, claims)
    print(
        f"| check (--verify), per claim | {calls:.3f} | {tokens:.0f} | {_mean(rows, 'check_seconds'):.0f} per article |"
    )
    print(
        f"claims grounded: {sum(r['grounded'] for r in rows)}/{claims}; settled locally: {100 * local_share:.0f}%"
    )
    for name, count in ANCHORS:
        print(f"anchor: {name}: {count}")


if __name__ == "__main__":
    raise SystemExit(main())
