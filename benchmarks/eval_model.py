"""The evaluation table: every mode of the checker on the same rows, with the same model.

Modes: floor (the published lexical baseline), rules (the zero-token findings alone), local (the local
features, calibrated, zero tokens), naive (a zero-shot yes/no prompt), verdicts (findings, then the model's
JSON verdicts: the previous default), model (every claim scored from the model's Yes/No log-probabilities,
calibrated), hybrid (trusted findings, then the calibrated score: the default).

All see the same rows (a label-stratified sample per dev file, fixed seed). With ``--profiles DIR`` the
calibrated modes use ``DIR/<file>.json`` for each file: the profile fitted with that file's domain held out
(``benchmarks/calibration.py --write-lodo DIR``), so their figures are for a domain the profile never saw.

    .venv/bin/python benchmarks/eval_model.py --limit 24 --profiles results/calibration/lodo
    OPENAI_API_KEY=... .venv/bin/python benchmarks/eval_model.py -m gpt-4o-mini --limit 100

Writes one JSON report per (file, mode), its reliability diagram (PNG, with matplotlib), and ``table.md``
to ``--out`` (default results/eval).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import evaluation, llama_server
from summarizer.errors import SummarizerError
from summarizer.llm.client import LLM
from summarizer.settings import resolve_settings

DEFAULT_FILES = [
    "summedits_podcast", "summedits_samsum", "summedits_scitldr", "summedits_qmsumm", "summedits_ectsum",
    "summedits_sales_call", "summedits_sales_email",
]  # fmt: skip
MODES = ["floor", "rules", "local", "naive", "verdicts", "model", "hybrid"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "eval"))
    parser.add_argument("--files", nargs="+", default=DEFAULT_FILES)
    parser.add_argument("--modes", nargs="+", default=MODES, choices=MODES)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-m", "--model")
    parser.add_argument("--base-url")
    parser.add_argument("--out", default="results/eval")
    parser.add_argument("--profiles", metavar="DIR", help="held-out profiles: DIR/<file>.json per file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    settings = resolve_settings(args.model, args.base_url)
    out = Path(args.out)
    reports = []
    with llama_server.serving() if settings.local else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if settings.local and base_url else settings)
        for name in args.files:
            rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=args.limit, seed=args.seed)
            profile = None
            if args.profiles and (Path(args.profiles) / f"{name}.json").exists():
                profile = str(Path(args.profiles) / f"{name}.json")
            for mode in args.modes:
                if mode == "floor":
                    predictor = evaluation.floor_predictor()
                elif mode == "rules":
                    predictor = evaluation.rules_predictor()
                elif mode == "naive":
                    predictor = evaluation.naive_predictor(llm)
                elif mode == "verdicts":
                    predictor = evaluation.check_predictor("hybrid", llm, scorer="verdicts", profile=profile)
                elif mode == "local":
                    predictor = evaluation.check_predictor("local", None, profile=profile, model=llm.settings.model)
                else:
                    predictor = evaluation.check_predictor(mode, llm, profile=profile)
                label = mode if mode in ("floor", "rules", "local") else f"{mode} ({settings.model})"
                report = evaluation.evaluate(rows, _robust(predictor), name=label, dataset=name)
                report.profile = Path(profile).stem if profile and mode in ("local", "model", "hybrid") else None
                evaluation.save_report(report, out / f"{name}.{mode}.json")
                reports.append(report)
                scored = [r for r in report.predictions if r.probability is not None]
                if len(scored) == len(report.predictions):
                    with contextlib.suppress(SummarizerError):  # no matplotlib: no diagram
                        evaluation.plot_reliability(
                            {mode: ([r.probability or 0.0 for r in scored], [r.label for r in scored])},
                            out / f"{name}.{mode}.png", title=f"{name}, mode {mode}",
                        )  # fmt: skip
                logging.info(
                    "%s %s: BAcc %.1f in %.0fs", name, mode, 100 * report.balanced_accuracy, report.seconds
                )
                table = evaluation.format_table(reports)
                (out / "table.md").write_text(table + "\n", encoding="utf-8")
    print(evaluation.format_table(reports))
    return 0


def _robust(predictor: evaluation.Predictor) -> evaluation.Predictor:
    """A document whose model call fails is logged and predicted consistent (1), as a checker that
    could not decide; the run goes on."""

    def predict(doc: str, claims: list[str]) -> evaluation.DocPredictions:
        try:
            return evaluation._coerce(predictor(doc, claims), len(claims))
        except SummarizerError as exc:
            logging.warning("a document failed (%s): predicting 1 for its %d claim(s)", exc, len(claims))
            return evaluation.DocPredictions(
                [evaluation.Prediction(1, False, None, f"error: {exc}") for _ in claims]
            )

    return predict


if __name__ == "__main__":
    raise SystemExit(main())
