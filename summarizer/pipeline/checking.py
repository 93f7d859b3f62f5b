"""The check pipeline: claims (or a summary) and a source in, claim-by-claim verdicts out.

    document ─ claims (given, or decomposed from a summary)
             ─ local checks and features (zero tokens, :mod:`summarizer.rules`)
             ─ trusted findings settle their claims (no call)
             ─ the rest scored: one short Yes/No answer per claim sentence, read from the model's
               log-probabilities (:mod:`summarizer.pipeline.scoring`)
             ─ the calibration profile turns log-odds and features into a probability, a verdict and
               its confidence (:mod:`summarizer.calibration.decide`)
             ─ evidence: the source sentences that best match the claim, located exactly
             ─ report

A claim of several sentences is supported only if each of them is: each sentence is scored on its own
(the same sentence, repeated across claims, once) and the claim takes the lowest log-odds
(:func:`~summarizer.pipeline.scoring.plan_claim_scores`). A server that
returns no log-probabilities gets the JSON verdicts instead (:mod:`summarizer.pipeline.verdicts`), said
in every claim's ``scored_by`` and in the warnings. ``explain=True`` adds the model's one-sentence
reasons from a JSON-verdict call to the scored claims (the verdict stays the calibrated one).

The pipeline is a plan (a generator of model calls), so :func:`check` and :func:`acheck` share it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .. import config, pricing
from ..calibration.decide import Decision, decide, settle
from ..calibration.profile import Profile, load_profile, profile_for_model
from ..llm.client import LLM, AsyncLLM
from ..llm.connect import ClientLike, async_llm_for, llm_for
from ..llm.drafts import Decomposition
from ..llm.limits import document_scope, scoped
from ..llm.prompts import load_prompt
from ..rules.checker import LocalChecker, LocalResult, content_stems
from ..rules.features import claim_features
from ..settings import resolve_settings
from ..text import sentences
from ..text.documents import Document
from ..text.grounding import SourceIndex
from ..types import CheckProvenance, CheckReport, ClaimCheck, Evidence, Usage, VerdictCounts
from .claims import Mode, Split, default_split, needs_model
from .plan import _arun, _Ask, _Plan, _run
from .scoring import PROMPT_NAME as SCORE_PROMPT
from .scoring import plan_claim_scores
from .sources import Source, as_document
from .verdicts import JsonVerdicts, signals_of

__all__ = ["Mode", "Scorer", "Split", "acheck", "check", "decompose"]

log = logging.getLogger(__name__)

Scorer = Literal["logprobs", "verdicts"]


@dataclass
class _Item:
    """One claim on its way through the pipeline."""

    text: str
    span: Evidence | None = None
    local: LocalResult | None = None
    features: dict[str, float] = field(default_factory=dict)
    result: ClaimCheck | None = None
    hints: list[str] = field(default_factory=list)


# --- claims from a summary -----------------------------------------------------------------------------


def _split_sentences(summary: str) -> list[tuple[str, Evidence]]:
    out = []
    for s, e in sentences.sentence_spans(summary):
        text = summary[s:e].strip()
        if text:
            start = s + summary[s:e].index(text)
            out.append((text, Evidence(quote=text, start=start, end=start + len(text), match="exact", score=1.0)))
    return out


def _decompose(summary: str, split: Split) -> Generator[_Ask, Any, list[tuple[str, Evidence]]]:
    if split == "sentences":
        return _split_sentences(summary)
    messages = load_prompt("decompose").render(summary, max_claims=config.MAX_DECOMPOSED_CLAIMS)
    result, _ = yield _Ask(messages, Decomposition, "decomposition", config.DECOMPOSE_MAX_TOKENS)
    index = SourceIndex(summary)
    claims = [(c.claim.strip(), index.locate(c.quote)) for c in result.claims if c.claim.strip()]
    return claims[: config.MAX_DECOMPOSED_CLAIMS]


def decompose(
    summary: str, *, split: Split = "model", llm: LLM | None = None, usage: Usage | None = None
) -> list[tuple[str, Evidence]]:
    """Atomic claims of ``summary``, each with its span in the summary."""
    if split == "sentences":
        return _split_sentences(summary)
    llm = llm or LLM(resolve_settings())
    return _run(_decompose(summary, split), llm, usage if usage is not None else Usage())


# --- the plan --------------------------------------------------------------------------------------------


@dataclass
class _Options:
    mode: Mode
    split: Split
    scorer: Scorer
    explain: bool
    profile: Profile
    model: str | None


def _plan(
    document: Document, claims: Sequence[str], summary: str | None, opts: _Options, usage: Usage
) -> _Plan[CheckReport]:
    started = time.perf_counter()
    warnings: list[str] = []
    prompts_used: dict[str, str] = {}
    given = [c.strip() for c in claims]
    if given.count("") and len(given) > 0:
        warnings.append(f"ignored {given.count('')} empty claim(s)")
    items = [_Item(text=c) for c in given if c]
    if summary is not None:
        if opts.split == "model":
            prompts_used["decompose"] = load_prompt("decompose").version
        items += [_Item(text=t, span=span) for t, span in (yield from _decompose(summary, opts.split))]

    checker = LocalChecker(document.evidence_text)  # page furniture is never evidence
    for item in items:
        item.local = checker.check(item.text)
        item.features = claim_features(checker, item.text, item.local)
        item.hints = [s.detail for s in item.local.signals]
        if opts.mode != "model" and (decision := settle(opts.profile, item.local, item.features)) is not None:
            item.result = _settled(item, decision)

    open_items = [it for it in items if it.result is None]
    if open_items and opts.mode == "local":
        for it in open_items:
            it.result = _scored(it, decide(opts.profile, _local(it), it.features, None), checker, document, opts)
    elif open_items and opts.model is not None:
        logits = None
        if opts.scorer == "logprobs":
            prompts_used[SCORE_PROMPT] = load_prompt(SCORE_PROMPT).version
            logits = yield from plan_claim_scores(
                document, [it.text for it in open_items], opts.model, claims_per_call=opts.profile.claims_per_call
            )
            if logits is None:
                warnings.append(
                    f"{opts.model} returned no log-probabilities: {len(open_items)} claim(s) were decided by "
                    "the model's JSON verdicts, whose confidences are not calibrated (scored_by 'verdict')"
                )
        if logits is None:
            prompts_used["check"] = load_prompt("check").version
            results = yield from JsonVerdicts(opts.model, document, warnings).plan(open_items)
            for it, result in zip(open_items, results, strict=True):
                it.result = result
        else:
            unanswered = 0
            for it, logit in zip(open_items, logits, strict=True):
                unanswered += logit is None
                decision = decide(opts.profile, _local(it), it.features, logit)
                it.result = _scored(it, decision, checker, document, opts, logit)
            if unanswered:
                warnings.append(
                    f"the model gave no Yes/No answer for {unanswered} claim(s): scored on the local "
                    "features alone (scored_by 'features')"
                )
            if opts.explain:
                prompts_used["check"] = load_prompt("check").version
                explained = yield from JsonVerdicts(opts.model, document, warnings).plan(open_items)
                for it, why in zip(open_items, explained, strict=True):
                    it.result = _with_reason(it, why)

    results = [it.result for it in items if it.result is not None]
    counts = VerdictCounts(**{v: sum(r.verdict == v for r in results) for v in VerdictCounts.model_fields})
    if not results:
        warnings.append("no claims to check: score is null")
    used_model = opts.model if usage.calls else None
    usage.cost_usd = pricing.usage_cost(used_model, usage)
    usage.seconds = round(time.perf_counter() - started, 3)
    return CheckReport(
        score=round(counts.supported / len(results), 4) if results else None,
        counts=counts,
        claims=results,
        usage=usage,
        provenance=CheckProvenance.of_source(
            document, model=used_model, prompts=prompts_used, profile=opts.profile.name
        ),
        warnings=warnings,
    )


def _local(item: _Item) -> LocalResult:
    assert item.local is not None
    return item.local


# --- results --------------------------------------------------------------------------------------------


def _settled(item: _Item, decision: Decision) -> ClaimCheck:
    local = _local(item)
    return ClaimCheck(
        claim=item.text,
        verdict=decision.verdict,
        evidence=list(local.evidence),
        reason=local.reason,
        confidence=round(decision.confidence, 4),
        probability=round(decision.probability, 4),
        decided_by="local",
        scored_by="rule",
        signals=signals_of(local),
        claim_span=item.span,
    )


def _scored(
    item: _Item,
    decision: Decision,
    checker: LocalChecker,
    document: Document,
    opts: _Options,
    logit: float | None = None,
) -> ClaimCheck:
    local = _local(item)
    evidence = list(local.evidence) + _best_sentences(item, checker, document, local.evidence)
    threshold = opts.profile.fused.threshold if decision.scored_by == "logprobs" else opts.profile.local.threshold
    parts = [f"support probability {decision.probability:.2f} (supported from {threshold:.2f})"]
    if logit is not None:
        parts.append(f"the model leans {'Yes' if logit >= 0 else 'No'} (log-odds {logit:+.2f})")
    coverage = item.features.get("coverage_best", 0.0)
    parts.append(f"the best-matching source sentence holds {coverage:.0%} of its content words")
    parts += [s.detail for s in local.signals]
    return ClaimCheck(
        claim=item.text,
        verdict=decision.verdict,
        evidence=evidence,
        reason="; ".join(parts),
        confidence=round(decision.confidence, 4),
        probability=round(decision.probability, 4),
        decided_by="model" if decision.scored_by == "logprobs" else "local",
        scored_by=decision.scored_by,
        signals=signals_of(local),
        claim_span=item.span,
    )


def _best_sentences(
    item: _Item, checker: LocalChecker, document: Document, have: Sequence[Evidence]
) -> list[Evidence]:
    """The source sentences sharing the most of the claim's content words (not page furniture, not
    already given), located exactly: the evidence a reader checks the verdict against."""
    taken = {(ev.start, ev.end) for ev in have}
    out: list[Evidence] = []
    for coverage, sid in checker.best_sentences(content_stems(item.text), limit=config.EVIDENCE_SENTENCES + 2):
        if coverage < config.EVIDENCE_MIN_COVERAGE or len(out) >= config.EVIDENCE_SENTENCES:
            break
        sent = checker.sentences[sid]
        if (sent.start, sent.end) in taken or any(fs < sent.end and sent.start < fe for fs, fe in document.furniture):
            continue  # page furniture, even in part, is never evidence
        taken.add((sent.start, sent.end))
        quote = checker.source[sent.start : sent.end]
        out.append(Evidence(quote=quote, start=sent.start, end=sent.end, match="sentence", score=round(coverage, 3)))
    return out


def _with_reason(item: _Item, explained: ClaimCheck) -> ClaimCheck:
    """The scored result with the model's own one-sentence reason (and its located quote) added."""
    result = item.result
    assert result is not None
    reason = explained.reason
    if explained.verdict != result.verdict:
        reason = f"(the model's own verdict: {explained.verdict}) {reason}"
    taken = {(ev.start, ev.end) for ev in result.evidence}
    extra = [ev for ev in explained.evidence if ev.found and (ev.start, ev.end) not in taken]
    return result.model_copy(update={"reason": reason, "evidence": result.evidence + extra})


# --- entry points ---------------------------------------------------------------------------------------


def _options(
    mode: Mode,
    split: Split,
    scorer: Scorer,
    explain: bool,
    profile: Profile | str | Path | None,
    claims_per_call: int | None,
    model: str | None,
    named: str | None,
) -> _Options:
    """``model``: the model that will be called (None: none will); ``named``: the model asked for."""
    if isinstance(profile, (str, Path)):
        profile = load_profile(profile)
    chosen = profile or profile_for_model(model or named or config.LOCAL_MODEL)
    if model is not None and mode != "local" and scorer == "logprobs" and chosen.prompt_version is not None:
        shipped = load_prompt(SCORE_PROMPT).version
        if chosen.prompt_version != shipped:
            _warn_prompt_changed(chosen.name, chosen.prompt_version, shipped)
    if claims_per_call is not None:
        if claims_per_call < 1:
            raise ValueError(f"claims_per_call must be at least 1, not {claims_per_call}")
        chosen = chosen.model_copy(update={"claims_per_call": claims_per_call})
    return _Options(mode, split, scorer, explain, chosen, model)


@cache  # once a process for each profile and prompt
def _warn_prompt_changed(profile: str, fitted: str, shipped: str) -> None:
    log.warning(
        "calibration profile %r was fitted with score prompt version %s, but prompts/score.txt is now %s: "
        "its probabilities may be off until it is refitted (summarizer calibrate)", profile, fitted, shipped,
    )  # fmt: skip


def _model_named(model: str | None, client: ClientLike | None) -> str | None:
    settings = getattr(client, "settings", None)
    return model or (settings.model if settings is not None else None)


@scoped  # one document: its deadline counts from here (summarizer.llm.limits)
def check(
    source: Source,
    claims: Sequence[str] | None = None,
    *,
    summary: str | None = None,
    mode: Mode = "hybrid",
    split: Split | None = None,
    scorer: Scorer = "logprobs",
    explain: bool = False,
    profile: Profile | str | Path | None = None,
    claims_per_call: int | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client: ClientLike | None = None,
    llm: LLM | None = None,
) -> CheckReport:
    """Check ``claims`` (or the claims of ``summary``) against ``source``; return a :class:`CheckReport`.

    ``mode``: ``hybrid`` (trusted zero-token findings settle what they can, the model scores the rest;
    the default), ``model`` (every claim scored by the model) or ``local`` (no model: the local features
    alone, calibrated). ``split``: how ``summary`` is cut into claims, ``model`` or ``sentences`` (default:
    ``sentences`` in ``local`` mode, which calls no model, else ``model``). ``scorer``: ``logprobs`` (a short Yes/No answer read from log-probabilities and
    calibrated; the default, falling back to verdicts on a server that returns none) or ``verdicts`` (the
    model's JSON verdicts with quotes and reasons; their confidences are not calibrated). ``profile``: a
    :class:`~summarizer.calibration.profile.Profile` or the path of one (default: the shipped profile for
    the model, else the generic one); ``claims_per_call`` overrides the profile's. ``explain``: also ask
    the model for a one-sentence reason per scored claim (more tokens). Each claim's ``confidence`` is
    the calibrated probability of its verdict. ``source`` and ``client`` are taken as
    :func:`summarizer.summarize` takes them; a single claim may be given as a ``str``.
    """
    document = as_document(source)
    claims = [claims] if isinstance(claims, str) else claims
    split = default_split(mode, split)
    if llm is None and needs_model(mode, summary, split):
        llm = llm_for(client, model=model, base_url=base_url, api_key=api_key)
    called = llm.settings.model if llm is not None else None
    opts = _options(mode, split, scorer, explain, profile, claims_per_call, called, _model_named(model, client))
    usage = Usage()
    plan = _plan(document, claims or (), summary, opts, usage)
    return _run_local(plan) if llm is None else _run(plan, llm, usage)


async def acheck(
    source: Source,
    claims: Sequence[str] | None = None,
    *,
    summary: str | None = None,
    mode: Mode = "hybrid",
    split: Split | None = None,
    scorer: Scorer = "logprobs",
    explain: bool = False,
    profile: Profile | str | Path | None = None,
    claims_per_call: int | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client: ClientLike | None = None,
    llm: AsyncLLM | None = None,
) -> CheckReport:
    """The asynchronous twin of :func:`check`: the same plan, its calls awaited."""
    with document_scope():
        document = as_document(source)
        claims = [claims] if isinstance(claims, str) else claims
        split = default_split(mode, split)
        allm = llm
        if allm is None and needs_model(mode, summary, split):
            allm = async_llm_for(client, model=model, base_url=base_url, api_key=api_key)
        called = allm.settings.model if allm is not None else None
        opts = _options(mode, split, scorer, explain, profile, claims_per_call, called, _model_named(model, client))
        usage = Usage()
        plan = _plan(document, claims or (), summary, opts, usage)
        return _run_local(plan) if allm is None else await _arun(plan, allm, usage)


def _run_local(plan: _Plan[CheckReport]) -> CheckReport:
    """A plan that needs no model (mode local, no decomposition by the model) runs to its end at once."""
    try:
        next(plan)
    except StopIteration as done:
        return done.value
    raise AssertionError("a plan without a model asked for a model call")
