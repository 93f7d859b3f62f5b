"""Contradicted or not in the source? How the checker splits the claims it finds unsupported, measured.

A claim the checker does not find supported is ``contradicted`` when the source speaks to it (a
conflicting number, date or negation, or one source sentence holding at least
``config.CONTRADICTION_COVERAGE`` of its content words) and ``not_in_source`` when nothing does; a trusted
local finding that settles a claim gives its own verdict (a missing name: not in the source). The split
reads local signals only, so it is measured here at zero tokens, on every claim whose label says which of
the two it is: Factcheck-GPT's stances, ``refute`` (the evidence contradicts the claim) against
``irrelevant`` (the evidence does not speak to it), 2,218 rows of ``../shared/eval``.

Prints the split at the shipped cut (per class recall and balanced accuracy, since refutations are 7% of
the rows), the AUC of the best sentence's coverage for telling the two apart, and the balanced accuracy at
other cuts: on all rows and on two halves of the claims (seed 0; a claim's rows in one half), so a cut
chosen on one half can be read on the other.

    .venv/bin/python benchmarks/verdict_split.py
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import config, evaluation
from summarizer.calibration import metrics
from summarizer.calibration.decide import settle, unsupported_verdict
from summarizer.calibration.examples import examples_for_document
from summarizer.calibration.profile import Profile, load_profile
from summarizer.errors import InputError
from summarizer.rules.checker import LocalChecker, LocalResult
from summarizer.types import Verdict

STANCES = {"refute": 1, "irrelevant": 0}
"""1: the source speaks against the claim (``contradicted``); 0: it does not speak to it (``not_in_source``)."""
CUTS = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)


@dataclass(frozen=True)
class Split:
    label: int
    claim: str
    settled: Verdict | None
    """The verdict of a trusted finding that settles the claim unsupported, else None (the split decides)."""
    local: LocalResult
    features: dict[str, float]

    def contradicted(self, cut: float) -> int:
        verdict = self.settled or unsupported_verdict(self.local, self.features, coverage=cut)
        return int(verdict == "contradicted")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--profile", default=str(Path(__file__).resolve().parent.parent / "summarizer" / "profiles"
                                                 / f"{config.LOCAL_MODEL}.json"),
                        help="whose rules settle claims (default: the bundled local model's profile)")  # fmt: skip
    args = parser.parse_args()
    profile = load_profile(args.profile)
    rows = evaluation.load_rows(Path(args.data) / "factcheck_gpt_stance.jsonl", stance_map=STANCES)
    splits = [_split(profile, row) for row in rows]
    labels = [s.label for s in splits]
    shipped = config.CONTRADICTION_COVERAGE
    said = [s.contradicted(shipped) for s in splits]
    print(f"{len(splits)} rows: {sum(labels)} refute, {len(labels) - sum(labels)} irrelevant; "
          f"{sum(s.settled is not None for s in splits)} settled by a trusted finding\n")  # fmt: skip
    print("| stance | rows | called contradicted | called not_in_source | recall |\n|---|---|---|---|---|")
    for name, value in STANCES.items():
        mine = [p for p, y in zip(said, labels, strict=True) if y == value]
        hits = sum(p == value for p in mine)
        print(f"| {name} | {len(mine)} | {sum(mine)} | {len(mine) - sum(mine)} | {100 * hits / len(mine):.1f} |")
    print(f"\nat the shipped cut ({shipped}): BAcc {100 * metrics.balanced_accuracy(labels, said):.1f}; "
          f"AUC of the best sentence's coverage (refute over irrelevant) "
          f"{100 * (metrics.auc([s.features['coverage_best'] for s in splits], labels) or 0.5):.1f}\n")  # fmt: skip
    claims = sorted({s.claim for s in splits})
    random.Random(0).shuffle(claims)
    first = set(claims[: len(claims) // 2])
    parts = {"all rows": splits, "half A": [s for s in splits if s.claim in first],
             "half B": [s for s in splits if s.claim not in first]}  # fmt: skip
    print(f"| rows | refute | {' | '.join(f'cut {c}' for c in CUTS)} |\n|---|---|{'---|' * len(CUTS)}")
    for name, part in parts.items():
        y = [s.label for s in part]
        cells = " | ".join(f"{100 * metrics.balanced_accuracy(y, [s.contradicted(c) for s in part]):.1f}" for c in CUTS)
        print(f"| {name} ({len(part)}) | {sum(y)} | {cells} |")
    kinds = Counter(s.settled for s in splits if s.settled is not None and s.label == 1)
    print(f"\nrefuted claims a trusted finding settles: {dict(kinds)}")
    return 0


def _split(profile: Profile, row: evaluation.Row) -> Split:
    """The row's claim read as ``calibrate`` reads it (its local findings and features), and what a trusted
    finding would settle."""
    claims = [(row.id, row.claim, row.label)]
    try:
        [example] = examples_for_document(row.doc, claims, "factcheck")
    except InputError:  # a snippet the document reader takes for page furniture: read as it is
        [example] = examples_for_document(row.doc, claims, "factcheck", checker=LocalChecker(row.doc))
    local = example.local_result()
    decision = settle(profile, local, example.features)
    settled = decision.verdict if decision is not None and decision.verdict != "supported" else None
    return Split(row.label, row.claim, settled, local, example.features)


if __name__ == "__main__":
    sys.exit(main())
