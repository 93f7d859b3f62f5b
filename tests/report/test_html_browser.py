"""The HTML report in a real browser (headless Chromium): highlights land on ``source[start:end]``, clicks
select claims and spans, hostile text runs nothing, and the example report is saved as a screenshot.

The screenshot of the example report is written to ``test-artifacts/report-example.png``: look at it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import cli, config
from summarizer.report.html import render_html
from summarizer.text.documents import load_document
from summarizer.types import CheckReport, Evidence, Summary
from tests._support.browser import chromium
from tests._support.paths import EXAMPLE, RECORDED_BASE_URL, ROOT
from tests._support.reports import INJECTION_SOURCE, UNICODE_SOURCE, check_report, summary_of

ARTIFACTS = ROOT / "test-artifacts"
UNICODE_CLAIMS = [
    "The mayor, 김민준, said the ferry “will sail again on 4 May” after repairs costing €1.2 million.",
    "Engineer Анна Петрова 👩‍🔧 led the inspection of the hull.",
    "Tickets cost 15 euros.",
    "Tickets cost 12 euros — the same as last year.",
]

#: Each span's text as the page shows it: the marks naming the span, concatenated in document order.
SPAN_TEXTS = """
const out = {};
document.querySelectorAll('#source mark.ev').forEach(m => {
  m.dataset.spans.split(' ').forEach(id => { out[id] = (out[id] || '') + m.textContent; });
});
return out;
"""
SPAN_OFFSETS = """
return Array.from(document.querySelectorAll('li[data-span]'))
  .map(li => [li.dataset.span, Number(li.dataset.start), Number(li.dataset.end)]);
"""


#: Selenium talks to chromedriver on localhost: let it through the network block and past the cassettes
#: (the recorded model server is 127.0.0.1, which stays on the cassette).
pytestmark = pytest.mark.block_network(allowed_hosts=["localhost", "127.0.0.1", "::1"])


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    return {**vcr_config, "ignore_hosts": ["localhost"]}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def open_page(browser: Any, page: str, path: Path) -> None:
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    assert browser.execute_script("return document.getElementById('source').dataset.ready") == "1"


def located(result: Summary | CheckReport, length: int) -> set[tuple[int, int]]:
    evidence: list[Evidence] = [ev for c in result.claims for ev in c.evidence]
    if isinstance(result, Summary) and result.verification is not None:
        evidence += [ev for c in result.verification.claims for ev in c.evidence]
    return {
        (ev.start, ev.end)
        for ev in evidence
        if ev.found and ev.start is not None and ev.end is not None and ev.start < ev.end <= length
    }


def assert_highlights_match(browser: Any, result: Summary | CheckReport, source: str) -> None:
    """Every highlighted span reads exactly ``source[start:end]``, and the page shows the whole source."""
    assert browser.execute_script("return document.getElementById('source').textContent") == source
    texts = browser.execute_script(SPAN_TEXTS)
    offsets = browser.execute_script(SPAN_OFFSETS)
    assert offsets and {(a, b) for _, a, b in offsets} == located(result, len(source))
    for span_id, start, end in offsets:
        assert texts[span_id] == source[start:end], span_id


def click(browser: Any, selector: str) -> None:
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})", browser.find_element("css selector", selector)
    )
    browser.find_element("css selector", selector).click()


def visible_in_pane(browser: Any, element: Any) -> bool:
    return bool(
        browser.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const p = arguments[0].closest('.pane').getBoundingClientRect();"
            "return r.bottom > p.top && r.top < p.bottom;",
            element,
        )
    )


# --- the example article, summarised and verified (replayed from the local model's cassette) ----------


@pytest.mark.vcr
def test_example_report(browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "example.json"
    argv = ["summarize", str(EXAMPLE), "--base-url", RECORDED_BASE_URL, "-m", config.LOCAL_MODEL, "--verify"]
    assert cli.main([*argv, "-o", str(saved)]) == 0, capsys.readouterr().err
    summary = Summary.model_validate_json(saved.read_text(encoding="utf-8"))
    source = load_document(EXAMPLE).text
    open_page(browser, render_html(summary, source), tmp_path / "example.html")

    assert_highlights_match(browser, summary, source)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-example.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000

    # selecting a claim emphasises exactly the marks of its spans
    click(browser, "#claim-2")
    focused = browser.find_elements("css selector", "mark.ev.focus")
    assert focused and all("2" in m.get_attribute("data-claims").split() for m in focused)
    expected = [
        m
        for m in browser.find_elements("css selector", "mark.ev")
        if "2" in m.get_attribute("data-claims").split()
    ]
    assert len(focused) == len(expected)
    assert browser.find_element("css selector", "#claim-2").get_attribute("aria-pressed") == "true"
    browser.save_screenshot(str(ARTIFACTS / "report-example-claim-2.png"))

    # printing gives a document of its own (two columns become one; the source on its own pages)
    pdf = base64.b64decode(browser.print_page())
    assert (
        pdf.startswith(b"%PDF")
        and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type /Page ") >= 2
    )


# --- zero-token reports: non-ASCII, CRLF, long, overlapping, hostile -------------------------------------


def test_highlights_on_non_ascii_text(browser: Any, tmp_path: Path) -> None:
    report = check_report(UNICODE_SOURCE, UNICODE_CLAIMS)
    open_page(browser, render_html(report, UNICODE_SOURCE), tmp_path / "unicode.html")
    assert_highlights_match(browser, report, UNICODE_SOURCE)


def test_highlights_with_crlf_line_endings(
    browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # through the pipeline: a CRLF file is read as text with \n (offsets refer to that text)
    path = tmp_path / "crlf.txt"
    path.write_bytes(UNICODE_SOURCE.replace("\n", "\r\n").encode("utf-8"))
    page = tmp_path / "crlf.html"
    args = ["check", str(path), *(x for c in UNICODE_CLAIMS for x in ("--claim", c)), "--mode", "local"]
    assert cli.main([*args, "-o", str(tmp_path / "crlf.json")]) == 0
    assert cli.main(["report", str(tmp_path / "crlf.json"), "-o", str(page)]) == 0, capsys.readouterr().err
    browser.get(page.as_uri())
    report = CheckReport.model_validate_json((tmp_path / "crlf.json").read_text())
    assert_highlights_match(browser, report, load_document(path).text)

    # rendered directly from a source that keeps its CRs: the page keeps them too, offsets unchanged
    raw = UNICODE_SOURCE.replace("\n", "\r\n")
    summary = summary_of(raw, ["Engineer Анна Петрова 👩‍🔧 led the inspection of the hull."])
    start = raw.index("Tickets") - 3  # a span across a CRLF
    summary.claims[0].evidence.append(
        Evidence(quote=raw[start : start + 10], start=start, end=start + 10, match="exact", score=1.0)
    )
    summary.provenance.source_chars = len(raw)
    open_page(browser, render_html(summary, raw), tmp_path / "crlf-raw.html")
    assert_highlights_match(browser, summary, raw)


def test_long_article_selecting_the_last_claim_scrolls_to_its_evidence(browser: Any, tmp_path: Path) -> None:
    article = EXAMPLE.read_text(encoding="utf-8")
    source = "\n\n".join([article] * 100) + "\n\n" + UNICODE_SOURCE  # about 230,000 characters
    claims = [*UNICODE_CLAIMS, "The council is expected to vote next Tuesday on a repair plan."]
    report = check_report(source, claims)
    open_page(browser, render_html(report, source), tmp_path / "long.html")
    assert_highlights_match(browser, report, source)
    click(browser, "#claim-2")  # its evidence is near the end of the article
    (mark,) = browser.find_elements("css selector", "mark.ev.focus")
    assert visible_in_pane(browser, mark)
    assert browser.execute_script("return document.querySelector('.source-pane').scrollTop") > 10_000


def test_selecting_an_overlapped_highlight_shows_every_claim_on_it(browser: Any, tmp_path: Path) -> None:
    report = check_report(
        UNICODE_SOURCE, UNICODE_CLAIMS
    )  # "15 euros" is contradicted by the "12" inside claim 4's span
    open_page(browser, render_html(report, UNICODE_SOURCE), tmp_path / "overlap.html")
    click(browser, 'mark.ev.multi[data-claims="3 4"]')
    info = browser.find_element("css selector", "#span-info")
    assert info.is_displayed()
    items = [li.get_attribute("data-claim") for li in info.find_elements("css selector", "li")]
    assert items == ["3", "4"]
    assert "✗ Contradicted — Tickets cost 15 euros." in info.text
    linked = browser.find_elements("css selector", ".claim.linked")
    assert [c.get_attribute("data-claim") for c in linked] == ["3", "4"]
    # Escape clears the selection; Enter on a focused claim selects it (keyboard works as the mouse does)
    browser.switch_to.active_element.send_keys("\ue00c")
    assert not browser.find_elements("css selector", ".claim.linked") and not info.is_displayed()
    card = browser.find_element("css selector", "#claim-1")
    browser.execute_script("arguments[0].focus()", card)
    card.send_keys("\ue007")
    assert card.get_attribute("aria-pressed") == "true"
    assert browser.find_elements("css selector", "mark.ev.focus")


def test_injection_article_runs_no_script(browser: Any, tmp_path: Path) -> None:
    hostile = '<script>window.__pwned = 4</script><img src=x onerror="window.__pwned = 5">'
    summary = summary_of(INJECTION_SOURCE, ["The budget was approved on Monday.", hostile], title=hostile)
    summary.tldr = hostile
    open_page(browser, render_html(summary, INJECTION_SOURCE), tmp_path / "injection.html")
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1
    assert browser.execute_script("return document.querySelectorAll('img, textarea, b').length") == 0
    assert browser.find_element("css selector", "h1").text == hostile  # shown as text
    assert_highlights_match(browser, summary, INJECTION_SOURCE)
    click(browser, "#claim-1")
    assert browser.find_elements("css selector", "mark.ev.focus")  # the report's own script still works


def test_the_page_policy_blocks_a_script_even_if_escaping_failed(browser: Any, tmp_path: Path) -> None:
    page = render_html(summary_of(INJECTION_SOURCE, ["The budget was approved on Monday."]), INJECTION_SOURCE)
    broken = page.replace(
        "</h1>", '</h1><script>window.__pwned = 6</script><img src=x onerror="window.__pwned = 7">'
    )
    open_page(browser, broken, tmp_path / "broken.html")
    assert browser.execute_script("return typeof window.__pwned") == "undefined"


def test_selecting_an_evidence_quote_scrolls_to_that_span(browser: Any, tmp_path: Path) -> None:
    article = EXAMPLE.read_text(encoding="utf-8")
    source = "\n\n".join([article] * 60)
    quote = "Mayor Elena Varga told reporters at City Hall"
    summary = summary_of(source, [quote])
    last = source.rindex(quote)  # the same words again, far down the article
    summary.claims[0].evidence.append(
        Evidence(quote=quote, start=last, end=last + len(quote), match="exact", score=1.0)
    )
    open_page(browser, render_html(summary, source), tmp_path / "quotes.html")
    click(browser, "#claim-1 details.evidence summary")  # open the evidence list
    first, second = browser.find_elements("css selector", "#claim-1 li[data-span]")
    pane = "return document.querySelector('.source-pane').scrollTop"
    second.click()
    far = browser.execute_script(pane)
    (target,) = [
        m
        for m in browser.find_elements("css selector", "mark.ev")
        if second.get_attribute("data-span") in m.get_attribute("data-spans").split()
    ]
    assert visible_in_pane(browser, target) and far > 10_000
    first.click()  # the card stays selected; the source goes back up to the first span
    assert browser.execute_script(pane) < far
    assert browser.find_element("css selector", "#claim-1").get_attribute("aria-pressed") == "true"
