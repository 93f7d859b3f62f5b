"""The command line's arguments: every subcommand and option, and their help."""

from __future__ import annotations

import argparse
import math
from typing import NoReturn

from .. import config
from ..errors import EXIT_BELOW_THRESHOLD

__all__ = ["build_parser"]


class _VersionAction(argparse.Action):
    """--version, reading the installed metadata only when asked (it is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from ..version import get_version

        print(f"summarizer {get_version()}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (no usage block first) and the pointer to --help after."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="summarizer",
        description="Structured summaries whose every claim carries verbatim evidence located in the source.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = _Parser(add_help=False)
    common.add_argument(
        "-m", "--model", help="model name (default: gpt-4o-mini with an API key, else the local model)"
    )
    common.add_argument("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)")
    _time_limits(common)
    common.add_argument("-f", "--format", choices=["text", "markdown", "json", "html"],
                        help="output format (default: by -o suffix, else text on a terminal, json otherwise); "
                        "html: one self-contained report page")  # fmt: skip
    common.add_argument("-o", "--output", help="write to FILE instead of standard output")
    common.add_argument(
        "-v", "--verbose", action="count", default=0, help="log progress to stderr (-vv: debug)"
    )

    s = sub.add_parser("summarize", parents=[common], help="summarize a document into grounded claims")
    s.add_argument("path", nargs="+",
                   help="file(s) to summarize (text or HTML), folders, globs, JSONL of {id, text}, or - for stdin")  # fmt: skip
    s.add_argument(
        "--dry-run", action="store_true", help="print token count and estimated cost; call nothing"
    )
    s.add_argument(
        "--verify", action="store_true", help="check the summary's own claims against the document"
    )
    s.add_argument("--fail-under", type=_score, metavar="SCORE",
                   help=f"with --verify: exit {EXIT_BELOW_THRESHOLD} when the faithfulness score is below SCORE")  # fmt: skip

    c = sub.add_parser("check", parents=[common], help="check claims or a summary against a source")
    c.add_argument("source", nargs="+",
                   help="the source document (text or HTML), or - for stdin; several, folders, globs or JSONL for a batch")  # fmt: skip
    c.add_argument(
        "--dry-run", action="store_true", help="print token counts and estimated cost; call nothing"
    )
    c.add_argument("--claim", action="append", default=[], help="a claim to check (repeatable)")
    c.add_argument("--claims", metavar="FILE", help="claims: one per line, or a JSON list, or JSONL")
    c.add_argument("--summary", metavar="FILE", help="free text to decompose into atomic claims and check")
    c.add_argument("--mode", choices=["hybrid", "local", "model"], default="hybrid",
                   help="hybrid: zero-token checks first, the model for the rest (default); local: no model")  # fmt: skip
    c.add_argument("--split", choices=["model", "sentences"],
                   help="how --summary is split into claims: by the model (the default) or by sentences (no tokens; the "
                   "default with --mode local)")  # fmt: skip
    c.add_argument("--fail-under", type=_score, metavar="SCORE",
                   help=f"exit {EXIT_BELOW_THRESHOLD} when the faithfulness score is below SCORE (0-1)")  # fmt: skip

    for p in (s, c):
        _checking(p, verify=p is s)
        b = p.add_argument_group("batches (several documents)")
        b.add_argument(
            "-j", "--jobs", type=int, default=config.DEFAULT_JOBS, help="documents in flight at once"
        )
        b.add_argument(
            "--no-cache", action="store_true", help="ignore the result cache (see `summarizer cache`)"
        )
        b.add_argument("--max-cost", type=_budget, metavar="USD",
                       help="refuse to start, or stop cleanly, before the estimated cost passes USD; the budget "
                       "is the output file's (what its results already cost counts)")  # fmt: skip

    r = sub.add_parser(
        "report", help="render a saved JSON result again (HTML, Markdown, text), no model call"
    )
    r.add_argument("result", help="a summary or check result saved as JSON, or a batch's JSONL (-o FOLDER)")
    r.add_argument("--source", metavar="FILE",
                   help="the source document (default: the path the result names; its sha256 must match)")  # fmt: skip
    r.add_argument("-f", "--format", choices=["html", "markdown", "text", "json"],
                   help="output format (default: by -o suffix, else html)")  # fmt: skip
    r.add_argument("-o", "--output", help="write to FILE (a FOLDER for a batch: one report per document)")
    r.add_argument("-v", "--verbose", action="count", default=0)

    ca = sub.add_parser("cache", help="show (or --clear) the result cache: location, entries, size")
    ca.add_argument("--clear", action="store_true")

    ev = sub.add_parser("eval", help="measure the checker on labelled {doc, claim, label} JSONL rows")
    ev.add_argument("dataset", help="JSONL file with doc, claim and label (1 = consistent) per row")
    ev.add_argument("--mode", choices=["hybrid", "model", "local", "verdicts", "rules", "naive", "floor"],
                    default="hybrid",
                    help="hybrid (default): trusted local findings, the model's calibrated Yes/No for the rest; "
                    "model: every claim scored by the model; local: the local features alone, calibrated (zero "
                    "tokens); verdicts: local findings, then the model's JSON verdicts (the previous default); "
                    "rules: the local findings alone, an undecided claim counted consistent; naive: a zero-shot "
                    "yes/no prompt with the same model; floor: the published lexical baseline")  # fmt: skip
    ev.add_argument("--profile", metavar="FILE", help="calibration profile (default: the model's shipped one)")
    ev.add_argument("--limit", type=_positive, metavar="N", help="a label-stratified sample of this many rows")
    ev.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    ev.add_argument("-m", "--model", help="model name")
    ev.add_argument("--base-url", help="OpenAI-compatible endpoint")
    _time_limits(ev)
    ev.add_argument("-o", "--output",
                    help="save the full report (with per-row predictions) as JSON, and its reliability diagram "
                    "beside it as a PNG (needs matplotlib: pip install 'summarizer[plot]')")  # fmt: skip
    ev.add_argument("-v", "--verbose", action="count", default=0)

    cal = sub.add_parser("calibrate", help="fit a calibration profile for a model from labelled JSONL rows")
    cal.add_argument("dataset", nargs="+", help="JSONL files of {doc, claim, label}; each file is one domain, named by its stem (and its "
                     "folders when two stems clash; the same file twice is fitted on once)")
    cal.add_argument("-o", "--output", required=True, help="where to write the profile (JSON)")
    cal.add_argument("--limit", type=_positive, metavar="N",
                     help="a label-stratified sample of this many rows per file")
    cal.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    cal.add_argument("--examples", metavar="FILE",
                     help="keep the scored examples here (JSONL) and reuse them: a refit needs no model call")  # fmt: skip
    cal.add_argument("--claims-per-call", type=_positive, default=config.SCORE_CLAIMS_PER_CALL,
                     help=f"claims asked per scoring call (default {config.SCORE_CLAIMS_PER_CALL})")  # fmt: skip
    cal.add_argument("--temperature", action="store_true",
                     help="temper the fit on held-out files (three or more): lower log loss on a kind of text "
                     "it never saw")  # fmt: skip
    cal.add_argument("--threshold", choices=config.CALIBRATION_THRESHOLD_RULES, default=config.CALIBRATION_THRESHOLD,
                     help="the decision threshold: 'best', the one with the highest mean balanced accuracy over "
                     "the files (default), or 'rate', the share of supported rows")  # fmt: skip
    cal.add_argument("--lexical", action="store_true",
                     help="also weigh the lexical features (coverage by the best-matching sentences, share of words "
                     "the source lacks, length); left out by default: on edited summaries their weights follow how "
                     "the set was made, not what real claims do")  # fmt: skip
    cal.add_argument("--hold-out", action="store_true",
                     help="also print each file's figures with the profile fitted on the other files (two or more): "
                     "what a kind of text the profile never saw can expect; no extra model call")  # fmt: skip
    cal.add_argument("--name", help="the profile's name (default: the model's)")
    cal.add_argument("-m", "--model", help="model name (the profile is for this model)")
    cal.add_argument("--base-url", help="OpenAI-compatible endpoint")
    _time_limits(cal)
    cal.add_argument("-v", "--verbose", action="count", default=0)

    sc = sub.add_parser("schema", help="print the JSON Schema of an output")
    sc.add_argument("name", nargs="?", default="summary", choices=["summary", "check"])

    lo = sub.add_parser("local", help="manage the bundled local model server")
    lo.add_argument("action", choices=["setup", "start", "stop", "status"])
    lo.add_argument("-v", "--verbose", action="count", default=0)

    from .batch_api import add_batch_parser

    add_batch_parser(sub)
    return parser


def _checking(parser: argparse.ArgumentParser, *, verify: bool) -> None:
    g = parser.add_argument_group("checking" + (" (with --verify)" if verify else ""))
    g.add_argument("--profile", metavar="FILE",
                   help="calibration profile: thresholds and weights (default: the model's shipped one, else the "
                   "generic one; `summarizer calibrate` fits one)")  # fmt: skip
    g.add_argument("--scorer", choices=["logprobs", "verdicts"], default="logprobs",
                   help="logprobs (default): a short Yes/No answer per claim read from log-probabilities and "
                   "calibrated; verdicts: the model's JSON verdicts with quotes and reasons (uncalibrated)")  # fmt: skip
    g.add_argument("--explain", action="store_true",
                   help="also ask the model for a one-sentence reason per scored claim (more tokens)")
    g.add_argument("--claims-per-call", type=_positive, metavar="N",
                   help="claims per scoring call (default: the profile's)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _time_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                        help=f"one request's time limit (default: $SUMMARIZER_TIMEOUT, else {config.REQUEST_TIMEOUT:g} s; "
                        f"{config.LOCAL_REQUEST_TIMEOUT:g} s for a model server on this machine)")  # fmt: skip
    parser.add_argument("--deadline", type=_seconds, metavar="SECONDS",
                        help="one document's time limit, all its calls included (default: $SUMMARIZER_DEADLINE, "
                        f"else {config.DOCUMENT_DEADLINE:g} s; {config.LOCAL_DOCUMENT_DEADLINE:g} s on this machine)")  # fmt: skip


def _seconds(text: str) -> float:
    """A number of seconds above 0 (a time limit, or the pause between looks at a batch)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds above 0 (got {text!r})")
    return value


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount of USD: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"a budget is a finite amount of USD, 0 or more (got {text!r})")
    return value


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a score is between 0 and 1")
    return value
