"""A result cache in one embedded SQLite file: a document already summarised (or checked) with the same
model, prompt and parameters is answered from disk, with zero model calls.

* Location: ``settings.cache_dir() / "results.sqlite3"`` (``$SUMMARIZER_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/summarizer``, else ``~/.cache/summarizer``). :meth:`ResultCache.stats` reports the
  entry count, the bytes on disk and the path; :meth:`ResultCache.clear` empties it.
* Key: :func:`cache_key`, the sha256 of canonical JSON of (kind, model, prompt version, parameters,
  document sha256). Nothing secret goes into a key or a value: the API key is never a parameter, and
  values are the result JSON the tool prints anyway.
* Concurrency: WAL mode, one connection per thread, a busy timeout; several threads and several
  processes may read and write at once. ``synchronous=NORMAL``: a committed entry survives the
  process being killed (only a power cut may lose the last few).
* Damage: a cache file that is not a usable database (truncated, overwritten, a wrong schema, a folder in
  its place) is moved aside, renamed ``results.sqlite3.damaged-<time>`` and kept, with a warning, and an
  empty cache takes its place; damage found while other threads hold connections turns the cache off for
  the rest of the run and the file is moved aside on :meth:`ResultCache.close`. A cache that cannot be
  used at all (a read-only folder) is turned off with a warning: nothing is cached, nothing fails, and
  only :meth:`~ResultCache.stats` and :meth:`~ResultCache.clear` say why, as a :class:`ConfigError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from . import settings
from .errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["CACHE_FILENAME", "ResultCache", "cache_key", "default_cache_path"]

#: File name of the result cache inside ``settings.cache_dir()``.
CACHE_FILENAME = "results.sqlite3"
#: Bump when the meaning of a cached value changes: every older entry then misses.
CACHE_FORMAT = 1
#: Seconds a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key     TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    value   TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_cache_path() -> Path:
    return settings.cache_dir() / CACHE_FILENAME


def cache_key(kind: str, model: str, prompt_version: str, params: dict[str, Any], doc_sha256: str) -> str:
    """The cache key: sha256 of canonical JSON (sorted keys, no spaces) of everything a result depends on.

    ``params`` must be JSON-serialisable and must not hold secrets (they are hashed, never stored, but
    keep them out anyway).
    """
    payload = {
        "format": CACHE_FORMAT,
        "kind": kind,
        "model": model,
        "prompt_version": prompt_version,
        "params": params,
        "document": doc_sha256,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Damaged(Exception):
    """The cache file is not a usable result database (the reason is the message)."""


#: SQLite's result codes for a file that is not a database, or one whose pages are broken.
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_DAMAGE_WORDS = ("malformed", "not a database", "no such table", "no such column")
_COLUMNS = {"key", "kind", "value", "created"}


def _is_damage(exc: BaseException) -> bool:
    if isinstance(exc, _Damaged):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""  # Python 3.11+
    return name.startswith(_DAMAGE_CODES) or any(word in str(exc) for word in _DAMAGE_WORDS)


def _is_busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class ResultCache:
    """Results by key, in SQLite. Safe to share between threads (each gets its own connection).

    It never stops the work it serves: a damaged file is moved aside (kept) and replaced, an unusable
    one turns the cache off with one warning, and :meth:`get` and :meth:`put` then miss and skip.

    About 250 lines, one class, because the recovery paths (move aside, turn off, per-thread connections
    opened and closed) all act on the same connection set and the same "off" state under one lock.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        #: Why the cache is off for the rest of this object's life (None: it is on).
        self._off: str | None = None
        #: Damage found while other threads held connections: moved aside on close().
        self._damaged_later: str | None = None
        #: Where damaged files were moved (this object's doing).
        self.moved_aside: list[Path] = []
        self._open()

    # --- opening -----------------------------------------------------------------------------------

    def _open(self) -> None:
        """Open and check the database (single-threaded, before any use); move a damaged one aside."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._turn_off(f"cannot create the cache folder {self.path.parent}: {exc.strerror or exc}")
            return
        for attempt in range(2):
            try:
                self._check()
                self._prepare(self._connect())
                return
            except (_Damaged, sqlite3.Error, OSError) as exc:
                self.close()
                if not _is_damage(exc):
                    self._turn_off(f"cannot use {self.path}: {_reason(exc)}")
                    return
                if attempt or not self._move_aside(str(exc)):
                    self._turn_off(f"{self.path} is damaged ({exc}) and cannot be moved aside")
                    return

    def _check(self) -> None:
        """Raise :class:`_Damaged` unless the path holds nothing, or a database with this cache's schema
        (or none yet). Reads only: a file that is not this cache's is left byte for byte as it was."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        if not os.path.isfile(self.path):
            kind = "a folder" if os.path.isdir(self.path) else "not a regular file"
            raise _Damaged(f"{kind} where the database should be")
        if st.st_size == 0:
            return  # SQLite's empty database
        if st.st_size < 100:  # shorter than SQLite's file header
            raise _Damaged(f"{st.st_size} bytes, shorter than a database header")
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            tables = {row[0] for row in conn.execute(query)}
            if tables - {"results"}:
                raise _Damaged(f"not this cache's schema: tables {', '.join(sorted(tables - {'results'}))}")
            if "results" in tables:
                columns = {row[1] for row in conn.execute("PRAGMA table_info(results)")}
                if columns != _COLUMNS:
                    raise _Damaged(f"not this cache's schema: columns {', '.join(sorted(columns))}")
        finally:
            conn.close()

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Create the table in a new file, and read it once (a damaged file fails here)."""
        conn.execute(_SCHEMA)
        conn.execute("SELECT COUNT(*) FROM results").fetchone()

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            conn.close()
            raise
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn

    def _move_aside(self, reason: str) -> bool:
        """Rename the damaged file (and its -wal/-shm) to ``<name>.damaged-<time>``; say so. False if it
        cannot be moved."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while any(Path(f"{aside}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
            n += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("the result cache %s is damaged (%s) and cannot be moved aside: %s",
                           self.path, reason, _reason(exc))  # fmt: skip
            return False
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.rename(f"{self.path}{suffix}", f"{aside}{suffix}")
        self.moved_aside.append(aside)
        logger.warning("the result cache %s was damaged (%s): moved it aside to %s and started an empty one",
                       self.path, reason, aside)  # fmt: skip
        return True

    def _turn_off(self, reason: str) -> None:
        if self._off is None:
            self._off = reason
            logger.warning("result cache off for this run: %s; results are not cached", reason)

    def _failed(self, exc: sqlite3.Error, doing: str) -> bool:
        """An operation failed. Returns True when the cache was replaced and the operation may be retried.

        Damage with this thread's connection the only one: moved aside now and reopened. With other
        threads' connections open (a batch), the cache goes off and the file is moved aside on close().
        A busy database only skips this operation; anything else turns the cache off.
        """
        if _is_busy(exc):
            logger.warning("result cache busy while %s (%s): skipped", doing, exc)
            return False
        if not _is_damage(exc):
            self._turn_off(f"{doing} failed: {_reason(exc)}")
            return False
        with self._lock:
            alone = len(self._all) <= 1
        if alone:
            self.close()
            if self._move_aside(str(exc)):
                try:
                    self._check()
                    self._prepare(self._connect())
                    return True
                except (_Damaged, sqlite3.Error, OSError) as again:
                    self.close()
                    self._turn_off(f"cannot use {self.path}: {again}")
                    return False
            self._turn_off(f"{self.path} is damaged ({exc})")
            return False
        self._damaged_later = str(exc)
        self._turn_off(f"{self.path} is damaged ({exc}); it is moved aside at the end of the run")
        return False

    def close(self) -> None:
        """Close every thread's connection (the cache reopens on next use); move a damaged file aside."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()
        if self._damaged_later is not None:
            reason, self._damaged_later = self._damaged_later, None
            self._move_aside(reason)

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- entries -----------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False once the cache is off (see the class docstring); :attr:`off_reason` says why."""
        return self._off is None

    @property
    def off_reason(self) -> str | None:
        return self._off

    def get(self, key: str) -> dict[str, Any] | None:
        """The value stored under ``key``, or None (a miss, also when the cache is off or damaged)."""
        for _ in range(2):
            if self._off is not None:
                return None
            try:
                row = self._connect().execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
                break
            except sqlite3.Error as exc:
                if not self._failed(exc, "reading"):
                    return None
        else:
            return None
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None  # a damaged entry is a miss; the next put overwrites it
        return value if isinstance(value, dict) else None

    def put(self, key: str, kind: str, value: dict[str, Any]) -> None:
        """Store ``value`` under ``key`` (nothing happens when the cache is off)."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        for _ in range(2):
            if self._off is not None:
                return
            try:
                self._connect().execute(
                    "INSERT OR REPLACE INTO results (key, kind, value, created) VALUES (?, ?, ?, ?)",
                    (key, kind, text, time.time()),
                )
                return
            except sqlite3.Error as exc:
                if not self._failed(exc, "writing"):
                    return

    def stats(self) -> tuple[int, int, Path]:
        """(entries, bytes on disk including the WAL, path). Raises :class:`ConfigError` when the cache is off."""
        entries = self._run("reading", lambda conn: conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])
        size = 0
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                size += os.stat(f"{self.path}{suffix}").st_size
        return int(entries), size, self.path

    def clear(self) -> int:
        """Delete every entry and give the space back; return how many entries there were.

        A damaged file is moved aside first (kept, see the class docstring), so this works on any file
        the folder lets it replace; a cache that is off raises :class:`ConfigError` saying why.
        """

        def clear(conn: sqlite3.Connection) -> int:
            (entries,) = conn.execute("SELECT COUNT(*) FROM results").fetchone()
            conn.execute("DELETE FROM results")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return int(entries)

        return int(self._run("clearing", clear))

    def _run(self, doing: str, op: Any) -> Any:
        for _ in range(2):
            if self._off is not None:
                break
            try:
                return op(self._connect())
            except sqlite3.Error as exc:
                if _is_busy(exc):
                    raise ConfigError(f"the result cache {self.path} is busy: {exc}") from None
                if not self._failed(exc, doing):
                    break
        raise ConfigError(f"the result cache is off: {self._off or 'it could not be opened'}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    if "readonly" in text or "unable to open" in text:
        return f"{text} (is the folder read-only?)"
    return text
