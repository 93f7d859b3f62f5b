"""Fitting a calibration: logistic regression over named features, with numpy.

Why logistic regression: the model's log-odds and the local findings are few, roughly additive signals,
and a logistic model turns them into a probability whose calibration can be checked (and is, on held-out
domains). Its parameters are a handful of named weights that a profile stores as data and that plain
Python applies at run time (:meth:`summarizer.calibration.profile.Logistic.probability`); numpy is needed
only here, to fit.

The fit is L2-regularised Newton-Raphson (iteratively reweighted least squares) on standardised features,
deterministic, and converges in a few iterations for the tens of features and thousands of rows at hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["fit_logistic"]


def fit_logistic(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    features: Sequence[str],
    *,
    l2: float = 1.0,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> tuple[dict[str, float], float]:
    """Weights (by feature name, on the raw feature scale) and bias of an L2-regularised logistic
    regression of ``labels`` (1/0) on ``rows`` (missing features count as 0).

    ``l2`` is the penalty on the standardised weights (not on the bias). A feature that never varies gets
    weight 0. Raises ``ValueError`` when a class is missing or the inputs disagree in length.
    """
    import numpy as np

    if len(rows) != len(labels):
        raise ValueError(f"{len(rows)} rows but {len(labels)} labels")
    y = np.asarray(labels, dtype=float)
    if not len(y) or y.min() == y.max():
        raise ValueError("fitting needs rows of both labels (supported and not)")
    x = np.array([[float(r.get(name, 0.0)) for name in features] for r in rows], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    varies = scale > 1e-12
    scale[~varies] = 1.0
    z = (x - mean) / scale
    z[:, ~varies] = 0.0
    design = np.hstack([np.ones((len(y), 1)), z])
    beta = np.zeros(design.shape[1])
    prior = y.mean()
    beta[0] = np.log(prior / (1 - prior))
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        w = np.clip(p * (1 - p), 1e-9, None)
        gradient = design.T @ (y - p) - penalty * beta
        hessian = (design * w[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    coef = beta[1:] / scale
    coef[~varies] = 0.0
    bias = float(beta[0] - np.sum(coef * mean))
    return {name: float(c) for name, c in zip(features, coef, strict=True)}, bias
