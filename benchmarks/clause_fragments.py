"""Clauses: does asking about each clause of a long claim sentence separately rank claims better?

SummEdits claims are long compound sentences whose one edited detail sits in one clause ("... discuss a
painting and its artist, with Ethan mentioning ..., but they eventually agree ..."); the small model tends
to answer Yes to the whole. For the calibration benchmark's sample of each file (``--limit``, seed 0),
this cuts each claim sentence into clauses (:func:`clauses`: a comma before a connective, or a
semicolon), scores every clause the way the checker scores a sentence (the shipped score prompt, one a
call), and prints the AUC of the whole sentences' log-odds (read from the calibration benchmark's score
cache, ``--scores``: the same rows, the same prompt) against the lowest clause's and against their sum.
Clause log-odds are kept in ``--out`` (resumable; ``--no-collect`` reports on the rows kept there and asks
nothing).

Measured on 1,350 rows and not kept in the checker (docs/experiments.md, "Asking about each clause").

``--write-scores DIR`` writes the three log-odds of those rows as score caches (``DIR/sentences``, ``DIR/sum`` and
``DIR/clauses``) in the layout of ``benchmarks/calibration.py --scores``, so the two can be fitted and
held out by domain on the very same rows (with ``--no-collect`` there)::

    .venv/bin/python benchmarks/clause_fragments.py --data ../shared/eval --limit 240 \
        --files summedits_samsum summedits_qmsumm summedits_podcast summedits_scitldr
    .venv/bin/python benchmarks/clause_fragments.py --data ../shared/eval --limit 120 \
        --files summedits_ectsum summedits_sales_call summedits_sales_email
    .venv/bin/python benchmarks/clause_fragments.py --data ../shared/eval --limit 30 --files wice_claim_dev_binary
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import evaluation, llama_server
from summarizer.calibration import calibrate, metrics
from summarizer.llm.client import LLM
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline.scoring import PROMPT_NAME, claim_units, score_claims
from summarizer.settings import resolve_settings
from summarizer.text.documents import document_from_text
from summarizer.types import Usage

FILES = ["summedits_samsum", "summedits_qmsumm", "summedits_podcast"]
MODEL = "qwen2.5-coder-1.5b-instruct"
#: Words that open a new clause after a comma.
CONNECTIVES = (
    "but", "while", "with", "and", "as", "which", "where", "although", "though", "after", "before",
    "whereas", "leading", "resulting", "including", "who", "so",
)  # fmt: skip
#: A piece shorter than this many words is joined to the clause before it (no bare "including X").
MIN_WORDS = 5
_CUT = re.compile(rf",\s+(?=(?:{'|'.join(CONNECTIVES)})\b)|;\s+")


def clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence`` (the sentence itself when it has one)."""
    out: list[str] = []
    for piece in (p.strip() for p in _CUT.split(sentence)):
        if not piece:
            continue
        if out and len(piece.split()) < MIN_WORDS:
            out[-1] += ", " + piece
        else:
            out.append(piece)
    return out or [sentence.strip()]


def claim_clauses(claim: str) -> list[str]:
    """The clauses of each sentence of ``claim`` (the units the checker asks about, cut further)."""
    return [c for unit in claim_units(claim) for c in clauses(unit)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--files", nargs="+", default=FILES)
    parser.add_argument("--limit", type=int, default=240, help="the calibration benchmark's sample (seed 0)")
    parser.add_argument("--rows", type=int, help="only the first N sampled rows of each file")
    parser.add_argument("--scores", default="results/calibration/scores",
                        help="the calibration benchmark's score caches (whole sentences, one a call)")  # fmt: skip
    parser.add_argument("--out", default="results/fragments", help="clause log-odds, by file (resumable)")
    parser.add_argument("--no-collect", action="store_true", help="ask nothing: the rows already in --out")
    parser.add_argument("--write-scores", metavar="DIR", help="both log-odds as calibration score caches")
    parser.add_argument("-m", "--model", default=MODEL)
    parser.add_argument("--base-url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = resolve_settings(args.model, args.base_url)
    version = load_prompt(PROMPT_NAME).version
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    print("| file | rows | rows cut | AUC whole sentences | AUC lowest clause | AUC sum of both | calls | s |")
    print("|---|---|---|---|---|---|---|---|")
    needs_server = settings.local and not args.no_collect
    with llama_server.serving() if needs_server else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if base_url else settings)
        for name in args.files:
            whole_path = Path(args.scores) / settings.model / f"{version}-k1" / f"{name}.jsonl"
            whole = calibrate.read_scores(whole_path)
            rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=args.limit, seed=0)
            rows = [r for r in rows if whole.get(r.id) is not None][: args.rows]
            path = out_dir / f"{name}.jsonl"
            done: dict[str, list[float | None]] = {}
            if path.exists():
                done = {d["id"]: d["fragments"] for d in map(json.loads, path.read_text().splitlines())}
            usage, started = Usage(), time.perf_counter()
            if args.no_collect:
                rows = [r for r in rows if r.id in done]
            else:
                _collect(llm, rows, done, path, usage)
            labels = [r.label for r in rows]
            base = [whole[r.id] for r in rows]
            lowest = [min((v for v in done[r.id] if v is not None), default=whole[r.id]) for r in rows]
            both = [a + b for a, b in zip(base, lowest, strict=True)]
            cut = sum(1 for r in rows if claim_clauses(r.claim) != claim_units(r.claim))
            aucs = [metrics.auc(v, labels) for v in (base, lowest, both)]
            cells = " | ".join("-" if a is None else f"{100 * a:.1f}" for a in aucs)
            print(f"| {name} | {len(rows)} | {cut} | {cells} | {usage.calls} | {time.perf_counter() - started:.0f} |",
                  flush=True)  # fmt: skip
            if args.write_scores:
                for units, logits in (("sentences", base), ("clauses", lowest), ("sum", both)):
                    folder = Path(args.write_scores) / units / settings.model / f"{version}-k1"
                    folder.mkdir(parents=True, exist_ok=True)
                    lines = [json.dumps({"id": r.id, "logit": v}) for r, v in zip(rows, logits, strict=True)]
                    (folder / f"{name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return 0


def _collect(
    llm: LLM, rows: list[evaluation.Row], done: dict[str, list[float | None]], path: Path, usage: Usage
) -> None:
    """Each row's clause log-odds (none asked for a row whose sentences have one clause each), appended to
    ``path`` a document at a time."""
    with path.open("a", encoding="utf-8") as fh:
        for doc, group in evaluation.group_by_doc(r for r in rows if r.id not in done).items():
            pieces = {r.id: claim_clauses(r.claim) for r in group}
            cut = {r.id for r in group if pieces[r.id] != claim_units(r.claim)}
            asked = list(dict.fromkeys(p for r in group if r.id in cut for p in pieces[r.id]))
            got = score_claims(llm, document_from_text(doc), asked, usage, claims_per_call=1) if asked else []
            by = dict(zip(asked, got or [None] * len(asked), strict=True))
            for r in group:
                done[r.id] = [by[p] for p in pieces[r.id]] if r.id in cut else []
                fh.write(json.dumps({"id": r.id, "fragments": done[r.id]}) + "\n")
            fh.flush()


if __name__ == "__main__":
    raise SystemExit(main())
