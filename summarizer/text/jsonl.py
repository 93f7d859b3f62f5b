"""JSONL inputs: files of ``{"id", "text"}`` lines, each line a document (``claims`` and ``summary`` kept as
extras for ``check``). A batch reads them (:mod:`summarizer.batch.inputs`), and a saved result is rendered
again against its line (:mod:`summarizer.report.load`): both read a line and make its document here, the
same way, so evidence offsets land on the same characters.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from .documents import Document

__all__ = ["JsonlLine", "jsonl_objects", "line_document", "read_jsonl"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JsonlLine:
    """One document of a JSONL input: its ``id``, ``text``, line number and the other fields kept."""

    path: str
    id: str
    text: str
    line: int
    extra: Mapping[str, Any] = field(default_factory=dict)

    def document(self) -> Document:
        return line_document(self.path, self.id, self.text)


def line_document(path: str, item_id: str, text: str) -> Document:
    """The document of a JSONL line; its path is ``"{path}#{id}"``, which a saved result names."""
    from .documents import document_from_text  # charset detection and HTML extraction load on first use

    return document_from_text(text, path=f"{path}#{item_id}")


def read_jsonl(path: str) -> list[JsonlLine]:
    """``{"id", "text"}`` per line (blank lines skipped); ``claims`` and ``summary`` are kept as extras.

    An unreadable file, a line that is not a JSON object with a string or integer ``id`` and a string
    ``text``, a duplicate id, or a file without any line is an :class:`InputError` naming file and line.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    items: list[JsonlLine] = []
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
            raise InputError(f"{path}: line {n}: duplicate id {doc_id!r} (first on line {first_line[doc_id]})")
        extra: dict[str, Any] = {}
        if "claims" in obj:
            claims = obj["claims"]
            if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
                raise InputError(f'{path}: line {n}: "claims" must be a list of strings')
            if not all(c.strip() for c in claims):
                raise InputError(f'{path}: line {n}: "claims" holds an empty claim')
            extra["claims"] = list(claims)
        if "summary" in obj:
            if not isinstance(obj["summary"], str):
                raise InputError(f'{path}: line {n}: "summary" must be a string')
            extra["summary"] = obj["summary"]
        first_line[doc_id] = n
        items.append(JsonlLine(path, doc_id, obj["text"], n, extra))
    if not items:
        raise InputError(f"{path}: no documents (the file has no JSON lines)")
    return items


def jsonl_objects(path: str | Path, what: str, *, torn_tail: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL file, with their line numbers (blank lines skipped); an
    :class:`InputError` naming the file, and the line, for anything else: a file that is missing, a
    folder, binary or not UTF-8, a line that is not JSON or not an object (``what`` says what it should
    be). ``torn_tail``: a last line with no newline that is not valid JSON (the write of an interrupted
    run, cut short) is skipped with a warning instead."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path}: looks like a binary file, not JSONL")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}: line {bad_line}: not UTF-8 text") from None
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if torn_tail and i == last and not text.endswith("\n"):
                log.warning("%s: line %d is cut short (an interrupted write?): left out", path, i + 1)
                return
            raise InputError(f"{path}: line {i + 1}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path}: line {i + 1}: expected a JSON object ({what}), not {type(obj).__name__}")
        yield i + 1, obj
