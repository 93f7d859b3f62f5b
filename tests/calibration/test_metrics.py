"""AUC, balanced accuracy, the threshold that maximises it per domain, and the calibration error."""

from __future__ import annotations

import pytest

from summarizer.calibration.metrics import (
    auc,
    balanced_accuracy,
    best_threshold,
    ece,
    ece_floor,
    reliability_bins,
)


def test_auc_counts_pairs_and_halves_ties() -> None:
    assert auc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]) == 1.0
    assert auc([0.1, 0.3, 0.8, 0.9], [1, 1, 0, 0]) == 0.0
    # pairs (pos, neg): (0.7, 0.7) tie = 0.5, (0.7, 0.2) = 1, (0.4, 0.7) = 0, (0.4, 0.2) = 1 -> 2.5 / 4
    assert auc([0.7, 0.4, 0.7, 0.2], [1, 1, 0, 0]) == pytest.approx(0.625)
    assert auc([0.5, 0.5], [1, 1]) is None


def test_auc_matches_the_pairwise_definition_on_random_data() -> None:
    import random

    rng = random.Random(3)
    probs = [round(rng.random(), 1) for _ in range(60)]
    labels = [int(rng.random() < p) for p in probs]
    pos = [p for p, y in zip(probs, labels, strict=True) if y]
    neg = [p for p, y in zip(probs, labels, strict=True) if not y]
    pairwise = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))
    assert auc(probs, labels) == pytest.approx(pairwise)


def test_balanced_accuracy_is_the_mean_recall() -> None:
    assert balanced_accuracy([1, 1, 1, 0], [1, 1, 0, 0]) == pytest.approx((2 / 3 + 1) / 2)
    assert balanced_accuracy([1, 1], [1, 0]) == 0.5  # one class: its recall
    with pytest.raises(ValueError):
        balanced_accuracy([], [])


def test_best_threshold_maximises_the_mean_over_groups() -> None:
    # A separates at (0.5, 0.7], B at (0.2, 0.35]: no threshold is perfect for both. In B's range A keeps
    # one false positive (0.75 + 1.0); in A's range B finds nothing (1.0 + 0.5): B's range wins.
    a = ([0.9, 0.7, 0.5, 0.1], [1, 1, 0, 0])
    b = ([0.4, 0.35, 0.2, 0.1], [1, 1, 0, 0])
    t, score = best_threshold([a, b])
    assert score == pytest.approx(0.875) and 0.2 < t <= 0.35
    with pytest.raises(ValueError):
        best_threshold([])


def test_ece_is_zero_when_each_bin_matches_its_rate_and_the_gap_otherwise() -> None:
    probs = [0.25] * 4 + [0.75] * 4
    assert ece(probs, [1, 0, 0, 0, 1, 1, 1, 0]) == pytest.approx(0.0)
    # every prediction 0.9, half of them right: the gap is 0.4
    assert ece([0.9] * 10, [1] * 5 + [0] * 5) == pytest.approx(0.4)


def test_reliability_bins_cover_the_unit_interval_and_put_one_in_the_last() -> None:
    bins = reliability_bins([0.0, 0.05, 0.5, 1.0], [0, 0, 1, 1])
    assert len(bins) == 10 and bins[0].lower == 0.0 and bins[-1].upper == 1.0
    assert bins[0].count == 2 and bins[5].count == 1 and bins[9].count == 1
    assert bins[3].mean_prob is None and bins[3].frequency is None
    with pytest.raises(ValueError):
        reliability_bins([1.2], [1])


def test_the_ece_floor_is_sampling_noise_shrinking_with_the_sample() -> None:
    # Certain probabilities draw their own labels: no noise at all.
    assert ece_floor([1.0, 0.0] * 50) == 0.0
    # At p = 0.5 in one bin the ECE is |share of 1s - 0.5|: for n claims about 0.8 * 0.5 / sqrt(n).
    small, large = ece_floor([0.5] * 100, draws=400), ece_floor([0.5] * 1600, draws=400)
    assert small == pytest.approx(0.8 * 0.5 / 10, rel=0.2)
    assert large == pytest.approx(small / 4, rel=0.25)
    assert ece_floor([0.3, 0.7] * 60) == ece_floor([0.3, 0.7] * 60)  # seeded
    with pytest.raises(ValueError):
        ece_floor([])
