"""What a batch does to each document (:class:`Task`): the work, its cache key and its cost estimate, for
summaries (:func:`summarize_task`, with ``--verify``) and checks (:func:`check_task`). Both do the first
call's one-time work (imports, the client, schemas) before the worker threads start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import config
from ..errors import ConfigError
from ..pipeline.claims import needs_model, require_claims
from ..pipeline.estimates import Estimate, estimate_check, estimate_summary
from ..types import SCHEMA_VERSION
from .inputs import BatchInput

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..llm.client import LLM
    from ..settings import Settings
    from ..text.documents import Document

__all__ = [
    "Task",
    "check_needs_model",
    "check_task",
    "summarize_task",
    "takes_item",
    "task_for",
]

M = TypeVar("M")

_NOTHING_IN_LINE = "give claims (or a summary), or put them in the JSONL line"

# --- what to do with each document ------------------------------------------------------------------


def takes_item(fn: Callable[..., M]) -> Callable[..., M]:
    """Mark a ``work``/``key_for``/``estimate`` function as taking ``(document, item)``, not ``(document)``."""
    fn.batch_takes_item = True  # type: ignore[attr-defined]
    return fn


def _call(fn: Callable[..., M], document: Document, item: BatchInput) -> M:
    return fn(document, item) if getattr(fn, "batch_takes_item", False) else fn(document)


@dataclass(frozen=True)
class Task:
    """What a batch does to each document: the work, its cache key, its cost estimate."""

    kind: str
    work: Callable[..., BaseModel]
    key_for: Callable[..., str | None]
    estimate: Callable[..., Estimate]


def _endpoint_id(settings: Settings) -> str:
    """Where answers come from, for the cache key (the local server is "local", whatever its port)."""
    return "local" if settings.local else settings.endpoint


def summarize_task(
    settings: Settings,
    llm: LLM | None = None,
    *,
    verify: bool = False,
    check_options: Mapping[str, Any] | None = None,
) -> Task:
    """Summarise each document (``--verify``: and check its own claims). ``llm`` may be None for a dry run."""
    from ..cache import cache_key
    from ..llm.prompts import load_prompt

    model = settings.model
    versions = load_prompt("summarize").version
    options = dict(check_options or {})
    if verify:
        versions += "+" + _check_versions(options)
    params = {
        "endpoint": _endpoint_id(settings),
        "temperature": settings.temperature,
        "max_tokens": config.SUMMARY_MAX_TOKENS,
        "max_key_points": config.MAX_KEY_POINTS,
        "max_claims": config.MAX_CLAIMS,
        "max_reasks": config.MAX_REASKS,
        "verify": verify,
        "schema": SCHEMA_VERSION,
    }
    if verify:
        params["check"] = _check_params(settings, model, options)

    def work(document: Document) -> BaseModel:
        from ..pipeline.summary import summarize

        if llm is None:
            raise ConfigError("no model client: summarize_task needs an LLM to run (not only to estimate)")
        return summarize(document, llm=llm, verify=verify, check_options=options)

    def key_for(document: Document) -> str:
        return cache_key("summary", model, versions, params, document.sha256)

    def estimate(document: Document) -> Estimate:
        return estimate_summary(
            document, model=model, verify=verify, check_options=options, prompt_lists=settings.prompt_lists
        )

    if llm is not None:
        from ..llm.drafts import Decomposition, MergeDraft, SummaryDraft, VerdictBatch
        from ..pipeline.summary import summarize  # noqa: F401  (imported now, not by the first wave)

        outputs: tuple[type[BaseModel], ...] = (SummaryDraft, MergeDraft)
        if verify:
            from ..pipeline.checking import check  # noqa: F401

            outputs += (VerdictBatch, Decomposition)
        _prepare(llm, *outputs)
    return Task("summary", work, key_for, estimate)


def check_task(
    settings: Settings | None,
    llm: LLM | None = None,
    *,
    claims: Sequence[str] = (),
    summary: str | None = None,
    mode: str = "hybrid",
    split: str = "model",
    **check_options: Any,
) -> Task:
    """Check claims against each document. A JSONL line's own ``claims``/``summary`` replace the given ones.
    ``check_options``: the rest of :func:`summarizer.check`'s (``scorer``, ``explain``, ``profile``,
    ``claims_per_call``), which enter the cache key.

    ``settings`` may be None only for ``mode="local"`` with ``split="sentences"`` (no model at all).
    """
    from ..cache import cache_key
    from ..llm.prompts import load_prompt

    base_claims = [c for c in claims if c.strip()]
    model = settings.model if settings is not None else ""

    def inputs_of(item: BatchInput) -> tuple[list[str], str | None]:
        item_claims = item.extra.get("claims")
        item_summary = item.extra.get("summary")
        if item_claims is None and item_summary is None:
            return base_claims, summary
        return list(item_claims or []), item_summary

    @takes_item
    def work(document: Document, item: BatchInput) -> BaseModel:
        from ..pipeline.checking import check

        the_claims, the_summary = inputs_of(item)
        require_claims(the_claims, the_summary, hint=_NOTHING_IN_LINE)
        if needs_model(mode, the_summary, split) and llm is None:
            raise ConfigError("no model client: this check needs a model")
        return check(
            document,
            the_claims,
            summary=the_summary,
            mode=mode,  # type: ignore[arg-type]
            split=split,  # type: ignore[arg-type]
            llm=llm if needs_model(mode, the_summary, split) else None,
            model=model or None,
            **check_options,
        )

    @takes_item
    def key_for(document: Document, item: BatchInput) -> str:
        import hashlib

        the_claims, the_summary = inputs_of(item)
        uses_model = needs_model(mode, the_summary, split)
        versions = []
        if mode != "local":
            versions.append(_check_versions(check_options))
        if the_summary is not None and split == "model":
            versions.append("decompose:" + load_prompt("decompose").version)
        params = {
            "endpoint": _endpoint_id(settings) if settings is not None and uses_model else None,
            "mode": mode,
            "split": split,
            "claims": the_claims,
            "summary": None
            if the_summary is None
            else hashlib.sha256(the_summary.encode("utf-8", "surrogatepass")).hexdigest(),
            "check": _check_params(settings, model, check_options),
            "schema": SCHEMA_VERSION,
        }
        return cache_key("check", model if uses_model else "", "+".join(versions), params, document.sha256)

    @takes_item
    def estimate(document: Document, item: BatchInput) -> Estimate:
        the_claims, the_summary = inputs_of(item)
        return estimate_check(
            document, the_claims, summary=the_summary, mode=mode, split=split, model=model or None,
            prompt_lists=settings is not None and settings.prompt_lists, **check_options,
        )  # fmt: skip

    if llm is not None:
        from ..llm.drafts import Decomposition, VerdictBatch
        from ..pipeline.checking import check  # noqa: F401  (imported now, not by the first wave)

        _prepare(llm, VerdictBatch, Decomposition)
    return Task("check", work, key_for, estimate)


def _prepare(llm: LLM, *outputs: type[BaseModel]) -> None:
    """The first call's one-time work, done once before the worker threads start and share the client.

    Left to the first wave, every worker would wait on the same imports (the documents, grounding and
    SDK modules, ~0.5 s of CPU), and several would build the same schemas at once.
    """
    from ..text.documents import load_document  # noqa: F401

    llm.prepare(*outputs)


def check_needs_model(
    inputs: Sequence[BatchInput], *, mode: str, split: str, summary: str | None = None
) -> bool:
    """Whether a check batch calls a model (so the CLI must start the local server or build a client).

    A JSONL line's own ``summary`` counts like the one given for every document."""
    summaries = [summary, *(it.extra["summary"] for it in inputs if "summary" in it.extra)]
    return any(needs_model(mode, s, split) for s in summaries)


def check_require_claims(
    inputs: Sequence[BatchInput], *, claims: Sequence[str], summary: str | None
) -> None:
    """"Nothing to check" for a whole check batch: no claims or summary given, and none in its JSONL lines."""
    if any("claims" in it.extra or "summary" in it.extra for it in inputs):
        return
    require_claims(claims, summary)


def _check_versions(options: Mapping[str, Any]) -> str:
    """The prompts a check may use, by version: the scoring prompt, and the JSON-verdict one."""
    from ..llm.prompts import load_prompt

    return f"score:{load_prompt('score').version}+check:{load_prompt('check').version}"


def _check_params(settings: Settings | None, model: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """What changes a check's result besides the document, claims, model and prompts: its settings and the
    calibration profile (by content)."""
    import hashlib

    from ..calibration.profile import load_profile, profile_for_model

    profile = options.get("profile")
    chosen = load_profile(profile) if isinstance(profile, (str, Path)) else profile or profile_for_model(model or config.LOCAL_MODEL)
    return {
        "scorer": options.get("scorer", "logprobs"),
        "explain": bool(options.get("explain")),
        "claims_per_call": options.get("claims_per_call") or chosen.claims_per_call,
        "profile": hashlib.sha256(chosen.to_json().encode()).hexdigest()[:16],
        "temperature": config.TEMPERATURE if settings is None else settings.temperature,
        "batch": config.CHECK_BATCH_SIZE,
        "per_claim": config.CHECK_TOKENS_PER_CLAIM,
        "margin": config.CHECK_TOKENS_MARGIN,
        "chunks": config.CHECK_CHUNKS_PER_CLAIM,
        "max_decomposed": config.MAX_DECOMPOSED_CLAIMS,
        "max_reasks": config.MAX_REASKS,
    }




def task_for(
    command: str,
    inputs: Sequence[BatchInput],
    settings: Settings | None,
    llm: LLM | None = None,
    *,
    verify: bool = False,
    claims: Sequence[str] = (),
    summary: str | None = None,
    mode: str = "hybrid",
    split: str = "model",
    check_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> Task:
    """The task of ``summarizer summarize|check`` over ``inputs``: :func:`summarize_task` (``verify``) or
    :func:`check_task` (after "nothing to check" for the whole batch). ``llm`` may be None for a dry run,
    or for a check that calls no model (:func:`check_needs_model`)."""
    if command == "summarize":
        if settings is None:
            raise ConfigError("summarize needs model settings")
        return summarize_task(settings, llm, verify=verify, check_options=check_options or options)
    if command == "check":
        check_require_claims(inputs, claims=claims, summary=summary)
        return check_task(settings, llm, claims=claims, summary=summary, mode=mode, split=split, **options)
    raise ConfigError(f"unknown batch command {command!r}")
