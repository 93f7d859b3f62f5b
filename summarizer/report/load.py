"""Render a saved result again, with no model call: read its JSON, find its source, check it is the same.

A result names its source (``provenance.source_path``) and fingerprints it (``source_sha256`` of the
bytes read, ``source_chars`` of the decoded text). The source is read back the way it was read the first
time (:func:`summarizer.text.documents.load_document`), so evidence offsets land on the same characters; a
source that changed since is refused rather than highlighted in the wrong places.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..errors import InputError
from ..text.documents import Document, load_document
from ..types import SCHEMA_VERSION, CheckReport, Summary

__all__ = ["Saved", "load_result", "load_results", "load_source", "report_names", "source_mismatch"]

Result = Summary | CheckReport


@dataclass(frozen=True)
class Saved:
    """A result read back: its id and source path in a batch (None for a single result file)."""

    id: str | None
    result: Result
    path: str | None = None


def load_results(path: str | os.PathLike[str]) -> list[Saved]:
    """The result of a JSON file, or the result of every ``ok`` line of a batch's JSONL output.

    A batch's error lines carry no result and are left out. A batch line's ``path`` is where that
    document was read (a cached result's provenance may name another file with the same content).
    """
    name = os.fspath(path)
    text = _read(name)
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        pass
    else:
        return [] if _failed(whole) else [_saved(whole, name, None)]
    results: list[Saved] = []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise InputError(f"{name}: is empty")
    for n, line in lines:
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(f"{name}: line {n} is not valid JSON") from None
        if not _failed(data):
            results.append(_saved(data, f"{name}: line {n}", f"line-{n}"))
    return results


def _failed(data: object) -> bool:
    """A batch line for a document that failed: it carries an error, no result."""
    return isinstance(data, dict) and data.get("status", "ok") != "ok"


def _saved(data: object, where: str, default_id: str | None) -> Saved:
    if isinstance(data, dict) and isinstance(data.get("result"), dict):  # a line of a batch's output
        item_id = str(data["id"]) if data.get("id") is not None else default_id
        path = data["path"] if isinstance(data.get("path"), str) else None
        return Saved(item_id, _validate(data["result"], where), path)
    return Saved(default_id, _validate(data, where))


def load_result(path: str | os.PathLike[str]) -> Result:
    """One :class:`Summary` or :class:`CheckReport` from a JSON file (or a one-line JSONL of a batch)."""
    results = load_results(path)
    if len(results) != 1:
        raise InputError(f"{os.fspath(path)}: holds {len(results)} results; expected one")
    return results[0].result


def _read(name: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a result file") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a result file (not UTF-8 text)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None


def _validate(data: object, where: str) -> Result:
    if not isinstance(data, dict):
        raise InputError(f"{where}: not a summarizer result (expected a JSON object)")
    model: type[Summary] | type[CheckReport] = CheckReport if "counts" in data else Summary
    version = data.get("schema_version", SCHEMA_VERSION)
    if str(version) != SCHEMA_VERSION:
        raise InputError(
            f"{where}: written with result schema {version}; this version reads schema {SCHEMA_VERSION}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "top level"
        kind = "check report" if model is CheckReport else "summary"
        raise InputError(f"{where}: not a valid {kind} ({loc}: {first['msg']})") from None


def load_source(
    result: Result,
    source: str | None = None,
    *,
    result_path: str | None = None,
    named: str | None = None,
    item_id: str | None = None,
) -> Document:
    """Read the result's source and check it is unchanged.

    ``source`` overrides the path the result names; ``named`` replaces that path (a batch line's own
    ``path``). A relative path is tried from the working folder, then from the result file's folder and
    each of its parents, then by its file name beside the result file (:func:`_find`). A document
    that came from a line of a JSONL input (``items.jsonl#id`` in the provenance, or a batch line's
    ``path`` and ``item_id``) is read back from that line, the way the batch read it.
    """
    prov = result.provenance
    if source is None:
        named = named or prov.source_path
        if not named or named == "-":
            raise InputError(
                "the result does not name a source file (it was read from standard input): give --source"
            )
        found = _find(named, result_path)
        if found is None and "#" in named:  # "items.jsonl#id": a line of a JSONL input
            file, _, line_id = named.partition("#")
            found, item_id = _find(file, result_path), item_id or line_id
        if found is None:
            raise InputError(f"{named}: the result's source file is not found: give --source")
        source = str(found)
    if item_id is not None and source.lower().endswith(".jsonl"):
        document = _jsonl_document(source, item_id)
    else:
        document = load_document(source)
    problem = source_mismatch(result, document)
    if problem:
        raise InputError(f"{source}: {problem}")
    return document


def _find(name: str, result_path: str | None) -> Path | None:
    """Where the source a result names is: as named (from the working folder), else relative to the result
    file's folder or one of its parents (the folder the result was made from, e.g. a repository's root
    for ``examples/article.txt``), else beside the result file by its file name. The first that exists
    is taken; its sha256 is checked after."""
    named = Path(name)
    candidates = [named]
    if result_path and not named.is_absolute():
        folder = Path(result_path).resolve().parent
        candidates += [parent / named for parent in (folder, *folder.parents)]
        candidates.append(folder / named.name)
    return next((c for c in candidates if c.is_file()), None)


def _jsonl_document(path: str, item_id: str) -> Document:
    """The document of one line of a JSONL input, read as a batch reads it."""
    from ..text.jsonl import read_jsonl

    item = next((it for it in read_jsonl(path) if it.id == item_id), None)
    if item is None:
        raise InputError(f"{path}: has no line with id {item_id!r}")
    return item.document()


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


def report_names(ids: list[str], suffix: str) -> list[str]:
    """File names for one folder of reports: each id made safe (no folders, no leading dots), and kept
    apart when two ids come out the same ("a/b" and "a_b"; case is ignored, as some file systems do)."""
    names, taken = [], set()
    for item_id in ids:
        stem = (re.sub(r"[^\w.-]+", "_", item_id).strip("._") or "result")[:120]
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        names.append(name + suffix)
    return names
