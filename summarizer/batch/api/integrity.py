"""What a job folder's files must hold, checked as they are read: the manifest, the request files, the
list of documents.

Every command reads ``manifest.json`` before it does anything (:class:`~.manifest.Job`, and the command
line for the job's model), and the steps then take its fields as they are: a limit as a number, a file's
round as an integer, the spec as the options of the job. A manifest damaged by hand or by a tool (a field
of the wrong type, one missing, a request file with no name) would surface as a ``KeyError`` or an
``AttributeError`` deep in a step, or worse, as a step that does the wrong thing quietly. So the manifest
is validated on load against the shape :mod:`~.prepare`, :mod:`~.remote` and :mod:`~.collect` write
(pydantic, strict: no coercion, since the steps use the JSON values themselves, not the model's), and a
manifest that does not have it is a :class:`~summarizer.errors.ConfigError` of one line naming the file,
the field and what is wrong. Fields no step reads (the inputs, the tool's version, times) are not checked,
and fields added by later versions are kept.

The request files are read through (every line a request line, as many as the manifest records) before
``run`` or ``submit`` sends anything from them (:func:`check_request_file`); the list of documents must
match the job's state line by line before ``collect`` writes a result (:func:`check_listing`). A damaged
file is a ``ConfigError`` naming the file and the line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ... import config
from ...errors import ConfigError
from ...pipeline.claims import Mode, Split
from .wire import parse_request_line

if TYPE_CHECKING:
    from .manifest import Job

log = logging.getLogger(__name__)

__all__ = ["check_listing", "check_request_file", "describe_first_error", "request_lines", "validate_manifest"]

LISTING = "documents.jsonl"

Count = Annotated[int, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class _Spec(_Strict):
    kind: Literal["summarize", "check"]
    model: Annotated[str, Field(min_length=1)]
    endpoint: Annotated[str, Field(min_length=1)]
    verify: bool = False
    claims: list[str] = []
    summary: str | None = None
    mode: Mode = "hybrid"
    split: Split = "model"


class _Limits(_Strict):
    requests_per_file: Annotated[int, Field(ge=1)] = config.BATCH_MAX_REQUESTS_PER_FILE
    bytes_per_file: Annotated[int, Field(ge=1024)] = config.BATCH_MAX_FILE_BYTES


class _Failed(_Strict):
    id: str
    error: str


class _Estimate(_Strict):
    prompt_tokens: Count = 0
    completion_tokens: Count = 0
    cost_usd_batch: float | None = None
    cost_usd_online: float | None = None


class _Counts(_Strict):
    total: int | None = None
    completed: int | None = None
    failed: int | None = None


class _File(_Strict):
    name: Annotated[str, Field(pattern=r"^r\d+-\d{3}$")]
    round: Annotated[int, Field(ge=1)]
    requests: Count
    bytes: Count
    sha256: str | None = None
    input_file_id: str | None = None
    batch_id: str | None = None
    batch_status: str | None = None
    intent: Literal["upload", "create"] | None = None
    intent_at: float = 0.0
    downloaded: bool = False
    ran_on: str | None = None
    counts: _Counts | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    batch_errors: list[dict[str, Any]] = []


class _Manifest(_Strict):
    format: int
    job_id: Annotated[str, Field(min_length=1)]
    fingerprint: str
    spec: _Spec
    limits: _Limits = _Limits()
    documents: Count
    cached: Count = 0
    ready: Count = 0
    failed: list[_Failed] = []
    estimate: _Estimate = _Estimate()
    answered_by: str | None = None
    files: list[_File] = []


def validate_manifest(data: Any, path: str) -> dict[str, Any]:
    """``data`` (the parsed ``manifest.json`` at ``path``) if it has a job manifest's shape; else a
    :class:`ConfigError` naming the file and the first field that is wrong."""
    try:
        _Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a valid job manifest: {describe_first_error(exc)}") from None
    assert isinstance(data, dict)  # validated as an object
    return data


_PHRASES = {
    "model_type": "should be a JSON object",
    "model_attributes_type": "should be a JSON object",
    "dict_type": "should be a JSON object",
    "list_type": "should be a JSON list",
    "int_type": "should be a whole number",
    "float_type": "should be a number",
    "string_type": "should be a string",
    "bool_type": "should be true or false",
    "missing": "is missing",
}


def describe_first_error(exc: ValidationError) -> str:
    """The first problem pydantic found, in a few words: ``files[0].round should be a whole number (got
    "1")``; how many more there are."""
    problems = exc.errors(include_url=False)
    first = problems[0]
    where = ""
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    what = _PHRASES.get(first["type"]) or first["msg"].replace("Input should", "should").replace(
        "String should", "should"
    )
    text = f"{where} {what}" if where else f"the manifest {what}"
    if first["type"] != "missing":
        got = repr(first.get("input"))
        text += f" (got {got if len(got) <= 60 else got[:57] + '...'})"
    if len(problems) > 1:
        text += f"; and {len(problems) - 1} more problem(s)"
    return text


# --- the request files and the list of documents ----------------------------------------------------


def check_listing(job: Job) -> None:
    """The list of documents (``documents.jsonl``, written by prepare) must name, line by line, the
    documents of the job's state: a list that is torn or another job's means the folder was damaged (or
    mixed with another), and its results are not to be trusted. A list that is missing is only logged:
    nothing reads it (the state holds every document), and refusing would keep paid answers from being
    collected."""
    path = job.folder / LISTING
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        log.warning("%s: missing (the job's list of documents, for people); collecting from the job's state", path)
        return
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    rows = job.db.execute("SELECT n, id, sha256 FROM documents ORDER BY n")
    listed = 0
    with fh:
        for listed, raw in enumerate(fh, 1):
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            if not (isinstance(entry, dict) and isinstance(entry.get("n"), int) and isinstance(entry.get("id"), str)):
                raise ConfigError(f"{path}: line {listed} is not a document of the list (the file is damaged)")
            row = rows.fetchone()
            if row is None or (entry["n"], entry["id"], entry.get("sha256")) != tuple(row):
                held = "no document" if row is None else f"document {row[1]!r}"
                raise ConfigError(
                    f"{path}: line {listed} lists document {entry['id']!r} where the job's state has {held} "
                    "(the file is damaged, or another job's)"
                )
    if rows.fetchone() is not None:
        raise ConfigError(
            f"{path}: lists {listed} of the job's {job.manifest['documents']} document(s) (the file is damaged)"
        )


def request_lines(job: Job, name: str) -> Generator[tuple[str, dict[str, Any], bytes], None, None]:
    """The requests of a request file: (custom_id, body, the line as written), blank lines skipped. A
    line that is not a request line, or a file that is missing, is a :class:`ConfigError` naming it."""
    path = job.path(name)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise ConfigError(f"{path}: missing: a request file of this job is gone (the folder is damaged)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                custom_id, body = parse_request_line(raw)
            except ValueError as exc:
                raise ConfigError(f"{path}: line {n} is not a batch request line ({exc})") from None
            yield custom_id, body, raw


def check_request_file(job: Job, f: dict[str, Any]) -> None:
    """Read a request file through before it is sent: every line a request line, as many as the manifest
    records (a file cut at a line's end loses requests without a torn line to show it)."""
    held = sum(1 for _ in request_lines(job, f["name"]))
    if held != f["requests"]:
        raise ConfigError(
            f"{job.path(f['name'])}: holds {held} request(s) where the manifest has {f['requests']} "
            "(the file is damaged)"
        )
