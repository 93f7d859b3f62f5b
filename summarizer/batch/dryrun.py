"""What a batch would cost, calling nothing: per-document and total tokens and estimated cost
(:func:`dry_run_batch`, :func:`format_dry_run`). The same per-document estimates let a run keep to
``--max-cost`` (:mod:`summarizer.batch.runner`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SummarizerError
from ..pipeline.estimates import Estimate
from .inputs import BatchInput
from .journal import read_results
from .tasks import _call

if TYPE_CHECKING:

    from ..cache import ResultCache
    from ..text.documents import Document

__all__ = ["DryRun", "DryRunRow", "dry_run_batch", "format_dry_run"]

# --- dry run ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRunRow:
    """One document's estimate. ``status``: new (would be paid for), cached, done (already in the output
    file: skipped), or error (cannot be loaded or estimated: it would fail, at no cost)."""

    id: str
    path: str | None
    status: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    error: str | None = None
    document_chars: int = 0


@dataclass(frozen=True)
class DryRun:
    """A batch's estimate. ``spent_usd``: what the results already in the output file cost (the budget of
    ``--max-cost`` is the output file's: :meth:`over_budget` counts them)."""

    rows: list[DryRunRow]
    documents: int
    calls_documents: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    spent_usd: float = 0.0

    def over_budget(self, max_cost: float) -> bool:
        """Whether running the rest would take the output file past ``max_cost`` (an unknown price is)."""
        return self.cost_usd is None or self.spent_usd + self.cost_usd > max_cost

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "to_run": self.calls_documents,
            "prompt_tokens": self.prompt_tokens,
            "estimated_completion_tokens": self.completion_tokens,
            "estimated_cost_usd": self.cost_usd,
            "already_spent_usd": self.spent_usd,
            "rows": [
                {
                    "id": r.id,
                    "path": r.path,
                    "status": r.status,
                    "prompt_tokens": r.prompt_tokens,
                    "estimated_completion_tokens": r.completion_tokens,
                    "estimated_cost_usd": r.cost_usd,
                    "error": r.error,
                }
                for r in self.rows
            ],
        }


def _estimate_rows(
    inputs: Sequence[BatchInput],
    estimate: Callable[..., Estimate],
    cache: ResultCache | None,
    key_for: Callable[..., str | None] | None,
    *,
    done_ids: frozenset[str] = frozenset(),
    keep: dict[str, Document] | None = None,
) -> Iterator[DryRunRow]:
    for item in inputs:
        if item.id in done_ids:
            yield DryRunRow(item.id, item.path, "done")
            continue
        try:
            document = item.load()
            if keep is not None:
                keep[item.id] = document
            chars = len(document.text)
            key = _call(key_for, document, item) if cache is not None and key_for is not None else None
            if key is not None and cache is not None and cache.get(key) is not None:
                yield DryRunRow(item.id, item.path, "cached", document_chars=chars)
                continue
            est = _call(estimate, document, item)
        except SummarizerError as exc:
            yield DryRunRow(item.id, item.path, "error", error=exc.message)
            continue
        yield DryRunRow(
            item.id, item.path, "new", est.prompt_tokens, est.completion_tokens, est.cost_usd, document_chars=chars
        )


def dry_run_batch(
    inputs: Sequence[BatchInput],
    estimate: Callable[..., Estimate],
    *,
    cache: ResultCache | None = None,
    key_for: Callable[..., str | None] | None = None,
    output: str | None = None,
    kind: str | None = None,
) -> DryRun:
    """Per-document and total tokens and estimated cost, calling nothing.

    With ``cache``/``key_for``, cached documents are shown at no cost; with ``output``, documents already
    done in that results file are shown as skipped (a file the run would refuse, e.g. of another ``kind``,
    is refused here too). Only ``new`` rows count in the totals.
    """
    done_ids: frozenset[str] = frozenset()
    spent = 0.0
    if output is not None and output != "-":
        found = read_results(output, kind)
        done_ids, spent = frozenset(found.previous), found.spent_usd
    rows = list(_estimate_rows(inputs, estimate, cache, key_for, done_ids=done_ids))
    new = [r for r in rows if r.status == "new"]
    costs = [r.cost_usd for r in new]
    return DryRun(
        rows=rows,
        documents=len(rows),
        calls_documents=len(new),
        prompt_tokens=sum(r.prompt_tokens for r in new),
        completion_tokens=sum(r.completion_tokens for r in new),
        cost_usd=None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 8),
        spent_usd=spent,
    )


def format_dry_run(dry: DryRun, model: str, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({"model": model, **dry.as_dict()}, indent=2) + "\n"

    def money(cost: float | None) -> str:
        return "unknown" if cost is None else f"${cost:.4f}"

    width = min(60, max([len(r.id) for r in dry.rows] + [8]))
    lines = [f"{'document':<{width}}  {'prompt':>8}  {'compl.':>7}  {'cost':>9}  note"]
    for r in dry.rows:
        name = r.id if len(r.id) <= width else "…" + r.id[-(width - 1) :]
        if r.status == "new":
            lines.append(
                f"{name:<{width}}  {r.prompt_tokens:>8}  {r.completion_tokens:>7}  {money(r.cost_usd):>9}"
            )
        else:
            note = {"cached": "cached: no call", "done": "already in the output: skipped"}.get(
                r.status, f"error: {r.error}"
            )
            lines.append(f"{name:<{width}}  {'-':>8}  {'-':>7}  {'-':>9}  {note}")
    lines.append(
        f"dry run: {dry.calls_documents} of {dry.documents} document(s) to run with {model}; "
        f"{dry.prompt_tokens} prompt tokens, about {dry.completion_tokens} completion tokens; "
        f"estimated cost {money(dry.cost_usd)}"
        + (f" (the output file's results already cost {money(dry.spent_usd)})" if dry.spent_usd else "")
    )
    return "\n".join(lines) + "\n"
