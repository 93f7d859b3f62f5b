"""The HTML report as a string: deterministic, self-contained, escaped, and cut exactly at span boundaries.

What a browser does with it (highlights on the right characters, clicks, scripts that must not run) is
tested in test_report_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from summarizer.report.html import Span, render_html, segments
from summarizer.types import CheckReport, Evidence, Summary
from tests._support.reports import INJECTION_SOURCE, UNICODE_SOURCE, check_report, summary_of

CLAIMS = [
    "The mayor, 김민준, said the ferry “will sail again on 4 May” after repairs costing €1.2 million.",
    "Engineer Анна Петрова 👩‍🔧 led the inspection of the hull.",
    "Tickets cost 15 euros.",
    "The ferry has a new captain.",
]


class _Page(HTMLParser):
    """Collects what a page would load or run: tags, attributes, script bodies and the source's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.comments: list[str] = []
        self._in_script = False
        self._source_depth = 0
        self.source_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._source_depth:
            self._source_depth += 1
        elif dict(attrs).get("id") == "source":
            self._source_depth = 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if self._source_depth:
            self._source_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        if self._source_depth:
            self.source_text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_same_result_gives_byte_identical_html() -> None:
    report = check_report(UNICODE_SOURCE, CLAIMS)
    first = render_html(report, UNICODE_SOURCE)
    again = render_html(CheckReport.model_validate_json(report.model_dump_json()), UNICODE_SOURCE)
    assert first == again


def test_page_loads_nothing_from_outside_and_allows_only_its_own_script() -> None:
    page = render_html(summary_of(UNICODE_SOURCE, CLAIMS[:2]), UNICODE_SOURCE)
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed")
        assert not attrs.get("src") and not attrs.get("href"), (tag, attrs)
    assert "url(" not in page and "@import" not in page
    (script,) = parsed.scripts
    csp = next(a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp  # the one script the page may run is this one


def test_source_and_model_strings_are_escaped() -> None:
    hostile = "<script>window.__pwned = 1</script> <!-- x --> </textarea> <img src=x onerror=alert(1)>"
    summary = summary_of(INJECTION_SOURCE, ["The budget was approved on Monday."], title=hostile)
    summary.tldr = summary.key_points[0] = summary.claims[0].attribution = hostile
    summary.warnings = [hostile]
    page = render_html(summary, INJECTION_SOURCE)
    parsed = parse(page)
    assert len(parsed.scripts) == 1 and "__pwned" not in parsed.scripts[0]
    assert not parsed.comments
    assert [t for t, _ in parsed.tags].count("textarea") == 0
    assert not [t for t, _ in parsed.tags if t in ("img", "b")]
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert "".join(parsed.source_text) == INJECTION_SOURCE  # shown as text, character for character


def test_source_text_survives_html_parsing_exactly_including_cr() -> None:
    source = "Line one.\r\nLine two & “three” 👩‍🔧.\rLast\tline <ok>\n"
    ev = Evidence(quote="two & “three” 👩‍🔧.\rLast", start=source.index("two"), end=source.index("\tline"),
                  match="exact", score=1.0)  # fmt: skip
    summary = summary_of("Line one. Line two.", ["Line one."])
    summary.claims[0].evidence = [ev]
    summary.provenance.source_chars = len(source)
    page = render_html(summary, source)
    assert "&#13;" in page and "\r" not in page.split('id="source"')[1].split("</div>")[0]
    assert "".join(parse(page).source_text) == source


def test_every_evidence_span_is_a_run_of_marks_labelled_with_its_claim() -> None:
    report = check_report(UNICODE_SOURCE, CLAIMS)
    page = render_html(report, UNICODE_SOURCE)
    marks = re.findall(
        r'<mark class="ev[^"]*" data-spans="([^"]*)" data-claims="([^"]*)"[^>]*>([^<]*)</mark>', page
    )
    assert marks
    located = [(i, ev) for i, c in enumerate(report.claims, 1) for ev in c.evidence if ev.found]
    for n, (claim, ev) in enumerate(located, 1):
        pieces = [text for spans, claims, text in marks if f"s{n}" in spans.split()]
        assert all(str(claim) in claims.split() for spans, claims, _ in marks if f"s{n}" in spans.split())
        assert html.unescape("".join(pieces)) == UNICODE_SOURCE[ev.start : ev.end]


def test_badges_say_the_verdict_in_words() -> None:
    page = render_html(check_report(UNICODE_SOURCE, CLAIMS), UNICODE_SOURCE)
    badges = re.findall(
        r'<span class="badge ([\w-]+)"><span aria-hidden="true">.</span> (\w[\w ]*)</span>', page
    )
    assert ("supported", "Supported") in badges
    assert ("contradicted", "Contradicted") in badges
    assert ("not-in-source", "Not in source") in badges


def test_summary_claims_show_ungrounded_and_the_footer_shows_provenance() -> None:
    summary = summary_of(UNICODE_SOURCE, [CLAIMS[1], "A sentence that is nowhere in the article at all."])
    page = render_html(summary, UNICODE_SOURCE)
    assert "Evidence located" in page and "Ungrounded" in page
    footer = page.split('<footer class="provenance">')[1]
    for needed in ("test-model", "summarize@000000000000", summary.provenance.source_sha256, "1 call",
                   "100 prompt + 50 completion tokens", "cost unknown", "1.5 s", "2026-01-02T03:04:05"):  # fmt: skip
        assert needed in footer, needed


def test_a_summary_with_verification_takes_the_verdicts() -> None:
    summary = summary_of(UNICODE_SOURCE, [CLAIMS[1], "Tickets cost 12 euros — the same as last year."])
    summary.verification = check_report(UNICODE_SOURCE, [c.text for c in summary.claims])
    page = render_html(summary, UNICODE_SOURCE)
    assert "Faithfulness <strong>1.00</strong>" in page
    assert page.count('class="badge supported"') == 3  # two claims and the tally


# --- cutting the source at span boundaries ---------------------------------------------------------------


@st.composite
def _spans(draw: st.DrawFn) -> tuple[int, list[Span]]:
    length = draw(st.integers(0, 60))
    spans = []
    for i in range(draw(st.integers(0, 8))):
        a = draw(st.integers(0, length))
        b = draw(st.integers(a, length))
        spans.append(Span(i + 1, a, b, draw(st.integers(1, 4))))
    return length, spans


@given(_spans())
def test_segments_tile_the_text_and_each_span_is_exactly_its_segments(case: tuple[int, list[Span]]) -> None:
    length, spans = case
    cut = segments(length, spans)
    assert [a for a, _, _ in cut[1:]] == [b for _, b, _ in cut[:-1]]  # no gaps, no overlaps
    if length:
        assert (cut[0][0], cut[-1][1]) == (0, length)
    else:
        assert cut == []
    assert all(a < b for a, b, _ in cut)
    for span in spans:
        mine = [(a, b) for a, b, covering in cut if span in covering]
        if span.start == span.end:
            assert mine == []
        else:
            assert mine[0][0] == span.start and mine[-1][1] == span.end
            assert sum(b - a for a, b in mine) == span.end - span.start


def test_injection_page_keeps_summary_schema_fields_as_text() -> None:
    summary = summary_of(INJECTION_SOURCE, ["<script>window.__pwned = 1; alert('x')</script>"], title="x")
    page = render_html(summary, INJECTION_SOURCE)
    assert "&lt;script&gt;window.__pwned = 1; alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert isinstance(Summary.model_validate_json(summary.model_dump_json()), Summary)
