"""The documents of a batch: files, folders (recursive), globs, JSONL files of ``{"id", "text"}`` lines, and
``-`` for standard input (:func:`collect_inputs`). Documents are loaded by the worker that processes them
(:meth:`BatchInput.load`), so a bad file becomes that document's error line, never the end of the batch.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import InputError
from ..text.jsonl import line_document, read_jsonl

if TYPE_CHECKING:

    from ..text.documents import Document

__all__ = ["BatchInput", "collect_inputs", "is_batch"]

logger = logging.getLogger(__name__)

_GLOB_CHARS = re.compile(r"[*?\[]")

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
        from ..text.documents import load_document

        if self.text is not None:
            assert self.path is not None
            return line_document(self.path, self.id, self.text)
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

    Folders give their files ending in :data:`summarizer.config.DOCUMENT_SUFFIXES`, hidden files and folders skipped, in
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
                elif _regular_or_skipped(match):
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
            if not name.startswith(".") and name.lower().endswith(config.DOCUMENT_SUFFIXES):
                path = os.path.normpath(os.path.join(root, name))
                if _regular_or_skipped(path):
                    found.append(path)
    return found


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))  # fmt: skip


def _regular_or_skipped(path: str) -> bool:
    """Whether a file a folder or a glob found is a regular file (or a link to one) to read.

    A FIFO would block the batch until something writes to it, a device may never end: those are skipped
    with a one-line note. (A FIFO named explicitly, as ``<(command)`` gives, is read.) A path that cannot
    be examined is kept, so that loading it reports why.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    if stat.S_ISREG(mode):
        return True
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    logger.warning("%s: skipped, %s, not a regular file", path, kind)
    return False


def _empty_folder(folder: str) -> str:
    kinds = ", ".join(config.DOCUMENT_SUFFIXES)
    return f"{folder}: no documents in this folder (looked for {kinds} files, hidden ones skipped)"


def _read_jsonl(path: str) -> list[BatchInput]:
    """The documents of a JSONL file (:func:`summarizer.text.jsonl.read_jsonl`), as batch inputs."""
    return [
        BatchInput(id=it.id, path=path, text=it.text, line=it.line, extra=it.extra) for it in read_jsonl(path)
    ]
