"""Evaluation harness: labelled (document, claim, label) rows in; balanced accuracy, ranking (AUC),
calibration (ECE, reliability bins) and costs out.

A *predictor* is any callable ``predict(doc, claims)`` that labels every claim about one document
(1 = consistent with it, 0 = not), optionally with a probability. It may return

* a list of ``(label, settled_locally)`` tuples, or of :class:`Prediction` objects, or
* a :class:`DocPredictions`, which also carries the model usage (calls and tokens) spent on the document.

:func:`evaluate` groups rows by document, so each document is read (and, for a local checker,
analysed) once, calls the predictor, and returns an :class:`EvalReport`. Two model-free predictors live
here: :func:`floor_predictor`, the published lexical baseline, and :func:`rules_predictor`, the
:mod:`summarizer.rules` checks. Model-backed and hybrid predictors plug in the same way.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeAlias

from .calibration import metrics
from .calibration.metrics import balanced_accuracy
from .errors import InputError
from .text.jsonl import jsonl_objects
from .types import Usage

__all__ = [
    "STANCE_BINARY",
    "STANCE_SUPPORTED_VS_REST",
    "DocPredictions",
    "EvalReport",
    "Prediction",
    "Predictor",
    "Row",
    "RowResult",
    "balanced_accuracy",
    "check_predictor",
    "evaluate",
    "floor_predictor",
    "format_table",
    "group_by_doc",
    "load_rows",
    "naive_predictor",
    "plot_reliability",
    "rules_predictor",
    "save_report",
]

logger = logging.getLogger(__name__)

#: Factcheck-GPT stances for the binary metric: supported vs refuted; the other stances are skipped.
STANCE_BINARY: dict[str, int] = {"completely-support": 1, "refute": 0}
#: Factcheck-GPT stances collapsed to "fully supported or not" (partial support and irrelevant
#: evidence count as not supported, as WiCE's binary labels do).
STANCE_SUPPORTED_VS_REST: dict[str, int] = {
    "completely-support": 1,
    "partially-support": 0,
    "refute": 0,
    "irrelevant": 0,
}


# --- data -----------------------------------------------------------------------------------------


@dataclass
class Row:
    """One labelled case: is ``claim`` consistent with ``doc``? (``label`` 1 = yes, 0 = no)."""

    doc: str
    claim: str
    label: int
    id: str
    extra: dict[str, Any] = field(default_factory=dict)


def _label(value: object) -> int:
    """A row's label: 0 or 1, as a JSON number, boolean or string ("1"); anything else is an error."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value in (0, 1):
        return value
    if isinstance(value, float) and value in (0.0, 1.0):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value)
    raise ValueError(f"label {value!r} is not 0 or 1")


def _row_from_json(obj: Mapping[str, Any], default_id: str, stance_map: Mapping[str, int]) -> Row | None:
    """A row from one JSON object (:func:`~summarizer.text.jsonl.jsonl_objects` refuses anything else);
    ValueError says what is wrong (:func:`load_rows` adds file and line)."""
    doc = obj.get("doc", obj.get("evidence", obj.get("source")))
    claim = obj.get("claim", obj.get("summary"))
    if not isinstance(doc, str) or not isinstance(claim, str):
        raise ValueError("no 'doc' (or 'evidence') and 'claim' text fields")
    if not doc.strip() or not claim.strip():
        raise ValueError(f"the {'document' if not doc.strip() else 'claim'} is empty")
    if "label" in obj:
        label = _label(obj["label"])
    elif "stance" in obj:
        mapped = stance_map.get(str(obj["stance"]))
        if mapped is None:
            return None
        label = mapped
    else:
        raise ValueError("no 'label' (1 = consistent, 0 = not) or 'stance'")
    rid = str(obj.get("id", default_id))
    extra = {
        k: v
        for k, v in obj.items()
        if k not in ("doc", "evidence", "source", "claim", "summary", "label", "id")
    }
    return Row(doc=doc, claim=claim, label=label, id=rid, extra=extra)


def _stratified_sample(rows: list[Row], limit: int, seed: int) -> list[Row]:
    """``limit`` rows drawn reproducibly, each label in proportion to its share; file order kept."""
    rng = random.Random(seed)
    by_label: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_label[row.label].append(i)
    labels = sorted(by_label)
    quotas = {lab: int(limit * len(by_label[lab]) / len(rows)) for lab in labels}
    # hand out what rounding down left over, largest remainder first
    remainders = sorted(
        labels, key=lambda lab: limit * len(by_label[lab]) / len(rows) - quotas[lab], reverse=True
    )
    for lab in remainders[: limit - sum(quotas.values())]:
        quotas[lab] += 1
    chosen: list[int] = []
    for lab in labels:
        chosen += rng.sample(by_label[lab], min(quotas[lab], len(by_label[lab])))
    return [rows[i] for i in sorted(chosen)]


def load_rows(
    path: str | Path,
    *,
    limit: int | None = None,
    seed: int = 0,
    stance_map: Mapping[str, int] = STANCE_BINARY,
    id_prefix: str | None = None,
) -> list[Row]:
    """Read a JSONL file of labelled rows.

    Each row needs a document (``doc``, or ``evidence`` as in Factcheck-GPT), a ``claim`` and either a
    ``label`` (1/0) or a ``stance`` mapped through ``stance_map`` (stances it lacks are skipped). Rows
    without ``id`` get ``<id_prefix>-<line number>`` (by default the file's stem); every other field goes
    to ``extra``. With ``limit`` smaller than the file, a label-stratified sample is drawn, the same one
    for the same ``seed`` (a ``limit`` below 1 is a ``ValueError``).

    A file that cannot be read, is not UTF-8 JSONL, or holds a row without the fields above raises
    :class:`~summarizer.errors.InputError` naming the file and the line (an empty document or claim too).
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1 (got {limit})")
    path = Path(path)
    rows: list[Row] = []
    skipped = 0
    for lineno, obj in jsonl_objects(path, "with doc, claim and label"):
        try:
            row = _row_from_json(obj, f"{id_prefix or path.stem}-{lineno}", stance_map)
        except ValueError as exc:
            raise InputError(f"{path}: line {lineno}: {exc}") from None
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    if not rows:
        unmapped = f" ({skipped} with stances not in the label map)" if skipped else ""
        raise InputError(f"{path}: no labelled rows{unmapped}")
    if skipped:
        logger.info("%s: skipped %d rows whose stance is not in the label map", path.name, skipped)
    if limit is not None and limit < len(rows):
        rows = _stratified_sample(rows, limit, seed)
    return rows


def group_by_doc(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Rows keyed by their document text, in first-seen order."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.doc, []).append(row)
    return groups


# --- predictors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """A predictor's answer for one claim."""

    label: int
    """1 = consistent with the document, 0 = not."""
    settled_locally: bool = False
    """True when no model was asked (the local checker decided)."""
    verdict: str | None = None
    """Finer verdict when known, e.g. ``supported`` / ``contradicted`` / ``not_in_source``."""
    reason: str = ""
    probability: float | None = None
    """The predictor's probability that the claim is consistent, when it gives one (for AUC and
    calibration)."""


@dataclass
class DocPredictions:
    """A predictor's answers for all claims about one document, and what they cost."""

    predictions: list[Prediction]
    usage: Usage = field(default_factory=Usage)


PredictorOutput: TypeAlias = "DocPredictions | Sequence[Prediction | tuple[int, bool]]"


class Predictor(Protocol):
    """Labels every claim about one document."""

    def __call__(
        self, doc: str, claims: list[str], /
    ) -> DocPredictions | Sequence[Prediction | tuple[int, bool]]: ...


def _coerce(output: DocPredictions | Sequence[Prediction | tuple[int, bool]], n: int) -> DocPredictions:
    if isinstance(output, DocPredictions):
        result = output
    else:
        preds = [p if isinstance(p, Prediction) else Prediction(int(p[0]), bool(p[1])) for p in output]
        result = DocPredictions(preds)
    if len(result.predictions) != n:
        raise ValueError(f"predictor returned {len(result.predictions)} predictions for {n} claims")
    return result


def rules_predictor(*, undecided_label: int = 1) -> Predictor:
    """Mode "rules": :class:`~summarizer.rules.checker.LocalChecker`'s decisive findings alone, no model.

    A decided ``supported`` is 1, ``contradicted`` / ``not_in_source`` are 0; an undecided claim gets
    ``undecided_label`` (1: what a checker without a model can do is only to flag).
    """
    from .rules.checker import LocalChecker

    def predict(doc: str, claims: list[str]) -> DocPredictions:
        checker = LocalChecker(doc)
        out: list[Prediction] = []
        for claim in claims:
            res = checker.check(claim)
            if res.verdict is None:
                out.append(Prediction(undecided_label, False, None, res.reason))
            else:
                out.append(Prediction(int(res.verdict == "supported"), True, res.verdict, res.reason))
        return DocPredictions(out)

    return predict


_FLOOR_TOKEN = re.compile(r"\d+|[A-Za-z]+")


def floor_predictor() -> Predictor:
    """The published lexical floor: 0 when the claim holds a number or a capitalised word that the
    document does not contain (case-insensitive substring test), else 1. Its flags count as settled
    locally, its default 1 does not (so its "precision settled" is the precision of its flags)."""

    def predict(doc: str, claims: list[str]) -> DocPredictions:
        low = doc.lower()
        out: list[Prediction] = []
        for claim in claims:
            missing = [
                t
                for t in _FLOOR_TOKEN.findall(claim)
                if (t[0].isdigit() or t[0].isupper()) and t.lower() not in low
            ]
            reason = f"not in the document: {', '.join(missing[:5])}" if missing else ""
            out.append(
                Prediction(0 if missing else 1, bool(missing), "not_in_source" if missing else None, reason)
            )
        return DocPredictions(out)

    return predict


# --- metrics and the report -----------------------------------------------------------------------


def _recall(labels: Sequence[int], preds: Sequence[int], cls: int) -> float | None:
    hits = [p == cls for y, p in zip(labels, preds, strict=False) if y == cls]
    return sum(hits) / len(hits) if hits else None


@dataclass
class RowResult:
    id: str
    label: int
    pred: int
    settled_locally: bool
    verdict: str | None = None
    reason: str = ""
    probability: float | None = None


@dataclass
class EvalReport:
    """Balanced accuracy, cost and time of one predictor on one set of rows."""

    n: int
    balanced_accuracy: float
    recall_pos: float | None
    recall_neg: float | None
    calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    settled_locally: float
    """Share of rows answered without a model."""
    settled_precision: float | None
    """Share of the locally settled answers that are right (None when none were settled)."""
    predictions: list[RowResult]
    name: str = ""
    dataset: str = ""
    cost_usd: float | None = None
    auc: float | None = None
    """Area under the ROC curve of the probabilities (None when the predictor gives none)."""
    ece: float | None = None
    """Expected calibration error of the probabilities, 10 equal-width bins."""
    reliability: list[dict[str, float | int | None]] = field(default_factory=list)
    """The 10 bins: lower, upper, count, mean probability, observed rate of consistent claims."""
    threshold: float | None = None
    """The decision threshold the profile set (calibrated modes)."""
    profile: str | None = None

    @property
    def claims_per_second(self) -> float | None:
        return self.n / self.seconds if self.seconds else None

    @property
    def n_pos(self) -> int:
        return sum(r.label == 1 for r in self.predictions)

    @property
    def n_neg(self) -> int:
        return sum(r.label == 0 for r in self.predictions)

    def by_verdict(self) -> dict[str, dict[str, int]]:
        """For each verdict (``undecided`` when none): how many rows, how many right."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for r in self.predictions:
            key = r.verdict or "undecided"
            counts[key]["n"] += 1
            counts[key]["correct"] += int(r.pred == r.label)
        return {k: dict(v) for k, v in sorted(counts.items())}

    def to_dict(self, *, with_predictions: bool = True) -> dict[str, Any]:
        out = asdict(self)
        out["n_pos"] = self.n_pos
        out["n_neg"] = self.n_neg
        out["by_verdict"] = self.by_verdict()
        out["claims_per_second"] = self.claims_per_second
        if not with_predictions:
            out.pop("predictions")
        return out


def evaluate(
    rows: Sequence[Row],
    predict: Predictor | Callable[[str, list[str]], Any],
    *,
    name: str = "",
    dataset: str = "",
    on_document: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Run ``predict`` once per document over ``rows`` and score it.

    ``on_document(done, total)`` is called after each document (for progress display).
    """
    groups = group_by_doc(rows)
    usage = Usage()
    cost: float | None = None
    results: dict[int, RowResult] = {}
    position = {id(row): i for i, row in enumerate(rows)}
    started = time.perf_counter()
    for done, (doc, group) in enumerate(groups.items(), start=1):
        output = _coerce(predict(doc, [r.claim for r in group]), len(group))
        usage.calls += output.usage.calls
        usage.prompt_tokens += output.usage.prompt_tokens
        usage.completion_tokens += output.usage.completion_tokens
        if output.usage.cost_usd is not None:
            cost = (cost or 0.0) + output.usage.cost_usd
        for row, p in zip(group, output.predictions, strict=False):
            if p.label not in (0, 1):
                raise ValueError(f"row {row.id}: predicted label {p.label!r} is not 0 or 1")
            results[position[id(row)]] = RowResult(
                row.id, row.label, p.label, p.settled_locally, p.verdict, p.reason, p.probability
            )
        if on_document is not None:
            on_document(done, len(groups))
    seconds = time.perf_counter() - started
    ordered = [results[i] for i in range(len(rows))]
    labels = [r.label for r in ordered]
    preds = [r.pred for r in ordered]
    settled = [r for r in ordered if r.settled_locally]
    scored = [r for r in ordered if r.probability is not None]
    probs, scored_labels = [r.probability or 0.0 for r in scored], [r.label for r in scored]
    whole = bool(ordered) and len(scored) == len(ordered)
    return EvalReport(
        n=len(ordered),
        balanced_accuracy=balanced_accuracy(labels, preds) if ordered else 0.0,
        recall_pos=_recall(labels, preds, 1),
        recall_neg=_recall(labels, preds, 0),
        calls=usage.calls,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        seconds=round(seconds, 3),
        settled_locally=len(settled) / len(ordered) if ordered else 0.0,
        settled_precision=sum(r.pred == r.label for r in settled) / len(settled) if settled else None,
        predictions=ordered,
        name=name,
        dataset=dataset,
        cost_usd=cost,
        auc=metrics.auc(probs, scored_labels) if whole else None,
        ece=round(metrics.ece(probs, scored_labels), 4) if whole else None,
        reliability=[asdict(b) for b in metrics.reliability_bins(probs, scored_labels)] if whole else [],
    )


def check_predictor(
    mode: str, llm: Any, *, scorer: str = "logprobs", profile: Any = None, model: str | None = None
) -> Predictor:
    """The :func:`summarizer.check` pipeline, one document at a time, in ``mode`` (hybrid, model, local)
    with ``scorer`` (logprobs, verdicts) and ``profile`` (a profile or its path; default: the model's;
    ``model`` names the model whose profile mode ``local`` uses when ``llm`` is None).

    A claim is predicted consistent (1) when its verdict is ``supported``; its probability is the
    calibrated one (None with JSON verdicts). Claims a local finding settles never reach the model
    (``settled_locally``).
    """
    from .pipeline.checking import check

    def predict(doc: str, claims: list[str]) -> DocPredictions:
        report = check(doc, claims, mode=mode, scorer=scorer, profile=profile, llm=llm, model=model)  # type: ignore[arg-type]
        preds = [
            Prediction(
                int(c.verdict == "supported"),
                c.scored_by == "rule" or (c.scored_by is None and c.decided_by == "local"),
                c.verdict,
                c.reason,
                c.probability,
            )
            for c in report.claims
        ]
        return DocPredictions(preds, report.usage)

    return predict


def naive_predictor(llm: Any) -> Predictor:
    """Mode "naive": the zero-shot yes/no question of the SummEdits paper's style, one call per claim,
    with the same model: the baseline that shows what the tool adds on top of the model."""
    from .llm.prompts import load_prompt

    prompt = load_prompt("naive_consistency")

    def predict(doc: str, claims: list[str]) -> DocPredictions:
        usage = Usage()
        preds = []
        for claim in claims:
            answer = llm.text(prompt.render(doc, claims=claim), usage=usage, max_tokens=4)
            label = 1 if answer.strip().lower().lstrip("\"'*").startswith("yes") else 0
            preds.append(Prediction(label, False, None, answer.strip()[:40]))
        return DocPredictions(preds, usage)

    return predict


def save_report(report: EvalReport, path: str | Path, *, with_predictions: bool = True) -> Path:
    """Write ``report`` as JSON (parent folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report.to_dict(with_predictions=with_predictions), indent=2) + "\n", encoding="utf-8"
    )
    return path


def format_table(reports: Sequence[EvalReport]) -> str:
    """A Markdown table of reports: one row per (dataset, predictor)."""
    lines = [
        "| dataset | predictor | n | BAcc | AUC | ECE | recall+ | recall- | settled locally | precision settled "
        "| calls | prompt tokens | completion tokens | s | claims/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}"

    for r in reports:
        ece = "-" if r.ece is None else f"{r.ece:.3f}"
        rate = "-" if r.claims_per_second is None else f"{r.claims_per_second:.2f}"
        lines.append(
            f"| {r.dataset} | {r.name} | {r.n} | {pct(r.balanced_accuracy)} | {pct(r.auc)} | {ece} "
            f"| {pct(r.recall_pos)} | {pct(r.recall_neg)} | {pct(r.settled_locally)} | {pct(r.settled_precision)} "
            f"| {r.calls} | {r.prompt_tokens} | {r.completion_tokens} | {r.seconds:.1f} | {rate} |"
        )
    return "\n".join(lines)


def plot_reliability(
    series: Mapping[str, tuple[Sequence[float], Sequence[int]]], path: str | Path, *, title: str = ""
) -> Path:
    """A reliability diagram (predicted probability against observed rate, 10 bins, with the count of each
    bin) of each named series of ``(probabilities, labels)``, written as a PNG. Needs matplotlib
    (``pip install 'summarizer[plot]'``): raises :class:`~summarizer.errors.MissingDependencyError`."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        from .errors import MissingDependencyError

        raise MissingDependencyError(
            f"a reliability diagram needs matplotlib ({exc}): python -m pip install 'summarizer[plot]'"
        ) from None
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(6, 7), gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    for name, (probs, labels) in series.items():
        bins = [b for b in metrics.reliability_bins(probs, labels) if b.count]
        err = metrics.ece(probs, labels) if probs else 0.0
        ax.plot([b.mean_prob for b in bins], [b.frequency for b in bins], marker="o",
                label=f"{name} (ECE {err:.3f}, n={len(probs)})")  # fmt: skip
        hist.bar([(b.lower + b.upper) / 2 for b in bins], [b.count for b in bins], width=0.09, alpha=0.5,
                 label=name)  # fmt: skip
    ax.set_ylabel("observed share supported")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title or "Reliability diagram")
    hist.set_xlabel("predicted probability that the claim is supported")
    hist.set_ylabel("claims")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
