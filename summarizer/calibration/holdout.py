"""How a profile does on a kind of text it never saw: each domain held out in turn.

A profile's figures on the rows it was fitted on flatter it. With labelled rows from two domains or more
(one file, one domain), :func:`hold_out` fits on all domains but one, scores the one left out, and does
so for each: the figures a user of the profile can expect on a new kind of text. It costs no model call
(the examples carry their log-odds), only a fit per domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .calibrate import Example, apply_profile, fit_profile
from .metrics import auc, balanced_accuracy, best_threshold, ece
from .profile import Profile

__all__ = ["DomainFigures", "domain_figures", "hold_out"]


@dataclass(frozen=True)
class DomainFigures:
    """One domain's claims scored by a profile (mode hybrid): the one fitted on the others when held out,
    or the one fitted on them all (in-sample, ``Calibration.summary``)."""

    domain: str
    rows: int
    """Its claims that have the model's log-odds (the others cannot be scored in mode hybrid)."""
    auc: float | None
    """None when the domain's claims are all of one label."""
    balanced_accuracy: float
    """At the profile's threshold."""
    best_balanced_accuracy: float
    """At the threshold its own labels would choose: a bound no profile that never saw them reaches."""
    ece: float
    threshold: float
    settled: float
    """Share of its claims a rule decided with no call."""


def domain_figures(profile: Profile, domain: str, examples: Sequence[Example]) -> DomainFigures | None:
    """``profile``'s figures on ``domain``'s claims among ``examples`` (those with the model's log-odds);
    None when it has none."""
    scored = [ex for ex in examples if ex.domain == domain and ex.logit is not None]
    if not scored:
        return None
    decisions = [apply_profile(profile, ex) for ex in scored]
    probs = [d.probability for d in decisions]
    labels = [ex.label for ex in scored]
    return DomainFigures(
        domain=domain,
        rows=len(scored),
        auc=auc(probs, labels),
        balanced_accuracy=balanced_accuracy(labels, [int(d.verdict == "supported") for d in decisions]),
        best_balanced_accuracy=best_threshold([(probs, labels)])[1],
        ece=ece(probs, labels),
        threshold=profile.fused.threshold,
        settled=sum(d.scored_by == "rule" for d in decisions) / len(decisions),
    )


def hold_out(examples: Sequence[Example], **fit: Any) -> list[DomainFigures]:
    """For each domain of ``examples``: the profile fitted on the other domains (``fit``: keyword
    arguments of :func:`~summarizer.calibration.calibrate.fit_profile`, e.g. ``threshold="best"``; the
    profile's name, models, prompt version and claims per call, which no figure depends on, may be left
    out), applied to it.

    Raises ``ValueError`` with fewer than two domains, or when a fit without one domain fails (say, the
    others hold claims of one label only)."""
    fit = {"name": "held out", "models": [], "prompt_version": None, "claims_per_call": 1, **fit}
    domains = list(dict.fromkeys(ex.domain for ex in examples))
    if len(domains) < 2:
        raise ValueError("holding a domain out needs labelled rows from two files or more")
    out = []
    for domain in domains:
        if not any(ex.domain == domain and ex.logit is not None for ex in examples):
            continue
        try:
            profile = fit_profile([ex for ex in examples if ex.domain != domain], **fit)
        except ValueError as exc:
            raise ValueError(f"no profile without {domain}: {exc}") from None
        figures = domain_figures(profile, domain, examples)
        assert figures is not None
        out.append(figures)
    return out
