"""The evaluation table: local checks alone, the model alone, hybrid, and the naive zero-shot prompt.

All four see the same rows (a label-stratified sample per dev file, fixed seed) and the model modes use
the same model, so the table shows what the tool adds on top of the model, honestly.

    .venv/bin/python benchmarks/eval_model.py --limit 40                      # local llama-server
    .venv/bin/python benchmarks/eval_model.py --limit 40 --data ../shared/eval --files summedits_samsum
    OPENAI_API_KEY=... .venv/bin/python benchmarks/eval_model.py -m gpt-4o-mini --limit 100

Writes one JSON report per (file, mode) and ``table.md`` to ``--out`` (default results/eval).
"""

from __future__ import annotations

import argparse
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

DEFAULT_FILES = ["summedits_samsum", "summedits_scitldr", "summedits_ectsum"]
MODES = ["floor", "local", "naive", "model", "hybrid"]


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
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    settings = resolve_settings(args.model, args.base_url)
    out = Path(args.out)
    reports = []
    with llama_server.serving() if settings.local else nullcontext() as base_url:
        llm = LLM(replace(settings, base_url=base_url) if settings.local and base_url else settings)
        for name in args.files:
            rows = evaluation.load_rows(Path(args.data) / f"{name}.jsonl", limit=args.limit, seed=args.seed)
            for mode in args.modes:
                if mode == "floor":
                    predictor = evaluation.floor_predictor()
                elif mode == "local":
                    predictor = evaluation.rules_predictor()
                elif mode == "naive":
                    predictor = evaluation.naive_predictor(llm)
                else:
                    predictor = evaluation.check_predictor(mode, llm)
                label = mode if mode in ("floor", "local") else f"{mode} ({settings.model})"
                report = evaluation.evaluate(rows, _robust(predictor), name=label, dataset=name)
                evaluation.save_report(report, out / f"{name}.{mode}.json")
                reports.append(report)
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
