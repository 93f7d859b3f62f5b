"""``summarizer batch prepare|submit|status|cancel|collect|run``: the Batch API commands (parse, call, print).

The library side is :mod:`summarizer.batch.api`; this module only defines the arguments, resolves the model
settings as every other command does, calls the library and prints its report.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from .. import config
from ..report.terminal import terminal_safe
from .parser import _seconds

__all__ = ["add_batch_parser", "cmd_batch"]


def add_batch_parser(sub: Any) -> None:
    """Register ``summarizer batch ACTION ...`` on the top-level subparsers."""
    b = sub.add_parser(
        "batch",
        help="run a corpus through the OpenAI Batch API (half price, within 24 h), or any engine that reads its files",
        description="Prepare Batch API request files for a corpus, submit them, follow them, and collect "
        "the answers into the same JSONL lines an online batch writes. See docs/batch-api.md.",
    )
    actions = b.add_subparsers(dest="batch_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser, *, model: bool = True) -> None:
        if model:
            p.add_argument("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)")
        p.add_argument("-f", "--format", choices=["text", "json"], help="report format (default: text)")
        p.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr (-vv: debug)")

    p = actions.add_parser("prepare", help="write the job folder: request files, manifest, estimate")
    p.add_argument("inputs", nargs="+", help="files, folders, globs, JSONL of {id, text} (as for a batch)")
    p.add_argument("-o", "--output", required=True, metavar="JOB", help="the job folder to write")
    p.add_argument("-m", "--model", help="model name (default: gpt-4o-mini with an API key, else the local model)")
    p.add_argument("--verify", action="store_true", help="summaries that check their own claims")
    p.add_argument("--check", action="store_true", help="a check job: --claim/--claims/--summary against each document")
    p.add_argument("--claim", action="append", default=[], help="(check) a claim to check (repeatable)")
    p.add_argument("--claims", metavar="FILE", help="(check) claims: one per line, a JSON list, or JSONL")
    p.add_argument("--summary", metavar="FILE", help="(check) free text to decompose into claims and check")
    p.add_argument("--mode", choices=["hybrid", "local", "model"], default="hybrid", help="(check) as `summarizer check`")
    p.add_argument("--split", choices=["model", "sentences"], help="(check) as `summarizer check`")
    p.add_argument("--no-cache", action="store_true", help="prepare requests for cached documents too")
    p.add_argument("--max-requests-per-file", type=int, metavar="N",
                   help=f"split request files at N requests (default {config.BATCH_MAX_REQUESTS_PER_FILE}, the API's limit)")  # fmt: skip
    p.add_argument("--max-file-bytes", type=int, metavar="BYTES",
                   help=f"split request files at BYTES (default {config.BATCH_MAX_FILE_BYTES}, under the API's 200 MB)")  # fmt: skip
    common(p)

    s = actions.add_parser("submit", help="upload the request files and start their batches (safe to rerun)")
    s.add_argument("job", help="the job folder")
    common(s)

    st = actions.add_parser("status", help="the job's batches: status, counts (a progress bar on a terminal)")
    st.add_argument("job", help="the job folder")
    st.add_argument("--wait", action="store_true", help="look again until every batch has finished")
    st.add_argument("--interval", type=_seconds, default=config.BATCH_POLL_SECONDS, metavar="S",
                    help=f"seconds between looks with --wait (default {config.BATCH_POLL_SECONDS:g})")  # fmt: skip
    common(st)

    c = actions.add_parser("cancel", help="cancel the job's running batches (their partial answers are kept)")
    c.add_argument("job", help="the job folder")
    common(c)

    co = actions.add_parser("collect", help="answers → the online batch's JSONL lines, cached; follow-up rounds")
    co.add_argument("job", help="the job folder")
    co.add_argument("-o", "--output", help="the results file (JSONL, resumed like an online batch's; default stdout)")
    co.add_argument("--online-merge", action="store_true",
                    help="ask follow-up requests (merges of long documents, re-asks, --verify's checks) online now, "
                    "not in a follow-up batch")  # fmt: skip
    co.add_argument("--retry-online", action="store_true",
                    help="ask the failed requests (error lines, expired or cancelled batches) online now")  # fmt: skip
    co.add_argument("--submit", action="store_true", help="submit the follow-up round to the Batch API right away")
    co.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    co.add_argument("-j", "--jobs", type=int, default=config.DEFAULT_JOBS, help="online requests in flight at once")
    common(co)

    r = actions.add_parser("run", help="execute the request files on any OpenAI-compatible server (vLLM, llama-server)")
    r.add_argument("job", help="the job folder")
    r.add_argument("-j", "--jobs", type=int, default=config.DEFAULT_JOBS, help="requests in flight at once")
    common(r)


def cmd_batch(args: argparse.Namespace) -> int:
    handler = {
        "prepare": _prepare,
        "submit": _submit,
        "status": _status,
        "cancel": _cancel,
        "collect": _collect,
        "run": _run,
    }[args.batch_command]
    return handler(args)


def _say(text: str, *, err: bool = False) -> None:
    """A line (or a report) for the user, control characters shown, not obeyed (as every command's)."""
    (sys.stderr if err else sys.stdout).write(terminal_safe(text if text.endswith("\n") else text + "\n"))


def _fmt(args: argparse.Namespace) -> str:
    return str(args.format or "text")


def _job_settings(args: argparse.Namespace) -> Any:
    """The settings for a job's commands: the environment (and --base-url), with the job's model."""
    from ..batch.api.manifest import read_manifest
    from ..settings import resolve_settings

    model = read_manifest(args.job)["spec"]["model"]  # validated: a damaged manifest is a one-line error
    return resolve_settings(model, getattr(args, "base_url", None))


def _prepare(args: argparse.Namespace) -> int:
    from ..batch.api import JobSpec, format_prepare, prepare
    from ..batch.api.jobs import endpoint_id
    from ..batch.progress import ProgressBar
    from ..errors import ConfigError
    from ..pipeline.claims import default_split, read_claims
    from ..settings import resolve_settings

    settings = resolve_settings(args.model, args.base_url)
    claims = list(args.claim) + (read_claims(args.claims) if args.claims else [])
    summary = None
    if args.summary:
        from ..text.documents import load_document

        summary = load_document(args.summary).text
    if not args.check and (claims or summary is not None):
        raise ConfigError("--claim, --claims and --summary make a check job: add --check")
    if args.check and args.verify:
        raise ConfigError("--verify is for summaries; a check job checks the claims it is given")
    spec = JobSpec(
        kind="check" if args.check else "summarize",
        model=settings.model,
        endpoint=endpoint_id(settings),
        verify=args.verify,
        claims=tuple(claims),
        summary=summary,
        mode=args.mode,
        split=default_split(args.mode, args.split),
    )
    report = prepare(
        args.inputs,
        args.output,
        spec,
        use_cache=not args.no_cache,
        max_requests=args.max_requests_per_file,
        max_bytes=args.max_file_bytes,
        progress=ProgressBar(desc="prepare"),
    )
    _say(format_prepare(report, _fmt(args)))
    return 0


def _api_settings(args: argparse.Namespace) -> Any:
    """Settings for the Batch API itself (the bundled local server has none)."""
    from ..errors import ConfigError

    settings = _job_settings(args)
    if settings.local:
        raise ConfigError(
            "the Batch API needs OPENAI_API_KEY (or --base-url of a server with /files and /batches); "
            f"to run the requests on another server: summarizer batch run {args.job} --base-url URL"
        )
    return settings


def _submit(args: argparse.Namespace) -> int:
    from ..batch.api import submit

    submitted = submit(args.job, _api_settings(args))
    if _fmt(args) == "json":
        import json

        _say(json.dumps([{k: f.get(k) for k in ("name", "batch_id", "batch_status")} for f in submitted], indent=2))
    elif submitted:
        for f in submitted:
            _say(f"{f['name']}: {f['requests']} request(s) → batch {f['batch_id']} ({f['batch_status']})")
        _say(f"follow it: summarizer batch status {args.job} --wait; then: summarizer batch collect {args.job} -o results.jsonl")
    else:
        _say(f"{args.job}: nothing to submit (every request file was submitted or run)")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ..batch.api import format_status, status
    from ..batch.api.remote import JobStatus

    bar = _StatusBar() if sys.stderr.isatty() else None

    def on_poll(st: JobStatus) -> None:
        if bar is not None:
            bar.show(st)

    try:
        st = status(args.job, _job_settings(args), wait=args.wait, interval=args.interval, on_poll=on_poll)
    finally:
        if bar is not None:
            bar.close()
    _say(format_status(st, _fmt(args)))
    return 0


class _StatusBar:
    """Requests done / total over the job's batches, on stderr (a terminal only)."""

    def __init__(self) -> None:
        self._bar: Any = None

    def show(self, st: Any) -> None:
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

        total = sum(((f.get("counts") or {}).get("total") or f["requests"]) for f in st.files) or 1
        done = sum(((f.get("counts") or {}).get("completed") or 0) + ((f.get("counts") or {}).get("failed") or 0)
                   for f in st.files)  # fmt: skip
        if self._bar is None:
            self._bar = tqdm(total=total, file=sys.stderr, unit="req", desc="batch", dynamic_ncols=True)
        self._bar.total = total
        self._bar.n = done
        states = sorted({str(f.get("batch_status") or "not sent") for f in st.files})
        self._bar.set_postfix_str(", ".join(states), refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _cancel(args: argparse.Namespace) -> int:
    from ..batch.api import cancel

    cancelled = cancel(args.job, _api_settings(args))
    for f in cancelled:
        _say(f"{f['name']}: batch {f['batch_id']} {f['batch_status']}")
    if not cancelled:
        _say(f"{args.job}: no batch is running")
    return 0


def _collect(args: argparse.Namespace) -> int:
    from ..batch.api import collect, format_collect, submit
    from ..batch.progress import ProgressBar
    from ..llama_server import backend
    from ..settings import secret_values

    settings = _job_settings(args)
    online = args.online_merge or args.retry_online
    with backend(settings) if online else contextlib.nullcontext(settings) as settings:
        report = collect(
            args.job,
            args.output,
            settings=settings,
            online_merge=args.online_merge,
            retry_online=args.retry_online,
            use_cache=not args.no_cache,
            jobs=args.jobs,
            progress=ProgressBar(desc="collect"),
            secrets=[*secret_values(), *([settings.api_key] if settings.api_key else [])],
        )
    _say(format_collect(report, _fmt(args)), err=True)  # the results may be on stdout: the report is not
    if args.submit and report.followup_files:
        for f in submit(args.job, settings):
            _say(f"{f['name']}: {f['requests']} request(s) → batch {f['batch_id']} ({f['batch_status']})", err=True)
    return report.exit_code


def _run(args: argparse.Namespace) -> int:
    from ..batch.api import format_run, run
    from ..batch.progress import ProgressBar
    from ..llama_server import backend

    with backend(_job_settings(args)) as settings:  # the local model server, when no other endpoint is set up
        report = run(args.job, settings, jobs=args.jobs, progress=ProgressBar(desc="run"))
    _say(format_run(report, _fmt(args)))
    return 0
