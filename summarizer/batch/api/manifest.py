"""A batch job's folder: the manifest, the request files and their outputs, the job's state.

::

    job/
      manifest.json          what was prepared (inputs, model, prompts, options, the estimate) and every
                             request file with its batch ids and status; rewritten atomically on each change
      documents.jsonl        one line per document: id, path, sha256, its round-1 requests (or why it cannot run)
      state.sqlite3          the documents, which file holds each request, every answer received
      r1-001.jsonl           round 1's requests (Batch API input format), split at the API's limits
      r1-001.output.jsonl    its answers (downloaded, or written by ``summarizer batch run``)
      r1-001.errors.jsonl    its failed requests
      r2-001.jsonl           a follow-up round (merges of long documents, re-asks), written by collect

Every command takes the job's lock first (``job/.lock``), so two commands never work on one job at once,
and writes the manifest before and after each remote step (:meth:`Job.save`): a command interrupted
anywhere finds, when run again, either the step done (its id recorded) or its intent recorded (and looks
the object up remotely before creating another: see :mod:`~summarizer.batch.api.remote`).

A damaged folder is an error, never a guess: the manifest is validated when it is read
(:mod:`~.integrity`); a prepared job whose state is missing, or holds another number of documents than
the manifest says, is refused (an empty state would read as "nothing to do", a false success); and the
request files and the list of documents are checked line by line by the steps that rely on them
(:func:`~.integrity.request_lines`, :func:`~.integrity.check_request_file`,
:func:`~.integrity.check_listing`). Each is a :class:`~summarizer.errors.ConfigError` of one line naming
the file (and the line).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import config
from ...errors import ConfigError
from .integrity import LISTING, validate_manifest
from .wire import Answer, parse_output_line

__all__ = ["TERMINAL", "Job", "JobDocument", "RequestFiles", "read_manifest"]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
STATE = "state.sqlite3"
LOCK = ".lock"
FORMAT = 1

#: The request files and their outputs (r1-001.jsonl, r1-001.output.jsonl, ...), and their temporary files.
_OWN_FILE = re.compile(r"^\.?r\d+-\d{3}(\.output|\.errors)?\.jsonl(\..*\.tmp)?$|^\.manifest\.json\..*\.tmp$")

#: Batch statuses after which nothing more happens to a batch.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    n        INTEGER PRIMARY KEY,
    id       TEXT NOT NULL,
    path     TEXT,
    line     INTEGER,
    location TEXT,
    text     BLOB,
    extra    TEXT,
    sha256   TEXT
);
CREATE TABLE IF NOT EXISTS requests (
    custom_id TEXT PRIMARY KEY,
    file      TEXT NOT NULL,
    round     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    custom_id TEXT PRIMARY KEY,
    line      BLOB NOT NULL,
    ok        INTEGER NOT NULL,
    online    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ingested (
    name   TEXT PRIMARY KEY,
    offset INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class JobDocument:
    """One document of the job, as prepared: enough to load it again and to name it as the online batch does."""

    n: int
    id: str
    path: str | None
    line: int | None
    location: str | None  # the file to read (absolute), for a file document
    text: str | None  # the text itself, for a JSONL line or standard input
    extra: dict[str, Any]
    sha256: str | None  # None: it could not be loaded at prepare time


class Job:
    """A job folder, locked for the life of the object (use as a context manager).

    About 260 lines, one class, because everything in the folder (the manifest, the request files, the
    batch ids, the downloaded answers) is read and written under the same folder lock, through the same
    atomic-rename helpers; the class is that lock plus what it guards.
    """

    def __init__(self, folder: str | os.PathLike[str], *, create: bool = False) -> None:
        self.folder = Path(folder)
        if create:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"{folder}: cannot create the job folder ({exc.strerror})") from None
        elif not (self.folder / MANIFEST).is_file():
            raise ConfigError(f"{folder}: not a prepared batch job (no {MANIFEST}; run `summarizer batch prepare`)")
        self._lock_fd = _lock(self.folder)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._state_checked = False
        self.manifest: dict[str, Any] = {}
        if (self.folder / MANIFEST).is_file():
            try:
                self.manifest = read_manifest(self.folder)
            except BaseException:
                self.close()
                raise

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # --- the manifest --------------------------------------------------------------------------------

    @property
    def prepared(self) -> bool:
        return bool(self.manifest)

    @property
    def files(self) -> list[dict[str, Any]]:
        return self.manifest.setdefault("files", [])

    def file(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.files if f["name"] == name), None)

    def save(self) -> None:
        """Write the manifest atomically (a temporary file, fsync'd, renamed into place)."""
        data = json.dumps(self.manifest, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
        _atomic_write(self.folder / MANIFEST, data)

    def path(self, name: str, kind: str = "") -> Path:
        """A request file (``kind`` ""), or its ``"output"`` or ``"errors"`` file."""
        return self.folder / (f"{name}.{kind}.jsonl" if kind else f"{name}.jsonl")

    def upload_name(self, name: str) -> str:
        """The file name a request file is uploaded under: unique to this job, so it can be found again."""
        return f"summarizer-{self.manifest['job_id'][:12]}-{name}.jsonl"

    # --- the state database --------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection to the job's state. A prepared job's state must be there and hold the
        manifest's documents: prepare writes it before the manifest, so a state that is missing (or was
        recreated empty) means the documents and the answers received are gone, and reading it as it is
        would report a job with nothing left to do."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            state = self.folder / STATE
            if self.prepared and not state.is_file():
                raise ConfigError(
                    f"{state}: missing: this job's documents and the answers it received are lost "
                    "(restore the file, or prepare the job again in a new folder)"
                )
            try:
                conn = sqlite3.connect(state, timeout=60.0, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
                if self.prepared and not self._state_checked:
                    self._check_state(conn)
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                raise ConfigError(f"{state}: cannot open the job's state ({exc})") from None
            except BaseException:
                if conn is not None:
                    conn.close()
                raise
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def _check_state(self, conn: sqlite3.Connection) -> None:
        (held,) = conn.execute("SELECT COUNT(*) FROM documents").fetchone()
        expected = self.manifest["documents"]
        if held != expected:
            raise ConfigError(
                f"{self.folder / STATE}: holds {held} document(s) where the manifest has {expected}: the job's "
                "state is damaged (restore the file, or prepare the job again in a new folder)"
            )
        self._state_checked = True

    def reset_state(self) -> None:
        """Forget an unfinished prepare: its state and request files (nothing of it was ever sent).

        Refuses a folder that holds anything else: a job folder is the job's alone.
        """
        ours = {LOCK, STATE, f"{STATE}-wal", f"{STATE}-shm", LISTING}
        foreign = [p.name for p in self.folder.iterdir() if p.name not in ours and not _OWN_FILE.match(p.name)]
        if foreign:
            raise ConfigError(
                f"{self.folder} is not empty and holds no batch job (e.g. {foreign[0]}); choose a new folder"
            )
        self.close_db()
        for path in self.folder.iterdir():
            if path.name != LOCK:
                path.unlink()

    def close_db(self) -> None:
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def add_document(self, doc: JobDocument) -> None:
        text = zlib.compress(doc.text.encode("utf-8", "surrogatepass"), 1) if doc.text is not None else None
        self.db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.n, doc.id, doc.path, doc.line, doc.location, text,
             json.dumps(doc.extra, ensure_ascii=False) if doc.extra else None, doc.sha256),
        )  # fmt: skip

    def documents(self) -> Iterator[JobDocument]:
        """Every document, in input order, read in pages (flat memory)."""
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT n, id, path, line, location, text, extra, sha256 FROM documents WHERE n > ? "
                "ORDER BY n LIMIT 512",
                (last,),
            ).fetchall()
            if not rows:
                return
            for n, id_, path, line, location, text, extra, sha in rows:
                yield JobDocument(
                    n, id_, path, line, location,
                    zlib.decompress(text).decode("utf-8", "surrogatepass") if text is not None else None,
                    json.loads(extra) if extra else {}, sha,
                )  # fmt: skip
            last = rows[-1][0]

    def document(self, n: int) -> JobDocument:
        for doc in self._documents_where("n = ?", (n,)):
            return doc
        raise KeyError(n)

    def _documents_where(self, where: str, args: tuple[Any, ...]) -> Iterator[JobDocument]:
        for n, id_, path, line, location, text, extra, sha in self.db.execute(
            f"SELECT n, id, path, line, location, text, extra, sha256 FROM documents WHERE {where}", args
        ):
            yield JobDocument(
                n, id_, path, line, location,
                zlib.decompress(text).decode("utf-8", "surrogatepass") if text is not None else None,
                json.loads(extra) if extra else {}, sha,
            )  # fmt: skip

    def count(self, table: str) -> int:
        (n,) = self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        return int(n)

    def request_file(self, custom_id: str) -> str | None:
        row = self.db.execute("SELECT file FROM requests WHERE custom_id = ?", (custom_id,)).fetchone()
        return None if row is None else str(row[0])

    def answer(self, custom_id: str) -> Answer | None:
        row = self.db.execute("SELECT line, online FROM answers WHERE custom_id = ?", (custom_id,)).fetchone()
        if row is None:
            return None
        answer = parse_output_line(row[0])
        if answer is None:
            return None
        if row[1]:
            answer = Answer(answer.custom_id, answer.status_code, answer.body, answer.error_code,
                            answer.error_message, online=True)  # fmt: skip
        return answer

    def store_answer(self, line: bytes, *, online: bool = False, commit: bool = True) -> Answer | None:
        """Keep an output line's answer. An answer never replaces a good one (a request answered twice
        by overlapping rounds keeps its first good answer); an error gives way to anything newer."""
        answer = parse_output_line(line)
        if answer is None:
            return None
        self.db.execute(
            "INSERT INTO answers VALUES (?, ?, ?, ?) ON CONFLICT(custom_id) DO UPDATE SET "
            "line = excluded.line, ok = excluded.ok, online = excluded.online WHERE answers.ok = 0",
            (answer.custom_id, line.rstrip(b"\n"), int(answer.ok), int(online)),
        )
        if commit:
            self.db.commit()
        return answer

    def ingest(self, name: str, kind: str) -> int:
        """Read new lines of a local output or errors file into the answers (from where the last read
        stopped; a torn last line waits for its end). Returns the lines read."""
        path = self.path(name, kind)
        key = f"{name}.{kind}"
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return 0
        row = self.db.execute("SELECT offset FROM ingested WHERE name = ?", (key,)).fetchone()
        offset = int(row[0]) if row else 0
        if size < offset:  # the file was replaced (a new download, a new run): read it all again
            offset = 0
        if size == offset:
            return 0
        read = 0
        with open(path, "rb") as fh:
            fh.seek(offset)
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break  # a line still being written
                offset += len(raw)
                if raw.strip():
                    if self.store_answer(raw, commit=False) is None:
                        log.warning("%s: the line at byte %d is not an answer line; its request counts as "
                                    "unanswered", path, offset - len(raw))  # fmt: skip
                    read += 1
        self.db.execute("INSERT OR REPLACE INTO ingested VALUES (?, ?)", (key, offset))
        self.db.commit()
        return read

    def answered_ids(self, name: str) -> set[str]:
        """The custom_ids with a line in this file's local output or errors file (a run's resume point)."""
        ids: set[str] = set()
        for kind in ("output", "errors"):
            path = self.path(name, kind)
            if not path.exists():
                continue
            with open(path, "rb") as fh:
                for raw in fh:
                    if raw.endswith(b"\n") and (answer := parse_output_line(raw)) is not None:
                        ids.add(answer.custom_id)
        return ids


class RequestFiles:
    """Writes one round's request lines into files split at the API's limits; each request once."""

    def __init__(self, job: Job, round_: int, *, max_requests: int, max_bytes: int) -> None:
        self.job, self.round = job, round_
        self.max_requests, self.max_bytes = max_requests, max_bytes
        self.written: list[dict[str, Any]] = []
        self._fh: Any = None
        self._name = ""
        self._count = self._bytes = 0
        self._hash: Any = None

    def add(self, custom_id: str, line: bytes) -> bool:
        """Add a request unless this job already holds it (in any file). Returns whether it was added."""
        if len(line) > self.max_bytes:
            raise ConfigError(
                f"one request is {len(line)} bytes, over the {self.max_bytes}-byte limit of a batch file"
            )
        if self._fh is not None and (
            self._count >= self.max_requests or self._bytes + len(line) > self.max_bytes
        ):
            self._close()
        name = self._name if self._fh is not None else self._next_name()
        cur = self.job.db.execute(
            "INSERT INTO requests VALUES (?, ?, ?) ON CONFLICT(custom_id) DO NOTHING",
            (custom_id, name, self.round),
        )
        if cur.rowcount == 0:
            return False
        if self._fh is None:
            self._open(name)
        self._fh.write(line)
        self._hash.update(line)
        self._count += 1
        self._bytes += len(line)
        return True

    def requeue(self, custom_id: str, line: bytes) -> bool:
        """Put a request that was sent but not run (expired, cancelled, failed batch) into this round (once,
        however many documents wait for it). Returns whether it was added now."""
        current = self.job.request_file(custom_id)
        if current is not None and current.startswith(f"r{self.round}-"):
            return False
        self.job.db.execute("DELETE FROM requests WHERE custom_id = ?", (custom_id,))
        return self.add(custom_id, line)

    def _next_name(self) -> str:
        taken = {f["name"] for f in self.job.files} | {f["name"] for f in self.written}
        k = 1
        while f"r{self.round}-{k:03d}" in taken:
            k += 1
        return f"r{self.round}-{k:03d}"

    def _open(self, name: str) -> None:
        self._name = name
        self._fh = open(self.job.path(name), "wb")  # noqa: SIM115 - closed in _close
        self._hash = hashlib.sha256()
        self._count = self._bytes = 0

    def _close(self) -> None:
        fh, self._fh = self._fh, None
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        self.written.append(
            {
                "name": self._name,
                "round": self.round,
                "requests": self._count,
                "bytes": self._bytes,
                "sha256": self._hash.hexdigest(),
                "created_at": _now(),
                "input_file_id": None,
                "batch_id": None,
                "batch_status": None,
                "intent": None,
                "downloaded": False,
                "ran_on": None,
            }
        )

    def finish(self) -> list[dict[str, Any]]:
        """Close the last file; the files written (for the manifest). Commits the request rows."""
        if self._fh is not None:
            self._close()
        self.job.db.commit()
        return self.written


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the job in ``folder``, validated (:mod:`~.integrity`), read without the job's lock
    (the manifest is replaced whole, never written in place). A :class:`ConfigError` names what is wrong."""
    path = Path(folder) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{folder}: not a prepared batch job (no {MANIFEST}; run `summarizer batch prepare`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the job's manifest ({why})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a valid job manifest (not JSON: {exc})") from None
    if isinstance(data, dict) and data.get("format", FORMAT) != FORMAT:
        raise ConfigError(f"{folder}: a batch job of another format ({data.get('format')!r})")
    return validate_manifest(data, str(path))


def default_limits() -> tuple[int, int]:
    return config.BATCH_MAX_REQUESTS_PER_FILE, config.BATCH_MAX_FILE_BYTES


def _now() -> float:
    return round(time.time(), 3)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    os.replace(tmp, path)
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _lock(folder: Path) -> int | None:
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot open the job's lock ({exc.strerror})") from None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigError(f"{folder}: another summarizer command is working on this job") from None
    return fd
