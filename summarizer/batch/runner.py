"""Batches: many documents in, one JSON line per document out, written as each one completes.

* Inputs (:func:`collect_inputs`): files, folders (recursive), globs, JSONL files of ``{"id", "text"}``
  lines, and ``-`` for standard input. Documents are loaded by the worker that processes them, so a bad
  file becomes that document's error line, never the end of the batch.
* Output (:func:`run_batch`): one line per document, ``{"id", "path", "sha256", "kind", "status",
  "cached", "result", "error"}``, each written with a single ``write`` under a lock, flushed and
  fsync'd. The file is locked against a second run writing to it at the same time.
* Resume: an existing output file is read first. Its ``ok`` lines are kept and their documents skipped;
  its ``error`` lines and a torn last line (a kill -9 mid-write) are dropped (the file is rewritten
  atomically) and those documents run again. Each id appears once in the output.
* Cache (:mod:`summarizer.cache`): a document whose result is cached costs no model call. A result is
  cached before its line is written, so a kill between the two loses nothing that was paid for.
* Cost: with ``max_cost`` the remaining documents are estimated first (cached ones cost nothing) and the
  batch refuses to start above the budget; during the run no document starts once what was spent, plus
  the estimates of those running, plus its own estimate would pass the budget.
* Threads: ``jobs`` workers, each taking the next document itself. They take turns
  (:mod:`summarizer.turns`): one runs the tool's own code at a time and gives way while it waits for the
  model, so each request goes out as soon as its document is ready, not all of a wave's together at the
  end of a burst of GIL time-slicing. :func:`summarize_task` and :func:`check_task` do the first call's
  one-time work (imports, the client, schemas) before the threads start.
* Ctrl-C: the first one stops scheduling and waits for the running documents (their lines are written);
  a second one stops at once. Either way, running the same command again continues.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import math
import os
import queue
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from .. import config, pricing
from ..errors import (
    EXIT_BUDGET,
    EXIT_INTERRUPTED,
    EXIT_SOME_FAILED,
    BudgetExceededError,
    ConfigError,
    InputError,
    SummarizerError,
)
from ..text import sentences, tokens
from ..turns import Turns
from ..types import SCHEMA_VERSION, Usage

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..cache import ResultCache
    from ..llm.client import LLM
    from ..settings import Settings
    from ..text.documents import Document

__all__ = [
    "DEFAULT_JOBS",
    "DOCUMENT_SUFFIXES",
    "EXIT_BUDGET",
    "EXIT_SOME_FAILED",
    "BatchInput",
    "BatchOutcome",
    "BudgetExceededError",
    "DryRun",
    "DryRunRow",
    "Failure",
    "ProgressBar",
    "Task",
    "cache_info",
    "check_needs_model",
    "check_task",
    "collect_inputs",
    "dry_run_batch",
    "format_dry_run",
    "format_outcome",
    "is_batch",
    "run_batch",
    "run_batch_command",
    "summarize_task",
    "takes_item",
]

log = logging.getLogger(__name__)

# defaults live in config.py and exit codes in errors.py; these names are kept for the callers of this module
DEFAULT_JOBS = config.DEFAULT_JOBS
DOCUMENT_SUFFIXES = config.DOCUMENT_SUFFIXES
PRELOAD_BUDGET_CHARS = config.PRELOAD_BUDGET_CHARS

_GLOB_CHARS = re.compile(r"[*?\[]")
_SECRET_RE = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9_\-.]{8,})")

M = TypeVar("M")


# --- inputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchInput:
    """One document of a batch. ``id`` is the path (as given or found), or the id of its JSONL line.

    ``path`` is the file it comes from (the JSONL file for a JSONL line, ``-`` for standard input).
    ``extra`` holds the other fields of a JSONL line (``claims``, ``summary`` for ``check``).
    """

    id: str
    path: str | None
    text: str | None = None
    line: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def load(self) -> Document:
        """Read and decode the document (raises :class:`InputError` for a bad one)."""
        from ..text.documents import document_from_text, load_document

        if self.text is not None:
            return document_from_text(self.text, path=f"{self.path}#{self.id}")
        assert self.path is not None
        return load_document(self.path)


def is_batch(specs: Sequence[str]) -> bool:
    """Whether these inputs make a batch (JSONL output): several, or a folder, a glob or a JSONL file."""
    if len(specs) != 1:
        return True
    spec = specs[0]
    if spec == "-":
        return False
    if os.path.isdir(spec) or spec.lower().endswith(".jsonl"):
        return True
    return not os.path.exists(spec) and _GLOB_CHARS.search(spec) is not None


def collect_inputs(specs: Sequence[str]) -> list[BatchInput]:
    """The documents named by ``specs``: files, folders (recursive), globs, JSONL files, ``-``.

    Folders give their files ending in :data:`DOCUMENT_SUFFIXES`, hidden files and folders skipped, in
    sorted order. Globs are expanded here (for shells that did not, and for quoted patterns). A file
    named twice is taken once. Ids must be unique across the batch.
    """
    if not specs:
        raise InputError("no input given")
    items: list[BatchInput] = []
    where: dict[str, str] = {}

    def add(item: BatchInput, origin: str) -> None:
        if item.id in where:
            if item.text is None and where[item.id] == "file":
                return  # the same file named twice (e.g. by a folder and by a glob)
            raise InputError(f"duplicate id {item.id!r}: {origin}, and earlier {where[item.id]}")
        where[item.id] = "file" if item.text is None else origin
        items.append(item)

    def add_file(path: str) -> None:
        if path.lower().endswith(".jsonl"):
            for item in _read_jsonl(path):
                add(item, f"{path} line {item.line}")
        else:
            add(BatchInput(id=path, path=path), "file")

    for spec in specs:
        if spec == "-":
            add(BatchInput(id="-", path="-"), "standard input")
        elif os.path.isdir(spec):
            found = _walk(spec)
            if not found:
                raise InputError(_empty_folder(spec))
            for path in found:
                add_file(path)
        elif os.path.exists(spec):
            add_file(os.path.normpath(spec))
        elif _GLOB_CHARS.search(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                raise InputError(f"{spec}: no file matches this pattern")
            for match in matches:
                if os.path.isdir(match):
                    for path in _walk(match):
                        add_file(path)
                else:
                    add_file(os.path.normpath(match))
        else:
            raise InputError(f"{spec}: not found")
    if not items:
        raise InputError(f"no documents found in {', '.join(specs)}")
    return items


def _walk(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(DOCUMENT_SUFFIXES):
                found.append(os.path.normpath(os.path.join(root, name)))
    return found


def _empty_folder(folder: str) -> str:
    kinds = ", ".join(DOCUMENT_SUFFIXES)
    return f"{folder}: no documents in this folder (looked for {kinds} files, hidden ones skipped)"


def _read_jsonl(path: str) -> list[BatchInput]:
    """``{"id", "text"}`` per line (blank lines skipped); ``claims`` and ``summary`` are kept as extras."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    items: list[BatchInput] = []
    first_line: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {n}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f'{path}: line {n}: expected an object with "id" and "text"')
        raw_id = obj.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or str(raw_id).strip() == "":
            raise InputError(f'{path}: line {n}: "id" must be a non-empty string or an integer')
        doc_id = str(raw_id)
        if not isinstance(obj.get("text"), str):
            raise InputError(f'{path}: line {n}: "text" must be a string')
        if doc_id in first_line:
            raise InputError(
                f"{path}: line {n}: duplicate id {doc_id!r} (first on line {first_line[doc_id]})"
            )
        extra: dict[str, Any] = {}
        if "claims" in obj:
            claims = obj["claims"]
            if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
                raise InputError(f'{path}: line {n}: "claims" must be a list of strings')
            extra["claims"] = list(claims)
        if "summary" in obj:
            if not isinstance(obj["summary"], str):
                raise InputError(f'{path}: line {n}: "summary" must be a string')
            extra["summary"] = obj["summary"]
        first_line[doc_id] = n
        items.append(BatchInput(id=doc_id, path=path, text=obj["text"], line=n, extra=extra))
    if not items:
        raise InputError(f"{path}: no documents (the file has no JSON lines)")
    return items


# --- what to do with each document ------------------------------------------------------------------


def takes_item(fn: Callable[..., M]) -> Callable[..., M]:
    """Mark a ``work``/``key_for``/``estimate`` function as taking ``(document, item)``, not ``(document)``."""
    fn.batch_takes_item = True  # type: ignore[attr-defined]
    return fn


def _call(fn: Callable[..., M], document: Document, item: BatchInput) -> M:
    return fn(document, item) if getattr(fn, "batch_takes_item", False) else fn(document)


#: (prompt tokens, estimated completion tokens, estimated cost in USD or None when the price is unknown)
Estimate = tuple[int, int, float | None]


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


def summarize_task(settings: Settings, llm: LLM | None = None, *, verify: bool = False) -> Task:
    """Summarise each document (``--verify``: and check its own claims). ``llm`` may be None for a dry run."""
    from ..cache import cache_key
    from ..llm.prompts import load_prompt

    model = settings.model
    versions = load_prompt("summarize").version
    if verify:
        versions += "+check:" + load_prompt("check").version
    params = {
        "endpoint": _endpoint_id(settings),
        "temperature": config.TEMPERATURE,
        "max_tokens": config.SUMMARY_MAX_TOKENS,
        "max_key_points": config.MAX_KEY_POINTS,
        "max_claims": config.MAX_CLAIMS,
        "max_reasks": config.MAX_REASKS,
        "verify": verify,
        "schema": SCHEMA_VERSION,
    }
    if verify:
        params["check"] = _check_params()

    def work(document: Document) -> BaseModel:
        from ..pipeline.summary import summarize

        if llm is None:
            raise ConfigError("no model client: summarize_task needs an LLM to run (not only to estimate)")
        result = summarize(document, llm=llm)
        if verify:
            from ..pipeline.checking import check

            result.verification = check(document, [c.text for c in result.claims], llm=llm)
            result.usage.include(result.verification.usage)
        return result

    def key_for(document: Document) -> str:
        return cache_key("summary", model, versions, params, document.sha256)

    def estimate(document: Document) -> Estimate:
        from ..pipeline.summary import estimate_calls

        calls, n = estimate_calls(document, model)
        out = config.ESTIMATED_SUMMARY_OUTPUT_TOKENS * calls
        if verify:
            cp, cc = _check_tokens(document, model, n_claims=config.MAX_CLAIMS, claims_text="")
            n, out = n + cp, out + cc
        return n, out, pricing.estimate_cost(model, n, out)

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
) -> Task:
    """Check claims against each document. A JSONL line's own ``claims``/``summary`` replace the given ones.

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

    def needs_model(the_summary: str | None) -> bool:
        return mode != "local" or (the_summary is not None and split == "model")

    @takes_item
    def work(document: Document, item: BatchInput) -> BaseModel:
        from ..pipeline.checking import check

        the_claims, the_summary = inputs_of(item)
        if not the_claims and the_summary is None:
            raise ConfigError("nothing to check: give claims (or a summary), or put them in the JSONL line")
        if needs_model(the_summary) and llm is None:
            raise ConfigError("no model client: this check needs a model")
        return check(
            document,
            the_claims,
            summary=the_summary,
            mode=mode,  # type: ignore[arg-type]
            split=split,  # type: ignore[arg-type]
            llm=llm if needs_model(the_summary) else None,
        )

    @takes_item
    def key_for(document: Document, item: BatchInput) -> str:
        import hashlib

        the_claims, the_summary = inputs_of(item)
        uses_model = needs_model(the_summary)
        versions = []
        if mode != "local":
            versions.append("check:" + load_prompt("check").version)
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
            "check": _check_params(),
            "schema": SCHEMA_VERSION,
        }
        return cache_key("check", model if uses_model else "", "+".join(versions), params, document.sha256)

    @takes_item
    def estimate(document: Document, item: BatchInput) -> Estimate:
        the_claims, the_summary = inputs_of(item)
        prompt = completion = 0
        n_claims = len(the_claims)
        if the_summary is not None:
            n_summary = len(sentences.sentence_spans(the_summary))
            n_claims += n_summary
            if split == "model":
                messages = load_prompt("decompose").render(
                    the_summary, max_claims=config.MAX_DECOMPOSED_CLAIMS
                )
                prompt += tokens.count_message_tokens(messages, model)
                completion += 60 * n_summary + 20
        if mode != "local" and n_claims:
            # An upper bound: every claim goes to the model (in hybrid mode local checks settle some).
            cp, cc = _check_tokens(document, model, n_claims=n_claims, claims_text="\n".join(the_claims))
            prompt, completion = prompt + cp, completion + cc
        cost = pricing.estimate_cost(model, prompt, completion) if prompt else 0.0
        return prompt, completion, cost

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
    """Whether a check batch calls a model (so the CLI must start the local server or build a client)."""
    if mode != "local":
        return True
    if split != "model":
        return False
    return summary is not None or any("summary" in it.extra for it in inputs)


def _check_params() -> dict[str, Any]:
    return {
        "temperature": config.TEMPERATURE,
        "batch": config.CHECK_BATCH_SIZE,
        "per_claim": config.CHECK_TOKENS_PER_CLAIM,
        "margin": config.CHECK_TOKENS_MARGIN,
        "chunks": config.CHECK_CHUNKS_PER_CLAIM,
        "max_decomposed": config.MAX_DECOMPOSED_CLAIMS,
        "max_reasks": config.MAX_REASKS,
    }


def _check_tokens(document: Document, model: str, *, n_claims: int, claims_text: str) -> tuple[int, int]:
    """Rough prompt and completion tokens of checking ``n_claims`` claims against ``document``."""
    from ..llm.prompts import load_prompt

    batches = max(1, math.ceil(n_claims / config.CHECK_BATCH_SIZE))
    overhead = tokens.count_message_tokens(load_prompt("check").render("", claims=claims_text), model)
    source = tokens.count_tokens(document.model_text, model)
    prompt = batches * (source + overhead) + 20 * n_claims
    completion = n_claims * config.CHECK_TOKENS_PER_CLAIM + batches * config.CHECK_TOKENS_MARGIN
    return prompt, completion


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
    elapsed: float = 0.0

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


# --- progress -----------------------------------------------------------------------------------------


class Progress(Protocol):
    def start(self, total: int, initial: int) -> None: ...
    def advance(self, outcome: BatchOutcome) -> None: ...
    def message(self, text: str) -> None: ...
    def close(self) -> None: ...


class ProgressBar:
    """A tqdm bar on stderr (documents done / total, then ok, failed, cached, tokens, cost).

    ``enabled=None`` shows it only when the stream is a terminal: piped or redirected, it stays quiet.
    """

    def __init__(self, *, file: TextIO | None = None, enabled: bool | None = None, desc: str = "") -> None:
        self.file = file if file is not None else sys.stderr
        self.enabled = _isatty(self.file) if enabled is None else enabled
        self.desc = desc
        self._bar: Any = None

    def start(self, total: int, initial: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

        self._bar = tqdm(
            total=total,
            initial=initial,
            file=self.file,
            desc=self.desc or None,
            unit="doc",
            dynamic_ncols=True,
            smoothing=0.1,
        )

    def advance(self, outcome: BatchOutcome) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(outcome.progress_text(), refresh=False)
            self._bar.update(1)

    def message(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self.file)
        else:
            print(text, file=self.file, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --- the output file ----------------------------------------------------------------------------------


class _Output:
    """The JSONL results: locked, resumed, appended to one whole line (one write call) at a time."""

    def __init__(self, path: str | None, kind: str) -> None:
        self.path = None if path in (None, "-") else path
        self.kind = kind
        self.fd: int | None = None
        self.created = False
        self.abandoned = False
        self.lock = threading.Lock()
        self.previous: dict[str, dict[str, Any]] = {}

    def open(self) -> None:
        if self.path is None:
            return
        parent = os.path.dirname(self.path) or "."
        if not os.path.isdir(parent):
            raise ConfigError(f"{self.path}: the folder does not exist")
        self.created = not os.path.exists(self.path)
        fd = _open_locked(self.path)
        try:
            keep, changed = self._resume(fd)
            if changed:
                fd = self._rewrite(fd, keep)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def _resume(self, fd: int) -> tuple[list[bytes], bool]:
        """Keep the ok lines (first per id); drop error lines and a torn last line."""
        with os.fdopen(os.dup(fd), "rb") as fh:
            fh.seek(0)
            data = fh.read()
        if not data:
            return [], False
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the file ends with a newline, else a line cut short by a kill
        changed = bool(tail)
        if tail:
            log.warning("%s: dropped a torn last line (the previous run was killed mid-write)", self.path)
        keep: list[bytes] = []
        for n, raw in enumerate(lines, 1):
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            if not (isinstance(record, dict) and isinstance(record.get("id"), str) and "status" in record):
                if not raw.strip():
                    changed = True
                    continue
                raise ConfigError(
                    f"{self.path}: line {n} is not a batch result line; not resuming into this file "
                    "(choose another output file)"
                )
            if record.get("kind", self.kind) != self.kind:
                raise ConfigError(
                    f"{self.path} holds {record.get('kind')} results, not {self.kind} results; "
                    "choose another output file"
                )
            if record["status"] != "ok" or record["id"] in self.previous:
                changed = True  # a failure to retry, or a duplicate
                continue
            self.previous[record["id"]] = record
            keep.append(raw + b"\n")
        return keep, changed

    def _rewrite(self, old_fd: int, keep: list[bytes]) -> int:
        """Replace the file with ``keep``, atomically, and hold the lock on the new file."""
        assert self.path is not None
        folder = os.path.dirname(self.path) or "."
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(self.path)}.", suffix=".tmp")
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, os.fstat(old_fd).st_mode & 0o777)
            os.write(fd, b"".join(keep))
            os.fsync(fd)
            _lock_fd(fd, self.path)
            os.replace(tmp, self.path)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(folder)
        os.close(old_fd)
        os.lseek(fd, 0, os.SEEK_END)
        return fd

    def write_group(self, records: Sequence[dict[str, Any]]) -> bool:
        """Append each record as one line (one write call each), then fsync once (group commit).

        Returns False, writing nothing, once :meth:`abandon` was called.
        """
        with self.lock:
            if self.abandoned:
                return False
            for record in records:
                line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
                if self.fd is None:
                    sys.stdout.write(line)
                    continue
                data = line.encode("utf-8")
                written = os.write(self.fd, data)
                while written < len(data):  # a short write (disk nearly full): finish the line
                    written += os.write(self.fd, data[written:])
            if self.fd is None:
                sys.stdout.flush()
            else:
                os.fsync(self.fd)
        return True

    def abandon(self) -> None:
        """Write nothing more (a second Ctrl-C: a writer may still hold lines of running documents)."""
        with self.lock:
            self.abandoned = True

    def discard_if_new(self) -> None:
        """Remove the output file again if this run created it and wrote nothing (a refused start)."""
        if self.created and self.path is not None and self.fd is not None and os.fstat(self.fd).st_size == 0:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # also releases the lock
            self.fd = None


def _open_locked(path: str) -> int:
    for _ in range(10):
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot open for writing ({exc.strerror})") from None
        try:
            _lock_fd(fd, path)
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the file was replaced while we waited: lock the new one
    raise ConfigError(f"{path}: cannot lock the output file")  # pragma: no cover


def _lock_fd(fd: int, path: str) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigError(f"{path}: another batch is writing to this file") from None


def _fsync_dir(folder: str) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)


# --- running ------------------------------------------------------------------------------------------


@dataclass
class _Done:
    item: BatchInput
    ok: bool
    cached: bool
    usage: Usage | None
    failure: Failure | None
    write_error: BaseException | None = None


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return _SECRET_RE.sub("[redacted]", text)


class _Runner:
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
        if max_cost is not None and estimate is None:
            raise ConfigError("max_cost needs an estimate function")
        if max_cost is not None and max_cost < 0:
            raise ConfigError("--max-cost must not be negative")
        counts = Counter(it.id for it in inputs)
        if len(counts) != len(inputs):
            dupes = sorted(i for i, n in counts.items() if n > 1)
            raise InputError(f"duplicate ids in the batch: {', '.join(map(repr, dupes[:5]))}")
        self.inputs = list(inputs)
        self.work, self.kind, self.jobs = work, kind, jobs
        self.cache = cache
        self.key_for = key_for if cache is not None else None
        self.max_cost, self.estimate, self.progress = max_cost, estimate, progress
        self.secrets = [s for s in secrets if s]
        self.out = _Output(output, kind)
        self.outcome = BatchOutcome(kind=kind, total=len(self.inputs), output=output)
        self.preloaded: dict[str, Document] = {}
        # Scheduling state, shared by the workers (each takes its next document itself), under `lock`.
        self.lock = threading.Lock()
        self.pending: deque[BatchInput] = deque()
        self.reserved: dict[str, float] = {}  # estimates of the documents running
        self.spent = 0.0
        self.running: set[str] = set()  # taken by a worker, not yet reported written
        self.estimates: dict[str, float] = {}
        self.stop_reason: str | None = None  # "budget", "interrupted", "write"
        self.writes: queue.Queue[tuple[_Done, dict[str, Any]] | None] = queue.Queue()
        self.done: queue.Queue[_Done] = queue.Queue()
        self.turns = Turns()

    # --- worker side -------------------------------------------------------------------------------

    def _worker(self) -> None:
        with self.turns.held():  # one worker runs at a time; each gives way while it waits for the model
            while (item := self._take()) is not None:
                done, record = self._process(item)
                self._settle(item, done)
                self.writes.put((done, record))

    def _take(self) -> BatchInput | None:
        """The next document to run, or None: none left, or stopping (budget, Ctrl-C, write error)."""
        with self.lock:
            if self.stop_reason is not None or not self.pending:
                return None
            item = self.pending[0]
            est = self.estimates.get(item.id, 0.0)
            if self.max_cost is not None and self.spent + sum(self.reserved.values()) + est > self.max_cost:
                self.stop_reason = "budget"
                self.outcome.stopped_by_budget = True
                spent = self.spent
            else:
                self.pending.popleft()
                self.reserved[item.id] = est
                self.running.add(item.id)
                return item
        self._say(
            f"stopping: the next document would take the spend past ${self.max_cost:.4f} (spent ${spent:.4f}); "
            "the running ones finish"
        )
        return None

    def _settle(self, item: BatchInput, done: _Done) -> None:
        with self.lock:
            self.reserved.pop(item.id, None)
            if done.usage is not None:
                self.spent += done.usage.cost_usd or 0.0

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

    def _process(self, item: BatchInput) -> tuple[_Done, dict[str, Any]]:
        document: Document | None = None
        try:
            document = self.preloaded.pop(item.id, None) or item.load()
            key = _call(self.key_for, document, item) if self.key_for is not None else None
            if key is not None and (hit := self._cache_get(key)) is not None:
                hit = _as_read_from(hit, document.path)
                return _Done(item, True, True, None, None), self._record(item, document, hit, cached=True)
            result = _call(self.work, document, item)
            value = result.model_dump(mode="json")
            if key is not None:
                self._cache_put(key, value)  # before the line: a kill in between pays nothing twice
            usage = getattr(result, "usage", None)
            return _Done(item, True, False, usage, None), self._record(item, document, value, cached=False)
        except Exception as exc:  # one failing document never stops the batch
            failure = self._failure(item, exc)
            record = self._record(item, document, None, cached=False, failure=failure)
            return _Done(item, False, False, None, failure), record

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        assert self.cache is not None
        try:
            return self.cache.get(key)
        except (sqlite3.Error, SummarizerError) as exc:
            log.warning("result cache unavailable (%s); calling the model", exc)
            return None

    def _cache_put(self, key: str, value: dict[str, Any]) -> None:
        assert self.cache is not None
        try:
            self.cache.put(key, self.kind, value)
        except (sqlite3.Error, SummarizerError) as exc:
            log.warning("could not store a result in the cache (%s)", exc)

    def _failure(self, item: BatchInput, exc: Exception) -> Failure:
        if isinstance(exc, SummarizerError):
            message, code = exc.message, exc.exit_code
        else:
            log.debug("unexpected error on %s", item.id, exc_info=True)
            message, code = f"{type(exc).__name__}: {exc}", 1
        message = _redact(" ".join(str(message).split()), self.secrets)
        return Failure(item.id, item.path, type(exc).__name__, message, code)

    def _record(
        self,
        item: BatchInput,
        document: Document | None,
        result: dict[str, Any] | None,
        *,
        cached: bool,
        failure: Failure | None = None,
    ) -> dict[str, Any]:
        return {
            "id": item.id,
            "path": item.path,
            "sha256": document.sha256 if document is not None else None,
            "kind": self.kind,
            "status": "ok" if failure is None else "error",
            "cached": cached,
            "result": result,
            "error": None
            if failure is None
            else {"type": failure.type, "message": failure.message, "exit_code": failure.exit_code},
        }

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
        self.estimates = self._budget_check(self.pending) if self.max_cost is not None else {}
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

    def _account(self, done: _Done) -> None:
        outcome = self.outcome
        with self.lock:
            self.running.discard(done.item.id)
        if done.ok:
            outcome.done += 1
            outcome.cached += done.cached
            if done.usage is not None:
                _add_usage_known(outcome, done.usage)
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

    def _budget_check(self, pending: deque[BatchInput]) -> dict[str, float]:
        """Estimate every remaining document; refuse to start when the total is over the budget."""
        assert self.max_cost is not None and self.estimate is not None
        estimates: dict[str, float] = {}
        kept = 0
        for row in _estimate_rows(pending, self.estimate, self.cache, self.key_for, keep=self.preloaded):
            if row.document_chars and kept + row.document_chars > PRELOAD_BUDGET_CHARS:
                self.preloaded.pop(row.id, None)
            else:
                kept += row.document_chars
            if row.status != "new":
                continue
            if row.cost_usd is None:
                raise ConfigError(
                    f"cannot keep to --max-cost: no price is known for this model ({row.id} cannot be priced)"
                )
            estimates[row.id] = row.cost_usd
        total = sum(estimates.values())
        self.outcome.estimated_cost_usd = total
        if total > self.max_cost:
            raise BudgetExceededError(
                f"the {len(estimates)} document(s) to run are estimated at ${total:.4f}, over --max-cost "
                f"${self.max_cost:.4f}; nothing was started (see --dry-run for each document's estimate)"
            )
        return estimates


def _as_read_from(result: dict[str, Any], path: str | None) -> dict[str, Any]:
    """A cached result, its provenance naming the file read this time.

    The cache is keyed by content: the same text under another name is a hit, but its result must name
    the file it now stands for (``summarizer report`` reads the source from there).
    """
    result = {**result}
    if isinstance(result.get("provenance"), dict):
        result["provenance"] = {**result["provenance"], "source_path": path}
    verification = result.get("verification")
    if isinstance(verification, dict) and isinstance(verification.get("provenance"), dict):
        result["verification"] = {**verification, "provenance": {**verification["provenance"], "source_path": path}}
    return result


def _add_usage_known(outcome: BatchOutcome, usage: Usage) -> None:
    total = outcome.usage
    total.calls += usage.calls
    total.prompt_tokens += usage.prompt_tokens
    total.completion_tokens += usage.completion_tokens
    if usage.cost_usd is None:
        outcome.cost_unknown = outcome.cost_unknown or usage.calls > 0
    else:
        total.cost_usd = (total.cost_usd or 0.0) + usage.cost_usd


def run_batch(
    inputs: Sequence[BatchInput],
    work: Callable[..., BaseModel],
    *,
    jobs: int = DEFAULT_JOBS,
    output: str | None,
    cache: ResultCache | None = None,
    key_for: Callable[..., str | None] | None = None,
    max_cost: float | None = None,
    estimate: Callable[..., Estimate] | None = None,
    progress: Progress | None = None,
    kind: str = "summary",
    secrets: Sequence[str] = (),
) -> BatchOutcome:
    """Run ``work(document)`` over ``inputs`` with ``jobs`` threads, one JSON line per document to ``output``.

    ``output`` is a file path (resumed, see the module doc), or None / ``"-"`` for standard output (no
    resume). ``work`` returns a pydantic model with a ``usage`` (a Summary or CheckReport). With ``cache``
    and ``key_for(document) -> key``, a cached result is used instead of calling ``work``. ``max_cost``
    (USD) needs ``estimate(document) -> (prompt_tokens, completion_tokens, cost_usd)`` and raises
    :class:`BudgetExceededError` before anything starts when the remaining documents' estimate is over
    it. ``kind`` ("summary" or "check") is written on every line and checked on resume. ``secrets`` are
    scrubbed from error messages. ``work``, ``key_for`` and ``estimate`` decorated with
    :func:`takes_item` are called as ``fn(document, item)``.
    """
    return _Runner(
        inputs,
        work,
        kind=kind,
        jobs=jobs,
        output=output,
        cache=cache,
        key_for=key_for,
        max_cost=max_cost,
        estimate=estimate,
        progress=progress,
        secrets=secrets,
    ).run()


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
    rows: list[DryRunRow]
    documents: int
    calls_documents: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "to_run": self.calls_documents,
            "prompt_tokens": self.prompt_tokens,
            "estimated_completion_tokens": self.completion_tokens,
            "estimated_cost_usd": self.cost_usd,
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
            p, c, cost = _call(estimate, document, item)
        except SummarizerError as exc:
            yield DryRunRow(item.id, item.path, "error", error=exc.message)
            continue
        yield DryRunRow(item.id, item.path, "new", p, c, cost, document_chars=chars)


def dry_run_batch(
    inputs: Sequence[BatchInput],
    estimate: Callable[..., Estimate],
    *,
    cache: ResultCache | None = None,
    key_for: Callable[..., str | None] | None = None,
    output: str | None = None,
) -> DryRun:
    """Per-document and total tokens and estimated cost, calling nothing.

    With ``cache``/``key_for``, cached documents are shown at no cost; with ``output``, documents already
    done in that results file are shown as skipped. Only ``new`` rows count in the totals.
    """
    done_ids: frozenset[str] = frozenset()
    if output is not None and output != "-" and os.path.exists(output):
        done_ids = frozenset(_ok_ids(output))
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
    )


def _ok_ids(path: str) -> set[str]:
    """Ids with an ok line in a results file (read only; a torn or foreign line is ignored)."""
    ids: set[str] = set()
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if (
                isinstance(record, dict)
                and record.get("status") == "ok"
                and isinstance(record.get("id"), str)
            ):
                ids.add(record["id"])
    return ids


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
    )
    return "\n".join(lines) + "\n"


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


# --- the command line, already parsed -----------------------------------------------------------------


def run_batch_command(
    command: str,
    specs: Sequence[str],
    *,
    settings: Settings | None,
    llm: LLM | None = None,
    output: str | None = None,
    jobs: int = DEFAULT_JOBS,
    use_cache: bool = True,
    cache_path: str | None = None,
    dry_run: bool = False,
    max_cost: float | None = None,
    fmt: str = "text",
    verify: bool = False,
    claims: Sequence[str] = (),
    summary: str | None = None,
    mode: str = "hybrid",
    split: str = "model",
    progress: bool | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """``summarizer summarize|check PATH...`` for a batch; returns the exit code.

    ``command`` is "summarize" or "check". ``settings``/``llm`` are those the CLI builds (``llm`` inside
    its local-server context; None for ``dry_run``). Lines go to ``output`` (JSONL; None or "-" for
    standard output), the report to stderr. Raises :class:`SummarizerError` subclasses (bad inputs,
    :class:`BudgetExceededError`) for the CLI to print.
    """
    out_stream = stdout if stdout is not None else sys.stdout
    err_stream = stderr if stderr is not None else sys.stderr
    inputs = collect_inputs(specs)
    if command == "summarize":
        if settings is None:
            raise ConfigError("summarize needs model settings")
        task = summarize_task(settings, llm, verify=verify)
    elif command == "check":
        if (
            not claims
            and summary is None
            and not any(("claims" in i.extra or "summary" in i.extra) for i in inputs)
        ):
            raise ConfigError("nothing to check: give --claim, --claims FILE or --summary FILE")
        task = check_task(settings, llm, claims=claims, summary=summary, mode=mode, split=split)
    else:
        raise ConfigError(f"unknown batch command {command!r}")

    from ..cache import ResultCache

    cache = ResultCache(cache_path) if use_cache else None
    try:
        if dry_run:
            dry = dry_run_batch(inputs, task.estimate, cache=cache, key_for=task.key_for, output=output)
            model = settings.model if settings is not None else "no model"
            out_stream.write(format_dry_run(dry, model, fmt))
            out_stream.flush()
            if max_cost is not None and (dry.cost_usd is None or dry.cost_usd > max_cost):
                print(f"summarizer: the estimate is over --max-cost ${max_cost:.4f}", file=err_stream)
                return EXIT_BUDGET
            return 0
        bar = ProgressBar(file=err_stream, enabled=progress, desc=command)
        secrets = [settings.api_key] if settings is not None and settings.api_key else []
        outcome = run_batch(
            inputs,
            task.work,
            jobs=jobs,
            output=output,
            cache=cache,
            key_for=task.key_for,
            max_cost=max_cost,
            estimate=task.estimate,
            progress=bar,
            kind=task.kind,
            secrets=secrets,
        )
    finally:
        if cache is not None:
            cache.close()
    err_stream.write(format_outcome(outcome))
    err_stream.flush()
    return outcome.exit_code
