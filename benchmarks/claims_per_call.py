"""One claim per scoring call, or several in a numbered list: the ranking (AUC) and the speed of each.

For the first ``--docs`` documents of each file (every one of their claims, so a list holds a document's
claims as a summary's check would), the claims are scored with ``--per-call`` claims a call (default: 1
and 9), sentence by sentence as the checker does, and the AUC of the raw log-odds against the labels is
printed with the calls, tokens, seconds and claims per second of each.

    .venv/bin/python benchmarks/claims_per_call.py --data ../shared/eval --docs 2
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import evaluation, llama_server
from summarizer.calibration import metrics
from summarizer.llm.client import LLM
from summarizer.pipeline.scoring import score_claims
from summarizer.settings import resolve_settings
from summarizer.text.documents import document_from_text
from summarizer.types import Usage

FILES = ["summedits_samsum", "summedits_ectsum", "summedits_scitldr", "summedits_sales_email"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--files", nargs="+", default=FILES)
    parser.add_argument("--docs", type=int, default=2, help="the first N documents of each file")
    parser.add_argument("--per-call", type=int, nargs="+", default=[1, 9])
    parser.add_argument("-m", "--model")
    parser.add_argument("--base-url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = resolve_settings(args.model, args.base_url)
    print("| file | claims | per call | AUC | calls | prompt tokens | completion tokens | s | claims/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    with llama_server.serving() if settings.local else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if base_url else settings)
        for name in args.files:
            rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl")
            groups = list(evaluation.group_by_doc(rows).items())[: args.docs]
            for per_call in args.per_call:
                usage, labels, logits = Usage(), [], []
                started = time.perf_counter()
                for doc, group in groups:
                    got = score_claims(llm, document_from_text(doc), [r.claim for r in group], usage,
                                       claims_per_call=per_call)  # fmt: skip
                    for row, logit in zip(group, got or [None] * len(group), strict=True):
                        if logit is not None:
                            labels.append(row.label)
                            logits.append(logit)
                seconds = time.perf_counter() - started
                n = sum(len(g) for _, g in groups)
                auc = metrics.auc(logits, labels)
                print(f"| {name} | {n} | {per_call} | {'-' if auc is None else f'{100 * auc:.1f}'} | {usage.calls} "
                      f"| {usage.prompt_tokens} | {usage.completion_tokens} | {seconds:.0f} | {n / seconds:.2f} |",
                      flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
