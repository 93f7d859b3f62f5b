"""``summarizer batch run``: a job's request files, executed against any OpenAI-compatible server.

The engine for self-hosted servers (llama.cpp's llama-server, vLLM, ...) and for tests: each request line's
body is posted to ``/chat/completions`` as it is, ``jobs`` at a time, through the openai SDK (its retries,
its JSON encoding: the bytes on the wire are the online path's), and each answer is written as the Batch
API writes it: ``r1-001.output.jsonl`` for the answered requests, ``r1-001.errors.jsonl`` for the others
(the HTTP status and body of an error, or ``request_timeout`` / ``connection_error``). ``collect`` reads
them as it reads a downloaded batch.

Resumable: lines are appended one whole line at a time and fsync'd in groups; run again, it skips every
request that already has a line (or an answer from elsewhere), and drops a torn last line first. Ctrl-C
waits for the requests in flight (their answers are written: they were paid for) and stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import config
from ...errors import ConfigError
from ..outcome import BatchOutcome
from .integrity import check_request_file, request_lines
from .manifest import Job
from .remote import _client, _mapped, bind_endpoint
from .wire import output_line

if TYPE_CHECKING:
    import openai

    from ...settings import Settings
    from ..progress import Progress

__all__ = ["RunReport", "format_run", "run"]

#: Lines appended between two fsyncs.
_FSYNC_EVERY = 64


@dataclass
class RunReport:
    job: str
    endpoint: str
    files: list[str] = field(default_factory=list)
    sent: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0  # already answered
    elapsed: float = 0.0
    interrupted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("job", "endpoint", "files", "sent", "ok", "failed", "skipped", "elapsed")}


def run(
    folder: str,
    settings: Settings,
    *,
    jobs: int = config.DEFAULT_JOBS,
    progress: Progress | None = None,
    client: openai.OpenAI | None = None,
) -> RunReport:
    """Run every request file of the job that was neither submitted nor run, against ``settings``' server."""
    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1 (got {jobs})")
    started = time.monotonic()
    with Job(folder) as job:
        todo = [f for f in job.files if not f.get("batch_id") and not f.get("ran_on") and f["requests"]]
        report = RunReport(str(job.folder), settings.endpoint)
        for f in todo:
            if f.get("intent"):
                raise ConfigError(
                    f"{f['name']} was being submitted to the Batch API; see `summarizer batch status {folder}`"
                )
        if not todo:
            return report
        for f in todo:  # a damaged file is found before anything is sent
            check_request_file(job, f)
        bind_endpoint(job, settings)
        client = client or _client(settings)
        counts = BatchOutcome(kind="requests", total=sum(f["requests"] for f in todo), output=None)
        if progress is not None:
            progress.start(counts.total, 0)
        try:
            for f in todo:
                report.files.append(f["name"])
                _run_file(job, f, client, jobs, report, counts, progress)
                f["ran_on"] = job.manifest["answered_by"]
                job.save()
        except KeyboardInterrupt:
            report.interrupted = True
            raise
        finally:
            if progress is not None:
                progress.close()
            report.elapsed = time.monotonic() - started
        return report


def _run_file(
    job: Job,
    f: dict[str, Any],
    client: openai.OpenAI,
    jobs: int,
    report: RunReport,
    counts: BatchOutcome,
    progress: Progress | None,
) -> None:
    name = f["name"]
    done = job.answered_ids(name)
    paths = {kind: job.path(name, kind) for kind in ("output", "errors")}
    for path in paths.values():
        _drop_torn_tail(path)
    files = {kind: open(path, "ab") for kind, path in paths.items()}  # noqa: SIM115 - closed below
    lock = threading.Lock()
    slots = threading.BoundedSemaphore(jobs * 2)  # requests read ahead of the answers: memory stays flat
    unsynced = [0]

    stop: list[BaseException] = []

    def write(future: Future[tuple[bool, bytes]]) -> None:
        slots.release()
        if future.cancelled():  # never sent (the run is stopping)
            return
        try:
            ok, line = future.result()
        except BaseException as exc:
            stop.append(exc)
            return
        with lock:
            fh = files["output" if ok else "errors"]
            fh.write(line)
            fh.flush()
            report.ok += ok
            report.failed += not ok
            counts.done += ok
            counts.failed += not ok
            unsynced[0] += 1
            if unsynced[0] >= _FSYNC_EVERY:
                _fsync(files.values())
                unsynced[0] = 0
            if progress is not None:
                progress.advance(counts)

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="batch-run")
    finished = False
    try:
        with contextlib.closing(request_lines(job, name)) as requests:
            for custom_id, body, _raw in requests:
                if custom_id in done or _answered(job, custom_id):
                    report.skipped += 1
                    continue
                slots.acquire()
                if stop:
                    break
                report.sent += 1
                pool.submit(_send, client, custom_id, body).add_done_callback(write)
        finished = True
    finally:
        # requests in flight finish and are written; on an interruption, those not started are not sent
        pool.shutdown(wait=True, cancel_futures=not finished)
        _fsync(files.values())
        for fh in files.values():
            fh.close()
        for path in paths.values():
            if path.exists() and path.stat().st_size == 0:
                path.unlink()
    if stop:
        with _mapped():
            raise stop[0]


def _send(client: openai.OpenAI, custom_id: str, body: dict[str, Any]) -> tuple[bool, bytes]:
    """Post one request body as it is; its answer (or why there is none) as a batch output line."""
    import httpx2
    import openai

    try:
        response = client.post("/chat/completions", body=body, cast_to=httpx2.Response)
    except (openai.AuthenticationError, openai.PermissionDeniedError):
        raise  # every other request would be refused too: the run stops
    except openai.APIStatusError as exc:
        return False, output_line(
            custom_id, status_code=exc.status_code, body=_body_of(exc.response), request_id=exc.request_id
        )
    except openai.APITimeoutError as exc:
        return False, output_line(custom_id, status_code=None, error=("request_timeout", str(exc)))
    except openai.APIConnectionError:
        raise  # the server cannot be reached (after the SDK's retries): the run stops, run it again later
    return True, output_line(
        custom_id, status_code=response.status_code, body=_body_of(response),
        request_id=response.headers.get("x-request-id"),
    )  # fmt: skip


def _body_of(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _answered(job: Job, custom_id: str) -> bool:
    answer = job.answer(custom_id)
    return answer is not None and not answer.not_run


def _drop_torn_tail(path: Any) -> None:
    """Cut a last line without its newline (a run killed mid-write): it is asked again."""
    if not path.exists():
        return
    with open(path, "rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        fh.seek(max(0, size - 65536))
        tail = fh.read()
        if tail.endswith(b"\n"):
            return
        cut = tail.rfind(b"\n")
        if cut < 0 and size > 65536:
            fh.seek(0)
            data = fh.read()
            cut_at = data.rfind(b"\n") + 1
        else:
            cut_at = size - len(tail) + cut + 1
        fh.truncate(cut_at)


def _fsync(files: Any) -> None:
    for fh in files:
        fh.flush()
        os.fsync(fh.fileno())


def format_run(report: RunReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2) + "\n"
    if not report.files:
        return f"{report.job}: nothing to run (every request file was run or submitted)\n"
    text = (
        f"ran {', '.join(report.files)} on {report.endpoint}: {report.sent} request(s) sent, {report.ok} answered, "
        f"{report.failed} failed, {report.skipped} already answered, {report.elapsed:.1f} s\n"
    )
    if not report.interrupted:
        text += f"next: summarizer batch collect {report.job} -o results.jsonl\n"
    return text

