"""How fast the HTML report renders, and how big it gets, as the source grows.

    .venv/bin/python benchmarks/report_render.py

Builds zero-token check reports (local checks, no model) of the example article repeated to ~10k, ~100k
and ~1M characters, with 12 claims, and prints render time (best of 5) and page size. Not a test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import check  # noqa: E402
from summarizer.report.html import render_html  # noqa: E402
from summarizer.text.documents import document_from_text  # noqa: E402

CLAIMS = [
    "The council is expected to vote next Tuesday on a repair plan.",
    "The repairs are estimated to cost 215 million dollars.",
    "Mayor Elena Varga told reporters at City Hall that the council cannot afford to wait another winter.",
    "The bridge carries roughly 61,000 vehicles a day.",
] * 3


def main() -> None:
    article = (ROOT / "examples" / "harbour-bridge-vote.txt").read_text(encoding="utf-8")
    print("| source | spans | render (best of 5) | page |")
    print("|---|---|---|---|")
    for target in (10_000, 100_000, 1_000_000):
        source = "\n\n".join([article] * max(1, target // len(article)))
        report = check(document_from_text(source), CLAIMS, mode="local")
        spans = sum(ev.found for c in report.claims for ev in c.evidence)
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            page = render_html(report, source)
            best = min(best, time.perf_counter() - started)
        print(f"| {len(source):,} chars | {spans} | {best * 1000:.1f} ms | {len(page.encode()) / 1e3:,.0f} KB |")


if __name__ == "__main__":
    main()
