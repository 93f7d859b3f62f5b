"""Scores of a probabilistic checker against labels: ranking (AUC), decisions (balanced accuracy) and
calibration (expected calibration error, reliability bins). Plain Python: no numpy needed to evaluate.

``probs`` are probabilities that a claim is supported (label 1); ``labels`` are 1 (supported) or 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ReliabilityBin",
    "auc",
    "balanced_accuracy",
    "best_threshold",
    "ece",
    "ece_floor",
    "reliability_bins",
]


def auc(probs: Sequence[float], labels: Sequence[int]) -> float | None:
    """Area under the ROC curve (the chance that a random supported claim outscores a random unsupported
    one; ties count half). None when one class is absent."""
    _same_length(probs, labels)
    ranked = sorted(zip(probs, labels, strict=True))
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return None
    rank_sum = 0.0  # sum of the (average, 1-based) ranks of the positives
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2
        rank_sum += average_rank * sum(label for _, label in ranked[i:j])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def balanced_accuracy(labels: Sequence[int], preds: Sequence[int]) -> float:
    """Mean recall over the classes present in ``labels`` (one class present: its recall)."""
    _same_length(labels, preds)
    if not labels:
        raise ValueError("balanced accuracy of no rows")
    recalls = []
    for cls in sorted(set(labels)):
        hits = [p == cls for y, p in zip(labels, preds, strict=True) if y == cls]
        recalls.append(sum(hits) / len(hits))
    return sum(recalls) / len(recalls)


def best_threshold(
    groups: Sequence[tuple[Sequence[float], Sequence[int]]], *, grid: int = 100
) -> tuple[float, float]:
    """The decision threshold that maximises the mean balanced accuracy over ``groups`` (one group per
    domain, so a large domain does not drown a small one): (threshold, mean BAcc). Ties go to the
    threshold closest to 0.5."""
    if not groups:
        raise ValueError("no groups to choose a threshold on")
    best: tuple[float, float, float] | None = None
    for k in range(1, grid):
        t = k / grid
        score = sum(
            balanced_accuracy(labels, [int(p >= t) for p in probs]) for probs, labels in groups
        ) / len(groups)
        key = (round(score, 12), -abs(t - 0.5), t)
        if best is None or key > best:
            best = key
    assert best is not None
    return best[2], best[0]


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    mean_prob: float | None
    """Mean predicted probability of support in the bin (None when empty)."""
    frequency: float | None
    """Share of the bin's claims that are supported (None when empty)."""


def reliability_bins(probs: Sequence[float], labels: Sequence[int], *, bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width bins of the predicted probability, each with its mean prediction and observed rate."""
    _same_length(probs, labels)
    members: list[list[tuple[float, int]]] = [[] for _ in range(bins)]
    for p, y in zip(probs, labels, strict=True):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability {p!r} is outside [0, 1]")
        members[min(int(p * bins), bins - 1)].append((p, y))
    out = []
    for k, items in enumerate(members):
        n = len(items)
        out.append(
            ReliabilityBin(
                lower=k / bins,
                upper=(k + 1) / bins,
                count=n,
                mean_prob=sum(p for p, _ in items) / n if n else None,
                frequency=sum(y for _, y in items) / n if n else None,
            )
        )
    return out


def ece(probs: Sequence[float], labels: Sequence[int], *, bins: int = 10) -> float:
    """Expected calibration error: the count-weighted mean gap between predicted probability and observed
    rate over ``bins`` equal-width bins."""
    if not probs:
        raise ValueError("calibration error of no rows")
    total = len(probs)
    return sum(
        b.count / total * abs(b.mean_prob - b.frequency)
        for b in reliability_bins(probs, labels, bins=bins)
        if b.count and b.mean_prob is not None and b.frequency is not None
    )


def ece_floor(probs: Sequence[float], *, bins: int = 10, draws: int = 200, seed: int = 0) -> float:
    """The expected calibration error a *perfectly* calibrated checker would still show on ``len(probs)``
    claims with these probabilities: the mean ECE over ``draws`` label sets drawn from the probabilities
    themselves (seeded, so the same inputs give the same figure). On a few hundred claims it is far from
    0 — sampling noise alone — so an ECE should be read against it."""
    import random

    if not probs:
        raise ValueError("calibration error of no rows")
    rng = random.Random(seed)
    total = 0.0
    for _ in range(draws):
        labels = [int(rng.random() < p) for p in probs]
        total += ece(probs, labels, bins=bins)
    return total / draws


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"{len(a)} values but {len(b)} labels")
