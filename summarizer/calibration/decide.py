"""From the signals of one claim to its verdict and calibrated probability, by a profile.

The one place where a verdict is decided, used by :func:`summarizer.check` and by the evaluation alike:

1. a decisive local finding that the profile trusts (right 97 % of the time or more where it was fitted)
   settles the claim with no model call; its confidence is that measured precision (where the fitting
   data was too thin to measure it, the local features' calibrated probability);
2. otherwise the profile's logistic model turns the local features — and the model's log-odds, when the
   server returned log-probabilities — into the probability that the claim is supported;
3. the claim is ``supported`` when that probability reaches the profile's threshold; otherwise it is
   ``contradicted`` when something in the source speaks to it (a conflicting number, date or negation,
   or a sentence that repeats most of its words) and ``not_in_source`` when nothing does.

``confidence`` is the probability of the verdict given: p for ``supported``, 1 - p otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import config
from ..rules.checker import RULE_VERDICTS, LocalResult
from ..rules.features import model_features
from ..types import ScoredBy, Verdict
from .profile import Profile

__all__ = ["RULE_VERDICTS", "Decision", "ScoredBy", "decide", "settle", "trusted_findings"]

_CONFLICTING = frozenset({"number_mismatch", "date_mismatch", "negation_flip"})


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    probability: float
    """Calibrated probability that the claim is supported."""
    confidence: float
    """Probability of ``verdict``: ``probability`` when supported, ``1 - probability`` otherwise."""
    scored_by: ScoredBy
    rule: str | None = None
    """The local finding that settled the claim (``scored_by == "rule"``)."""


def trusted_findings(profile: Profile, local: LocalResult) -> list[str]:
    """Kinds of the decisive findings behind ``local``'s verdict that the profile lets settle a claim."""
    if local.verdict is None:
        return []
    kinds = [s.kind for s in local.signals if s.decisive and RULE_VERDICTS.get(s.kind) == local.verdict]
    return [k for k in dict.fromkeys(kinds) if profile.settles(k)]


def settle(profile: Profile, local: LocalResult, features: Mapping[str, float]) -> Decision | None:
    """The decision of a trusted local finding, or None when the claim needs scoring.

    Its confidence is the finding's measured precision. A finding that settles by construction but was
    too rarely seen where the profile was fitted to measure it (a claim standing verbatim in the source:
    fitting data holds few) takes the local model's probability of the claim's ``features`` instead: a
    precision smoothed from one or two cases would say 0.67 about a claim copied from its source."""
    trusted = trusted_findings(profile, local)
    if not trusted or local.verdict is None:
        return None
    best = max(trusted, key=lambda k: profile.rules[k].precision)
    stat = profile.rules[best]
    if stat.seen < config.RULE_MIN_SEEN:
        probability = profile.local.probability(dict(features))
    else:
        probability = stat.precision if local.verdict == "supported" else 1.0 - stat.precision
    confidence = probability if local.verdict == "supported" else 1.0 - probability
    return Decision(local.verdict, probability, confidence, "rule", best)


def decide(
    profile: Profile, local: LocalResult, features: Mapping[str, float], logit: float | None
) -> Decision:
    """The verdict of a claim no trusted finding settled: from the model's log-odds and the local
    features (``logit`` given), or from the local features alone (``logit`` None)."""
    if logit is not None:
        model, scored_by = profile.fused, "logprobs"
        probability = model.probability({**features, **model_features(logit)})
    else:
        model, scored_by = profile.local, "features"
        probability = model.probability(dict(features))
    if probability >= model.threshold:
        return Decision("supported", probability, probability, scored_by)  # type: ignore[arg-type]
    return Decision(unsupported_verdict(local, features), probability, 1.0 - probability, scored_by)  # type: ignore[arg-type]


def unsupported_verdict(
    local: LocalResult, features: Mapping[str, float], *, coverage: float = config.CONTRADICTION_COVERAGE
) -> Verdict:
    """``contradicted`` when the source speaks to the claim (a conflicting finding, or a sentence holding
    at least ``coverage`` of its content words); ``not_in_source`` otherwise."""
    if any(s.kind in _CONFLICTING for s in local.signals):
        return "contradicted"
    if features.get("coverage_best", 0.0) >= coverage:
        return "contradicted"
    return "not_in_source"
