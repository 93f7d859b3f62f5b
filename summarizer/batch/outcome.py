"""What a run did (:class:`BatchOutcome`: counts, usage, failures, what was not started, the exit code), and
the end-of-run report for stderr (:func:`format_outcome`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import EXIT_BUDGET, EXIT_INTERRUPTED, EXIT_SOME_FAILED
from ..types import Usage

__all__ = ["BatchOutcome", "Failure", "format_outcome"]

# --- outcome ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    id: str
    path: str | None
    type: str
    message: str
    exit_code: int


@dataclass
class BatchOutcome:
    """What a run did. ``done`` counts documents that succeeded in this run, ``cached`` included."""

    kind: str
    total: int
    output: str | None
    done: int = 0
    failed: int = 0
    resumed: int = 0
    cached: int = 0
    usage: Usage = field(default_factory=lambda: Usage(cost_usd=0.0))
    cost_unknown: bool = False
    failures: list[Failure] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    stopped_by_budget: bool = False
    interrupted: bool = False
    estimated_cost_usd: float | None = None
    #: What the results already in the output file cost when they were made (counted against --max-cost).
    previously_spent_usd: float = 0.0
    elapsed: float = 0.0

    def add_usage(self, usage: Usage) -> None:
        """Count one document's usage; a cost the price table does not know makes the total unknown."""
        total = self.usage
        total.calls += usage.calls
        total.prompt_tokens += usage.prompt_tokens
        total.completion_tokens += usage.completion_tokens
        if usage.cost_usd is None:
            self.cost_unknown = self.cost_unknown or usage.calls > 0
        else:
            total.cost_usd = (total.cost_usd or 0.0) + usage.cost_usd

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.stopped_by_budget:
            return EXIT_BUDGET
        return EXIT_SOME_FAILED if self.failed else 0

    @property
    def tokens(self) -> int:
        return self.usage.prompt_tokens + self.usage.completion_tokens

    def progress_text(self) -> str:
        cost = "?" if self.cost_unknown and not self.usage.cost_usd else f"${self.usage.cost_usd or 0:.4f}"
        return (
            f"ok {self.done} · failed {self.failed} · cached {self.cached} · {_si(self.tokens)} tok · {cost}"
        )


def _si(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 10**6 else f"{n / 1e3:.1f}k" if n >= 10**4 else str(n)


# --- reporting ----------------------------------------------------------------------------------------


def format_outcome(outcome: BatchOutcome) -> str:
    """The end-of-run report for stderr: counts, tokens and cost, failures, what was not started."""
    cost = "cost unknown" if outcome.cost_unknown else f"${outcome.usage.cost_usd or 0:.4f}"
    where = f" → {outcome.output}" if outcome.output not in (None, "-") else ""
    extra = []
    if outcome.cached:
        extra.append(f"{outcome.cached} from cache")
    if outcome.resumed:
        extra.append(f"{outcome.resumed} already done")
    lines = [
        f"summarizer: {outcome.done + outcome.resumed} of {outcome.total} document(s) ok"
        + (f" ({', '.join(extra)})" if extra else "")
        + f", {outcome.failed} failed{where}; {outcome.usage.calls} model call(s), "
        f"{outcome.usage.prompt_tokens} prompt + {outcome.usage.completion_tokens} completion tokens, "
        f"{cost}, {outcome.elapsed:.1f} s"
    ]
    if outcome.failures:
        lines.append("failed:")
        lines += [f"  {f.id}: {f.type}: {f.message}" for f in outcome.failures]
    if outcome.not_started:
        why = "interrupted" if outcome.interrupted else "--max-cost reached"
        shown = ", ".join(outcome.not_started[:10]) + (" ..." if len(outcome.not_started) > 10 else "")
        lines.append(f"not started ({why}): {len(outcome.not_started)}: {shown}")
    if (outcome.failures or outcome.not_started) and outcome.output not in (None, "-"):
        lines.append("run the same command again to retry the failed and finish the remaining documents")
    return "\n".join(lines) + "\n"
