"""The worst-case cost of locating one quote: long quotes against large one-line sources.

    .venv/bin/python benchmarks/grounding_cost.py            # 1 MB and 5 MB sources
    .venv/bin/python benchmarks/grounding_cost.py --mb 1     # quicker

A model's answer can hold a quote of any length, and a source can be megabytes on one line (no sentence
ends, so the "cited sentence" is the whole text). Each case times one ``NumberedSource.evidence`` call (the
path every model-typed quote takes) on a source prepared beforehand; the preparation (normalising the
source and splitting its sentences, once per document) is timed apart. The quotes: 20,000 characters of
the source with a word changed every 200 (so neither the exact nor the normalised search finds them and
the fuzzy step runs), the same quote absent from the source, a 1,000-character quote with one word
changed, and a short quote with its ``[n]`` marker. Prints one line per case and the worst.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.text.grounding import NumberedSource

ARTICLES = Path("/work/shared/eval/realsumm_cnndm_articles.txt")


def _news(n_chars: int) -> str:
    """``n_chars`` of news text on one line (the CNN/DailyMail articles, repeated), no sentence ends."""
    lines = ARTICLES.read_text(encoding="utf-8").splitlines() if ARTICLES.exists() else []
    base = " ".join(line.replace("<t>", "").replace("</t>", "") for line in lines)
    base = base.translate(str.maketrans(".!?", ",,,"))
    if not base.strip():
        rng = random.Random(0)
        words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(4000)]
        base = " ".join(rng.choice(words) for _ in range(20_000))
    return (base + " ") * (n_chars // len(base) + 1)


def _perturbed(text: str, every: int, rng: random.Random) -> str:
    words = text.split(" ")
    step = max(1, every // 6)
    for k in range(0, len(words), step):
        words[k] = "zq" + words[k][::-1]
    return " ".join(words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, nargs="*", default=[1.0, 5.0])
    args = parser.parse_args(argv)
    rng = random.Random(1)
    worst = (0.0, "")
    for mb in args.mb:
        n = int(mb * 1_000_000)
        text = _news(n)[:n]
        started = time.perf_counter()
        source = NumberedSource.from_text(text)
        _ = source.index
        prep = time.perf_counter() - started
        print(
            f"{mb:g} MB one-line source: {len(source.spans)} sentence(s), prepared in {prep:.2f} s (once per document)"
        )
        at = len(text) // 2
        cases = {
            "20,000-char quote, a word changed every 200 chars": _perturbed(text[at : at + 20_000], 200, rng),
            "20,000-char quote absent from the source": _perturbed(text[at : at + 20_000][::-1], 50, rng),
            "1,000-char quote, one word changed": text[at : at + 1_000].replace(" the ", " a ", 1),
            "[n] marker and a 60-char quote": "[1] " + text[at : at + 60],
        }
        for name, quote in cases.items():
            started = time.perf_counter()
            ev = source.evidence(1, quote, "")
            took = time.perf_counter() - started
            worst = max(worst, (took, f"{name}, {mb:g} MB"))
            print(f"  {name}: {took * 1000:,.0f} ms, match {ev.match}")
    print(f"worst: {worst[0] * 1000:,.0f} ms ({worst[1]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
