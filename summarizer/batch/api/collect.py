"""``summarizer batch collect``: answers in, the online batch's JSONL lines out.

1. Batches that have finished are looked at and their output and error files downloaded (once); every
   local output file (downloaded, written by ``summarizer batch run``, or by another engine such as vLLM's
   ``run-batch`` under the same name) is read into the job's answers.
2. Each document not yet in the results file is loaded again (its sha256 must not have changed), looked up
   in the result cache, and otherwise its work is driven with the answers (:mod:`~.replay`): each answer
   is validated against the schema its call asked for and grounded locally, by the online path's own code.
3. A document that finishes gets exactly the line an online batch writes (``summarizer summarize|check
   PATH... -o results.jsonl``: the same journal, the same record), and its result enters the result cache
   first, so a later online run of the same document costs no call. A document that fails gets the online
   batch's error line (and is tried again by the next collect).
4. A document that needs more answers waits. What it needs that was never sent (the merge of a long
   document's parts, a re-ask after an answer failed validation), or was sent but not run (an expired or
   cancelled batch, a 429 or 5xx line), goes into a follow-up round of request files (``r2-001.jsonl``,
   ...) for ``submit`` or ``run``; with ``online_merge`` the never-sent ones, with ``retry_online`` the
   failed and not-run ones, are asked online instead, now. A request in a batch still running is never
   asked again: the document waits for it.

Interrupted, collect loses nothing: lines already written stay (the journal resumes), answers asked online
are stored before they are used, and a follow-up round is recorded only when it is complete.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import config
from ...errors import ConfigError, InputError, SummarizerError
from ...types import Usage
from ..inputs import BatchInput
from ..journal import _Output
from ..outcome import BatchOutcome, format_outcome
from ..tasks import _call
from ..work import DocumentWork, _as_read_from
from .integrity import check_listing
from .jobs import JobSpec, endpoint_id, task_for
from .manifest import Job, JobDocument, RequestFiles
from .remote import _client, _phase, download, refresh
from .replay import Decision, Outcome, ReplayLLM, drive
from .wire import Answer, BodyEncoder, output_line, request_line

if TYPE_CHECKING:
    import openai

    from ...cache import ResultCache
    from ...llm.client import LLM
    from ...settings import Settings
    from ...text.documents import Document
    from ..progress import Progress

__all__ = ["CollectReport", "collect", "format_collect"]

log = logging.getLogger(__name__)

#: Result lines written per fsync.
_GROUP = 256


@dataclass
class CollectReport:
    """What a collect did: the run's outcome (as an online batch reports it), and what still waits."""

    outcome: BatchOutcome
    job: str
    waiting: int = 0  # documents waiting for answers
    in_flight: int = 0  # ... of which some wait for a batch (or a run) still at work
    unsent: int = 0  # ... of which some wait for requests not sent yet
    followup_files: list[dict[str, Any]] = field(default_factory=list)
    followup_requests: int = 0
    requeued: int = 0  # of those: sent before, but not run (expired, cancelled, 429/5xx)
    online_calls: int = 0
    downloaded: int = 0
    failed_requests: list[tuple[str, str, str]] = field(default_factory=list)  # (custom_id, document id, why)

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code

    def as_dict(self) -> dict[str, Any]:
        o = self.outcome
        return {
            "job": self.job,
            "output": o.output,
            "documents": o.total,
            "ok": o.done + o.resumed,
            "written_now": o.done,
            "cached": o.cached,
            "failed": [{"id": f.id, "type": f.type, "message": f.message} for f in o.failures],
            "waiting": self.waiting,
            "waiting_on_running_batches": self.in_flight,
            "followup_requests": self.followup_requests,
            "followup_files": [f["name"] for f in self.followup_files],
            "requeued": self.requeued,
            "online_calls": self.online_calls,
            "failed_requests": [
                {"custom_id": c, "document": d, "error": why} for c, d, why in self.failed_requests
            ],
            "usage": o.usage.model_dump(),
        }


def collect(
    folder: str,
    output: str | None,
    *,
    settings: Settings | None = None,
    online_merge: bool = False,
    retry_online: bool = False,
    use_cache: bool = True,
    cache_path: str | None = None,
    jobs: int = config.DEFAULT_JOBS,
    progress: Progress | None = None,
    secrets: Sequence[str] = (),
    client: openai.OpenAI | None = None,
) -> CollectReport:
    """Collect the job in ``folder`` into the results file ``output`` (JSONL; None or "-": standard output).

    ``settings`` reach the Batch API (to look at batches and download their files) and, with
    ``online_merge`` / ``retry_online``, the endpoint that answers online; ``client`` replaces the SDK
    client built from them (tests).
    """
    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1 (got {jobs})")
    with Job(folder) as job:
        check_listing(job)  # a damaged folder is reported before anything is fetched or written
        return _Collect(job, output, settings, online_merge, retry_online, use_cache, cache_path, jobs,
                        progress, secrets, client).run()  # fmt: skip


class _Collect:
    """One ``collect``: fetch the output and error files, settle every document from its answers (first
    pass), run what may go online (merges with ``--online-merge``, failures with ``--retry-online``), queue
    follow-up rounds, and write the result lines in input order.

    It stays one class of about 330 lines because every step reads and updates the same per-run state (the
    answers by custom id, the documents waiting on a follow-up round, the lines queued for writing under a
    lock, the progress and the cache); split into classes, that state would be handed around whole.
    """

    def __init__(
        self,
        job: Job,
        output: str | None,
        settings: Settings | None,
        online_merge: bool,
        retry_online: bool,
        use_cache: bool,
        cache_path: str | None,
        jobs: int,
        progress: Progress | None,
        secrets: Sequence[str],
        client: openai.OpenAI | None,
    ) -> None:
        self.job, self.settings, self.client = job, settings, client
        self.online_merge, self.retry_online = online_merge, retry_online
        self.use_cache, self.cache_path, self.jobs = use_cache, cache_path, jobs
        self.progress = progress
        self.spec = JobSpec.from_dict(job.manifest["spec"])
        self.kind = self.spec.result_kind
        self.out = _Output(output, self.kind)
        self.report = CollectReport(
            BatchOutcome(kind=self.kind, total=job.manifest.get("documents", 0), output=output), str(job.folder)
        )
        self.encoder = BodyEncoder()
        self.llm = ReplayLLM(_settings(self.spec), job.answer, decide=self._decide,
                             ask_online=self._ask_online, encoder=self.encoder)  # fmt: skip
        self.task = task_for(self.spec, self.llm)
        # the online batch's line and error line for a document (summarizer.batch.work): the same records
        self.lines = DocumentWork(self.task.work, kind=self.kind, cache=None, key_for=None, secrets=secrets)
        self.cache: ResultCache | None = None
        self.pending: list[dict[str, Any]] = []  # result lines waiting for their group's fsync
        self.online_llm: LLM | None = None
        self._online = False  # the second pass: documents that asking online moves on
        self._lines_lock = threading.Lock()  # the second pass queues lines from its threads

    # --- the run -----------------------------------------------------------------------------------

    def run(self) -> CollectReport:
        started = time.monotonic()
        self._fetch()
        for f in self.job.files:
            self.job.ingest(f["name"], "output")
            self.job.ingest(f["name"], "errors")
        if self.online_merge or self.retry_online:
            self._online_setup()
        from ...cache import ResultCache

        limits = self.job.manifest.get("limits", {})  # validated when the manifest was read
        self.writer = RequestFiles(
            self.job,
            1 + max((f["round"] for f in self.job.files), default=1),
            max_requests=limits.get("requests_per_file", config.BATCH_MAX_REQUESTS_PER_FILE),
            max_bytes=limits.get("bytes_per_file", config.BATCH_MAX_FILE_BYTES),
        )
        outcome = self.report.outcome
        finished = False
        self.out.open()
        try:
            self.cache = ResultCache(self.cache_path) if self.use_cache else None
            if self.progress is not None:
                self.progress.start(outcome.total, 0)
            deferred = self._first_pass()
            if deferred:
                self._online_pass(deferred)
            self._flush()
            finished = True
        except KeyboardInterrupt:
            outcome.interrupted = True
            self._flush()  # the lines of documents finished so far are good
            raise
        finally:
            if finished:
                self.report.followup_files = self.writer.finish()
                if self.report.followup_files:
                    self.job.files.extend(self.report.followup_files)
                    self.job.save()
            else:
                self._discard_followup()
            self.out.close()
            if self.cache is not None:
                self.cache.close()
            if self.progress is not None:
                self.progress.close()
            outcome.elapsed = time.monotonic() - started
        self.report.followup_requests = sum(f["requests"] for f in self.report.followup_files)
        return self.report

    def _fetch(self) -> None:
        """Look at the batches still running, and download what finished ones wrote."""
        remote = [f for f in self.job.files if f.get("batch_id")]
        if not remote:
            return
        if self.client is None:
            if self.settings is None:
                raise ConfigError("this job's batches are at the Batch API: collect needs its settings")
            self.client = _client(self.settings)
        refresh(self.job, self.client)
        self.report.downloaded = download(self.job, self.client)

    def _online_setup(self) -> None:
        if self.settings is None:
            raise ConfigError("--online-merge and --retry-online need model settings")
        answered_by = self.job.manifest.get("answered_by")
        here = endpoint_id(self.settings)
        if answered_by is not None and answered_by != here:
            raise ConfigError(
                f"this job's answers come from {answered_by}; online answers must come from there too "
                f"(not {here}): give --base-url (or the settings) for it"
            )

    def _first_pass(self) -> list[int]:
        """Every document with the answers at hand; returns those that asking online would move on."""
        previous = self.out.previous
        deferred: list[int] = []
        for doc in self.job.documents():
            if doc.id in previous:
                self.report.outcome.resumed += 1
                self._advance()
                continue
            item, document, outcome, key = self._process(doc)
            if outcome is None:
                continue
            if self._deferrable(outcome):
                deferred.append(doc.n)
                continue
            self._settle(doc, item, document, outcome, key)
        return deferred

    def _online_pass(self, deferred: list[int]) -> None:
        """The documents that need online answers, ``jobs`` at a time (their calls overlap)."""

        def one(n: int) -> tuple[JobDocument, BatchInput, Document | None, Outcome | None, str | None]:
            doc = self.job.document(n)
            return (doc, *self._process(doc))

        self._online = True
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="collect") as pool:
            for doc, item, document, outcome, key in pool.map(one, deferred):
                if outcome is not None:
                    self._settle(doc, item, document, outcome, key)

    # --- one document ------------------------------------------------------------------------------

    def _process(
        self, doc: JobDocument
    ) -> tuple[BatchInput, Document | None, Outcome | None, str | None]:
        """Load, look up in the cache, drive. The outcome None: the document's line is already queued."""
        item = BatchInput(id=doc.id, path=doc.path, text=doc.text, line=doc.line, extra=doc.extra)
        try:
            document = _load(doc, item)
            key = _call(self.task.key_for, document, item) if self.cache is not None else None
        except SummarizerError as exc:
            self._line(item, None, None, cached=False, error=exc)
            return item, None, None, None
        if key is not None and self.cache is not None and (hit := _cache_get(self.cache, key)) is not None:
            self._line(item, document, _as_read_from(hit, document.path), cached=True)
            return item, document, None, None
        outcome = drive(self.llm, lambda: _call(self.task.work, document, item))
        return item, document, outcome, key

    def _settle(
        self, doc: JobDocument, item: BatchInput, document: Document | None, outcome: Outcome, key: str | None
    ) -> None:
        report = self.report
        report.online_calls += outcome.trace.online
        if outcome.result is not None:
            value = outcome.result.model_dump(mode="json")
            if key is not None and self.cache is not None:
                _cache_put(self.cache, key, self.kind, value)  # before the line: a kill in between pays nothing twice
            usage = getattr(outcome.result, "usage", None)
            if isinstance(usage, Usage):
                report.outcome.add_usage(usage)
            self._line(item, document, value, cached=False)
            return
        if outcome.error is not None:
            for custom_id, answer in outcome.trace.failed:
                if len(report.failed_requests) < 100:
                    report.failed_requests.append((custom_id, doc.id, answer.describe()))
            self._line(item, document, None, cached=False, error=outcome.error)
            return
        # waiting: send what was never sent, again what was sent but not run; wait for the rest
        report.waiting += 1
        states = [self._state(custom_id, None) for custom_id, _ in outcome.trace.needed]
        report.in_flight += "in_flight" in states
        report.unsent += "unsent" in states or "unsent_followup" in states
        for (custom_id, kwargs), state in zip(outcome.trace.needed, states, strict=True):
            if state == "new":
                self.writer.add(custom_id, request_line(custom_id, self.encoder.body(kwargs)))
            elif state == "retry" and self.writer.requeue(
                custom_id, request_line(custom_id, self.encoder.body(kwargs))
            ):
                report.requeued += 1
        self._advance(waiting=True)

    def _deferrable(self, outcome: Outcome) -> bool:
        """Whether asking online (as the flags allow) would move this document on."""
        if outcome.result is not None:
            return False
        if outcome.error is not None:
            return self.retry_online and bool(outcome.trace.failed)
        return any(
            self._online_allowed(self._state(custom_id, None)) for custom_id, _ in outcome.trace.needed
        )

    # --- answers -----------------------------------------------------------------------------------

    def _state(self, custom_id: str, answer: Answer | None) -> str:
        """error (a final error answer), new, unsent (round 1 not sent yet), unsent_followup, in_flight
        (a batch or a run is at work on it), retry (its batch or run ended without a usable answer)."""
        if answer is None:
            answer = self.job.answer(custom_id)
        if answer is not None and not answer.not_run:
            return "error"
        name = self.job.request_file(custom_id)
        f = self.job.file(name) if name is not None else None
        if f is None:
            return "new"  # never sent (or written by a collect that did not finish)
        phase = _phase(f)
        if phase == "done":
            return "retry"
        if phase == "unsent":
            return "unsent" if f["round"] == 1 else "unsent_followup"
        return "in_flight"

    def _online_allowed(self, state: str) -> bool:
        if state in ("error", "retry"):
            return self.retry_online
        if state in ("new", "unsent_followup"):
            return self.online_merge
        return False

    def _decide(self, custom_id: str, answer: Answer | None) -> Decision:
        state = self._state(custom_id, answer)
        if self._online and self._online_allowed(state):
            return "online"
        return "use" if state == "error" else "need"

    def _ask_online(self, custom_id: str, kwargs: dict[str, Any]) -> Answer:
        """Ask one request online, as the online client sends it (its time limits, its turn-taking, its
        errors: :meth:`summarizer.llm.client.LLM._send`), the answer kept raw; it is stored before it is
        used."""
        import openai

        from ...llm.client import LLM, _reraise

        assert self.settings is not None
        if self.online_llm is None:  # the online client, on the SDK's raw-response view of its client
            raw_view: Any = _client(self.settings).with_raw_response
            self.online_llm = LLM(self.settings, sdk_client=raw_view)
        try:
            raw = self.online_llm._send(kwargs)
            line = output_line(custom_id, status_code=raw.http_response.status_code,
                               body=raw.http_response.json(), request_id=raw.request_id)  # fmt: skip
        except openai.APIStatusError as exc:
            body = exc.body if exc.body is not None else {"error": {"message": exc.message}}
            if isinstance(body, dict) and "error" not in body:
                body = {"error": body}
            line = output_line(custom_id, status_code=exc.status_code, body=body, request_id=exc.request_id)
        except Exception as exc:
            _reraise(exc, self.settings)
        answer = self.job.store_answer(line, online=True)
        assert answer is not None
        return dataclasses.replace(answer, online=True)

    # --- lines -------------------------------------------------------------------------------------

    def _line(
        self,
        item: BatchInput,
        document: Document | None,
        result: dict[str, Any] | None,
        *,
        cached: bool,
        error: Exception | None = None,
    ) -> None:
        """Queue the online batch's line for this document (made by :class:`summarizer.batch.work.DocumentWork`)."""
        with self._lines_lock:
            self._queue_line(item, document, result, cached=cached, error=error)

    def _queue_line(
        self,
        item: BatchInput,
        document: Document | None,
        result: dict[str, Any] | None,
        *,
        cached: bool,
        error: Exception | None,
    ) -> None:
        outcome = self.report.outcome
        failure = None
        if error is not None:
            failure = self.lines._failure(item, error)
            outcome.failed += 1
            outcome.failures.append(failure)
        else:
            outcome.done += 1
            outcome.cached += cached
        self.pending.append(self.lines._record(item, document, result, cached=cached, failure=failure))
        if len(self.pending) >= _GROUP:
            self._flush()
        self._advance()

    def _flush(self) -> None:
        if self.pending:
            records, self.pending = self.pending, []
            self.out.write_group(records)

    def _advance(self, *, waiting: bool = False) -> None:
        if self.progress is not None:
            self.progress.advance(self.report.outcome)

    def _discard_followup(self) -> None:
        """An unfinished collect records no follow-up round (the next one writes it again)."""
        import contextlib

        with contextlib.suppress(Exception):
            self.job.db.rollback()
        for f in self.writer.written:
            with contextlib.suppress(OSError):
                self.job.path(f["name"]).unlink()
        if self.writer._fh is not None:
            name = self.writer._name
            with contextlib.suppress(OSError):
                self.writer._fh.close()
                self.job.path(name).unlink()


def _settings(spec: JobSpec) -> Settings:
    from .jobs import settings_for

    return settings_for(spec)


def _load(doc: JobDocument, item: BatchInput) -> Document:
    """The document as prepared: the same text, named as the online batch names it."""
    from ...text.documents import load_document

    if doc.text is not None or doc.location is None:
        document = item.load()
    else:
        document = load_document(doc.location)
        if document.path != doc.path:
            document = dataclasses.replace(document, path=doc.path)
    if doc.sha256 is not None and document.sha256 != doc.sha256:
        raise InputError(
            f"{doc.id}: the document changed since the job was prepared (sha256 differs); prepare a new job for it"
        )
    return document


def _cache_get(cache: ResultCache, key: str) -> dict[str, Any] | None:
    import sqlite3

    try:
        return cache.get(key)
    except (sqlite3.Error, SummarizerError) as exc:
        log.warning("result cache unavailable (%s)", exc)
        return None


def _cache_put(cache: ResultCache, key: str, kind: str, value: dict[str, Any]) -> None:
    import sqlite3

    try:
        cache.put(key, kind, value)
    except (sqlite3.Error, SummarizerError) as exc:
        log.warning("could not store a result in the cache (%s)", exc)



def format_collect(report: CollectReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2) + "\n"
    text = format_outcome(report.outcome)
    if report.outcome.failures:  # the online batch's advice does not apply: say what does
        text = text.replace(
            "run the same command again to retry the failed and finish the remaining documents\n", ""
        )
    lines = [text.rstrip("\n")]
    if report.online_calls:
        lines.append(f"asked online now: {report.online_calls} request(s)")
    if report.failed_requests:
        lines.append("failed requests:")
        lines += [f"  {c} ({d}): {why}" for c, d, why in report.failed_requests[:20]]
        if len(report.failed_requests) > 20:
            lines.append(f"  ... and {len(report.failed_requests) - 20} more")
        lines.append(f"re-run them online: summarizer batch collect {report.job} -o OUTPUT --retry-online")
    if report.waiting:
        lines.append(f"waiting: {report.waiting} document(s)")
        if report.in_flight:
            lines.append(f"  {report.in_flight} wait for batches still running (`summarizer batch status {report.job}`)")
        if report.followup_files:
            names = ", ".join(f["name"] for f in report.followup_files)
            lines.append(
                f"  follow-up round: {report.followup_requests} request(s) in {names}"
                + (f" ({report.requeued} sent before but not run)" if report.requeued else "")
            )
        if report.followup_files or report.unsent:
            lines.append(
                f"  send them: `summarizer batch submit {report.job}` (or `summarizer batch run {report.job} --base-url URL`),"
                " then collect again; or collect with --online-merge to ask them online now"
            )
    elif not report.outcome.failures and not report.outcome.interrupted:
        lines.append("every document is done")
    return "\n".join(lines) + "\n"
