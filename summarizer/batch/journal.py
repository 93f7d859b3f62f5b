"""The durable JSONL results file of a batch: one whole line per document, each written with a single
``write`` under a lock and fsync'd; the file locked against a second run writing to it at the same time.

Resume: an existing output file is read first. Its ``ok`` lines are kept (their documents are skipped); its
``error`` lines and a torn last line (a kill -9 mid-write) are dropped (the file is rewritten atomically)
and those documents run again. Each id appears once in the output.

:func:`read_results` is the one reader of a results file: the run resumes with it, the dry run reads with it
which documents are done.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError

log = logging.getLogger(__name__)

__all__ = ["ResultsFile", "parse_results", "read_results"]

# --- reading a results file ---------------------------------------------------------------------------


@dataclass
class ResultsFile:
    """What a results file holds: its ``ok`` lines, first per id (``previous``, and ``keep``: those lines as
    written), and whether anything else was in it (``changed``: error lines, duplicates, blank lines, a
    torn last line), which a resumed run drops."""

    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    keep: list[bytes] = field(default_factory=list)
    changed: bool = False
    torn: bool = False

    @property
    def spent_usd(self) -> float:
        """What the results kept here cost when they were made (cached ones cost nothing then): the part of
        a ``--max-cost`` budget already spent on this file."""
        total = 0.0
        for record in self.previous.values():
            result = record.get("result")
            usage = result.get("usage") if isinstance(result, dict) else None
            cost = usage.get("cost_usd") if isinstance(usage, dict) else None
            if not record.get("cached") and isinstance(cost, (int, float)) and cost > 0:
                total += float(cost)
        return round(total, 8)


def parse_results(data: bytes, path: str, kind: str | None = None) -> ResultsFile:
    """Read a results file's bytes. A line that is not a batch result, or (with ``kind``) a result of another
    kind, is a :class:`ConfigError`: the file is not this batch's, and nothing is resumed into it."""
    found = ResultsFile()
    if not data:
        return found
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline, else a line cut short by a kill
    found.changed = found.torn = bool(tail)
    for n, raw in enumerate(lines, 1):
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not (isinstance(record, dict) and isinstance(record.get("id"), str) and "status" in record):
            if not raw.strip():
                found.changed = True
                continue
            raise ConfigError(
                f"{path}: line {n} is not a batch result line; not resuming into this file "
                "(choose another output file)"
            )
        if kind is not None and record.get("kind", kind) != kind:
            raise ConfigError(
                f"{path} holds {record.get('kind')} results, not {kind} results; choose another output file"
            )
        if record["status"] != "ok" or record["id"] in found.previous:
            found.changed = True  # a failure to retry, or a duplicate
            continue
        found.previous[record["id"]] = record
        found.keep.append(raw + b"\n")
    return found


def read_results(path: str, kind: str | None = None) -> ResultsFile:
    """:func:`parse_results` of the file at ``path``, read only (an absent file holds nothing)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return ResultsFile()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_results(data, path, kind)


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
        self.spent_usd = 0.0  # what the kept results cost when they were made

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
        assert self.path is not None
        with os.fdopen(os.dup(fd), "rb") as fh:
            fh.seek(0)
            data = fh.read()
        found = parse_results(data, self.path, self.kind)
        if found.torn:
            log.warning("%s: dropped a torn last line (the previous run was killed mid-write)", self.path)
        self.previous, self.spent_usd = found.previous, found.spent_usd
        return found.keep, found.changed

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
