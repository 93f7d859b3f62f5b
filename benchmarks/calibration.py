"""Calibrated checker: leave-one-domain-out figures on the labelled dev files, and the shipped profile.

For every dev file, the rows (all, or a label-stratified ``--limit`` sample, seed 0) are scored once by the
model (one short Yes/No answer per claim, its log-odds read from ``logprobs``) and the log-odds are kept in
``--scores`` (resumable: rerun to continue, nothing is asked twice). The local features are computed fresh
every run (zero tokens). Then, for each SummEdits domain, a profile is fitted on the other SummEdits domains
and applied to the held-out one; the other files (WiCE) are scored with the profile fitted on all SummEdits
domains, which is what ``--write-profile`` saves.

    .venv/bin/python benchmarks/calibration.py --data ../shared/eval --limit 300 \
        --write-profile summarizer/profiles/qwen2.5-coder-1.5b-instruct.json --out results/calibration

Prints one Markdown table per mode (hybrid, model, local): rows, AUC, balanced accuracy at the profile's
threshold and at the held-out file's own best threshold (chosen with its labels: an upper bound no
profile reaches, which tells a ranking short of the mark from a threshold in the wrong place), expected
calibration error (10 bins) and its floor (the ECE a perfectly calibrated checker would show on as many
claims with these probabilities: sampling noise), the share settled by rules and their precision; then
the AUC of the model's log-odds alone per file (raw, before any fit). Writes
``report.json`` and, with matplotlib installed, ``reliability.png`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import config, evaluation, llama_server
from summarizer.calibration import calibrate, metrics
from summarizer.calibration.profile import FittedOn, Profile, load_profile
from summarizer.llm.client import LLM
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline.scoring import PROMPT_NAME
from summarizer.settings import resolve_settings
from summarizer.text.documents import document_from_text
from summarizer.text.tokens import count_tokens
from summarizer.types import Usage

SUMMEDITS = [
    "summedits_podcast",
    "summedits_samsum",
    "summedits_scitldr",
    "summedits_qmsumm",
    "summedits_ectsum",
    "summedits_sales_call",
    "summedits_sales_email",
]
OTHERS = ["wice_claim_dev_binary"]
MODES = ("hybrid", "model", "local")

log = logging.getLogger("calibration")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/eval")
    parser.add_argument("--files", nargs="+", default=SUMMEDITS + OTHERS)
    parser.add_argument("--limit", type=int, help="label-stratified sample of each file (seed 0)")
    parser.add_argument("--limit-for", nargs=2, action="append", default=[], metavar=("FILE", "N"),
                        help="a different sample size for one file (e.g. wice_claim_dev_binary 60)")
    parser.add_argument("--full", nargs="*", default=[], help="files taken whole whatever --limit says")
    parser.add_argument("--scores", default="results/calibration/scores")
    parser.add_argument("--no-collect", action="store_true", help="use the saved log-odds only")
    parser.add_argument("--claims-per-call", type=int, default=config.SCORE_CLAIMS_PER_CALL)
    parser.add_argument("--temperature", action="store_true", help="temper each fit on held-out domains")
    parser.add_argument("--threshold", choices=config.CALIBRATION_THRESHOLD_RULES, default=config.CALIBRATION_THRESHOLD,
                        help="how each fit's decision threshold is chosen (default %(default)s)")  # fmt: skip
    parser.add_argument("--exclude", nargs="+", default=[], metavar="FEATURE",
                        help="fit without these features too (e.g. model_logit_yes)")  # fmt: skip
    parser.add_argument("--lexical", action="store_true",
                        help="also fit the lexical features, which the shipped profiles leave out "
                        "(config.CALIBRATION_EXCLUDED_FEATURES): how every figure before they were left out was made")  # fmt: skip
    parser.add_argument("-m", "--model")
    parser.add_argument("--base-url")
    parser.add_argument("--out", default="results/calibration")
    parser.add_argument("--write-profile", metavar="PATH", help="the profile fitted on every SummEdits file")
    parser.add_argument("--write-generic", metavar="PATH",
                        help="the generic profile: the same rules and local model, the model's own P(Yes)")
    parser.add_argument("--profile", metavar="PATH",
                        help="score every file with this profile instead of fitting one (no held-out fits): how a "
                             "shipped or older profile does on rows collected with its own prompt")  # fmt: skip
    parser.add_argument("--write-lodo", metavar="DIR",
                        help="each held-out profile as DIR/<file>.json (for benchmarks/eval_model.py --profiles)")
    args = parser.parse_args()
    if args.profile and (args.write_profile or args.write_generic or args.write_lodo):
        parser.error("--profile scores with a given profile; it fits none to write")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    settings = resolve_settings(args.model, args.base_url)
    version = load_prompt(PROMPT_NAME).version
    folder = Path(args.scores) / settings.model / f"{version}-k{args.claims_per_call}"
    folder.mkdir(parents=True, exist_ok=True)
    limits = {name: int(n) for name, n in args.limit_for}

    examples: dict[str, list[calibrate.Example]] = {}
    source_tokens: dict[str, int] = {}
    usage = Usage()
    started = time.perf_counter()
    needs_server = settings.local and not args.no_collect
    with llama_server.serving() if needs_server else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if base_url else settings)
        for name in args.files:
            limit = None if name in args.full else limits.get(name, args.limit)
            rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=limit, seed=0)
            examples[name] = _examples(name, rows, folder / f"{name}.jsonl", llm, args, usage)
            source_tokens |= _source_tokens(rows, settings.model)
    log.info("collected in %.0fs: %d calls, %d prompt + %d completion tokens", time.perf_counter() - started,
             usage.calls, usage.prompt_tokens, usage.completion_tokens)

    summedits = [n for n in args.files if n in SUMMEDITS]
    others = [n for n in args.files if n not in SUMMEDITS]
    fitted_on = [FittedOn(file=f"{n}.jsonl", rows=len(examples[n])) for n in summedits]
    per_mode: dict[str, list[dict[str, object]]] = {m: [] for m in MODES}
    pooled: dict[str, tuple[list[float], list[int]]] = {m: ([], []) for m in MODES}
    pooled_summedits: dict[str, tuple[list[float], list[int]]] = {m: ([], []) for m in MODES}
    fixed = load_profile(args.profile) if args.profile else None
    fits = fixed is not None or len(summedits) >= 2  # a held-out fit needs another SummEdits file
    if not fits:
        print("(one SummEdits file, no --profile: nothing to fit without it; its log-odds are kept, raw AUC below)")
    for held in summedits + others if fits else []:
        train = [ex for n in summedits if n != held for ex in examples[n]]
        try:
            profile = fixed or _fit(train, settings.model, version, fitted_on, args)
        except ValueError as exc:  # e.g. --no-collect and the other files' log-odds not collected
            raise SystemExit(f"calibration.py: no profile fitted without {held}: {exc}") from None
        if args.write_lodo:
            Path(args.write_lodo).mkdir(parents=True, exist_ok=True)
            held_out = profile.model_copy(update={"name": f"{settings.model} without {held}",
                                                  "notes": f"fitted with {held} held out"})  # fmt: skip
            (Path(args.write_lodo) / f"{held}.json").write_text(held_out.to_json(), encoding="utf-8")
        for mode in MODES:
            row = _score(held, examples[held], profile, mode)
            per_mode[mode].append(row)
            row_probs, row_labels = row.pop("_probs"), row.pop("_labels")
            for bucket in (pooled, pooled_summedits) if held in summedits else (pooled,):
                bucket[mode][0].extend(row_probs)  # type: ignore[arg-type]
                bucket[mode][1].extend(row_labels)  # type: ignore[arg-type]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scope = (f"every file scored with {args.profile}" if fixed
             else "held-out domains; WiCE with the profile fitted on all SummEdits domains")  # fmt: skip
    for mode in MODES if fits else ():
        print(f"\n### mode {mode} ({scope})\n")
        print(_table(per_mode[mode], pooled_summedits[mode]))
    raw = _raw_auc(examples)
    by_length = _raw_auc_by_length(examples, source_tokens)
    heads = " | ".join(f"{a + 1:,}-{b:,} tokens" if b else "longer" for a, b in _LENGTHS)
    print("\n### the model's log-odds alone (raw, before any fit), and by the source's length (rows: AUC)\n")
    print(f"| file | rows with log-odds | AUC | {heads} |\n|---|---|---|{'---|' * len(_LENGTHS)}")
    for name, (count, auc) in raw.items():
        cells = " | ".join(f"{n}: {_pct(a)}" for n, a in by_length[name])
        print(f"| {name} | {count} | {_pct(auc)} | {cells} |")
    report = {"model": settings.model, "prompt_version": version, "claims_per_call": args.claims_per_call,
              "modes": per_mode, "raw_auc": {n: auc for n, (_, auc) in raw.items()}}  # fmt: skip
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    try:
        if fits:
            evaluation.plot_reliability(
                {f"{m} (held out)": pooled[m] for m in MODES}, out / "reliability.png",
                title=f"Reliability, held-out domains ({settings.model})",
            )  # fmt: skip
            print(f"\nreliability diagram: {out / 'reliability.png'}")
    except ImportError:
        print("\n(matplotlib is not installed: no reliability diagram)")
    if args.write_profile:
        profile = _fit([ex for n in summedits for ex in examples[n]], settings.model, version, fitted_on, args)
        Path(args.write_profile).write_text(profile.to_json(), encoding="utf-8")
        print(f"profile fitted on {len(summedits)} files written to {args.write_profile}")
    if args.write_generic:
        profile = _fit([ex for n in summedits for ex in examples[n]], settings.model, version, fitted_on, args)
        generic = calibrate.generic_profile(profile)
        Path(args.write_generic).write_text(generic.to_json(), encoding="utf-8")
        print(f"generic profile written to {args.write_generic}")
    return 0


def _examples(
    name: str, rows: Sequence[evaluation.Row], path: Path, llm: LLM, args: argparse.Namespace, usage: Usage
) -> list[calibrate.Example]:
    """The file's examples; log-odds read from ``path`` where saved, asked of the model (and saved) else."""
    known = calibrate.read_scores(path)

    if any(r.id not in known for r in rows) and not args.no_collect:
        log.info("%s: scoring the rows without saved log-odds", name)
    out = calibrate.collect_examples(
        {name: rows}, None if args.no_collect else llm, claims_per_call=args.claims_per_call, usage=usage,
        known=known, on_scores=lambda found: calibrate.append_scores(path, found),
    )  # fmt: skip
    missing_rows = sum(ex.logit is None for ex in out)
    if missing_rows:
        log.info("%s: %d rows have no log-odds (left out of the fused model)", name, missing_rows)
    return out


def _raw_auc(examples: dict[str, list[calibrate.Example]]) -> dict[str, tuple[int, float | None]]:
    """Per file: how many rows have log-odds, and how well the log-odds alone rank them."""
    out: dict[str, tuple[int, float | None]] = {}
    for name, exs in examples.items():
        scored = [(ex.logit, ex.label) for ex in exs if ex.logit is not None]
        out[name] = (len(scored), metrics.auc([lo for lo, _ in scored], [la for _, la in scored]))
    return out


#: source lengths (tokens, (low, high]; 0: no bound) the raw AUC is also given for
_LENGTHS = ((0, 1024), (1024, 2048), (2048, 0))


def _source_tokens(rows: Sequence[evaluation.Row], model: str) -> dict[str, int]:
    """Each row's source length in tokens, as the model is shown it (page furniture blanked)."""
    counted: dict[str, int] = {}
    for row in rows:
        if row.doc not in counted:
            counted[row.doc] = count_tokens(document_from_text(row.doc).model_text, model)
    return {row.id: counted[row.doc] for row in rows}


def _raw_auc_by_length(
    examples: dict[str, list[calibrate.Example]], source_tokens: dict[str, int]
) -> dict[str, list[tuple[int, float | None]]]:
    """Per file and source length (:data:`_LENGTHS`): rows with log-odds, and their AUC."""
    out: dict[str, list[tuple[int, float | None]]] = {}
    for name, exs in examples.items():
        scored = [(ex.logit, ex.label, source_tokens[ex.id]) for ex in exs if ex.logit is not None]
        out[name] = []
        for low, high in _LENGTHS:
            inside = [(lo, la) for lo, la, n in scored if low < n <= (high or n)]
            out[name].append((len(inside), metrics.auc([lo for lo, _ in inside], [la for _, la in inside])))
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def _fit(
    train: list[calibrate.Example], model: str, version: str, fitted_on: list[FittedOn], args: argparse.Namespace
) -> Profile:
    return calibrate.fit_profile(
        train,
        name=model,
        models=[model],
        prompt_version=version,
        claims_per_call=args.claims_per_call,
        fitted_on=fitted_on,
        temperature=args.temperature,
        threshold=args.threshold,
        exclude=_excluded(args),
        notes="fitted by benchmarks/calibration.py on the SummEdits dev domains in ../shared/eval",
    )


def _excluded(args: argparse.Namespace) -> list[str]:
    """The features a fit leaves out: ``--exclude``'s, and the lexical ones unless ``--lexical``."""
    return [*args.exclude, *(() if args.lexical else config.CALIBRATION_EXCLUDED_FEATURES)]


def _score(name: str, examples: list[calibrate.Example], profile: Profile, mode: str) -> dict[str, object]:
    usable = [ex for ex in examples if mode == "local" or ex.logit is not None]
    decisions = [calibrate.apply_profile(profile, ex, mode=mode) for ex in usable]
    probs = [d.probability for d in decisions]
    labels = [ex.label for ex in usable]
    preds = [int(d.verdict == "supported") for d in decisions]
    settled = [(d, ex) for d, ex in zip(decisions, usable, strict=True) if d.scored_by == "rule"]
    right = sum((d.verdict == "supported") == (ex.label == 1) for d, ex in settled)
    auc = metrics.auc(probs, labels)
    # the best any threshold could do on this domain, chosen with its own labels: not reachable by a
    # profile that never saw them, but it says whether the ranking or the threshold is what falls short
    oracle = metrics.best_threshold([(probs, labels)])[1] if 0 < sum(labels) < len(labels) else None
    return {
        "file": name,
        "rows": len(usable),
        "auc": auc,
        "bacc": metrics.balanced_accuracy(labels, preds),
        "bacc_oracle": oracle,
        "ece": metrics.ece(probs, labels),
        "ece_floor": metrics.ece_floor(probs),
        "threshold": profile.local.threshold if mode == "local" else profile.fused.threshold,
        "settled": len(settled) / len(usable) if usable else 0.0,
        "settled_precision": right / len(settled) if settled else None,
        "_probs": probs,
        "_labels": labels,
    }


def _num(x: object) -> float:
    assert isinstance(x, (int, float)), x
    return float(x)


def _table(rows: list[dict[str, object]], pooled: tuple[list[float], list[int]]) -> str:
    def pct(x: object) -> str:
        return _pct(None if x is None else _num(x))

    lines = ["| file | rows | AUC | BAcc | BAcc, its own best threshold | ECE | ECE floor | threshold "
             "| settled by rules | their precision |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(
            f"| {r['file']} | {r['rows']} | {pct(r['auc'])} | {pct(r['bacc'])} | {pct(r['bacc_oracle'])} "
            f"| {_num(r['ece']):.3f} | {_num(r['ece_floor']):.3f} "
            f"| {_num(r['threshold']):.2f} | {pct(r['settled'])} | {pct(r['settled_precision'])} |"
        )
    summ = [r for r in rows if str(r["file"]).startswith("summedits_")]
    if summ:

        def mean(key: str) -> float:
            return sum(_num(r[key]) for r in summ if r[key] is not None) / len(summ)

        lines.append(f"| SummEdits mean | {sum(int(_num(r['rows'])) for r in summ)} | {pct(mean('auc'))} "
                     f"| {pct(mean('bacc'))} | {pct(mean('bacc_oracle'))} | {mean('ece'):.3f} | {mean('ece_floor'):.3f} "
                     "| | | |")  # fmt: skip
        probs, labels = pooled
        lines.append(f"| SummEdits pooled (every held-out claim) | {len(labels)} | {pct(metrics.auc(probs, labels))} "
                     f"| – | – | {metrics.ece(probs, labels):.3f} | {metrics.ece_floor(probs):.3f} | | | |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
