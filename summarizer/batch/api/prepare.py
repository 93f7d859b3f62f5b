"""``summarizer batch prepare``: documents in, a job folder of Batch API request files out.

Each document is loaded as the online batch loads it, skipped if its result is cached, estimated with the
online batch's estimate (priced at batch prices), and its work is driven (:mod:`~.replay`) with no answers
at all: what it asks for first is its round-1 requests. A document that fits the model's context window
asks one request; a longer one asks one per part (the merge comes in a follow-up round, at collect). The
request lines are written as they come (memory stays flat in the number of documents) into files split at
the API's limits (requests and bytes per file); a request two documents share is written once.

The manifest is written last: a prepare interrupted before it leaves no job, and running it again starts
over (nothing of it was sent). Run again on a prepared job, with the same inputs and options, it changes
nothing and prints what it prepared.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ... import pricing
from ...errors import ConfigError, InputError, SummarizerError
from ..inputs import collect_inputs
from ..outcome import BatchOutcome
from ..tasks import _call, check_require_claims
from .integrity import LISTING
from .jobs import JobSpec, task_for
from .manifest import FORMAT, Job, JobDocument, RequestFiles, default_limits
from .replay import ReplayLLM, drive
from .wire import BodyEncoder, request_line

if TYPE_CHECKING:
    from ..progress import Progress

__all__ = ["PrepareReport", "format_prepare", "prepare"]


@dataclass
class PrepareReport:
    """What a prepare wrote (or found already written)."""

    folder: str
    model: str
    documents: int = 0
    requests: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)
    cached: int = 0
    ready: int = 0  # documents that need no model call at all (collect writes them)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, message): collect writes their error
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0  # at batch prices
    online_cost_usd: float | None = 0.0
    already: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.folder,
            "model": self.model,
            "documents": self.documents,
            "requests": self.requests,
            "files": [{k: f[k] for k in ("name", "requests", "bytes")} for f in self.files],
            "cached": self.cached,
            "ready": self.ready,
            "failed": [{"id": i, "error": m} for i, m in self.failed],
            "prompt_tokens": self.prompt_tokens,
            "estimated_completion_tokens": self.completion_tokens,
            "estimated_cost_usd": self.cost_usd,
            "estimated_online_cost_usd": self.online_cost_usd,
            "already_prepared": self.already,
        }


def prepare(
    specs: Sequence[str],
    folder: str,
    spec: JobSpec,
    *,
    use_cache: bool = True,
    cache_path: str | None = None,
    max_requests: int | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> PrepareReport:
    """Write the job folder ``folder`` for the documents ``specs`` (files, folders, globs, JSONL)."""
    default_requests, default_bytes = default_limits()
    max_requests = default_requests if max_requests is None else max_requests
    max_bytes = default_bytes if max_bytes is None else max_bytes
    if max_requests < 1 or max_bytes < 1024:  # 0 too: a limit given is a limit, never "the default"
        raise ConfigError(
            f"a batch file must hold at least one request and 1 KB (got --max-requests-per-file {max_requests}, "
            f"--max-file-bytes {max_bytes})"
        )
    if "-" in specs:
        raise InputError("standard input cannot go into a batch job (collect reads the documents again): save it to a file")
    inputs = collect_inputs(specs)
    if spec.kind == "check":  # "nothing to check" for the whole job, as the online check batch says it
        check_require_claims(inputs, claims=spec.claims, summary=spec.summary)
    fingerprint = _fingerprint(specs, spec, max_requests, max_bytes)
    with Job(folder, create=True) as job:
        if job.prepared:
            if job.manifest.get("fingerprint") != fingerprint:
                raise ConfigError(
                    f"{folder} holds a job prepared from other inputs or options; choose another folder"
                )
            return _report_of(job, already=True)
        job.reset_state()  # an interrupted prepare left no manifest: start over
        return _prepare(job, inputs, spec, fingerprint, specs, use_cache, cache_path, max_requests,
                        max_bytes, progress)  # fmt: skip


def _prepare(
    job: Job,
    inputs: list[Any],
    spec: JobSpec,
    fingerprint: str,
    specs: Sequence[str],
    use_cache: bool,
    cache_path: str | None,
    max_requests: int,
    max_bytes: int,
    progress: Progress | None,
) -> PrepareReport:
    from ...cache import ResultCache

    llm = ReplayLLM(_settings(spec), lambda custom_id: None)
    task = task_for(spec, llm)
    encoder = BodyEncoder()
    report = PrepareReport(folder=str(job.folder), model=spec.model, documents=len(inputs))
    writer = RequestFiles(job, 1, max_requests=max_requests, max_bytes=max_bytes)
    cache = ResultCache(cache_path) if use_cache else None
    listing = open(job.folder / LISTING, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    costs: list[float | None] = []
    online_costs: list[float | None] = []
    counts = BatchOutcome(kind=spec.result_kind, total=len(inputs), output=None)
    if progress is not None:
        progress.start(len(inputs), 0)
    try:
        for n, item in enumerate(inputs):
            entry: dict[str, Any] = {"n": n, "id": item.id, "path": item.path, "sha256": None, "requests": []}
            location = None if item.text is not None else os.path.abspath(item.path)
            try:
                document = item.load()
            except SummarizerError as exc:
                report.failed.append((item.id, exc.message))
                entry["error"] = exc.message
                job.add_document(JobDocument(n, item.id, item.path, item.line, location, item.text,
                                             dict(item.extra), None))  # fmt: skip
                _advance(progress, counts, failed=True)
                listing.write(json.dumps(entry, ensure_ascii=False) + "\n")
                continue
            entry["sha256"] = document.sha256
            job.add_document(JobDocument(n, item.id, item.path, item.line, location, item.text,
                                         dict(item.extra), document.sha256))  # fmt: skip
            key = _call(task.key_for, document, item) if cache is not None else None
            if key is not None and cache is not None and cache.get(key) is not None:
                report.cached += 1
                entry["cached"] = True
                _advance(progress, counts, cached=True)
                listing.write(json.dumps(entry, ensure_ascii=False) + "\n")
                continue
            outcome = drive(llm, lambda document=document, item=item: _call(task.work, document, item))  # type: ignore[misc]
            if outcome.error is not None:
                message = outcome.error.message if isinstance(outcome.error, SummarizerError) else str(outcome.error)
                report.failed.append((item.id, message))
                entry["error"] = message
                _advance(progress, counts, failed=True)
            else:
                if outcome.result is not None:
                    report.ready += 1
                estimate = _call(task.estimate, document, item)
                p, c, cost = estimate.prompt_tokens, estimate.completion_tokens, estimate.cost_usd
                report.prompt_tokens += p
                report.completion_tokens += c
                online_costs.append(cost)
                costs.append(pricing.estimate_cost(spec.model, p, c, batch=True) if cost else cost)
                for custom_id, kwargs in outcome.trace.needed:
                    entry["requests"].append(custom_id)
                    if writer.add(custom_id, request_line(custom_id, encoder.body(kwargs))):
                        report.requests += 1
                _advance(progress, counts)
            listing.write(json.dumps(entry, ensure_ascii=False) + "\n")
            if n % 512 == 511:
                job.db.commit()
        report.files = writer.finish()
        listing.flush()
        os.fsync(listing.fileno())
    finally:
        listing.close()
        if cache is not None:
            cache.close()
        if progress is not None:
            progress.close()
    report.cost_usd = _total(costs)
    report.online_cost_usd = _total(online_costs)
    job.manifest = _manifest(job, spec, fingerprint, specs, report, max_requests, max_bytes)
    job.save()
    return report


def _advance(progress: Progress | None, counts: BatchOutcome, *, failed: bool = False, cached: bool = False) -> None:
    if failed:
        counts.failed += 1
    else:
        counts.done += 1
        counts.cached += cached
    if progress is not None:
        progress.advance(counts)


def _total(costs: list[float | None]) -> float | None:
    if any(c is None for c in costs):
        return None
    return round(sum(c or 0.0 for c in costs), 8)


def _settings(spec: JobSpec) -> Any:
    from .jobs import settings_for

    return settings_for(spec)


def _fingerprint(specs: Sequence[str], spec: JobSpec, max_requests: int, max_bytes: int) -> str:
    data = {
        "inputs": [os.path.abspath(s) for s in specs],
        "spec": {k: v for k, v in spec.as_dict().items() if k != "endpoint"},
        "limits": [max_requests, max_bytes],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def _prompt_versions(spec: JobSpec) -> dict[str, str]:
    from ...llm.prompts import load_prompt

    names = ["summarize", "merge"] if spec.kind == "summarize" else []
    if spec.kind == "check" or spec.verify:
        names += ["check", "decompose"]
    return {name: load_prompt(name).version for name in names}


def _manifest(
    job: Job,
    spec: JobSpec,
    fingerprint: str,
    specs: Sequence[str],
    report: PrepareReport,
    max_requests: int,
    max_bytes: int,
) -> dict[str, Any]:
    from ...version import get_version

    return {
        "format": FORMAT,
        "job_id": uuid.uuid4().hex,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tool_version": get_version(),
        "fingerprint": fingerprint,
        "inputs": list(specs),
        "cwd": os.getcwd(),
        "spec": spec.as_dict(),
        "prompts": _prompt_versions(spec),
        "limits": {"requests_per_file": max_requests, "bytes_per_file": max_bytes},
        "documents": report.documents,
        "cached": report.cached,
        "ready": report.ready,
        "failed": [{"id": i, "error": m} for i, m in report.failed],
        "estimate": {
            "prompt_tokens": report.prompt_tokens,
            "completion_tokens": report.completion_tokens,
            "cost_usd_batch": report.cost_usd,
            "cost_usd_online": report.online_cost_usd,
        },
        "answered_by": None,
        "prepared_at": time.time(),
        "files": report.files,
    }


def _report_of(job: Job, *, already: bool) -> PrepareReport:
    m = job.manifest
    estimate = m.get("estimate", {})
    round1 = [f for f in job.files if f["round"] == 1]
    return PrepareReport(
        folder=str(job.folder),
        model=m["spec"]["model"],
        documents=m.get("documents", 0),
        requests=sum(f["requests"] for f in round1),
        files=round1,
        cached=m.get("cached", 0),
        ready=m.get("ready", 0),
        failed=[(f["id"], f["error"]) for f in m.get("failed", [])],
        prompt_tokens=estimate.get("prompt_tokens", 0),
        completion_tokens=estimate.get("completion_tokens", 0),
        cost_usd=estimate.get("cost_usd_batch"),
        online_cost_usd=estimate.get("cost_usd_online"),
        already=already,
    )


def format_prepare(report: PrepareReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2) + "\n"

    def money(cost: float | None) -> str:
        return "unknown (no price for this model)" if cost is None else f"${cost:.4f}"

    files = len(report.files)
    lines = [
        ("already prepared" if report.already else "prepared")
        + f" {report.folder}: {report.documents} document(s) → {report.requests} request(s) in {files} "
        f"file{'s' if files != 1 else ''} (round 1), model {report.model}"
    ]
    notes = []
    if report.cached:
        notes.append(f"{report.cached} cached (no request)")
    if report.ready:
        notes.append(f"{report.ready} need no model call")
    if report.failed:
        notes.append(f"{len(report.failed)} cannot run")
    if notes:
        lines.append("  " + "; ".join(notes))
    for doc_id, message in report.failed[:10]:
        lines.append(f"  {doc_id}: {message}")
    lines.append(
        f"estimated {report.prompt_tokens:,} prompt + about {report.completion_tokens:,} completion tokens: "
        f"{money(report.cost_usd)} at batch prices ({money(report.online_cost_usd)} online)"
    )
    lines.append(
        f"next: summarizer batch submit {report.folder}   "
        f"(or on any OpenAI-compatible server: summarizer batch run {report.folder} --base-url URL)"
    )
    return "\n".join(lines) + "\n"
