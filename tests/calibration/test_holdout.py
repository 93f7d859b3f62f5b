"""Each domain held out in turn (summarizer.calibration.holdout): what a kind of text never fitted on can expect."""

from __future__ import annotations

import pytest

from summarizer.calibration.calibrate import apply_profile, fit_profile
from summarizer.calibration.holdout import hold_out
from summarizer.calibration.metrics import ece
from tests.calibration.test_calibrate import PROFILE_ARGS, example, shifted_domains


def test_alike_domains_held_out_score_as_they_do_in_sample() -> None:
    held = hold_out(shifted_domains([0.0, 0.0, 0.0]), **PROFILE_ARGS)
    assert [h.domain for h in held] == ["d0", "d1", "d2"] and all(h.rows == 300 for h in held)
    for h in held:
        assert h.auc is not None and h.auc > 0.8
        assert h.ece < 0.08
        assert h.balanced_accuracy > h.best_balanced_accuracy - 0.03
        assert h.settled == 0.0  # no finding in these examples


def test_a_shifted_domain_shows_the_miscalibration_that_in_sample_figures_hide() -> None:
    """The same log-odds mean something else in d0 and d2 (P = sigmoid(x -+ 2.5)): fitted on all three, each
    looks calibrated enough in sample; held out, the extreme domains are far off, the middle one is not."""
    examples = shifted_domains([-2.5, 0.0, 2.5])
    everything = fit_profile(examples, **PROFILE_ARGS)
    d0 = [ex for ex in examples if ex.domain == "d0"]
    in_sample = ece([apply_profile(everything, ex).probability for ex in d0], [ex.label for ex in d0])
    held = {h.domain: h for h in hold_out(examples, **PROFILE_ARGS)}
    assert held["d0"].ece > 0.2 and held["d2"].ece > 0.2 and held["d0"].ece > in_sample + 0.05
    assert held["d1"].ece < held["d0"].ece
    assert held["d0"].auc is not None and held["d0"].auc > 0.8  # the ranking travels, the level does not


def test_the_fit_arguments_reach_each_fit() -> None:
    examples = shifted_domains([0.0, 0.5, 1.0])
    rate = {h.domain: h.threshold for h in hold_out(examples, **PROFILE_ARGS, threshold="rate")}
    best = {h.domain: h.threshold for h in hold_out(examples, **PROFILE_ARGS)}  # the default rule
    for domain, t in rate.items():
        others = [ex for ex in examples if ex.domain != domain]
        assert t == pytest.approx(sum(ex.label for ex in others) / len(others), abs=1e-3)
    assert best != rate


def test_claims_without_log_odds_are_not_scored_held_out() -> None:
    examples = shifted_domains([0.0, 0.0])
    for ex in examples[:100]:  # d0's first 100
        ex.logit = None
    held = {h.domain: h for h in hold_out(examples)}  # a throwaway profile's name and such need not be given
    assert held["d0"].rows == 200 and held["d1"].rows == 300


def test_one_domain_or_a_fit_without_both_labels_is_refused() -> None:
    with pytest.raises(ValueError, match="two files or more"):
        hold_out(shifted_domains([0.0]), **PROFILE_ARGS)
    one_label = [example(i, 1, 1.0, domain="a") for i in range(20)] + shifted_domains([0.0], n=50)
    with pytest.raises(ValueError, match="no profile without d0"):
        hold_out(one_label, **PROFILE_ARGS)
