"""``summarizer batch submit | status | cancel``, and the downloads of ``collect``: the Files and Batches
endpoints, through the openai SDK (``files.create(purpose="batch")``, ``batches.create``,
``batches.retrieve``, ``batches.cancel``, ``files.content``).

Rerun-safe: each request file becomes one uploaded file and one batch, whatever happens.

* Before an upload or a batch creation, the intent is written to the manifest; after it, the id. The two
  creating calls are made with the SDK's retries off: a retried ``POST /batches`` whose first attempt
  reached the server would start a second batch, and pay twice.
* A command that finds an intent without its id (it was interrupted, or the answer was lost) looks for
  the object first: the uploaded file by its name (unique to the job, :meth:`Job.upload_name`) and size,
  the batch by its metadata (``summarizer_job``, ``summarizer_file``) and input file. Found, it is adopted;
  only when it is not there is it created.
* Submitting a job whose files are all submitted does nothing; ``status`` and ``cancel`` only read and
  cancel what is recorded.
* Before a file is uploaded, requests answered meanwhile (online, by ``collect --retry-online``) are taken
  out of it: a request with an answer is never sent again.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import config
from ...errors import ConfigError
from ...llm.error_map import map_error
from .integrity import check_request_file, request_lines
from .jobs import endpoint_id
from .manifest import TERMINAL, Job, _atomic_write

if TYPE_CHECKING:
    import openai

    from ...settings import Settings

__all__ = ["JobStatus", "bind_endpoint", "cancel", "download", "format_status", "refresh", "status", "submit"]

log = logging.getLogger(__name__)

#: How far back (seconds) a lost upload or batch is looked for, before the time its intent was recorded.
_CLOCK_SLACK = 600


def _client(settings: Settings) -> openai.OpenAI:
    from ...llm.client import LLM

    return LLM(settings).client


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    """SDK errors as the library's errors (auth, connection, rate limit, ...)."""
    try:
        yield
    except ConfigError:
        raise
    except Exception as exc:
        import openai

        mapped = map_error(exc) if isinstance(exc, openai.OpenAIError) else None
        if mapped is None:
            raise
        raise mapped from exc


def bind_endpoint(job: Job, settings: Settings) -> None:
    """Record where this job's answers come from (the cache keys name it). It may change until the first
    answer arrives; then it is fixed, and another endpoint is refused (its answers would be cached under the
    wrong name)."""
    spec = job.manifest["spec"]
    here = endpoint_id(settings)
    if spec.get("endpoint") == here:
        if job.manifest.get("answered_by") is None:
            job.manifest["answered_by"] = here
        return
    if job.manifest.get("answered_by") not in (None, here):
        raise ConfigError(
            f"this job's requests went to {job.manifest['answered_by']}; they cannot go to {here} as well "
            "(prepare another job for it)"
        )
    spec["endpoint"] = here
    job.manifest["answered_by"] = here
    job.save()


# --- submit -------------------------------------------------------------------------------------------


def submit(folder: str, settings: Settings, *, client: openai.OpenAI | None = None) -> list[dict[str, Any]]:
    """Upload every request file not yet submitted and start its batch. Returns the files submitted now."""
    with Job(folder) as job:
        pending = [f for f in job.files if not f.get("batch_id") and not f.get("ran_on") and f["requests"]]
        if not pending:
            return []
        for f in pending:  # nothing is uploaded from a damaged job
            if not f.get("input_file_id"):
                check_request_file(job, f)
        bind_endpoint(job, settings)
        client = client or _client(settings)
        once = client.with_options(max_retries=0)  # never retried blindly: see the module docstring
        submitted = []
        with _mapped():
            for f in pending:
                if not f.get("input_file_id"):
                    _upload(job, f, client, once)
                if not f.get("batch_id"):
                    _create(job, f, client, once)
                submitted.append(f)
        return submitted


def _upload(job: Job, f: dict[str, Any], client: openai.OpenAI, once: openai.OpenAI) -> None:
    name = job.upload_name(f["name"])
    if f.get("intent") == "upload":
        found = _find_file(client, name, f["bytes"], since=f.get("intent_at", 0) - _CLOCK_SLACK)
        if found is not None:
            log.info("%s: adopting the upload %s of an interrupted submit", f["name"], found)
            f.update(input_file_id=found, intent=None)
            job.save()
            return
    job.ingest(f["name"], "output")  # a `batch run` interrupted on this file answered some of it
    job.ingest(f["name"], "errors")
    _prune_answered(job, f)
    if not f["requests"]:
        return
    f.update(intent="upload", intent_at=time.time())
    job.save()
    with open(job.path(f["name"]), "rb") as fh:
        uploaded = once.files.create(file=(name, fh, "application/jsonl"), purpose="batch")
    f.update(input_file_id=uploaded.id, intent=None)
    job.save()


def _create(job: Job, f: dict[str, Any], client: openai.OpenAI, once: openai.OpenAI) -> None:
    if not f.get("input_file_id"):
        return
    metadata = {"summarizer_job": job.manifest["job_id"], "summarizer_file": f["name"]}
    if f.get("intent") == "create":
        found = _find_batch(client, metadata, f["input_file_id"], since=f.get("intent_at", 0) - _CLOCK_SLACK)
        if found is not None:
            log.info("%s: adopting the batch %s of an interrupted submit", f["name"], found.id)
            _record(f, found)
            f["intent"] = None
            job.save()
            return
    f.update(intent="create", intent_at=time.time())
    job.save()
    batch = once.batches.create(
        input_file_id=f["input_file_id"],
        endpoint=config.BATCH_ENDPOINT,  # type: ignore[arg-type]
        completion_window=config.BATCH_COMPLETION_WINDOW,  # type: ignore[arg-type]
        metadata=metadata,
    )
    _record(f, batch)
    f["intent"] = None
    job.save()


def _find_file(client: openai.OpenAI, name: str, size: int, *, since: float) -> str | None:
    for item in client.files.list(purpose="batch"):
        if item.filename == name and item.bytes == size:
            return str(item.id)
        if item.created_at < since:
            break
    return None


def _find_batch(client: openai.OpenAI, metadata: dict[str, str], input_file_id: str, *, since: float) -> Any:
    for batch in client.batches.list(limit=100):
        meta = batch.metadata or {}
        if batch.input_file_id == input_file_id and all(meta.get(k) == v for k, v in metadata.items()):
            return batch
        if batch.created_at < since:
            break
    return None


def _prune_answered(job: Job, f: dict[str, Any]) -> None:
    """Take requests that have an answer out of a file before it is sent (a request is never sent twice)."""
    path = job.path(f["name"])
    keep: list[bytes] = []
    dropped = 0
    for custom_id, _body, raw in request_lines(job, f["name"]):
        answer = job.answer(custom_id)
        if answer is not None and not answer.not_run:
            dropped += 1
        else:
            keep.append(raw)
    if not dropped:
        return
    import hashlib

    data = b"".join(keep)
    _atomic_write(path, data)
    f.update(requests=len(keep), bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    log.info("%s: %d request(s) already answered, left out", f["name"], dropped)
    job.save()


def _record(f: dict[str, Any], batch: Any) -> None:
    counts = batch.request_counts
    errors = [
        {"code": e.code, "message": e.message, "line": e.line}
        for e in ((batch.errors.data or []) if batch.errors else [])
    ]
    f.update(
        batch_id=batch.id,
        batch_status=batch.status,
        counts=None if counts is None else {"total": counts.total, "completed": counts.completed, "failed": counts.failed},
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        batch_errors=errors[:20],
    )


# --- status and cancel --------------------------------------------------------------------------------


@dataclass
class JobStatus:
    folder: str
    model: str
    documents: int
    files: list[dict[str, Any]]
    answered: int = 0
    failed_answers: int = 0
    requests: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """Nothing is running: every batch has finished (and no upload or creation is half done)."""
        return all(
            (f.get("batch_status") in TERMINAL) if f.get("batch_id") else not f.get("intent") for f in self.files
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.folder,
            "model": self.model,
            "documents": self.documents,
            "requests": self.requests,
            "answered": self.answered,
            "failed": self.failed_answers,
            "settled": self.settled,
            "files": [
                {k: f.get(k) for k in ("name", "round", "requests", "batch_id", "batch_status", "counts", "ran_on")}
                | {"phase": _phase(f)}
                for f in self.files
            ],
        }


def _phase(f: dict[str, Any]) -> str:
    """unsent (waiting for submit or run), in_flight (a batch or a run is at work), done."""
    if not f.get("requests"):
        return "done"  # every request in it was answered before it was sent
    if f.get("batch_id"):
        return "done" if f.get("batch_status") in TERMINAL and f.get("downloaded") else "in_flight"
    if f.get("ran_on"):
        return "done"
    if f.get("intent"):
        return "in_flight"
    return "unsent"


def refresh(job: Job, client: openai.OpenAI) -> None:
    """Look at every batch not yet finished; record its status, counts and files."""
    with _mapped():
        for f in job.files:
            if f.get("batch_id") and f.get("batch_status") not in TERMINAL:
                _record(f, client.batches.retrieve(f["batch_id"]))
                job.save()


def status(
    folder: str,
    settings: Settings | None,
    *,
    client: openai.OpenAI | None = None,
    wait: bool = False,
    interval: float = config.BATCH_POLL_SECONDS,
    on_poll: Callable[[JobStatus], None] | None = None,
) -> JobStatus:
    """The job's files and batches, their statuses looked up now; ``wait``: until none is running, looking
    every ``interval`` seconds (above 0: a wait that does not sleep would poll the API without pause)."""
    if wait and not (math.isfinite(interval) and interval > 0):
        raise ConfigError(f"--interval must be a number of seconds above 0 (got {interval!r})")
    with Job(folder) as job:
        remote = any(f.get("batch_id") for f in job.files)
        if remote and settings is not None:
            client = client or _client(settings)
        while True:
            if remote and client is not None:
                refresh(job, client)
            st = _status_of(job)
            if on_poll is not None:
                on_poll(st)
            if not wait or all(f.get("batch_status") in TERMINAL for f in job.files if f.get("batch_id")):
                return st
            time.sleep(interval)


def _status_of(job: Job) -> JobStatus:
    db = job.db
    (answered,) = db.execute("SELECT COUNT(*) FROM answers WHERE ok = 1").fetchone()
    (failed,) = db.execute("SELECT COUNT(*) FROM answers WHERE ok = 0").fetchone()
    st = JobStatus(
        folder=str(job.folder),
        model=job.manifest["spec"]["model"],
        documents=job.manifest.get("documents", 0),
        files=job.files,
        answered=int(answered),
        failed_answers=int(failed),
        requests=sum(f["requests"] for f in job.files),
    )
    for f in job.files:
        for e in f.get("batch_errors") or []:
            st.notes.append(f"{f['name']}: {e.get('code')}: {e.get('message')}")
    return st


def cancel(folder: str, settings: Settings, *, client: openai.OpenAI | None = None) -> list[dict[str, Any]]:
    """Cancel every batch of the job still running (a cancelled one keeps its partial answers)."""
    with Job(folder) as job:
        running = [
            f for f in job.files if f.get("batch_id") and f.get("batch_status") not in TERMINAL | {"cancelling"}
        ]
        if not running:
            return []
        client = client or _client(settings)
        with _mapped():
            for f in running:
                _record(f, client.batches.cancel(f["batch_id"]))
                job.save()
        return running


# --- downloads (for collect) --------------------------------------------------------------------------


def download(job: Job, client: openai.OpenAI) -> int:
    """Fetch the output and error files of every finished batch not yet fetched. Returns the files fetched."""
    fetched = 0
    with _mapped():
        for f in job.files:
            if not f.get("batch_id") or f.get("batch_status") not in TERMINAL or f.get("downloaded"):
                continue
            for file_id, kind in ((f.get("output_file_id"), "output"), (f.get("error_file_id"), "errors")):
                if file_id:
                    _fetch(client, file_id, job.path(f["name"], kind))
                    fetched += 1
            f["downloaded"] = True
            job.save()
    return fetched


def _fetch(client: openai.OpenAI, file_id: str, target: Any) -> None:
    """Stream a file's content to ``target`` (a temporary file renamed into place: never half a file)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, client.files.with_streaming_response.content(file_id) as response:
            for chunk in response.iter_bytes():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def format_status(st: JobStatus, fmt: str = "text") -> str:
    import json

    if fmt == "json":
        return json.dumps(st.as_dict(), indent=2) + "\n"
    lines = [f"{st.folder}: {st.documents} document(s), {st.requests} request(s) in {len(st.files)} file(s), model {st.model}"]
    for f in st.files:
        counts = f.get("counts") or {}
        where = (
            f"batch {f['batch_id']} {f.get('batch_status')}"
            + (f", {counts.get('completed', 0)}/{counts.get('total', 0)} done, {counts.get('failed', 0)} failed" if counts else "")
            if f.get("batch_id")
            else f"run on {f['ran_on']}" if f.get("ran_on") else "not sent yet" if _phase(f) == "unsent" else "being sent"
        )
        lines.append(f"  {f['name']}  round {f['round']}  {f['requests']} request(s)  {where}")
    lines.append(f"answers received: {st.answered} ok, {st.failed_answers} failed")
    lines += [f"  {note}" for note in st.notes]
    unsent = sum(_phase(f) == "unsent" for f in st.files)
    if not st.settled:
        lines.append("still running")
    elif unsent:
        lines.append(f"{unsent} file(s) not sent yet: `summarizer batch submit` (or `batch run`) them")
    else:
        lines.append("every batch has finished: `summarizer batch collect` the results")
    return "\n".join(lines) + "\n"
