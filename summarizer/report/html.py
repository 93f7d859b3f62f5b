"""Render a summary or a check report as one self-contained HTML page: claims on the left, the source on the
right with every evidence span highlighted in its claim's colour.

A pure function of its inputs: the same result and source give byte-identical HTML (no render-time
timestamps), so reports can be diffed and cached. The page loads nothing from outside: the style and the
script (``summarizer/report/assets/report.css`` and ``report.js``) are inlined, and a Content-Security-Policy
allows only that one script, by hash — so even text that slipped past escaping could not run.

Offsets are Python ``str`` indices into the source, as in the JSON. The source is cut at every span
boundary into segments; a segment covered by evidence becomes a ``<mark>`` naming its spans and claims.
Every character is written as itself (escaped), so the text of a span's segments is ``source[start:end]``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..errors import InputError
from ..text.documents import Document
from ..types import CheckReport, Evidence, Summary
from .views import STATUSES, ClaimView, claim_views, status_counts, usage_text

__all__ = ["Span", "render_html", "segments"]

#: Claim colours (after Tableau 10, without its red, which would read as a verdict): a claim's number chip,
#: its highlights and its underline.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
    "#9c755f", "#ff9da7", "#17becf", "#8c6bb1", "#bcbd22", "#7f7f7f",
)  # fmt: skip
_TINT = 0.30  # share of the claim colour in a highlight's background (the rest is white)

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Span:
    """One located evidence span: ``source[start:end]``, resting under claim ``claim`` (1-based)."""

    id: int
    start: int
    end: int
    claim: int


# --- public -------------------------------------------------------------------------------------------


def render_html(result: Summary | CheckReport, source: str | Document) -> str:
    """The report page for ``result``, whose evidence offsets point into ``source``.

    ``source`` is the :class:`Document` the result was made from, or its ``text`` (not the raw file: a
    document's text has its newlines normalised and its HTML extracted, and offsets count that text).
    """
    if isinstance(source, Document):
        source = source.text
    if len(source) != result.provenance.source_chars:
        raise InputError(
            f"the source has {len(source)} characters, the result was made from {result.provenance.source_chars}: "
            "not its source (pass the Document or its .text)"
        )
    claims = claim_views(result)
    spans = _assign_spans(claims, len(source))
    left = _left(result, claims, spans, len(source))
    body = [_header(result, claims), '<main class="layout">', left, _right(result, source, spans)]
    body += ["</main>", _footer(result), f"<script>{_script()}</script>"]
    title = result.title if isinstance(result, Summary) else "Claim check"
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src '{_script_hash()}'; base-uri 'none'; form-action 'none'"
    )
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="summarizer">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_asset('report.css')}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join(head + body + ["</body>", "</html>", ""])


def segments(text_length: int, spans: Iterable[Span]) -> list[tuple[int, int, tuple[Span, ...]]]:
    """Cut ``[0, text_length)`` at every span boundary: ``(start, end, spans covering it)``, in order.

    Empty spans are dropped; segments cover the text exactly once, with no gaps and no empty pieces.
    """
    live = [s for s in spans if 0 <= s.start < s.end <= text_length]
    cuts = sorted({0, text_length, *(s.start for s in live), *(s.end for s in live)})
    starts: dict[int, list[Span]] = {}
    for s in live:
        starts.setdefault(s.start, []).append(s)
    out: list[tuple[int, int, tuple[Span, ...]]] = []
    active: list[Span] = []
    for a, b in itertools.pairwise(cuts):
        active = [s for s in active if s.end > a] + starts.get(a, [])
        active.sort(key=lambda s: (s.claim, s.id))
        out.append((a, b, tuple(active)))
    return out


def _assign_spans(claims: list[ClaimView], length: int) -> list[Span]:
    """Number every located evidence span of every claim (1-based, in claim order)."""
    spans: list[Span] = []
    for view in claims:
        for ev in view.evidence:
            if _locatable(ev, length):
                spans.append(Span(len(spans) + 1, ev.start, ev.end, view.number))  # type: ignore[arg-type]
    return spans


def _locatable(ev: Evidence, length: int) -> bool:
    return ev.found and ev.start is not None and ev.end is not None and 0 <= ev.start < ev.end <= length


# --- page parts -----------------------------------------------------------------------------------------


def _header(result: Summary | CheckReport, claims: list[ClaimView]) -> str:
    if isinstance(result, Summary):
        title, kind = result.title, "Summary"
        report = result.verification
    else:
        title, kind, report = "Claim check", "Check", result
    where = result.provenance.source_path or "standard input"
    counts = status_counts(claims)
    chips = "".join(
        f'<span class="badge {STATUSES[k][0]}"><span aria-hidden="true">{STATUSES[k][1]}</span> '
        f"{n} {STATUSES[k][2].lower()}</span>"
        for k, n in counts
    )
    score = ""
    if report is not None:
        value = "n/a" if report.score is None else f"{report.score:.2f}"
        score = f'<span class="score">Faithfulness <strong>{value}</strong></span>'
    return (
        '<header class="top">'
        f'<p class="kicker">{kind} of <span class="path">{_esc(where)}</span></p>'
        f"<h1>{_esc(title)}</h1>"
        f'<p class="tally">{score}{chips}</p>'
        "</header>"
    )


def _left(result: Summary | CheckReport, claims: list[ClaimView], spans: list[Span], length: int) -> str:
    out = ['<section class="pane summary-pane" aria-label="Summary and claims">']
    if isinstance(result, Summary):
        out.append(f'<p class="tldr"><span class="label">TL;DR</span> {_esc(result.tldr)}</p>')
        out.append('<h2>Key points</h2><ul class="points">')
        out += [f"<li>{_esc(p)}</li>" for p in result.key_points]
        out.append("</ul>")
    out.append(f'<h2>Claims <span class="count">{len(claims)}</span></h2>')
    out.append('<p class="hint">Select a claim to see its evidence in the source; select a highlight to see '
               "the claims that rest on it.</p>")  # fmt: skip
    out.append('<ol class="claims">')
    out += [_claim_card(c, [s for s in spans if s.claim == c.number], length) for c in claims]
    out.append("</ol>")
    if isinstance(result, Summary):
        out.append(_details(result))
    warnings = list(result.warnings)
    if isinstance(result, Summary) and result.verification is not None:
        warnings += result.verification.warnings
    if warnings:
        out.append('<h2>Warnings</h2><ul class="warnings">')
        out += [f"<li>{_esc(w)}</li>" for w in warnings]
        out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def _claim_card(c: ClaimView, spans: list[Span], length: int) -> str:
    css, icon, label = STATUSES[c.status]
    colour = PALETTE[(c.number - 1) % len(PALETTE)]
    span_ids = " ".join(f"s{s.id}" for s in spans)
    evidence, numbered = [], iter(spans)
    for ev in c.evidence:
        attrs = ""
        if _locatable(ev, length):
            span = next(numbered)
            attrs = f' data-span="s{span.id}" data-start="{span.start}" data-end="{span.end}"'
        if ev.found and ev.start is not None:
            how = ev.match + (f" {ev.score:.2f}" if ev.match == "fuzzy" else "")
            where = f"characters {ev.start}–{ev.end}, {how}"
        else:
            where = "not found in the source"
        evidence.append(f'<li{attrs}><q>{_esc(ev.quote)}</q> <span class="at">{_esc(where)}</span></li>')
    reason = f'<p class="reason">{_esc(c.reason)}</p>' if c.reason else ""
    located = f"{len(spans)} span{'s' if len(spans) != 1 else ''} in the source" if spans else "no span"
    return (
        f'<li class="claim" id="claim-{c.number}" data-claim="{c.number}" data-spans="{span_ids}" '
        f'style="--c:{colour}" tabindex="0" role="button" aria-pressed="false" '
        f'aria-label="Claim {c.number}: {label}. {_esc(c.text)}">'
        f'<div class="claim-head"><span class="num" aria-hidden="true">{c.number}</span>'
        f'<span class="badge {css}"><span aria-hidden="true">{icon}</span> {label}</span>'
        f'<span class="meta">{_esc(" · ".join(c.meta))}</span></div>'
        f'<p class="text">{_esc(c.text)}</p>'
        f'<details class="evidence"><summary>Evidence: {located}</summary><ol>{"".join(evidence)}</ol>'
        f"</details>{reason}</li>"
    )


def _details(s: Summary) -> str:
    parts = []
    if s.entities:
        items = "".join(
            f'<li>{_esc(e.name)} <span class="type">{_esc(e.type)}</span></li>' for e in s.entities
        )
        parts.append(
            f'<details class="more"><summary>Entities ({len(s.entities)})</summary><ul>{items}</ul></details>'
        )
    if s.events:
        items = "".join(f"<li><strong>{_esc(e.date)}</strong> {_esc(e.description)}</li>" for e in s.events)
        parts.append(
            f'<details class="more"><summary>Events ({len(s.events)})</summary><ul>{items}</ul></details>'
        )
    return "\n".join(parts)


def _right(result: Summary | CheckReport, source: str, spans: list[Span]) -> str:
    where = result.provenance.source_path or "standard input"
    out = [
        '<section class="pane source-pane" aria-label="Source">',
        f'<h2>Source <span class="count">{_esc(where)} · {len(source):,} characters</span></h2>',
        f'<div id="source" class="source" data-chars="{len(source)}">{_highlighted(source, spans)}</div>',
        '<div id="span-info" class="span-info" role="status" aria-live="polite" hidden></div>',
        "</section>",
    ]
    return "\n".join(out)


def _highlighted(source: str, spans: list[Span]) -> str:
    out: list[str] = []
    for a, b, covering in segments(len(source), spans):
        text = _esc_text(source[a:b])
        if not covering:
            out.append(text)
            continue
        claims = sorted({s.claim for s in covering})
        colours = [PALETTE[(n - 1) % len(PALETTE)] for n in claims]
        bands = ", ".join(f"inset 0 -{3 * (i + 1)}px 0 {c}" for i, c in enumerate(colours))
        style = f"background:{_tint(colours[0])};box-shadow:{bands}"
        opening = [s for s in covering if s.start == a]
        label = (
            f' data-label="{",".join(str(n) for n in sorted({s.claim for s in opening}))}"' if opening else ""
        )
        focusable = ' tabindex="0"' if opening else ""
        multi = " multi" if len(claims) > 1 else ""
        out.append(
            f'<mark class="ev{multi}" data-spans="{" ".join(f"s{s.id}" for s in covering)}" '
            f'data-claims="{" ".join(map(str, claims))}"{label}{focusable} style="{style}" '
            f'title="Evidence for claim{"s" if len(claims) > 1 else ""} {", ".join(map(str, claims))}">'
            f"{text}</mark>"
        )
    return "".join(out)


def _footer(result: Summary | CheckReport) -> str:
    p = result.provenance
    if isinstance(result, Summary):
        prompts = {result.provenance.prompt: result.provenance.prompt_version}
        if result.verification is not None:
            prompts.update(result.verification.provenance.prompts)
        model: str | None = result.provenance.model
    else:
        prompts, model = dict(result.provenance.prompts), result.provenance.model
    rows = [
        ("Model", model or "none (every claim settled locally)"),
        ("Prompts", ", ".join(f"{name}@{version}" for name, version in sorted(prompts.items())) or "none"),
        ("Source", f"{p.source_path or 'standard input'} · {p.source_chars:,} characters"),
        ("Source sha256", p.source_sha256),
        ("Usage", usage_text(result.usage)),
        ("Created", p.created_at.isoformat(timespec="seconds")),
        ("Tool", f"summarizer {p.tool_version} · schema {result.schema_version}"),
    ]
    cells = "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in rows)
    return f'<footer class="provenance"><dl>{cells}</dl></footer>'


# --- escaping and assets --------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Escape for element content and quoted attribute values."""
    return html.escape(_SURROGATE.sub("\ufffd", text), quote=True)


def _esc_text(text: str) -> str:
    """Escape source text so the DOM holds exactly these characters (HTML parsing turns CR and CRLF into
    LF; a character reference keeps the CR)."""
    return _esc(text).replace("\r", "&#13;")


def _tint(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * _TINT) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


@cache
def _asset(name: str) -> str:
    return resources.files("summarizer.report").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


@cache
def _script() -> str:
    script = _asset("report.js")
    if "</" in script:  # would end the <script> element early
        raise ValueError("report.js must not contain '</'")
    return script


@cache
def _script_hash() -> str:
    digest = hashlib.sha256(_script().encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
