"""Render results as text, Markdown or JSON. Pure functions: a result in, a string out.

The HTML report (:mod:`summarizer.report.html`) shares :func:`claim_views` with the Markdown here, so
both say the same thing about each claim: its status (the verdict when checked, else whether its
evidence was located), kind, attribution, evidence with offsets, and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..types import CheckReport, Claim, ClaimCheck, Evidence, Summary, Usage

__all__ = ["FORMATS", "STATUSES", "ClaimView", "claim_views", "render_check", "render_summary", "usage_text"]

Format = Literal["text", "markdown", "json", "html"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "html")

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


def _check_view(number: int, r: ClaimCheck) -> ClaimView:
    by = "undecided" if r.confidence == 0 else f"decided by {r.decided_by} ({r.confidence:.2f})"
    meta = [by] + [f"{s.kind}: {s.detail}" for s in r.signals]
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
    notes = _Footnotes()
    views = claim_views(s)
    out = [
        f"# {_md(s.title)}",
        "",
        _tally_markdown(s.provenance.source_path, "Summary", views, s.verification),
    ]
    out += ["", f"**TL;DR** {_md(s.tldr)}", "", "## Key points", ""] + [f"- {_md(p)}" for p in s.key_points]
    out += ["", "## Claims", "", *_claims_markdown(views, notes)]
    if s.entities:
        out += ["", "## Entities", "", "| name | type |", "|---|---|"]
        out += [f"| {_md(e.name)} | {e.type} |" for e in s.entities]
    if s.events:
        out += ["", "## Events", ""] + [f"- **{_md(e.date)}** {_md(e.description)}" for e in s.events]
    warnings = s.warnings + (s.verification.warnings if s.verification is not None else [])
    if warnings:
        out += ["", "## Warnings", ""] + [f"- {_md(w)}" for w in warnings]
    prompts = {s.provenance.prompt: s.provenance.prompt_version}
    if s.verification is not None:
        prompts.update(s.verification.provenance.prompts)
    out += ["", "---", "", _provenance_markdown(s, s.provenance.model, prompts)]
    return "\n".join(out + notes.lines()) + "\n"


def _tally_markdown(path: str | None, kind: str, views: list[ClaimView], report: CheckReport | None) -> str:
    parts = [f"*{kind} of `{path or 'standard input'}`*"]
    if report is not None:
        parts.append(f"**Faithfulness {'n/a' if report.score is None else f'{report.score:.2f}'}**")
    parts += [f"{STATUSES[k][1]} {n} {STATUSES[k][2].lower()}" for k, n in status_counts(views)]
    return " · ".join(parts)


def _claims_markdown(views: list[ClaimView], notes: _Footnotes) -> list[str]:
    out = []
    for v in views:
        _, icon, label = STATUSES[v.status]
        refs = "".join(notes.add(ev) for ev in v.evidence)
        lines = [f"{v.number}. **{icon} {label}** — {_md(v.text)}{refs}", f"   *{_md(' · '.join(v.meta))}*"]
        if v.reason:
            lines.append(f"   Reason: {_md(v.reason)}")
        out += [line + "\\" for line in lines[:-1]] + lines[-1:]  # CommonMark hard line breaks
    return out


def _provenance_markdown(result: Summary | CheckReport, model: str | None, prompts: dict[str, str]) -> str:
    p = result.provenance
    used = ", ".join(f"`{name}@{version}`" for name, version in sorted(prompts.items())) or "none"
    return (
        f"*Model `{model or 'none (every claim settled locally)'}` · prompts {used} · "
        f"source `{p.source_path or 'standard input'}` ({p.source_chars:,} characters, sha256 "
        f"`{p.source_sha256}`) · {usage_text(result.usage)} · created "
        f"{p.created_at.isoformat(timespec='seconds')} · summarizer {p.tool_version}*"
    )


class _Footnotes:
    """Evidence as Markdown footnotes: the quoted span and where it stands in the source."""

    def __init__(self) -> None:
        self._defs: list[str] = []

    def add(self, ev: Evidence) -> str:
        n = len(self._defs) + 1
        quote = _md(" ".join(ev.quote.split()))
        if ev.found and ev.start is not None:
            how = ev.match + (f" {ev.score:.2f}" if ev.match == "fuzzy" else "")
            where = f"source characters {ev.start}–{ev.end} ({how})"
        else:
            where = "not found in the source"
        self._defs.append(f"[^{n}]: “{quote}” — {where}")
        return f"[^{n}]"

    def lines(self) -> list[str]:
        return ["", *self._defs] if self._defs else []


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


def _check_markdown(report: CheckReport) -> str:
    notes = _Footnotes()
    views = claim_views(report)
    out = ["# Claim check", "", _tally_markdown(report.provenance.source_path, "Check", views, report)]
    local = sum(r.decided_by == "local" and r.confidence > 0 for r in report.claims)
    out += ["", f"{local} of {len(report.claims)} claims settled locally (zero tokens).", "", "## Claims", ""]
    out += _claims_markdown(views, notes)
    if report.warnings:
        out += ["", "## Warnings", ""] + [f"- {_md(w)}" for w in report.warnings]
    p = report.provenance
    out += ["", "---", "", _provenance_markdown(report, p.model, dict(p.prompts))]
    return "\n".join(out + notes.lines())


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|"} | {"<": "&lt;"})


def _md(text: str) -> str:
    """Text safe inside Markdown: emphasis, links and tables stay literal; no raw HTML gets through."""
    return text.translate(_MD_SPECIAL)
