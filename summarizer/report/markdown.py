"""Results as Markdown: the claims with their status, evidence as footnotes, the provenance as a footer."""

from __future__ import annotations

from ..types import CheckReport, Evidence, Summary
from .views import STATUSES, ClaimView, claim_views, settled_locally, status_counts, usage_text


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


def _check_markdown(report: CheckReport) -> str:
    notes = _Footnotes()
    views = claim_views(report)
    out = ["# Claim check", "", _tally_markdown(report.provenance.source_path, "Check", views, report)]
    local = settled_locally(report)
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
