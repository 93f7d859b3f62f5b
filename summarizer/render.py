"""Render results as text, Markdown or JSON. Pure functions: a result in, a string out."""

from __future__ import annotations

from typing import Literal

from .schemas import CheckReport, Claim, ClaimCheck, Evidence, Summary, Usage

__all__ = ["FORMATS", "render_check", "render_summary"]

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")


def render_summary(summary: Summary, fmt: Format) -> str:
    if fmt == "json":
        return summary.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return _summary_markdown(summary)
    return _summary_text(summary)


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


def _summary_markdown(s: Summary) -> str:
    out = [f"# {s.title}", "", f"**TL;DR** {s.tldr}", "", "## Key points", ""]
    out += [f"- {p}" for p in s.key_points]
    out += ["", "## Claims", ""]
    for i, claim in enumerate(s.claims, 1):
        out.append(f"{i}. {_md(_claim_head(claim))}")
        for ev in claim.evidence:
            out.append(f"   - {_md(_evidence_line(ev))}")
    if s.entities:
        out += ["", "## Entities", "", "| name | type |", "|---|---|"]
        out += [f"| {_md(e.name)} | {e.type} |" for e in s.entities]
    if s.events:
        out += ["", "## Events", ""] + [f"- **{_md(e.date)}** {_md(e.description)}" for e in s.events]
    if s.warnings:
        out += ["", "## Warnings", ""] + [f"- {_md(w)}" for w in s.warnings]
    p = s.provenance
    out += [
        "",
        "---",
        f"*{usage_line(s.usage, p.model)}; prompt `{p.prompt}@{p.prompt_version}`; "
        f"source sha256 `{p.source_sha256[:12]}`*",
    ]
    if s.verification is not None:
        out += ["", "## Verification", "", _check_markdown(s.verification, heading_level=3)]
    return "\n".join(out) + "\n"


# --- check reports ------------------------------------------------------------------------------------

_MARKS = {"supported": "✓", "contradicted": "✗", "not_in_source": "?"}


def render_check(report: CheckReport, fmt: Format) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return _check_markdown(report) + "\n"
    return _check_text(report) + "\n"


def _score_line(report: CheckReport) -> str:
    c = report.counts
    score = "n/a (no claims)" if report.score is None else f"{report.score:.2f}"
    local = sum(r.decided_by == "local" and r.confidence > 0 for r in report.claims)
    return (
        f"Faithfulness score: {score} — {c.supported} supported, {c.contradicted} contradicted, "
        f"{c.not_in_source} not in source; {local} of {len(report.claims)} settled locally (zero tokens)"
    )


def _verdict_head(r: ClaimCheck) -> str:
    by = "undecided" if r.confidence == 0 else f"{r.decided_by}, {r.confidence:.2f}"
    return f"{_MARKS[r.verdict]} {r.verdict.replace('_', ' ')} [{by}] {r.claim}"


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


def _check_markdown(report: CheckReport, heading_level: int = 1) -> str:
    h = "#" * heading_level
    out = [f"{h} Claim check", "", f"**{_md(_score_line(report))}**", ""]
    out += ["| verdict | claim | evidence | reason | by |", "|---|---|---|---|---|"]
    for r in report.claims:
        ev = "<br>".join(_md(_evidence_line(e)) for e in r.evidence) or "—"
        out.append(
            f"| {_MARKS[r.verdict]} {r.verdict} | {_md(r.claim)} | {ev} | {_md(r.reason)} "
            f"| {r.decided_by} {r.confidence:.2f} |"
        )
    if report.warnings:
        out += ["", "Warnings:", ""] + [f"- {_md(w)}" for w in report.warnings]
    out += ["", f"*{usage_line(report.usage, report.provenance.model or 'no model')}*"]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|")
