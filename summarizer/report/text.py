"""Results as plain text, for a terminal: a summary, a check report, and the usage line."""

from __future__ import annotations

from ..types import CheckReport, Claim, ClaimCheck, Evidence, Summary, Usage
from .views import how_decided, settled_locally

__all__ = ["usage_line"]


def _evidence_line(ev: Evidence) -> str:
    if not ev.found:
        return f"not found in the source: “{ev.quote}”"
    how = "" if ev.match == "exact" else f", {ev.match}" + (f" {ev.score:.2f}" if ev.match == "fuzzy" else "")
    return f"“{ev.quote}” [{ev.start}:{ev.end}{how}]"


def _claim_head(claim: Claim) -> str:
    who = "" if claim.attribution.lower() == "article" else f", per {claim.attribution}"
    flag = "" if claim.grounded else " (UNGROUNDED)"
    return f"[{claim.kind}{who}]{flag} {claim.text}"


def usage_line(usage: Usage, model: str) -> str:
    cost = "cost unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
    calls = "call" if usage.calls == 1 else "calls"
    return (
        f"{usage.calls} {calls}, {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, "
        f"{cost} ({model})"
    )


def _summary_text(s: Summary) -> str:
    out = [s.title, "=" * min(len(s.title), 80), "", f"TL;DR: {s.tldr}", "", "Key points:"]
    out += [f"  - {p}" for p in s.key_points]
    grounded = sum(c.grounded for c in s.claims)
    out += ["", f"Claims ({len(s.claims)}, {grounded} grounded):"]
    for i, claim in enumerate(s.claims, 1):
        out.append(f"  {i}. {_claim_head(claim)}")
        out += [f"     {_evidence_line(ev)}" for ev in claim.evidence]
    if s.entities:
        out += ["", "Entities: " + "; ".join(f"{e.name} ({e.type})" for e in s.entities)]
    if s.events:
        out += ["", "Events:"] + [f"  - {e.date}: {e.description}" for e in s.events]
    if s.warnings:
        out += ["", "Warnings:"] + [f"  ! {w}" for w in s.warnings]
    out += ["", "Usage: " + usage_line(s.usage, s.provenance.model)]
    if s.verification is not None:
        out += ["", "Verification of the summary's claims against the source:", _check_text(s.verification)]
    return "\n".join(out) + "\n"


# --- check reports ------------------------------------------------------------------------------------

_MARKS = {"supported": "✓", "contradicted": "✗", "not_in_source": "?"}


def _score_line(report: CheckReport) -> str:
    c = report.counts
    score = "n/a (no claims)" if report.score is None else f"{report.score:.2f}"
    local = settled_locally(report)
    return (
        f"Faithfulness score: {score} — {c.supported} supported, {c.contradicted} contradicted, "
        f"{c.not_in_source} not in source; {local} of {len(report.claims)} settled locally (zero tokens)"
    )


def _verdict_head(r: ClaimCheck) -> str:
    return f"{_MARKS[r.verdict]} {r.verdict.replace('_', ' ')} [{how_decided(r)}] {r.claim}"


def _check_text(report: CheckReport) -> str:
    out = [_score_line(report), ""]
    for r in report.claims:
        out.append(_verdict_head(r))
        out += [f"    {_evidence_line(ev)}" for ev in r.evidence]
        out.append(f"    {r.reason}")
    if report.warnings:
        out += ["", "Warnings:"] + [f"  ! {w}" for w in report.warnings]
    out += ["", "Usage: " + usage_line(report.usage, report.provenance.model or "no model")]
    return "\n".join(out)
