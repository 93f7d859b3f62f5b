"""What a summary or a check would cost, calling nothing: :func:`estimate_summary`, :func:`estimate_check`,
each an :class:`Estimate` (calls, prompt tokens, completion tokens, USD).

Prompt tokens are counted on the prompts the pipelines would send (exactly for a summary that fits in one
call, by plan for a long document; for a check, call by call with each call's own claims: one scoring call
per claim sentence, or with JSON verdicts batch by batch with the zero-token checks' hints). Completion
tokens are expected figures (:data:`config.ESTIMATED_SUMMARY_OUTPUT_TOKENS` per summary call, the answer
lines of a scoring call, :data:`config.CHECK_EXPECTED_TOKENS_PER_CLAIM` per claim given a JSON verdict),
not the ``max_tokens`` bounds. ``--dry-run``, the batch's dry run and ``--max-cost`` all use these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import config, pricing
from ..text import tokens
from ..text.documents import Document
from .sources import Source, as_document

__all__ = ["Estimate", "estimate_check", "estimate_summary"]


@dataclass(frozen=True)
class Estimate:
    """What a document's calls would cost. ``cost_usd`` is None when the model's price is unknown (and 0
    when no call would be made)."""

    model: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    #: The document's tokens as the model reads it (page furniture left out), for the record.
    document_tokens: int = 0

    @classmethod
    def of(cls, model: str, calls: int, prompt_tokens: int, completion_tokens: int, **extra: Any) -> Estimate:
        """The estimate of ``calls`` with these tokens, priced from the table (0 for no call)."""
        cost = 0.0 if calls == 0 else pricing.estimate_cost(model, prompt_tokens, completion_tokens)
        return cls(model, calls, prompt_tokens, completion_tokens, cost, **extra)

    def __add__(self, other: Estimate) -> Estimate:
        cost = None if self.cost_usd is None or other.cost_usd is None else round(self.cost_usd + other.cost_usd, 8)
        return Estimate(
            self.model,
            self.calls + other.calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            cost,
            max(self.document_tokens, other.document_tokens),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _model(model: str | None) -> str:
    if model is not None:
        return model
    from ..settings import resolve_settings

    return resolve_settings().model


def estimate_summary(
    source: Source,
    *,
    model: str | None = None,
    verify: bool = False,
    check_options: dict[str, Any] | None = None,
    prompt_lists: bool = False,
) -> Estimate:
    """The cost of ``summarize(source, verify=verify)`` with ``model`` (default: the configured one).

    One call when the document fits the model's context window, else one per chunk plus the merges
    (:func:`~summarizer.pipeline.summary.estimate_calls`). With ``verify``, the check of up to
    :data:`config.MAX_CLAIMS` claims is added (their text is not known yet: a typical claim's length is
    assumed, and no claim settled locally). ``prompt_lists``: the server takes a document's scoring
    prompts in one call (``Settings.prompt_lists``).
    """
    from .summary import estimate_calls

    document = as_document(source)
    model = _model(model)
    calls, prompt_tokens = estimate_calls(document, model)
    result = Estimate.of(
        model,
        calls,
        prompt_tokens,
        config.ESTIMATED_SUMMARY_OUTPUT_TOKENS * calls,
        document_tokens=tokens.count_tokens(document.model_text, model),
    )
    if verify:  # the claims are not known yet: MAX_CLAIMS distinct one-sentence claims of a typical length
        claims = [f"claim{i} " + "x " * (_TYPICAL_CLAIM_TOKENS - 1) for i in range(config.MAX_CLAIMS)]
        options = {**(check_options or {}), "prompt_lists": prompt_lists}
        result = result + _model_checks(document, model, [(c, []) for c in claims], claims, **options)
    return result


def estimate_check(
    source: Source,
    claims: Sequence[str] = (),
    *,
    summary: str | None = None,
    mode: str = "hybrid",
    split: str = "model",
    model: str | None = None,
    scorer: str = "logprobs",
    explain: bool = False,
    profile: Any = None,
    claims_per_call: int | None = None,
    prompt_lists: bool = False,
) -> Estimate:
    """The cost of ``check(source, claims, summary=..., mode=..., ...)`` with ``model``.

    The zero-token checks run here as they would in the check (a few hundred microseconds a claim): in
    ``hybrid`` mode the claims the profile's trusted findings settle cost nothing. With the ``logprobs``
    scorer each distinct sentence of the open claims is asked in a call of ``claims_per_call`` (the
    profile's) whose prompt is the source and those claims, answered in ~3 tokens a claim; with
    ``verdicts`` (or ``explain``) each batch of :data:`config.CHECK_BATCH_SIZE` open claims is one call
    whose prompt is the numbered source, the instructions and that batch's claims with their hints. A
    ``summary`` split by the model costs one decomposition call; its claims, not known yet, are taken to
    be its sentences. ``prompt_lists``: the server takes a document's scoring prompts in one call
    (``Settings.prompt_lists``; the tokens are the same).
    """
    from ..llm.prompts import load_prompt
    from ..text import sentences

    document = as_document(source)
    model = _model(model)
    texts = [c.strip() for c in claims if c.strip()]
    decompose = Estimate.of(model, 0, 0, 0)
    if summary is not None:
        parts = [summary[s:e].strip() for s, e in sentences.sentence_spans(summary)]
        parts = [p for p in parts if p][: config.MAX_DECOMPOSED_CLAIMS]
        if split == "model":
            messages = load_prompt("decompose").render(summary, max_claims=config.MAX_DECOMPOSED_CLAIMS)
            completion = config.DECOMPOSE_EXPECTED_TOKENS_PER_CLAIM * len(parts) + 20
            decompose = Estimate.of(model, 1, tokens.count_message_tokens(messages, model), completion)
        texts += parts
    if mode == "local" or not texts:
        return decompose
    from ..calibration.decide import trusted_findings
    from ..calibration.profile import load_profile, profile_for_model
    from ..rules.checker import LocalChecker

    chosen = load_profile(profile) if isinstance(profile, (str, Path)) else profile or profile_for_model(model)
    checker = LocalChecker(document.evidence_text)
    open_claims: list[tuple[str, list[str]]] = []
    for text in texts:
        local = checker.check(text)
        if mode != "model" and trusted_findings(chosen, local):
            continue  # settled at zero tokens
        open_claims.append((text, [s.detail for s in local.signals]))
    return decompose + _model_checks(
        document, model, open_claims, [t for t, _ in open_claims], scorer=scorer, explain=explain,
        profile=chosen, claims_per_call=claims_per_call, prompt_lists=prompt_lists,
    )  # fmt: skip


def _model_checks(
    document: Document,
    model: str,
    open_claims: Sequence[tuple[str, Sequence[str]]],
    texts: Sequence[str],
    *,
    scorer: str = "logprobs",
    explain: bool = False,
    profile: Any = None,
    claims_per_call: int | None = None,
    prompt_lists: bool = False,
) -> Estimate:
    """The model's share of a check: scoring calls, JSON verdicts, or both (``explain``)."""
    from ..calibration.profile import load_profile, profile_for_model

    if not open_claims:
        return Estimate.of(model, 0, 0, 0)
    if scorer == "verdicts":
        return _check_batches(document, model, open_claims)
    chosen = load_profile(profile) if isinstance(profile, (str, Path)) else profile or profile_for_model(model)
    result = _score_calls(document, model, texts, claims_per_call or chosen.claims_per_call)
    if prompt_lists and result.calls > 1:  # every prompt in one call, the same tokens
        result = Estimate.of(model, 1, result.prompt_tokens, result.completion_tokens)
    return result + _check_batches(document, model, open_claims) if explain else result


def _score_calls(document: Document, model: str, claims: Sequence[str], per_call: int) -> Estimate:
    """Calls and tokens of scoring ``claims`` sentence by sentence, ``per_call`` sentences a call."""
    from ..llm.prompts import load_prompt
    from .scoring import PROMPT_NAME, answer_tokens, claim_units, source_budget

    units = list(dict.fromkeys(u for c in claims for u in claim_units(c)))
    if not units:
        return Estimate.of(model, 0, 0, 0)
    overhead, budget = source_budget(load_prompt(PROMPT_NAME), model, per_call)
    shown = min(tokens.count_tokens(document.model_text, model), max(config.MIN_CHUNK_TOKENS, budget))
    calls = prompt_tokens = completion_tokens = 0
    for start in range(0, len(units), per_call):
        batch = units[start : start + per_call]
        lines = "\n".join(f"{n}. {u}" for n, u in enumerate(batch, 1))
        calls += 1
        prompt_tokens += overhead + shown + tokens.count_tokens(lines, model)
        completion_tokens += answer_tokens(len(batch))
    return Estimate.of(model, calls, prompt_tokens, completion_tokens)


#: Tokens of a typical summary claim, for a verification whose claims are not known yet.
_TYPICAL_CLAIM_TOKENS = 20


def _check_batches(document: Document, model: str, open_claims: Sequence[tuple[str, Sequence[str]]]) -> Estimate:
    """Calls and tokens of checking ``open_claims`` (text, hints) by the model, batch by batch.

    The claim lines are written as :mod:`summarizer.pipeline.verdicts` writes them ("n. claim", then
    up to three "(local check: ...)" hints). A source too long for the context window is shown in windows
    of the chunks relevant to each batch; the estimate takes one window of the budget per batch.
    """
    if not open_claims:
        return Estimate.of(model, 0, 0, 0)
    from ..llm.prompts import load_prompt
    from ..text.grounding import NumberedSource

    prompt = load_prompt("check")
    numbered = NumberedSource.from_text(document.text, exclude=document.furniture).render()
    source_tokens = tokens.count_tokens(numbered, model)
    overhead = tokens.count_message_tokens(prompt.render("", claims=""), model)
    window = pricing.context_window(model) or config.LOCAL_CONTEXT
    reply = config.CHECK_BATCH_SIZE * config.CHECK_TOKENS_PER_CLAIM + config.CHECK_TOKENS_MARGIN
    budget = max(512, window - overhead - reply - config.CHECK_BATCH_SIZE * config.CHECK_TOKENS_PER_CLAIM // 2)
    shown = min(source_tokens, budget)
    calls = prompt_tokens = completion_tokens = 0
    size = config.CHECK_BATCH_SIZE
    for start in range(0, len(open_claims), size):
        batch = open_claims[start : start + size]
        lines = []
        for n, (text, hints) in enumerate(batch, 1):
            lines.append(f"{n}. {text}")
            lines += [f"   (local check: {h})" for h in list(hints)[:3]]
        calls += 1
        prompt_tokens += overhead + shown + tokens.count_tokens("\n".join(lines), model)
        completion_tokens += config.CHECK_EXPECTED_TOKENS_PER_CLAIM * len(batch) + config.CHECK_EXPECTED_BATCH_TOKENS
    return Estimate.of(model, calls, prompt_tokens, completion_tokens)
