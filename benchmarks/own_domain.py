"""What fitting a profile on labelled rows of one's own kind of text buys: k-fold cross-validation within
each dev file, against the leave-one-domain-out figures of ``benchmarks/calibration.py``.

For each file, its rows (the same label-stratified sample, seed 0, as the calibration benchmark) are cut
into ``--folds`` folds by document (a document's rows stay in one fold, so no edited variant of a held-out
summary is fitted on); a profile is fitted on the other folds with ``calibrate.fit_profile`` — exactly what
``summarizer calibrate`` does — and applied to the held-out fold. The held-out probabilities of every fold
are pooled into one AUC, balanced accuracy (at each fold's own fitted threshold) and ECE per file.

Uses the log-odds that ``benchmarks/calibration.py`` saved (``--scores``); it asks the model nothing.

    .venv/bin/python benchmarks/own_domain.py --limit 240 --limit-for summedits_ectsum 120 \\
        --limit-for summedits_sales_call 120 --limit-for summedits_sales_email 120 \\
        --limit-for wice_claim_dev_binary 120
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calibration import OTHERS, SUMMEDITS  # the calibration benchmark's files (benchmarks/ is on the path)

from summarizer import config, evaluation
from summarizer.calibration import calibrate, metrics
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline.scoring import PROMPT_NAME
from summarizer.types import Usage


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--files", nargs="+", default=SUMMEDITS + OTHERS)
    parser.add_argument("--limit", type=int, help="label-stratified sample of each file (seed 0)")
    parser.add_argument("--limit-for", nargs=2, action="append", default=[], metavar=("FILE", "N"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--scores", default="results/calibration/scores")
    parser.add_argument("-m", "--model", default=config.LOCAL_MODEL)
    parser.add_argument("--claims-per-call", type=int, default=1)
    parser.add_argument("--lexical", action="store_true",
                        help="also fit the lexical features, as every fit did before they were left out")  # fmt: skip
    args = parser.parse_args()

    version = load_prompt(PROMPT_NAME).version
    folder = Path(args.scores) / args.model / f"{version}-k{args.claims_per_call}"
    limits = {name: int(n) for name, n in args.limit_for}
    print(f"| file | rows | folds | AUC | BAcc | ECE | ECE floor | thresholds |\n|{'---|' * 8}")
    means: list[tuple[float, float, float]] = []
    for name in args.files:
        rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=limits.get(name, args.limit), seed=0)
        known = calibrate.read_scores(folder / f"{name}.jsonl")
        if not known:
            raise SystemExit(f"no saved log-odds for {name} in {folder}: run benchmarks/calibration.py first")
        examples = calibrate.collect_examples(
            {name: rows}, None, claims_per_call=args.claims_per_call, usage=Usage(), known=known
        )
        by_id = {row.id: row for row in rows}
        usable = [(by_id[ex.id], ex) for ex in examples if ex.logit is not None]
        folds = _folds([row for row, _ in usable], args.folds)
        probs: list[float] = []
        labels: list[int] = []
        preds: list[int] = []
        thresholds = []
        for k in range(args.folds):
            train = [ex for (_, ex), f in zip(usable, folds, strict=True) if f != k]
            test = [ex for (_, ex), f in zip(usable, folds, strict=True) if f == k]
            if not test:
                continue
            profile = calibrate.fit_profile(
                train, name=args.model, models=[args.model], prompt_version=version,
                claims_per_call=args.claims_per_call, **({"exclude": ()} if args.lexical else {}),
            )  # fmt: skip
            thresholds.append(profile.fused.threshold)
            for ex in test:
                decision = calibrate.apply_profile(profile, ex, mode="hybrid")
                probs.append(decision.probability)
                labels.append(ex.label)
                preds.append(int(decision.verdict == "supported"))
        auc, bacc, ece = metrics.auc(probs, labels), metrics.balanced_accuracy(labels, preds), metrics.ece(probs, labels)
        if name.startswith("summedits"):
            means.append((auc, bacc, ece))
        print(
            f"| {name} | {len(labels)} | {args.folds} | {100 * auc:.1f} | {100 * bacc:.1f} "
            f"| {ece:.3f} | {metrics.ece_floor(probs):.3f} "
            f"| {min(thresholds):.2f}–{max(thresholds):.2f} |"
        )
    if means:
        auc, bacc, ece = (statistics.mean(column) for column in zip(*means, strict=True))
        print(f"\nSummEdits mean of {len(means)}: AUC {100 * auc:.1f}, BAcc {100 * bacc:.1f}, ECE {ece:.3f}")
    return 0


def _folds(rows: list[evaluation.Row], k: int) -> list[int]:
    """A fold per row: documents shuffled (seed 0) and dealt round-robin, a document's rows together."""
    docs = sorted({row.doc for row in rows})
    random.Random(0).shuffle(docs)
    fold_of = {doc: i % k for i, doc in enumerate(docs)}
    return [fold_of[row.doc] for row in rows]


if __name__ == "__main__":
    raise SystemExit(main())
