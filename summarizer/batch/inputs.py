"""The documents of a batch: files, folders (recursive), globs, JSONL files of ``{"id", "text"}`` lines, and
``-`` for standard input (:func:`collect_inputs`). Documents are loaded by the worker that processes them
(:meth:`BatchInput.load`), so a bad file becomes that document's error line, never the end of the batch.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import InputError

if TYPE_CHECKING:

    from ..text.documents import Document

__all__ = ["BatchInput", "collect_inputs", "is_batch"]

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
            if not name.startswith(".") and name.lower().endswith(config.DOCUMENT_SUFFIXES):
                found.append(os.path.normpath(os.path.join(root, name)))
    return found


def _empty_folder(folder: str) -> str:
    kinds = ", ".join(config.DOCUMENT_SUFFIXES)
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
