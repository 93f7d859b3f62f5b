"""The zero-token signals of a claim as named numbers: what a calibration profile weighs.

Every feature is computed from the source and the claim alone (no model): the local findings of
:class:`~summarizer.rules.checker.LocalChecker` as indicators, and how much of the claim the source's
best-matching sentences cover. The model's log-odds join them in the fused profile (:func:`model_features`).
"""

from __future__ import annotations

import math

from .checker import LocalChecker, LocalResult, content_stems

__all__ = [
    "FINDING_FEATURES",
    "FUSED_FEATURES",
    "LEXICAL_FEATURES",
    "LOCAL_FEATURES",
    "MODEL_FEATURE",
    "MODEL_FEATURES",
    "MODEL_YES_FEATURE",
    "claim_features",
    "model_features",
]

#: One indicator per kind of local finding (decisive or not).
FINDING_FEATURES = (
    "verbatim",
    "number_missing",
    "number_mismatch",
    "date_missing",
    "date_mismatch",
    "quote_missing",
    "entity_missing",
    "negation_flip",
    "name_missing",
    "entity_variant",
    "weekday_missing",
)
#: How much of the claim's content the source covers (idf-weighted shares of its content-word stems).
LEXICAL_FEATURES = ("coverage_best", "coverage_top3", "novel_share", "log_content_words")
LOCAL_FEATURES = FINDING_FEATURES + LEXICAL_FEATURES
#: The model's log-odds of "Yes" against "No" for the claim.
MODEL_FEATURE = "model_logit"
#: The same log-odds above 0 (where the answer turns Yes), else 0: with it the fit gives Yes-leaning and
#: No-leaning answers slopes of their own (a hinge). Held out by domain on SummEdits, one sentence a call,
#: it took the calibration error from 0.113 to 0.103 (docs/experiments.md, "The hinge").
MODEL_YES_FEATURE = "model_logit_yes"
MODEL_FEATURES = (MODEL_FEATURE, MODEL_YES_FEATURE)
#: What a fused profile weighs: the model's log-odds features and the local ones.
FUSED_FEATURES = (*MODEL_FEATURES, *LOCAL_FEATURES)


def model_features(logit: float) -> dict[str, float]:
    """The features the model's log-odds give a fused profile."""
    return {MODEL_FEATURE: logit, MODEL_YES_FEATURE: max(0.0, logit)}


def claim_features(checker: LocalChecker, claim: str, result: LocalResult) -> dict[str, float]:
    """The local features of ``claim`` (``result``: what ``checker.check(claim)`` found)."""
    out = dict.fromkeys(LOCAL_FEATURES, 0.0)
    for signal in result.signals:
        kind = signal.kind
        if kind == "date_missing" and not signal.decisive:
            kind = "weekday_missing"  # the one date finding that is never decisive
        if kind in out:
            out[kind] = 1.0
    stems = set(content_stems(claim))
    out["log_content_words"] = math.log1p(len(stems))
    if not stems:
        return out
    weight = {s: checker.idf(s) for s in stems}
    total = math.fsum(weight.values())  # fsum: exact, so the set's order (the hash seed) cannot show
    ranked = checker.best_sentences(stems, limit=3)
    if ranked:
        out["coverage_best"] = ranked[0][0]
        covered = set().union(*(checker.sentences[sid].stems for _, sid in ranked)) & stems
        out["coverage_top3"] = math.fsum(weight[s] for s in covered) / total
    out["novel_share"] = math.fsum(w for s, w in weight.items() if not checker.has_stem(s)) / total
    return out
