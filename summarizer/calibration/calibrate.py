"""Fitting a calibration profile from labelled rows, and applying one to rows for evaluation.

The labelled claims (:class:`~summarizer.calibration.examples.Example`, and the files that keep them) are
:mod:`summarizer.calibration.examples`'; their names are re-exported here. Collecting the examples costs
model calls (:func:`collect_examples`); fitting and applying cost none, so a profile can be refitted, and
domains held out, from examples saved once (:func:`save_examples`, :func:`load_examples`).
:func:`calibrate_rows` checks what it can before its first call (:func:`check_calibration`: both labels,
unique row ids, the saved examples and log-odds readable, their files writable); :func:`load_datasets`
names each labelled file's domain so that two files never become one (:func:`dataset_domains`).

:func:`fit_profile`:

* rules: for each kind of decisive finding, how often its verdict was right; it settles claims when right
  at least ``config.RULE_MIN_PRECISION`` of at least ``config.RULE_MIN_SEEN`` times (a claim standing
  verbatim in the source settles unless the data shows otherwise: it is supported by construction);
* ``fused``: logistic regression of the label on the local features and the model's log-odds
  (``model_logit``, and its hinge ``model_logit_yes``: :func:`~summarizer.rules.features.model_features`);
* ``local``: the same on the local features alone;
* with ``temperature=True``, a temperature for each, from the fitting domains held out one at a time
  (:func:`_held_out_temperature`), for probabilities that stay honest on a domain the fit never saw (it
  helped one setting and hurt another on SummEdits: docs/calibration.md);
* thresholds (:func:`_threshold`): for each, by default the one that maximises the mean balanced
  accuracy over the fitting domains of the final decisions (settled claims included), so no domain
  counts more for having more rows ("best"), or the share of supported claims among the examples it
  was fitted on ("rate": where a calibrated probability's pooled balanced accuracy is best in
  expectation).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import InputError
from ..llm.client import LLM
from ..rules.checker import RULE_VERDICTS
from ..rules.features import FUSED_FEATURES, LOCAL_FEATURES, MODEL_FEATURE, model_features
from ..types import Usage

if TYPE_CHECKING:
    from ..evaluation import Row
    from .holdout import DomainFigures
from .decide import Decision, decide, settle
from .examples import (
    Example,
    append_scores,
    examples_for_document,
    load_examples,
    read_scores,
    save_examples,
    scores_path,
)
from .fit import fit_logistic
from .metrics import best_threshold
from .profile import FittedOn, Logistic, Profile, RuleStat, sigmoid

log = logging.getLogger(__name__)

__all__ = [
    "Calibration",
    "Example",
    "append_scores",
    "apply_profile",
    "calibrate_rows",
    "check_calibration",
    "collect_examples",
    "dataset_domains",
    "examples_for_document",
    "fit_profile",
    "generic_profile",
    "load_datasets",
    "load_examples",
    "read_scores",
    "save_examples",
    "score_documents",
    "scores_path",
]


def _rule_stats(examples: Iterable[Example]) -> dict[str, RuleStat]:
    seen: dict[str, list[int]] = {}
    for ex in examples:
        for kind in ex.findings:
            right = int((ex.label == 1) == (RULE_VERDICTS[kind] == "supported"))
            seen.setdefault(kind, []).append(right)
    stats = {}
    for kind in RULE_VERDICTS:
        rights = seen.get(kind, [])
        n, k = len(rights), sum(rights)
        # too few cases to measure: only a claim standing word for word in the source settles
        settles = k / n >= config.RULE_MIN_PRECISION if n >= config.RULE_MIN_SEEN else kind == "verbatim"
        stats[kind] = RuleStat(verdict=RULE_VERDICTS[kind], right=k, seen=n, settles=settles)
    return stats


def _fit(
    examples: Sequence[Example], features: Sequence[str], l2: float
) -> tuple[dict[str, float], float]:
    rows = [_inputs(ex) for ex in examples]
    return fit_logistic(rows, [ex.label for ex in examples], features, l2=l2)


def _threshold(
    examples: Sequence[Example],
    probability: Callable[[Example], float],
    settled: Callable[[Example], Decision | None],
    rule: str,
) -> float:
    """The decision threshold by ``rule`` (``config.CALIBRATION_THRESHOLD_RULES``).

    "rate": the share r of supported claims in ``examples``, settled ones included. Balanced accuracy
    weighs a supported claim 1/r and an unsupported one 1/(1 - r), so calling a claim of calibrated
    probability p supported gains in expectation exactly when p/r > (1 - p)/(1 - r), that is p > r,
    whatever the rules settled (a logistic fit keeps its data's rate, so its probabilities are calibrated
    there). No search over decisions: the threshold does not move with the few claims near a cut.
    "best": the threshold that maximises the mean balanced accuracy over the domains of the final
    decisions, settled claims included: the figure a profile is judged by on a domain it never saw,
    where its probabilities are not calibrated and the rate's argument does not hold."""
    if rule == "rate":
        share = sum(ex.label for ex in examples) / len(examples)
        return round(min(0.99, max(0.01, share)), 3)
    groups: dict[str, tuple[list[float], list[int]]] = {}
    for ex in examples:
        decision = settled(ex)
        p = decision.probability if decision is not None else probability(ex)
        probs, labels = groups.setdefault(ex.domain, ([], []))
        probs.append(p)
        labels.append(ex.label)
    usable = [(p, y) for p, y in groups.values() if len(set(y)) == 2]
    return best_threshold(usable or list(groups.values()))[0]


def _inputs(ex: Example) -> dict[str, float]:
    return {**ex.features, **model_features(ex.logit)} if ex.logit is not None else dict(ex.features)


def _held_out_temperature(
    examples: Sequence[Example], features: Sequence[str], l2: float, settled: Callable[[Example], Decision | None]
) -> float:
    """The temperature that makes the fit's probabilities honest on a domain it never saw.

    Each fitting domain is held out in turn: the logistic model is fitted on the others and its log-odds
    on the held-out domain kept. The temperature (from ``config.CALIBRATION_TEMPERATURES``) is the one
    whose final probabilities (settled claims at their rule's confidence) have the lowest log loss,
    averaged over the held-out domains (a proper scoring rule: it rewards honest probabilities, where
    minimising the binned calibration error would reward squashing them all towards the base rate); ties
    go to the one closest to 1. With fewer than three domains there is nothing to hold out against: 1."""
    domains = list(dict.fromkeys(ex.domain for ex in examples))
    if len(domains) < 3:
        return 1.0
    held: list[list[tuple[float | None, float, int]]] = []
    for domain in domains:
        train = [ex for ex in examples if ex.domain != domain]
        test = [ex for ex in examples if ex.domain == domain]
        if len({ex.label for ex in train}) < 2:
            continue
        weights, bias = _fit(train, features, l2)
        model = Logistic(weights=weights, bias=bias, threshold=0.5)
        rows = []
        for ex in test:
            decision = settled(ex)
            rows.append((decision.probability if decision else None, model.log_odds(_inputs(ex)), ex.label))
        held.append(rows)
    if not held:
        return 1.0

    def mean_log_loss(t: float) -> float:
        total = 0.0
        for rows in held:
            loss = 0.0
            for settled_p, z, label in rows:
                p = min(1 - 1e-6, max(1e-6, settled_p if settled_p is not None else sigmoid(z / t)))
                loss -= math.log(p if label else 1.0 - p)
            total += loss / len(rows)
        return total / len(held)

    return min(config.CALIBRATION_TEMPERATURES, key=lambda t: (round(mean_log_loss(t), 9), abs(t - 1.0)))


def fit_profile(
    examples: Sequence[Example],
    *,
    name: str,
    models: Sequence[str],
    prompt_version: str | None,
    claims_per_call: int,
    fitted_on: Sequence[FittedOn] = (),
    l2: float = config.CALIBRATION_L2,
    temperature: bool = False,
    exclude: Collection[str] = config.CALIBRATION_EXCLUDED_FEATURES,
    threshold: str = config.CALIBRATION_THRESHOLD,
    notes: str = "",
) -> Profile:
    """A profile fitted on ``examples`` (those with a log-odds fit the fused model; all fit the local one);
    ``temperature``: temper each model on held-out domains (:func:`_held_out_temperature`); ``exclude``:
    features left out of both models (by default the lexical ones, whose SummEdits weights do not carry to
    real claims: ``config.CALIBRATION_EXCLUDED_FEATURES``; ``()`` fits every feature); ``threshold``: how
    the decision thresholds are chosen (:func:`_threshold`).

    Raises ``ValueError`` when the examples lack a class, when none has a log-odds, when ``exclude``
    names no feature, or when ``threshold`` names no rule."""
    if threshold not in config.CALIBRATION_THRESHOLD_RULES:
        raise ValueError(f"no such threshold rule: {threshold!r} (one of {', '.join(config.CALIBRATION_THRESHOLD_RULES)})")
    scored = [ex for ex in examples if ex.logit is not None]
    if not scored:
        raise ValueError("no example has the model's log-odds: nothing to fit the fused model on")
    unknown = set(exclude) - set(FUSED_FEATURES)
    if unknown:
        raise ValueError(f"no such feature to exclude: {', '.join(sorted(unknown))}")
    fused_features = [f for f in FUSED_FEATURES if f not in exclude]
    local_features = [f for f in LOCAL_FEATURES if f not in exclude]
    rules = _rule_stats(examples)
    fused_w, fused_b = _fit(scored, fused_features, l2)
    local_w, local_b = _fit(examples, local_features, l2)
    draft = Profile(
        name=name,
        models=list(models),
        prompt_version=prompt_version,
        claims_per_call=claims_per_call,
        fused=Logistic(weights=fused_w, bias=fused_b, threshold=0.5),
        local=Logistic(weights=local_w, bias=local_b, threshold=0.5),
        rules=rules,
        fitted_on=list(fitted_on),
        notes=notes,
        created_at=datetime.now(timezone.utc),
    )

    def settled(ex: Example) -> Decision | None:
        return settle(draft, ex.local_result(), ex.features)

    fused, local = draft.fused, draft.local
    if temperature:
        fused = fused.model_copy(update={"temperature": _held_out_temperature(scored, fused_features, l2, settled)})
        local = local.model_copy(update={"temperature": _held_out_temperature(examples, local_features, l2, settled)})
    fused_t = _threshold(scored, lambda ex: fused.probability(_inputs(ex)), settled, threshold)
    local_t = _threshold(examples, lambda ex: local.probability(ex.features), settled, threshold)
    return draft.model_copy(
        update={
            "fused": fused.model_copy(update={"threshold": fused_t}),
            "local": local.model_copy(update={"threshold": local_t}),
        }
    )


def apply_profile(profile: Profile, example: Example, *, mode: str = "hybrid") -> Decision:
    """The decision ``check`` would reach for ``example`` under ``profile``.

    ``mode``: ``hybrid`` (trusted findings settle, the rest scored with the model's log-odds), ``model``
    (every claim scored with the log-odds), ``local`` (trusted findings settle, the rest from the local
    features alone)."""
    local = example.local_result()
    if mode != "model":
        settled = settle(profile, local, example.features)
        if settled is not None:
            return settled
    logit = None if mode == "local" else example.logit
    return decide(profile, local, example.features, logit)


def score_documents(
    llm: LLM,
    groups: Iterable[tuple[str, list[tuple[str, str]]]],
    *,
    claims_per_call: int,
    usage: Usage,
    on_document: Callable[[dict[str, float | None]], None] | None = None,
) -> dict[str, float | None]:
    """The model's log-odds for every claim — ``groups``: (document, [(id, claim), ...]) — by id.

    Every claim is scored (no claim is settled first), so the examples fit every mode. Each claim is asked
    as ``check`` asks a summary: with ``claims_per_call`` > 1, its own sentences share a call, never another
    row's (a labelled set holds several edited variants of one sentence; listed together, the model would
    compare them, which no real check does, and the figures would flatter the setting). With one claim
    sentence a call a sentence repeated across rows is asked once (the same prompt: the same answer).
    ``on_document`` receives each document's log-odds as soon as they are known (to save them as they
    come). Raises :class:`~summarizer.errors.ConfigError` when the server returns no log-probabilities."""
    from ..errors import ConfigError
    from ..pipeline.scoring import score_claims
    from ..text.documents import document_from_text

    out: dict[str, float | None] = {}
    for doc, claims in groups:
        document = document_from_text(doc)
        texts = [c for _, c in claims]
        asks = [texts] if claims_per_call == 1 else [[t] for t in texts]
        logits: list[float | None] = []
        for batch in asks:
            answered = score_claims(llm, document, batch, usage, claims_per_call=claims_per_call)
            if answered is None:
                raise ConfigError(
                    f"{llm.settings.model} at {llm.settings.endpoint} returns no log-probabilities: "
                    "a profile cannot be fitted for it (its checks use JSON verdicts)"
                )
            logits.extend(answered)
        found = {rid: logit for (rid, _), logit in zip(claims, logits, strict=True)}
        out.update(found)
        if on_document is not None:
            on_document(found)
    return out


def collect_examples(
    rows_by_domain: Mapping[str, Sequence[Row]],
    llm: LLM | None,
    *,
    claims_per_call: int,
    usage: Usage,
    known: Mapping[str, float | None] | None = None,
    on_scores: Callable[[dict[str, float | None]], None] | None = None,
) -> list[Example]:
    """Examples for labelled rows, grouped by domain: local features always; the model's log-odds from
    ``known`` (by row id) or, for the rest, asked of ``llm`` (None: no model, the rest have none).

    ``on_scores`` receives each document's new log-odds as they come (to save them)."""
    from ..evaluation import group_by_doc

    known = dict(known or {})
    out: list[Example] = []
    for domain, rows in rows_by_domain.items():
        groups = group_by_doc(rows)
        missing = [
            (doc, [(r.id, r.claim) for r in group if r.id not in known])
            for doc, group in groups.items()
            if any(r.id not in known for r in group)
        ]
        if missing and llm is not None:
            known |= score_documents(llm, missing, claims_per_call=claims_per_call, usage=usage, on_document=on_scores)
        for doc, group in groups.items():
            for ex in examples_for_document(doc, [(r.id, r.claim, r.label) for r in group], domain):
                ex.logit = known.get(ex.id)
                out.append(ex)
    return out


@dataclass
class Calibration:
    """A fitted profile, how it does on the rows it was fitted on (in-sample, which flatters), and, when
    asked (``calibrate_rows(hold_out=True)``), on each domain held out of the fit
    (:func:`~summarizer.calibration.holdout.hold_out`)."""

    profile: Profile
    examples: list[Example]
    usage: Usage
    held_out: list[DomainFigures] = field(default_factory=list)

    def summary(self) -> str:
        """One line per domain (rows, AUC, balanced accuracy at the threshold, ECE), the rules, the usage, and
        one line per domain held out when it was."""
        from .holdout import domain_figures

        lines = [f"profile {self.profile.name!r}: supported from p >= {self.profile.fused.threshold:.2f} "
                 f"(local features alone: {self.profile.local.threshold:.2f}); in-sample figures:"]  # fmt: skip
        for domain in dict.fromkeys(ex.domain for ex in self.examples):
            f = domain_figures(self.profile, domain, self.examples)
            if f is not None:
                lines.append(
                    f"  {domain}: {f.rows} rows, AUC {'-' if f.auc is None else f'{f.auc:.3f}'}, "
                    f"BAcc {f.balanced_accuracy:.3f}, ECE {f.ece:.3f}"
                )
        settles = [k for k, r in self.profile.rules.items() if r.settles]
        lines.append(f"  settle with no call: {', '.join(settles) or 'none'}")
        u = self.usage
        lines.append(f"  {u.calls} calls, {u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens")
        if self.held_out:
            lines.append("each file held out, scored by the profile fitted on the others (what a kind of text it never saw can expect):")
            for h in self.held_out:
                lines.append(
                    f"  {h.domain}: {h.rows} rows, AUC {'-' if h.auc is None else f'{h.auc:.3f}'}, "
                    f"BAcc {h.balanced_accuracy:.3f} at p >= {h.threshold:.2f} ({h.best_balanced_accuracy:.3f} "
                    f"at its own best), ECE {h.ece:.3f}, settled by rules {h.settled:.0%}"
                )
        return "\n".join(lines)


def dataset_domains(paths: Iterable[str | Path]) -> dict[str, Path]:
    """Labelled files by domain name: a file's stem (``dev`` for ``data/dev.jsonl``) or, when files share a
    stem, as many of their parent folders as tell them apart (``da/dev``, ``db/dev``; their full paths
    when no folder does), so two files never collapse into one domain. A file given twice (the same file,
    however it is named) is kept once, with a warning."""
    files: dict[Path, Path] = {}  # the file (symbolic links followed): the path as given
    for given in paths:
        path = Path(given)
        same = path.resolve()
        if same in files:
            log.warning("%s and %s are the same file: it is fitted on once", files[same], path)
            continue
        files[same] = path
    by_stem: dict[str, list[Path]] = {}
    for path in files.values():
        by_stem.setdefault(path.stem, []).append(Path(os.path.abspath(path)))
    names: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            names[group[0]] = stem
            continue
        for depth in range(1, max(len(p.parent.parts) for p in group)):
            named = {p: "/".join((*p.parent.parts[1:][-depth:], p.stem)) for p in group}
            if len(set(named.values())) == len(group):
                break
        else:  # same folders, names differing only in their suffix
            named = {p: str(p) for p in group}
        names.update(named)
    return {names[Path(os.path.abspath(path))]: path for path in files.values()}


def load_datasets(paths: Iterable[str | Path], *, limit: int | None = None, seed: int = 0) -> dict[str, list[Row]]:
    """The labelled rows of each file (:func:`summarizer.evaluation.load_rows`, ``limit`` rows a file), by
    domain (:func:`dataset_domains`); a row without an id gets ``<domain>-<line>``, so the rows of two
    files with one name do not share ids (the saved log-odds are kept by row id)."""
    from ..evaluation import load_rows

    return {
        domain: load_rows(path, limit=limit, seed=seed, id_prefix=domain)
        for domain, path in dataset_domains(paths).items()
    }


def check_calibration(
    rows_by_domain: Mapping[str, Sequence[Row]], *, examples_path: str | Path | None = None, hold_out: bool = False
) -> dict[str, float | None]:
    """Everything :func:`calibrate_rows` checks before its first model call; the log-odds already paid for
    (saved in ``examples_path`` and its ``.scores`` file beside it), by row id.

    Raises :class:`~summarizer.errors.InputError` when there is no row to fit on, when the rows are all of
    one label, when ``hold_out`` is asked of one file, when one id names two different rows (the log-odds
    are kept by id: one would get the other's), or when the examples or scores file is not what calibrate
    saves there (file and line named); :class:`~summarizer.errors.ConfigError` when either cannot be
    written."""
    from ..report.save import check_output

    if not any(rows_by_domain.values()):
        raise InputError("no labelled rows to fit on")
    empty = [domain for domain, rows in rows_by_domain.items() if not rows]
    if empty:
        raise InputError(f"{', '.join(empty)}: no labelled rows to fit on")
    labels = {r.label for rows in rows_by_domain.values() for r in rows}
    if len(labels) < 2:
        kind = "1 (consistent)" if labels == {1} else "0 (not consistent)"
        raise InputError(
            f"every row of {', '.join(rows_by_domain)} is labelled {kind}: fitting needs rows of both labels"
        )
    if hold_out and len(rows_by_domain) < 2:
        raise InputError("holding a file out needs two labelled files or more (each file is one domain)")
    seen: dict[str, tuple[str, str, str]] = {}
    for domain, rows in rows_by_domain.items():
        for r in rows:
            first, doc, claim = seen.setdefault(r.id, (domain, r.doc, r.claim))
            if (doc, claim) != (r.doc, r.claim):
                where = domain if first == domain else f"{first} and {domain}"
                raise InputError(
                    f"row id {r.id!r} names two different rows (in {where}): the log-odds are kept by row id, "
                    "so the ids must be unique"
                )
    known: dict[str, float | None] = {}
    if examples_path:
        saved = scores_path(examples_path)
        check_output(examples_path)  # the examples and log-odds a run pays for must have somewhere to go
        check_output(saved)
        if Path(examples_path).exists():
            known = {ex.id: ex.logit for ex in load_examples(examples_path) if ex.logit is not None}
        known |= read_scores(saved)
    return known


def calibrate_rows(
    rows_by_domain: Mapping[str, Sequence[Row]],
    llm: LLM,
    *,
    name: str,
    claims_per_call: int = config.SCORE_CLAIMS_PER_CALL,
    examples_path: str | Path | None = None,
    on_document: Callable[[int, int], None] | None = None,
    temperature: bool = False,
    threshold: str = config.CALIBRATION_THRESHOLD,
    exclude: Collection[str] = config.CALIBRATION_EXCLUDED_FEATURES,
    hold_out: bool = False,
    known: Mapping[str, float | None] | None = None,
) -> Calibration:
    """Score the rows with ``llm`` (every claim: the examples fit every mode), fit a profile for its model.

    ``examples_path``: examples saved there by an earlier run are reused (a refit costs no call), and the
    examples are saved there after; log-odds are saved as they come, so an interrupted run loses nothing
    it paid for; ``temperature``, ``threshold`` and ``exclude`` are :func:`fit_profile`'s; ``hold_out``:
    also score each domain (file) with the profile fitted on the others (two files or more). Everything that can be
    checked without the model is checked before the first call
    (:func:`check_calibration`; ``known``: what it returned for these rows and ``examples_path``, when the
    caller checked first, so the files are not read twice); a fit that still fails (say, the model gave
    log-odds for rows of one label only) is an :class:`~summarizer.errors.InputError`, with the paid
    log-odds saved."""
    from ..llm.prompts import load_prompt
    from ..pipeline.scoring import PROMPT_NAME

    usage = Usage()
    if known is None:
        known = check_calibration(rows_by_domain, examples_path=examples_path, hold_out=hold_out)
    saved_scores = scores_path(examples_path) if examples_path else None
    total = sum(len({r.doc for r in rows}) for rows in rows_by_domain.values())
    if total < config.CALIBRATION_MIN_DOCUMENTS:
        log.warning(
            "fitting on %d documents: fewer than %d fit poorly (see benchmarks/own_domain.py); a bundled profile "
            "may serve better unless your text differs in kind", total, config.CALIBRATION_MIN_DOCUMENTS,
        )  # fmt: skip
    done = [0]

    def save(found: dict[str, float | None]) -> None:
        done[0] += 1
        if on_document is not None:
            on_document(done[0], total)
        if saved_scores is not None:
            append_scores(saved_scores, found)

    examples = collect_examples(
        rows_by_domain, llm, claims_per_call=claims_per_call, usage=usage, known=known, on_scores=save
    )
    if examples_path:
        save_examples(examples, examples_path)
    fitted = [FittedOn(file=domain, rows=len(rows)) for domain, rows in rows_by_domain.items()]
    fit: dict[str, Any] = {
        "name": name,
        "models": [llm.settings.model],
        "prompt_version": load_prompt(PROMPT_NAME).version,
        "claims_per_call": claims_per_call,
        "temperature": temperature,
        "threshold": threshold,
        "exclude": tuple(exclude),
    }
    kept = f"; the examples are saved in {examples_path}" if examples_path else ""
    try:
        profile = fit_profile(examples, fitted_on=fitted, notes="fitted by summarizer calibrate", **fit)
    except ValueError as exc:  # pydantic's ValidationError is one, over several lines
        raise InputError(f"cannot fit a profile: {' '.join(str(exc).split())}{kept}") from None
    held_out: list[DomainFigures] = []
    if hold_out:
        from .holdout import hold_out as hold_each_out

        try:
            held_out = hold_each_out(examples, **fit)
        except ValueError as exc:
            raise InputError(f"cannot hold a file out: {' '.join(str(exc).split())}{kept}") from None
    return Calibration(profile, examples, usage, held_out)


def generic_profile(fitted: Profile, *, claims_per_call: int = config.GENERIC_CLAIMS_PER_CALL) -> Profile:
    """The profile for a model no profile names: ``fitted``'s rules and local-features model (they do not
    depend on the model), and the model's own P(Yes) taken at face value (``model_logit`` weight 1, no
    other weight, threshold 0.5): no model's calibration can be carried to another. ``summarizer calibrate``
    fits a real one for any model in a few hundred labelled rows."""
    return fitted.model_copy(
        update={
            "name": "generic",
            "models": [],
            "prompt_version": fitted.prompt_version,
            "claims_per_call": claims_per_call,
            "fused": Logistic(weights={MODEL_FEATURE: 1.0}, bias=0.0, threshold=0.5),
            "notes": "generic: rules and local model as fitted for "
            f"{fitted.name}; the model's own P(Yes) as its probability (calibrate your model to do better)",
        }
    )
