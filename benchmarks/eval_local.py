"""Model-free baselines on the labelled dev sets: the published lexical floor and the local checker.

    .venv/bin/python benchmarks/eval_local.py                       # every dev file, both predictors
    .venv/bin/python benchmarks/eval_local.py --limit 200 --seed 1  # a stratified sample of each
    .venv/bin/python benchmarks/eval_local.py --data DIR --out results/local

Prints a Markdown table (BAcc, share settled locally, precision of the settled answers) and writes one
JSON report per (file, predictor) to ``--out``. Factcheck-GPT is scored twice: ``factcheck_gpt_stance``
is completely-support (1) vs refute (0), the other stances skipped; ``factcheck_gpt_stance:all`` counts
partially-support and irrelevant evidence as 0 too.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.evaluation import (
    STANCE_BINARY,
    STANCE_SUPPORTED_VS_REST,
    EvalReport,
    evaluate,
    floor_predictor,
    format_table,
    load_rows,
    rules_predictor,
    save_report,
)

DEFAULT_DATA = Path("/work/shared/eval")
#: Balanced accuracy of the floor as published in the data README (percent).
PUBLISHED_FLOOR = {
    "summedits_podcast": 61.6,
    "summedits_samsum": 57.1,
    "summedits_scitldr": 54.8,
    "summedits_qmsumm": 49.0,
    "summedits_ectsum": 63.7,
    "summedits_sales_call": 56.3,
    "summedits_sales_email": 63.5,
    "wice_claim_dev_binary": 73.3,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="JSONL files (default: every *.jsonl in --data)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path("results/local"))
    parser.add_argument(
        "--limit", type=int, default=None, help="stratified sample of this many rows per file"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", choices=("floor", "local", "both"), default="both")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    files = args.files or sorted(args.data.glob("*.jsonl"))
    predictors = {"floor": floor_predictor(), "local": rules_predictor()}
    if args.mode != "both":
        predictors = {args.mode: predictors[args.mode]}
    reports: list[EvalReport] = []
    started = time.perf_counter()
    for path in files:
        variants = [(path.stem, STANCE_BINARY)]
        if path.stem.startswith("factcheck"):
            variants.append((f"{path.stem}:all", STANCE_SUPPORTED_VS_REST))
        for dataset, stance_map in variants:
            rows = load_rows(path, limit=args.limit, seed=args.seed, stance_map=stance_map)
            for name, predictor in predictors.items():
                report = evaluate(rows, predictor, name=name, dataset=dataset)
                reports.append(report)
                save_report(report, args.out / f"{dataset.replace(':', '-')}.{name}.json")
    print(format_table(reports))
    floors = {r.dataset: r.balanced_accuracy for r in reports if r.name == "floor"}
    compared = [(d, 100 * floors[d], pub) for d, pub in PUBLISHED_FLOOR.items() if d in floors]
    if compared:
        print(
            "\nfloor reproduced vs published: "
            + ", ".join(f"{d} {ours:.1f}/{pub}" for d, ours, pub in compared)
        )
    print(f"\n{len(reports)} runs in {time.perf_counter() - started:.1f} s; reports in {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
