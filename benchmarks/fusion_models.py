"""Is the fusion model what limits the checker? Its logistic fit against gradient-boosted trees on the same
features, each SummEdits domain held out.

Reads the log-odds that ``benchmarks/calibration.py`` saved (``--scores``: the folder of one prompt
version, e.g. ``results/calibration/scores/qwen2.5-coder-1.5b-instruct/5d141e689c10-k1``; no model call),
computes the local features, and for each domain fits on the others and scores it:

* ``profile`` — ``fit_profile`` as ``calibrate`` runs it (rules settle what they may, the logistic model
  the rest), cut at the rate (``--threshold rate``) as every row here is, so the rows differ only in
  the fusion;
* ``profile, each domain's log-odds centred`` — every domain's log-odds less their own mean (the held-out
  domain's from its unlabelled claims), fitting and held-out domains alike: what moving a domain's level to
  the others' would buy, if a batch of claims could be assumed to hold the fitting data's share of
  supported claims (every SummEdits domain does, by construction: 29-42%);
* ``logistic`` — the same logistic regression with no rule settling (every claim by the model);
* ``logistic, with the source's length`` — the same, with two more inputs: the log of the source's word
  count, and its product with the model's log-odds. Does a domain's level follow how long its sources are
  (podcast's transcripts have a median of 1,500 words, samsum's chats 110)? A covariate every claim has,
  labels or no labels, so if it did, a profile could learn the shift instead of being told it;
* ``profile, EM prior`` — the profile's probabilities with the held-out domain's share of supported
  claims re-estimated from its own unlabelled claims (EM under label shift, Saerens et al. 2002: the
  posteriors re-weighted by the estimated over the fitting share until the two agree) and cut at that
  share: can a domain's level be learnt without its labels? Only if what moves between domains is the
  share of supported claims; the estimated and the true share of each domain are printed after the table;
* ``trees, depth 2`` / ``trees, depth 3`` — scikit-learn's ``HistGradientBoostingClassifier`` on the very
  same features (the model's log-odds and hinge, the finding indicators, the lexical measures), cut at
  the fitting data's rate as the profile is: trees can follow interactions and thresholds a linear model
  cannot, so if they rank held-out domains no better, the features (the model's answer first), not the
  way they are combined, are what limits the checker.

Every fusion weighs the features the shipped profiles weigh (``--lexical``: the lexical ones too, as before
they were left out). Needs scikit-learn for the trees (``.venv/bin/pip install scikit-learn``; not a
dependency of the package).

    .venv/bin/python benchmarks/fusion_models.py --scores results/calibration/scores/qwen2.5-coder-1.5b-instruct/5d141e689c10-k1
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import config, evaluation
from summarizer.calibration import calibrate, metrics
from summarizer.calibration.calibrate import Example
from summarizer.calibration.fit import fit_logistic
from summarizer.calibration.profile import sigmoid
from summarizer.rules.features import FUSED_FEATURES, model_features
from summarizer.types import Usage

FILES = {
    "summedits_podcast": 240,
    "summedits_samsum": 240,
    "summedits_scitldr": 240,
    "summedits_qmsumm": 240,
    "summedits_ectsum": 120,
    "summedits_sales_call": 120,
    "summedits_sales_email": 120,
}

Scorer = Callable[[list[Example], list[Example]], tuple[list[float], list[int]]]
"""(fitting examples, held-out examples) -> the held-out probabilities and decisions (1: supported)"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--scores", required=True, help="one prompt version's folder of saved log-odds")
    parser.add_argument("--files", nargs="+", choices=list(FILES), default=list(FILES), metavar="FILE",
                        help="these SummEdits files only (default: every one with saved log-odds)")  # fmt: skip
    parser.add_argument("--lexical", action="store_true",
                        help="every fusion also weighs the lexical features, which the shipped profiles leave out "
                        "(how the figures before they were left out were made)")  # fmt: skip
    args = parser.parse_args()
    excluded = () if args.lexical else config.CALIBRATION_EXCLUDED_FEATURES
    examples: dict[str, list[Example]] = {}
    lengths: dict[str, float] = {}
    for name in args.files:
        limit = FILES[name]
        saved = Path(args.scores) / f"{name}.jsonl"
        if not saved.exists():
            print(f"({name}: no saved log-odds in {args.scores}, left out)")
            continue
        known = calibrate.read_scores(saved)
        rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=limit, seed=0)
        lengths |= {row.id: math.log(max(1, len(row.doc.split()))) for row in rows}
        got = calibrate.collect_examples({name: rows}, None, claims_per_call=1, usage=Usage(), known=known)
        examples[name] = [ex for ex in got if ex.logit is not None]
    if len(examples) < 2:
        raise SystemExit("fusion_models.py: fewer than two files with saved log-odds: nothing to hold out")
    scorers: dict[str, Scorer] = {
        "profile": partial(_profile, excluded=excluded),
        "profile, EM prior": partial(_em_prior, excluded=excluded),
        "profile, each domain's log-odds centred": partial(_centred, excluded=excluded),
        "logistic": partial(_logistic, excluded=excluded),
        "logistic, with the source's length": partial(_with_length, lengths=lengths, excluded=excluded),
    }
    try:
        import sklearn  # noqa: F401

        scorers |= {"trees, depth 2": _trees(2, 100, 0.05, excluded),
                    "trees, depth 3": _trees(3, 200, 0.03, excluded)}  # fmt: skip
    except ImportError:
        print("(scikit-learn is not installed: no trees; .venv/bin/pip install scikit-learn)")
    names = list(examples)
    print(f"| fusion | mean held-out AUC | mean BAcc | mean ECE | {' | '.join(n.removeprefix('summedits_') for n in names)} |")
    print(f"|---|---|---|---|{'---|' * len(names)}")
    shares = []
    for label, scorer in scorers.items():
        aucs, baccs, eces = [], [], []
        for held in names:
            train = [ex for n in names if n != held for ex in examples[n]]
            probs, preds = scorer(train, examples[held])
            labels = [ex.label for ex in examples[held]]
            aucs.append(metrics.auc(probs, labels) or 0.5)
            baccs.append(metrics.balanced_accuracy(labels, preds))
            eces.append(metrics.ece(probs, labels))
            if label == "profile, EM prior":
                shares.append(f"{held}: fitting {_share(train):.2f}, true {sum(labels) / len(labels):.2f}, "
                              f"estimated {sum(probs) / len(probs):.2f}")  # fmt: skip
        cells = " | ".join(f"{100 * a:.1f} / {100 * b:.1f}" for a, b in zip(aucs, baccs, strict=True))
        mean = f"{100 * sum(aucs) / len(aucs):.1f} | {100 * sum(baccs) / len(baccs):.1f} | {sum(eces) / len(eces):.3f}"
        print(f"| {label} | {mean} | {cells} |")
    print("\n(each domain's cell: held-out AUC / BAcc; every fusion cut at the fitting data's share of supported claims,")
    print("but the EM row, cut at its estimate of the held-out domain's share)")
    print("\nShare of supported claims (EM prior): " + "; ".join(shares))
    return 0


def _profile(train: list[Example], test: list[Example], *, excluded: Sequence[str]) -> tuple[list[float], list[int]]:
    profile = calibrate.fit_profile(
        train, name="x", models=[], prompt_version=None, claims_per_call=1, threshold="rate", exclude=excluded
    )
    decisions = [calibrate.apply_profile(profile, ex) for ex in test]
    return [d.probability for d in decisions], [int(d.verdict == "supported") for d in decisions]


def _centred(train: list[Example], test: list[Example], *, excluded: Sequence[str]) -> tuple[list[float], list[int]]:
    """The profile fitted and applied with each domain's log-odds less their own mean (the held-out domain's
    from its unlabelled claims): a domain's level moved to the others' before any fit. Sound only when
    every batch holds about the same share of supported claims, as every SummEdits domain does."""

    def centre(exs: list[Example]) -> list[Example]:
        out = []
        for domain in dict.fromkeys(ex.domain for ex in exs):
            mine = [ex for ex in exs if ex.domain == domain]
            mean = statistics.fmean(ex.logit for ex in mine if ex.logit is not None)
            out += [replace(ex, logit=ex.logit - mean) for ex in mine if ex.logit is not None]
        return out

    return _profile(centre(train), centre(test), excluded=excluded)


def _share(examples: Sequence[Example]) -> float:
    return sum(ex.label for ex in examples) / len(examples)


def _em_prior(
    train: list[Example], test: list[Example], *, excluded: Sequence[str], rounds: int = 100
) -> tuple[list[float], list[int]]:
    """The profile's held-out probabilities re-weighted for the held-out domain's share of supported claims,
    estimated by EM from its unlabelled claims (the posteriors' mean is the share; iterate to agreement)."""
    probs, _ = _profile(train, test, excluded=excluded)
    prior = _share(train)
    share, posts = prior, probs
    for _ in range(rounds):
        up, down = share / prior, (1 - share) / (1 - prior)
        posts = [up * p / (up * p + down * (1 - p)) for p in probs]
        share = min(max(sum(posts) / len(posts), 0.01), 0.99)
    return posts, [int(p >= share) for p in posts]


def _inputs(ex: Example) -> dict[str, float]:
    """The fused model's inputs: the local features and the model's log-odds features (every example here has log-odds)."""
    assert ex.logit is not None
    return {**ex.features, **model_features(ex.logit)}


def _cut(train: Sequence[Example], probs: list[float]) -> tuple[list[float], list[int]]:
    """``probs`` decided at the fitting data's share of supported claims, as the profile's rate rule does."""
    rate = _share(train)
    return probs, [int(p >= rate) for p in probs]


def _features(excluded: Sequence[str]) -> list[str]:
    return [f for f in FUSED_FEATURES if f not in excluded]


def _logistic(
    train: list[Example],
    test: list[Example],
    *,
    excluded: Sequence[str],
    inputs: Callable[[Example], dict[str, float]] = _inputs,
    extra: Sequence[str] = (),
) -> tuple[list[float], list[int]]:
    """A logistic regression on ``inputs`` (the fused features less ``excluded``, plus ``extra``), cut at the rate."""
    features = [*_features(excluded), *extra]
    weights, bias = fit_logistic([inputs(ex) for ex in train], [ex.label for ex in train], features)
    return _cut(train, [sigmoid(bias + sum(w * inputs(ex).get(k, 0.0) for k, w in weights.items())) for ex in test])


def _with_length(
    train: list[Example], test: list[Example], *, lengths: dict[str, float], excluded: Sequence[str]
) -> tuple[list[float], list[int]]:
    """``_logistic`` with the log of the source's word count and its product with the log-odds as inputs."""

    def inputs(ex: Example) -> dict[str, float]:
        assert ex.logit is not None
        return {**_inputs(ex), "log_source_words": lengths[ex.id], "logit_x_log_source_words": ex.logit * lengths[ex.id]}

    extra = ("log_source_words", "logit_x_log_source_words")
    return _logistic(train, test, excluded=excluded, inputs=inputs, extra=extra)


def _trees(depth: int, rounds: int, rate: float, excluded: Sequence[str]) -> Scorer:
    features = _features(excluded)

    def score(train: list[Example], test: list[Example]) -> tuple[list[float], list[int]]:
        from sklearn.ensemble import HistGradientBoostingClassifier

        def x(exs: list[Example]) -> list[list[float]]:
            return [[_inputs(ex).get(k, 0.0) for k in features] for ex in exs]

        model = HistGradientBoostingClassifier(max_depth=depth, max_iter=rounds, learning_rate=rate, random_state=0)
        model.fit(x(train), [ex.label for ex in train])
        return _cut(train, [float(p) for p in model.predict_proba(x(test))[:, 1]])

    return score


if __name__ == "__main__":
    sys.exit(main())
