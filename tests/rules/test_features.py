"""Tests for :mod:`summarizer.rules.features`: the local features are the same numbers in every process."""

from __future__ import annotations

import os
import subprocess
import sys

# Many content words of different idf, so a sum taken in set order (which the hash seed sets) lands on
# different last bits from one process to the next.
SCRIPT = """
from summarizer.rules.checker import LocalChecker
from summarizer.rules.features import claim_features
source = " ".join(
    f"Sentence {i} names harbour {i % 7} crane {i % 5} ledger {i % 3} pilot boat {i % 11} and the quay."
    for i in range(40)
) + " The council weighed ferries, cranes, tolls, ledgers, pilots, gantries, warehouses and tugboats."
claim = ("The council weighed ferries, cranes, tolls, ledgers, pilots, gantries, warehouses, tugboats, "
         "lighthouses, moorings, dredgers, barges, bollards and customs sheds at the quay.")
checker = LocalChecker(source)
print(repr(sorted(claim_features(checker, claim, checker.check(claim)).items())))
"""


def features_under(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def test_the_features_do_not_depend_on_the_hash_seed() -> None:
    # A profile fitted twice on the same rows must be the same profile (and pick the same threshold).
    first = features_under("1")
    assert "coverage_best" in first
    for seed in ("2", "3", "4", "5", "6"):
        assert features_under(seed) == first
