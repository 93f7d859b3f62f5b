"""A rendered result written to a file: the path checked before any model call is paid for
(:func:`check_output`), the file written atomically (:func:`save_text`), and a result that still cannot
be written kept where the user can find it rather than lost.

A path that is a symbolic link is written through: the file it points to is replaced and the link stays.
A device or a named pipe (``/dev/stdout``, ``>(gzip > x.gz)``) is written to as a shell redirection would,
never replaced by a file.

:func:`check_output` refuses a missing folder, a path that is a folder, a file name longer than the file
system allows, and a folder that cannot be written (read-only, ``/proc``, ``/sys``...), by creating and
removing a probe file there, and a path that names one of the command's own inputs (writing there would
destroy it). If writing fails anyway after the calls (a full disk, a folder made
read-only meanwhile), :func:`save_text` writes the result into the ``unsaved/`` folder of the cache
(:func:`summarizer.settings.cache_dir`) and its error says where.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ConfigError
from ..settings import cache_dir

__all__ = ["check_output", "save_text", "unsaved_dir"]

#: The longest file-name part of a temporary file's prefix (the rest is the random part and ".tmp").
_PREFIX_CHARS = 64


def unsaved_dir() -> Path:
    """Where results that could not be written to their file are kept: ``<cache>/unsaved``."""
    return cache_dir() / "unsaved"


def check_output(
    path: str | os.PathLike[str] | None, *, inputs: Iterable[str | os.PathLike[str] | None] = ()
) -> None:
    """Raise :class:`ConfigError` now if a result could not be written to ``path`` (None or ``-``: standard
    output, always fine), or if ``path`` is one of ``inputs`` (the files the command reads)."""
    if path is None or os.fspath(path) == "-":
        return
    name = os.fspath(path)
    if not name.strip():
        raise ConfigError("the output path is empty: name a file, or - for standard output")
    target = Path(name)
    for given in inputs:
        if given is not None and os.fspath(given) not in ("", "-") and _same_file(target, Path(given)):
            raise ConfigError(f"{name}: is also an input of this command; write the result to another file")
    folder = target.parent
    if not folder.exists():
        raise ConfigError(f"{name}: the folder does not exist")
    if not folder.is_dir():
        raise ConfigError(f"{name}: {folder} is not a folder")
    limit = _name_max(folder)
    if len(os.fsencode(target.name)) > limit:
        raise ConfigError(
            f"{name}: the file name is too long ({len(os.fsencode(target.name))} bytes; this file system "
            f"allows {limit})"
        )
    if target.is_dir():
        raise ConfigError(f"{name}: is a folder; name a file to write")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".summarizer-probe-", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def save_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Write ``text`` to ``path`` atomically (a temporary file beside it, renamed into place, with the
    permissions of an ordinary new file); return the path.

    When that fails, the text is written into :func:`unsaved_dir` instead and the :class:`ConfigError`
    says where; only if that fails too is the text lost (the error then says so).
    """
    name = os.fspath(path)
    target = Path(name)
    try:
        _write_atomically(text, target)
    except OSError as exc:
        why = exc.strerror or str(exc)
        try:
            kept = _keep(text, target)
        except OSError as again:
            raise ConfigError(
                f"{name}: cannot write ({why}); keeping it in {unsaved_dir()} failed too "
                f"({again.strerror or again})"
            ) from None
        raise ConfigError(f"{name}: cannot write ({why}); the result is saved in {kept}") from None
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): the same path, once resolved?
        return a.resolve() == b.resolve()


def _write_atomically(text: str, target: Path) -> None:
    if target.is_symlink():
        target = target.resolve()  # replace what the link points to; the link stays
    try:
        mode: int | None = target.stat().st_mode
    except OSError:  # not there yet (the usual case)
        mode = None
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        # a device or a pipe: written to, as a shell redirection would; never replaced by a file
        with target.open("w", encoding="utf-8") as fh:
            fh.write(text)
        return
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "the folder does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name[:_PREFIX_CHARS]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; the result is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep(text: str, target: Path) -> Path:
    folder = unsaved_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    safe = re.sub(r"[^\w.-]+", "_", target.name).strip("._")[:100] or "result"
    kept = folder / f"{stamp}-{safe}"
    _write_atomically(text, kept)
    return kept


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # not POSIX, or the file system does not say
        return 255


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
