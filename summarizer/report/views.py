"""What a report shows of each claim, shared by the Markdown and the HTML report so both say the same thing:
its status (the verdict when checked, else whether its evidence was located), kind, attribution,
evidence with offsets, and reason (:func:`claim_views`); the status badges (:data:`STATUSES`) and the
usage line.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..types import CheckReport, ClaimCheck, Evidence, Summary, Usage

__all__ = ["STATUSES", "ClaimView", "claim_views", "how_decided", "settled_locally", "status_counts", "usage_text"]

#: Status of a claim: (css class, icon, label). The label carries the meaning; colour only repeats it.
STATUSES = {
    "supported": ("supported", "✓", "Supported"),
    "contradicted": ("contradicted", "✗", "Contradicted"),
    "not_in_source": ("not-in-source", "?", "Not in source"),
    "ungrounded": ("ungrounded", "∅", "Ungrounded"),
    "grounded": ("grounded", "•", "Evidence located"),
}


@dataclass
class ClaimView:
    """What a report shows of one claim (numbered from 1)."""

    number: int
    text: str
    status: str
    meta: list[str]
    evidence: list[Evidence]
    reason: str = ""


def claim_views(result: Summary | CheckReport) -> list[ClaimView]:
    """One view per claim. A summary's claim takes its verification's verdict when it was checked."""
    if isinstance(result, CheckReport):
        return [_check_view(i, r) for i, r in enumerate(result.claims, 1)]
    checks = result.verification.claims if result.verification is not None else []
    views = []
    for i, claim in enumerate(result.claims, 1):
        who = "the article" if claim.attribution.lower() == "article" else claim.attribution
        view = ClaimView(i, claim.text, "grounded" if claim.grounded else "ungrounded",
                         [claim.kind, f"per {who}"], list(claim.evidence))  # fmt: skip
        if i <= len(checks) and checks[i - 1].claim == claim.text:
            verified = _check_view(i, checks[i - 1])
            view.status, view.reason = verified.status, verified.reason
            view.meta += verified.meta
            view.evidence += [e for e in verified.evidence if not _same_span(e, view.evidence)]
        views.append(view)
    return views


def how_decided(r: ClaimCheck) -> str:
    """How a verdict was reached and how sure it is, in a few words (the same in every format)."""
    if r.scored_by == "rule":
        return f"settled by a local finding, confidence {r.confidence:.2f}"
    if r.scored_by in ("logprobs", "features"):
        source = "the model's Yes/No" if r.scored_by == "logprobs" else "local features only"
        return f"P(supported) {r.probability:.2f} from {source}, calibrated; confidence {r.confidence:.2f}"
    if r.scored_by == "verdict":
        return f"the model's JSON verdict, confidence {r.confidence:.2f} (not calibrated)"
    # results saved before scored_by existed
    return "undecided" if r.confidence == 0 else f"decided by {r.decided_by} ({r.confidence:.2f})"


def settled_locally(report: CheckReport) -> int:
    """Claims settled with no model call by a local finding."""
    if any(r.scored_by is not None for r in report.claims):
        return sum(r.scored_by == "rule" for r in report.claims)
    return sum(r.decided_by == "local" and r.confidence > 0 for r in report.claims)


def _check_view(number: int, r: ClaimCheck) -> ClaimView:
    meta = [how_decided(r)] + [f"{s.kind}: {s.detail}" for s in r.signals]
    return ClaimView(number, r.claim, r.verdict, meta, list(r.evidence), reason=r.reason)


def _same_span(ev: Evidence, others: list[Evidence]) -> bool:
    return any(o.start == ev.start and o.end == ev.end and o.quote == ev.quote for o in others)


def status_counts(claims: list[ClaimView]) -> list[tuple[str, int]]:
    """``(status, count)`` for each status present, in the order of :data:`STATUSES`."""
    return [(k, n) for k in STATUSES if (n := sum(c.status == k for c in claims))]


def usage_text(u: Usage) -> str:
    cost = "cost unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}"
    calls = "call" if u.calls == 1 else "calls"
    took = "" if u.seconds is None else f" · {u.seconds:.1f} s"
    return f"{u.calls} {calls} · {u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens · {cost}{took}"
