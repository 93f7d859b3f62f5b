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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from . import settings
from .errors import ConfigError

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


class ResultCache:
    """Results by key, in SQLite. Safe to share between threads (each gets its own connection)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the cache folder {self.path.parent}: {exc.strerror}") from None
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._connect()  # fail early (unwritable folder, not a database) and create the table

    # --- connections -------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open the result cache {self.path}: {exc}") from None
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection (the cache reopens on next use)."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- entries -----------------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._connect().execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None  # a damaged entry is a miss; the next put overwrites it
        return value if isinstance(value, dict) else None

    def put(self, key: str, kind: str, value: dict[str, Any]) -> None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self._connect().execute(
            "INSERT OR REPLACE INTO results (key, kind, value, created) VALUES (?, ?, ?, ?)",
            (key, kind, text, time.time()),
        )

    def stats(self) -> tuple[int, int, Path]:
        """(entries, bytes on disk including the WAL, path)."""
        (entries,) = self._connect().execute("SELECT COUNT(*) FROM results").fetchone()
        size = 0
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                size += os.stat(f"{self.path}{suffix}").st_size
        return int(entries), size, self.path

    def clear(self) -> int:
        """Delete every entry and give the space back; return how many entries there were."""
        conn = self._connect()
        (entries,) = conn.execute("SELECT COUNT(*) FROM results").fetchone()
        conn.execute("DELETE FROM results")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(entries)
