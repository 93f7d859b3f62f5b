"""Other ways of asking the same question: does a variant of the score prompt rank claims better?

For the first ``--rows`` rows of each file's calibration sample (the same label-stratified sample, seed
0, as ``benchmarks/calibration.py``), every claim sentence is asked once more with a variant prompt, one a
call, the source first as the shipped prompt has it, and its log-odds read from ``logprobs``
(``max_tokens`` 2; a claim of several sentences takes its lowest, as the checker does). Printed per file:
the AUC of the shipped prompt's log-odds (read from the calibration benchmark's cache, ``--scores``: the
very same rows), the variant's, and their sum (what the two calls together would give). The variant
log-odds are kept in ``--out`` (resumable; ``--no-collect`` reports on what is kept and asks nothing).

Variants (``--variants``):

* ``negated`` — "Does each claim contain any detail that the document does not state, or states
  differently?", its Yes counted against support;
* ``plain`` — the question with no worked examples before it (system prompt, then the document and the
  claim): the score prompt shipped until the examples were adopted, and the baseline of every variant
  below;
* ``passages`` — the plain question, with the two source sentences that share most of the claim's
  words repeated between the document and the claim;
* ``empty`` — the plain question about an empty document: the claim's own pull towards Yes, counted
  against support, so that "AUC sum" is contextual calibration (the shipped log-odds minus it);
* ``truefalse`` — "Is each claim true according to the document?", True or False instead of Yes or No;
* ``fewshot`` — the plain question after the shipped prompt's worked examples (a short news paragraph and
  a chat, five claims each) grouped as two five-claim lists, asked and answered as earlier chat turns
  before the document, so they stay in the cached prefix;
* ``fewshot2`` — the shipped ten worked turns and ten more of the same form, about a meeting (a speaker
  swapped, an antonym, a paraphrase that holds, an added agreement) and a paper's abstract (an antonym, an
  overgeneralisation, a claim the paper does not make): does the model learn more kinds of edits from
  more examples? With ``--skip-shipped`` and no calibration cache, only the variant is asked (its AUC set
  against a published figure of the shipped prompt on the same rows). Measured (docs/experiments.md, "Twenty worked
  examples instead of ten"): +1.5 raw AUC on the first 100 rows of four files, +0.8 on the whole sample
  of seven, and held out +0.3 AUC, -0.6 BAcc, for twice the template's tokens; not adopted;
* ``window`` — ``prompts/score.txt`` about a long source's two chunks closest to the claim (the choice
  the checker makes for a source too long for the context, here made at ``--window-tokens``, 1,024 by
  default): a source no longer than that is asked whole, as ``shipped`` asks it, so its log-odds are
  the shipped ones (not asked again). Measured on WiCE's first 40 rows at 2,048 and 1,024 tokens (docs/experiments.md,
  "WiCE, the same 40 rows"): no better than the whole page, so the checker still shows a page whole when
  it fits the context;
* ``shipped`` — ``prompts/score.txt`` itself, whatever it holds, asked here when the calibration
  benchmark's cache is absent (then the "AUC shipped prompt" column comes from these rows; they are kept
  under the prompt's version, so an edited prompt is asked again).

Measured on 100 rows of four SummEdits files against the plain question, then shipped (docs/experiments.md): none of the first four kept; ``fewshot1`` (the same examples one claim a turn, ten turns)
ranks better on all four files and, measured on the full calibration sample, was adopted: it is what
``prompts/score.txt`` holds, so the "shipped" column is it and the plain question is a variant like the
others::

    .venv/bin/python benchmarks/prompt_variants.py --rows 100 --variants plain \\
        --files summedits_samsum summedits_qmsumm summedits_scitldr summedits_podcast
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import config, evaluation, llama_server
from summarizer.calibration import calibrate, metrics
from summarizer.llm.client import LLM
from summarizer.llm.logprobs import LogprobAnswer
from summarizer.llm.prompts import PromptTemplate, load_prompt
from summarizer.pipeline.scoring import PROMPT_NAME, _Windows, answer_logit, claim_units, read_answers
from summarizer.rules.source import SourceProfile
from summarizer.rules.words import content_stems
from summarizer.settings import resolve_settings
from summarizer.text.documents import document_from_text
from summarizer.types import Usage

FILES = ["summedits_samsum", "summedits_qmsumm", "summedits_scitldr", "summedits_podcast"]
#: the calibration benchmark's smaller samples (README, Evaluation)
LIMITS = {"summedits_ectsum": 120, "summedits_sales_call": 120, "summedits_sales_email": 120,
          "wice_claim_dev_binary": 120}  # fmt: skip
_DOCUMENT = "<document>\n{{document}}\n</document>\n\n"
_CLAIMS = "Claims:\n{{claims}}\n\n"
_ASK = ("Is each claim supported by the document? Answer with one line per claim, in order: its number, "
        "then Yes or No (for example: 1 Yes).")  # fmt: skip


@dataclass(frozen=True)
class Variant:
    user: str
    sign: float = 1.0
    """-1: a Yes counts against support."""
    words: tuple[str, str] = ("yes", "no")
    """The answer words read, the supportive one first."""
    empty_document: bool = False
    passages: bool = False
    demos: tuple[tuple[str, str], ...] = ()
    """Worked examples asked and answered before the real question (chat turns after the system prompt,
    before the document, so they stay in the cached prefix)."""
    window: int = 0
    """Tokens (0: none): the shipped prompt about the two chunks of the source that share most of the
    claim's words (the checker's cut for a source too long for the context) when the source is longer
    than this (``--window-tokens``): does the model judge a long source better from its closest passages?"""


_DEMO_NEWS = (
    "The Riverside library will close for renovation on June 3 and reopen in the autumn, the city's culture "
    "office said on Monday. The work, budgeted at 4.2 million euros, includes a new roof and a children's "
    "wing. Head librarian Tomas Berg said temporary services would run from the town hall. He did not say how "
    "many staff would move there."
)
_DEMO_CHAT = (
    "Maya: are we still on for dinner tonight?\nLeo: yes, but can we make it 8 instead of 7? my train is late\n"
    "Maya: sure, I'll book the Thai place\nLeo: great, see you there"
)


def _demo(document: str, claims: Sequence[tuple[str, bool]]) -> tuple[str, str]:
    lines = "\n".join(f"{i}. {claim}" for i, (claim, _) in enumerate(claims, 1))
    question = f"<document>\n{document}\n</document>\n\nClaims:\n{lines}\n\n{_ASK}"
    answer = "\n".join(f"{i} {'Yes' if ok else 'No'}" for i, (_, ok) in enumerate(claims, 1))
    return question, answer


#: two worked examples of the kinds of edits a checker must catch (a number, a name's words, a negation,
#: an added detail, a swapped entity), written for this project, not taken from any dataset; one claim a
#: turn (``fewshot1`` when it was measured), they are the shipped prompts/score.txt's examples
_NEWS_CLAIMS = [
    ("The library will reopen in the autumn after a renovation that starts on June 3.", True),
    ("The renovation is budgeted at 2.4 million euros.", False),
    ("Tomas Berg said twelve staff would move to the town hall.", False),
    ("The renovation includes a new roof and a children's wing.", True),
    ("The culture office said the library would stay open during the work.", False),
]
_CHAT_CLAIMS = [
    ("Leo asks to move dinner to 8 because his train is late.", True),
    ("Maya will book an Italian restaurant.", False),
    ("Maya agrees to meet later.", True),
    ("Leo will drive to the restaurant.", False),
    ("Maya and Leo cancel their dinner.", False),
]
DEMOS = (_demo(_DEMO_NEWS, _NEWS_CLAIMS), _demo(_DEMO_CHAT, _CHAT_CLAIMS))
_DEMO_MEETING = (
    "Project Manager: Let's settle the remote's colour today. Marketing found that younger users prefer bright "
    "colours.\nMarketing: Yes, in our survey about two thirds of users under 35 picked yellow or orange.\n"
    "Industrial Designer: A bright case costs more, roughly a euro per unit, because of the coating.\n"
    "Project Manager: Then we go with yellow, and I'll check the budget before Friday."
)
_MEETING_CLAIMS = [
    ("The team chooses a yellow remote, and the project manager will check the budget.", True),
    ("The industrial designer reports that younger users prefer bright colours.", False),
    ("A bright case would lower the cost per unit.", False),
    ("Marketing's survey found that most users under 35 picked yellow or orange.", True),
    ("The team agrees to drop the coating to save money.", False),
]
_DEMO_ABSTRACT = (
    "We study how label noise affects small text classifiers. On three sentiment datasets, we show that "
    "training with a simple agreement filter removes most mislabeled examples and improves accuracy by up to "
    "4 points over standard training. The filter adds no parameters, but it doubles training time."
)
_ABSTRACT_CLAIMS = [
    ("A simple agreement filter improves accuracy on sentiment datasets by removing mislabeled examples.", True),
    ("The filter reduces training time.", False),
    ("The method improves accuracy by up to 4 points on every text classification task.", False),
    ("The paper proposes a filter that adds no parameters to the model.", True),
    ("The authors show that label noise has no effect on small classifiers.", False),
]
#: ``fewshot2``: the shipped ten turns, then ten more of the same form about a meeting and an abstract
#: (a speaker swapped, an antonym, an overgeneralisation, a paraphrase that holds), one claim a turn
DEMOS2 = tuple(
    _demo(doc, [claim])
    for doc, claims in ((_DEMO_NEWS, _NEWS_CLAIMS), (_DEMO_CHAT, _CHAT_CLAIMS), (_DEMO_MEETING, _MEETING_CLAIMS),
                        (_DEMO_ABSTRACT, _ABSTRACT_CLAIMS))
    for claim in claims
)

VARIANTS = {
    "shipped": Variant(""),  # prompts/score.txt as it is (see _template)
    "window": Variant("", window=1024),  # the same prompt, a long source cut to its closest chunks
    "plain": Variant(_DOCUMENT + _CLAIMS + _ASK),
    "fewshot": Variant(_DOCUMENT + _CLAIMS + _ASK, demos=DEMOS),
    "fewshot2": Variant(_DOCUMENT + _CLAIMS + _ASK, demos=DEMOS2),
    "negated": Variant(_DOCUMENT + _CLAIMS + "Does each claim contain any detail that the document does not "
                       "state, or states differently? Answer with one line per claim, in order: its number, then "
                       "Yes or No (for example: 1 No).", sign=-1.0),
    "passages": Variant(_DOCUMENT + "The passages of the document closest to the claim:\n{{passages}}\n\n"
                        + _CLAIMS + _ASK, passages=True),
    "empty": Variant(_DOCUMENT + _CLAIMS + _ASK, sign=-1.0, empty_document=True),
    "truefalse": Variant(_DOCUMENT + _CLAIMS + "Is each claim true according to the document? Answer with one "
                         "line per claim, in order: its number, then True or False (for example: 1 True).",
                         words=("true", "false")),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--files", nargs="+", default=FILES)
    parser.add_argument("--limit", type=int, default=240, help="the calibration benchmark's sample (seed 0)")
    parser.add_argument("--rows", type=int, default=100, help="the first N rows of each file's sample")
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=sorted(VARIANTS))
    parser.add_argument("--scores", default="results/calibration/scores",
                        help="the calibration benchmark's score caches (the shipped prompt, one a call)")  # fmt: skip
    parser.add_argument("--out", default="results/prompt-variants", help="variant log-odds, by file (resumable)")
    parser.add_argument("--no-collect", action="store_true", help="ask nothing: the rows already in --out")
    parser.add_argument("--write-scores", metavar="DIR",
                        help="also write each variant's log-odds (and shipped+variant) in the calibration cache's "
                             "layout, DIR/<variant>/<model>/<prompt version>-k1/<file>.jsonl, for "
                             "benchmarks/calibration.py --scores DIR/<variant> --no-collect")  # fmt: skip
    parser.add_argument("--window-tokens", type=int, default=1024,
                        help="the window variant: sources longer than this are cut to their two closest chunks")  # fmt: skip
    parser.add_argument("--skip-shipped", action="store_true",
                        help="without the calibration cache, do not ask the shipped prompt (half the calls; its "
                             "column and the sum read '-': compare with a published figure on the same rows)")  # fmt: skip
    parser.add_argument("--write-prompt", metavar="PATH",
                        help="write the (one) variant as a prompt file, e.g. a scratch copy's prompts/score.txt, "
                             "and ask nothing: how a variant is measured as the checker asks, by every benchmark")  # fmt: skip
    parser.add_argument("-m", "--model", default=config.LOCAL_MODEL)
    parser.add_argument("--base-url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.write_prompt:
        if len(args.variants) != 1:
            parser.error("--write-prompt writes one variant: name it with --variants")
        try:
            Path(args.write_prompt).write_text(prompt_file(args.variants[0]), encoding="utf-8")
        except (OSError, ValueError) as exc:
            print(f"prompt_variants: {exc}", file=sys.stderr)
            return 1
        print(f"{args.variants[0]} written to {args.write_prompt}")
        return 0
    VARIANTS["window"] = replace(VARIANTS["window"], window=args.window_tokens)
    settings = resolve_settings(args.model, args.base_url)
    version = load_prompt(PROMPT_NAME).version
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    print("| file | rows | variant | AUC shipped prompt | AUC variant | AUC sum | calls | s |")
    print("|---|---|---|---|---|---|---|---|")
    with llama_server.serving() if settings.local and not args.no_collect else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if base_url else settings)
        for name in args.files:
            cached = Path(args.scores) / settings.model / f"{version}-k1" / f"{name}.jsonl"
            rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=LIMITS.get(name, args.limit), seed=0)
            path = out_dir / f"{name}.jsonl"
            kept = _read(path)
            if cached.exists():
                shipped = calibrate.read_scores(cached)
                rows = [r for r in rows if shipped.get(r.id) is not None][: args.rows]
            else:  # no calibration cache: ask the shipped question here, on the same rows
                rows = rows[: args.rows]
                if not args.no_collect and not args.skip_shipped:
                    _collect(llm, "shipped", rows, kept, path, Usage())
                shipped = {r.id: kept.get((_key("shipped"), r.id)) for r in rows}
            alone = all(shipped.get(r.id) is None for r in rows)  # the shipped prompt not asked (--skip-shipped)
            for key in [k for k in args.variants if k != "shipped"]:
                usage, started = Usage(), time.perf_counter()
                if not args.no_collect:
                    _collect(llm, key, rows, kept, path, usage)
                done = [r for r in rows if kept.get((_key(key), r.id)) is not None and (alone or shipped.get(r.id) is not None)]
                labels = [r.label for r in done]
                variant = [float(kept[(_key(key), r.id)]) for r in done]  # type: ignore[arg-type]
                base = [] if alone else [float(shipped[r.id]) for r in done]  # type: ignore[arg-type]
                both = [a + b for a, b in zip(base, variant, strict=True)] if base else []
                cells = " | ".join(_pct(metrics.auc(v, labels)) if v else "-" for v in (base, variant, both))
                print(f"| {name} | {len(done)} | {key} | {cells} | {usage.calls} | {time.perf_counter() - started:.0f} |",
                      flush=True)  # fmt: skip
                if args.write_scores:
                    written = (("shipped", base), (key, variant), (f"shipped+{key}", both)) if base else ((key, variant),)
                    for label, values in written:
                        folder = Path(args.write_scores) / label / settings.model / f"{version}-k1"
                        folder.mkdir(parents=True, exist_ok=True)
                        (folder / f"{name}.jsonl").unlink(missing_ok=True)  # rewritten whole: derived from --out
                        calibrate.append_scores(folder / f"{name}.jsonl", dict(zip([r.id for r in done], values, strict=True)))
    return 0


def _pct(auc: float | None) -> str:
    return "-" if auc is None else f"{100 * auc:.1f}"


def _read(path: Path) -> dict[tuple[str, str], float | None]:
    if not path.exists():
        return {}
    kept: dict[tuple[str, str], float | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        kept[(d["v"], d["id"])] = d["logit"]
    return kept


def _collect(
    llm: LLM, key: str, rows: Sequence[evaluation.Row], kept: dict[tuple[str, str], float | None], path: Path,
    usage: Usage,
) -> None:  # fmt: skip
    """Each row's log-odds under variant ``key``, appended to ``path`` a row at a time (a document's rows
    together, so the server's prompt cache keeps its prefix)."""
    variant, template, saved_as = VARIANTS[key], _template(key), _key(key)
    with path.open("a", encoding="utf-8") as fh:
        for doc, group in evaluation.group_by_doc(r for r in rows if (saved_as, r.id) not in kept).items():
            document = document_from_text(doc)
            text = document.model_text
            source = SourceProfile(text)
            # what the checker shows: the whole source, or its closest chunks when it is too long for the
            # context (or, in the window variant, longer than --window-tokens)
            windows = _Windows(document, template, llm.settings.model, 1, limit=variant.window or None)
            asked: dict[str, float | None] = {}
            for row in group:
                fits = variant.window and len(windows.chunks) == 1
                whole = kept.get((_key("shipped"), row.id)) if fits else None
                if whole is not None:  # a source that fits is asked whole: the shipped question's answer
                    kept[(saved_as, row.id)] = whole
                else:
                    for unit in claim_units(row.claim):
                        if unit not in asked:
                            extra = {"passages": _passages(source, text, unit)} if variant.passages else {}
                            shown = "" if variant.empty_document else windows.render(windows.key(unit))
                            messages = template.render(shown,
                                                       claims="1. " + " ".join(unit.split()), **extra)  # fmt: skip
                            asked[unit] = _logit(llm.logprobs(messages, usage=usage, max_tokens=2), variant)
                    known = [v for v in (asked[u] for u in claim_units(row.claim)) if v is not None]
                    kept[(saved_as, row.id)] = min(known) if known else None
                fh.write(json.dumps({"v": saved_as, "id": row.id, "logit": kept[(saved_as, row.id)]}) + "\n")
                fh.flush()


def _template(key: str) -> PromptTemplate:
    """The shipped prompt as it is; any other variant: the shipped system prompt, the variant's worked
    examples as earlier turns, then its question."""
    shipped = load_prompt(PROMPT_NAME)
    if key in ("shipped", "window"):
        return shipped
    variant = VARIANTS[key]
    demos = tuple(turn for q, a in variant.demos for turn in (("user", q), ("assistant", a)))
    return PromptTemplate(name=key, version=key, sections=(shipped.sections[0], *demos, ("user", variant.user)))


def prompt_file(key: str) -> str:
    """Variant ``key`` as a prompt template file (comment lines, then its sections), for a variant asked
    as the shipped prompt is asked: the source whole, Yes/No read as support. Raises ``ValueError`` for the
    others (their question, answer words or source differ from what the checker can ask)."""
    variant = VARIANTS[key]
    if key in ("shipped", "window") or (variant.sign, variant.words) != (1.0, ("yes", "no")) or (
        variant.passages or variant.empty_document
    ):
        raise ValueError(f"the {key} variant is not asked as the checker asks: it cannot be its prompt file")
    head = (
        f"# The {key} variant of benchmarks/prompt_variants.py as a score prompt (--write-prompt): to measure it\n"
        "# as the checker asks, e.g. in a scratch copy of the repository. Not the shipped prompt.\n"
    )
    return head + "".join(f"@@ {role}\n{text}\n" for role, text in _template(key).sections)


def _key(key: str) -> str:
    """What a variant's rows are kept under in ``--out``: the shipped prompt's under its version (the
    window variant's with its size)."""
    version = load_prompt(PROMPT_NAME).version
    if key == "window":
        return f"window{VARIANTS[key].window}@{version}"
    return f"shipped@{version}" if key == "shipped" else key


def _passages(source: SourceProfile, text: str, claim: str) -> str:
    best = sorted(sid for _, sid in source.best_sentences(content_stems(claim), limit=2))
    lines = [" ".join(text[source.sentences[i].start : source.sentences[i].end].split()) for i in best]
    return "\n".join(f"- {line}" for line in lines) or "- (none)"


def _logit(answer: LogprobAnswer | None, variant: Variant) -> float | None:
    if answer is None:
        return None
    if variant.words == ("yes", "no"):
        logit = read_answers(answer, 1)[0]
    else:
        logit = _word_logit(answer, *variant.words)
    return None if logit is None else variant.sign * logit


def _word_logit(answer: LogprobAnswer, good: str, bad: str) -> float | None:
    """log P(good) - log P(bad) at the first answer token that is either word (as :func:`answer_logit`
    reads Yes/No: every spelling summed, a side absent from the top bounded by the least likely listed)."""
    for tok in answer.tokens or ():
        if tok.token.strip().lower() in (good, bad):
            top = tok.top or ((tok.token, tok.logprob),)
            mapped = [("yes" if t.strip().lower() == good else "no" if t.strip().lower() == bad else t, lp)
                      for t, lp in top]  # fmt: skip
            logit = answer_logit(mapped)
            return None if logit is None or not math.isfinite(logit) else logit
    return None


if __name__ == "__main__":
    raise SystemExit(main())
