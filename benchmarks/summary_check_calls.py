"""`check --summary` on news: calls and seconds with a document's claim prompts in one call, and without.

For each of the first N CNN/DailyMail test articles (REALSumm's copy in ../shared/eval) and its reference
summary, on the bundled local model:

1. ``check(article, summary=reference)`` as the CLI runs it with no API key (the summary decomposed by
   the model, every open claim sentence scored, the prompts in one call): calls and seconds;
2. the claims that check found, checked again twice, as one prompt list and as one chat call per
   prompt, the order alternating by article: calls, seconds, and how far verdicts and confidences
   differ. Both runs find the source in the server's prompt cache (the first check put it there; the
   server keeps past prompts in memory, so even an unrelated prompt in between does not take it away):
   this compares warm runs, what a check of a second claim list costs. (The decomposition is left out
   of this comparison: asked twice, the 1.5B model does not always split a summary the same way.)
3. with ``--verdicts``, the same claims checked a third time with the model's JSON verdicts (``scorer=
   "verdicts"``: a quote and a reason generated per claim, the default before the calibrated scores),
   also warm: the scores' speed against the way they replaced, where a summary's claims share their source.

    .venv/bin/python benchmarks/summary_check_calls.py --articles 8
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from realsumm import article_text

from summarizer import check, llama_server
from summarizer.llm.client import LLM
from summarizer.settings import resolve_settings


def reference_text(line: str) -> str:
    """REALSumm's references run their sentences together ("aftershocks .pushpa"): part them first."""
    return article_text(re.sub(r" \.(?=\S)", " . ", line))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "eval"))
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--out", default="results/summary_check_calls.json")
    parser.add_argument("--verdicts", action="store_true", help="also check the claims with JSON verdicts (slow)")
    args = parser.parse_args()

    data = Path(args.data)
    articles = (data / "realsumm_cnndm_articles.txt").read_text(encoding="utf-8").splitlines()
    references = (data / "realsumm_cnndm_references.txt").read_text(encoding="utf-8").splitlines()
    rows = []
    with llama_server.serving() as base_url:
        settings = replace(resolve_settings(), base_url=base_url)
        for i in range(args.articles):
            text, summary = article_text(articles[i]), reference_text(references[i])
            t0 = time.perf_counter()
            full = check(text, summary=summary, llm=LLM(settings))
            row: dict[str, Any] = {"article": i, "chars": len(text), "summary_check_calls": full.usage.calls,
                                   "summary_check_seconds": round(time.perf_counter() - t0, 1),
                                   "claims": len(full.claims),
                                   "scored": sum(c.scored_by == "logprobs" for c in full.claims)}  # fmt: skip
            claims = [c.claim for c in full.claims]
            runs = {}
            order = [("lists", True), ("chat", False)]
            for name, lists in order if i % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                runs[name] = check(text, claims, llm=LLM(replace(settings, prompt_lists=lists)))
                row[f"{name}_seconds"] = round(time.perf_counter() - t0, 1)
                row[f"{name}_calls"] = runs[name].usage.calls
            pairs = list(zip(runs["lists"].claims, runs["chat"].claims, strict=True))
            if args.verdicts:
                t0 = time.perf_counter()
                judged = check(text, claims, scorer="verdicts", llm=LLM(settings))
                row["json_seconds"] = round(time.perf_counter() - t0, 1)
                row["json_calls"] = judged.usage.calls
                row["json_completion_tokens"] = judged.usage.completion_tokens
                row["json_judged"] = sum(c.scored_by == "verdict" for c in judged.claims)
            row["verdicts_differ"] = sum(a.verdict != b.verdict for a, b in pairs)
            row["max_confidence_gap"] = round(max((abs(a.confidence - b.confidence) for a, b in pairs), default=0), 3)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    _print(rows)
    return 0


def _print(rows: list[dict[str, Any]]) -> None:
    n = max(1, len(rows))
    claims, scored = sum(r["claims"] for r in rows), sum(r["scored"] for r in rows)
    calls = [r["summary_check_calls"] for r in rows]
    print(f"{len(rows)} CNN/DM articles and their reference summaries: {claims} claims, {scored} scored by the model")
    print(f"check(article, summary=reference): {sum(calls) / n:.1f} calls per summary (at most {max(calls)}), "
          f"{sum(r['summary_check_seconds'] for r in rows) / n:.1f} s")  # fmt: skip
    print("| the same claims scored | calls per summary (max) | seconds per summary | claims per second |")
    print("|---|---|---|---|")
    verdicts = all("json_seconds" in r for r in rows)  # the rows of a run with --verdicts
    judged = sum(r["json_judged"] for r in rows) if verdicts else 0
    legs = [("lists", "as one prompt list (the bundled server)", scored), ("chat", "one chat call per prompt", scored)]
    if verdicts:
        legs.append(("json", "JSON verdicts, one quote and reason a claim (before)", judged))
    for name, label, sent in legs:
        secs = sum(r[f"{name}_seconds"] for r in rows)
        per = [r[f"{name}_calls"] for r in rows]
        print(f"| {label} | {sum(per) / n:.1f} ({max(per)}) | {secs / n:.1f} | {sent / max(secs, 1e-9):.2f} |")
    if verdicts:
        print(f"JSON verdicts: {sum(r['json_completion_tokens'] for r in rows)} completion tokens for {judged} claims")
    print(f"verdicts differing between the two: {sum(r['verdicts_differ'] for r in rows)} of {claims}; "
          f"largest confidence gap: {max((r['max_confidence_gap'] for r in rows), default=0):.3f}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
