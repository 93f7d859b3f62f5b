"""Completion tokens of one summary, field by field, before and after a change of the draft schema.

Three steps, each its own subcommand:

    # 1. summarise the five articles with the code on sys.path, keep every result and raw answer
    .venv/bin/python benchmarks/summary_tokens.py run --label after --base-url http://127.0.0.1:8080/v1
    # 2. which fields of the model's answers cost what (the model's own tokenizer through llama-server's
    #    /tokenize when it answers, else tiktoken's o200k_base, and the output says which)
    .venv/bin/python benchmarks/summary_tokens.py fields --label before
    # 3. the before/after table, and the claims of one article side by side
    .venv/bin/python benchmarks/summary_tokens.py table --before before --after after --side-by-side example

The articles: the project's example, the seed-like news article in ../shared/examples, and three
CNN/DailyMail test articles (REALSumm's copy in ../shared/eval, markers stripped, made readable as in
benchmarks/calls_tokens.py). Results land in results/summary_tokens/<label>/ (not committed): per article
the Summary JSON, and the raw answer with the server's usage and timings. "Seconds" is the server's own
time for the call (prompt evaluation + generation, llama.cpp's ``timings``), since the wall clock also
counts the wait behind other users of a shared server; the wall clock is kept too.

To measure the code before a change, put its tree first on the path:
``git archive <commit> | tar -x -C /tmp/before && PYTHONPATH=/tmp/before .venv/bin/python ...run``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from realsumm import article_text  # benchmarks/ is the script's folder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: ../shared next to the checkout (or next to the folder of worktrees that holds it)
SHARED = next(
    (p / "shared" for p in ROOT.parents if (p / "shared" / "eval").is_dir()), ROOT.parent / "shared"
)
RESULTS = ROOT / "results" / "summary_tokens"

#: name -> (file, line of a REALSumm file or None). CNN/DM lines 20, 26, 29: 1,989-3,237 characters.
ARTICLES: dict[str, tuple[Path, int | None]] = {
    "example": (ROOT / "examples" / "harbour-bridge-vote.txt", None),
    "putin": (SHARED / "examples" / "putin-north-korea-visit.txt", None),
    "cnndm-20": (SHARED / "eval" / "realsumm_cnndm_articles.txt", 20),
    "cnndm-26": (SHARED / "eval" / "realsumm_cnndm_articles.txt", 26),
    "cnndm-29": (SHARED / "eval" / "realsumm_cnndm_articles.txt", 29),
}
MATCHES = ("exact", "normalized", "fuzzy", "sentence", "not_found")



def load_article(name: str) -> str:
    path, line = ARTICLES[name]
    raw = path.read_text(encoding="utf-8")
    return raw if line is None else article_text(raw.splitlines()[line])


# --- run --------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    import httpx2

    import summarizer
    from summarizer import summarize
    from summarizer.llm.client import LLM
    from summarizer.settings import resolve_settings

    out = Path(args.out) / args.label
    out.mkdir(parents=True, exist_ok=True)
    answers: list[dict[str, Any]] = []

    def keep(response: Any) -> None:
        if response.request.url.path.endswith("/chat/completions") and response.status_code == 200:
            response.read()
            answer = response.json()
            if answer.get("choices"):  # not an error the SDK will retry
                answers.append(answer)

    # a shared server queues requests: wait for the answer rather than retry (a retry is queued again)
    settings = replace(resolve_settings(args.model, args.base_url), timeout=args.timeout, max_retries=0)
    http = httpx2.Client(timeout=settings.timeout, event_hooks={"response": [keep]})
    llm = LLM(settings, http_client=http)
    print(f"code: {Path(summarizer.__file__).parent}", file=sys.stderr)
    for name in args.articles or list(ARTICLES):
        text = load_article(name)
        answers.clear()
        started = time.perf_counter()
        summary = summarize(text, llm=llm)
        wall = round(time.perf_counter() - started, 1)
        (out / f"{name}.json").write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
        (out / f"{name}.source.txt").write_text(text, encoding="utf-8")
        record = {
            "article": name,
            "chars": len(text),
            "wall_seconds": wall,
            "answers": [
                {
                    "content": a["choices"][0]["message"]["content"],
                    "usage": a.get("usage"),
                    "timings": a.get("timings"),
                }
                for a in answers
            ],
        }
        (out / f"{name}.answer.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        row = _row(name, out)
        print(json.dumps(row), file=sys.stderr)
    return 0


def _row(name: str, folder: Path) -> dict[str, Any]:
    summary = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    record = json.loads((folder / f"{name}.answer.json").read_text(encoding="utf-8"))
    timings = [a.get("timings") or {} for a in record["answers"]]
    server_ms = sum(t.get("prompt_ms", 0) + t.get("predicted_ms", 0) for t in timings)
    matches = Counter(ev["match"] for c in summary["claims"] for ev in c["evidence"])
    return {
        "article": name,
        "chars": record["chars"],
        "calls": summary["usage"]["calls"],
        "prompt_tokens": summary["usage"]["prompt_tokens"],
        "completion_tokens": summary["usage"]["completion_tokens"],
        "server_seconds": round(server_ms / 1000, 1) if server_ms else None,
        "generation_seconds": round(sum(t.get("predicted_ms", 0) for t in timings) / 1000, 1) or None,
        "wall_seconds": record["wall_seconds"],
        "claims": len(summary["claims"]),
        "grounded": sum(c["grounded"] for c in summary["claims"]),
        "matches": {m: matches[m] for m in MATCHES if matches[m]},
        "key_points": len(summary["key_points"]),
        "entities": len(summary["entities"]),
        "events": len(summary["events"]),
    }


def reground(args: argparse.Namespace) -> int:
    """Ground the saved answers again with the code on sys.path (no model call): for grounding changes."""
    from summarizer.llm.drafts import SummaryDraft
    from summarizer.pipeline.assemble import ground_draft
    from summarizer.text.documents import document_from_text

    folder = Path(args.out) / args.label
    for name in args.articles or list(ARTICLES):
        if not (folder / f"{name}.answer.json").exists():
            continue
        record = json.loads((folder / f"{name}.answer.json").read_text(encoding="utf-8"))
        if len(record["answers"]) != 1:
            continue  # a long document's parts: run it again instead
        summary = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        document = document_from_text((folder / f"{name}.source.txt").read_text(encoding="utf-8"))
        draft = SummaryDraft.model_validate_json(record["answers"][0]["content"])
        claims, warnings = ground_draft(draft, document)
        summary["claims"] = [c.model_dump(mode="json") for c in claims]
        try:  # the tree being measured may predate derived key points and checked events
            from summarizer.pipeline.assemble import dated_events, key_points
            from summarizer.text.grounding import normalize
        except ImportError:
            pass
        else:
            events, event_warnings = dated_events(draft, normalize(document.text))
            summary["events"] = [e.model_dump(mode="json") for e in events]
            summary["key_points"] = key_points(claims) or [draft.tldr]
            warnings += event_warnings
        summary["warnings"] = warnings
        (folder / f"{name}.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(_row(name, folder)), file=sys.stderr)
    return 0


def modality(args: argparse.Namespace) -> int:
    """Kind and attribution as the model wrote them, as the pipeline returned them (the rules correcting
    the model), and as the rules alone read them off the same evidence: are the rules as good?"""
    from summarizer.pipeline.assemble import numbered, read_modality
    from summarizer.text.documents import document_from_text
    from summarizer.types import Evidence

    folder = Path(args.out) / args.label
    rows = []
    for name in args.articles or list(ARTICLES):
        if not (folder / f"{name}.answer.json").exists():
            continue
        record = json.loads((folder / f"{name}.answer.json").read_text(encoding="utf-8"))
        summary = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        source = numbered(document_from_text((folder / f"{name}.source.txt").read_text(encoding="utf-8")))
        drafted = [c for a in record["answers"] for c in json.loads(a["content"])["claims"]]
        by_text = {" ".join(c["text"].lower().split()): c for c in drafted if "kind" in c}
        for claim in summary["claims"]:
            model = by_text.get(" ".join(claim["text"].lower().split()))
            evidence = [Evidence.model_validate(ev) for ev in claim["evidence"]]
            rules = read_modality(claim["text"], source, evidence)
            rows.append((name, model, claim, rules))
    same = sum((c["kind"], c["attribution"]) == r for _, _, c, r in rows)
    model_plain = sum(
        m is not None and m["kind"] == "fact" and m["attribution"] == "article" for _, m, _, _ in rows
    )
    print(f"{len(rows)} claims in {folder}: the model wrote fact/article for {model_plain}; the rules alone")
    print(f"give the returned kind and attribution for {same} of them")
    for name, _, c, r in rows:
        if (c["kind"], c["attribution"]) != r:
            print(f"  {name}: {c['text']!r}: returned {c['kind']}/{c['attribution']}, rules {r[0]}/{r[1]}")
    return 0


# --- fields -------------------------------------------------------------------------------------------------


class _Tokenizer:
    """The model's own tokenizer through llama-server's /tokenize, else tiktoken's o200k_base."""

    def __init__(self, server: str | None) -> None:
        self.name = "o200k_base (tiktoken)"
        self.url: str | None = None
        if server:
            import httpx2

            try:
                httpx2.post(f"{server}/tokenize", json={"content": "x"}, timeout=10).raise_for_status()
                props = httpx2.get(f"{server}/props", timeout=10).json()
                self.url = f"{server}/tokenize"
                self.name = f"the model's own ({Path(str(props.get('model_path', 'llama-server'))).name})"
            except Exception:  # any failure means: fall back to tiktoken
                self.url = None

    def pieces(self, text: str) -> list[str]:
        if self.url:
            import httpx2

            data = httpx2.post(self.url, json={"content": text, "with_pieces": True}, timeout=60).json()
            out = []
            for token in data["tokens"]:
                piece = token["piece"]
                out.append(piece if isinstance(piece, str) else bytes(piece).decode("utf-8", "replace"))
            return out
        from summarizer.text import tokens

        enc = tokens.encoding_for_model("gpt-4o")
        ids = enc.encode(text, disallowed_special=())
        _, offsets = enc.decode_with_offsets(ids)
        bounds = [*offsets, len(text)]
        return [text[bounds[i] : bounds[i + 1]] for i in range(len(ids))]


def _regions(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, label) of every key and value in a JSON text; labels like ``claims[].quote``."""
    decoder = json.JSONDecoder()
    pos = 0

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int, path: str) -> Iterator[tuple[int, int, str]]:
        nonlocal pos
        i = skip(i)
        if text[i] == "{":
            i = skip(i + 1)
            while text[i] != "}":
                key, end = decoder.raw_decode(text, i)
                yield i, end, "(keys)"
                i = skip(end)
                assert text[i] == ":"
                yield from value(i + 1, f"{path}.{key}" if path else key)
                i = skip(pos)
                if text[i] == ",":
                    i = skip(i + 1)
            pos = i + 1
        elif text[i] == "[":
            i = skip(i + 1)
            while text[i] != "]":
                yield from value(i, f"{path}[]")
                i = skip(pos)
                if text[i] == ",":
                    i = skip(i + 1)
            pos = i + 1
        else:
            _, end = decoder.raw_decode(text, i)
            yield i, end, path
            pos = end

    yield from value(0, "")


def field_costs(content: str, tokenizer: _Tokenizer) -> dict[str, int]:
    """Tokens of ``content`` per field; a token goes to the first key or value it overlaps, else to
    ``(whitespace)`` when it is only whitespace, else to ``(punctuation)`` (braces, commas, colons)."""
    regions = list(_regions(content))
    owner = [""] * len(content)
    for start, end, label in regions:
        for i in range(start, end):
            owner[i] = label
    costs: Counter[str] = Counter()
    at = 0
    for piece in tokenizer.pieces(content):
        span = range(at, min(len(content), at + len(piece)))
        at += len(piece)
        labels = [owner[i] for i in span if owner[i]]
        if labels:
            costs[labels[0]] += 1
        elif piece.strip() == "":
            costs["(whitespace)"] += 1
        else:
            costs["(punctuation)"] += 1
    return dict(costs)


def fields(args: argparse.Namespace) -> int:
    tokenizer = _Tokenizer(None if args.tiktoken else args.server)
    folder = Path(args.out) / args.label
    per_article: dict[str, dict[str, int]] = {}
    for name in args.articles or list(ARTICLES):
        path = folder / f"{name}.answer.json"
        if not path.exists():
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        costs: Counter[str] = Counter()
        for answer in record["answers"]:
            costs.update(field_costs(answer["content"], tokenizer))
        per_article[name] = dict(costs)
    names = list(per_article)
    labels = sorted(
        {k for c in per_article.values() for k in c},
        key=lambda k: -sum(c.get(k, 0) for c in per_article.values()),
    )
    print(f"tokenizer: {tokenizer.name}; answers in {folder}")
    print("| field | " + " | ".join(names) + " | share |")
    print("|---|" + "---|" * (len(names) + 1))
    grand = sum(sum(c.values()) for c in per_article.values())
    for label in labels:
        row = [per_article[n].get(label, 0) for n in names]
        print(f"| {label} | " + " | ".join(str(v) for v in row) + f" | {100 * sum(row) / grand:.0f}% |")
    totals = [sum(per_article[n].values()) for n in names]
    print("| **total** | " + " | ".join(str(v) for v in totals) + " | 100% |")
    return 0


# --- table --------------------------------------------------------------------------------------------------


def table(args: argparse.Namespace) -> int:
    """Before and after per article. The server's seconds are as measured (a shared server's speed varies
    with its load: the generation rate is shown); the last time column is the generation at one rate."""
    base = Path(args.out)
    before, after = base / args.before, base / args.after
    names = [n for n in (args.articles or list(ARTICLES)) if (before / f"{n}.json").exists()]
    rate = args.rate
    print(
        "| article | chars | completion tokens | server seconds (generation tokens/s) "
        f"| generation seconds at {rate:g} tokens/s | claims grounded | match kinds |"
    )
    print("|---|---|---|---|---|---|---|")
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for name in names:
        b = _row(name, before)
        a = _row(name, after) if (after / f"{name}.json").exists() else None
        for label, row in (("before", b), ("after", a)):
            if row:
                for key in ("completion_tokens", "server_seconds", "claims", "grounded"):
                    sums[label][key] += row[key] or 0
                kinds[label].update(row["matches"])
        print(
            f"| {name} | {b['chars']:,} | {b['completion_tokens']} → {a['completion_tokens'] if a else '–'} | "
            f"{_seconds(b)} → {_seconds(a)} | "
            f"{b['completion_tokens'] / rate:.0f} → {_at_rate(a, rate)} | "
            f"{b['grounded']}/{b['claims']} → {_grounded(a)} | "
            f"{_kinds(b)} → {_kinds(a) if a else '–'} |"
        )
    n = max(1, len(names))
    b, a = sums["before"], sums["after"]
    if a["completion_tokens"]:
        print(
            f"| **per article** | | **{b['completion_tokens'] / n:.0f} → {a['completion_tokens'] / n:.0f}** "
            f"({100 * a['completion_tokens'] / b['completion_tokens']:.0f}%) | "
            f"{b['server_seconds'] / n:.0f} → {a['server_seconds'] / n:.0f} | "
            f"{b['completion_tokens'] / n / rate:.0f} → {a['completion_tokens'] / n / rate:.0f} | "
            f"{b['grounded']:.0f}/{b['claims']:.0f} → {a['grounded']:.0f}/{a['claims']:.0f} | "
            f"{_kinds({'matches': kinds['before']})} → {_kinds({'matches': kinds['after']})} |"
        )
    if args.side_by_side:
        print()
        _side_by_side(args.side_by_side, before, after)
    return 0


def _at_rate(row: dict[str, Any] | None, rate: float) -> str:
    return f"{row['completion_tokens'] / rate:.0f}" if row else "–"


def _seconds(row: dict[str, Any] | None) -> str:
    if row is None or row["server_seconds"] is None:
        return "–"
    gen = row["generation_seconds"]
    speed = f" ({row['completion_tokens'] / gen:.1f})" if gen else ""
    return f"{row['server_seconds']:.0f}{speed}"


def _grounded(row: dict[str, Any] | None) -> str:
    return f"{row['grounded']}/{row['claims']}" if row else "–"


def _kinds(row: dict[str, Any]) -> str:
    return ", ".join(f"{m} {row['matches'][m]}" for m in MATCHES if row["matches"].get(m))


def _side_by_side(name: str, before: Path, after: Path) -> None:
    b = json.loads((before / f"{name}.json").read_text(encoding="utf-8"))
    a = json.loads((after / f"{name}.json").read_text(encoding="utf-8"))
    print(f"Claims of `{name}`, before and after (kind, attribution, evidence match and span):")
    print()
    print("| # | before | after |")
    print("|---|---|---|")
    for i in range(max(len(b["claims"]), len(a["claims"]))):
        cells = [_claim_cell(s["claims"][i]) if i < len(s["claims"]) else "" for s in (b, a)]
        print(f"| {i + 1} | {cells[0]} | {cells[1]} |")


def _claim_cell(claim: dict[str, Any]) -> str:
    ev = claim["evidence"][0] if claim["evidence"] else None
    where = f"{ev['match']} {ev['start']}–{ev['end']}: “{ev['quote']}”" if ev else "no evidence"
    text = f"{claim['text']} <br>*{claim['kind']}, {claim['attribution']}; {where}*"
    return text.replace("|", "\\|").replace("\n", " ")


# --- main ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(RESULTS), help="results folder (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="summarise the articles, keep the results and the raw answers")
    p.add_argument("--label", required=True)
    p.add_argument("-m", "--model")
    p.add_argument("--base-url")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for one answer")
    p.add_argument("articles", nargs="*", help=f"some of: {', '.join(ARTICLES)} (default: all)")
    p = sub.add_parser("reground", help="ground the saved answers again with today's code (no model call)")
    p.add_argument("--label", required=True)
    p.add_argument("articles", nargs="*")
    p = sub.add_parser("modality", help="kind and attribution: the model's, returned, the rules' alone")
    p.add_argument("--label", default="before")
    p.add_argument("articles", nargs="*")
    p = sub.add_parser("fields", help="tokens per field of the recorded answers")
    p.add_argument("--label", required=True)
    p.add_argument("--server", default="http://127.0.0.1:8080")
    p.add_argument("--tiktoken", action="store_true", help="count with tiktoken even if a server answers")
    p.add_argument("articles", nargs="*")
    p = sub.add_parser("table", help="before/after per article, and one article's claims side by side")
    p.add_argument("--before", default="before")
    p.add_argument("--after", default="after")
    p.add_argument("--side-by-side", metavar="ARTICLE")
    p.add_argument("--rate", type=float, default=13.0, help="generation tokens/s for the comparable column")
    p.add_argument("articles", nargs="*")
    args = parser.parse_args()
    unknown = [a for a in args.articles if a not in ARTICLES]
    if unknown:
        parser.error(f"unknown article(s) {', '.join(unknown)}; choose from {', '.join(ARTICLES)}")
    commands = {"run": run, "reground": reground, "modality": modality, "fields": fields, "table": table}
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
