"""The logistic regression behind a profile, on synthetic data whose answer is known."""

from __future__ import annotations

import math
import random

import pytest

from summarizer.calibration.fit import fit_logistic


def synthetic(n: int, seed: int = 0) -> tuple[list[dict[str, float]], list[int]]:
    """Labels drawn from p = sigmoid(-0.5 + 2a - 1.5b) with a ~ N(0, 1), b ~ Bernoulli(0.3), c constant."""
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(n):
        a, b = rng.gauss(0, 1), float(rng.random() < 0.3)
        z = -0.5 + 2 * a - 1.5 * b
        labels.append(int(rng.random() < 1 / (1 + math.exp(-z))))
        rows.append({"a": a, "b": b, "c": 1.0})
    return rows, labels


def test_recovers_the_weights_that_made_the_labels() -> None:
    rows, labels = synthetic(8000)
    weights, bias = fit_logistic(rows, labels, ["a", "b", "c"], l2=0.01)
    assert weights["a"] == pytest.approx(2.0, abs=0.15)
    assert weights["b"] == pytest.approx(-1.5, abs=0.15)
    assert weights["c"] == 0.0  # never varies: no weight, its level is in the bias
    assert bias == pytest.approx(-0.5, abs=0.1)


def test_a_stronger_penalty_shrinks_the_weights() -> None:
    rows, labels = synthetic(500)
    loose, _ = fit_logistic(rows, labels, ["a", "b"], l2=0.01)
    tight, _ = fit_logistic(rows, labels, ["a", "b"], l2=200.0)
    assert abs(tight["a"]) < abs(loose["a"]) and abs(tight["b"]) < abs(loose["b"])


def test_a_missing_feature_counts_as_zero() -> None:
    rows = [{"a": 1.0}, {}, {"a": 1.0}, {}] * 25
    labels = [1, 0, 1, 0] * 25
    weights, bias = fit_logistic(rows, labels, ["a"], l2=1.0)
    assert weights["a"] > 0 and bias < 0


def test_deterministic() -> None:
    rows, labels = synthetic(300, seed=5)
    assert fit_logistic(rows, labels, ["a", "b"]) == fit_logistic(rows, labels, ["a", "b"])


def test_refuses_one_class_and_unequal_lengths() -> None:
    with pytest.raises(ValueError, match="both labels"):
        fit_logistic([{"a": 1.0}, {"a": 2.0}], [1, 1], ["a"])
    with pytest.raises(ValueError, match="rows but"):
        fit_logistic([{"a": 1.0}], [1, 0], ["a"])
