"""JSONL inputs: files of ``{"id", "text"}`` lines, each line a document (``claims`` and ``summary`` kept as
extras for ``check``). A batch reads them (:mod:`summarizer.batch.inputs`), and a saved result is rendered
again against its line (:mod:`summarizer.report.load`): both read a line and make its document here, the
same way, so evidence offsets land on the same characters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from .documents import Document

__all__ = ["JsonlLine", "line_document", "read_jsonl"]


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
