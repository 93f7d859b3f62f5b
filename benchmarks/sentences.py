"""The one sentence splitter (summarizer.text.sentences) against pysbd: agreement, hard cases, speed.

    .venv/bin/pip install pysbd          # only for the comparison; the package does not need it
    .venv/bin/python benchmarks/sentences.py
    .venv/bin/python benchmarks/sentences.py --articles FILE --examples DIR

Agreement is the F1 of the sentence boundaries (where one sentence ends and the next begins) of ours
against pysbd's, on the CNN/DailyMail articles (lower-cased and tokenised) and the example articles. The
hard cases are written out by hand with their expected sentences; both splitters are scored on them.
Speed is characters per second over all the news text, best of three.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.text.sentences import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
Splitter = Callable[[str], list[tuple[int, int]]]

#: Hard cases: each is the list of its sentences, joined with one space (or the given separator).
HARD_CASES: list[tuple[list[str], str]] = [
    (["Mr. Kim met Dr. Smith at the U.S. Embassy on Jan. 5.", "He left at 5 p.m. and went home."], " "),
    (["The firm moved to the U.S.", "The next year it grew."], " "),
    (["Shares of Acme Inc. rose 3.5% on Monday.", "Analysts were surprised."], " "),
    (["George W. Bush met J. K. Rowling in Washington, D.C. on Friday.", "It went well."], " "),
    (['"Is it over?" she asked.', "Nobody answered."], " "),
    (["He paused... and went on.", "Then he stopped!"], " "),
    (["See Fig. 3 and No. 5 on p. 12.", "The results hold."], " "),
    (["The vote is set for Sept. 18.", "Critics, e.g. the union, object."], " "),
    (["He said no.", "Smith left at once."], " "),
    (["Prices rose 2.5 per cent in the year to March.", "Wages rose 1.9%."], " "),
    (["Gov. Newsom signed it on Oct. 3, 2023.", "Sen. Padilla was there."], " "),
    (["The U.K. and the E.U. agreed.", "Talks resume in Brussels."], " "),
    (["Harbour Bridge toll vote", "The council met on Tuesday."], "\n\n"),
    (["Anna: are we still on for tonight", "Bob: yes, at 8"], "\n"),
    (["- The toll is abolished", "- The bridge stays open"], "\n"),
    (
        ["(cnn) two cnn heroes are among the survivors in kathmandu , nepal .", "and they are struggling ."],
        " ",
    ),
    (['"We will win," he said.', '"They will not," she replied.'], " "),
    (["It cost $4.2 million (about €3.9 million).", "The city paid."], " "),
    (["東京は晴れ。", "大阪は雨。"], ""),
    (["Main St.", "The shop is closed."], " "),
]


def _pysbd() -> Splitter | None:
    try:
        import pysbd  # type: ignore[import-untyped]
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def split(text: str) -> list[tuple[int, int]]:
        spans = []
        for span in segmenter.segment(text):
            piece = text[span.start : span.end]
            stripped = piece.strip()
            if stripped:
                at = span.start + piece.index(stripped)
                spans.append((at, at + len(stripped)))
        return spans

    return split


def _boundaries(spans: list[tuple[int, int]]) -> set[int]:
    return {end for end, _ in zip((e for _, e in spans), spans[1:], strict=False)}


def _agreement(texts: list[str], ours: Splitter, theirs: Splitter, slack: int = 3) -> dict[str, float]:
    """Boundary counts: both, ours only (and how many of those open in lowercase), theirs only."""
    both = only_ours = only_ours_lower = only_theirs = 0
    for text in texts:
        a, b = _boundaries(ours(text)), _boundaries(theirs(text))
        near_b = {x + d for x in b for d in range(-slack, slack + 1)}
        near_a = {x + d for x in a for d in range(-slack, slack + 1)}
        for x in a:
            if x in near_b:
                both += 1
            else:
                only_ours += 1
                only_ours_lower += text[x : x + 4].strip()[:1].islower()
        only_theirs += sum(1 for y in b if y not in near_a)
    precision = both / (both + only_ours) if both + only_ours else 1.0
    recall = both / (both + only_theirs) if both + only_theirs else 1.0
    return {
        "both": both,
        "ours_only": only_ours,
        "ours_only_lowercase": only_ours_lower,
        "theirs_only": only_theirs,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def _hard_cases(split: Splitter) -> int:
    right = 0
    for sentences, sep in HARD_CASES:
        text = sep.join(sentences)
        if [text[s:e] for s, e in split(text)] == sentences:
            right += 1
    return right


def _speed(split: Splitter, texts: list[str]) -> float:
    chars = sum(len(t) for t in texts)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for t in texts:
            split(t)
        best = min(best, time.perf_counter() - started)
    return chars / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=Path, default=Path("/work/shared/eval/realsumm_cnndm_articles.txt")
    )
    parser.add_argument("--examples", type=Path, default=Path("/work/shared/examples"))
    args = parser.parse_args(argv)

    cnndm = [
        line.replace("<t>", "").replace("</t>", "").strip()
        for line in args.articles.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    examples = [p.read_text(encoding="utf-8") for p in sorted(args.examples.glob("*.txt"))]
    examples += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    theirs = _pysbd()
    ours: Splitter = sentence_spans

    print(f"hard cases: ours {_hard_cases(ours)}/{len(HARD_CASES)}", end="")
    print(f", pysbd {_hard_cases(theirs)}/{len(HARD_CASES)}" if theirs else " (pysbd not installed)")
    if theirs is None:
        print(f"speed: ours {_speed(ours, cnndm + examples) / 1e3:,.0f} k chars/s")
        return 0
    for name, texts in (("cnndm articles", cnndm), ("example articles", examples)):
        n_ours = sum(len(ours(t)) for t in texts)
        n_theirs = sum(len(theirs(t)) for t in texts)
        g = _agreement(texts, ours, theirs)
        print(
            f"{name}: {len(texts)} texts, {n_ours} sentences (pysbd {n_theirs}); boundaries in both "
            f"{g['both']}, pysbd's that ours misses {g['theirs_only']} (recall {g['recall']:.3f}), ours only "
            f"{g['ours_only']} ({g['ours_only_lowercase']} of them before a lower-case word), F1 {g['f1']:.3f}"
        )
    texts = cnndm + examples
    a, b = _speed(ours, texts), _speed(theirs, texts)
    print(f"speed: ours {a / 1e3:,.0f} k chars/s, pysbd {b / 1e3:,.0f} k chars/s ({a / b:,.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
