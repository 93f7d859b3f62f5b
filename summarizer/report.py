"""Render a saved result again, with no model call: read its JSON, find its source, check it is the same.

A result names its source (``provenance.source_path``) and fingerprints it (``source_sha256`` of the
bytes read, ``source_chars`` of the decoded text). The source is read back the way it was read the first
time (:func:`summarizer.documents.load_document`), so evidence offsets land on the same characters; a
source that changed since is refused rather than highlighted in the wrong places.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from .documents import Document, load_document
from .errors import InputError
from .schemas import CheckReport, Summary

__all__ = ["load_result", "load_source", "source_mismatch"]

Result = Summary | CheckReport


def load_result(path: str | os.PathLike[str]) -> Result:
    """A :class:`Summary` or :class:`CheckReport` from a JSON file (also one ``ok`` line of a batch's JSONL)."""
    name = os.fspath(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1:
            raise InputError(
                f"{name}: holds {len(lines)} JSON lines; give one result (one line of a batch)"
            ) from None
        raise InputError(f"{name}: not valid JSON") from None
    if isinstance(data, dict) and isinstance(data.get("result"), dict):  # a line of a batch's output
        data = data["result"]
    if not isinstance(data, dict):
        raise InputError(f"{name}: not a summarizer result (expected a JSON object)")
    model: type[Summary] | type[CheckReport] = CheckReport if "counts" in data else Summary
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        kind = "check report" if model is CheckReport else "summary"
        raise InputError(f"{name}: not a valid {kind} ({where}: {first['msg']})") from None


def load_source(result: Result, source: str | None = None, *, result_path: str | None = None) -> Document:
    """Read the result's source (``source`` overrides the path it names) and check it is unchanged.

    A relative ``source_path`` is tried from the working folder, then beside the result file.
    """
    prov = result.provenance
    if source is None:
        if not prov.source_path or prov.source_path == "-":
            raise InputError(
                "the result does not name a source file (it was read from standard input): give --source"
            )
        candidates = [Path(prov.source_path)]
        if result_path and not candidates[0].is_absolute():
            candidates.append(Path(result_path).parent / prov.source_path)
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            raise InputError(f"{prov.source_path}: the result's source file is not found: give --source")
        source = str(found)
    document = load_document(source)
    problem = source_mismatch(result, document)
    if problem:
        raise InputError(f"{source}: {problem}")
    return document


def source_mismatch(result: Result, document: Document) -> str | None:
    """Why ``document`` is not the source ``result`` was made from, or None when it is."""
    prov = result.provenance
    if document.sha256 != prov.source_sha256:
        return (
            f"not the source of this result (sha256 {document.sha256[:12]}…, the result names "
            f"{prov.source_sha256[:12]}…): the file changed, or give the right one with --source"
        )
    if len(document.text) != prov.source_chars:
        return f"decodes to {len(document.text)} characters, the result says {prov.source_chars}"
    length = len(document.text)
    claims = result.claims
    spans = [ev for c in claims for ev in c.evidence]
    for ev in spans:
        if ev.start is not None and ev.end is not None and not 0 <= ev.start <= ev.end <= length:
            return f"evidence offsets [{ev.start}:{ev.end}] lie outside the source ({length} characters)"
    return None
