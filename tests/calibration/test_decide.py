"""``summarizer.calibration.decide``: which unsupported verdict a claim gets (the split's cut is data in config)."""

from __future__ import annotations

from summarizer import config
from summarizer.calibration.decide import unsupported_verdict
from summarizer.rules.checker import LocalChecker

SOURCE = "The council approved the new harbour bridge on Tuesday. Work starts in March."


def test_a_claim_a_sentence_partly_covers_is_contradicted_from_the_cut_up() -> None:
    checker = LocalChecker(SOURCE)
    local = checker.check("The council rejected the bridge plan.")
    assert not any(s.kind in ("number_mismatch", "date_mismatch", "negation_flip") for s in local.signals)
    for coverage in (0.5, 0.1):
        features = {"coverage_best": coverage}
        assert unsupported_verdict(local, features, coverage=coverage + 0.01) == "not_in_source"
        assert unsupported_verdict(local, features, coverage=coverage) == "contradicted"
    # the shipped cut: measured on Factcheck-GPT (benchmarks/verdict_split.py), 0.4
    assert unsupported_verdict(local, {"coverage_best": config.CONTRADICTION_COVERAGE}) == "contradicted"
    assert unsupported_verdict(local, {"coverage_best": config.CONTRADICTION_COVERAGE - 0.01}) == "not_in_source"
    assert unsupported_verdict(local, {}) == "not_in_source"


def test_a_conflicting_number_is_contradicted_however_little_of_the_claim_a_sentence_holds() -> None:
    checker = LocalChecker("Tickets cost 12 euros.")
    local = checker.check("Tickets cost 15 euros.")
    assert any(s.kind == "number_mismatch" for s in local.signals)
    assert unsupported_verdict(local, {"coverage_best": 0.0}) == "contradicted"
