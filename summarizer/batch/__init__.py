"""Batches: many documents in, one JSON line per document out, written as each one completes.

* Inputs (:func:`collect_inputs`, in :mod:`~summarizer.batch.inputs`): files, folders (recursive), globs,
  JSONL files of ``{"id", "text"}`` lines, and ``-`` for standard input. Documents are loaded by the
  worker that processes them, so a bad file becomes that document's error line, never the end of the
  batch.
* Output (:func:`run_batch`, in :mod:`~summarizer.batch.runner`; the file itself:
  :mod:`~summarizer.batch.journal`): one line per document, ``{"id", "path", "sha256", "kind", "status",
  "cached", "result", "error"}``, each written with a single ``write`` under a lock, flushed and
  fsync'd. The file is locked against a second run writing to it at the same time.
* Resume: an existing output file is read first. Its ``ok`` lines are kept and their documents skipped;
  its ``error`` lines and a torn last line (a kill -9 mid-write) are dropped (the file is rewritten
  atomically) and those documents run again. Each id appears once in the output.
* Cache (:mod:`summarizer.cache`): a document whose result is cached costs no model call. A result is
  cached before its line is written, so a kill between the two loses nothing that was paid for.
* Cost (estimates: :mod:`summarizer.pipeline.estimates`, per batch in :mod:`~summarizer.batch.dryrun`):
  with ``max_cost`` the remaining documents are estimated first (cached ones cost nothing) and the batch
  refuses to start above the budget; during the run no document starts once what was spent, plus the
  estimates of those running, plus its own estimate would pass the budget. The budget is the output
  file's: what the results already in it cost counts as spent.
* Threads: ``jobs`` workers, each taking the next document itself. They take turns
  (:mod:`summarizer.turns`): one runs the tool's own code at a time and gives way while it waits for the
  model, so each request goes out as soon as its document is ready, not all of a wave's together at the
  end of a burst of GIL time-slicing. :func:`summarize_task` and :func:`check_task`
  (:mod:`~summarizer.batch.tasks`) do the first call's one-time work (imports, the client, schemas)
  before the threads start.
* Ctrl-C: the first one stops scheduling and waits for the running documents (their lines are written);
  a second one stops at once. Either way, running the same command again continues.

The progress bar is :mod:`~summarizer.batch.progress`; what a run did, :mod:`~summarizer.batch.outcome`;
what a worker does to one document, :mod:`~summarizer.batch.work`. :func:`task_for`, :func:`run_task`
and :func:`dry_run_task` are ``summarizer summarize|check PATH...`` once its arguments are parsed.
"""

from __future__ import annotations

from ..errors import EXIT_BUDGET, EXIT_INTERRUPTED, EXIT_SOME_FAILED, BudgetExceededError
from ..pipeline.estimates import Estimate
from .dryrun import DryRun, DryRunRow, dry_run_batch, format_dry_run
from .inputs import BatchInput, collect_inputs, is_batch
from .outcome import BatchOutcome, Failure, format_outcome
from .progress import Progress, ProgressBar
from .runner import cache_info, dry_run_task, run_batch, run_task
from .tasks import (
    Task,
    check_needs_model,
    check_require_claims,
    check_task,
    summarize_task,
    takes_item,
    task_for,
)

__all__ = [
    "EXIT_BUDGET",
    "EXIT_INTERRUPTED",
    "EXIT_SOME_FAILED",
    "BatchInput",
    "BatchOutcome",
    "BudgetExceededError",
    "DryRun",
    "DryRunRow",
    "Estimate",
    "Failure",
    "Progress",
    "ProgressBar",
    "Task",
    "cache_info",
    "check_needs_model",
    "check_require_claims",
    "check_task",
    "collect_inputs",
    "dry_run_batch",
    "dry_run_task",
    "format_dry_run",
    "format_outcome",
    "is_batch",
    "run_batch",
    "run_task",
    "summarize_task",
    "takes_item",
    "task_for",
]
