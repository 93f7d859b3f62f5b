"""A calibration profile for tests: fixed, readable numbers, so a test's verdicts do not move when the
shipped profile is refitted. Every decisive local finding settles (right 99 times of 99); the local
features alone call a claim supported only when one source sentence holds nearly all its words; the fused
model is the model's own P(Yes)."""

from __future__ import annotations

from pathlib import Path

from summarizer.calibration.decide import RULE_VERDICTS
from summarizer.calibration.profile import Logistic, Profile, RuleStat

TEST_PROFILE = Profile(
    name="test-profile",
    models=[],
    claims_per_call=1,
    fused=Logistic(weights={"model_logit": 1.0}, bias=0.0, threshold=0.5),
    local=Logistic(weights={"coverage_best": 8.0, "novel_share": -4.0}, bias=-6.0, threshold=0.5),
    rules={kind: RuleStat(verdict=verdict, right=99, seen=99, settles=True) for kind, verdict in RULE_VERDICTS.items()},
)


def write_test_profile(folder: Path) -> str:
    """The test profile as a file (for ``--profile``); its path."""
    path = folder / "test-profile.json"
    path.write_text(TEST_PROFILE.to_json(), encoding="utf-8")
    return str(path)
