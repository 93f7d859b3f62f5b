"""The run of a batch: worker threads that take turns, the writer of the results file, the budget, Ctrl-C
(:func:`run_batch`); a :class:`~summarizer.batch.tasks.Task` run or dry-run with the result cache around it
(:func:`run_task`, :func:`dry_run_task`); the cache's size (:func:`cache_info`). Nothing here prints: a
progress bar draws if one is given, and the outcome is returned. What each worker does to a document is
:mod:`summarizer.batch.work`; how a batch behaves as a whole is described in :mod:`summarizer.batch`.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import BudgetExceededError, ConfigError, InputError
from ..pipeline.estimates import Estimate
from ..turns import Turns
from ..types import Usage
from .dryrun import DryRun, _estimate_rows, dry_run_batch
from .inputs import BatchInput
from .journal import _Output
from .outcome import BatchOutcome
from .progress import Progress
from .tasks import Task
from .work import DocumentWork, _Done

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..cache import ResultCache

__all__ = ["cache_info", "dry_run_task", "run_batch", "run_task"]

log = logging.getLogger(__name__)

# --- running ------------------------------------------------------------------------------------------


class _Budget:
    """``--max-cost``: every remaining document's estimate, checked up front (:meth:`check`); then, as the
    workers take documents, what is spent and what the running ones are expected to spend (:meth:`admits`,
    :meth:`settle`). Used under the runner's lock. ``spent`` starts at what the output file's results
    already cost: the budget is the file's."""

    def __init__(self, max_cost: float | None, estimate: Callable[..., Estimate] | None) -> None:
        if max_cost is not None and estimate is None:
            raise ConfigError("max_cost needs an estimate function")
        if max_cost is not None and not (math.isfinite(max_cost) and max_cost >= 0):
            raise ConfigError(f"--max-cost must be a finite amount of USD, 0 or more (got {max_cost})")
        self.max_cost, self.estimate = max_cost, estimate
        self.estimates: dict[str, float] = {}
        self.reserved: dict[str, float] = {}  # estimates of the documents running
        self.spent = 0.0

    def check(self, pending: Sequence[BatchInput], process: DocumentWork) -> float:
        """Estimate every remaining document (keeping loaded ones for the run, within
        :data:`config.PRELOAD_BUDGET_CHARS`); refuse to start when the total is over the budget. Returns
        the total."""
        assert self.max_cost is not None and self.estimate is not None
        kept = 0
        preloaded = process.preloaded
        for row in _estimate_rows(pending, self.estimate, process.cache, process.key_for, keep=preloaded):
            if row.document_chars and kept + row.document_chars > config.PRELOAD_BUDGET_CHARS:
                preloaded.pop(row.id, None)
            else:
                kept += row.document_chars
            if row.status != "new":
                continue
            if row.cost_usd is None:
                raise ConfigError(
                    f"cannot keep to --max-cost: no price is known for this model ({row.id} cannot be priced)"
                )
            self.estimates[row.id] = row.cost_usd
        total = sum(self.estimates.values())
        if self.spent + total > self.max_cost:
            spent = f" and the output file's results already cost ${self.spent:.4f}" if self.spent else ""
            raise BudgetExceededError(
                f"the {len(self.estimates)} document(s) to run are estimated at ${total:.4f}{spent}, over "
                f"--max-cost ${self.max_cost:.4f}; nothing was started (see --dry-run for each document's estimate)"
            )
        return total

    def admits(self, item: BatchInput) -> bool:
        """Whether ``item`` may start (the spend, the running ones' and its own estimate within the
        budget); when it may, its estimate is reserved until :meth:`settle`."""
        est = self.estimates.get(item.id, 0.0)
        if self.max_cost is not None and self.spent + sum(self.reserved.values()) + est > self.max_cost:
            return False
        self.reserved[item.id] = est
        return True

    def settle(self, item: BatchInput, usage: Usage | None) -> None:
        self.reserved.pop(item.id, None)
        if usage is not None:
            self.spent += usage.cost_usd or 0.0


class _Runner:
    """A batch run: ``jobs`` worker threads taking the next document each (within the budget), one writer
    thread appending and fsyncing the lines, and the main thread accounting and handling Ctrl-C. What is
    done to each document is :class:`~summarizer.batch.work.DocumentWork`; the budget is :class:`_Budget`.
    It stays one class of about 200 lines because its three threads share one lock-guarded state (what is
    pending, what is running, why the run stops), which split across classes would have to be passed
    around under the same lock.
    """

    def __init__(
        self,
        inputs: Sequence[BatchInput],
        work: Callable[..., BaseModel],
        *,
        kind: str,
        jobs: int,
        output: str | None,
        cache: ResultCache | None,
        key_for: Callable[..., str | None] | None,
        max_cost: float | None,
        estimate: Callable[..., Estimate] | None,
        progress: Progress | None,
        secrets: Sequence[str],
    ) -> None:
        if jobs < 1:
            raise ConfigError(f"--jobs must be at least 1 (got {jobs})")
        self.budget = _Budget(max_cost, estimate)
        counts = Counter(it.id for it in inputs)
        if len(counts) != len(inputs):
            dupes = sorted(i for i, n in counts.items() if n > 1)
            raise InputError(f"duplicate ids in the batch: {', '.join(map(repr, dupes[:5]))}")
        self.inputs = list(inputs)
        self.jobs = jobs
        self.process = DocumentWork(work, kind=kind, cache=cache, key_for=key_for, secrets=secrets)
        self.progress = progress
        self.out = _Output(output, kind)
        self.outcome = BatchOutcome(kind=kind, total=len(self.inputs), output=output)
        # Scheduling state, shared by the workers (each takes its next document itself), under `lock`.
        self.lock = threading.Lock()
        self.pending: deque[BatchInput] = deque()
        self.running: set[str] = set()  # taken by a worker, not yet reported written
        self.stop_reason: str | None = None  # "budget", "interrupted", "write"
        self.writes: queue.Queue[tuple[_Done, dict[str, Any]] | None] = queue.Queue()
        self.done: queue.Queue[_Done] = queue.Queue()
        self.turns = Turns()

    # --- worker side -------------------------------------------------------------------------------

    def _worker(self) -> None:
        with self.turns.held():  # one worker runs at a time; each gives way while it waits for the model
            while (item := self._take()) is not None:
                done, record = self.process(item)
                self._settle(item, done)
                self.writes.put((done, record))

    def _take(self) -> BatchInput | None:
        """The next document to run, or None: none left, or stopping (budget, Ctrl-C, write error)."""
        with self.lock:
            if self.stop_reason is not None or not self.pending:
                return None
            item = self.pending[0]
            if self.budget.admits(item):
                self.pending.popleft()
                self.running.add(item.id)
                return item
            self.stop_reason = "budget"
            self.outcome.stopped_by_budget = True
            spent = self.budget.spent
        self._say(
            f"stopping: the next document would take the spend past ${self.budget.max_cost:.4f} "
            f"(spent ${spent:.4f}); the running ones finish"
        )
        return None

    def _settle(self, item: BatchInput, done: _Done) -> None:
        with self.lock:
            self.budget.settle(item, done.usage)

    def _writer(self) -> None:
        """Write finished documents' lines: all those waiting, then one fsync; then report them done."""
        while True:
            first = self.writes.get()
            if first is None:
                return  # the run is over
            group, end = [first], False
            while len(group) < 256:
                try:
                    more = self.writes.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    end = True
                    break
                group.append(more)
            error: BaseException | None = None
            try:
                if not self.out.write_group([record for _, record in group]):
                    return  # abandoned after a second Ctrl-C
            except BaseException as exc:  # disk full, broken pipe: the batch stops
                error = exc
                with self.lock:
                    self.stop_reason = "write"
            for done, _ in group:
                done.write_error = error
                self.done.put(done)
            if end:
                return

    # --- main thread -------------------------------------------------------------------------------

    def run(self) -> BatchOutcome:
        started = time.monotonic()
        self.out.open()
        try:
            return self._run(started)
        except BudgetExceededError:
            self.out.discard_if_new()
            raise
        finally:
            self.out.close()

    def _run(self, started: float) -> BatchOutcome:
        outcome = self.outcome
        self.pending = deque(it for it in self.inputs if it.id not in self.out.previous)
        outcome.resumed = len(self.inputs) - len(self.pending)
        # the budget is the output file's: what its kept results cost counts as spent (a rerun after a
        # budget stop does not spend it again)
        self.budget.spent = outcome.previously_spent_usd = self.out.spent_usd
        if self.budget.max_cost is not None:
            outcome.estimated_cost_usd = self.budget.check(self.pending, self.process)
        if self.progress is not None:
            self.progress.start(len(self.inputs), outcome.resumed)
        threads = [
            threading.Thread(target=self._worker, name=f"batch-{i}", daemon=True)
            for i in range(min(self.jobs, len(self.pending)))
        ]
        threading.Thread(target=self._writer, name="batch-writer", daemon=True).start()
        for t in threads:
            t.start()
        write_error: BaseException | None = None
        try:
            try:
                while not self._finished():
                    done = self._next_done()
                    self._account(done)
                    if done.write_error is not None and write_error is None:
                        write_error = done.write_error
            except KeyboardInterrupt:
                outcome.interrupted = True
                with self.lock:
                    self.stop_reason = self.stop_reason or "interrupted"
                self._account_written()  # a document whose line is written is not running any more
                with self.lock:
                    n = len(self.running)
                if n:
                    self._say(
                        f"interrupted: finishing {n} running document(s); press Ctrl-C again to stop now"
                    )
                try:
                    while not self._finished():
                        self._account(self._next_done())
                except KeyboardInterrupt:
                    self.out.abandon()  # stop now: the running documents are done again by the next run
        finally:
            with self.lock:
                self.stop_reason = self.stop_reason or "finished"
                # not finished: never started, or running when a second Ctrl-C stopped the batch
                outcome.not_started = [it.id for it in self.pending] + sorted(self.running)
            self.writes.put(None)
            outcome.elapsed = time.monotonic() - started
            if self.progress is not None:
                self.progress.close()
        if write_error is not None:
            if isinstance(write_error, OSError) and not isinstance(write_error, BrokenPipeError):
                where = self.out.path or "standard output"
                raise ConfigError(f"{where}: cannot write ({write_error.strerror})") from write_error
            raise write_error
        return outcome

    def _finished(self) -> bool:
        with self.lock:
            return not self.running and (not self.pending or self.stop_reason is not None)

    def _next_done(self) -> _Done:
        while True:
            try:
                return self.done.get(timeout=0.5)  # wakes up for Ctrl-C on every platform
            except queue.Empty:
                continue

    def _account_written(self) -> None:
        """Account every document the writer has already reported, without waiting for more."""
        while True:
            try:
                done = self.done.get_nowait()
            except queue.Empty:
                return
            self._account(done)

    def _account(self, done: _Done) -> None:
        outcome = self.outcome
        with self.lock:
            self.running.discard(done.item.id)
        if done.ok:
            outcome.done += 1
            outcome.cached += done.cached
            if done.usage is not None:
                outcome.add_usage(done.usage)
        else:
            outcome.failed += 1
            assert done.failure is not None
            outcome.failures.append(done.failure)
        if self.progress is not None:
            self.progress.advance(outcome)

    def _say(self, text: str) -> None:
        if self.progress is not None:
            self.progress.message(f"summarizer: {text}")
        else:
            log.warning("%s", text)



def run_batch(
    inputs: Sequence[BatchInput],
    work: Callable[..., BaseModel],
    *,
    jobs: int | None = None,
    output: str | None,
    cache: ResultCache | None = None,
    key_for: Callable[..., str | None] | None = None,
    max_cost: float | None = None,
    estimate: Callable[..., Estimate] | None = None,
    progress: Progress | None = None,
    kind: str = "summary",
    secrets: Sequence[str] = (),
) -> BatchOutcome:
    """Run ``work(document)`` over ``inputs`` with ``jobs`` threads (default
    :data:`summarizer.config.DEFAULT_JOBS`), one JSON line per document to ``output``.

    ``output`` is a file path (resumed, see the module doc), or None / ``"-"`` for standard output (no
    resume). ``work`` returns a pydantic model with a ``usage`` (a Summary or CheckReport). With ``cache``
    and ``key_for(document) -> key``, a cached result is used instead of calling ``work``. ``max_cost``
    (USD) needs ``estimate(document) -> Estimate`` (:mod:`summarizer.pipeline.estimates`) and raises
    :class:`BudgetExceededError` before anything starts when the remaining documents' estimate is over
    it. ``kind`` ("summary" or "check") is written on every line and checked on resume. ``secrets`` are
    scrubbed from error messages. ``work``, ``key_for`` and ``estimate`` decorated with
    :func:`takes_item` are called as ``fn(document, item)``.
    """
    return _Runner(
        inputs,
        work,
        kind=kind,
        jobs=config.DEFAULT_JOBS if jobs is None else jobs,
        output=output,
        cache=cache,
        key_for=key_for,
        max_cost=max_cost,
        estimate=estimate,
        progress=progress,
        secrets=secrets,
    ).run()


def cache_info(*, clear: bool = False, path: str | None = None) -> str:
    """``summarizer cache [--clear]``: where the result cache is and how big (then empty it)."""
    from ..cache import ResultCache

    with ResultCache(path) as cache:
        entries, size, where = cache.stats()
        text = f"result cache: {where}\n{entries} entries, {size / 1e6:.1f} MB\n"
        if clear:
            cache.clear()
            text += f"cleared {entries} entries\n"
    return text


# --- a task over inputs, with the result cache around it ----------------------------------------------


def run_task(
    inputs: Sequence[BatchInput],
    task: Task,
    *,
    output: str | None,
    jobs: int | None = None,
    use_cache: bool = True,
    cache_path: str | None = None,
    max_cost: float | None = None,
    progress: Progress | None = None,
    secrets: Sequence[str | None] = (),
) -> BatchOutcome:
    """:func:`run_batch` of ``task`` (its work, cache key and estimate) over ``inputs``, the result cache
    (``use_cache``; ``cache_path``, default the user's) opened and closed around it. Prints nothing:
    ``progress`` draws (see :class:`~summarizer.batch.progress.ProgressBar`), the outcome is returned."""
    from ..cache import ResultCache

    cache = ResultCache(cache_path) if use_cache else None
    try:
        return run_batch(
            inputs,
            task.work,
            jobs=jobs,
            output=output,
            cache=cache,
            key_for=task.key_for,
            max_cost=max_cost,
            estimate=task.estimate,
            progress=progress,
            kind=task.kind,
            secrets=[s for s in secrets if s],
        )
    finally:
        if cache is not None:
            cache.close()


def dry_run_task(
    inputs: Sequence[BatchInput],
    task: Task,
    *,
    output: str | None = None,
    use_cache: bool = True,
    cache_path: str | None = None,
) -> DryRun:
    """:func:`~summarizer.batch.dryrun.dry_run_batch` of ``task``: what running it over ``inputs`` into
    ``output`` would cost (cached and already-done documents at no cost), calling nothing."""
    from ..cache import ResultCache

    cache = ResultCache(cache_path) if use_cache else None
    try:
        return dry_run_batch(inputs, task.estimate, cache=cache, key_for=task.key_for, output=output, kind=task.kind)
    finally:
        if cache is not None:
            cache.close()
