"""What a batch worker does with one document: load it (or take it preloaded), answer from the result cache
or run the work and cache its result, and make the document's results-file line, an error line when
anything fails (:class:`DocumentWork`). One failing document never stops the batch.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SummarizerError
from ..settings import redact
from ..types import Usage
from .inputs import BatchInput
from .outcome import Failure
from .tasks import _call

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..cache import ResultCache
    from ..text.documents import Document

__all__ = ["DocumentWork"]

log = logging.getLogger(__name__)


@dataclass
class _Done:
    item: BatchInput
    ok: bool
    cached: bool
    usage: Usage | None
    failure: Failure | None
    write_error: BaseException | None = None


class DocumentWork:
    """One document's run: ``work`` (or a cache hit under ``key_for``), its line, or its error line.

    ``preloaded`` holds documents the budget check already loaded (taken once); ``secrets`` are scrubbed
    from error messages.
    """

    def __init__(
        self,
        work: Callable[..., BaseModel],
        *,
        kind: str,
        cache: ResultCache | None,
        key_for: Callable[..., str | None] | None,
        secrets: Sequence[str],
    ) -> None:
        self.work, self.kind, self.cache = work, kind, cache
        self.key_for = key_for if cache is not None else None
        self.secrets = [s for s in secrets if s]
        self.preloaded: dict[str, Document] = {}

    def __call__(self, item: BatchInput) -> tuple[_Done, dict[str, Any]]:
        document: Document | None = None
        try:
            document = self.preloaded.pop(item.id, None) or item.load()
            key = _call(self.key_for, document, item) if self.key_for is not None else None
            if key is not None and (hit := self._cache_get(key)) is not None:
                hit = _as_read_from(hit, document.path)
                return _Done(item, True, True, None, None), self._record(item, document, hit, cached=True)
            result = _call(self.work, document, item)
            value = result.model_dump(mode="json")
            if key is not None:
                self._cache_put(key, value)  # before the line: a kill in between pays nothing twice
            usage = getattr(result, "usage", None)
            return _Done(item, True, False, usage, None), self._record(item, document, value, cached=False)
        except Exception as exc:  # one failing document never stops the batch
            failure = self._failure(item, exc)
            record = self._record(item, document, None, cached=False, failure=failure)
            return _Done(item, False, False, None, failure), record

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        assert self.cache is not None
        try:
            return self.cache.get(key)
        except (sqlite3.Error, SummarizerError) as exc:
            log.warning("result cache unavailable (%s); calling the model", exc)
            return None

    def _cache_put(self, key: str, value: dict[str, Any]) -> None:
        assert self.cache is not None
        try:
            self.cache.put(key, self.kind, value)
        except (sqlite3.Error, SummarizerError) as exc:
            log.warning("could not store a result in the cache (%s)", exc)

    def _failure(self, item: BatchInput, exc: Exception) -> Failure:
        if isinstance(exc, SummarizerError):
            message, code = exc.message, exc.exit_code
        else:
            log.debug("unexpected error on %s", item.id, exc_info=True)
            message, code = f"{type(exc).__name__}: {exc}", 1
        message = redact(" ".join(str(message).split()), self.secrets)
        return Failure(item.id, item.path, type(exc).__name__, message, code)

    def _record(
        self,
        item: BatchInput,
        document: Document | None,
        result: dict[str, Any] | None,
        *,
        cached: bool,
        failure: Failure | None = None,
    ) -> dict[str, Any]:
        return {
            "id": item.id,
            "path": item.path,
            "sha256": document.sha256 if document is not None else None,
            "kind": self.kind,
            "status": "ok" if failure is None else "error",
            "cached": cached,
            "result": result,
            "error": None
            if failure is None
            else {"type": failure.type, "message": failure.message, "exit_code": failure.exit_code},
        }


def _as_read_from(result: dict[str, Any], path: str | None) -> dict[str, Any]:
    """A cached result, its provenance naming the file read this time.

    The cache is keyed by content: the same text under another name is a hit, but its result must name
    the file it now stands for (``summarizer report`` reads the source from there).
    """
    result = {**result}
    if isinstance(result.get("provenance"), dict):
        result["provenance"] = {**result["provenance"], "source_path": path}
    verification = result.get("verification")
    if isinstance(verification, dict) and isinstance(verification.get("provenance"), dict):
        result["verification"] = {**verification, "provenance": {**verification["provenance"], "source_path": path}}
    return result
